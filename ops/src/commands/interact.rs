//! `interact.click`, `.hover`, `.type`, `.press`, `.scroll`, `.scrollIntoView` (PROTOCOL.md §3.5) with
//! real, trusted input: CDP mouse and wheel events at the element's box centre, `Input.insertText` and key
//! events (typing and hover are declared divergences: the original assigned `.value` and sent synthetic
//! hover events).

use odb_protocol::error::ErrorCode;
use serde_json::{json, Value};

use crate::commands::keys::{key_def, key_events};
use crate::commands::Ctx;
use crate::errors::{execution_failed, invalid_request, CmdResult};
use crate::host::{Host, TabId};

/// Scrolls the element into view with the alignment it is given (`'center'`, or `'nearest'` inside an
/// out-of-process iframe: `Ctx::scroll_ref_into_view`) and returns the centre and size of its client rect
/// `{x, y, w, h}`.
const SCROLL_FN: &str = "function(block) { this.scrollIntoView({ block: block, inline: block, \
    behavior: 'instant' }); const r = this.getBoundingClientRect(); \
    return { x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height }; }";

/// Where to point at an element, in CSS px of the viewport.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ElementPoint {
    /// Horizontal centre.
    pub x: f64,
    /// Vertical centre.
    pub y: f64,
    /// False when the element has no layout box (no box model and an empty client rect): a click there
    /// would hit whatever lies beneath.
    pub has_box: bool,
}

/// Focuses the element if needed, then prepares the caret: with `clear` selects all of its content, otherwise
/// puts the caret at the end. Returns `"select"`, `"text"` or `"other"`.
const PREPARE_TYPING_FN: &str = "function(clear) { const doc = this.ownerDocument; \
    if (doc.activeElement !== this && typeof this.focus === 'function') this.focus(); \
    const tag = (this.tagName || '').toLowerCase(); if (tag === 'select') return 'select'; \
    if (tag === 'input' || tag === 'textarea') { if (clear) { this.select(); } else { \
    try { const n = this.value.length; this.setSelectionRange(n, n); } catch (e) {} } return 'text'; } \
    if (this.isContentEditable) { const range = doc.createRange(); range.selectNodeContents(this); \
    if (!clear) range.collapse(false); const sel = doc.getSelection(); sel.removeAllRanges(); \
    sel.addRange(range); return 'text'; } return 'other'; }";

/// Sets a `<select>`'s value and fires `input` and `change` (keystrokes cannot pick an option reliably).
const SELECT_VALUE_FN: &str = "function(v) { this.value = v; \
    this.dispatchEvent(new Event('input', { bubbles: true })); \
    this.dispatchEvent(new Event('change', { bubbles: true })); }";

pub(crate) fn required_ref<H: Host>(ctx: &Ctx<H>) -> CmdResult<String> {
    ctx.str_arg("ref")
        .ok_or_else(|| invalid_request("Missing ref"))
}

/// The centre of a CDP quad `[x1,y1,…,x4,y4]`.
pub fn quad_center(quad: &[Value]) -> Option<(f64, f64)> {
    let nums: Vec<f64> = quad.iter().filter_map(Value::as_f64).collect();
    if nums.len() != 8 {
        return None;
    }
    let x = nums.iter().step_by(2).sum::<f64>() / 4.0;
    let y = nums.iter().skip(1).step_by(2).sum::<f64>() / 4.0;
    Some((x, y))
}

