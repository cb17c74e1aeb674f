//! Redaction of a finished span: its name, every string attribute (span, event and link attributes), secret-named
//! keys, and the status message; then previews are cut to the preview limit and flagged.

use std::borrow::Cow;
use std::collections::HashMap;

use opentelemetry::trace::Status;
use opentelemetry::{Array, KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::SpanData;

use super::Redactor;
use crate::attrs;

pub(super) const SECRET_KEY_MARK: &str = "[REDACTED:secret_key]";
const PREVIEW_SUFFIX: &str = ".preview";
const TRUNCATED_SUFFIX: &str = ".truncated";
/// Strings up to this length are remembered with their redacted form: ids, names and enums repeat on every span.
const MEMO_MAX_LEN: usize = 128;
const MEMO_CAPACITY: usize = 16_384;

/// Redacts `span` in place.
pub fn redact_span(redactor: &Redactor, span: &mut SpanData) {
    redact_with(&mut Plain(redactor), span);
}

/// A span redactor that remembers the outcome for short strings and for keys: ids, names and enums repeat on every
/// span. For the single export thread.
#[derive(Debug)]
pub struct SpanRedactor {
    redactor: Redactor,
    texts: HashMap<Box<str>, Option<Box<str>>>,
    keys: HashMap<Box<str>, bool>,
}

impl SpanRedactor {
    pub fn new(redactor: Redactor) -> Self {
        Self { redactor, texts: HashMap::new(), keys: HashMap::new() }
    }

    pub fn redact_span(&mut self, span: &mut SpanData) {
        redact_with(self, span);
    }
}

/// How a span's strings and keys are judged.
trait Policy {
    /// The redacted form of `text`, or `None` when it needs no change.
    fn text(&mut self, text: &str) -> Option<String>;
    fn is_secret_key(&mut self, key: &str) -> bool;
    fn preview_max_length(&self) -> usize;
}

struct Plain<'a>(&'a Redactor);

impl Policy for Plain<'_> {
    fn text(&mut self, text: &str) -> Option<String> {
        owned(self.0.redact(text))
    }
    fn is_secret_key(&mut self, key: &str) -> bool {
        self.0.is_secret_key(key)
    }
    fn preview_max_length(&self) -> usize {
        self.0.preview_max_length()
    }
}

impl Policy for SpanRedactor {
    fn text(&mut self, text: &str) -> Option<String> {
        if text.len() > MEMO_MAX_LEN {
            return owned(self.redactor.redact(text));
        }
        if let Some(known) = self.texts.get(text) {
            return known.as_deref().map(str::to_owned);
        }
        let result = owned(self.redactor.redact(text));
        if self.texts.len() >= MEMO_CAPACITY {
            self.texts.clear();
        }
        self.texts.insert(text.into(), result.as_deref().map(Box::from));
        result
    }

    fn is_secret_key(&mut self, key: &str) -> bool {
        if let Some(known) = self.keys.get(key) {
            return *known;
        }
        let secret = self.redactor.is_secret_key(key);
        if self.keys.len() >= MEMO_CAPACITY {
            self.keys.clear();
        }
        self.keys.insert(key.into(), secret);
        secret
    }

    fn preview_max_length(&self) -> usize {
        self.redactor.preview_max_length()
    }
}

fn owned(text: Cow<'_, str>) -> Option<String> {
    match text {
        Cow::Owned(text) => Some(text),
        Cow::Borrowed(_) => None,
    }
}

fn redact_with(policy: &mut impl Policy, span: &mut SpanData) {
    if let Some(name) = policy.text(&span.name) {
        span.name = Cow::Owned(name);
    }
    let json = json_values(&span.attributes);
    redact_attributes(policy, &mut span.attributes, &json);
    cut_previews(policy.preview_max_length(), &mut span.attributes);
    for event in &mut span.events.events {
        redact_attributes(policy, &mut event.attributes, &[]);
    }
    for link in &mut span.links.links {
        redact_attributes(policy, &mut link.attributes, &[]);
    }
    if let Status::Error { description } = &mut span.status
        && let Some(redacted) = policy.text(description)
    {
        *description = Cow::Owned(redacted);
    }
}

