//! Redaction of secret-shaped text and truncation of previews. The tracer applies it before a value is put on a
//! span, so no exporter ever sees the raw text.

use std::borrow::Cow;

use regex::Regex;

/// Default length of prompt and response previews, in characters.
pub const DEFAULT_PREVIEW_MAX_LENGTH: usize = 512;

#[derive(Debug, Clone)]
struct Rule {
    name: &'static str,
    pattern: Regex,
}

/// Replaces every match of its rules with `[REDACTED:<rule>]`.
#[derive(Debug, Clone)]
pub struct Redactor {
    rules: Vec<Rule>,
    preview_max_length: usize,
}

/// A redacted, possibly truncated, preview of a longer text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub text: String,
    pub truncated: bool,
}

const BUILT_IN_RULES: [(&str, &str); 5] = [
    ("private_key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
    ("jwt", r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"),
    ("bearer", r"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{8,}=*"),
    ("api_key", r"\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}|\bAKIA[0-9A-Z]{16}\b"),
    ("email", r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"),
];

impl Default for Redactor {
    fn default() -> Self {
        Self::new(DEFAULT_PREVIEW_MAX_LENGTH)
    }
}

impl Redactor {
    pub fn new(preview_max_length: usize) -> Self {
        let rules = BUILT_IN_RULES
            .iter()
            .filter_map(|(name, pattern)| Regex::new(pattern).ok().map(|pattern| Rule { name, pattern }))
            .collect();
        Self { rules, preview_max_length }
    }

    /// The text with every secret-shaped part replaced.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for rule in &self.rules {
            if rule.pattern.is_match(&out) {
                let replacement = format!("[REDACTED:{}]", rule.name);
                out = Cow::Owned(rule.pattern.replace_all(&out, replacement.as_str()).into_owned());
            }
        }
        out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_rule_compiles() {
        assert_eq!(Redactor::default().rules.len(), BUILT_IN_RULES.len());
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
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(Redactor::default().redact("nothing secret here"), Cow::Borrowed(_)));
    }

    #[test]
    fn preview_truncates_on_char_boundaries_after_redaction() {
        let r = Redactor::new(5);
        assert_eq!(r.preview("héllo wörld"), Preview { text: "héllo".to_owned(), truncated: true });
        assert_eq!(r.preview("short"), Preview { text: "short".to_owned(), truncated: false });
        let p = Redactor::new(12).preview("sk-abcdefghijklmnopqrstuvwxyz");
        assert_eq!(p.text, "[REDACTED:ap");
    }
}
