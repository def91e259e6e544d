//! Where the host finds the relay's channel, its allowed extension ids and its log (docs/NATIVE.md).
//!
//! The native directory is `$ODB_NATIVE_DIR`, else `<config dir>/native`, where the config directory is the
//! CLI's: `$OPENDEVBROWSER_CONFIG_DIR`, else `$XDG_CONFIG_HOME/opendevbrowser`, else
//! `~/.config/opendevbrowser`. Chrome starts the host with its own environment, so a browser launched with
//! `ODB_NATIVE_DIR` set reaches the relay that listens there.

use std::path::PathBuf;

/// Environment variable naming the native directory directly.
pub const NATIVE_DIR_ENV: &str = "ODB_NATIVE_DIR";
/// Environment variable naming the CLI's config directory (as `opendevbrowser` reads it).
pub const CONFIG_DIR_ENV: &str = "OPENDEVBROWSER_CONFIG_DIR";
/// The relay's socket inside the native directory (`odb_relay::native_bridge::SOCKET_FILE`).
pub const SOCKET_FILE: &str = "relay.sock";
/// The relay's 0600 token file inside the native directory (`odb_relay::native_bridge::TOKEN_FILE`).
pub const TOKEN_FILE: &str = "relay.token";
/// Extra allowed extension ids, one per line, written by `opendevbrowser native install <id>`.
pub const ALLOWED_IDS_FILE: &str = "allowed-extension-ids";
/// The host's log file (rotated to `host.log.1` at [`crate::log::ROTATE_BYTES`]).
pub const LOG_FILE: &str = "host.log";

fn non_empty(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The native directory; `None` when neither the variables nor a home directory exist.
pub fn native_dir() -> Option<PathBuf> {
    if let Some(dir) = non_empty(NATIVE_DIR_ENV) {
        return Some(dir);
    }
    let config = non_empty(CONFIG_DIR_ENV)
        .or_else(|| non_empty("XDG_CONFIG_HOME").map(|x| x.join("opendevbrowser")))
        .or_else(|| dirs::home_dir().map(|h| h.join(".config").join("opendevbrowser")))?;
    Some(config.join("native"))
}