/// The `input.value` / `output.value` keys whose mime type says JSON (a node's state).
fn json_values(attributes: &[KeyValue]) -> Vec<&'static str> {
    let is_json =
        |mime: &str| attributes.iter().any(|kv| kv.key.as_str() == mime && kv.value.as_str().contains("json"));
    [(attrs::INPUT_VALUE, attrs::INPUT_MIME_TYPE), (attrs::OUTPUT_VALUE, attrs::OUTPUT_MIME_TYPE)]
        .into_iter()
        .filter(|(_, mime)| is_json(mime))
        .map(|(key, _)| key)
        .collect()
}

fn redact_attributes(policy: &mut impl Policy, attributes: &mut [KeyValue], json: &[&str]) {
    for kv in attributes {
        if policy.is_secret_key(kv.key.as_str()) {
            kv.value = Value::from(SECRET_KEY_MARK);
            continue;
        }
        if json.contains(&kv.key.as_str())
            && let Value::String(text) = &kv.value
        {
            if let Some(redacted) = redact_json(policy, text.as_str()) {
                kv.value = Value::from(redacted);
            }
            continue;
        }
        if let Some(value) = redact_value(policy, &kv.value) {
            kv.value = value;
        }
    }
}

/// The redacted value, or `None` when nothing changed.
fn redact_value(policy: &mut impl Policy, value: &Value) -> Option<Value> {
    match value {
        Value::String(s) => policy.text(s.as_str()).map(Value::from),
        Value::Array(Array::String(items)) => {
            let mut changed = false;
            let redacted: Vec<StringValue> = items
                .iter()
                .map(|item| match policy.text(item.as_str()) {
                    Some(redacted) => {
                        changed = true;
                        StringValue::from(redacted)
                    }
                    None => item.clone(),
                })
                .collect();
            changed.then(|| Value::Array(redacted.into()))
        }
        _ => None,
    }
}

/// JSON text redacted value by value, so that it stays JSON and secret-named keys lose their values at any depth;
/// text that does not parse is redacted as text. `None` when nothing changed.
fn redact_json(policy: &mut impl Policy, text: &str) -> Option<String> {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text) else { return policy.text(text) };
    redact_json_value(policy, &mut value).then(|| value.to_string())
}

/// Whether anything changed.
fn redact_json_value(policy: &mut impl Policy, value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => match policy.text(text) {
            Some(redacted) => {
                *text = redacted;
                true
            }
            None => false,
        },
        serde_json::Value::Array(items) => {
            items.iter_mut().fold(false, |changed, item| redact_json_value(policy, item) | changed)
        }
        serde_json::Value::Object(map) => map.iter_mut().fold(false, |changed, (key, item)| {
            if !policy.is_secret_key(key) {
                return redact_json_value(policy, item) | changed;
            }
            if item.as_str() == Some(SECRET_KEY_MARK) {
                return changed;
            }
            *item = serde_json::Value::from(SECRET_KEY_MARK);
            true
        }),
        serde_json::Value::Null | serde_json::Value::Bool(_) | serde_json::Value::Number(_) => false,
    }
}

/// Cuts every `*.preview` string to the preview limit (already redacted) and sets `*.truncated = true` beside it.
fn cut_previews(limit: usize, attributes: &mut Vec<KeyValue>) {
    let mut flags = Vec::new();
    for kv in attributes.iter_mut() {
        let Some(prefix) = kv.key.as_str().strip_suffix(PREVIEW_SUFFIX) else { continue };
        let Value::String(text) = &kv.value else { continue };
        if let Some((cut, _)) = text.as_str().char_indices().nth(limit) {
            let kept = text.as_str()[..cut].to_owned();
            flags.push(format!("{prefix}{TRUNCATED_SUFFIX}"));
            kv.value = Value::from(kept);
        }
    }
    for flag in flags {
        attributes.retain(|kv| kv.key.as_str() != flag);
        attributes.push(KeyValue::new(flag, true));
    }
}
