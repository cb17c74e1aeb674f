use super::*;

#[test]
fn built_in_rules_compile() {
    assert!(Redactor::builder().build().is_ok());
}

#[test]
fn replaces_secret_shapes() {
    let r = Redactor::default();
    let text = "key sk-live-4f9a8b7c6d5e4f3a2b1c0d9e for ops@example.com, Authorization: Bearer abc.def-ghi_123 \
                aws AKIAIOSFODNN7EXAMPLE jwt eyJhbGciOi.eyJzdWIiOi.SflKxwRJSM";
    let out = r.redact(text);
    for secret in ["sk-live", "ops@example.com", "abc.def-ghi_123", "AKIAIOSFODNN7EXAMPLE", "eyJhbGciOi"] {
        assert!(!out.contains(secret), "{secret} survived in {out}");
    }
    assert!(out.contains("[REDACTED:api_key]") && out.contains("[REDACTED:email]"));
    assert!(out.contains("[REDACTED:bearer]") && out.contains("[REDACTED:jwt]"));
}

#[test]
fn json_secret_fields_keep_their_key() {
    let r = Redactor::default();
    let out = r.redact(r#"{"user":"ann","password":"hunter2","db_password": "x y", "n": 1}"#);
    assert_eq!(
        out,
        r#"{"user":"ann","password":"[REDACTED:secret_field]","db_password": "[REDACTED:secret_field]", "n": 1}"#
    );
    // The same JSON inside a JSON string (a message that quotes a config).
    let nested = serde_json::to_string(r#"{"client_secret": "abc123"}"#).unwrap_or_default();
    assert!(!r.redact(&nested).contains("abc123"));
}

#[test]
fn credentials_in_text_and_urls() {
    let r = Redactor::default();
    let out = r.redact("login with password=hunter2 then GET /x?token=abcd1234&page=2");
    assert_eq!(out, "login with password=[REDACTED:credential] then GET /x?token=[REDACTED:credential]&page=2");
}

#[test]
fn card_numbers_need_a_valid_checksum() {
    let r = Redactor::default();
    assert_eq!(r.redact("card 4111 1111 1111 1111 ok"), "card [REDACTED:card_number] ok");
    assert_eq!(r.redact("order 1234567812345678"), "order 1234567812345678");
}

#[test]
fn plain_text_is_borrowed_unchanged() {
    assert!(matches!(Redactor::default().redact("nothing secret here"), Cow::Borrowed(_)));
}

#[test]
fn rules_are_extensible_and_removable() -> Result<(), RedactError> {
    let r = Redactor::builder().with_rule("ticket", r"\bTCK-\d{6}\b").without_rule("email").build()?;
    assert_eq!(r.redact("TCK-123456 from a@b.io"), "[REDACTED:ticket] from a@b.io");
    let bad = Redactor::builder().with_rule("broken", "(").build();
    assert!(matches!(bad, Err(RedactError::InvalidPattern { name, .. }) if name == "broken"));
    Ok(())
}

#[test]
fn secret_named_keys() -> Result<(), RedactError> {
    let r = Redactor::builder().with_secret_key("pin_code").build()?;
    for key in ["db.password", "http.request.header.authorization", "aws_secret_access_key", "user.PinCode"] {
        assert!(r.is_secret_key(key), "{key}");
    }
    for key in ["gen_ai.usage.input_tokens", "orcheo.node.id", "orcheo.token.high_usage"] {
        assert!(!r.is_secret_key(key), "{key}");
    }
    Ok(())
}

#[test]
fn preview_truncates_on_char_boundaries_after_redaction() -> Result<(), RedactError> {
    let r = Redactor::builder().with_preview_max_length(5).build()?;
    assert_eq!(r.preview("héllo wörld"), Preview { text: "héllo".to_owned(), truncated: true });
    assert_eq!(r.preview("short"), Preview { text: "short".to_owned(), truncated: false });
    let p = Redactor::builder().with_preview_max_length(12).build()?.preview("sk-abcdefghijklmnopqrstuvwxyz");
    assert_eq!(p.text, "[REDACTED:ap");
    Ok(())
}

mod spans {
    use opentelemetry::trace::Status;
    use opentelemetry::{KeyValue, StringValue, Value};
    use opentelemetry_sdk::trace::SpanData;

    use crate::redact::Redactor;
    use crate::redact::span::{SpanRedactor, redact_span};
    use crate::test_support::span_data;

    fn leaky() -> SpanData {
        let mut span = span_data(
            1,
            vec![
                KeyValue::new("db.password", "hunter2"),
                KeyValue::new("db.port", 5432),
                KeyValue::new("orcheo.node.id", "notify"),
                KeyValue::new("orcheo.prompt.preview", "mail ops@example.com about the quarterly numbers"),
                KeyValue::new(
                    "tags",
                    Value::Array(vec![StringValue::from("ok"), StringValue::from("token=abcd1234")].into()),
                ),
            ],
        );
        span.name = "call ops@example.com".into();
        span.status = Status::error("Bearer abcdefghijklmnop rejected");
        span
    }

    fn value(span: &SpanData, key: &str) -> String {
        span.attributes.iter().find(|kv| kv.key.as_str() == key).map(|kv| kv.value.to_string()).unwrap_or_default()
    }

    #[test]
    fn every_part_of_a_span_is_redacted_and_previews_cut() -> Result<(), crate::redact::RedactError> {
        let redactor = Redactor::builder().with_preview_max_length(20).build()?;
        let mut plain = leaky();
        redact_span(&redactor, &mut plain);
        assert_eq!(plain.name, "call [REDACTED:email]");
        assert_eq!(value(&plain, "db.password"), "[REDACTED:secret_key]");
        assert_eq!(value(&plain, "db.port"), "5432");
        assert_eq!(value(&plain, "orcheo.node.id"), "notify");
        assert_eq!(value(&plain, "orcheo.prompt.preview"), "mail [REDACTED:email");
        assert_eq!(value(&plain, "orcheo.prompt.truncated"), "true");
        assert_eq!(value(&plain, "tags"), r#"["ok","token=[REDACTED:credential]"]"#);
        assert_eq!(plain.status, Status::error("[REDACTED:bearer] rejected"));
        // The export thread's remembering redactor gives the same result, twice.
        let mut memo = SpanRedactor::new(redactor);
        for _ in 0..2 {
            let mut span = leaky();
            memo.redact_span(&mut span);
            assert_eq!(span.attributes, plain.attributes);
            assert_eq!((span.name.clone(), span.status.clone()), (plain.name.clone(), plain.status.clone()));
        }
        Ok(())
    }
}
