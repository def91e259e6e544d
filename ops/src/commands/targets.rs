//! `targets.list`, `targets.use`, `targets.new`, `targets.close` (PROTOCOL.md §3.5). Every tab of a session stays
//! attached; switching targets never detaches another tab (a declared divergence from the original).

use serde_json::json;

use crate::commands::session::restricted_url;
use crate::commands::Ctx;
use crate::errors::{invalid_request, map_host_error, CmdResult, TabRef};
use crate::host::{Host, TabId};
use crate::runtime::EndReason;
use crate::session::{target_id, Session};
use crate::url::{check_url, UrlCheck};

/// How long `targets.new` waits for the new tab to load, in ms (a timeout is not an error).
const NEW_TAB_LOAD_MS: u64 = 10_000;

/// `targets.list {includeUrls?}` → `{activeTargetId, targets:[{targetId, type:"page", title, url?}]}`; tabs that
/// vanished are left out.
///
/// # Errors
/// `invalid_session` when the session ended meanwhile.
pub async fn list<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let session = ctx.session()?;
    let include_urls = ctx.bool_arg("includeUrls");
    let mut targets = Vec::new();
    for &tab in &session.targets {
        let Ok(Some(info)) = ctx.bounded(ctx.host().get_tab(tab)).await else {
            continue;
        };
        let mut entry = json!({ "targetId": target_id(tab), "type": "page", "title": info.title });
        if include_urls {
            entry["url"] = json!(info.url);
        }
        targets.push(entry);
    }
    Ok(json!({ "activeTargetId": target_id(session.active), "targets": targets }))
}

fn required_target<H: Host>(ctx: &Ctx<H>) -> CmdResult<String> {
    ctx.str_arg("targetId")
        .ok_or_else(|| invalid_request("Missing targetId"))
}

/// `targets.use {targetId}`: activates the tab and makes it the active target → `{activeTargetId, url, title}`.
///
/// # Errors
/// `invalid_request "Unknown targetId: X"`; mapped browser errors.
pub async fn use_target<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let session = ctx.session()?;
    let tab = ctx.session_target(&session, &required_target(ctx)?)?;
    ctx.bounded(ctx.host().activate_tab(tab))
        .await
        .map_err(|e| map_host_error(&e, TabRef::Target(tab)))?;
    ctx.rt.with_state(|st| {
        if let Some(s) = st.sessions.get_mut(&session.id) {
            s.active = tab;
        }
    });
    let info = ctx.tab_info(tab).await?;
    Ok(json!({ "activeTargetId": target_id(tab), "url": info.url, "title": info.title }))
}

/// `targets.new {url?}`: opens an inactive tab (`about:blank` by default), attaches and enables it, then
/// activates it and makes it the active target → `{targetId}`.
///
/// # Errors
/// `restricted_url` for a non-http(s) or Web Store `url`; attach errors (attach.rs).
pub async fn new_target<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let tab = open_tab(ctx).await?;
    Ok(json!({ "targetId": target_id(tab) }))
}

/// The work of `targets.new {url?}` (also `page.open` for a new name): opens an inactive tab at `payload.url`,
/// waits for its load, attaches and enables it, joins it to the session, activates it and makes it the active
/// target; returns its tab id. A tab that cannot join is closed (attach failure) or detached (session gone).
///
/// # Errors
/// `restricted_url` for a non-http(s) or Web Store `url`; `invalid_request "Invalid url"`; attach errors.
pub(crate) async fn open_tab<H: Host>(ctx: &Ctx<H>) -> CmdResult<TabId> {
    let session = ctx.session()?;
    let url = match ctx.str_arg("url") {
        Some(url) => match check_url(&url) {
            UrlCheck::Allowed => url,
            UrlCheck::Restricted => return Err(restricted_url()),
            UrlCheck::Invalid => return Err(invalid_request("Invalid url")),
        },
        None => "about:blank".to_string(),
    };
    let tab = ctx
        .bounded(ctx.host().create_tab(&url, false))
        .await
        .map_err(|e| map_host_error(&e, TabRef::None))?;
    ctx.wait_tab_complete(tab.id, NEW_TAB_LOAD_MS).await;
    if let Err(e) = ctx.attach_tab(tab.id, TabRef::Target(tab.id)).await {
        let _ = ctx.bounded(ctx.host().close_tab(tab.id)).await;
        return Err(e);
    }
    let joined = ctx
        .rt
        .with_state(|st| match st.sessions.get_mut(&session.id) {
            Some(s) => {
                s.targets.push(tab.id);
                s.active = tab.id;
                true
            }
            None => false,
        });
    if !joined {
        let freed = ctx.rt.with_state(|st| st.forget_unused(&[tab.id]));
        ctx.rt.detach_tabs(freed).await;
        return Err(ctx
            .session()
            .err()
            .unwrap_or_else(|| invalid_request("Unknown ops session")));
    }
    let _ = ctx.bounded(ctx.host().activate_tab(tab.id)).await;
    Ok(tab.id)
}

/// `targets.close {targetId}` → `{ok:true}`. The tab is closed best effort. Closing the root target ends the
/// session (`ops_session_closed`); closing another drops it and the active target falls back to the root.
///
/// # Errors
/// `invalid_request "Unknown targetId: X"`.
pub async fn close<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let session = ctx.session()?;
    let tab = ctx.session_target(&session, &required_target(ctx)?)?;
    close_target(ctx, &session, tab).await
}

/// The work of `targets.close` (also `page.close`) on `tab`, a target of `session` → `{ok:true}`: ends the
/// session when it is the root, otherwise drops it from the session; then closes the tab best effort unless
/// another session still uses it.
///
/// # Errors
/// None today; the result type leaves room for browser failures.
pub(crate) async fn close_target<H: Host>(
    ctx: &Ctx<H>,
    session: &Session,
    tab: TabId,
) -> CmdResult {
    if tab == session.root {
        ctx.rt.end_session(&session.id, EndReason::Closed).await;
    } else {
        let freed = ctx.rt.with_state(|st| {
            if let Some(s) = st.sessions.get_mut(&session.id) {
                s.targets.retain(|t| *t != tab);
                if s.active == tab {
                    s.active = s.root;
                }
            }
            st.forget_unused(&[tab])
        });
        ctx.rt.detach_tabs(freed).await;
    }
    let still_used = ctx.rt.with_state(|st| st.tab_in_use(tab));
    if !still_used {
        let _ = ctx.bounded(ctx.host().close_tab(tab)).await;
    }
    Ok(json!({ "ok": true }))
}
