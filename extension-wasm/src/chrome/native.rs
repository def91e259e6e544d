//! `chrome.runtime.connectNative`: the port to a native messaging host (PROTOCOL.md §5).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A `runtime.Port` returned by `connectNative`.
    #[derive(Clone)]
    pub type Port;
    /// A port's `onMessage` / `onDisconnect` event.
    pub type PortEvent;

    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = connectNative)]
    fn connect_native_raw(application: &str) -> Result<Port, JsValue>;
    #[wasm_bindgen(method, catch, js_name = postMessage)]
    fn post_message_raw(this: &Port, message: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method, js_name = disconnect)]
    fn disconnect_raw(this: &Port);
    #[wasm_bindgen(method, getter, js_name = onMessage)]
    fn on_message(this: &Port) -> PortEvent;
    #[wasm_bindgen(method, getter, js_name = onDisconnect)]
    fn on_disconnect(this: &Port) -> PortEvent;
    #[wasm_bindgen(method, js_name = addListener)]
    fn add_listener(this: &PortEvent, listener: &js_sys::Function);
    #[wasm_bindgen(method, js_name = removeListener)]
    fn remove_listener(this: &PortEvent, listener: &js_sys::Function);
}

/// `chrome.runtime.connectNative(application)`. Chrome starts the host; failures (not installed,
/// forbidden) arrive later as `onDisconnect` with `runtime.lastError`.
///
/// # Errors
/// The exception text when the call itself throws (e.g. no `nativeMessaging` permission).
pub fn connect(application: &str) -> Result<Port, String> {
    connect_native_raw(application).map_err(|e| crate::js::error_text(&e))
}

impl Port {
    /// Posts the JSON text `text` as an object (Chrome serializes it again for the host).
    ///
    /// # Errors
    /// Invalid JSON, or `postMessage` throwing (the port is disconnected).
    pub fn post_json(&self, text: &str) -> Result<(), String> {
        let value = js_sys::JSON::parse(text).map_err(|e| crate::js::error_text(&e))?;
        self.post_message_raw(&value)
            .map_err(|e| crate::js::error_text(&e))
    }

    /// `port.disconnect()`: closes the host's stdin (the host exits on EOF).
    pub fn disconnect(&self) {
        self.disconnect_raw();
    }

    /// Adds (or with `add == false` removes) `listener` on `onMessage`.
    pub fn listen_message(&self, listener: &js_sys::Function, add: bool) {
        let event = self.on_message();
        if add {
            event.add_listener(listener);
        } else {
            event.remove_listener(listener);
        }
    }

    /// Adds (or removes) `listener` on `onDisconnect`.
    pub fn listen_disconnect(&self, listener: &js_sys::Function, add: bool) {
        let event = self.on_disconnect();
        if add {
            event.add_listener(listener);
        } else {
            event.remove_listener(listener);
        }
    }
}

/// `chrome.runtime.lastError.message`, or `""` (read inside an `onDisconnect` listener).
pub fn last_error_message() -> String {
    let get = |obj: &JsValue, key: &str| js_sys::Reflect::get(obj, &JsValue::from_str(key)).ok();
    get(&js_sys::global(), "chrome")
        .and_then(|c| get(&c, "runtime"))
        .and_then(|r| get(&r, "lastError"))
        .filter(|e| e.is_object())
        .and_then(|e| get(&e, "message"))
        .and_then(|m| m.as_string())
        .unwrap_or_default()
}
