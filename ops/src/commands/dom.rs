//! `dom.*` reads on a ref (PROTOCOL.md §3.5): text, HTML, attribute, value, visibility, enabled, checked, point.

use odb_protocol::limits::DEFAULT_DOM_MAX_CHARS;
use serde_json::{json, Value};

use crate::commands::interact::required_ref;
use crate::commands::Ctx;
use crate::errors::{invalid_request, CmdResult};
use crate::host::Host;

/// Returns `{text, truncated}` with at most `max` UTF-16 units of the element's text.
const GET_TEXT_FN: &str =
    "function(max) { const t = String(this.innerText || this.textContent || ''); \
    return { text: t.slice(0, max), truncated: t.length > max }; }";

/// Returns `{html, truncated}` with at most `max` UTF-16 units of the element's `outerHTML`.
const GET_HTML_FN: &str = "function(max) { const h = String(this.outerHTML || ''); \
    return { html: h.slice(0, max), truncated: h.length > max }; }";

/// The attribute `name`, or `null` when absent.
const GET_ATTR_FN: &str = "function(name) { return this.getAttribute(name); }";

/// The element's `value` property as a string, or `null` when it has none.
const GET_VALUE_FN: &str =
    "function() { if (!('value' in this) || this.value == null) return null; \
    return String(this.value); }";

/// Visible: not `display:none`, not `visibility:hidden`, not `opacity:0`, and a non-empty client rect.
const IS_VISIBLE_FN: &str = "function() { const view = this.ownerDocument.defaultView; \
    const s = view.getComputedStyle(this); \
    if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false; \
    const r = this.getBoundingClientRect(); return r.width > 0 && r.height > 0; }";

/// Enabled: no `disabled` attribute and `aria-disabled` is not `"true"`.
const IS_ENABLED_FN: &str = "function() { return !this.hasAttribute('disabled') && \
    this.getAttribute('aria-disabled') !== 'true'; }";

/// Checked: the `checked` property of a checkbox or radio input, otherwise `aria-checked == "true"`.
pub(crate) const IS_CHECKED_FN: &str =
    "function() { const t = String(this.type || '').toLowerCase(); \
    if ((this.tagName || '').toLowerCase() === 'input' && (t === 'checkbox' || t === 'radio')) \
    return !!this.checked; return this.getAttribute('aria-checked') === 'true'; }";

/// Runs `function` with `args` on the payload's `ref` in the request's target.
async fn on_ref<H: Host>(ctx: &Ctx<H>, function: &str, args: Vec<Value>) -> CmdResult {
    let reference = required_ref(ctx)?;
    let tab = ctx.target()?;
    ctx.call_on_ref(tab, &reference, function, args).await
}

/// `payload.maxChars`, default 8000.
fn max_chars<H: Host>(ctx: &Ctx<H>) -> u64 {
    ctx.u64_arg("maxChars")
        .unwrap_or(DEFAULT_DOM_MAX_CHARS as u64)
}

/// `{<key>: <string>, truncated}` out of a `{<field>, truncated}` page answer.
fn cut(v: &Value, field: &str, key: &str) -> Value {
    json!({
        key: v.get(field).and_then(Value::as_str).unwrap_or(""),
        "truncated": v.get("truncated").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// `dom.getText {ref, maxChars=8000}` → `{text, truncated}`.
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; CDP failures.
pub async fn get_text<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let v = on_ref(ctx, GET_TEXT_FN, vec![json!(max_chars(ctx))]).await?;
    Ok(cut(&v, "text", "text"))
}

/// `dom.getHtml {ref, maxChars=8000}` → `{outerHTML, truncated}` (at most `maxChars` UTF-16 units).
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; CDP failures.
pub async fn get_html<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let v = on_ref(ctx, GET_HTML_FN, vec![json!(max_chars(ctx))]).await?;
    Ok(cut(&v, "html", "outerHTML"))
}

/// `dom.getAttr {ref, name}` → `{value}`: the attribute's string, or `null` when absent.
///
/// # Errors
/// `invalid_request "Missing ref"` / `"Missing name"`; the stale-ref error; CDP failures.
pub async fn get_attr<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    required_ref(ctx)?; // a missing ref is reported before a missing name
    let name = ctx
        .str_arg("name")
        .ok_or_else(|| invalid_request("Missing name"))?;
    let v = on_ref(ctx, GET_ATTR_FN, vec![json!(name)]).await?;
    Ok(json!({ "value": v.as_str() }))
}

/// `dom.getValue {ref}` → `{value}`: the `value` property as a string, or `null`.
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; CDP failures.
pub async fn get_value<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let v = on_ref(ctx, GET_VALUE_FN, Vec::new()).await?;
    Ok(json!({ "value": v.as_str() }))
}

/// `{value: bool}` out of a boolean page function.
async fn flag<H: Host>(ctx: &Ctx<H>, function: &str) -> CmdResult {
    let v = on_ref(ctx, function, Vec::new()).await?;
    Ok(json!({ "value": v.as_bool().unwrap_or(false) }))
}

/// `dom.isVisible {ref}` → `{value}` (see [`IS_VISIBLE_FN`]).
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; CDP failures.
pub async fn is_visible<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    flag(ctx, IS_VISIBLE_FN).await
}

/// `dom.isEnabled {ref}` → `{value}`: no `disabled` attribute and `aria-disabled != "true"`.
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; CDP failures.
pub async fn is_enabled<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    flag(ctx, IS_ENABLED_FN).await
}

/// `dom.isChecked {ref}` → `{value}`: `.checked` of a checkbox/radio, else `aria-checked == "true"`.
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; CDP failures.
pub async fn is_checked<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    flag(ctx, IS_CHECKED_FN).await
}

/// `dom.refPoint {ref}` → `{x, y}`: CSS px in the viewport of the element's centre after scrolling it into
/// view (the point `interact.click` would use).
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; `execution_failed` when the element has no box.
pub async fn ref_point<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let reference = required_ref(ctx)?;
    let tab = ctx.target()?;
    let p = ctx.locate_ref(tab, &reference).await?;
    Ok(json!({ "x": p.x, "y": p.y }))
}
