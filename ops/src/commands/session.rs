//! `session.launch` / `session.connect`, `session.status`, `session.disconnect` (PROTOCOL.md §3.3, §3.5).

use odb_protocol::error::{ErrorCode, OpsErrorBody};
use odb_protocol::ops::event;
use serde_json::{json, Value};

use crate::commands::Ctx;
use crate::errors::{invalid_request, map_host_error, CmdResult, TabRef};
use crate::host::{Host, TabId, TabInfo};
use crate::session::{target_id, Session};
use crate::url::{check_url, UrlCheck};

/// How long launch waits for a new `startUrl` tab to finish loading, in ms (a timeout is not an error).
const START_URL_LOAD_MS: u64 = 10_000;

/// The `restricted_url` error for a client-supplied URL (the URL itself is not echoed: it may carry secrets).
pub fn restricted_url() -> OpsErrorBody {
    OpsErrorBody::new(
        ErrorCode::RestrictedUrl,
        "Only http(s) URLs outside the Chrome Web Store are allowed.",
    )
}

fn allowed(tab: &TabInfo) -> bool {
    check_url(&tab.url) == UrlCheck::Allowed
}

/// `session.launch` / `session.connect {startUrl?, tabId?, sessionId?, parallelismPolicy?}` → `{opsSessionId,
/// activeTargetId, url, title, leaseId}`, after emitting `ops_session_created`. Returns the result and the new
/// session id (for the response envelope).
pub async fn launch<H: Host>(ctx: &Ctx<H>) -> (CmdResult, Option<String>) {
    match launch_inner(ctx).await {
        Ok((value, id)) => (Ok(value), Some(id)),
        Err(e) => (Err(e), None),
    }
}

/// Picks the tab: `startUrl` (new active tab), `tabId`, or the active / first http(s) tab.
async fn pick_tab<H: Host>(ctx: &Ctx<H>) -> CmdResult<(TabId, TabRef)> {
    let host = ctx.host();
    if let Some(url) = ctx.payload.get("startUrl").filter(|v| !v.is_null()) {
        let url = url.as_str().unwrap_or("");
        match check_url(url) {
            UrlCheck::Invalid => return Err(invalid_request("Invalid startUrl")),
            UrlCheck::Restricted => return Err(restricted_url()),
            UrlCheck::Allowed => {}
        }
        let tab = ctx
            .bounded(host.create_tab(url.trim(), true))
            .await
            .map_err(|e| map_host_error(&e, TabRef::None))?;
        ctx.wait_tab_complete(tab.id, START_URL_LOAD_MS).await;
        return Ok((tab.id, TabRef::TabId(tab.id)));
    }
    if let Some(raw) = ctx.payload.get("tabId").filter(|v| !v.is_null()) {
        let id = raw
            .as_i64()
            .or_else(|| raw.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| invalid_request("Invalid tabId"))?;
        return match ctx.bounded(host.get_tab(id)).await {
            Ok(Some(_)) => Ok((id, TabRef::TabId(id))),
            Ok(None) => Err(invalid_request(format!("Unknown tabId: {id}"))),
            Err(e) => Err(map_host_error(&e, TabRef::TabId(id))),
        };
    }
    let active = ctx
        .bounded(host.active_tab())
        .await
        .ok()
        .flatten()
        .filter(allowed);
    let tab = match active {
        Some(tab) => Some(tab),
        None => ctx
            .bounded(host.list_tabs())
            .await
            .unwrap_or_default()
            .into_iter()
            .find(allowed),
    };
    tab.map(|t| (t.id, TabRef::TabId(t.id)))
        .ok_or_else(|| OpsErrorBody::new(ErrorCode::OpsUnavailable, "No active tab to attach."))
}

async fn launch_inner<H: Host>(ctx: &Ctx<H>) -> CmdResult<(Value, String)> {
    let (tab, named) = pick_tab(ctx).await?;
    ctx.attach_tab(tab, named).await?;
    let lease_id = ctx.lease_id.clone().unwrap_or_else(|| ctx.host().new_id());
    let session_id = ctx
        .str_arg("sessionId")
        .unwrap_or_else(|| ctx.host().new_id());
    let session = Session::new(
        session_id.clone(),
        ctx.client_id.clone(),
        lease_id.clone(),
        tab,
    );
    let freed = ctx
        .rt
        .with_state(|st| match st.sessions.insert(session_id.clone(), session) {
            Some(old) => st.forget_unused(&old.targets),
            None => Vec::new(),
        });
    ctx.rt.detach_tabs(freed).await;
    let info = ctx.tab_info(tab).await.ok();
    ctx.rt
        .emit(&ctx.client_id, &session_id, event::SESSION_CREATED, tab);
    let (url, title) = info.map(|i| (i.url, i.title)).unwrap_or_default();
    Ok((
        json!({
            "opsSessionId": session_id,
            "activeTargetId": target_id(tab),
            "url": url,
            "title": title,
            "leaseId": lease_id,
        }),
        session_id,
    ))
}

/// `session.status {}` → `{mode (the host's: `"extension"` in the extension), activeTargetId, url, title, dialog, leaseId, state}`; `dialog` is the
/// active target's JavaScript dialog state (`{open:false, targetId}` or the open dialog, see
/// [`crate::commands::dialog::dialog_json`]).
///
/// # Errors
/// `invalid_session` when the session ended meanwhile.
pub async fn status<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let session = ctx.session()?;
    let info = ctx.tab_info(session.active).await.ok();
    let (url, title) = info.map(|i| (i.url, i.title)).unwrap_or_default();
    Ok(json!({
        "mode": ctx.host().mode(),
        "activeTargetId": target_id(session.active),
        "url": url,
        "title": title,
        "dialog": crate::commands::dialog::dialog_status(&ctx.rt, session.active),
        "leaseId": session.lease_id,
        "state": session.state.as_str(),
        // Divergence (declared): the runtime's own attach log for the session's targets, so callers can see
        // that driving one tab never detached another.
        "attachLog": ctx.rt.attach_log(&session.targets),
    }))
}

/// `session.disconnect {closeBrowser?}` → `{ok:true}`; the runtime then ends the session with
/// `ops_session_closed` (`closeBrowser` is ignored, as in the original).
///
/// # Errors
/// `invalid_session` when the session ended meanwhile.
pub fn disconnect<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    ctx.session()?;
    Ok(json!({ "ok": true }))
}
