//! The daemon's side of native messaging: starts the relay's native bridge in the per-user native
//! directory, with a fresh token, and publishes the relay's pairing facts there for the host
//! (docs/NATIVE.md "How the transport works" and "Pairing over native messaging").

use std::path::{Path, PathBuf};

use odb_relay::native_bridge::{NativeBridge, NativeBridgeConfig};
use odb_relay::RelayHandle;
use serde_json::json;

use crate::config;
use crate::secure_file::{self, SecureFileError};

/// Environment variable naming the native directory directly (the host reads the same one).
pub const NATIVE_DIR_ENV: &str = "ODB_NATIVE_DIR";
/// The pairing file inside the native directory (the host's `pairing` module reads it).
pub const PAIRING_FILE: &str = odb_protocol::native::PAIRING_FILE;

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

/// Starts the bridge for `relay` in `dir`. A failure is logged and returns `None`: the WebSocket transport
/// works without it.
fn start_in(relay: &RelayHandle, dir: &Path) -> Option<NativeBridge> {
    let config = NativeBridgeConfig {
        dir: dir.to_path_buf(),
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

/// The native bridge and the pairing file published beside it. Dropping it removes the pairing file, then
/// the bridge's socket and token files.
pub struct NativeLink {
    pairing: Option<PairingFile>,
    bridge: NativeBridge,
}

impl NativeLink {
    /// The running bridge.
    pub fn bridge(&self) -> &NativeBridge {
        &self.bridge
    }

    /// The published pairing file; `None` when writing it failed (logged).
    pub fn pairing(&self) -> Option<&PairingFile> {
        self.pairing.as_ref()
    }
}

/// Starts the bridge in the native directory, then publishes [`PAIRING_FILE`] for the host: the relay's port, instance and epoch, and
/// `relay_token` when the relay requires pairing (else `null`). `relay_token` is the token the relay was
/// started with; the relay trims it and an empty one turns pairing off, so the relay's own
/// `pairingRequired` decides. A failed write is logged (without the token) and leaves `/pair` as the only
/// way to pair.
pub fn start_paired(relay: &RelayHandle, relay_token: Option<&str>) -> Option<NativeLink> {
    let dir = match native_dir() {
        Ok(dir) => dir,
        Err(e) => {
            tracing::warn!(error = %e, "native bridge not started");
            return None;
        }
    };
    start_paired_in(relay, &dir, relay_token)
}

/// [`start_paired`] in `dir`.
fn start_paired_in(
    relay: &RelayHandle,
    dir: &Path,
    relay_token: Option<&str>,
) -> Option<NativeLink> {
    let bridge = start_in(relay, dir)?;
    let token = relay_token
        .map(str::trim)
        .filter(|t| !t.is_empty() && relay.status().pairing_required);
    let facts = PairingFacts {
        relay_port: relay.port(),
        token,
        instance_id: relay.instance_id(),
        epoch: relay.epoch(),
    };
    let pairing = match PairingFile::write(dir, &facts) {
        Ok(file) => {
            tracing::info!(path = %file.path().display(), "native pairing file written");
            Some(file)
        }
        Err(e) => {
            tracing::warn!(error = %e, "native pairing file not written; the extension pairs over /pair");
            None
        }
    };
    Some(NativeLink { pairing, bridge })
}

/// What the pairing file says (PROTOCOL.md §1 `/pair` body, plus the port).
#[derive(Clone, Copy)]
pub struct PairingFacts<'a> {
    /// The relay port on 127.0.0.1.
    pub relay_port: u16,
    /// The pairing token; `None` when pairing is off. Never logged.
    pub token: Option<&'a str>,
    /// The relay process's UUID.
    pub instance_id: &'a str,
    /// The relay's start time, ms since the Unix epoch.
    pub epoch: u64,
}

impl PairingFacts<'_> {
    /// `{"relayPort","pairingToken","instanceId","epoch"}`.
    pub fn to_json(&self) -> String {
        json!({
            "relayPort": self.relay_port,
            "pairingToken": self.token,
            "instanceId": self.instance_id,
            "epoch": self.epoch,
        })
        .to_string()
    }
}

