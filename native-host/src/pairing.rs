//! Pairing over native messaging (docs/NATIVE.md "Pairing over native messaging"): the host answers
//! `{"type":"pair_request","id"}` itself, before and after the relay link, and never forwards it.
//!
//! The daemon publishes [`PAIRING_FILE`] in the native directory while its relay's native bridge runs:
//! `{"relayPort":<u16>,"pairingToken":<string|null>,"instanceId":<string>,"epoch":<ms>}` (mode `0600`,
//! replaced atomically, removed when the daemon stops). The host reads it after the trust checks it makes
//! for `relay.token` (`relay_link`): the directory is ours, a real directory (no symlink) with no
//! group/other bits; the file is ours, a regular file (no symlink) with no group/other bits.
//!
//! Reply: `{"type":"pair","id","relayPort","pairingToken","instanceId","epoch"}` (`epoch` only when the
//! file has one), or `{"type":"error","id","code":"pairing_unavailable","message"}` when the file is
//! missing, untrusted or malformed. The message names the reason, never the token; the log line is
//! `answered pair_request (relay port N, instance X)` or `pair_request refused: <reason>`.
//!
//! Why this is safe: Chrome starts the host only for the extension ids in the manifest's
//! `allowed_origins`, and the host checks `argv[1]` again, so only our extension can ask. A local process
//! could only read the file if it already runs as the user (it could read the 0600 config file too).

use std::path::Path;

use serde_json::{json, Value};

use crate::log::Log;

/// The request's `type`.
pub const REQUEST_TYPE: &str = odb_protocol::native::PAIR_REQUEST;
/// The success reply's `type`.
pub const REPLY_TYPE: &str = odb_protocol::native::PAIR_REPLY;
/// The error `code` when the host has no trusted pairing facts.
pub const UNAVAILABLE_CODE: &str = odb_protocol::native::PAIRING_UNAVAILABLE;
/// The daemon's pairing file inside the native directory (`opendevbrowser`'s `native::bridge`).
#[cfg_attr(not(unix), allow(dead_code))] // read only on Unix (Windows answers pairing_unavailable)
pub const PAIRING_FILE: &str = odb_protocol::native::PAIRING_FILE;
/// Largest pairing file read, in bytes (a real one is about 200).
#[cfg_attr(not(unix), allow(dead_code))] // read only on Unix (Windows answers pairing_unavailable)
const MAX_FILE_BYTES: u64 = 4096;
/// Longest accepted token or instance id, in bytes.
#[cfg_attr(not(unix), allow(dead_code))] // read only on Unix (Windows answers pairing_unavailable)
const MAX_FIELD_BYTES: usize = 512;

/// The relay facts of the pairing file. `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Pairing {
    /// The relay's HTTP/WebSocket port on 127.0.0.1.
    pub relay_port: u16,
    /// The relay's pairing token; `None` when pairing is off at the relay.
    pub token: Option<String>,
    /// The relay process's UUID (PROTOCOL.md §1 `instanceId`).
    pub instance_id: String,
    /// The relay's start time in ms since the Unix epoch (PROTOCOL.md §1 `epoch`), when written.
    pub epoch: Option<u64>,
}

impl std::fmt::Debug for Pairing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pairing")
            .field("relay_port", &self.relay_port)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("instance_id", &self.instance_id)
            .field("epoch", &self.epoch)
            .finish()
    }
}

/// Whether a message from Chrome is a pairing request.
pub fn is_request(msg: &Value) -> bool {
    msg.get("type").and_then(Value::as_str) == Some(REQUEST_TYPE)
}

/// The reply text to `request` for the native directory `dir`; logs the outcome (without the token).
pub fn answer(dir: Option<&Path>, request: &Value, log: &Log) -> String {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let read = dir
        .ok_or_else(|| "no native directory (set ODB_NATIVE_DIR or HOME)".to_string())
        .and_then(read_trusted);
    match read {
        Ok(pairing) => {
            log.line(&format!(
                "answered pair_request (relay port {}, instance {})",
                pairing.relay_port, pairing.instance_id
            ));
            reply(&id, &pairing).to_string()
        }
        Err(reason) => {
            log.line(&format!("pair_request refused: {reason}"));
            unavailable(&id, &reason).to_string()
        }
    }
}

/// `{"type":"pair","id","relayPort","pairingToken","instanceId"[,"epoch"]}`.
pub fn reply(id: &Value, pairing: &Pairing) -> Value {
    let mut v = json!({
        "type": REPLY_TYPE,
        "id": id,
        "relayPort": pairing.relay_port,
        "pairingToken": pairing.token,
        "instanceId": pairing.instance_id,
    });
    if let Some(epoch) = pairing.epoch {
        v["epoch"] = json!(epoch);
    }
    v
}

