//! End-to-end tests in headless Chromium with the built extension, the real daemon/relay and the real CLI.
//! Run serially (`--test-threads=1`): each test starts its own browser, and the machine has 2 cores.
//!
//! - `pairing`: auto-pair with the relay up first, and with the browser up first.
//! - `elements`: hover, check/uncheck, select, scroll and the dom-* getters (issue 3).
//! - `drive`: launch -> goto -> snapshot -> click -> type -> press -> screenshot on the fixture site.
//! - `refs`: stale and unknown refs give the exact stale-ref error.
//! - `security`: tokens, Origins, Hosts and `/pair` against the daemon's relay; loopback-only binds; no token in logs.
//! - `recovery`: the relay is killed and restarted; the extension re-pairs and a new session works.
//! - `targets`: target-new/use/list/close across two tabs, session status and disconnect.
//! - `native`: `--transport native`: the relay link over native messaging and the real host, no WebSocket (issue 5).
//! - `transport`: `--transport relay|native` pins the link; `status --transport native` (issue 5).
//! - `managed`: managed mode and cdpConnect: every command family natively over CDP, and the parity test (issue 6).

mod capture;
mod clients;
mod concurrency;
mod devtools;
mod dialogs;
mod drive;
mod elements;
mod export;
mod faults;
mod frames;
mod managed;
mod managed_parity;
mod native;
mod native_pairing;
mod pages;
mod pairing;
mod pointer;
mod recovery;
mod refs;
mod security;
mod storage;
mod targets;
mod transport;
mod upload;
