//! What a span says once its attributes are read: its effective kind, token usage, prompt and response text,
//! exceptions, and its attributes narrowed by a query.

use serde_json::Value;

use crate::case::lowercase;
use crate::conventions::{self, EXCEPTION_MESSAGE, EXCEPTION_STACKTRACE, EXCEPTION_TYPE, str_attr};
use crate::wire::{Attributes, Span, SpanKind};

/// AI spans: model calls and the tools they invoke.
pub fn is_ai(kind: SpanKind) -> bool {
    matches!(kind, SpanKind::Llm | SpanKind::Tool)
}

pub use conventions::{ModelText, Part, Role, Turn, prompt, response, span_kind, span_tokens};

/// The first `max_chars` characters of `text` when it is longer, cut on a character boundary.
pub fn preview(text: &str, max_chars: usize) -> Option<&str> {
    let (cut, _) = text.char_indices().nth(max_chars)?;
    Some(&text[..cut])
}

/// A value as text: strings as they are unless they hold a JSON object or array, everything else pretty-printed.
pub fn pretty(value: &Value) -> String {
    match value {
        Value::String(text) => {
            let trimmed = text.trim_start();
            if (trimmed.starts_with('{') || trimmed.starts_with('['))
                && let Ok(parsed) = serde_json::from_str::<Value>(text)
            {
                return pretty(&parsed);
            }
            text.clone()
        }
        other => serde_json::to_string_pretty(other).unwrap_or_else(|_| other.to_string()),
    }
}

/// An OpenTelemetry `exception` event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    /// Index of the event in the span.
    pub event: usize,
    pub kind: Option<String>,
    pub message: Option<String>,
    pub stacktrace: Option<String>,
}

pub fn exceptions(span: &Span) -> Vec<Exception> {
    let text = |attributes: &Attributes, key: &str| str_attr(attributes, key).map(str::to_owned);
    span.events
        .iter()
        .enumerate()
        .filter(|(_, event)| event.name == "exception")
        .map(|(event, e)| Exception {
            event,
            kind: text(&e.attributes, EXCEPTION_TYPE),
            message: text(&e.attributes, EXCEPTION_MESSAGE),
            stacktrace: text(&e.attributes, EXCEPTION_STACKTRACE),
        })
        .collect()
}

/// The attributes whose key or value contains `query` (case-insensitive); all of them for an empty query.
pub fn matching_attributes<'a>(attributes: &'a Attributes, query: &str) -> Vec<(&'a String, &'a Value)> {
    let query = lowercase(query.trim());
    attributes
        .iter()
        .filter(|(key, value)| {
            query.is_empty() || lowercase(key).contains(&query) || lowercase(&pretty(value)).contains(&query)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::tests::span;
    use crate::wire::SpanEvent;
    use serde_json::json;

    #[test]
    fn other_kind_is_classified_but_explicit_kind_is_kept() {
        let mut s = span("a", None, 0);
        s.name = "chat gpt".to_owned();
        assert_eq!(span_kind(&s), SpanKind::Llm);
        s.kind = SpanKind::Node;
        assert_eq!(span_kind(&s), SpanKind::Node);
        assert!(is_ai(SpanKind::Tool) && !is_ai(SpanKind::Http));
    }

    #[test]
    fn preview_cuts_on_character_boundaries_only_when_longer() {
        assert_eq!(preview("héllo", 2), Some("hé"));
        assert_eq!(preview("héllo", 5), None);
        assert_eq!(preview("", 0), None);
    }

    #[test]
    fn pretty_keeps_plain_strings_and_formats_json() {
        assert_eq!(pretty(&json!("{not json")), "{not json");
        assert_eq!(pretty(&json!(3)), "3");
        assert_eq!(pretty(&json!({"a": 1})), "{\n  \"a\": 1\n}");
    }

    #[test]
    fn exceptions_are_read_from_exception_events() {
        let mut s = span("a", None, 0);
        let event =
            |name: &str, attributes: Attributes| SpanEvent { name: name.to_owned(), time: s.start_time, attributes };
        let mut attrs = Attributes::new();
        attrs.insert("exception.type".to_owned(), json!("ValueError"));
        attrs.insert("exception.stacktrace".to_owned(), json!("line 1\nline 2"));
        s.events = vec![event("retry", Attributes::new()), event("exception", attrs)];
        let found = exceptions(&s);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].event, found[0].kind.as_deref()), (1, Some("ValueError")));
        assert_eq!(found[0].message, None);
        assert_eq!(found[0].stacktrace.as_deref(), Some("line 1\nline 2"));
    }

    #[test]
    fn attribute_query_matches_keys_and_values_case_insensitively() {
        let mut attrs = Attributes::new();
        attrs.insert("http.url".to_owned(), json!("https://Example.com"));
        attrs.insert("retries".to_owned(), json!(3));
        let keys = |q: &str| matching_attributes(&attrs, q).into_iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>();
        assert_eq!(keys(""), ["http.url", "retries"]);
        assert_eq!(keys("EXAMPLE"), ["http.url"]);
        assert_eq!(keys("retr"), ["retries"]);
        assert_eq!(keys("3"), ["retries"]);
        assert!(keys("nothing").is_empty());
    }
}
