//! `odb-cdp`: a native Chrome DevTools Protocol client for managed and CDP-connect modes (issue 6).
//!
//! One WebSocket to the **browser** target (`ws://host:port/devtools/browser/<id>`); page targets are reached
//! through flat sessions (`Target.attachToTarget {flatten:true}`), so every command and event carries its
//! `sessionId` on the same socket.
//!
//! - [`connection`]: [`CdpConnection`]: connect, `send` with a per-call timeout, the event stream, close.
//! - [`target`]: the hand-written `Target.*` methods the native host uses, typed.
//! - [`discovery`]: finding the browser WebSocket URL (`/json/version`, `DevToolsActivePort`).
//! - [`error`]: the error type, [`CdpError`].
//!
//! Only the CDP methods the project uses are written down; everything else goes through
//! [`CdpConnection::send`] with a method name and JSON params.

pub mod connection;
pub mod discovery;
pub mod error;
pub mod target;

pub use connection::{CdpConnection, CdpEvent, DEFAULT_CALL_TIMEOUT};
pub use error::CdpError;
pub use target::TargetInfo;

#[cfg(test)]
mod connection_tests;