/// The published pairing file; removed when dropped.
#[derive(Debug)]
pub struct PairingFile {
    path: PathBuf,
}

impl PairingFile {
    /// Writes [`PAIRING_FILE`] in `dir`: a fresh `0600` file renamed over the old one (atomic replace).
    ///
    /// # Errors
    /// [`SecureFileError::Io`] when writing or renaming fails (the message names no token).
    pub fn write(dir: &Path, facts: &PairingFacts<'_>) -> Result<PairingFile, SecureFileError> {
        let path = dir.join(PAIRING_FILE);
        secure_file::write_private(&path, &facts.to_json())?;
        Ok(PairingFile { path })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PairingFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const TOKEN: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    fn private_dir() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        tmp
    }

    fn read(path: &Path) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_file_is_private_replaced_and_removed_on_drop() {
        let tmp = private_dir();
        let facts = PairingFacts {
            relay_port: 9001,
            token: Some(TOKEN),
            instance_id: "a",
            epoch: 1,
        };
        let first = PairingFile::write(tmp.path(), &facts).unwrap();
        let mode = std::fs::metadata(first.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            read(first.path()),
            json!({"relayPort":9001,"pairingToken":TOKEN,"instanceId":"a","epoch":1})
        );
        let second = PairingFacts {
            token: None,
            instance_id: "b",
            ..facts
        };
        let replaced = PairingFile::write(tmp.path(), &second).unwrap();
        assert_eq!(read(replaced.path())["instanceId"], "b");
        assert_eq!(
            read(replaced.path())["pairingToken"],
            serde_json::Value::Null
        );
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from(PAIRING_FILE)]);
        let path = replaced.path().to_path_buf();
        drop(replaced);
        assert!(!path.exists(), "removed on drop");
        drop(first);
    }

    async fn relay(token: Option<&str>) -> RelayHandle {
        odb_relay::start(odb_relay::RelayConfig {
            port: 0,
            token: token.map(str::to_string),
            ..odb_relay::RelayConfig::default()
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn start_paired_publishes_the_relay_facts_beside_the_bridge() {
        let tmp = private_dir();
        let dir = tmp.path().join("native");
        let relay = relay(Some(TOKEN)).await;
        let link = start_paired_in(&relay, &dir, Some(TOKEN)).expect("bridge");
        assert!(link.bridge().socket_path().exists());
        let path = link.pairing().expect("pairing file").path().to_path_buf();
        assert_eq!(
            read(&path),
            json!({"relayPort": relay.port(), "pairingToken": TOKEN,
                   "instanceId": relay.instance_id(), "epoch": relay.epoch()})
        );
        drop(link);
        assert!(!path.exists() && !dir.join("relay.sock").exists());
        relay.shutdown().await;
    }

    #[tokio::test]
    async fn pairing_off_publishes_a_null_token() {
        let tmp = private_dir();
        let dir = tmp.path().join("native");
        for configured in [None, Some("  ")] {
            let relay = relay(configured).await;
            let link = start_paired_in(&relay, &dir, Some("  ")).expect("bridge");
            let path = link.pairing().expect("pairing file").path().to_path_buf();
            assert_eq!(read(&path)["pairingToken"], serde_json::Value::Null);
            drop(link);
            relay.shutdown().await;
        }
        let relay = relay(None).await;
        let link = start_paired_in(&relay, &dir, Some(TOKEN)).expect("bridge");
        let path = link.pairing().expect("pairing file").path().to_path_buf();
        assert_eq!(
            read(&path)["pairingToken"],
            serde_json::Value::Null,
            "a relay without pairing gets no token even when one is passed"
        );
        drop(link);
        relay.shutdown().await;
    }

    #[tokio::test]
    async fn no_file_when_the_bridge_cannot_start() {
        let tmp = private_dir();
        let dir = tmp.path().join("open");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let relay = relay(Some(TOKEN)).await;
        assert!(start_paired_in(&relay, &dir, Some(TOKEN)).is_none());
        assert!(!dir.join(PAIRING_FILE).exists());
        relay.shutdown().await;
    }
}
