//! [`ChromeHost`]: `odb_ops::Host` over chrome.tabs / chrome.debugger, timers and the relay [`Link`].

use std::rc::Rc;

use futures::future::LocalBoxFuture;
use odb_ops::{Debuggee, Host, HostError, TabId, TabInfo};
use serde_json::{json, Value};

use crate::chrome::{debugger, tabs, windows};
use crate::link::Link;

/// The extension's browser, as the ops runtime sees it.
pub struct ChromeHost {
    link: Rc<Link>,
}

impl ChromeHost {
    /// A host whose relay messages go through `link`.
    pub fn new(link: Rc<Link>) -> Self {
        ChromeHost { link }
    }
}

fn err(message: String) -> HostError {
    HostError::new(message)
}

impl Host for ChromeHost {
    async fn active_tab(&self) -> Result<Option<TabInfo>, HostError> {
        Ok(tabs::active().await.map_err(err)?.map(|t| t.info()))
    }

    async fn list_tabs(&self) -> Result<Vec<TabInfo>, HostError> {
        let all = tabs::query(&json!({})).await.map_err(err)?;
        Ok(all.iter().map(tabs::Tab::info).collect())
    }

    async fn get_tab(&self, tab_id: TabId) -> Result<Option<TabInfo>, HostError> {
        Ok(tabs::get(tab_id).await.map_err(err)?.map(|t| t.info()))
    }

    async fn create_tab(&self, url: &str, active: bool) -> Result<TabInfo, HostError> {
        Ok(tabs::create(url, active).await.map_err(err)?.info())
    }

    async fn activate_tab(&self, tab_id: TabId) -> Result<(), HostError> {
        let tab = tabs::activate(tab_id).await.map_err(err)?;
        if let Some(window) = tab.and_then(|t| t.window_id) {
            // Focusing can fail in headless or kiosk setups; the tab is active either way.
            if let Err(e) = windows::focus(window).await {
                warn!("window focus failed: {e}");
            }
        }
        Ok(())
    }

    async fn close_tab(&self, tab_id: TabId) -> Result<(), HostError> {
        tabs::remove(tab_id).await.map_err(err)
    }

    async fn attach(&self, tab_id: TabId) -> Result<(), HostError> {
        debugger::attach(tab_id).await.map_err(err)
    }

    async fn detach(&self, tab_id: TabId) -> Result<(), HostError> {
        debugger::detach(tab_id).await.map_err(err)
    }

    async fn send_command(
        &self,
        debuggee: &Debuggee,
        method: &str,
        params: Value,
    ) -> Result<Value, HostError> {
        debugger::send_command(debuggee, method, &params)
            .await
            .map_err(err)
    }

    async fn capture_visible_tab(&self, tab_id: TabId) -> Result<String, HostError> {
        let tab = tabs::get(tab_id)
            .await
            .map_err(err)?
            .ok_or_else(|| HostError::new(format!("No tab with id: {tab_id}.")))?;
        let window = tab
            .window_id
            .ok_or_else(|| HostError::new("Tab has no window"))?;
        let url = tabs::capture_visible_tab(window).await.map_err(err)?;
        Ok(url
            .split_once("base64,")
            .map_or(url.as_str(), |(_, b64)| b64)
            .to_string())
    }

    async fn sleep_ms(&self, ms: u64) {
        crate::js::sleep_ms(ms.min(u64::from(u32::MAX)) as u32).await;
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn spawn(&self, fut: LocalBoxFuture<'static, ()>) {
        wasm_bindgen_futures::spawn_local(fut);
    }

    fn send_to_relay(&self, message: String) {
        self.link.send(message);
    }

    fn new_id(&self) -> String {
        crate::js::random_uuid()
    }
}
