//! Helpers for the CLI integration tests: a real `opendevbrowser serve` in a temp config dir, a CLI runner,
//! and a fake extension on the relay's `/extension` socket that answers ops requests with canned results.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

pub const BIN: &str = env!("CARGO_BIN_EXE_opendevbrowser");
pub const EXTENSION_ORIGIN: &str = "chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One CLI run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
}

pub fn cli(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .env("OPENDEVBROWSER_CONFIG_DIR", dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

/// A running `serve`; its stdout and stderr are collected for the token grep.
pub struct Serve {
    pub child: Child,
    pub dir: PathBuf,
    pub relay_port: u16,
    pub daemon_port: u16,
    pub output: Arc<Mutex<String>>,
}

impl Serve {
    pub fn start(dir: &Path) -> Serve {
        let (relay_port, daemon_port) = (free_port(), free_port());
        let mut child = Command::new(BIN)
            .args([
                "serve",
                "--port",
                &relay_port.to_string(),
                "--daemon-port",
                &daemon_port.to_string(),
            ])
            .env("OPENDEVBROWSER_CONFIG_DIR", dir)
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let out = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                out.lock().unwrap().push_str(&format!("{line}\n"));
                if line.contains("daemon ready") {
                    let _ = tx.send(line);
                }
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let err = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                err.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let line = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no ready line; output:\n{}", output.lock().unwrap()));
        assert_eq!(
            line,
            format!("opendevbrowser daemon ready: relay 127.0.0.1:{relay_port}, daemon 127.0.0.1:{daemon_port}")
        );
        Serve {
            child,
            dir: dir.to_path_buf(),
            relay_port,
            daemon_port,
            output,
        }
    }

    pub fn cli(&self, args: &[&str]) -> Run {
        cli(&self.dir, args)
    }

    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Waits for the process to exit; its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.cli(&["serve", "--stop"]);
            if self.wait_exit(Duration::from_secs(3)).is_none() {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }
}

pub fn config(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap()
}

/// The canned result of an ops command for the fake extension.
pub fn canned(command: &str, payload: &Value, session: &str) -> Value {
    match command {
        "session.launch" | "session.connect" => {
            json!({"opsSessionId": session, "activeTargetId": "tab-7",
            "url": payload.get("startUrl").cloned().unwrap_or(json!("http://127.0.0.1/")), "title": "Start",
            "leaseId": "from-extension"})
        }
        "nav.goto" => json!({"finalUrl": payload["url"], "timingMs": 3}),
        "nav.snapshot" => {
            json!({"snapshotId": "snap-1", "url": "http://127.0.0.1/", "title": "Start",
            "content": "[r1] heading \"Hello\"\n[r2] link \"Next\"", "truncated": true, "nextCursor": "2",
            "refCount": 2, "timingMs": 4, "warnings": []})
        }
        "session.disconnect" => json!({"ok": true}),
        _ => json!({"unexpected": command}),
    }
}

/// A fake extension: handshakes with `token`, then answers hellos, pings and requests. Returns the ops
/// requests it saw (shared) once connected.
pub fn fake_extension(relay_port: u16, token: String) -> Arc<Mutex<Vec<Value>>> {
    let (seen, stop) = fake_extension_stoppable(relay_port, token);
    std::mem::forget(stop);
    seen
}

/// Like [`fake_extension`]; sending on (or dropping) the returned sender closes the extension's socket.
pub fn fake_extension_stoppable(
    relay_port: u16,
    token: String,
) -> (Arc<Mutex<Vec<Value>>>, tokio::sync::oneshot::Sender<()>) {
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let log = seen.clone();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let mut req = format!("ws://127.0.0.1:{relay_port}/extension").into_client_request().unwrap();
            req.headers_mut().insert("Origin", HeaderValue::from_static(EXTENSION_ORIGIN));
            let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("extension socket");
            let hs = json!({"type":"handshake","payload":{"tabId":7,"url":"http://127.0.0.1/","title":"Start",
                "pairingToken": token}});
            ws.send(Message::text(hs.to_string())).await.unwrap();
            let session = "S-fake-1";
            loop {
                let frame = tokio::select! {
                    frame = ws.next() => frame,
                    _ = &mut stop_rx => {
                        let _ = ws.close(None).await;
                        return;
                    }
                };
                let Some(Ok(frame)) = frame else { return };
                let Message::Text(text) = frame else { continue };
                let msg: Value = serde_json::from_str(text.as_str()).unwrap();
                let reply = match msg["type"].as_str().unwrap_or_default() {
                    "handshakeAck" => {
                        let _ = ready_tx.send(());
                        continue;
                    }
                    "ops_hello" => json!({"type":"ops_hello_ack","version":"1","clientId":msg["clientId"],
                        "capabilities":[],"maxPayloadBytes":12582912}),
                    "ops_ping" => json!({"type":"ops_pong","id":msg["id"],"clientId":msg["clientId"]}),
                    "ops_request" => {
                        log.lock().unwrap().push(msg.clone());
                        let command = msg["command"].as_str().unwrap_or_default();
                        json!({"type":"ops_response","requestId":msg["requestId"],"clientId":msg["clientId"],
                            "opsSessionId": session, "payload": canned(command, &msg["payload"], session)})
                    }
                    _ => continue,
                };
                ws.send(Message::text(reply.to_string())).await.unwrap();
            }
        });
    });
    ready_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("relay acked the fake extension's handshake");
    (seen, stop_tx)
}
