//! `chrome.windows`: focusing a tab's window.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "windows"], js_name = update)]
    fn update_raw(window_id: f64, info: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

/// `chrome.windows.update(windowId, {focused: true})`.
pub async fn focus(window_id: i64) -> Result<(), String> {
    let info = crate::js::to_js(&serde_json::json!({ "focused": true }));
    crate::js::await_promise(update_raw(window_id as f64, &info))
        .await
        .map(drop)
}
