//! Redaction of secret-shaped text, secret-named keys, and preview truncation. The export stage applies it to
//! every finished span, once, before any exporter sees the span ([`span::redact_span`]); the trace service applies
//! the same rules to spans it receives from other processes ([`record::redact_wire_span`]).

pub mod record;
mod rules;
pub mod span;

use std::borrow::Cow;
use std::sync::Arc;

use regex::{Captures, Regex, RegexSet};

/// Default length of prompt and response previews, in characters.
pub const DEFAULT_PREVIEW_MAX_LENGTH: usize = 512;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RedactError {
    #[error("redaction rule {name}: invalid pattern: {reason}")]
    InvalidPattern { name: String, reason: String },
}

#[derive(Debug)]
struct Rule {
    regex: Regex,
    /// The replacement template, with the marker already in place.
    replacement: String,
    validate: Option<fn(&str) -> bool>,
}

/// Replaces secret-shaped text with `[REDACTED:<rule>]` and the values of secret-named keys with
/// `[REDACTED:secret_key]`. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Redactor {
    rules: Arc<[Rule]>,
    set: Arc<RegexSet>,
    secret_key_words: Arc<[String]>,
    preview_max_length: usize,
}

/// A rule before compilation.
#[derive(Debug, Clone)]
struct RuleSpec {
    name: String,
    pattern: String,
    /// `{}` stands for the `[REDACTED:<name>]` marker; `$group` references are expanded.
    replacement: String,
    validate: Option<fn(&str) -> bool>,
}

/// Which rules and keys a [`Redactor`] uses: the built-in set, plus or minus your own.
#[derive(Debug, Clone)]
pub struct RedactorBuilder {
    rules: Vec<RuleSpec>,
    secret_key_words: Vec<String>,
    preview_max_length: usize,
}

impl Default for RedactorBuilder {
    fn default() -> Self {
        let rules = rules::built_in()
            .into_iter()
            .map(|r| RuleSpec {
                name: r.name.to_owned(),
                pattern: r.pattern,
                replacement: r.replacement.to_owned(),
                validate: r.validate,
            })
            .collect();
        let secret_key_words = rules::SECRET_KEY_WORDS.iter().map(|w| (*w).to_owned()).collect();
        Self { rules, secret_key_words, preview_max_length: DEFAULT_PREVIEW_MAX_LENGTH }
    }
}

impl RedactorBuilder {
    /// Adds a rule: every match of `pattern` becomes `[REDACTED:<name>]`.
    pub fn with_rule(mut self, name: impl Into<String>, pattern: impl Into<String>) -> Self {
        self.rules.push(RuleSpec {
            name: name.into(),
            pattern: pattern.into(),
            replacement: "{}".to_owned(),
            validate: None,
        });
        self
    }

    /// Removes a built-in (or earlier) rule by name.
    pub fn without_rule(mut self, name: &str) -> Self {
        self.rules.retain(|rule| rule.name != name);
        self
    }

    /// Treats attribute keys containing `word` (without case, `_` or `-`) as secret-named.
    pub fn with_secret_key(mut self, word: &str) -> Self {
        self.secret_key_words.push(normalize_key(word));
        self
    }

    pub fn with_preview_max_length(mut self, chars: usize) -> Self {
        self.preview_max_length = chars;
        self
    }

    pub fn build(self) -> Result<Redactor, RedactError> {
        let mut compiled = Vec::with_capacity(self.rules.len());
        for spec in &self.rules {
            let regex = Regex::new(&spec.pattern)
                .map_err(|e| RedactError::InvalidPattern { name: spec.name.clone(), reason: e.to_string() })?;
            let replacement = spec.replacement.replace("{}", &format!("[REDACTED:{}]", spec.name));
            compiled.push(Rule { regex, replacement, validate: spec.validate });
        }
        let set = RegexSet::new(self.rules.iter().map(|rule| &rule.pattern))
            .map_err(|e| RedactError::InvalidPattern { name: "(set)".to_owned(), reason: e.to_string() })?;
        Ok(Redactor {
            rules: compiled.into(),
            set: Arc::new(set),
            secret_key_words: self.secret_key_words.into(),
            preview_max_length: self.preview_max_length,
        })
    }
}

fn normalize_key(key: &str) -> String {
    key.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect()
}

impl Default for Redactor {
    fn default() -> Self {
        // The built-in patterns are covered by a test; an empty redactor would be the wrong fallback, so a
        // failure here can only come from editing them.
        Self::builder().build().unwrap_or_else(|e| unreachable!("built-in redaction rules: {e}"))
    }
}

impl Redactor {
    pub fn builder() -> RedactorBuilder {
        RedactorBuilder::default()
    }

    pub fn preview_max_length(&self) -> usize {
        self.preview_max_length
    }

    /// The text with every secret-shaped part replaced. Text that matches no rule is returned as is.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let matched = self.set.matches(text);
        if !matched.matched_any() {
            return Cow::Borrowed(text);
        }
        let mut out = Cow::Borrowed(text);
        for index in matched.iter() {
            let Some(rule) = self.rules.get(index) else { continue };
            let replaced = rule.regex.replace_all(&out, |caps: &Captures<'_>| {
                let whole = caps.get(0).map_or("", |m| m.as_str());
                if rule.validate.is_some_and(|valid| !valid(whole)) {
                    return whole.to_owned();
                }
                let mut dst = String::new();
                caps.expand(&rule.replacement, &mut dst);
                dst
            });
            if let Cow::Owned(text) = replaced {
                out = Cow::Owned(text);
            }
        }
        out
    }

    /// Whether an attribute key names a secret (`db.password`, `http.request.header.authorization`, …): its value
    /// is replaced whatever it looks like.
    pub fn is_secret_key(&self, key: &str) -> bool {
        let last = key.rsplit('.').next().unwrap_or(key);
        let normalized = normalize_key(last);
        self.secret_key_words.iter().any(|word| normalized.contains(word.as_str()))
    }

    /// Redacts, then keeps at most the preview length in characters. Redacting first means a secret cut by the
    /// truncation cannot leak its head.
    pub fn preview(&self, text: &str) -> Preview {
        let redacted = self.redact(text);
        match redacted.char_indices().nth(self.preview_max_length) {
            Some((cut, _)) => Preview { text: redacted[..cut].to_owned(), truncated: true },
            None => Preview { text: redacted.into_owned(), truncated: false },
        }
    }
}

/// A redacted, possibly truncated, preview of a longer text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub text: String,
    pub truncated: bool,
}

#[cfg(test)]
mod tests;
