//! `nav.snapshot` (PROTOCOL.md §3.5, §4): one `DOMSnapshot.captureSnapshot` of the target, plus one per
//! out-of-process iframe (through its flat child session, in parallel), shaped by `odb-snapshot` with the
//! target's ref table. No per-node CDP round trips: only the compact text leaves the extension.

use futures::future::{join, join_all};
use odb_protocol::error::{ErrorCode, OpsErrorBody};
use odb_protocol::limits::{DEFAULT_SNAPSHOT_MAX_CHARS, DEFAULT_SNAPSHOT_MAX_NODES};
use odb_snapshot::dom::raw::CaptureSnapshot;
use odb_snapshot::dom::COMPUTED_STYLES;
use odb_snapshot::{
    build_snapshot, FrameCapture, FrameOwner, Mode, PageCapture, Scope, SnapshotError,
    SnapshotRequest,
};
use serde_json::{json, Value};

use crate::commands::Ctx;
use crate::errors::{
    execution_failed, invalid_request, map_host_error, stale_ref, CmdResult, TabRef,
};
use crate::frames::{self, ChildFrame};
use crate::host::{Debuggee, Host, TabId};

/// Smallest accepted `maxChars`: room for a line and the truncation marker.
pub const MIN_MAX_CHARS: usize = 120;

/// Parses the snapshot arguments `{mode, maxChars, cursor, maxNodes, filter, scopeRef, diff}`.
fn request<H: Host>(ctx: &Ctx<H>, tab: TabId) -> CmdResult<SnapshotRequest> {
    let mode = match ctx.str_arg("mode").as_deref() {
        None | Some("outline") => Mode::Outline,
        Some("actionables") => Mode::Actionables,
        Some(other) => return Err(invalid_request(format!("Invalid mode: {other}"))),
    };
    let mut req = request_with_mode(ctx, mode)?;
    req.filter = ctx.str_arg("filter").filter(|f| !f.trim().is_empty());
    req.diff = ctx.payload.get("diff").and_then(Value::as_bool) == Some(true);
    if let Some(reference) = ctx.str_arg("scopeRef").filter(|r| !r.trim().is_empty()) {
        let entry = ctx
            .rt
            .with_state(|st| {
                st.tabs
                    .get(&tab)
                    .and_then(|t| t.refs.get(&reference).cloned())
            })
            .ok_or_else(|| stale_ref(&reference))?;
        req.scope = Some(Scope {
            frame_id: entry.frame_id,
            backend_node_id: entry.backend_node_id,
        });
    }
    if req.diff && (req.filter.is_some() || req.scope.is_some()) {
        return Err(invalid_request(
            "diff compares whole snapshots; it cannot be combined with filter or scopeRef",
        ));
    }
    Ok(req)
}

/// Parses `{maxChars=16000 (at least 120), cursor?, maxNodes=1000}` for a snapshot in `mode` (`payload.mode`
/// is not read).
///
/// # Errors
/// `invalid_request "Invalid cursor"`.
pub(crate) fn request_with_mode<H: Host>(ctx: &Ctx<H>, mode: Mode) -> CmdResult<SnapshotRequest> {
    let cursor = match ctx.payload.get("cursor") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(v) => Some(
            v.as_u64()
                .map(|n| n as usize)
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .ok_or_else(|| invalid_request("Invalid cursor"))?,
        ),
    };
    Ok(SnapshotRequest {
        mode,
        max_chars: ctx
            .u64_arg("maxChars")
            .map(|n| n as usize)
            .unwrap_or(DEFAULT_SNAPSHOT_MAX_CHARS)
            .max(MIN_MAX_CHARS),
        cursor,
        max_nodes: ctx
            .u64_arg("maxNodes")
            .map(|n| n as usize)
            .unwrap_or(DEFAULT_SNAPSHOT_MAX_NODES)
            .max(1),
        ..SnapshotRequest::default()
    })
}

/// `nav.snapshot {mode="outline", maxChars=16000, cursor?, maxNodes=1000, filter?, scopeRef?, diff?}` →
/// `{snapshotId, url, title, content, truncated, nextCursor?, refCount, timingMs, warnings}`.
///
/// # Errors
/// `snapshot_too_large {maxSnapshotBytes, actualBytes}`; `invalid_request` for bad arguments; the stale-ref
/// error for a `scopeRef` whose element is gone; CDP failures.
pub async fn snapshot<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let tab = ctx.target()?;
    let req = request(ctx, tab)?;
    capture(ctx, &req).await.map(|(_, result)| result)
}

