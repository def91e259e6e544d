//! The config directory, `config.json` (ports and the two 64-hex tokens) and `daemon.json` (the running
//! daemon's ports and pid), both 0600 in a 0700 directory (PROTOCOL.md "Process topology", SECURITY.md §1.4).
//!
//! ```text
//! config.json: {"relayPort":8787,"discoveryPort":8787,"relayToken":"<64 hex>","daemonPort":8788,"daemonToken":"<64 hex>",
//!               "httpPair":true}
//! daemon.json: {"pid":1234,"relayPort":8787,"daemonPort":8788}
//! ```

use std::path::{Path, PathBuf};

use odb_protocol::limits::{DEFAULT_DAEMON_PORT, DEFAULT_DISCOVERY_PORT, DEFAULT_RELAY_PORT};
use serde::{Deserialize, Serialize};

use crate::secure_file::{self, SecureFileError};

/// Environment variable naming the config directory.
pub const CONFIG_DIR_ENV: &str = "OPENDEVBROWSER_CONFIG_DIR";
/// File name of the persistent config.
pub const CONFIG_FILE: &str = "config.json";
/// File name of the running daemon's record.
pub const DAEMON_FILE: &str = "daemon.json";

/// Config failures: an unsafe file (A15), unreadable JSON, or I/O.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file or directory is unsafe to use.
    #[error(transparent)]
    Insecure(#[from] SecureFileError),
    /// The file is not the JSON we expect.
    #[error(
        "{path} is not valid config JSON ({reason}). Fix it, or delete it to generate a new one"
    )]
    Invalid {
        /// The path.
        path: PathBuf,
        /// The parse error (never contains file contents).
        reason: String,
    },
    /// No config directory could be determined.
    #[error("no config directory: set OPENDEVBROWSER_CONFIG_DIR or HOME")]
    NoDir,
}

/// `config.json`. Tokens are 64 lowercase hex characters (32 bytes from the OS RNG).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Relay port (default 8787).
    #[serde(default = "default_relay_port")]
    pub relay_port: u16,
    /// Discovery port (default 8787, equal to the relay port).
    #[serde(default = "default_discovery_port")]
    pub discovery_port: u16,
    /// The relay pairing token.
    #[serde(default)]
    pub relay_token: String,
    /// The daemon's control port (default 8788).
    #[serde(default = "default_daemon_port")]
    pub daemon_port: u16,
    /// The bearer token of the daemon's control endpoint.
    #[serde(default)]
    pub daemon_token: String,
    /// Whether the relay hands its token out over HTTP (`POST /pair`); `false` leaves the native host as the
    /// only way (SECURITY.md A11, docs/NATIVE.md). Default true; `serve --no-http-pair` turns it off for a run.
    #[serde(default = "default_http_pair")]
    pub http_pair: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("relay_port", &self.relay_port)
            .field("discovery_port", &self.discovery_port)
            .field("relay_token", &"<redacted>")
            .field("daemon_port", &self.daemon_port)
            .field("daemon_token", &"<redacted>")
            .field("http_pair", &self.http_pair)
            .finish()
    }
}

fn default_relay_port() -> u16 {
    DEFAULT_RELAY_PORT
}
fn default_discovery_port() -> u16 {
    DEFAULT_DISCOVERY_PORT
}
fn default_daemon_port() -> u16 {
    DEFAULT_DAEMON_PORT
}
fn default_http_pair() -> bool {
    true
}

/// `daemon.json`: what the running daemon actually uses (after `serve --port` overrides).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonInfo {
    /// The daemon's process id.
    pub pid: u32,
    /// The relay port in use.
    pub relay_port: u16,
    /// The daemon control port in use.
    pub daemon_port: u16,
}

/// The config directory: `$OPENDEVBROWSER_CONFIG_DIR`, else `$XDG_CONFIG_HOME/opendevbrowser`, else
/// `~/.config/opendevbrowser`.
///
/// # Errors
/// [`ConfigError::NoDir`] when none of them is set.
pub fn config_dir() -> Result<PathBuf, ConfigError> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg).join("opendevbrowser"));
    }
    dirs::home_dir()
        .map(|h| h.join(".config").join("opendevbrowser"))
        .ok_or(ConfigError::NoDir)
}

