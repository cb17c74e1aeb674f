//! The view's stylesheet (`trace_view.css`, then `compare.css`), adopted by the shadow root the view renders in. A
//! constructed sheet goes through the CSSOM, which a Content-Security-Policy without `'unsafe-inline'` allows where it
//! refuses a `<style>` element (docs/api.md, "Response headers"); one sheet serves every viewer on the page.

use std::cell::OnceCell;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::CssStyleSheet;

// The view's stylesheets (`trace_view.css`, `compare.css`) in one, with their comments and spare white space taken
// out by `build.rs`.
const STYLESHEET: &str = include_str!(concat!(env!("OUT_DIR"), "/trace_view.css"));

thread_local! {
    static SHEET: OnceCell<Result<CssStyleSheet, JsValue>> = const { OnceCell::new() };
}

/// Adds the view's stylesheet to the shadow root (or, outside one, the document) that holds `root`, once.
pub fn adopt(root: &web_sys::Element) -> Result<(), JsValue> {
    let sheet = SHEET.with(|sheet| sheet.get_or_init(build).clone())?;
    let scope = root.get_root_node();
    let adopted = match scope.dyn_ref::<web_sys::ShadowRoot>() {
        Some(shadow) => shadow.adopted_style_sheets(),
        None => {
            scope.dyn_ref::<web_sys::Document>().ok_or("the view's root is not in a document")?.adopted_style_sheets()
        }
    };
    if adopted.includes(&sheet, 0) {
        return Ok(());
    }
    // After the sheets already there (the element's host rules), as a `<style>` inside the root would have been.
    let sheets = js_sys::Array::from(&adopted);
    sheets.push(&sheet);
    // Through `Reflect` so that a refusal (a sheet from another document) is an error rather than an exception.
    js_sys::Reflect::set(&scope, &JsValue::from_str("adoptedStyleSheets"), &sheets)?;
    Ok(())
}

fn build() -> Result<CssStyleSheet, JsValue> {
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(STYLESHEET)?;
    Ok(sheet)
}
