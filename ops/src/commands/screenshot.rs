//! `page.screenshot {ref? | fullPage?}` (PROTOCOL.md §3.5): a PNG as base64 (no `data:` prefix). The viewport
//! capture falls back to `captureVisibleTab` with `warning:"visible_only_fallback"`.

use serde_json::{json, Value};

use crate::cdp;
use crate::commands::Ctx;
use crate::errors::{execution_failed, invalid_request, map_host_error, CmdResult, TabRef};
use crate::host::{Host, TabId};

/// Deadline of the viewport capture before falling back, in ms.
const VIEWPORT_CAPTURE_MS: u64 = 8_000;

/// Scrolls the element into view and returns its rect in document coordinates `{x, y, width, height}`.
const DOC_RECT_FN: &str = "function() { this.scrollIntoView({ block: 'center', inline: 'center', \
    behavior: 'instant' }); const r = this.getBoundingClientRect(); \
    return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height }; }";

/// The base64 text of a data URL or bare base64.
pub fn strip_data_url(data: &str) -> &str {
    if data.starts_with("data:") {
        data.split_once(',').map(|(_, b)| b).unwrap_or("")
    } else {
        data
    }
}

fn num(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

async fn capture_clip<H: Host>(
    ctx: &Ctx<H>,
    tab: TabId,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
) -> CmdResult {
    let params = json!({
        "format": "png",
        "captureBeyondViewport": true,
        "clip": { "x": x, "y": y, "width": w, "height": h, "scale": 1 },
    });
    let shot = ctx.cdp(tab, "Page.captureScreenshot", params).await?;
    let data = shot.get("data").and_then(Value::as_str).unwrap_or("");
    if data.is_empty() {
        return Err(execution_failed("Screenshot failed: no image data."));
    }
    Ok(json!({ "base64": strip_data_url(data) }))
}

/// `page.screenshot {ref?, fullPage?}` → `{base64}` or `{base64, warning:"visible_only_fallback"}`.
///
/// # Errors
/// `invalid_request` when both `ref` and `fullPage` are set; the stale-ref error; `execution_failed` when every
/// capture path fails.
pub async fn screenshot<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let reference = ctx.str_arg("ref");
    let full_page = ctx.bool_arg("fullPage");
    if reference.is_some() && full_page {
        return Err(invalid_request("Use either ref or fullPage, not both."));
    }
    let tab = ctx.target()?;
    if let Some(e) = ctx.payload.get("debugEval") {
        let t0 = ctx.host().now_ms();
        ctx.cdp(
            tab,
            "Runtime.evaluate",
            json!({"expression": e, "awaitPromise": true}),
        )
        .await?;
        return Ok(json!({"evalMs": ctx.host().now_ms() - t0}));
    }
    if let Some(c) = ctx.payload.get("debugClip") {
        let mut params = json!({"format": "png"});
        if !c.is_null() {
            params["clip"] = c.clone();
        }
        if let Some(b) = ctx.payload.get("debugBeyond") {
            params["captureBeyondViewport"] = b.clone();
        }
        if let Some(sy) = ctx.payload.get("debugScrollY") {
            ctx.cdp(
                tab,
                "Runtime.evaluate",
                json!({"expression": format!("window.scrollTo(0, {sy})")}),
            )
            .await?;
        }
        let shot = ctx.cdp(tab, "Page.captureScreenshot", params).await?;
        return Ok(json!({ "base64": shot.get("data").cloned().unwrap_or_default() }));
    }
    if full_page {
        let metrics = ctx.cdp(tab, "Page.getLayoutMetrics", json!({})).await?;
        let size = metrics
            .get("cssContentSize")
            .or_else(|| metrics.get("contentSize"))
            .cloned()
            .unwrap_or_default();
        let (w, h) = (num(&size, "width").ceil(), num(&size, "height").ceil());
        if w <= 0.0 || h <= 0.0 {
            return Err(execution_failed(
                "Screenshot failed: the page has no content size.",
            ));
        }
        return capture_clip(ctx, tab, 0.0, 0.0, w, h).await;
    }
    if let Some(reference) = reference {
        let rect = ctx
            .call_on_ref(tab, &reference, DOC_RECT_FN, Vec::new())
            .await?;
        let (w, h) = (num(&rect, "width"), num(&rect, "height"));
        if w <= 0.0 || h <= 0.0 {
            return Err(execution_failed(
                "Screenshot failed: the element has no visible box.",
            ));
        }
        return capture_clip(ctx, tab, num(&rect, "x"), num(&rect, "y"), w, h).await;
    }
    let shot = cdp::send_with_timeout(
        ctx.host(),
        tab,
        "Page.captureScreenshot",
        json!({ "format": "png" }),
        VIEWPORT_CAPTURE_MS,
    )
    .await;
    if let Ok(data) = shot
        .as_ref()
        .map(|v| v.get("data").and_then(Value::as_str).unwrap_or(""))
    {
        if !data.is_empty() {
            return Ok(json!({ "base64": strip_data_url(data) }));
        }
    }
    match ctx.bounded(ctx.host().capture_visible_tab(tab)).await {
        Ok(data) if !data.is_empty() => {
            Ok(json!({ "base64": strip_data_url(&data), "warning": "visible_only_fallback" }))
        }
        Ok(_) => Err(execution_failed("Screenshot failed: no image data.")),
        Err(e) => {
            let mapped = map_host_error(&e, TabRef::Target(tab));
            Err(execution_failed(format!(
                "Screenshot failed: {}",
                mapped.message
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::strip_data_url;

    #[test]
    fn strips_data_url_prefix() {
        assert_eq!(strip_data_url("data:image/png;base64,QUJD"), "QUJD");
        assert_eq!(strip_data_url("QUJD"), "QUJD");
    }
}
