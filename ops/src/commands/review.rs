//! `nav.review {maxChars, cursor?, maxNodes?}` (PROTOCOL.md §3.5): the session and target it ran on, an
//! actionables snapshot (always `actionables`, whatever `payload.mode` says), and the target's dialog state.

use odb_snapshot::Mode;
use serde_json::{json, Value};

use crate::commands::dialog::dialog_status;
use crate::commands::snapshot::{capture, request_with_mode};
use crate::commands::Ctx;
use crate::errors::{invalid_request, CmdResult};
use crate::host::{Host, TabId};
use crate::session::target_id;

/// The wire names this module implements.
pub const COMMANDS: &[&str] = &["nav.review"];

/// Runs `nav.review`.
///
/// # Errors
/// See [`review`].
pub async fn run<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    match ctx.command.as_str() {
        "nav.review" => review(ctx).await,
        other => Err(invalid_request(format!("Unknown ops command: {other}"))),
    }
}

/// `nav.review {maxChars=16000, cursor?, maxNodes=1000}` → `{sessionId, targetId, mode (the host's), snapshotId,
/// url, title, content, truncated, nextCursor?, refCount, timingMs, dialog, warnings?}`. The snapshot is the
/// `nav.snapshot` one in `actionables` mode (same refs, same paging); `warnings` is present only when there are
/// some, as in the original. While a JavaScript dialog is open on the target, the page is not read (see
/// `blocked_snapshot`): `content` is empty and `warnings` says why.
///
/// # Errors
/// As `nav.snapshot`: `invalid_request "Invalid cursor"`, `snapshot_too_large`, target and CDP errors.
pub async fn review<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let req = request_with_mode(ctx, Mode::Actionables)?;
    let session_id = ctx.session_id.as_deref().unwrap_or_default();
    let tab = ctx.target()?;
    let dialog = dialog_status(&ctx.rt, tab);
    if dialog["open"] == true {
        let snap = blocked_snapshot(ctx, tab).await;
        return Ok(shape(session_id, ctx.host().mode(), tab, snap, dialog));
    }
    let (tab, snap) = capture(ctx, &req).await?;
    Ok(shape(
        session_id,
        ctx.host().mode(),
        tab,
        snap,
        dialog_status(&ctx.rt, tab),
    ))
}

/// The warning of a review taken while a JavaScript dialog blocks the page.
pub fn dialog_warning(tab: TabId) -> String {
    format!(
        "A JavaScript dialog is open on {}; the page cannot be read until it is handled with page.dialog.",
        target_id(tab)
    )
}

/// The snapshot part of a review while a dialog is open on `tab`: the page's renderer is paused, so
/// `Accessibility.getFullAXTree` would not answer (measured on Chromium 156: the review then timed out after
/// 30 s). Instead of waiting, the review reports no content, no refs (the target's refs are kept) and
/// [`dialog_warning`]; url and title come from `chrome.tabs`. Declared divergence: the original snapshotted
/// regardless.
async fn blocked_snapshot<H: Host>(ctx: &Ctx<H>, tab: TabId) -> Value {
    let (url, title) = ctx
        .tab_info(tab)
        .await
        .map(|i| (i.url, i.title))
        .unwrap_or_default();
    json!({
        "snapshotId": ctx.host().new_id(),
        "url": url,
        "title": title,
        "content": "",
        "truncated": false,
        "refCount": 0,
        "timingMs": ctx.elapsed_ms(),
        "warnings": [dialog_warning(tab)],
    })
}

/// The review result out of a `nav.snapshot` result `snap` taken on `tab` by a host in `mode`.
fn shape(session_id: &str, mode: &str, tab: TabId, snap: Value, dialog: Value) -> Value {
    let mut out = json!({
        "sessionId": session_id,
        "targetId": target_id(tab),
        "mode": mode,
        "snapshotId": snap["snapshotId"],
        "url": snap["url"],
        "title": snap["title"],
        "content": snap["content"],
        "truncated": snap["truncated"],
        "refCount": snap["refCount"],
        "timingMs": snap["timingMs"],
        "dialog": dialog,
    });
    if let Some(next) = snap.get("nextCursor") {
        out["nextCursor"] = next.clone();
    }
    if snap["warnings"].as_array().is_some_and(|w| !w.is_empty()) {
        out["warnings"] = snap["warnings"].clone();
    }
    out
}
