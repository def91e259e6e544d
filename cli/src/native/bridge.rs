//! The daemon's side of native messaging: starts the relay's native bridge in the per-user native
//! directory, with a fresh token (docs/NATIVE.md).

use std::path::PathBuf;

use odb_relay::native_bridge::{NativeBridge, NativeBridgeConfig};

use crate::config;

/// Environment variable naming the native directory directly (the host reads the same one).
pub const NATIVE_DIR_ENV: &str = "ODB_NATIVE_DIR";

/// The native directory: `$ODB_NATIVE_DIR`, else `<config dir>/native` (the host computes the same path).
///
/// # Errors
/// When there is no config directory (no `OPENDEVBROWSER_CONFIG_DIR` and no home).
pub fn native_dir() -> Result<PathBuf, config::ConfigError> {
    if let Some(dir) = std::env::var_os(NATIVE_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    Ok(config::config_dir()?.join("native"))
}

/// Starts the bridge for `relay`. A failure is logged and returns `None`: the WebSocket transport works
/// without it.
pub fn start(relay: &odb_relay::RelayHandle) -> Option<NativeBridge> {
    let dir = match native_dir() {
        Ok(dir) => dir,
        Err(e) => {
            tracing::warn!(error = %e, "native bridge not started");
            return None;
        }
    };
    let config = NativeBridgeConfig {
        dir: dir.clone(),
        auth_token: config::generate_token(),
    };
    match relay.serve_native(config) {
        Ok(bridge) => Some(bridge),
        Err(e) => {
            tracing::warn!(dir = %dir.display(), error = %e, "native bridge not started");
            None
        }
    }
}
