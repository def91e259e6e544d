//! The `/ops` runtime: sessions, leases, targets, refs and the commands of PROTOCOL.md §3, written once
//! over the [`Host`] seam so the extension (wasm, `chrome.*`) and managed mode (native CDP) share it.
//!
//! - [`host`]: the [`Host`] trait the embedder implements.
//! - [`runtime`]: [`Runtime`], the entry point: feed it relay messages and browser events.
//! - [`outbox`]: serializing envelopes to the relay, with chunking above 12 MiB.
//!
//! Invariant: nothing in this crate calls `chrome.*`, tokio or wasm-bindgen; all I/O goes through [`Host`].

pub mod host;
pub mod outbox;
pub mod runtime;

pub use host::{Debuggee, Host, HostError, TabId, TabInfo};
pub use runtime::Runtime;
