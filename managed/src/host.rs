//! [`CdpHost`]: `odb_ops::Host` over one browser-level CDP connection, so the ops runtime (the same code the
//! extension runs in wasm) drives a browser natively.
//!
//! | Host call | chrome.* in the extension | CDP here |
//! |---|---|---|
//! | tabs | `chrome.tabs.query/get` | `Target.getTargets` / `getTargetInfo` (type `page`), numbered by [`TabMap`] |
//! | `create_tab` | `chrome.tabs.create` | `Target.createTarget about:blank` + `Page.navigate` on a watcher session |
//! | `activate_tab` / `close_tab` | `chrome.tabs.update/remove` | `Target.activateTarget` / `closeTarget` |
//! | `attach` / `detach` | `chrome.debugger.attach/detach` | `Target.attachToTarget {flatten}` / `detachFromTarget` |
//! | `send_command` | `chrome.debugger.sendCommand` | the tab's root session, or the child `sessionId` |
//! | `capture_visible_tab` | `chrome.tabs.captureVisibleTab` | `Page.captureScreenshot {format:"png"}` |
//!
//! Tab status (`loading`/`complete`) is `loading` while a main-frame navigation is pending, else
//! `document.readyState` read through the tab's watcher session (a second flat session the host keeps for
//! itself, so the runtime's own session stays exactly what it enabled). A tab's URL is the pending navigation's
//! while there is one, as `chrome.tabs` reports `pendingUrl`.
//! Browser errors are reworded to chrome's forms (`No tab with id: N.`, `Debugger is not attached to the tab
//! with id: N.`) so `odb_ops::errors` maps them the same way in both modes.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use futures::future::LocalBoxFuture;
use odb_cdp::target::{self, TargetInfo};
use odb_cdp::{CdpConnection, CdpError};
use odb_ops::{Debuggee, Host, HostError, TabId, TabInfo};
use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedSender;

use crate::tabs::{Route, TabMap};

/// The client-side deadline of a runtime CDP call; the runtime races every call against its own (shorter)
/// deadline, so this only bounds calls it has abandoned.
const RUNTIME_CALL_TIMEOUT: Duration = Duration::from_secs(600);
/// The deadline of one `document.readyState` probe.
const READY_PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The native browser host: a CDP connection, the tab table, and the outbox to the `/ops` client.
pub struct CdpHost {
    conn: CdpConnection,
    tabs: Rc<RefCell<TabMap>>,
    out: UnboundedSender<String>,
    mode: &'static str,
}

fn no_tab(tab: TabId) -> HostError {
    HostError::new(format!("No tab with id: {tab}."))
}

fn not_attached(tab: TabId) -> HostError {
    HostError::new(format!(
        "Debugger is not attached to the tab with id: {tab}."
    ))
}

/// Whether a CDP error says the target is gone.
fn target_gone(err: &CdpError) -> bool {
    matches!(err, CdpError::Protocol { message, .. }
        if message.contains("No target with given id") || message.contains("Target closed"))
}

impl CdpHost {
    /// A host over `conn` whose relay-bound envelopes go to `out`; `tabs` is shared with the event router;
    /// `mode` is what `session.status` / `nav.review` report (`"managed"` or `"cdpConnect"`).
    pub fn new(
        conn: CdpConnection,
        tabs: Rc<RefCell<TabMap>>,
        out: UnboundedSender<String>,
        mode: &'static str,
    ) -> Self {
        CdpHost {
            conn,
            tabs,
            out,
            mode,
        }
    }

    /// The CDP connection.
    pub fn connection(&self) -> &CdpConnection {
        &self.conn
    }

    fn target(&self, tab: TabId) -> Result<String, HostError> {
        self.tabs.borrow().target_of(tab).ok_or_else(|| no_tab(tab))
    }

