//! `nav.snapshot` (PROTOCOL.md §3.5, §4): `Accessibility.getFullAXTree` on the target, shaped by `odb-snapshot`
//! with the target's ref table.

use odb_protocol::error::{ErrorCode, OpsErrorBody};
use odb_protocol::limits::{DEFAULT_SNAPSHOT_MAX_CHARS, DEFAULT_SNAPSHOT_MAX_NODES};
use odb_snapshot::{build_snapshot, AxNode, Mode, SnapshotError, SnapshotRequest};
use serde_json::{json, Value};

use crate::commands::Ctx;
use crate::errors::{execution_failed, invalid_request, CmdResult};
use crate::host::{Host, TabId};

/// Parses the snapshot arguments `{mode, maxChars, cursor, maxNodes}`.
fn request<H: Host>(ctx: &Ctx<H>) -> CmdResult<SnapshotRequest> {
    let mode = match ctx.str_arg("mode").as_deref() {
        None | Some("outline") => Mode::Outline,
        Some("actionables") => Mode::Actionables,
        Some(other) => return Err(invalid_request(format!("Invalid mode: {other}"))),
    };
    request_with_mode(ctx, mode)
}

/// Parses `{maxChars=16000, cursor?, maxNodes=1000}` for a snapshot in `mode` (`payload.mode` is not read).
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
            .max(1),
        cursor,
        max_nodes: ctx
            .u64_arg("maxNodes")
            .map(|n| n as usize)
            .unwrap_or(DEFAULT_SNAPSHOT_MAX_NODES)
            .max(1),
    })
}

/// `nav.snapshot {mode="outline", maxChars=16000, cursor?, maxNodes=1000}` → `{snapshotId, url, title, content,
/// truncated, nextCursor?, refCount, timingMs, warnings}`.
///
/// # Errors
/// `snapshot_too_large {maxSnapshotBytes, actualBytes}`; `invalid_request` for bad arguments; CDP failures.
pub async fn snapshot<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let req = request(ctx)?;
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
    ctx.cdp(tab, "DOM.enable", json!({})).await?;
    ctx.cdp(tab, "Accessibility.enable", json!({})).await?;
    let tree = ctx
        .cdp(tab, "Accessibility.getFullAXTree", json!({}))
        .await?;
    let Some(raw_nodes) = tree.get("nodes").and_then(Value::as_array) else {
        return Err(execution_failed(
            "Accessibility.getFullAXTree returned no nodes",
        ));
    };
    let nodes: Vec<AxNode> = raw_nodes
        .iter()
        .filter_map(|n| serde_json::from_value(n.clone()).ok())
        .collect();
    let built = ctx.rt.with_state(|st| {
        let state = st.tabs.entry(tab).or_default();
        build_snapshot(&nodes, req, &mut state.refs)
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
    };
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
        "warnings": page.warnings,
    });
    if let Some(next) = page.next_cursor {
        result["nextCursor"] = json!(next);
    }
    Ok((tab, result))
}
