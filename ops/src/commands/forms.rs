//! `interact.check`, `interact.uncheck` and `interact.select` (PROTOCOL.md §3.5): form controls, clicked with
//! real input where that works, with the original's property assignment as the fallback.

use serde_json::{json, Value};

use crate::commands::dom::IS_CHECKED_FN;
use crate::commands::interact::required_ref;
use crate::commands::Ctx;
use crate::errors::{invalid_request, CmdResult};
use crate::host::Host;

/// Sets `.checked` of a checkbox or radio input (otherwise `aria-checked`) to `want`, then fires bubbling
/// `input` and `change`.
const SET_CHECKED_FN: &str = "function(want) { const t = String(this.type || '').toLowerCase(); \
    if ((this.tagName || '').toLowerCase() === 'input' && (t === 'checkbox' || t === 'radio')) \
    this.checked = want; else this.setAttribute('aria-checked', want ? 'true' : 'false'); \
    this.dispatchEvent(new Event('input', { bubbles: true })); \
    this.dispatchEvent(new Event('change', { bubbles: true })); }";

/// On a `<select>`, selects the options whose value or trimmed visible text equals one of `values` (only the
/// first match of a single select) and deselects the rest, then fires bubbling `input` and `change`.
/// Returns `{notSelect:true}`, `{missing:[…]}` (nothing changed) or `{selected:[values]}`.
const SELECT_FN: &str = "function(values) { \
    if ((this.tagName || '').toLowerCase() !== 'select') return { notSelect: true }; \
    const opts = Array.from(this.options); \
    const hit = (o, v) => o.value === v || String(o.text || '').trim() === v.trim(); \
    const missing = values.filter(v => !opts.some(o => hit(o, v))); \
    if (missing.length) return { missing }; \
    let picked = opts.filter(o => values.some(v => hit(o, v))); \
    if (!this.multiple) { const first = opts.find(o => hit(o, values[0])); picked = [first]; } \
    for (const o of opts) o.selected = picked.includes(o); \
    this.dispatchEvent(new Event('input', { bubbles: true })); \
    this.dispatchEvent(new Event('change', { bubbles: true })); \
    return { selected: opts.filter(o => o.selected).map(o => o.value) }; }";

/// `interact.check {ref}` → `{timingMs}` (see [`set_checked`]).
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; CDP failures.
pub async fn check<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    set_checked(ctx, true).await
}

/// `interact.uncheck {ref}` → `{timingMs}` (see [`set_checked`]).
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; CDP failures.
pub async fn uncheck<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    set_checked(ctx, false).await
}

/// When the checked state (as `dom.isChecked`) differs from `want`: a real click at the element's centre
/// (skipped when it has no layout box), then, if the state is still wrong, assignment of `.checked` (or
/// `aria-checked`) with `input` and `change` events. Result `{timingMs}`.
async fn set_checked<H: Host>(ctx: &Ctx<H>, want: bool) -> CmdResult {
    let reference = required_ref(ctx)?;
    let tab = ctx.target()?;
    let is_checked = || async {
        let v = ctx
            .call_on_ref(tab, &reference, IS_CHECKED_FN, Vec::new())
            .await?;
        CmdResult::Ok(v.as_bool().unwrap_or(false))
    };
    if is_checked().await? != want {
        let point = ctx.locate_ref(tab, &reference).await?;
        if point.has_box {
            ctx.mouse_click(tab, point.x, point.y).await?;
        }
        if !point.has_box || is_checked().await? != want {
            ctx.call_on_ref(tab, &reference, SET_CHECKED_FN, vec![json!(want)])
                .await?;
        }
    }
    Ok(json!({ "timingMs": ctx.elapsed_ms() }))
}

/// `interact.select {ref, values:[string]}` → `{selected:[values]}`: the `value`s of the options selected
/// afterwards (PROTOCOL.md gives `{}`; `selected` is an addition). See [`SELECT_FN`] for the matching.
///
/// # Errors
/// `invalid_request` for a missing ref, missing or non-string `values`, a non-`<select>` element
/// (`"Element is not a <select>"`) or unmatched values (`"No option matches: a, b"`); the stale-ref error.
pub async fn select<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let reference = required_ref(ctx)?;
    let values: Vec<String> = ctx
        .payload
        .get("values")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect())
        .ok_or_else(|| invalid_request("Missing values"))?;
    let tab = ctx.target()?;
    let v = ctx
        .call_on_ref(tab, &reference, SELECT_FN, vec![json!(values)])
        .await?;
    if v.get("notSelect").and_then(Value::as_bool) == Some(true) {
        return Err(invalid_request("Element is not a <select>"));
    }
    if let Some(missing) = v.get("missing").and_then(Value::as_array) {
        let names: Vec<&str> = missing.iter().filter_map(Value::as_str).collect();
        return Err(invalid_request(format!(
            "No option matches: {}",
            names.join(", ")
        )));
    }
    let selected = v.get("selected").cloned().unwrap_or_else(|| json!([]));
    Ok(json!({ "selected": selected }))
}
