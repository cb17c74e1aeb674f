//! Joins the view's stylesheets and shrinks them before they are embedded in the wasm: comments out, runs of white space made one
//! space, none around `{`, `}` and `;` (about 1.5 KB gzipped; docs/benchmarks.md, "Bundle size"). Nothing else is
//! touched, so selectors keep their meaning (`a :focus` is not `a:focus`); the stylesheets have no comment marker
//! or significant white space inside a string, which this relies on.

use std::path::PathBuf;
use std::{env, fs};

/// The stylesheets, in the order of the cascade.
const SOURCES: [&str; 2] = ["src/trace_view.css", "src/compare.css"];

fn main() {
    let mut css = String::new();
    for source in SOURCES {
        println!("cargo::rerun-if-changed={source}");
        css += &fs::read_to_string(source).unwrap_or_else(|error| panic!("reading trace-view/{source}: {error}"));
        css.push('\n');
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("trace_view.css");
    fs::write(out, minify(&css)).expect("OUT_DIR is writable");
}

fn minify(css: &str) -> String {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        let end = rest[start + 2..].find("*/").expect("every comment in the stylesheets is closed");
        rest = &rest[start + 2 + end + 2..];
    }
    text.push_str(rest);

    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let joins = |c: char| matches!(c, '{' | '}' | ';');
        if !out.is_empty() && !out.ends_with(joins) && !word.starts_with(joins) {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}
