//! Case folding for search, the attribute filter and type-ahead: Unicode's default lowercase mapping.
//!
//! ASCII is mapped here, which is most text and costs nothing more. Other text is mapped by the page's own
//! `String.prototype.toLowerCase` in the browser, which spares the view's wasm the standard library's case tables
//! (about 9 KB gzipped; docs/benchmarks.md, "Bundle size"), and by `str::to_lowercase` natively: both follow Unicode's
//! default case mapping.

/// `text` in lowercase.
pub fn lowercase(text: &str) -> String {
    if text.is_ascii() { text.to_ascii_lowercase() } else { unicode_lowercase(text) }
}

/// Appends the lowercase of `c` (one or more characters: `İ` becomes `i̇`) to `out`.
pub fn push_lowercase(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.push_str(&unicode_lowercase(c.encode_utf8(&mut [0; 4])));
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn unicode_lowercase(text: &str) -> String {
    String::from(js_sys::JsString::from(text).to_lower_case())
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn unicode_lowercase(text: &str) -> String {
    text.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_other_text_fold_as_unicode_says() {
        assert_eq!(lowercase("Node LOAD_Contacts 42"), "node load_contacts 42");
        assert_eq!(lowercase("ÉTAPE Ünïcode ΣΟΦΊΑ"), "étape ünïcode σοφία");
        assert_eq!(lowercase("İ"), "i\u{307}");
        for text in ["Straße", "ÀÉÎÕÜ", "Ǆ", "ΑΣ", "東京 Tokyo"] {
            assert_eq!(lowercase(text), text.to_lowercase(), "{text}");
        }
        let mut out = String::from("x");
        for c in "AÉİ".chars() {
            push_lowercase(&mut out, c);
        }
        assert_eq!(out, "xaéi\u{307}");
    }
}