/// 32 random bytes from the OS RNG as 64 lowercase hex characters.
pub fn generate_token() -> String {
    use rand::TryRngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the OS random number generator failed");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, ConfigError> {
    // serde_json errors name a line and column, never the value, so no token leaks into the message.
    serde_json::from_str(text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Reads `config.json` in `dir` if it exists (checked: A15).
///
/// # Errors
/// [`ConfigError`] for an unsafe or invalid file.
pub fn read_config(dir: &Path) -> Result<Option<Config>, ConfigError> {
    let path = dir.join(CONFIG_FILE);
    match secure_file::read_private(&path)? {
        Some(text) => Ok(Some(parse(&path, &text)?)),
        None => Ok(None),
    }
}

/// Loads `config.json` from `dir`, creating the directory (0700) and the file (0600) with fresh tokens when
/// missing, and filling in any missing token.
///
/// # Errors
/// [`ConfigError`] for an unsafe directory or file, invalid JSON, or I/O failure.
pub fn load_or_create(dir: &Path) -> Result<Config, ConfigError> {
    secure_file::ensure_private_dir(dir)?;
    let mut config = read_config(dir)?.unwrap_or(Config {
        relay_port: DEFAULT_RELAY_PORT,
        discovery_port: DEFAULT_DISCOVERY_PORT,
        relay_token: String::new(),
        daemon_port: DEFAULT_DAEMON_PORT,
        daemon_token: String::new(),
        http_pair: true,
    });
    let before = config.clone();
    if config.relay_token.is_empty() {
        config.relay_token = generate_token();
    }
    if config.daemon_token.is_empty() {
        config.daemon_token = generate_token();
    }
    let exists = dir.join(CONFIG_FILE).exists();
    if !exists || config != before {
        write_json(&dir.join(CONFIG_FILE), &config)?;
    }
    Ok(config)
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), ConfigError> {
    let text = serde_json::to_string_pretty(value).expect("config serializes");
    Ok(secure_file::write_private(path, &format!("{text}\n"))?)
}

/// Records the running daemon in `daemon.json` (0600).
///
/// # Errors
/// [`ConfigError`] on I/O failure.
pub fn write_daemon_info(dir: &Path, info: &DaemonInfo) -> Result<(), ConfigError> {
    write_json(&dir.join(DAEMON_FILE), info)
}

/// Reads `daemon.json` if present (checked like `config.json`).
///
/// # Errors
/// [`ConfigError`] for an unsafe or invalid file.
pub fn read_daemon_info(dir: &Path) -> Result<Option<DaemonInfo>, ConfigError> {
    let path = dir.join(DAEMON_FILE);
    match secure_file::read_private(&path)? {
        Some(text) => Ok(Some(parse(&path, &text)?)),
        None => Ok(None),
    }
}

/// Removes `daemon.json` if it still names `pid` (a newer daemon's record is left alone).
pub fn remove_daemon_info(dir: &Path, pid: u32) {
    if let Ok(Some(info)) = read_daemon_info(dir) {
        if info.pid == pid {
            let _ = std::fs::remove_file(dir.join(DAEMON_FILE));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn is_hex64(s: &str) -> bool {
        s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    #[test]
    fn first_run_creates_private_config_with_fresh_tokens() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("cfg");
        let config = load_or_create(&dir).unwrap();
        assert!(is_hex64(&config.relay_token) && is_hex64(&config.daemon_token));
        assert_ne!(config.relay_token, config.daemon_token);
        assert_eq!(
            (config.relay_port, config.discovery_port, config.daemon_port),
            (8787, 8787, 8788)
        );
        let path = dir.join(CONFIG_FILE);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        let raw: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for key in [
            "relayPort",
            "discoveryPort",
            "relayToken",
            "daemonPort",
            "daemonToken",
        ] {
            assert!(raw.get(key).is_some(), "{key} missing in {raw}");
        }
        assert_eq!(
            load_or_create(&dir).unwrap(),
            config,
            "second run keeps the tokens"
        );
    }

    #[test]
    fn fills_missing_tokens_and_keeps_ports() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(CONFIG_FILE);
        secure_file::write_private(&path, r#"{"relayPort":9000,"daemonPort":9001}"#).unwrap();
        let config = load_or_create(tmp.path()).unwrap();
        assert_eq!((config.relay_port, config.daemon_port), (9000, 9001));
        assert!(is_hex64(&config.relay_token));
        assert_eq!(read_config(tmp.path()).unwrap().unwrap(), config);
        assert!(config.http_pair, "HTTP pairing stays on unless turned off");
    }

    #[test]
    fn http_pair_false_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(CONFIG_FILE);
        secure_file::write_private(&path, r#"{"httpPair":false}"#).unwrap();
        let config = load_or_create(tmp.path()).unwrap();
        assert!(!config.http_pair);
        assert!(!read_config(tmp.path()).unwrap().unwrap().http_pair);
    }

    #[test]
    fn refuses_a_group_readable_config_and_invalid_json() {
        let tmp = tempfile::tempdir().unwrap();
        let config = load_or_create(tmp.path()).unwrap();
        let path = tmp.path().join(CONFIG_FILE);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create(tmp.path()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("chmod 600"), "{text}");
        assert!(!text.contains(&config.relay_token) && !text.contains(&config.daemon_token));
        secure_file::write_private(&path, &format!("{{\"relayToken\": {}", config.relay_token))
            .unwrap();
        let err = load_or_create(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("not valid config JSON"), "{err}");
        assert!(!err.contains(&config.relay_token), "{err}");
    }

    #[test]
    fn debug_output_redacts_tokens() {
        let tmp = tempfile::tempdir().unwrap();
        let config = load_or_create(tmp.path()).unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains(&config.relay_token) && shown.contains("redacted"));
    }

    #[test]
    fn daemon_info_round_trips_and_is_removed_only_by_its_pid() {
        let tmp = tempfile::tempdir().unwrap();
        let info = DaemonInfo {
            pid: 42,
            relay_port: 1,
            daemon_port: 2,
        };
        write_daemon_info(tmp.path(), &info).unwrap();
        assert_eq!(read_daemon_info(tmp.path()).unwrap(), Some(info));
        remove_daemon_info(tmp.path(), 7);
        assert!(read_daemon_info(tmp.path()).unwrap().is_some());
        remove_daemon_info(tmp.path(), 42);
        assert!(read_daemon_info(tmp.path()).unwrap().is_none());
    }
}