    /// Every page target, registered in the tab table, in the browser's order.
    async fn pages(&self) -> Result<Vec<TargetInfo>, HostError> {
        let all = target::get_targets(&self.conn)
            .await
            .map_err(|e| HostError::new(e.to_string()))?;
        let pages: Vec<TargetInfo> = all
            .into_iter()
            .filter(|t| t.is_page() && !t.url.starts_with("devtools://"))
            .collect();
        let mut map = self.tabs.borrow_mut();
        for p in &pages {
            map.register(&p.target_id);
        }
        Ok(pages)
    }

    fn info(&self, t: &TargetInfo, status: Option<String>) -> TabInfo {
        let map = self.tabs.borrow();
        let id = map.tab_of(&t.target_id).unwrap_or_default();
        TabInfo {
            id,
            url: t.url.clone(),
            title: t.title.clone(),
            status,
            active: map.active == Some(id),
        }
    }

    /// The host's own session on `tab`, attached on first use.
    async fn watcher(&self, tab: TabId) -> Result<String, HostError> {
        if let Some(s) = self.tabs.borrow().watcher(tab) {
            return Ok(s);
        }
        self.attach_route(tab, Route::Watcher(tab)).await
    }

    /// Attaches a flat session to `tab`'s target and records it under `route`; returns the session id.
    async fn attach_route(&self, tab: TabId, route: Route) -> Result<String, HostError> {
        let target_id = self.target(tab)?;
        let session = target::attach_to_target(&self.conn, &target_id)
            .await
            .map_err(|e| {
                if target_gone(&e) {
                    no_tab(tab)
                } else {
                    HostError::new(e.to_string())
                }
            })?;
        self.tabs.borrow_mut().add_session(&session, route);
        Ok(session)
    }

    /// `"complete"` when the tab's `document.readyState` is, else `"loading"` (also while it cannot answer).
    async fn ready_state(&self, tab: TabId) -> String {
        let Ok(session) = self.watcher(tab).await else {
            return "loading".into();
        };
        let probe = self
            .conn
            .send_with_timeout(
                Some(&session),
                "Runtime.evaluate",
                json!({"expression": "document.readyState", "returnByValue": true}),
                READY_PROBE_TIMEOUT,
            )
            .await;
        match probe {
            Ok(r) if r.pointer("/result/value").and_then(Value::as_str) == Some("complete") => {
                "complete".into()
            }
            _ => "loading".into(),
        }
    }
}

impl Host for CdpHost {
    async fn active_tab(&self) -> Result<Option<TabInfo>, HostError> {
        let pages = self.pages().await?;
        let active = self.tabs.borrow().active;
        let pick = pages
            .iter()
            .find(|p| self.tabs.borrow().tab_of(&p.target_id) == active)
            .or_else(|| pages.first());
        Ok(pick.map(|p| {
            let mut info = self.info(p, None);
            info.active = true;
            info
        }))
    }

    async fn list_tabs(&self) -> Result<Vec<TabInfo>, HostError> {
        let pages = self.pages().await?;
        Ok(pages.iter().map(|p| self.info(p, None)).collect())
    }

    async fn get_tab(&self, tab_id: TabId) -> Result<Option<TabInfo>, HostError> {
        let Some(target_id) = self.tabs.borrow().target_of(tab_id) else {
            return Ok(None);
        };
        let info = match target::get_target_info(&self.conn, &target_id).await {
            Ok(info) => info,
            Err(e) if target_gone(&e) => return Ok(None),
            Err(e) => return Err(HostError::new(e.to_string())),
        };
        let pending = self.tabs.borrow().pending(tab_id);
        let status = match pending {
            Some(_) => "loading".to_string(),
            None => self.ready_state(tab_id).await,
        };
        let mut tab = self.info(&info, Some(status));
        if let Some(url) = pending {
            tab.url = url;
        }
        Ok(Some(tab))
    }

