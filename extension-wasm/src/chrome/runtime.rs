//! `chrome.runtime`: messages between the popup / connect page and the background.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = sendMessage)]
    fn send_message_raw(message: &JsValue) -> Result<js_sys::Promise, JsValue>;

    /// `chrome.runtime.getURL(path)`: `chrome-extension://<id>/<path>`.
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = getURL)]
    pub fn get_url(path: &str) -> String;
}

/// `chrome.runtime.sendMessage(message)`: the background's reply as JSON.
pub async fn send_message(message: &serde_json::Value) -> Result<serde_json::Value, String> {
    let reply = crate::js::await_promise(send_message_raw(&crate::js::to_js(message))).await?;
    Ok(crate::js::js_to_json(&reply))
}
