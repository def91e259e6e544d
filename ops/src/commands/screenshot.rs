//! `page.screenshot {ref? | fullPage?}` (PROTOCOL.md §3.5): a PNG as base64 (no `data:` prefix).
//!
//! - Viewport: `Page.captureScreenshot {format:"png"}` with an 8 s deadline, falling back to
//!   `captureVisibleTab` with `warning:"visible_only_fallback"`.
//! - `fullPage`: the CSS content size of `Page.getLayoutMetrics`, captured with `captureBeyondViewport` and a
//!   clip at 0,0 (`scale 1`). Pages taller than [`TILE_DEVICE_PX`] device px are captured in tiles of at most
//!   that height and stitched into one PNG here (result `{base64, tiles:N}`): with GPU compositing a single
//!   capture taller than the GPU's maximum texture size repeats the top of the page (measured on Chromium 156
//!   with SwiftShader GL: from 8 192 px on; headless with `--disable-gpu` captured 160 000 px in one piece).
//! - `ref`: scroll the element into view, clip to its border box in document px (frames included: the box
//!   model plus the out-of-process frame's offset plus the tab's scroll), capture beyond the viewport.
//!
//! Every beyond-viewport capture first waits until the page finished loading at least [`SETTLE_AFTER_LOAD_MS`]
//! ago: measured through `chrome.debugger` on Chromium 156 headless, a capture taken soon after the load event
//! repeats the visible viewport down the whole image (any height above the viewport, tiled or not). With the
//! wait at 150 ms after `loadEventEnd` the capture still repeated; at 250 ms it was right; 500 ms leaves margin.

use base64::Engine as _;
use serde_json::{json, Value};

use crate::cdp;
use crate::commands::Ctx;
use crate::errors::{execution_failed, invalid_request, map_host_error, CmdResult, TabRef};
use crate::host::{Host, TabId};

/// Deadline of the viewport capture before falling back, in ms.
const VIEWPORT_CAPTURE_MS: u64 = 8_000;

/// Deadline of one full-page or element capture (one tile), in ms.
const CLIP_CAPTURE_MS: u64 = 15_000;

/// The tallest capture taken in one `Page.captureScreenshot`, in device px: half the smallest maximum texture
/// size measured (8 192, SwiftShader); real GPUs allow 8 192–16 384.
pub const TILE_DEVICE_PX: f64 = 4_096.0;

/// How long after the page's load event (`loadEventEnd`) a beyond-viewport capture waits, in ms (see the module
/// doc: 150 ms was measured too short, 250 ms enough).
pub const SETTLE_AFTER_LOAD_MS: f64 = 500.0;

/// Scrolls the element into view with the alignment it is given (`Ctx::scroll_ref_into_view`) and returns its
/// rect in its document's coordinates `{x, y, width, height}`.
const DOC_RECT_FN: &str = "function(block) { this.scrollIntoView({ block: block, inline: block, \
    behavior: 'instant' }); const r = this.getBoundingClientRect(); \
    return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height }; }";

/// Milliseconds since the document's load event ended, or -1 while it has not.
const SINCE_LOAD_EXPR: &str = "(() => { const n = performance.getEntriesByType('navigation')[0]; \
    return n && n.loadEventEnd > 0 ? performance.now() - n.loadEventEnd : -1; })()";

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

/// Device px per CSS px from a `Page.getLayoutMetrics` answer (`contentSize` / `cssContentSize`), 1 when unknown.
pub fn device_pixel_ratio(metrics: &Value) -> f64 {
    let css = metrics
        .get("cssContentSize")
        .map_or(0.0, |s| num(s, "width"));
    let dev = metrics.get("contentSize").map_or(0.0, |s| num(s, "width"));
    if css > 0.0 && dev > 0.0 {
        (dev / css).clamp(0.25, 8.0)
    } else {
        1.0
    }
}

