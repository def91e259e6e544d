//! The host binary answers `{"type":"pair_request","id"}` itself (docs/NATIVE.md "Pairing over native
//! messaging"): before the relay link, after it (with a fake relay that records what reaches it), and
//! with `pairing_unavailable` when the daemon's pairing file is missing.

#![cfg(unix)]

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_opendevbrowser-native-host");
const ORIGIN: &str = "chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk/";
const TOKEN: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

/// A private (0700) native directory, removed on drop.
struct NativeDir(PathBuf);

impl NativeDir {
    fn new(tag: &str) -> NativeDir {
        let dir = std::env::temp_dir().join(format!("odb-pair-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        NativeDir(dir)
    }

    fn write_private(&self, name: &str, text: &str) {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.0.join("host.log")).unwrap_or_default()
    }
}

impl Drop for NativeDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn frame(json: &str) -> Vec<u8> {
    let mut v = (json.len() as u32).to_ne_bytes().to_vec();
    v.extend_from_slice(json.as_bytes());
    v
}

fn frames(mut stdout: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    while stdout.len() >= 4 {
        let len = u32::from_ne_bytes(stdout[..4].try_into().unwrap()) as usize;
        out.push(serde_json::from_slice(&stdout[4..4 + len]).unwrap());
        stdout = &stdout[4 + len..];
    }
    assert!(stdout.is_empty(), "stdout holds frames only");
    out
}

/// Runs the host in `dir` with `input` on stdin (then EOF) and returns its frames to Chrome.
fn run_host(dir: &Path, input: &[u8]) -> Vec<Value> {
    let mut child = Command::new(BIN)
        .arg(ORIGIN)
        .env("ODB_NATIVE_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    frames(&out.stdout)
}

fn pairing_file(port: u16) -> String {
    json!({"relayPort": port, "pairingToken": TOKEN, "instanceId": "inst-9", "epoch": 5})
        .to_string()
}

#[test]
fn answers_pair_request_before_the_link_without_dialling() {
    let dir = NativeDir::new("before");
    dir.write_private("relay.pairing.json", &pairing_file(9555));
    let out = run_host(&dir.0, &frame(r#"{"type":"pair_request","id":"p1"}"#));
    assert_eq!(
        out,
        vec![
            json!({"type":"pair","id":"p1","relayPort":9555,"pairingToken":TOKEN,
                    "instanceId":"inst-9","epoch":5})
        ]
    );
    let log = dir.log();
    assert!(log.contains("answered pair_request"), "{log}");
    assert!(!log.contains(TOKEN), "the token is never logged:\n{log}");
    assert!(
        !log.contains("relay unavailable") && !log.contains("connected to the relay"),
        "a pair_request never dials the relay:\n{log}"
    );
}

#[test]
fn a_missing_pairing_file_is_pairing_unavailable_and_the_host_stays_up() {
    let dir = NativeDir::new("missing");
    let mut input = frame(r#"{"type":"pair_request","id":"p2"}"#);
    input.extend(frame(r#"{"type":"ping","id":"after"}"#));
    let out = run_host(&dir.0, &input);
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(out[0]["type"], "error");
    assert_eq!(out[0]["code"], "pairing_unavailable");
    assert_eq!(out[0]["id"], "p2");
    assert!(out[0]["message"]
        .as_str()
        .unwrap()
        .contains("relay.pairing.json"));
    assert_eq!(out[1], json!({"type":"pong","id":"after"}));
    assert!(dir.log().contains("pair_request refused"));
}

fn read_le(stream: &mut impl Read) -> Option<String> {
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).ok()?;
    let mut body = vec![0u8; u32::from_le_bytes(header) as usize];
    stream.read_exact(&mut body).ok()?;
    String::from_utf8(body).ok()
}

fn write_le(stream: &mut impl Write, text: &str) -> std::io::Result<()> {
    stream.write_all(&(text.len() as u32).to_le_bytes())?;
    stream.write_all(text.as_bytes())
}

/// After the relay link is up, a `pair_request` is still answered by the host and never reaches the relay.
#[test]
fn answers_pair_request_after_the_link_and_never_forwards_it() {
    let dir = NativeDir::new("after");
    dir.write_private("relay.token", "relay-secret");
    dir.write_private("relay.pairing.json", &pairing_file(9556));
    let listener = UnixListener::bind(dir.0.join("relay.sock")).unwrap();
    let relay = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let auth: Value = serde_json::from_str(&read_le(&mut stream).unwrap()).unwrap();
        assert_eq!(
            (auth["type"].as_str(), auth["token"].as_str()),
            (Some("auth"), Some("relay-secret"))
        );
        write_le(&mut stream, r#"{"type":"auth_ok"}"#).unwrap();
        let mut seen = Vec::new();
        while let Some(text) = read_le(&mut stream) {
            let v: Value = serde_json::from_str(&text).unwrap();
            if v["type"] == "handshake" {
                // The host may already have exited on stdin EOF.
                let _ = write_le(&mut stream, r#"{"type":"handshakeAck","payload":{}}"#);
            }
            seen.push(v);
        }
        seen
    });
    let mut input = frame(r#"{"type":"handshake","payload":{"tabId":-1}}"#);
    input.extend(frame(r#"{"type":"pair_request","id":"p3"}"#));
    input.extend(frame(r#"{"type":"ping","id":"to-relay"}"#));
    let out = run_host(&dir.0, &input);
    let seen = relay.join().unwrap();
    let types: Vec<&str> = seen.iter().filter_map(|v| v["type"].as_str()).collect();
    assert_eq!(
        types,
        vec!["handshake", "ping"],
        "only the link's messages reach the relay"
    );
    let pair = out
        .iter()
        .find(|v| v["type"] == "pair")
        .unwrap_or_else(|| panic!("no pair reply in {out:?}"));
    assert_eq!(
        (
            pair["id"].clone(),
            pair["relayPort"].clone(),
            pair["pairingToken"].clone()
        ),
        (json!("p3"), json!(9556), json!(TOKEN))
    );
    assert!(
        !out.iter().any(|v| v["type"] == "pong"),
        "after the link, pings go to the relay: {out:?}"
    );
    assert!(!dir.log().contains(TOKEN));
}
