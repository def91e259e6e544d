//! The OpenDevBrowser MV3 extension, compiled to wasm: the background service worker's relay connection
//! and `/ops` host, the popup and the connect page. The JS shims in `manifest/` only register listeners and
//! forward events here.
//!
//! # Layout
//! Pure (tested natively with `cargo test -p odb-extension`):
//! - [`settings`]: `chrome.storage.local` keys, defaults and parsing (PROTOCOL.md §6).
//! - [`pairing`]: token invalidation, `/config` / `/pair` / ack checks, close classification (§6, §2.1).
//! - [`backoff`]: jittered reconnect delays and the alarm schedule (§2.2).
//! - [`status`]: popup status, notes and badge colours (§6, §10).
//! - [`wire`]: handshake/ping messages and classification of relay messages (§2.1).
//! - [`connect_params`]: the `connect.html?relayPort=&discoveryPort=` query.
//! - [`errors`]: `ConnectError`, why an attempt failed (its text is the popup note).
//! - [`native`]: native messaging health, chunk reassembly, the host's `pair` reply (and, wasm32 only, the
//!   `connectNative` port).
//!
//! wasm32 only:
//! - `chrome`: `extern "C"` bindings, one file per chrome namespace; `js`: JS value helpers, fetch, logging.
//! - `host`: `odb_ops::Host` over chrome.tabs / chrome.debugger; `link`: the outgoing queue to the relay.
//! - `connection`: discovery, pairing, the socket state machine, heartbeat and reconnect.
//! - `events`: routes the shim's events; `badge`, `popup`, `connect_page`.
//! - The exported entry points below.

#[cfg(target_arch = "wasm32")]
#[macro_use]
mod js;

pub mod backoff;
pub mod connect_params;
pub mod connect_watch;
pub mod errors;
pub mod native;
pub mod pairing;
pub mod settings;
pub mod status;
pub mod wire;

#[cfg(target_arch = "wasm32")]
mod badge;
#[cfg(target_arch = "wasm32")]
mod chrome;
#[cfg(target_arch = "wasm32")]
mod connect_page;
#[cfg(target_arch = "wasm32")]
mod connection;
#[cfg(target_arch = "wasm32")]
mod events;
#[cfg(target_arch = "wasm32")]
mod host;
#[cfg(target_arch = "wasm32")]
mod link;
#[cfg(target_arch = "wasm32")]
mod popup;

#[cfg(target_arch = "wasm32")]
mod entry {
    use wasm_bindgen::prelude::*;

    /// Sends Rust panics to `console.error` (a wasm trap alone says only "unreachable").
    fn install_panic_hook() {
        std::panic::set_hook(Box::new(|info| {
            web_sys::console::error_1(&format!("[odb] panic: {info}").into());
        }));
    }

    /// Background worker start: builds the runtime and starts auto-connect. Called once by `background.js`
    /// after `init()` resolved, before the queued events are replayed.
    #[wasm_bindgen]
    pub fn start_background() {
        install_panic_hook();
        crate::connection::start();
    }

    /// One chrome event forwarded by `background.js`: `name` is e.g. `"tabs.onUpdated"`, `args` the
    /// listener's arguments (for `runtime.onMessage`: `[message, sender, reply]`, `reply` a function).
    #[wasm_bindgen]
    pub fn on_event(name: String, args: js_sys::Array) {
        crate::events::route(&name, &args);
    }

    /// Popup start: wires `popup.html`'s controls.
    #[wasm_bindgen]
    pub fn start_popup() {
        install_panic_hook();
        crate::popup::start();
    }

    /// Connect page start: stores the ports from the query, asks the background to connect, closes the tab.
    #[wasm_bindgen]
    pub fn start_connect_page() {
        install_panic_hook();
        crate::connect_page::start();
    }
}
