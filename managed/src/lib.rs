//! `odb-managed`: managed mode (`launch --no-extension`) and CDP-connect mode (`connect --cdp-port`): the same
//! `odb-ops` runtime and `odb-snapshot` crate the extension runs in wasm, run natively over `odb-cdp`.
//!
//! - [`host`]: [`CdpHost`], `odb_ops::Host` over one browser-level CDP connection.
//! - [`tabs`]: [`TabMap`], page target ids ↔ `tab-N` numbers and flat-session routes.
//! - [`events`]: CDP events → `Runtime::on_cdp_event` / `on_detach` / `on_tab_created` / `on_tab_removed`.
//! - [`thread`]: [`NativeRuntime`], the runtime on its own thread, spoken to with `/ops` envelopes.
//!
//! Invariant: no command logic here. Every command is implemented once, in `odb-ops`; this crate only
//! translates the `Host` seam to CDP (ARCHITECTURE.md "One implementation, two transports").

pub mod events;
pub mod host;
pub mod tabs;
pub mod thread;

pub use host::CdpHost;
pub use tabs::TabMap;
pub use thread::{start, NativeRuntime};
