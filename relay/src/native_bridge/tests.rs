//! The bridge on a real Unix socket: directory checks, authentication (SECURITY.md E8), and an extension
//! session whose handshake, ping and `/status` facts match the `/extension` socket's.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::net::UnixStream;

use super::frame::{read_text, write_text};
use super::*;
use crate::config::RelayConfig;

const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const RELAY_TOKEN: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const ORIGIN: &str = "chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk/";

/// A temp directory removed on drop.
struct Tmp(PathBuf);

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn relay() -> crate::RelayHandle {
    crate::start(RelayConfig {
        port: 0,
        token: Some(RELAY_TOKEN.into()),
        ..RelayConfig::default()
    })
    .await
    .unwrap()
}

fn private_dir() -> (Tmp, PathBuf) {
    let tmp = Tmp(std::env::temp_dir().join(format!("odb-bridge-{}", uuid::Uuid::new_v4())));
    std::fs::create_dir(&tmp.0).unwrap();
    let dir = tmp.0.join("native");
    (tmp, dir)
}

async fn send(s: &mut UnixStream, v: Value) {
    write_text(s, &v.to_string()).await.unwrap();
}

async fn recv(s: &mut UnixStream) -> Value {
    let text = tokio::time::timeout(Duration::from_secs(5), read_text(s, 1 << 24))
        .await
        .expect("a frame within 5 s")
        .expect("a frame");
    serde_json::from_str(&text).unwrap()
}

/// A bridge on a fresh private directory of `relay`, authenticated by [`TOKEN`]; the directory lives as long as the
/// returned guard.
fn bridge(relay: &crate::RelayHandle) -> (Tmp, crate::native_bridge::NativeBridge) {
    let (tmp, dir) = private_dir();
    let bridge = relay
        .serve_native(NativeBridgeConfig {
            dir,
            auth_token: TOKEN.into(),
        })
        .unwrap();
    (tmp, bridge)
}

/// Connects to `bridge` and authenticates (`auth` -> `auth_ok`).
async fn authed(bridge: &crate::native_bridge::NativeBridge) -> UnixStream {
    let mut s = UnixStream::connect(bridge.socket_path()).await.unwrap();
    send(&mut s, json!({"type":"auth","token":TOKEN,"origin":ORIGIN})).await;
    assert_eq!(recv(&mut s).await, json!({"type":"auth_ok"}));
    s
}

fn handshake() -> Value {
    json!({"type":"handshake","payload":{"tabId":-1,"url":"","title":""}})
}

#[tokio::test]
async fn creates_a_private_dir_and_token_file() {
    let relay = relay().await;
    let (_tmp, dir) = private_dir();
    let bridge = relay
        .serve_native(NativeBridgeConfig {
            dir: dir.clone(),
            auth_token: TOKEN.into(),
        })
        .unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join(TOKEN_FILE)), 0o600);
    assert_eq!(mode(bridge.socket_path()), 0o600);
    assert_eq!(
        std::fs::read_to_string(dir.join(TOKEN_FILE)).unwrap(),
        TOKEN
    );
    drop(bridge);
    assert!(!dir.join(SOCKET_FILE).exists() && !dir.join(TOKEN_FILE).exists());
}

#[tokio::test]
async fn refuses_a_group_accessible_dir_and_a_live_socket() {
    let relay = relay().await;
    let (_tmp, dir) = private_dir();
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = NativeBridgeConfig {
        dir: dir.clone(),
        auth_token: TOKEN.into(),
    };
    let err = relay.serve_native(cfg.clone()).err().expect("refused");
    assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let _first = relay.serve_native(cfg.clone()).unwrap();
    let err = relay
        .serve_native(NativeBridgeConfig {
            auth_token: RELAY_TOKEN.into(),
            ..cfg
        })
        .err()
        .expect("second bridge refused");
    assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
    assert_eq!(
        std::fs::read_to_string(dir.join(TOKEN_FILE)).unwrap(),
        TOKEN,
        "the refused bridge left the live one's token alone"
    );
}

