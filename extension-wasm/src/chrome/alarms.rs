//! `chrome.alarms`: the auto-connect retry and watchdog alarms.

use wasm_bindgen::prelude::*;

/// One-shot retry alarm (PROTOCOL.md §2.2).
pub const RETRY: &str = "opendevbrowser-auto-connect";
/// Periodic watchdog alarm, every minute (PROTOCOL.md §2.2).
pub const WATCHDOG: &str = "opendevbrowser-auto-connect-watchdog";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "alarms"], js_name = create)]
    fn create_raw(name: &str, info: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "alarms"], js_name = clear)]
    fn clear_raw(name: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "alarms"], js_name = get)]
    fn get_raw(name: &str) -> Result<js_sys::Promise, JsValue>;
}

/// `chrome.alarms.create(name, {delayInMinutes})`: one shot after `delay_ms`.
pub async fn create_once(name: &str, delay_ms: u32) -> Result<(), String> {
    let info =
        crate::js::to_js(&serde_json::json!({ "delayInMinutes": f64::from(delay_ms) / 60_000.0 }));
    crate::js::await_promise(create_raw(name, &info))
        .await
        .map(drop)
}

/// `chrome.alarms.create(name, {periodInMinutes})`, only when no alarm of that name exists (re-creating
/// would postpone it).
pub async fn ensure_periodic(name: &str, period_minutes: f64) -> Result<(), String> {
    let existing = crate::js::await_promise(get_raw(name)).await?;
    if !existing.is_undefined() && !existing.is_null() {
        return Ok(());
    }
    let info = crate::js::to_js(&serde_json::json!({ "periodInMinutes": period_minutes }));
    crate::js::await_promise(create_raw(name, &info))
        .await
        .map(drop)
}

/// `chrome.alarms.clear(name)`.
pub async fn clear(name: &str) -> Result<(), String> {
    crate::js::await_promise(clear_raw(name)).await.map(drop)
}