/// `{"type":"error","id","code":"pairing_unavailable","message"}`.
pub fn unavailable(id: &Value, message: &str) -> Value {
    json!({"type": "error", "id": id, "code": UNAVAILABLE_CODE, "message": message})
}

/// Reads [`PAIRING_FILE`] in `dir` after the trust checks, for our effective uid.
///
/// # Errors
/// A reason (no token in it) when the directory or file is missing, untrusted or malformed.
#[cfg(unix)]
pub fn read_trusted(dir: &Path) -> Result<Pairing, String> {
    read_trusted_as(dir, crate::private::my_uid())
}

/// Windows: the daemon's native bridge (and so the pairing file) does not exist there yet.
///
/// # Errors
/// Always.
#[cfg(not(unix))]
pub fn read_trusted(_dir: &Path) -> Result<Pairing, String> {
    Err("pairing over native messaging is not implemented on this platform yet".into())
}

/// [`read_trusted`] with the uid that must own the directory and the file (tests pass another one).
///
/// # Errors
/// As [`read_trusted`].
#[cfg(unix)]
pub fn read_trusted_as(dir: &Path, uid: u32) -> Result<Pairing, String> {
    use std::io::Read;

    let meta = |p: &Path| std::fs::symlink_metadata(p).map_err(|e| format!("{}: {e}", p.display()));
    check_private(dir, &meta(dir)?, true, uid)?;
    let path = dir.join(PAIRING_FILE);
    let before = meta(&path)?;
    check_private(&path, &before, false, uid)?;
    let mut file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let opened = file
        .metadata()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if !same_file(&before, &opened) {
        return Err(format!("{} changed while being opened", path.display()));
    }
    let mut text = String::new();
    (&mut file)
        .take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(format!("{} is over {MAX_FILE_BYTES} bytes", path.display()));
    }
    parse(&text).map_err(|why| format!("{}: {why}", path.display()))
}

