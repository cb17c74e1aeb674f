//! The built-in redaction rules: secret shapes that must never leave the process.

/// Words that make a key secret-named, compared without case, `_` or `-`.
pub(super) const SECRET_KEY_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "apikey",
    "accesstoken",
    "authtoken",
    "refreshtoken",
    "idtoken",
    "sessiontoken",
    "bearer",
    "authorization",
    "credential",
    "privatekey",
    "cookie",
    "accesskey",
];

/// The same words as a regex alternation that tolerates `_` and `-` between their parts.
const SECRET_KEY_PATTERN: &str = "pass(?:word|wd|phrase)|secret|api[_-]?key|(?:access|auth|refresh|id|session)[_-]?token|\
                                  bearer|authorization|credentials?|private[_-]?key|cookie|access[_-]?key";

/// A rule as declared: its name, pattern, and the replacement (`$name` groups allowed; `{}` is the marker).
pub(super) struct BuiltIn {
    pub name: &'static str,
    pub pattern: String,
    pub replacement: &'static str,
    pub validate: Option<fn(&str) -> bool>,
}

fn rule(name: &'static str, pattern: &str) -> BuiltIn {
    BuiltIn { name, pattern: pattern.to_owned(), replacement: "{}", validate: None }
}

/// The built-in rules. Word boundaries are ASCII (`(?-u:\b)`): secrets are ASCII, and ASCII boundaries keep the
/// regex engines on their fast paths.
pub(super) fn built_in() -> Vec<BuiltIn> {
    let mut rules = declared();
    for rule in &mut rules {
        rule.pattern = rule.pattern.replace(r"\b", r"(?-u:\b)");
    }
    rules
}

fn declared() -> Vec<BuiltIn> {
    vec![
        rule("private_key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
        // A secret-named key in JSON text, quotes escaped or not: the key stays, the string value goes.
        BuiltIn {
            name: "secret_field",
            pattern: format!(
                r#"(?i)(?P<key>\\?"[\w.-]*(?:{SECRET_KEY_PATTERN})[\w.-]*\\?"\s*:\s*)\\?"(?:[^"\\]|\\[^"])*\\?""#
            ),
            replacement: r#"${key}"{}""#,
            validate: None,
        },
        rule("jwt", r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}"),
        rule("bearer", r"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{8,}=*"),
        rule("basic_auth", r"(?i)\bbasic\s+[A-Za-z0-9+/]{12,}=*"),
        rule(
            "api_key",
            concat!(
                r"\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}", // OpenAI, Anthropic (sk-ant-…), generic
                r"|\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}", // Stripe
                r"|\bAIza[0-9A-Za-z_-]{35}",          // Google
                r"|\bgh[pousr]_[A-Za-z0-9]{36,}|\bgithub_pat_[A-Za-z0-9_]{22,}", // GitHub
                r"|\bxox[abprs]-[A-Za-z0-9-]{10,}",   // Slack
                r"|\bhf_[A-Za-z0-9]{30,}",            // Hugging Face
                r"|\bgsk_[A-Za-z0-9]{20,}"            // Groq
            ),
        ),
        rule("aws_access_key", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        BuiltIn {
            name: "aws_secret_key",
            pattern: r"(?i)(?P<key>aws_?secret_?access_?key\s*[=:]\s*)[A-Za-z0-9/+=]{40}".to_owned(),
            replacement: "${key}{}",
            validate: None,
        },
        // `password=…`, `api_key: …`, `token=…` in free text and URLs: the name stays, the value goes.
        BuiltIn {
            name: "credential",
            pattern: format!(
                r#"(?i)(?P<key>\b(?:{SECRET_KEY_PATTERN}|pwd|token|sig|signature)\s*[=:]\s*)[^\s"',;&\[][^\s"',;&]*"#
            ),
            replacement: "${key}{}",
            validate: None,
        },
        rule("email", r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"),
        BuiltIn {
            name: "card_number",
            pattern: r"\b(?:\d[ -]?){12,18}\d\b".to_owned(),
            replacement: "{}",
            validate: Some(luhn),
        },
    ]
}

/// The Luhn checksum every payment card number passes; most other digit runs do not.
pub(super) fn luhn(text: &str) -> bool {
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d })
        .sum();
    sum.is_multiple_of(10)
}
