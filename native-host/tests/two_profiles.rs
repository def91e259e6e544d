//! SECURITY.md checklist E9: two browser profiles start two hosts at once. Each host is its own session on
//! the relay channel, bound to its own caller origin (carried in its `auth` frame), and messages never
//! cross between them in either direction.
//!
//! The relay side is a test listener on a Unix socket in a private (0700) native directory with a 0600
//! token file, so each connection's `auth` frame and every frame after it can be read exactly.
#![cfg(unix)]

use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_opendevbrowser-native-host");
/// Our extension (the default allowed id).
const ORIGIN_A: &str = "chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk/";
/// A second id, allowed through the `allowed-extension-ids` file as `native install <id>` writes it.
const ID_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const ORIGIN_B: &str = "chrome-extension://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/";
const TOKEN: &str = "e9-relay-secret";
const WAIT: Duration = Duration::from_secs(5);

/// A private native directory, removed on drop.
struct NativeDir(PathBuf);

impl NativeDir {
    fn new() -> NativeDir {
        let dir = std::env::temp_dir().join(format!("odb-host-e9-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::DirBuilder::new().mode(0o700).create(&dir).unwrap();
        let mut token = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(dir.join("relay.token"))
            .unwrap();
        token.write_all(TOKEN.as_bytes()).unwrap();
        std::fs::write(dir.join("allowed-extension-ids"), format!("{ID_B}\n")).unwrap();
        NativeDir(dir)
    }
}

impl Drop for NativeDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One running host: its stdin, and its stdout frames as they arrive.
struct Host {
    child: Child,
    stdin: Option<ChildStdin>,
    frames: Receiver<Value>,
}

impl Host {
    fn start(dir: &Path, origin: &str) -> Host {
        let mut child = Command::new(BIN)
            .arg(origin)
            .env("ODB_NATIVE_DIR", dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let (tx, frames) = mpsc::channel();
        std::thread::spawn(move || loop {
            let mut header = [0u8; 4];
            if stdout.read_exact(&mut header).is_err() {
                return;
            }
            let mut body = vec![0u8; u32::from_ne_bytes(header) as usize];
            stdout.read_exact(&mut body).unwrap();
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        });
        let stdin = child.stdin.take();
        Host {
            child,
            stdin,
            frames,
        }
    }

    /// Sends one message as Chrome would (native-endian length).
    fn send(&mut self, message: &Value) {
        let text = message.to_string();
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(&(text.len() as u32).to_ne_bytes()).unwrap();
        stdin.write_all(text.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    fn next_frame(&self) -> Value {
        self.frames
            .recv_timeout(WAIT)
            .expect("a frame on the host's stdout")
    }

    /// Closes stdin (Chrome closed the port), waits for the exit and returns every frame not read yet.
    fn finish(mut self) -> Vec<Value> {
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status:?}");
        let mut rest = Vec::new();
        loop {
            match self.frames.recv_timeout(WAIT) {
                Ok(frame) => rest.push(frame),
                Err(RecvTimeoutError::Disconnected) => return rest,
                Err(RecvTimeoutError::Timeout) => panic!("stdout not closed after exit"),
            }
        }
    }
}

fn read_le(stream: &mut UnixStream) -> Value {
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).unwrap();
    let mut body = vec![0u8; u32::from_le_bytes(header) as usize];
    stream.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

fn write_le(stream: &mut UnixStream, message: &Value) {
    let text = message.to_string();
    stream
        .write_all(&(text.len() as u32).to_le_bytes())
        .unwrap();
    stream.write_all(text.as_bytes()).unwrap();
}

/// Accepts one host connection, checks its `auth` frame (our token, some origin), answers `auth_ok`, and
/// returns the origin it authenticated with and the stream.
fn accept_one(listener: &UnixListener) -> (String, UnixStream) {
    let (mut stream, _) = listener.accept().unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let auth = read_le(&mut stream);
    assert_eq!(
        (auth["type"].as_str(), auth["token"].as_str()),
        (Some("auth"), Some(TOKEN)),
        "{auth}"
    );
    let origin = auth["origin"].as_str().expect("auth carries the origin");
    write_le(&mut stream, &json!({"type": "auth_ok"}));
    (origin.to_string(), stream)
}

fn handshake(profile: &str) -> Value {
    json!({"type": "handshake", "payload": {"tabId": -1, "profile": profile}})
}

#[test]
fn two_hosts_are_two_sessions_each_bound_to_its_own_origin() {
    let dir = NativeDir::new();
    let listener = UnixListener::bind(dir.0.join("relay.sock")).unwrap();
    let mut a = Host::start(&dir.0, ORIGIN_A);
    let mut b = Host::start(&dir.0, ORIGIN_B);
    // Both hosts answer the extension's probe themselves, then dial on the first other message.
    a.send(&json!({"type": "ping", "id": "probe-a"}));
    b.send(&json!({"type": "ping", "id": "probe-b"}));
    assert_eq!(a.next_frame(), json!({"type": "pong", "id": "probe-a"}));
    assert_eq!(b.next_frame(), json!({"type": "pong", "id": "probe-b"}));
    a.send(&handshake("A"));
    b.send(&handshake("B"));

    // Two connections, one per host, each authenticated with its own origin; Chrome -> relay: each
    // handshake arrives on the connection of the host it was sent to.
    let mut conns = [accept_one(&listener), accept_one(&listener)];
    conns.sort_by(|x, y| x.0.cmp(&y.0));
    let [(origin_b, mut conn_b), (origin_a, mut conn_a)] = conns;
    assert_eq!((origin_a.as_str(), origin_b.as_str()), (ORIGIN_A, ORIGIN_B));
    assert_eq!(read_le(&mut conn_a), handshake("A"));
    assert_eq!(read_le(&mut conn_b), handshake("B"));

    // Relay -> Chrome: what goes to A's connection reaches A's stdout only, and the same for B.
    let to_a = json!({"type": "handshakeAck", "payload": {"for": "A"}});
    let to_b = json!({"type": "handshakeAck", "payload": {"for": "B"}});
    write_le(&mut conn_a, &to_a);
    assert_eq!(a.next_frame(), to_a);
    write_le(&mut conn_b, &to_b);
    assert_eq!(b.next_frame(), to_b);

    // Once linked, pings are forwarded, each on its own connection.
    a.send(&json!({"type": "ping", "id": "linked-a"}));
    b.send(&json!({"type": "ping", "id": "linked-b"}));
    assert_eq!(read_le(&mut conn_a)["id"], "linked-a");
    assert_eq!(read_le(&mut conn_b)["id"], "linked-b");

    // Nothing else reached either host; A's exit ends A's connection only.
    assert_eq!(a.finish(), Vec::<Value>::new());
    let mut byte = [0u8; 1];
    assert_eq!(conn_a.read(&mut byte).unwrap(), 0, "A's connection closed");
    let later = json!({"type": "ops_event", "payload": {"for": "B"}});
    write_le(&mut conn_b, &later);
    assert_eq!(b.next_frame(), later, "B's session outlives A's");
    assert_eq!(b.finish(), Vec::<Value>::new());
    assert_eq!(conn_b.read(&mut byte).unwrap(), 0, "B's connection closed");
    let log = std::fs::read_to_string(dir.0.join("host.log")).unwrap();
    assert!(log.contains(&format!("as {ORIGIN_A}")), "{log}");
    assert!(log.contains(&format!("as {ORIGIN_B}")), "{log}");
}
