//! The OpenDevBrowser wire protocol v1, as one crate shared by the relay, the CLI, the native host and the
//! wasm extension.
//!
//! Every string that crosses a socket lives here, so that the strings on the wire match
//! `spec/PROTOCOL.md` in exactly one place.
//!
//! - [`limits`]: sizes, timers, ports and fixed names (PROTOCOL.md §2.2, §3).
//! - [`error`]: [`error::ErrorCode`] and the `ops_error` body (PROTOCOL.md §3.2).
//! - [`ops`]: the `/ops` envelopes (PROTOCOL.md §3.1).
//! - [`extension`]: the `/extension` messages and the relay health object (PROTOCOL.md §1, §2.1).
//! - [`http`]: the JSON bodies of `/config`, `/pair` and `/status` (PROTOCOL.md §1).
//! - [`commands`]: the 52 dispatched `/ops` command names (PROTOCOL.md §3.5).
//! - [`native`]: the native host's pairing messages and the native directory's file names (docs/NATIVE.md).
//! - [`redact`]: token-like string redaction shared by snapshots and logs (PROTOCOL.md §4).
//!
//! Invariant: this crate does no I/O and depends only on serde.
#![deny(missing_docs)]

pub mod commands;
pub mod error;
pub mod extension;
pub mod http;
pub mod limits;
pub mod native;
pub mod ops;
pub mod redact;

pub use error::{ErrorCode, OpsErrorBody};
