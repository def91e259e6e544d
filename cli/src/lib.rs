//! The opendevbrowser CLI and daemon: clap commands talking to the daemon over its authenticated loopback
//! endpoint, and the daemon that hosts the relay and drives the extension over `/ops`.
//!
//! - [`cli`]: the command line (one file per command family), exit codes and output rendering.
//! - [`client`]: CLI -> daemon HTTP client (`POST /command`, `GET /status`, `POST /stop`).
//! - [`daemon`]: `serve`: relay in-process, control endpoint, command dispatch and session recovery.
//! - [`ops_client`] and [`ops_chunks`]: the daemon's `/ops` client (PROTOCOL.md §2.2, §3).
//! - [`config`] and [`secure_file`]: the config directory, `config.json`/`daemon.json`, 0600 secrets (A15).
//! - [`output`], [`exit`], [`timeouts`]: formats, exit codes, time budgets.
//! - [`launcher`]: starting Chromium with the extension (demo and end-to-end tests).
//! - [`native`]: native messaging: host manifests and installers, the daemon's bridge (docs/NATIVE.md).

pub mod cli;
pub mod client;
pub mod config;
pub mod daemon;
pub mod exit;
pub mod launcher;
pub mod native;
pub mod ops_chunks;
pub mod ops_client;
pub mod output;
pub mod secure_file;
pub mod timeouts;
