//! `chrome.debugger`: attach, detach, sendCommand (protocol 1.3, flat sessions, Chrome 125+).

use odb_ops::Debuggee;
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "debugger"], js_name = attach)]
    fn attach_raw(target: &JsValue, version: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "debugger"], js_name = detach)]
    fn detach_raw(target: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "debugger"], js_name = sendCommand)]
    fn send_command_raw(
        target: &JsValue,
        method: &str,
        params: &JsValue,
    ) -> Result<js_sys::Promise, JsValue>;
}

/// The CDP protocol version chrome.debugger is attached with.
pub const PROTOCOL_VERSION: &str = "1.3";

fn target(debuggee: &Debuggee) -> JsValue {
    let mut t = serde_json::json!({ "tabId": debuggee.tab_id });
    if let Some(session) = &debuggee.session_id {
        t["sessionId"] = Value::String(session.clone());
    }
    crate::js::to_js(&t)
}

/// `chrome.debugger.attach({tabId}, "1.3")`.
pub async fn attach(tab_id: i64) -> Result<(), String> {
    let t = target(&Debuggee::tab(tab_id));
    crate::js::await_promise(attach_raw(&t, PROTOCOL_VERSION))
        .await
        .map(drop)
}

/// `chrome.debugger.detach({tabId})`.
pub async fn detach(tab_id: i64) -> Result<(), String> {
    let t = target(&Debuggee::tab(tab_id));
    crate::js::await_promise(detach_raw(&t)).await.map(drop)
}

/// `chrome.debugger.sendCommand(target, method, params)`: the CDP `result` object.
pub async fn send_command(
    debuggee: &Debuggee,
    method: &str,
    params: &Value,
) -> Result<Value, String> {
    let params = if params.is_null() {
        JsValue::UNDEFINED
    } else {
        crate::js::json_to_js(params)
    };
    let result = crate::js::await_promise(send_command_raw(&target(debuggee), method, &params))
        .await
        .map_err(|e| cdp_error_message(&e))?;
    Ok(crate::js::js_to_json(&result))
}

/// Chrome reports a CDP error as the JSON text `{"code":-32000,"message":"Not allowed"}`: keep the message.
fn cdp_error_message(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| text.to_string())
}

/// Reads a `Debuggee` source object `{tabId, sessionId?}` of `onEvent`/`onDetach`.
pub fn debuggee_from_js(source: &JsValue) -> Option<Debuggee> {
    let v = crate::js::js_to_json(source);
    Some(Debuggee {
        tab_id: v.get("tabId")?.as_i64()?,
        session_id: v
            .get("sessionId")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}