impl<H: Host> Ctx<H> {
    /// Focuses the element of `reference` with `DOM.focus`; a non-focusable element is left to the page.
    async fn focus_ref(&self, tab: TabId, reference: &str) -> CmdResult<()> {
        let backend = self.ref_node(tab, reference)?;
        match self
            .cdp_ref(
                tab,
                reference,
                "DOM.focus",
                json!({ "backendNodeId": backend }),
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.code == ErrorCode::ExecutionFailed => {
                self.call_on_ref(
                    tab,
                    reference,
                    "function() { if (this.focus) this.focus(); }",
                    Vec::new(),
                )
                .await?;
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Scrolls the element of `reference` to the viewport centre and returns where to point at it, in CSS px
    /// of the viewport: the centre of its `DOM.getBoxModel` content quad, else of its client rect.
    ///
    /// # Errors
    /// The stale-ref error; `execution_failed "Element has no box to click."` when neither is known.
    pub(crate) async fn locate_ref(&self, tab: TabId, reference: &str) -> CmdResult<ElementPoint> {
        let (rect, frame) = self.scroll_ref_into_view(tab, reference, SCROLL_FN).await?;
        let backend = self.ref_node(tab, reference)?;
        let box_center = match self
            .cdp_ref(
                tab,
                reference,
                "DOM.getBoxModel",
                json!({ "backendNodeId": backend }),
            )
            .await
        {
            Ok(model) => model
                .pointer("/model/content")
                .and_then(Value::as_array)
                .and_then(|q| quad_center(q)),
            Err(e) if e.code == ErrorCode::InvalidRequest => return Err(e),
            Err(_) => None,
        };
        // An element in an out-of-process iframe is measured in that frame's viewport.
        let (dx, dy) = match &frame {
            Some(frame) => self.settled_frame_offset(tab, frame).await?,
            None => (0.0, 0.0),
        };
        if let Some((x, y)) = box_center {
            return Ok(ElementPoint {
                x: x + dx,
                y: y + dy,
                has_box: true,
            });
        }
        let num = |k: &str| rect.get(k).and_then(Value::as_f64);
        let (x, y) = num("x")
            .zip(num("y"))
            .ok_or_else(|| execution_failed("Element has no box to click."))?;
        let empty = num("w") == Some(0.0) || num("h") == Some(0.0);
        Ok(ElementPoint {
            x: x + dx,
            y: y + dy,
            has_box: !empty,
        })
    }

    /// A real left click at `(x, y)` (CSS px of the viewport): `mouseMoved`, `mousePressed`, `mouseReleased`.
    pub(crate) async fn mouse_click(&self, tab: TabId, x: f64, y: f64) -> CmdResult<()> {
        for (kind, extra) in [
            ("mouseMoved", json!({})),
            ("mousePressed", json!({ "button": "left", "clickCount": 1 })),
            (
                "mouseReleased",
                json!({ "button": "left", "clickCount": 1 }),
            ),
        ] {
            let mut params = json!({ "type": kind, "x": x, "y": y });
            if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
                p.extend(e.clone());
            }
            self.cdp(tab, "Input.dispatchMouseEvent", params).await?;
        }
        Ok(())
    }

    /// Presses and releases `key` on `tab` (the focused element receives it).
    async fn press_key(&self, tab: TabId, key: &str) -> CmdResult<()> {
        for event in key_events(&key_def(key)) {
            self.cdp(tab, "Input.dispatchKeyEvent", event).await?;
        }
        Ok(())
    }
}

/// `interact.click {ref}` → `{timingMs, navigated}`: scroll into view, then `mouseMoved`, `mousePressed`,
/// `mouseReleased` at the centre of the `DOM.getBoxModel` content quad (fallback: the client rect centre).
/// `navigated` is true when the tab URL changed.
///
/// # Errors
/// The stale-ref error; CDP failures.
pub async fn click<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let reference = required_ref(ctx)?;
    let tab = ctx.target()?;
    let before = ctx.tab_info(tab).await.map(|i| i.url).unwrap_or_default();
    let point = ctx.locate_ref(tab, &reference).await?;
    ctx.mouse_click(tab, point.x, point.y).await?;
    let after = ctx.tab_info(tab).await.map(|i| i.url).unwrap_or_default();
    Ok(json!({ "timingMs": ctx.elapsed_ms(), "navigated": !after.is_empty() && after != before }))
}

/// `interact.hover {ref}` → `{timingMs}`: scroll into view, then one real `mouseMoved` at the element's centre
/// (declared divergence: the original dispatched synthetic `mouseenter`/`mouseover`/`mousemove`).
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; CDP failures.
pub async fn hover<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let reference = required_ref(ctx)?;
    let tab = ctx.target()?;
    let point = ctx.locate_ref(tab, &reference).await?;
    let params = json!({ "type": "mouseMoved", "x": point.x, "y": point.y });
    ctx.cdp(tab, "Input.dispatchMouseEvent", params).await?;
    Ok(json!({ "timingMs": ctx.elapsed_ms() }))
}

