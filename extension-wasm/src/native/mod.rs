//! Native messaging: the port to `com.opendevbrowser.native` as a second transport to the relay
//! (docs/NATIVE.md; PROTOCOL.md §5 and "Minimum faithful core" item 10).
//!
//! Preference rule: with `nativeEnabled` off (the default) only the relay WebSocket is used. With it on,
//! each connection attempt tries native messaging first and falls back to the WebSocket when the host is
//! not installed, forbidden, cannot reach the relay, or fails the handshake. (Upstream tries native only
//! after the WebSocket failed; declared divergence: native needs no port or token, so it goes first.)
//!
//! Pure, tested natively:
//! - [`health`]: [`NativeHealth`], the classification of Chrome's port errors and the popup line.
//! - [`reassemble`]: joining the host's `native_chunk` frames back into one message.
//! - [`pair`]: pairing over native messaging (`pair_request` and the host's reply), which replaces
//!   `POST /pair` for the WebSocket whenever the host is installed, whatever `nativeEnabled` says.
//!
//! wasm32 only: `port` (the `chrome.runtime.connectNative` port as a stream of socket events).

pub mod health;
pub mod pair;
pub mod reassemble;

#[cfg(target_arch = "wasm32")]
pub mod port;

pub use health::NativeHealth;