/// The vertical tiles `(y, height)` of a page `height` CSS px tall, each at most `tile` CSS px; a single tile
/// when it fits.
pub fn tile_plan(height: f64, tile: f64) -> Vec<(f64, f64)> {
    let tile = tile.max(1.0).floor();
    let mut tiles = Vec::new();
    let mut y = 0.0;
    while y < height {
        tiles.push((y, tile.min(height - y)));
        y += tile;
    }
    tiles
}

/// Waits until the page's load ended at least [`SETTLE_AFTER_LOAD_MS`] ago (best effort: no wait when the page
/// cannot be asked or has not loaded).
async fn settle<H: Host>(ctx: &Ctx<H>, tab: TabId) {
    let params = json!({ "expression": SINCE_LOAD_EXPR, "returnByValue": true });
    let since = ctx
        .cdp(tab, "Runtime.evaluate", params)
        .await
        .ok()
        .and_then(|r| r.pointer("/result/value").and_then(Value::as_f64));
    if let Some(since) = since.filter(|s| *s >= 0.0 && *s < SETTLE_AFTER_LOAD_MS) {
        ctx.host()
            .sleep_ms((SETTLE_AFTER_LOAD_MS - since).ceil() as u64)
            .await;
    }
}

/// One beyond-viewport capture of a clip in document CSS px; the PNG's base64.
async fn capture_clip<H: Host>(
    ctx: &Ctx<H>,
    tab: TabId,
    clip: (f64, f64, f64, f64),
) -> CmdResult<String> {
    let (x, y, w, h) = clip;
    let params = json!({
        "format": "png",
        "captureBeyondViewport": true,
        "clip": { "x": x, "y": y, "width": w, "height": h, "scale": 1 },
    });
    // Measured on Chromium 156 headless: a capture of a tab that is not the active one never answers, so bound
    // it and say what to do instead of waiting for the 30 s CDP deadline.
    let shot = cdp::with_timeout(
        ctx.host(),
        CLIP_CAPTURE_MS,
        ctx.cdp(tab, "Page.captureScreenshot", params),
    )
    .await
    .ok_or_else(|| {
        execution_failed(format!(
            "Screenshot timed out after {CLIP_CAPTURE_MS} ms; a background tab cannot be captured: make it \
             the active target first (targets.use {}).",
            crate::session::target_id(tab)
        ))
    })??;
    let data = shot.get("data").and_then(Value::as_str).unwrap_or("");
    if data.is_empty() {
        return Err(execution_failed("Screenshot failed: no image data."));
    }
    Ok(strip_data_url(data).to_string())
}

/// `fullPage`: one capture, or tiles stitched into one PNG (`tiles` in the result).
async fn full_page<H: Host>(ctx: &Ctx<H>, tab: TabId) -> CmdResult {
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
    settle(ctx, tab).await;
    let plan = tile_plan(h, TILE_DEVICE_PX / device_pixel_ratio(&metrics));
    if plan.len() == 1 {
        return Ok(json!({ "base64": capture_clip(ctx, tab, (0.0, 0.0, w, h)).await? }));
    }
    let mut tiles = Vec::with_capacity(plan.len());
    for (y, tile_h) in &plan {
        let data = capture_clip(ctx, tab, (0.0, *y, w, *tile_h)).await?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.as_bytes())
            .map_err(|e| execution_failed(format!("Screenshot failed: bad tile data: {e}")))?;
        tiles.push(bytes);
    }
    let png = stitch_png(&tiles)
        .map_err(|e| execution_failed(format!("Screenshot failed: stitching tiles: {e}")))?;
    Ok(json!({
        "base64": base64::engine::general_purpose::STANDARD.encode(png),
        "tiles": plan.len(),
    }))
}

