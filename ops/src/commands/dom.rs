//! `dom.getText` (PROTOCOL.md §3.5): `innerText`, falling back to `textContent`, cut to `maxChars`.

use odb_protocol::limits::DEFAULT_DOM_MAX_CHARS;
use serde_json::{json, Value};

use crate::commands::Ctx;
use crate::errors::{invalid_request, CmdResult};
use crate::host::Host;

/// Returns `{text, truncated}` with at most `max` UTF-16 units of the element's text.
const GET_TEXT_FN: &str =
    "function(max) { const t = String(this.innerText || this.textContent || ''); \
    return { text: t.slice(0, max), truncated: t.length > max }; }";

/// `dom.getText {ref, maxChars=8000}` → `{text, truncated}`.
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; CDP failures.
pub async fn get_text<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let reference = ctx
        .str_arg("ref")
        .ok_or_else(|| invalid_request("Missing ref"))?;
    let max = ctx
        .u64_arg("maxChars")
        .unwrap_or(DEFAULT_DOM_MAX_CHARS as u64);
    let tab = ctx.target()?;
    let v = ctx
        .call_on_ref(tab, &reference, GET_TEXT_FN, vec![json!(max)])
        .await?;
    Ok(json!({
        "text": v.get("text").and_then(Value::as_str).unwrap_or(""),
        "truncated": v.get("truncated").and_then(Value::as_bool).unwrap_or(false),
    }))
}