/// The `relay_link` trust rule (`crate::private`), with the refusal marked untrusted.
#[cfg(unix)]
fn check_private(
    path: &Path,
    meta: &std::fs::Metadata,
    want_dir: bool,
    uid: u32,
) -> Result<(), String> {
    crate::private::check(path, meta, want_dir, uid).map_err(|why| format!("untrusted: {why}"))
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// Parses the file's JSON: `relayPort` 1..=65535, `instanceId` a non-empty string, `pairingToken` a
/// non-empty string or `null`/absent, `epoch` an optional non-negative integer. Other fields are ignored.
///
/// # Errors
/// What is wrong, never the token's value.
#[cfg_attr(not(unix), allow(dead_code))] // read only on Unix (Windows answers pairing_unavailable)
pub fn parse(text: &str) -> Result<Pairing, String> {
    let v: Value = serde_json::from_str(text).map_err(|_| "not JSON".to_string())?;
    let relay_port = v
        .get("relayPort")
        .and_then(Value::as_u64)
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p != 0)
        .ok_or("relayPort is not a port number")?;
    let instance_id = v
        .get("instanceId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= MAX_FIELD_BYTES)
        .ok_or("instanceId is not a non-empty string")?
        .to_string();
    let token = match v.get("pairingToken") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if !t.is_empty() && t.len() <= MAX_FIELD_BYTES => Some(t.clone()),
        Some(_) => return Err("pairingToken is neither a non-empty string nor null".into()),
    };
    let epoch = match v.get("epoch") {
        None | Some(Value::Null) => None,
        Some(e) => Some(e.as_u64().ok_or("epoch is not a non-negative integer")?),
    };
    Ok(Pairing {
        relay_port,
        token,
        instance_id,
        epoch,
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    use std::path::PathBuf;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// A fresh 0700 directory under the temp dir, removed on drop.
    struct Dir(PathBuf);

    impl Dir {
        fn new(tag: &str) -> Dir {
            let path = std::env::temp_dir().join(format!(
                "odb-host-pairing-{tag}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)).unwrap();
            Dir(path)
        }

        fn write(&self, text: &str, mode: u32) {
            let path = self.0.join(PAIRING_FILE);
            let _ = std::fs::remove_file(&path);
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(mode)
                .open(&path)
                .unwrap();
            std::io::Write::write_all(&mut f, text.as_bytes()).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn me() -> u32 {
        rustix::process::geteuid().as_raw()
    }

    fn good_file() -> String {
        json!({"relayPort": 9123, "pairingToken": TOKEN, "instanceId": "inst-1", "epoch": 42})
            .to_string()
    }

    #[test]
    fn a_trusted_file_gives_the_pair_reply() {
        let dir = Dir::new("ok");
        dir.write(&good_file(), 0o600);
        let pairing = read_trusted_as(&dir.0, me()).unwrap();
        assert_eq!(
            reply(&json!("r1"), &pairing),
            json!({"type":"pair","id":"r1","relayPort":9123,"pairingToken":TOKEN,
                   "instanceId":"inst-1","epoch":42})
        );
        assert!(
            !format!("{pairing:?}").contains(TOKEN),
            "Debug hides the token"
        );
        let log = Log::open(Some(dir.0.join("host.log")));
        let text = answer(Some(&dir.0), &json!({"type":"pair_request","id":7}), &log);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (v["type"].clone(), v["id"].clone()),
            (json!("pair"), json!(7))
        );
        let logged = std::fs::read_to_string(dir.0.join("host.log")).unwrap();
        assert!(logged.contains("answered pair_request (relay port 9123, instance inst-1)"));
        assert!(!logged.contains(TOKEN), "the token is never logged");
    }

    #[test]
    fn pairing_off_gives_a_null_token() {
        let dir = Dir::new("off");
        dir.write(
            r#"{"relayPort":1,"pairingToken":null,"instanceId":"i"}"#,
            0o400,
        );
        let pairing = read_trusted_as(&dir.0, me()).unwrap();
        assert_eq!(pairing.token, None);
        let v = reply(&json!("x"), &pairing);
        assert_eq!(v["pairingToken"], Value::Null);
        assert!(v.get("epoch").is_none());
    }

    #[test]
    fn a_missing_file_is_unavailable() {
        let dir = Dir::new("missing");
        let err = read_trusted_as(&dir.0, me()).unwrap_err();
        assert!(err.contains(PAIRING_FILE), "{err}");
        let log = Log::open(Some(dir.0.join("host.log")));
        let text = answer(Some(&dir.0), &json!({"type":"pair_request","id":"a"}), &log);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["type"], "error");
        assert_eq!(v["code"], UNAVAILABLE_CODE);
        assert_eq!(v["id"], "a");
        let none = answer(None, &json!({"type":"pair_request","id":"b"}), &log);
        assert!(none.contains(UNAVAILABLE_CODE), "{none}");
    }

    #[test]
    fn group_or_other_access_is_refused() {
        let dir = Dir::new("mode");
        for mode in [0o640, 0o604, 0o660] {
            dir.write(&good_file(), mode);
            let err = read_trusted_as(&dir.0, me()).unwrap_err();
            assert!(err.contains("group/other"), "{mode:o}: {err}");
            assert!(!err.contains(TOKEN));
        }
        dir.write(&good_file(), 0o600);
        std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o750)).unwrap();
        let err = read_trusted_as(&dir.0, me()).unwrap_err();
        assert!(err.contains("group/other"), "{err}");
    }

    #[test]
    fn a_file_or_directory_of_another_user_is_refused() {
        let dir = Dir::new("owner");
        dir.write(&good_file(), 0o600);
        let other = me().wrapping_add(1);
        let err = read_trusted_as(&dir.0, other).unwrap_err();
        assert!(err.contains("belongs to uid"), "{err}");
    }

    #[test]
    fn symlinks_are_refused() {
        let dir = Dir::new("link");
        let real = dir.0.join("real.json");
        std::fs::write(&real, good_file()).unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::symlink(&real, dir.0.join(PAIRING_FILE)).unwrap();
        let err = read_trusted_as(&dir.0, me()).unwrap_err();
        assert!(err.contains("symlink"), "{err}");
    }

    #[test]
    fn malformed_files_are_refused_without_echoing_the_token() {
        let dir = Dir::new("bad");
        for text in [
            "nope".to_string(),
            r#"{"relayPort":0,"instanceId":"i"}"#.to_string(),
            r#"{"relayPort":70000,"instanceId":"i"}"#.to_string(),
            r#"{"relayPort":"9123","instanceId":"i"}"#.to_string(),
            r#"{"relayPort":9123,"instanceId":""}"#.to_string(),
            json!({"relayPort":9123,"instanceId":"i","pairingToken":7}).to_string(),
            json!({"relayPort":9123,"instanceId":"i","pairingToken":TOKEN,"epoch":-1}).to_string(),
            format!("{{\"pad\":\"{}\"}}", "x".repeat(5000)),
        ] {
            dir.write(&text, 0o600);
            let err = read_trusted_as(&dir.0, me()).unwrap_err();
            assert!(!err.contains(TOKEN), "{err}");
        }
    }

    #[test]
    fn only_pair_requests_are_recognised() {
        assert!(is_request(&json!({"type":"pair_request","id":"1"})));
        assert!(!is_request(&json!({"type":"ping","id":"1"})));
        assert!(!is_request(&json!({"type":"handshake"})));
        assert!(!is_request(&Value::Null));
    }
}