    async fn create_tab(&self, url: &str, active: bool) -> Result<TabInfo, HostError> {
        let target_id = target::create_target(&self.conn, "about:blank", !active)
            .await
            .map_err(|e| HostError::new(e.to_string()))?;
        let tab = self.tabs.borrow_mut().register(&target_id);
        if active {
            self.tabs.borrow_mut().active = Some(tab);
        }
        // Navigating from the watcher makes "complete" mean the new document: Page.navigate answers once the
        // navigation committed, so the blank page's readyState can no longer be mistaken for the load.
        let session = self.watcher(tab).await?;
        let nav = self
            .conn
            .send(Some(&session), "Page.navigate", json!({ "url": url }))
            .await
            .map_err(|e| HostError::new(e.to_string()))?;
        if let Some(error) = nav.get("errorText").and_then(Value::as_str) {
            tracing::debug!(tab, error, "new tab navigation failed");
        }
        Ok(TabInfo {
            id: tab,
            url: url.to_string(),
            title: String::new(),
            status: Some("loading".into()),
            active,
        })
    }

    async fn activate_tab(&self, tab_id: TabId) -> Result<(), HostError> {
        let target_id = self.target(tab_id)?;
        target::activate_target(&self.conn, &target_id)
            .await
            .map_err(|e| {
                if target_gone(&e) {
                    no_tab(tab_id)
                } else {
                    HostError::new(e.to_string())
                }
            })?;
        self.tabs.borrow_mut().active = Some(tab_id);
        Ok(())
    }

    async fn close_tab(&self, tab_id: TabId) -> Result<(), HostError> {
        let target_id = self.target(tab_id)?;
        target::close_target(&self.conn, &target_id)
            .await
            .map_err(|e| {
                if target_gone(&e) {
                    no_tab(tab_id)
                } else {
                    HostError::new(e.to_string())
                }
            })
    }

    async fn attach(&self, tab_id: TabId) -> Result<(), HostError> {
        if self.tabs.borrow().root(tab_id).is_some() {
            return Ok(());
        }
        self.attach_route(tab_id, Route::Root(tab_id))
            .await
            .map(drop)
    }

    async fn detach(&self, tab_id: TabId) -> Result<(), HostError> {
        let session = {
            let mut map = self.tabs.borrow_mut();
            let Some(session) = map.root(tab_id) else {
                return Err(not_attached(tab_id));
            };
            map.mark_detaching(&session);
            map.remove_session(&session);
            session
        };
        target::detach_from_target(&self.conn, &session)
            .await
            .map_err(|e| HostError::new(e.to_string()))
    }

    async fn send_command(
        &self,
        debuggee: &Debuggee,
        method: &str,
        params: Value,
    ) -> Result<Value, HostError> {
        let tab = debuggee.tab_id;
        let session = match &debuggee.session_id {
            Some(child) => child.clone(),
            None => self
                .tabs
                .borrow()
                .root(tab)
                .ok_or_else(|| not_attached(tab))?,
        };
        self.conn
            .send_with_timeout(Some(&session), method, params, RUNTIME_CALL_TIMEOUT)
            .await
            .map_err(|e| match e {
                e if e.is_session_gone() => not_attached(tab),
                CdpError::Closed => HostError::new(format!(
                    "Detached while handling command (the browser connection closed; tab {tab})."
                )),
                other => HostError::new(other.to_string()),
            })
    }

    async fn capture_visible_tab(&self, tab_id: TabId) -> Result<String, HostError> {
        let session = self.watcher(tab_id).await?;
        let shot = self
            .conn
            .send(
                Some(&session),
                "Page.captureScreenshot",
                json!({"format": "png"}),
            )
            .await
            .map_err(|e| HostError::new(e.to_string()))?;
        shot.get("data")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| HostError::new("Page.captureScreenshot returned no data"))
    }

    async fn sleep_ms(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    fn now_ms(&self) -> f64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    }

    fn spawn(&self, fut: LocalBoxFuture<'static, ()>) {
        tokio::task::spawn_local(fut);
    }

    fn send_to_relay(&self, message: String) {
        if self.out.send(message).is_err() {
            tracing::debug!("native ops answer dropped: the client is gone");
        }
    }

    fn new_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }

    fn mode(&self) -> &'static str {
        self.mode
    }
}
