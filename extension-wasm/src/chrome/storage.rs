//! `chrome.storage.local` (settings, identity) and `chrome.storage.session` (transient state).

use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::settings::Patch;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = get)]
    fn local_get(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = set)]
    fn local_set(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = remove)]
    fn local_remove(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = get)]
    fn session_get(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = set)]
    fn session_set(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

/// Which storage area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// `chrome.storage.local`: survives browser restarts.
    Local,
    /// `chrome.storage.session`: survives worker restarts, not browser restarts.
    Session,
}

/// `get(keys)`: the stored object as JSON.
pub async fn get(area: Area, keys: &[&str]) -> Result<Value, String> {
    let keys = crate::js::to_js(keys);
    let call = match area {
        Area::Local => local_get(&keys),
        Area::Session => session_get(&keys),
    };
    Ok(crate::js::js_to_json(
        &crate::js::await_promise(call).await?,
    ))
}

/// `set(items)` with a JSON object.
pub async fn set(area: Area, items: &Value) -> Result<(), String> {
    let items = crate::js::to_js(items);
    let call = match area {
        Area::Local => local_set(&items),
        Area::Session => session_set(&items),
    };
    crate::js::await_promise(call).await.map(drop)
}

/// Applies a [`Patch`] to `chrome.storage.local`: `set` then `remove`.
pub async fn apply_local(patch: &Patch) -> Result<(), String> {
    if !patch.set.is_empty() {
        set(Area::Local, &Value::Object(patch.set.clone())).await?;
    }
    if !patch.remove.is_empty() {
        let keys = crate::js::to_js(&patch.remove);
        crate::js::await_promise(local_remove(&keys)).await?;
    }
    Ok(())
}