/// `ref`: the element's border box, captured beyond the viewport. The element is scrolled into view in its own
/// frame first; then the clip comes from `DOM.getBoxModel` (viewport CSS px of the frame's renderer: for an
/// element of a same-process iframe that is already the tab's viewport, for one inside an out-of-process
/// iframe the frame's offset is added, as for clicks) plus the tab's scroll (`Page.getLayoutMetrics`
/// `cssVisualViewport.pageX/pageY`), since a beyond-viewport clip is in document px. When the box model is not
/// available the element's own document rect is used (right for elements of the top document).
async fn element<H: Host>(ctx: &Ctx<H>, tab: TabId, reference: &str) -> CmdResult {
    let (rect, frame) = ctx
        .scroll_ref_into_view(tab, reference, DOC_RECT_FN)
        .await?;
    let (w, h) = (num(&rect, "width"), num(&rect, "height"));
    if w <= 0.0 || h <= 0.0 {
        return Err(execution_failed(
            "Screenshot failed: the element has no visible box.",
        ));
    }
    settle(ctx, tab).await;
    let clip = match border_box_in_tab_viewport(ctx, tab, reference, frame.as_deref()).await? {
        Some((x, y, bw, bh)) => {
            let (page_x, page_y) = page_scroll(ctx, tab).await?;
            (x + page_x, y + page_y, bw, bh)
        }
        None => (num(&rect, "x"), num(&rect, "y"), w, h),
    };
    Ok(json!({ "base64": capture_clip(ctx, tab, clip).await? }))
}

/// The element's border quad as `(x, y, width, height)` in the tab's viewport CSS px (`DOM.getBoxModel` on
/// the ref's frame session, plus the offset of `frame`, its out-of-process frame); `None` when the box model is
/// missing.
///
/// # Errors
/// The stale-ref error; `execution_failed` when its out-of-process frame is gone.
async fn border_box_in_tab_viewport<H: Host>(
    ctx: &Ctx<H>,
    tab: TabId,
    reference: &str,
    frame: Option<&str>,
) -> CmdResult<Option<(f64, f64, f64, f64)>> {
    let backend = ctx.ref_node(tab, reference)?;
    let model = match ctx
        .cdp_ref(
            tab,
            reference,
            "DOM.getBoxModel",
            json!({ "backendNodeId": backend }),
        )
        .await
    {
        Ok(model) => model,
        Err(e) if e.code == odb_protocol::ErrorCode::InvalidRequest => return Err(e),
        Err(_) => return Ok(None),
    };
    let Some((x, y, w, h)) = model.pointer("/model/border").and_then(quad_bounds) else {
        return Ok(None);
    };
    let (dx, dy) = match frame {
        Some(frame) => ctx.settled_frame_offset(tab, frame).await?,
        None => (0.0, 0.0),
    };
    Ok(Some((x + dx, y + dy, w, h)))
}

/// The bounding box `(x, y, width, height)` of a CDP quad `[x1,y1,..,x4,y4]`; `None` unless 8 numbers with an
/// area.
pub fn quad_bounds(quad: &Value) -> Option<(f64, f64, f64, f64)> {
    let nums: Vec<f64> = quad.as_array()?.iter().filter_map(Value::as_f64).collect();
    if nums.len() != 8 {
        return None;
    }
    let xs = nums.iter().step_by(2);
    let ys = nums.iter().skip(1).step_by(2);
    let (left, right) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, r), v| {
        (l.min(*v), r.max(*v))
    });
    let (top, bottom) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(t, b), v| {
        (t.min(*v), b.max(*v))
    });
    (right > left && bottom > top).then_some((left, top, right - left, bottom - top))
}

/// The tab's scroll position in CSS px (`Page.getLayoutMetrics` `cssVisualViewport.pageX/pageY`; the
/// pre-`css*` fields on old browsers).
async fn page_scroll<H: Host>(ctx: &Ctx<H>, tab: TabId) -> CmdResult<(f64, f64)> {
    let metrics = ctx.cdp(tab, "Page.getLayoutMetrics", json!({})).await?;
    let viewport = metrics
        .get("cssVisualViewport")
        .or_else(|| metrics.get("visualViewport"))
        .cloned()
        .unwrap_or_default();
    Ok((num(&viewport, "pageX"), num(&viewport, "pageY")))
}

