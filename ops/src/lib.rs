//! The `/ops` runtime: sessions, leases, targets, refs and the commands of PROTOCOL.md §3, written once
//! over the [`Host`] seam so the extension (wasm, `chrome.*`) and managed mode (native CDP) share it.
//!
//! - [`host`]: the [`Host`] trait the embedder implements.
//! - [`runtime`]: [`Runtime`], the entry point: feed it relay messages and browser events.
//! - [`outbox`]: serializing envelopes to the relay, with chunking above 12 MiB.
//! - [`session`]: sessions, leases and ownership; [`queue`]: FIFO execution per key; [`governor`]: the parallel
//!   cap across targets and `parallelism_backpressure`.
//! - [`commands`]: one module per command family; [`errors`]: browser failures to `/ops` errors.
//!
//! Invariant: nothing in this crate calls `chrome.*`, tokio or wasm-bindgen; all I/O goes through [`Host`].

mod attach;
pub mod attach_log;
pub mod cdp;
pub mod commands;
mod context;
pub mod errors;
mod frame_reveal;
pub mod frames;
pub mod governor;
pub mod host;
pub mod outbox;
pub mod queue;
mod refs;
pub mod runtime;
pub mod session;
pub mod url;

#[cfg(test)]
mod fake_dom;
#[cfg(test)]
mod testing;

pub use host::{Debuggee, Host, HostError, TabId, TabInfo};
pub use runtime::Runtime;

#[cfg(test)]
mod command_tests;
#[cfg(test)]
mod devtools_tests;
#[cfg(test)]
mod dialog_tests;
#[cfg(test)]
mod export_tests;
#[cfg(test)]
mod page_tests;
#[cfg(test)]
mod pointer_tests;
#[cfg(test)]
mod ref_command_tests;
#[cfg(test)]
mod review_tests;
#[cfg(test)]
mod runtime_tests;
#[cfg(test)]
mod screenshot_tests;
#[cfg(test)]
mod session_tests;
#[cfg(test)]
mod storage_tests;
#[cfg(test)]
mod upload_tests;
