//! Redaction of a span that arrives already converted to the wire model (spans received from other processes over
//! OTLP): the same rules as [`super::span`] on its name, every string in span, event and link attributes (inside
//! lists and maps too), the sender's resource and scope attributes (a process's command line may hold a
//! password), secret-named keys at any depth, event names and the status message.

use serde_json::Value;
use trace_model::{Attributes, Span};

use super::Redactor;
use super::span::SECRET_KEY_MARK;

/// Redacts `span` in place and returns how many values changed.
pub fn redact_wire_span(redactor: &Redactor, span: &mut Span) -> usize {
    let mut changed = usize::from(replace(redactor, &mut span.name));
    changed += redact_attributes(redactor, &mut span.attributes);
    changed += redact_attributes(redactor, &mut span.resource);
    if let Some(scope) = &mut span.scope {
        changed += redact_attributes(redactor, &mut scope.attributes);
    }
    for event in &mut span.events {
        changed += usize::from(replace(redactor, &mut event.name));
        changed += redact_attributes(redactor, &mut event.attributes);
    }
    for link in &mut span.links {
        changed += redact_attributes(redactor, &mut link.attributes);
    }
    if let Some(message) = &mut span.status.message {
        changed += usize::from(replace(redactor, message));
    }
    changed
}

fn redact_attributes(redactor: &Redactor, attributes: &mut Attributes) -> usize {
    attributes.iter_mut().map(|(key, value)| redact_entry(redactor, key, value)).sum()
}

/// A secret-named key loses its value whatever it is; other values are redacted by their text.
fn redact_entry(redactor: &Redactor, key: &str, value: &mut Value) -> usize {
    if !redactor.is_secret_key(key) {
        return redact_value(redactor, value);
    }
    if value.as_str() == Some(SECRET_KEY_MARK) {
        return 0;
    }
    *value = Value::from(SECRET_KEY_MARK);
    1
}

fn redact_value(redactor: &Redactor, value: &mut Value) -> usize {
    match value {
        Value::String(text) => usize::from(replace(redactor, text)),
        Value::Array(items) => items.iter_mut().map(|item| redact_value(redactor, item)).sum(),
        Value::Object(map) => map.iter_mut().map(|(key, item)| redact_entry(redactor, key, item)).sum(),
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
    }
}

/// Whether `text` changed.
fn replace(redactor: &Redactor, text: &mut String) -> bool {
    let redacted = redactor.redact(text);
    if redacted == text.as_str() {
        return false;
    }
    *text = redacted.into_owned();
    true
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde_json::json;
    use trace_model::{SpanEvent, SpanKind, SpanLink, SpanStatus, StatusCode};

    use super::*;

    fn span(attributes: Value) -> Span {
        let attributes: Attributes = serde_json::from_value(attributes).unwrap_or_default();
        Span {
            span_id: "00f067aa0ba902b7".to_owned(),
            name: "call with token=abcd1234".to_owned(),
            kind: SpanKind::Other,
            start_time: Utc::now(),
            status: SpanStatus { code: StatusCode::Error, message: Some("denied for ops@example.com".to_owned()) },
            attributes: attributes.clone(),
            events: vec![SpanEvent { name: "exception".to_owned(), time: Utc::now(), attributes: attributes.clone() }],
            links: vec![SpanLink {
                trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".to_owned(),
                span_id: "00f067aa0ba902b7".to_owned(),
                attributes,
            }],
            resource: attributes_of(
                json!({"process.command_args": ["serve", "--password=hunter2"], "service.name": "billing"}),
            ),
            ..Span::default()
        }
    }

    fn attributes_of(value: Value) -> Attributes {
        serde_json::from_value(value).unwrap_or_default()
    }

    #[test]
    fn every_part_of_a_span_is_redacted_and_counted() {
        let mut span = span(json!({
            "db.password": 1234,
            "note": "key sk-abcdefghijklmnopqrstuvwx",
            "list": ["plain", "AKIAIOSFODNN7EXAMPLE"],
            "map": {"api_key": "x", "inner": "mail ops@example.com"},
            "count": 3,
        }));
        // Per attribute set: the secret key, the note, one list item, the nested key and the nested text; the
        // name, the status message and the resource's command line.
        assert_eq!(redact_wire_span(&Redactor::default(), &mut span), 3 + 3 * 5);
        let args = &span.resource["process.command_args"];
        assert!(args[1].as_str().is_some_and(|a| a.contains("[REDACTED") && !a.contains("hunter2")), "{args}");
        assert_eq!(span.resource["service.name"], "billing");
        assert_eq!(span.name, "call with token=[REDACTED:credential]");
        assert_eq!(span.status.message.as_deref(), Some("denied for [REDACTED:email]"));
        for attributes in [&span.attributes, &span.events[0].attributes, &span.links[0].attributes] {
            assert_eq!(attributes["db.password"], SECRET_KEY_MARK);
            assert_eq!(attributes["note"], "key [REDACTED:api_key]");
            assert_eq!(attributes["list"], json!(["plain", "[REDACTED:aws_access_key]"]));
            assert_eq!(attributes["map"], json!({"api_key": SECRET_KEY_MARK, "inner": "mail [REDACTED:email]"}));
            assert_eq!(attributes["count"], 3);
        }
        assert_eq!(redact_wire_span(&Redactor::default(), &mut span), 0, "redacting twice changes nothing");
    }

    #[test]
    fn a_number_that_fails_the_card_checksum_is_not_counted() {
        let mut span = span(json!({"order": "1234567812345678"}));
        span.name = "plain".to_owned();
        span.status.message = None;
        span.resource.clear();
        assert_eq!(redact_wire_span(&Redactor::default(), &mut span), 0);
        assert_eq!(span.attributes["order"], "1234567812345678");
    }
}