/// The viewport, with the `captureVisibleTab` fallback.
async fn viewport<H: Host>(ctx: &Ctx<H>, tab: TabId) -> CmdResult {
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

/// `page.screenshot {ref?, fullPage?, targetId?}` → `{base64}`, `{base64, tiles}` (a stitched full page) or
/// `{base64, warning:"visible_only_fallback"}` (viewport only).
///
/// # Errors
/// `invalid_request` when both `ref` and `fullPage` are set; the stale-ref error; `execution_failed` when every
/// capture path fails or tiles cannot be stitched.
pub async fn screenshot<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let reference = ctx.str_arg("ref");
    let full = ctx.bool_arg("fullPage");
    if reference.is_some() && full {
        return Err(invalid_request("Use either ref or fullPage, not both."));
    }
    let tab = ctx.target()?;
    if full {
        return full_page(ctx, tab).await;
    }
    if let Some(reference) = reference {
        return element(ctx, tab, &reference).await;
    }
    viewport(ctx, tab).await
}

/// Stitches PNG `tiles` (top to bottom, equal pixel widths) into one 8-bit PNG: RGB when every tile decodes
/// to RGB, else RGBA. Rows are streamed, so memory holds one decoded row at a time plus the output.
///
/// # Errors
/// A decoding or encoding message; `"tile N is W px wide, expected W0"` for mismatched widths.
pub fn stitch_png(tiles: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    let mut width = None;
    let mut height = 0u32;
    let mut all_rgb = true;
    for (i, tile) in tiles.iter().enumerate() {
        let reader = open_png(tile)?;
        let (w, h) = (reader.info().width, reader.info().height);
        if *width.get_or_insert(w) != w {
            return Err(format!(
                "tile {i} is {w} px wide, expected {}",
                width.unwrap_or(0)
            ));
        }
        height = height.checked_add(h).ok_or("image too tall")?;
        all_rgb &= reader.output_color_type().0 == png::ColorType::Rgb;
    }
    let width = width.ok_or("no tiles")?;
    let color = if all_rgb {
        png::ColorType::Rgb
    } else {
        png::ColorType::Rgba
    };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    let mut stream = writer.stream_writer().map_err(|e| e.to_string())?;
    let mut converted = Vec::new();
    for tile in tiles {
        let mut reader = open_png(tile)?;
        let from = reader.output_color_type().0;
        while let Some(row) = reader.next_row().map_err(|e| e.to_string())? {
            converted.clear();
            convert_row(row.data(), from, color, &mut converted);
            std::io::Write::write_all(&mut stream, &converted).map_err(|e| e.to_string())?;
        }
    }
    stream.finish().map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// A PNG reader that yields 8-bit rows (palettes and 16-bit depths normalized).
fn open_png(bytes: &[u8]) -> Result<png::Reader<&[u8]>, String> {
    let mut decoder = png::Decoder::new(bytes);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    decoder.read_info().map_err(|e| e.to_string())
}

/// Appends one 8-bit row of color type `from` to `out` as `to` (`Rgb` or `Rgba`).
fn convert_row(row: &[u8], from: png::ColorType, to: png::ColorType, out: &mut Vec<u8>) {
    let alpha = to == png::ColorType::Rgba;
    let mut push = |r: u8, g: u8, b: u8, a: u8| {
        out.extend_from_slice(&[r, g, b]);
        if alpha {
            out.push(a);
        }
    };
    match from {
        png::ColorType::Rgba => row
            .chunks_exact(4)
            .for_each(|p| push(p[0], p[1], p[2], p[3])),
        png::ColorType::Grayscale => row.iter().for_each(|&v| push(v, v, v, 255)),
        png::ColorType::GrayscaleAlpha => row
            .chunks_exact(2)
            .for_each(|p| push(p[0], p[0], p[0], p[1])),
        _ => row
            .chunks_exact(3)
            .for_each(|p| push(p[0], p[1], p[2], 255)),
    }
}
