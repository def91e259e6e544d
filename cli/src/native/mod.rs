//! Native messaging (docs/NATIVE.md; PROTOCOL.md §5 and "Minimum faithful core" item 10).
//!
//! - [`manifest`]: the host manifest and writing it into a profile (the launcher does, for tests and demos).
//! - [`locations`]: per-user manifest locations for Chrome, Chromium, Edge and Brave on Linux, macOS, Windows.
//! - [`cmds`]: the `native` subcommand.
//! - [`install`]: `native install / uninstall / status` (manifest files, Windows registry behind a trait).
//! - [`report`]: `status --transport native` (installed, reachable, paired).
//! - [`bridge`]: the daemon starts the relay's native bridge in the per-user native directory.

pub mod bridge;
pub mod cmds;
pub mod install;
pub mod locations;
pub mod manifest;
pub mod report;

#[cfg(test)]
mod install_tests;
#[cfg(test)]
mod locations_tests;