/// Takes the snapshot `req` of the request's target (the `nav.snapshot` work) and returns that target with the
/// `nav.snapshot` result `{snapshotId, url, title, content, truncated, nextCursor?, refCount, timingMs,
/// warnings}`.
///
/// # Errors
/// As [`snapshot`], minus argument parsing.
pub(crate) async fn capture<H: Host>(
    ctx: &Ctx<H>,
    req: &SnapshotRequest,
) -> CmdResult<(TabId, Value)> {
    let tab = ctx.target()?;
    let (page, mut warnings) = capture_page(ctx, tab).await?;
    let built = ctx.rt.with_state(|st| {
        let state = st.tabs.entry(tab).or_default();
        build_snapshot(&page, req, &mut state.refs)
    });
    let page = match built {
        Ok(page) => page,
        Err(SnapshotError::TooLarge {
            max_bytes,
            actual_bytes,
        }) => {
            return Err(
                OpsErrorBody::new(ErrorCode::SnapshotTooLarge, "Snapshot is too large.")
                    .with_details(
                        json!({ "maxSnapshotBytes": max_bytes, "actualBytes": actual_bytes }),
                    ),
            );
        }
        Err(SnapshotError::ScopeNotFound) => {
            return Err(stale_ref(&ctx.str_arg("scopeRef").unwrap_or_default()));
        }
    };
    warnings.extend(page.warnings);
    let info = ctx.tab_info(tab).await.ok();
    let (url, title) = info.map(|i| (i.url, i.title)).unwrap_or_default();
    let mut result = json!({
        "snapshotId": ctx.host().new_id(),
        "url": url,
        "title": title,
        "content": page.content,
        "truncated": page.truncated,
        "refCount": page.ref_count,
        "timingMs": ctx.elapsed_ms(),
        "warnings": warnings,
    });
    if let Some(next) = page.next_cursor {
        result["nextCursor"] = json!(next);
    }
    Ok((tab, result))
}

/// `DOMSnapshot.captureSnapshot {computedStyles}` of the tab and, in parallel, of each out-of-process iframe;
/// a frame that cannot be captured (it went away meanwhile) becomes a warning.
///
/// # Errors
/// The tab's own capture failing (mapped browser error), or an unreadable answer (`execution_failed`).
async fn capture_page<H: Host>(ctx: &Ctx<H>, tab: TabId) -> CmdResult<(PageCapture, Vec<String>)> {
    let params = json!({ "computedStyles": COMPUTED_STYLES });
    let children = ctx
        .rt
        .with_state(|st| st.tabs.get(&tab).map(|t| t.frames.all()))
        .unwrap_or_default();
    let root = ctx.guarded_cdp(tab, "DOMSnapshot.captureSnapshot", params.clone());
    let frames = join_all(
        children
            .iter()
            .map(|(id, frame)| capture_frame(ctx, tab, id, frame, &params)),
    );
    let (root, frames) = join(root, frames).await;
    let root = root.map_err(|e| map_host_error(&e, TabRef::Target(tab)))?;
    let root: CaptureSnapshot = serde_json::from_value(root).map_err(|e| {
        execution_failed(format!(
            "DOMSnapshot.captureSnapshot answer unreadable: {e}"
        ))
    })?;
    let mut page = PageCapture {
        root,
        frames: Vec::new(),
    };
    let mut warnings = Vec::new();
    for (result, (id, _)) in frames.into_iter().zip(&children) {
        match result {
            Ok(frame) => page.frames.push(frame),
            Err(reason) => warnings.push(format!("Frame {id} was left out: {reason}")),
        }
    }
    Ok((page, warnings))
}

/// One out-of-process iframe: its `<iframe>` element in the parent (`DOM.getFrameOwner` on the parent's
/// session) and its own `DOMSnapshot.captureSnapshot`.
async fn capture_frame<H: Host>(
    ctx: &Ctx<H>,
    tab: TabId,
    frame_id: &str,
    frame: &ChildFrame,
    params: &Value,
) -> Result<FrameCapture, String> {
    let parent = frames::debuggee(&ctx.rt, tab, frame.parent.as_deref())
        .ok_or_else(|| "its parent frame is gone".to_string())?;
    let owner = ctx
        .guarded_cdp_to(&parent, "DOM.getFrameOwner", json!({ "frameId": frame_id }))
        .await
        .map_err(|e| e.message)?;
    let backend_node_id = owner
        .get("backendNodeId")
        .and_then(Value::as_i64)
        .ok_or_else(|| "no frame owner".to_string())?;
    let child = Debuggee {
        tab_id: tab,
        session_id: Some(frame.session_id.clone()),
    };
    let snapshot = ctx
        .guarded_cdp_to(&child, "DOMSnapshot.captureSnapshot", params.clone())
        .await
        .map_err(|e| e.message)?;
    Ok(FrameCapture {
        frame_id: frame_id.to_string(),
        owner: FrameOwner {
            frame_id: frame.parent.clone(),
            backend_node_id,
        },
        snapshot: serde_json::from_value(snapshot).map_err(|e| e.to_string())?,
    })
}