/// `interact.scrollIntoView {ref}` → `{timingMs}`: `scrollIntoView({block:'center', inline:'center'})`.
///
/// # Errors
/// `invalid_request "Missing ref"`; the stale-ref error; CDP failures.
pub async fn scroll_into_view<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let reference = required_ref(ctx)?;
    let tab = ctx.target()?;
    ctx.scroll_ref_into_view(tab, &reference, SCROLL_FN).await?;
    Ok(json!({ "timingMs": ctx.elapsed_ms() }))
}

/// `interact.scroll {dy, ref?}` → `{}`: one real `mouseWheel {deltaX:0, deltaY:dy}` (CSS px) at the element's
/// centre (after scrolling it into view) or, without `ref`, at the centre of the CSS layout viewport.
///
/// # Errors
/// `invalid_request "Missing dy"` (absent or not a finite number); the stale-ref error; CDP failures.
pub async fn scroll<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let dy = ctx
        .payload
        .get("dy")
        .and_then(Value::as_f64)
        .filter(|d| d.is_finite())
        .ok_or_else(|| invalid_request("Missing dy"))?;
    let tab = ctx.target()?;
    let (x, y) = match ctx.str_arg("ref") {
        Some(reference) => {
            let p = ctx.locate_ref(tab, &reference).await?;
            (p.x, p.y)
        }
        None => viewport_center(&ctx.cdp(tab, "Page.getLayoutMetrics", json!({})).await?)
            .ok_or_else(|| execution_failed("Could not read the viewport size."))?,
    };
    let params = json!({ "type": "mouseWheel", "x": x, "y": y, "deltaX": 0, "deltaY": dy });
    ctx.cdp(tab, "Input.dispatchMouseEvent", params).await?;
    Ok(json!({}))
}

/// The centre of `cssLayoutViewport` (fallback `layoutViewport`) of a `Page.getLayoutMetrics` answer.
fn viewport_center(metrics: &Value) -> Option<(f64, f64)> {
    let vp = metrics
        .get("cssLayoutViewport")
        .or_else(|| metrics.get("layoutViewport"))?;
    let w = vp.get("clientWidth")?.as_f64()?;
    let h = vp.get("clientHeight")?.as_f64()?;
    Some((w / 2.0, h / 2.0))
}

/// `interact.type {ref, text, clear?, submit?}` → `{timingMs}`: focus; with `clear` select everything and send a
/// real Backspace, otherwise put the caret at the end; `Input.insertText`; with `submit` a real Enter.
/// A `<select>` gets its value assigned instead.
///
/// # Errors
/// `invalid_request` for a missing ref or text; the stale-ref error; CDP failures.
pub async fn type_text<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let reference = required_ref(ctx)?;
    let text = ctx
        .payload
        .get("text")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| invalid_request("Missing text"))?;
    let clear = ctx.bool_arg("clear");
    let tab = ctx.target()?;
    ctx.focus_ref(tab, &reference).await?;
    let kind = ctx
        .call_on_ref(tab, &reference, PREPARE_TYPING_FN, vec![json!(clear)])
        .await?;
    if kind.as_str() == Some("select") {
        ctx.call_on_ref(tab, &reference, SELECT_VALUE_FN, vec![json!(text)])
            .await?;
    } else {
        if clear {
            ctx.press_key(tab, "Backspace").await?;
        }
        if !text.is_empty() {
            ctx.cdp(tab, "Input.insertText", json!({ "text": text }))
                .await?;
        }
    }
    if ctx.bool_arg("submit") {
        ctx.press_key(tab, "Enter").await?;
    }
    Ok(json!({ "timingMs": ctx.elapsed_ms() }))
}

/// `interact.press {key, ref?}` → `{timingMs}`: focus the ref if given, then key down + up (keys.rs).
///
/// # Errors
/// `invalid_request "Missing key"`; the stale-ref error; CDP failures.
pub async fn press<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let key = ctx
        .payload
        .get("key")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .ok_or_else(|| invalid_request("Missing key"))?;
    let tab = ctx.target()?;
    if let Some(reference) = ctx.str_arg("ref") {
        ctx.focus_ref(tab, &reference).await?;
    }
    ctx.press_key(tab, &key).await?;
    Ok(json!({ "timingMs": ctx.elapsed_ms() }))
}
