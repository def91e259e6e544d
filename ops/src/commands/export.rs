//! `export.clonePage` and `export.cloneComponent` (PROTOCOL.md §3.5) → `{capture:{html, styles, warnings,
//! inlineStyles}}`. The capture runs in the page through CDP (`Runtime.evaluate` on `document.body` for the page,
//! `Runtime.callFunctionOn` on the ref's node for a component) instead of `chrome.scripting` (declared
//! divergence: one transport for both modes). The page function is `export/capture.js`.
//!
//! What the capture holds (defaults as in the original: `sanitize` true, `maxNodes` 1000, `inlineStyles` true):
//! - `html`: the root's `outerHTML` (`<body>…</body>` for a page), cloned into an inert document so nothing in
//!   it loads or runs, cut to the first `maxNodes` elements in document order (a warning says how many were
//!   omitted). Shadow DOM is not captured (a warning counts the hosts).
//! - `inlineStyles`: each kept element gets a `style` attribute with its computed style, limited to
//!   `styleAllowlist` when given, otherwise every standard longhand except vendor-prefixed ones, the logical
//!   duplicates (`*-block-*`, `*-inline-*`, `border-start-end-radius`…) and the layout-sized `width`, `height`, `transform-origin`,
//!   `perspective-origin` (always resolved to used px, they would pin every element's size). A declaration is
//!   left out when its value is in `skipStyleValues`, equals the default for a fresh element of that kind
//!   (measured in a hidden about:blank frame added to the page for the duration of the capture), repeats the
//!   parent's value of an inherited property, or repeats the element's own `color` for a currentcolor-default
//!   `*-color` property. Defaults of links are measured on a link (`href` set), of inputs per `type`. The root keeps inherited values, so the capture is self-contained. (The original inlined only
//!   `styleAllowlist`, nothing when it was empty; this is a declared divergence.)
//! - `styles`: the root's full computed style (`styleAllowlist` only, when given), as in the original.
//! - `sanitize`: removes `script`, `iframe`, `object`, `embed`, `frame(set)`, `applet`, `base`, `link`, `meta`,
//!   `noscript`, `template`, `portal`; `on*` and `srcdoc` attributes; URL attributes holding `javascript:`,
//!   `vbscript:` or non-image `data:` URLs; and CSS declarations with `javascript:`, `vbscript:`, `expression(`,
//!   `-moz-binding` or `behavior:` (the original dropped any `url(`; http(s) images are kept here).

use serde_json::{json, Value};

use crate::commands::dialog::dialog_status;
use crate::commands::interact::required_ref;
use crate::commands::Ctx;
use crate::errors::{execution_failed, invalid_request, CmdResult};
use crate::host::{Host, TabId};
use crate::session::target_id;

/// The wire names this module implements.
pub const COMMANDS: &[&str] = &["export.clonePage", "export.cloneComponent"];

/// The page function `function(opts)` that captures `this` (see the module doc).
pub const CAPTURE_FN: &str = include_str!("export/capture.js");

/// Default cap on captured elements.
pub const DEFAULT_EXPORT_MAX_NODES: u64 = 1_000;

/// Runs `export.clonePage` or `export.cloneComponent`.
///
/// # Errors
/// See each command.
pub async fn run<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    match ctx.command.as_str() {
        "export.clonePage" => clone_page(ctx).await,
        "export.cloneComponent" => clone_component(ctx).await,
        other => Err(invalid_request(format!("Unknown ops command: {other}"))),
    }
}

/// A payload field that must be an array of strings when present; `[]` when absent or `null`.
fn string_list<H: Host>(ctx: &Ctx<H>, name: &str) -> CmdResult<Vec<String>> {
    match ctx.payload.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                invalid_request(format!("Invalid {name}: expected an array of strings"))
            }),
        Some(_) => Err(invalid_request(format!(
            "Invalid {name}: expected an array of strings"
        ))),
    }
}

