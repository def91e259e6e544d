//! Named pages, `page.open`, `page.list`, `page.close` (PROTOCOL.md §3.5), and popup adoption (§3.6, in
//! `page/popup.rs`). A name is a session-scoped alias of one of its targets; it is forgotten when that tab closes or
//! leaves the session.

mod popup;

use serde_json::json;

pub use popup::{attaching_error, on_tab_created, PopupStage};

use crate::commands::targets::{close_target, open_tab};
use crate::commands::Ctx;
use crate::errors::{invalid_request, map_host_error, CmdResult, TabRef};
use crate::host::{Host, TabId};
use crate::runtime::Runtime;
use crate::session::{target_id, Session};

/// The wire names this module implements.
pub const COMMANDS: &[&str] = &["page.open", "page.list", "page.close"];

/// The page state of one session: its named pages, in the order they were named, and the popups it is still
/// adopting (attach in progress).
#[derive(Clone, Debug, Default)]
pub struct SessionPages {
    names: Vec<(String, TabId)>,
    adopting: Vec<(TabId, PopupStage)>,
}

impl SessionPages {
    /// The tab named `name`, if any.
    pub fn tab_of(&self, name: &str) -> Option<TabId> {
        self.names.iter().find(|(n, _)| n == name).map(|(_, t)| *t)
    }

    /// `(name, tab)` pairs in naming order.
    pub fn named(&self) -> &[(String, TabId)] {
        &self.names
    }

    /// Names `tab` `name`, replacing an earlier use of the name.
    pub fn insert(&mut self, name: String, tab: TabId) {
        self.names.retain(|(n, _)| *n != name);
        self.names.push((name, tab));
    }

    /// Forgets `name`; returns its tab.
    pub fn remove_name(&mut self, name: &str) -> Option<TabId> {
        let tab = self.tab_of(name)?;
        self.names.retain(|(n, _)| n != name);
        Some(tab)
    }

    /// The attach stage of `tab` while it is being adopted as a popup.
    pub fn adopting(&self, tab: TabId) -> Option<PopupStage> {
        self.adopting
            .iter()
            .find(|(t, _)| *t == tab)
            .map(|(_, s)| *s)
    }

    /// Records (or advances) the adoption of `tab` at `stage`.
    pub fn set_adopting(&mut self, tab: TabId, stage: PopupStage) {
        self.adopting.retain(|(t, _)| *t != tab);
        self.adopting.push((tab, stage));
    }

    /// Ends the adoption of `tab` (attached, or given up).
    pub fn finish_adopting(&mut self, tab: TabId) {
        self.adopting.retain(|(t, _)| *t != tab);
    }

    /// Forgets every name of `tab` and its adoption.
    pub fn forget_tab(&mut self, tab: TabId) {
        self.names.retain(|(_, t)| *t != tab);
        self.finish_adopting(tab);
    }
}

/// Runs `page.open`, `page.list` or `page.close`.
///
/// # Errors
/// See each command.
pub async fn run<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    match ctx.command.as_str() {
        "page.open" => open(ctx).await,
        "page.list" => list(ctx).await,
        "page.close" => close(ctx).await,
        other => Err(invalid_request(format!("Unknown ops command: {other}"))),
    }
}

/// A tab was closed (`chrome.tabs.onRemoved`): every session forgets its names and its adoption.
pub fn on_tab_removed<H: Host>(rt: &Runtime<H>, tab: TabId) {
    rt.with_state(|st| {
        for session in st.sessions.values_mut() {
            session.pages.forget_tab(tab);
        }
    });
}

fn required_name<H: Host>(ctx: &Ctx<H>) -> CmdResult<String> {
    ctx.str_arg("name")
        .ok_or_else(|| invalid_request("Missing name"))
}

/// The tab `name` denotes in `session`; a name whose tab left the session denotes nothing.
fn named_tab(session: &Session, name: &str) -> Option<TabId> {
    session
        .pages
        .tab_of(name)
        .filter(|tab| session.targets.contains(tab))
}

/// `page.open {name, url?}` → `{targetId, created, url, title}`. A known name is focused (its tab activated and
/// made the active target) and answered with `created:false`; its page is not navigated. A new name opens a tab
/// exactly like `targets.new {url}` (inactive, loaded, attached, then activated and made the active target) and
/// names it. Focusing a known name follows the documented "Open or focus a named page"; the original answered
/// without changing the active target (declared divergence).
///
/// # Errors
/// `invalid_request "Missing name"`; `restricted_url` / `invalid_request "Invalid url"`; attach errors.
pub async fn open<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let name = required_name(ctx)?;
    let session = ctx.session()?;
    if let Some(tab) = named_tab(&session, &name) {
        ctx.bounded(ctx.host().activate_tab(tab))
            .await
            .map_err(|e| map_host_error(&e, TabRef::Target(tab)))?;
        set_active(ctx, &session.id, tab);
        return page_result(ctx, tab, false).await;
    }
    let tab = open_tab(ctx).await?;
    ctx.rt.with_state(|st| {
        if let Some(s) = st.sessions.get_mut(&session.id) {
            s.pages.insert(name, tab);
        }
    });
    page_result(ctx, tab, true).await
}

fn set_active<H: Host>(ctx: &Ctx<H>, session_id: &str, tab: TabId) {
    ctx.rt.with_state(|st| {
        if let Some(s) = st.sessions.get_mut(session_id) {
            s.active = tab;
        }
    });
}

async fn page_result<H: Host>(ctx: &Ctx<H>, tab: TabId, created: bool) -> CmdResult {
    let info = ctx.tab_info(tab).await?;
    Ok(json!({
        "targetId": target_id(tab),
        "created": created,
        "url": info.url,
        "title": info.title,
    }))
}

/// `page.list {}` → `{pages:[{name, targetId, url, title}]}` in naming order; names whose tab vanished are
/// left out.
///
/// # Errors
/// `invalid_session` when the session ended meanwhile.
pub async fn list<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let session = ctx.session()?;
    let mut pages = Vec::new();
    for (name, tab) in session.pages.named() {
        if !session.targets.contains(tab) {
            continue;
        }
        let Ok(Some(info)) = ctx.bounded(ctx.host().get_tab(*tab)).await else {
            continue;
        };
        pages.push(json!({
            "name": name,
            "targetId": target_id(*tab),
            "url": info.url,
            "title": info.title,
        }));
    }
    Ok(json!({ "pages": pages }))
}

/// `page.close {name}` → `{ok:true}`: forgets the name and closes its target like `targets.close` (the tab is
/// closed best effort; closing the root target ends the session).
///
/// # Errors
/// `invalid_request "Missing name"`; `invalid_request "Unknown page name"`.
pub async fn close<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let name = required_name(ctx)?;
    let session = ctx.session()?;
    let tab = named_tab(&session, &name).ok_or_else(|| invalid_request("Unknown page name"))?;
    ctx.rt.with_state(|st| {
        if let Some(s) = st.sessions.get_mut(&session.id) {
            s.pages.remove_name(&name);
        }
    });
    close_target(ctx, &session, tab).await
}
