//! Text Postgres cannot hold: U+0000 is refused in TEXT and in JSONB strings, yet senders put it in span names,
//! attribute keys and values, event names and status messages (and a token's subject may hold it, for the audit
//! trail). On Postgres such text is stored escaped and unescaped when read, so it comes back as it was sent
//! (docs/api.md, "Text with U+0000").
//!
//! The escape is the noncharacter U+FDD0, reserved for a program's internal use: U+0000 is stored as U+FDD0 `0`
//! and U+FDD0 itself as U+FDD0 U+FDD0, so that every text has exactly one stored form. SQLite stores text as it is.

use std::borrow::Cow;

/// The escape character.
const ESCAPE: char = '\u{FDD0}';
/// How JSON writes U+0000 (serde_json and Postgres both write this form).
const JSON_NUL: &str = "\\u0000";

/// A plain text as stored on Postgres.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    if !text.contains(['\0', ESCAPE]) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\0' => {
                out.push(ESCAPE);
                out.push('0');
            }
            ESCAPE => {
                out.push(ESCAPE);
                out.push(ESCAPE);
            }
            other => out.push(other),
        }
    }
    Cow::Owned(out)
}

/// A JSON document (as serde_json writes it) as stored on Postgres: each `\u0000` escape in its strings, and each
/// U+FDD0, escaped as in [`escape_text`]. Backslash pairs are skipped whole, so `\\u0000` (a backslash, then the
/// text `u0000`) stays as it is.
pub fn escape_json(json: &str) -> Cow<'_, str> {
    if !json.contains(JSON_NUL) && !json.contains(ESCAPE) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 8);
    let mut rest = json;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix(JSON_NUL) {
            out.push(ESCAPE);
            out.push('0');
            rest = after;
            continue;
        }
        let mut taken = c.len_utf8();
        match c {
            // An escape sequence other than `\u0000`: its second character is copied with it, so the backslash of
            // `\\` never starts another sequence.
            '\\' => {
                out.push('\\');
                if let Some(next) = rest[1..].chars().next() {
                    out.push(next);
                    taken += next.len_utf8();
                }
            }
            ESCAPE => {
                out.push(ESCAPE);
                out.push(ESCAPE);
            }
            other => out.push(other),
        }
        rest = &rest[taken..];
    }
    Cow::Owned(out)
}

/// A stored plain text as it was sent.
pub fn unescape_text(stored: &str) -> Cow<'_, str> {
    unescape(stored, "\0")
}

/// Stored JSON (one document, or many joined) as it was sent: `\u0000` where U+0000 was. U+FDD0 occurs in stored
/// JSON only inside strings, so the text can be unescaped without parsing it.
pub fn unescape_json(stored: &str) -> Cow<'_, str> {
    unescape(stored, JSON_NUL)
}

fn unescape<'a>(stored: &'a str, nul: &str) -> Cow<'a, str> {
    if !stored.contains(ESCAPE) {
        return Cow::Borrowed(stored);
    }
    let mut out = String::with_capacity(stored.len());
    let mut chars = stored.chars();
    while let Some(c) = chars.next() {
        if c != ESCAPE {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('0') => out.push_str(nul),
            Some(ESCAPE) => out.push(ESCAPE),
            // Not written by this module (a lone U+FDD0 stored before escaping existed): kept as it is.
            Some(other) => {
                out.push(ESCAPE);
                out.push(other);
            }
            None => out.push(ESCAPE),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_round_trips_and_holds_no_nul() {
        for text in ["", "plain", "a\0b", "\0", "\u{FDD0}", "\u{FDD0}0", "x\u{FDD0}\0\u{FDD0}\u{FDD0}0\0"] {
            let stored = escape_text(text);
            assert!(!stored.contains('\0'), "{text:?}");
            assert_eq!(unescape_text(&stored), text, "{text:?}");
        }
        assert!(matches!(escape_text("plain"), Cow::Borrowed(_)));
    }

    fn has_nul(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::String(text) => text.contains('\0'),
            serde_json::Value::Array(items) => items.iter().any(has_nul),
            serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
            _ => false,
        }
    }

    #[test]
    fn json_round_trips_through_its_strings() -> Result<(), serde_json::Error> {
        let values = [
            serde_json::json!({"name": "a\0b", "k\0ey": ["\0", "\\u0000", "\\\0", "\u{FDD0}0", "\u{FDD0}\0"]}),
            serde_json::json!({"plain": "no nul at all", "n": 1}),
            serde_json::json!(["\\", "\\\\u0000\0"]),
        ];
        for value in values {
            let json = serde_json::to_string(&value)?;
            let stored = escape_json(&json);
            assert!(!has_nul(&serde_json::from_str(&stored)?), "{stored}");
            let back: serde_json::Value = serde_json::from_str(&unescape_json(&stored))?;
            assert_eq!(back, value);
        }
        Ok(())
    }

    #[test]
    fn different_texts_are_stored_differently() {
        let texts = ["a\0", "a\u{FDD0}0", "a\u{FDD0}\u{FDD0}", "a\u{FDD0}\0"];
        let stored: std::collections::BTreeSet<String> = texts.iter().map(|t| escape_text(t).into_owned()).collect();
        assert_eq!(stored.len(), texts.len());
    }
}
