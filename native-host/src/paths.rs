//! Where the host finds the relay's channel, its allowed extension ids and its log (docs/NATIVE.md).
//!
//! The native directory is `$ODB_NATIVE_DIR`, else `<config dir>/native`, where the config directory is the
//! CLI's: `$OPENDEVBROWSER_CONFIG_DIR`, else `$XDG_CONFIG_HOME/opendevbrowser`, else
//! `~/.config/opendevbrowser`. Chrome starts the host with its own environment, so a browser launched with
//! `ODB_NATIVE_DIR` set reaches the relay that listens there. On Windows the relay listens on the named
//! pipe `pipe_name` of that directory instead of the socket `relay.sock`.

use std::path::PathBuf;

/// Environment variable naming the native directory directly.
pub const NATIVE_DIR_ENV: &str = "ODB_NATIVE_DIR";
/// Environment variable naming the CLI's config directory (as `opendevbrowser` reads it).
pub const CONFIG_DIR_ENV: &str = "OPENDEVBROWSER_CONFIG_DIR";
/// The relay's socket inside the native directory (`odb_relay::native_bridge::SOCKET_FILE`; Unix).
#[cfg(unix)]
pub const SOCKET_FILE: &str = odb_protocol::native::SOCKET_FILE;
/// The relay's 0600 token file inside the native directory (`odb_relay::native_bridge::TOKEN_FILE`).
pub const TOKEN_FILE: &str = odb_protocol::native::TOKEN_FILE;
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

/// The pipe-name prefix before the hash (`odb_relay::native_bridge::pipe_name::PIPE_PREFIX`).
#[cfg(any(windows, test))]
const PIPE_PREFIX: &str = r"\\.\pipe\opendevbrowser-native-";

/// The Windows named pipe of native directory `dir`: [`PIPE_PREFIX`] and the 64-bit FNV-1a hash of the
/// path's text (lossy UTF-8, ASCII-lowercased), as 16 hex digits. Must equal
/// `odb_relay::native_bridge::pipe_name::pipe_name` (both crates pin the same test vector).
#[cfg(any(windows, test))]
pub fn pipe_name(dir: &std::path::Path) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = dir.to_string_lossy().bytes().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(byte.to_ascii_lowercase())).wrapping_mul(PRIME)
    });
    format!("{PIPE_PREFIX}{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_pipe_name_matches_the_relays_test_vector() {
        let dir = Path::new(r"C:\Users\Ada\.config\opendevbrowser\native");
        assert_eq!(
            pipe_name(dir),
            r"\\.\pipe\opendevbrowser-native-bccb1e487b2401f8"
        );
        assert_eq!(
            pipe_name(Path::new(r"c:\users\ada\.config\OpenDevBrowser\native")),
            pipe_name(dir)
        );
    }
}