#[tokio::test]
async fn wrong_or_missing_token_is_refused_and_never_reaches_the_hub() {
    let relay = relay().await;
    let (_tmp, bridge) = bridge(&relay);
    for first in [
        json!({"type":"auth","token":"0".repeat(64)}),
        handshake(),
        json!({"type":"auth"}),
        json!({"type":"auth","token":TOKEN,"origin":"chrome-extension://x/\nforged"}),
    ] {
        let mut s = UnixStream::connect(bridge.socket_path()).await.unwrap();
        send(&mut s, first).await;
        let answer = recv(&mut s).await;
        assert_eq!(answer["code"], "unauthorized", "{answer}");
        assert!(matches!(
            read_text(&mut s, 1024).await,
            Err(super::frame::ReadEnd::Eof)
        ));
    }
    assert!(!relay.status().extension_connected);
}

#[tokio::test]
async fn an_authenticated_host_is_the_extension_without_a_pairing_token() {
    let relay = relay().await;
    let (_tmp, bridge) = bridge(&relay);
    let mut s = authed(&bridge).await;
    send(&mut s, handshake()).await;
    let ack = recv(&mut s).await;
    assert_eq!(ack["type"], "handshakeAck", "{ack}");
    assert_eq!(ack["payload"]["relayPort"], relay.port());
    send(&mut s, json!({"type":"ping","id":"p1"})).await;
    let pong = recv(&mut s).await;
    assert_eq!(
        (pong["type"].as_str(), pong["id"].as_str()),
        (Some("pong"), Some("p1"))
    );
    let status = relay.status();
    assert!(status.extension_connected && status.extension_handshake_complete);
    drop(s);
    for _ in 0..50 {
        if !relay.status().extension_connected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the slot is freed when the host goes away");
}

#[tokio::test]
async fn relay_stop_sends_relay_close() {
    let relay = relay().await;
    let (_tmp, bridge) = bridge(&relay);
    let mut s = authed(&bridge).await;
    send(&mut s, handshake()).await;
    recv(&mut s).await;
    relay.shutdown().await;
    let close = recv(&mut s).await;
    assert_eq!(
        close,
        json!({"type":"relay_close","code":1000,"reason":"Relay stopped"})
    );
}

/// An `auth` without `origin` (an older host) is still accepted (SECURITY.md E9 adds the field).
#[tokio::test]
async fn an_auth_without_origin_is_still_accepted() {
    let relay = relay().await;
    let (_tmp, bridge) = bridge(&relay);
    let mut s = UnixStream::connect(bridge.socket_path()).await.unwrap();
    send(&mut s, json!({"type":"auth","token":TOKEN})).await;
    assert_eq!(recv(&mut s).await, json!({"type":"auth_ok"}));
    send(&mut s, handshake()).await;
    assert_eq!(recv(&mut s).await["type"], "handshakeAck");
}

/// The relay's "extension connected over native messaging" line names the host's origin (SECURITY.md E9:
/// which extension a native session belongs to is visible).
#[tokio::test]
async fn the_connected_log_line_names_the_hosts_origin() {
    #[derive(Clone, Default)]
    struct Capture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // A `#[tokio::test]` runtime is single-threaded: the bridge's tasks log on this thread.
    let _guard = tracing::subscriber::set_default(subscriber);
    let relay = relay().await;
    let (_tmp, bridge) = bridge(&relay);
    let mut s = authed(&bridge).await;
    send(&mut s, handshake()).await;
    assert_eq!(recv(&mut s).await["type"], "handshakeAck");
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let line = logs
        .lines()
        .find(|l| l.contains("extension connected over native messaging"))
        .unwrap_or_else(|| panic!("no connected line in {logs}"));
    assert!(line.contains(ORIGIN), "{line}");
}
