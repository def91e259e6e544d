//! Popup adoption (PROTOCOL.md §3.6): a tab opened by a session tab (`window.open`, `target=_blank`) joins that
//! session as a target at once, and its debugger is attached in the background with the usual enable sequence.
//! Until that finishes, commands on it fail with the retryable `execution_failed "Popup target has not
//! finished attaching yet (stage: …)"`.
//!
//! The popup does **not** become the active target by itself (§3.6 only says it *may*): it lands asynchronously,
//! after the click that opened it has already answered, so switching on our own would make the target of the
//! next command depend on timing. Clients pick it with `targets.use` (it is listed by `targets.list` right away).

use odb_protocol::error::OpsErrorBody;
use serde_json::{json, Value};

use crate::commands::Ctx;
use crate::errors::{execution_failed, CmdError, TabRef};
use crate::host::{Host, TabId, TabInfo};
use crate::runtime::Runtime;
use crate::session::target_id;

/// How long adoption waits for the popup's first load before attaching, in ms (a timeout is not an error).
const POPUP_LOAD_WAIT_MS: u64 = 5_000;

/// Where an adopted popup is in its attach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PopupStage {
    /// Waiting (up to 5 s) for the popup's first load to complete.
    WaitingForLoad,
    /// `chrome.debugger.attach` and the domain enable sequence are running.
    Attaching,
}

impl PopupStage {
    /// The stage as named in the error message and its `details.stage`.
    pub fn as_str(self) -> &'static str {
        match self {
            PopupStage::WaitingForLoad => "waiting_for_load",
            PopupStage::Attaching => "attaching",
        }
    }
}

/// A tab was created (`chrome.tabs.onCreated` with `openerTabId`, or `webNavigation.onCreatedNavigationTarget`
/// with `sourceTabId`; one popup usually reports both, in either order). When `opener` is a target of live
/// sessions, `tab` joins each of them as a target (idempotent: a tab that is already a target is left alone) and
/// its debugger is attached in the background. A popup whose attach fails leaves the sessions again.
pub fn on_tab_created<H: Host>(rt: &Runtime<H>, tab: &TabInfo, opener: Option<TabId>) {
    let Some(opener) = opener.filter(|o| *o != tab.id) else {
        return;
    };
    let adopters: Vec<(String, String)> = rt.with_state(|st| {
        let mut adopters = Vec::new();
        for s in st.sessions.values_mut() {
            if s.targets.contains(&opener) && !s.targets.contains(&tab.id) {
                s.targets.push(tab.id);
                s.pages.set_adopting(tab.id, PopupStage::WaitingForLoad);
                adopters.push((s.id.clone(), s.owner.clone()));
            }
        }
        adopters
    });
    let Some((session_id, owner)) = adopters.first().cloned() else {
        return;
    };
    let ctx = Ctx {
        rt: rt.clone(),
        request_id: format!("popup-adopt-{}", tab.id),
        client_id: owner,
        session_id: Some(session_id),
        lease_id: None,
        command: "popup.adopt".to_string(),
        payload: Value::Null,
        started_ms: rt.host().now_ms(),
    };
    let sessions: Vec<String> = adopters.into_iter().map(|(id, _)| id).collect();
    let tab_id = tab.id;
    rt.host()
        .spawn(Box::pin(async move { adopt(ctx, tab_id, sessions).await }));
}

/// Sets the adoption stage of `tab` in the `sessions` still adopting it.
fn set_stage<H: Host>(rt: &Runtime<H>, tab: TabId, sessions: &[String], stage: PopupStage) {
    rt.with_state(|st| {
        for id in sessions {
            if let Some(s) = st.sessions.get_mut(id) {
                if s.pages.adopting(tab).is_some() {
                    s.pages.set_adopting(tab, stage);
                }
            }
        }
    });
}

/// The background half of adoption: wait for the first load, attach and enable, then either finish (the tab
/// stays a target) or give up (the tab leaves the sessions). A popup closed meanwhile is detached again.
async fn adopt<H: Host>(ctx: Ctx<H>, tab: TabId, sessions: Vec<String>) {
    ctx.wait_tab_complete(tab, POPUP_LOAD_WAIT_MS).await;
    set_stage(&ctx.rt, tab, &sessions, PopupStage::Attaching);
    let attached = ctx.attach_tab(tab, TabRef::Target(tab)).await.is_ok();
    let freed = ctx.rt.with_state(|st| {
        for id in &sessions {
            if let Some(s) = st.sessions.get_mut(id) {
                s.pages.finish_adopting(tab);
                if !attached {
                    s.targets.retain(|t| *t != tab);
                    if s.active == tab {
                        s.active = s.root;
                    }
                }
            }
        }
        st.forget_unused(&[tab])
    });
    ctx.rt.detach_tabs(freed).await;
}

/// The retryable error for a command that reached `tab` while it is still being adopted as a popup, naming the
/// stage: `execution_failed "Popup target has not finished attaching yet (stage: attaching)."` with
/// `details {targetId, stage}` (PROTOCOL.md §3.2). `None` when no session is adopting `tab`.
pub fn attaching_error<H: Host>(rt: &Runtime<H>, tab: TabId) -> Option<CmdError> {
    let stage = rt.with_state(|st| st.sessions.values().find_map(|s| s.pages.adopting(tab)))?;
    let mut error: OpsErrorBody = execution_failed(format!(
        "Popup target has not finished attaching yet (stage: {}).",
        stage.as_str()
    ))
    .with_details(json!({ "targetId": target_id(tab), "stage": stage.as_str() }));
    error.retryable = true;
    Some(error)
}
