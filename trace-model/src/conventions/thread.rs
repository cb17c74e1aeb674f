//! The conversation thread a run belongs to: runs that share one are shown as one timeline (docs/trace-view.md,
//! "Threads").

use crate::wire::Span;

use super::names::{EXECUTION_THREAD_ID, GEN_AI_CONVERSATION_ID, SESSION_ID};
use super::str_attr;

/// The names a thread id is read from, first match wins: Orcheo's own, OpenInference's session (LangGraph's
/// `thread_id` through the LangChain instrumentor), the GenAI conversation.
pub const THREAD_ID_NAMES: [&str; 3] = [EXECUTION_THREAD_ID, SESSION_ID, GEN_AI_CONVERSATION_ID];

/// The thread id a span declares, on itself or on its resource; blank values are no id.
pub fn thread_id(span: &Span) -> Option<&str> {
    THREAD_ID_NAMES.iter().find_map(|name| {
        [&span.attributes, &span.resource]
            .into_iter()
            .find_map(|attributes| str_attr(attributes, name).map(str::trim).filter(|id| !id.is_empty()))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::conventions::tests::attrs;

    fn span(attributes: &[(&str, Value)], resource: &[(&str, Value)]) -> Span {
        Span { attributes: attrs(attributes), resource: attrs(resource), ..Span::default() }
    }

    #[test]
    fn each_convention_is_read() {
        for name in THREAD_ID_NAMES {
            assert_eq!(thread_id(&span(&[(name, json!("t-1"))], &[])), Some("t-1"), "{name}");
            assert_eq!(thread_id(&span(&[], &[(name, json!("t-2"))])), Some("t-2"), "{name} on the resource");
        }
    }

    #[test]
    fn orcheo_wins_then_session_then_conversation() {
        let all = [
            (GEN_AI_CONVERSATION_ID, json!("conversation")),
            (SESSION_ID, json!("session")),
            (EXECUTION_THREAD_ID, json!("orcheo")),
        ];
        assert_eq!(thread_id(&span(&all, &[])), Some("orcheo"));
        assert_eq!(thread_id(&span(&all[..2], &[])), Some("session"));
        assert_eq!(thread_id(&span(&all[..1], &[])), Some("conversation"));
        // An earlier name on the resource beats a later one on the span.
        assert_eq!(thread_id(&span(&all[..1], &all[2..])), Some("orcheo"));
    }

    #[test]
    fn blank_and_non_text_values_are_no_id() {
        assert_eq!(thread_id(&span(&[], &[])), None);
        assert_eq!(thread_id(&span(&[(EXECUTION_THREAD_ID, json!("  "))], &[])), None);
        assert_eq!(thread_id(&span(&[(SESSION_ID, json!(42))], &[])), None);
        let blank_first = [(EXECUTION_THREAD_ID, json!("")), (SESSION_ID, json!(" s-1 "))];
        assert_eq!(thread_id(&span(&blank_first, &[])), Some("s-1"));
    }
}
