//! [`BrowserCdp`]: a minimal synchronous client for the browser-level CDP endpoint (`--remote-debugging-port`),
//! for fault tests that need to do to a page what no user command may: crash its renderer.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::stream::MaybeTlsStream;
use tokio_tungstenite::tungstenite::{self, Message, WebSocket};

/// One browser-level CDP connection (flat sessions).
pub struct BrowserCdp {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
}

impl BrowserCdp {
    /// Connects to `ws://127.0.0.1:<port>/devtools/browser/<id>`.
    ///
    /// # Panics
    /// When the connection fails.
    pub fn connect(url: &str) -> BrowserCdp {
        let (ws, _) = tungstenite::connect(url).expect("connect to the browser CDP endpoint");
        if let MaybeTlsStream::Plain(stream) = ws.get_ref() {
            stream
                .set_read_timeout(Some(Duration::from_millis(200)))
                .expect("read timeout");
        }
        BrowserCdp { ws, next: 0 }
    }

    /// Sends `method` (to `session`, when given) without waiting; returns the message id.
    pub fn send(&mut self, method: &str, params: Value, session: Option<&str>) -> u64 {
        self.next += 1;
        let mut msg = json!({"id": self.next, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .expect("send CDP");
        self.next
    }

    /// Sends `method` and returns its `result` (or panics with its `error`), skipping events.
    ///
    /// # Panics
    /// On a CDP error or no answer within 10 s.
    pub fn call(&mut self, method: &str, params: Value, session: Option<&str>) -> Value {
        let id = self.send(method, params, session);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let msg = match self.ws.read() {
                Ok(Message::Text(t)) => serde_json::from_str::<Value>(&t).unwrap_or_default(),
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    continue
                }
                Err(e) => panic!("CDP socket failed: {e}"),
            };
            if msg["id"] == id {
                if let Some(err) = msg.get("error") {
                    panic!("{method} failed: {err}");
                }
                return msg["result"].clone();
            }
        }
        panic!("no answer to {method}");
    }

    /// Attaches (flat) to the first page target whose URL contains `needle`; returns the CDP session id.
    ///
    /// # Panics
    /// When no such page exists.
    pub fn attach_page(&mut self, needle: &str) -> String {
        let targets = self.call("Target.getTargets", json!({}), None);
        let target = targets["targetInfos"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.contains(needle)))
            .unwrap_or_else(|| panic!("no page with {needle:?} in {targets}"))
            .clone();
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
            None,
        );
        attached["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_string()
    }
}
