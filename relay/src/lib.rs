//! `odb-relay`: the local relay between the browser extension and its clients (PROTOCOL.md §1, §2).
//!
//! HTTP `/config`, `/status`, `/pair` and WebSocket `/extension`, `/ops`, `/canvas`, `/annotation`,
//! `/cdp`, on `127.0.0.1` only. Every request passes a Host allow-list; extension origins are
//! matched exactly against the configured ids; `/pair` hands out the token only on `POST` from an
//! allowed extension origin (SECURITY.md §0; every divergence from the original is declared in
//! `docs/PARITY_DECLARED_DIVERGENCES.md`).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let relay = odb_relay::start(odb_relay::RelayConfig { port: 0, ..Default::default() }).await?;
//! println!("listening on {}", relay.port());
//! relay.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Module map:
//! - [`config`]: [`RelayConfig`] and internal timers.
//! - `server`: listeners, per-connection HTTP/1 with a header-read timeout, [`RelayHandle`].
//! - `http`: `/config`, `/status`, `/pair`, preflights, the Host guard, the router.
//! - `upgrade`: WebSocket gates (rate limit, Origin, loopback, token) and message caps.
//! - `guard`: Host/Origin/loopback/token primitives. `rate_limit`: fixed-window counters.
//! - `hub`: shared state, health facts, status. `health`: the health object and reason order.
//! - `ws_extension`, `ws_clients` (`/ops` + `/canvas`), `ws_single` (`/annotation` + `/cdp`).
//! - `socket`, `outbound`, `envelope`, `tasks`: session plumbing.
//! - [`native_bridge`]: the per-user Unix socket / Windows named pipe the native messaging host dials
//!   (docs/NATIVE.md).

pub mod config;
mod envelope;
mod guard;
mod health;
mod http;
mod hub;
#[cfg(any(unix, windows))]
pub mod native_bridge;
mod outbound;
mod rate_limit;
mod server;
mod socket;
mod tasks;
mod upgrade;
mod ws_clients;
mod ws_extension;
mod ws_single;

#[doc(hidden)]
pub use config::Timings;
pub use config::{ConfigError, RelayConfig};
pub use http::HTTP_PAIR_OFF;
#[doc(hidden)]
pub use server::start_with_timings;
pub use server::{start, RelayHandle, StartError};
