//! `chrome.tabs`: query, get, create, update, remove, captureVisibleTab, getCurrent.

use odb_ops::TabInfo;
use serde::Deserialize;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = query)]
    fn query_raw(info: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = get)]
    fn get_raw(tab_id: f64) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = create)]
    fn create_raw(props: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = update)]
    fn update_raw(tab_id: f64, props: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = remove)]
    fn remove_raw(tab_id: f64) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = captureVisibleTab)]
    fn capture_visible_tab_raw(
        window_id: f64,
        options: &JsValue,
    ) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = reload)]
    fn reload_raw(tab_id: f64) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = getCurrent)]
    fn get_current_raw() -> Result<js_sys::Promise, JsValue>;
}

/// The fields of `chrome.tabs.Tab` we read.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tab {
    /// `tab.id` (absent for some devtools tabs).
    pub id: Option<i64>,
    /// `tab.windowId`.
    pub window_id: Option<i64>,
    /// `tab.url` (needs the `tabs` permission).
    pub url: Option<String>,
    /// `tab.pendingUrl` while a navigation commits.
    pub pending_url: Option<String>,
    /// `tab.title`.
    pub title: Option<String>,
    /// `"loading"` or `"complete"`.
    pub status: Option<String>,
    /// Active in its window.
    #[serde(default)]
    pub active: bool,
    /// `tab.openerTabId`: the tab that opened this one (popups, `target=_blank` links).
    pub opener_tab_id: Option<i64>,
}

impl Tab {
    /// Parses a `Tab` object; `None` for `undefined` or a tab without id.
    pub fn from_js(value: &JsValue) -> Option<Tab> {
        let tab: Tab = serde_json::from_value(crate::js::js_to_json(value)).ok()?;
        tab.id.map(|_| tab)
    }

    /// The ops runtime's view.
    pub fn info(&self) -> TabInfo {
        TabInfo {
            id: self.id.unwrap_or(-1),
            url: self
                .url
                .clone()
                .filter(|u| !u.is_empty())
                .or_else(|| self.pending_url.clone())
                .unwrap_or_default(),
            title: self.title.clone().unwrap_or_default(),
            status: self.status.clone(),
            active: self.active,
        }
    }
}

fn tabs_from(value: &JsValue) -> Vec<Tab> {
    serde_json::from_value::<Vec<Value>>(crate::js::js_to_json(value))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| serde_json::from_value::<Tab>(v).ok())
        .filter(|t| t.id.is_some())
        .collect()
}

/// `chrome.tabs.query(info)`.
pub async fn query(info: &Value) -> Result<Vec<Tab>, String> {
    let r = crate::js::await_promise(query_raw(&crate::js::to_js(info))).await?;
    Ok(tabs_from(&r))
}

/// `chrome.tabs.get(id)`; `Ok(None)` when the tab does not exist.
pub async fn get(tab_id: i64) -> Result<Option<Tab>, String> {
    match crate::js::await_promise(get_raw(tab_id as f64)).await {
        Ok(v) => Ok(Tab::from_js(&v)),
        Err(e) if e.starts_with("No tab with id") => Ok(None),
        Err(e) => Err(e),
    }
}

/// `chrome.tabs.create({url, active})`.
pub async fn create(url: &str, active: bool) -> Result<Tab, String> {
    let props = crate::js::to_js(&json!({ "url": url, "active": active }));
    let v = crate::js::await_promise(create_raw(&props)).await?;
    Tab::from_js(&v).ok_or_else(|| "chrome.tabs.create returned no tab".to_string())
}

/// `chrome.tabs.update(id, {active: true})`: the updated tab.
pub async fn activate(tab_id: i64) -> Result<Option<Tab>, String> {
    let props = crate::js::to_js(&json!({ "active": true }));
    let v = crate::js::await_promise(update_raw(tab_id as f64, &props)).await?;
    Ok(Tab::from_js(&v))
}

/// `chrome.tabs.update(id, {url})`: navigates the tab.
pub async fn navigate(tab_id: i64, url: &str) -> Result<(), String> {
    let props = crate::js::to_js(&json!({ "url": url }));
    crate::js::await_promise(update_raw(tab_id as f64, &props))
        .await
        .map(drop)
}

/// `chrome.tabs.remove(id)`.
pub async fn remove(tab_id: i64) -> Result<(), String> {
    crate::js::await_promise(remove_raw(tab_id as f64))
        .await
        .map(drop)
}

/// `chrome.tabs.reload(id)`.
pub async fn reload(tab_id: i64) -> Result<(), String> {
    crate::js::await_promise(reload_raw(tab_id as f64))
        .await
        .map(drop)
}

/// `chrome.tabs.captureVisibleTab(windowId, {format: "png"})`: a `data:image/png;base64,` URL.
pub async fn capture_visible_tab(window_id: i64) -> Result<String, String> {
    let options = crate::js::to_js(&json!({ "format": "png" }));
    let v = crate::js::await_promise(capture_visible_tab_raw(window_id as f64, &options)).await?;
    v.as_string()
        .ok_or_else(|| "captureVisibleTab returned no data URL".to_string())
}

/// `chrome.tabs.getCurrent()`: the tab of the calling page, if it is in a tab.
pub async fn get_current() -> Result<Option<Tab>, String> {
    let v = crate::js::await_promise(get_current_raw()).await?;
    Ok(Tab::from_js(&v))
}

/// The active tab of the last-focused window, else any active tab.
pub async fn active() -> Result<Option<Tab>, String> {
    let focused = query(&json!({ "active": true, "lastFocusedWindow": true })).await?;
    if let Some(tab) = focused.into_iter().next() {
        return Ok(Some(tab));
    }
    Ok(query(&json!({ "active": true })).await?.into_iter().next())
}
