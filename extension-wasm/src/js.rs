//! JS helpers: `[odb]`-prefixed console logging, error text, value conversion, loopback fetch, timers.

use std::future::Future;

use futures::future::{select, Either};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// `console.log("[odb] ...")`. Never pass a token or a URL containing `token=`.
macro_rules! log {
    ($($t:tt)*) => {
        web_sys::console::log_1(&format!("[odb] {}", format_args!($($t)*)).into())
    };
}

/// `console.warn("[odb] ...")`.
macro_rules! warn {
    ($($t:tt)*) => {
        web_sys::console::warn_1(&format!("[odb] {}", format_args!($($t)*)).into())
    };
}

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (service worker and pages alike).
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &web_sys::RequestInit) -> Result<js_sys::Promise, JsValue>;

    /// `crypto.randomUUID()`.
    #[wasm_bindgen(js_namespace = crypto, js_name = randomUUID)]
    pub fn random_uuid() -> String;
}

/// The message of a thrown or rejected JS value (`Error.message`, or its string form).
pub fn error_text(err: &JsValue) -> String {
    if let Some(e) = err.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    if let Some(s) = err.as_string() {
        return s;
    }
    js_sys::Reflect::get(err, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{err:?}"))
}

/// A JSON-compatible JS value (plain objects, `null`), as chrome.* APIs need (BUILD.md).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// A JSON value through `JSON.parse` (fast for large CDP params).
pub fn json_to_js(value: &Value) -> JsValue {
    js_sys::JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}

/// A JS value as JSON through `JSON.stringify` (fast for large CDP results); `undefined` gives `null`.
pub fn js_to_json(value: &JsValue) -> Value {
    if value.is_undefined() {
        return Value::Null;
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null)
}

/// Awaits a promise-returning call that may also throw synchronously.
pub async fn await_promise(call: Result<js_sys::Promise, JsValue>) -> Result<JsValue, String> {
    let promise = call.map_err(|e| error_text(&e))?;
    JsFuture::from(promise).await.map_err(|e| error_text(&e))
}

/// Resolves after `ms` milliseconds (`setTimeout`).
pub async fn sleep_ms(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// Runs `fut` with a deadline; `None` on timeout.
pub async fn within<F: Future>(ms: u32, fut: F) -> Option<F::Output> {
    let timer = gloo_timers::future::TimeoutFuture::new(ms);
    match select(Box::pin(fut), timer).await {
        Either::Left((out, _)) => Some(out),
        Either::Right(_) => None,
    }
}

/// `Math.random()`.
pub fn random_unit() -> f64 {
    js_sys::Math::random()
}

/// `fetch(url, {method})` with a deadline; the body text on a 2xx status.
///
/// # Errors
/// A short reason: network failure, timeout, or `HTTP <status>` (with `: <error>` when the body is the
/// relay's `{"error": "..."}`).
pub async fn fetch_text(url: &str, method: &str, timeout_ms: u32) -> Result<String, String> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_cache(web_sys::RequestCache::NoStore);
    let run = async {
        let resp = await_promise(global_fetch(url, &init)).await?;
        let resp: web_sys::Response = resp.dyn_into().map_err(|_| "not a Response".to_string())?;
        if !resp.ok() {
            // The relay's refusals are `{"error": "..."}`: keep its words (they name the fix).
            let status = resp.status();
            let said = await_promise(resp.text())
                .await
                .ok()
                .and_then(|t| t.as_string())
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string));
            return Err(match said {
                Some(error) => format!("HTTP {status}: {error}"),
                None => format!("HTTP {status}"),
            });
        }
        let text = await_promise(resp.text()).await?;
        text.as_string().ok_or_else(|| "non-text body".to_string())
    };
    within(timeout_ms, run)
        .await
        .unwrap_or_else(|| Err("timeout".into()))
}
