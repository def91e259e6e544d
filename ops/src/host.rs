//! The browser seam: everything the ops runtime needs from the outside world.
//!
//! The extension implements [`Host`] over `chrome.tabs` + `chrome.debugger` (wasm); managed mode (a later
//! issue) implements it over a native CDP WebSocket. The command logic in this crate never names `chrome.*`.
//!
//! Invariant: a `Host` is single-threaded (futures are `!Send`); the runtime lives in one task set
//! (the service worker's event loop, or a tokio `LocalSet`).

use futures::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A `chrome.tabs` tab id. Targets are named `tab-<id>` on the wire (PROTOCOL.md §3.5).
pub type TabId = i64;

/// What the runtime needs to know about a tab (a subset of `chrome.tabs.Tab`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TabInfo {
    /// `tab.id`.
    pub id: TabId,
    /// `tab.url` (or `pendingUrl` while loading); empty when unknown.
    pub url: String,
    /// `tab.title`; empty when unknown.
    pub title: String,
    /// `tab.status`: `"loading"` or `"complete"` (`None` when unknown).
    pub status: Option<String>,
    /// `tab.active` in its window.
    pub active: bool,
}

/// Where a CDP command goes: the root target of a tab, or a flat child session inside it
/// (`chrome.debugger` `DebuggerSession`, Chrome 125+).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Debuggee {
    /// The tab the debugger is attached to.
    pub tab_id: TabId,
    /// A CDP session id of a child target (an OOPIF, a worker), when not the tab's root.
    pub session_id: Option<String>,
}

impl Debuggee {
    /// The root target of `tab_id`.
    pub fn tab(tab_id: TabId) -> Self {
        Debuggee {
            tab_id,
            session_id: None,
        }
    }
}

/// A failure reported by the browser, e.g. `chrome.runtime.lastError.message` or a CDP error message:
/// `"No tab with id: 5."`, `"Another debugger is already attached to the tab with id: 5."`,
/// `"Cannot access a chrome:// URL"`, `"No node with given id found"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError {
    /// The browser's message, verbatim.
    pub message: String,
}

impl HostError {
    /// A host error carrying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        HostError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HostError {}

/// The browser and the outside world, as the ops runtime sees them.
///
/// Events flow the other way: the embedder calls [`crate::Runtime::on_cdp_event`],
/// [`crate::Runtime::on_detach`], [`crate::Runtime::on_tab_removed`] and friends.
#[allow(async_fn_in_trait)]
pub trait Host: 'static {
    /// The active tab of the last-focused window (`chrome.tabs.query({active:true,lastFocusedWindow:true})`).
    async fn active_tab(&self) -> Result<Option<TabInfo>, HostError>;
    /// Every tab (`chrome.tabs.query({})`).
    async fn list_tabs(&self) -> Result<Vec<TabInfo>, HostError>;
    /// One tab, `None` when it does not exist (`chrome.tabs.get`).
    async fn get_tab(&self, tab_id: TabId) -> Result<Option<TabInfo>, HostError>;
    /// Opens a tab at `url` (`chrome.tabs.create({url, active})`); does not wait for the load.
    async fn create_tab(&self, url: &str, active: bool) -> Result<TabInfo, HostError>;
    /// Makes the tab active and focuses its window (`chrome.tabs.update(id,{active:true})`).
    async fn activate_tab(&self, tab_id: TabId) -> Result<(), HostError>;
    /// Closes the tab (`chrome.tabs.remove`).
    async fn close_tab(&self, tab_id: TabId) -> Result<(), HostError>;
    /// Attaches the debugger to the tab with protocol version `"1.3"` (`chrome.debugger.attach`).
    async fn attach(&self, tab_id: TabId) -> Result<(), HostError>;
    /// Detaches the debugger from the tab (`chrome.debugger.detach`).
    async fn detach(&self, tab_id: TabId) -> Result<(), HostError>;
    /// Sends one CDP command and returns its `result` object (`chrome.debugger.sendCommand`).
    ///
    /// # Errors
    /// The CDP or chrome error message, verbatim.
    async fn send_command(
        &self,
        debuggee: &Debuggee,
        method: &str,
        params: Value,
    ) -> Result<Value, HostError>;
    /// Captures the visible area of the tab's window as a PNG, base64 without a data-URL prefix
    /// (`chrome.tabs.captureVisibleTab`); the screenshot fallback.
    async fn capture_visible_tab(&self, tab_id: TabId) -> Result<String, HostError>;
    /// Resolves after `ms` milliseconds.
    async fn sleep_ms(&self, ms: u64);
    /// Milliseconds since the Unix epoch, fractional (`Date.now()`).
    fn now_ms(&self) -> f64;
    /// Runs a future to completion in the background, on the same thread.
    fn spawn(&self, fut: LocalBoxFuture<'static, ()>);
    /// Sends one serialized `/ops` envelope to the relay (or the native port). Queued by the embedder
    /// while its socket is not open; dropped when it is gone for good.
    fn send_to_relay(&self, message: String);
    /// A fresh random UUID v4 string.
    fn new_id(&self) -> String;
    /// The session mode this host drives, as `session.status` and `nav.review` report it (PROTOCOL.md §3.5):
    /// `"extension"` (the default: chrome.debugger in the extension), or `"managed"` / `"cdpConnect"` for a
    /// host driving the browser over CDP directly (`odb-managed`).
    fn mode(&self) -> &'static str {
        "extension"
    }
}
