//! `chrome.action`: the toolbar badge.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "action"], js_name = setBadgeText)]
    fn set_badge_text_raw(details: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "action"], js_name = setBadgeBackgroundColor)]
    fn set_badge_background_color_raw(details: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

/// `chrome.action.setBadgeText({text})`.
pub async fn set_badge_text(text: &str) -> Result<(), String> {
    let details = crate::js::to_js(&serde_json::json!({ "text": text }));
    crate::js::await_promise(set_badge_text_raw(&details))
        .await
        .map(drop)
}

/// `chrome.action.setBadgeBackgroundColor({color})`, `color` a CSS colour like `#16a34a`.
pub async fn set_badge_background_color(color: &str) -> Result<(), String> {
    let details = crate::js::to_js(&serde_json::json!({ "color": color }));
    crate::js::await_promise(set_badge_background_color_raw(&details))
        .await
        .map(drop)
}