/// A boolean payload field, `default` when absent or not a boolean.
fn flag<H: Host>(ctx: &Ctx<H>, name: &str, default: bool) -> bool {
    ctx.payload
        .get(name)
        .and_then(Value::as_bool)
        .unwrap_or(default)
}

/// The options object handed to [`CAPTURE_FN`]: `{sanitize, maxNodes, inlineStyles, styleAllowlist,
/// skipStyleValues}` with defaults applied (`maxNodes` at least 1).
///
/// # Errors
/// `invalid_request "Invalid styleAllowlist: …"` / `"Invalid skipStyleValues: …"`.
pub fn capture_options<H: Host>(ctx: &Ctx<H>) -> CmdResult<Value> {
    Ok(json!({
        "sanitize": flag(ctx, "sanitize", true),
        "maxNodes": ctx.u64_arg("maxNodes").unwrap_or(DEFAULT_EXPORT_MAX_NODES).max(1),
        "inlineStyles": flag(ctx, "inlineStyles", true),
        "styleAllowlist": string_list(ctx, "styleAllowlist")?,
        "skipStyleValues": string_list(ctx, "skipStyleValues")?,
    }))
}

/// Fails fast while a JavaScript dialog is open on `tab`: the page's renderer is paused and the capture would
/// only time out after 30 s (measured on Chromium 156).
///
/// # Errors
/// `execution_failed "A JavaScript dialog is open on tab-N; handle it with page.dialog before exporting."`.
fn refuse_under_dialog<H: Host>(ctx: &Ctx<H>, tab: TabId) -> CmdResult<()> {
    if dialog_status(&ctx.rt, tab)["open"] == true {
        return Err(execution_failed(format!(
            "A JavaScript dialog is open on {}; handle it with page.dialog before exporting.",
            target_id(tab)
        )));
    }
    Ok(())
}

/// `{capture}` out of the page function's value, checking its shape.
fn wrap_capture(value: Value) -> CmdResult {
    if value.get("html").and_then(Value::as_str).is_none() {
        return Err(execution_failed("Export capture returned no html"));
    }
    Ok(json!({ "capture": value }))
}

/// `export.clonePage {sanitize?, maxNodes?, inlineStyles?, styleAllowlist?, skipStyleValues?}` →
/// `{capture:{html, styles, warnings, inlineStyles}}` of `document.body` (the document element when there is
/// no body), with `Runtime.evaluate {returnByValue:true}`.
///
/// # Errors
/// `invalid_request` for malformed lists; `execution_failed` with the page's exception; CDP failures.
pub async fn clone_page<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let options = capture_options(ctx)?;
    let tab = ctx.target()?;
    refuse_under_dialog(ctx, tab)?;
    let expression =
        format!("({CAPTURE_FN}).call(document.body || document.documentElement, {options})");
    let answer = ctx
        .cdp(
            tab,
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        )
        .await?;
    if let Some(ex) = answer.get("exceptionDetails") {
        let text = ex
            .pointer("/exception/description")
            .and_then(Value::as_str)
            .or_else(|| ex.get("text").and_then(Value::as_str))
            .unwrap_or("Export capture threw");
        return Err(execution_failed(text.to_string()));
    }
    wrap_capture(
        answer
            .pointer("/result/value")
            .cloned()
            .unwrap_or(Value::Null),
    )
}

/// `export.cloneComponent {ref, …same options}` → `{capture}` of the ref's element and its subtree, with
/// `DOM.resolveNode` + `Runtime.callFunctionOn`.
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; malformed lists; page exceptions; CDP failures.
pub async fn clone_component<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let reference = required_ref(ctx)?;
    let options = capture_options(ctx)?;
    let tab = ctx.target()?;
    refuse_under_dialog(ctx, tab)?;
    let value = ctx
        .call_on_ref(tab, &reference, CAPTURE_FN, vec![options])
        .await?;
    wrap_capture(value)
}
