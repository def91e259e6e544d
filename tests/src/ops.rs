//! [`RawOps`]: a bare `/ops` WebSocket client for tests that need what the CLI hides: several clients at once,
//! explicit leases, duplicate request ids, malformed frames, and the events each client receives.
//!
//! Synchronous (tungstenite over a blocking `TcpStream` with a read timeout) so tests read top to bottom.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::stream::MaybeTlsStream;
use tokio_tungstenite::tungstenite::{self, Message, WebSocket};

/// How long [`RawOps::request`] waits for its answer by default.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// One `/ops` client connection, after `ops_hello`/`ops_hello_ack`.
pub struct RawOps {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    /// The relay-assigned `clientId` from `ops_hello_ack`.
    pub client_id: String,
    /// Every message received so far, in order (responses, errors, events, chunks).
    pub received: Vec<Value>,
    /// The socket was closed by the relay (or failed); nothing more will arrive.
    pub closed: bool,
    next: u64,
}

impl RawOps {
    /// Connects to `ws://127.0.0.1:<relay_port>/ops?token=<token>` and completes the hello.
    ///
    /// # Panics
    /// When the connection or the hello fails (a test failure).
    pub fn connect(relay_port: u16, token: &str) -> RawOps {
        let url = format!("ws://127.0.0.1:{relay_port}/ops?token={token}");
        let (ws, _) = tungstenite::connect(url).expect("connect /ops");
        if let MaybeTlsStream::Plain(stream) = ws.get_ref() {
            stream
                .set_read_timeout(Some(Duration::from_millis(200)))
                .expect("read timeout");
        }
        let mut ops = RawOps {
            ws,
            client_id: String::new(),
            received: Vec::new(),
            closed: false,
            next: 0,
        };
        ops.send_raw(
            &json!({"type": "ops_hello", "version": "1", "maxPayloadBytes": 12_582_912})
                .to_string(),
        );
        let ack = ops
            .wait_for(Duration::from_secs(10), |m| m["type"] == "ops_hello_ack")
            .expect("ops_hello_ack");
        ops.client_id = ack["clientId"].as_str().unwrap_or_default().to_string();
        ops
    }

    /// Sends one text frame as is.
    pub fn send_raw(&mut self, text: &str) {
        self.ws
            .send(Message::text(text.to_string()))
            .expect("send on /ops");
    }

    /// Sends an `ops_request` without waiting; returns its `requestId` (`req-<n>` unless `id` is given).
    pub fn send(
        &mut self,
        id: Option<&str>,
        session: Option<&str>,
        lease: Option<&str>,
        command: &str,
        payload: Value,
    ) -> String {
        self.next += 1;
        let id = id.map_or_else(|| format!("req-{}", self.next), str::to_string);
        let mut msg =
            json!({"type": "ops_request", "requestId": id, "command": command, "payload": payload});
        if let Some(s) = session {
            msg["opsSessionId"] = json!(s);
        }
        if let Some(l) = lease {
            msg["leaseId"] = json!(l);
        }
        self.send_raw(&msg.to_string());
        id
    }

    /// Sends a request and waits for its `ops_response` payload (`Ok`) or `ops_error` body (`Err`).
    ///
    /// # Panics
    /// When no answer arrives within [`ANSWER_TIMEOUT`].
    pub fn request(
        &mut self,
        session: Option<&str>,
        lease: Option<&str>,
        command: &str,
        payload: Value,
    ) -> Result<Value, Value> {
        let id = self.send(None, session, lease, command, payload);
        self.answer(&id, ANSWER_TIMEOUT)
    }

    /// `targets.new {url}` in `session`; returns the new `targetId`.
    ///
    /// # Panics
    /// When the command fails.
    pub fn new_target(&mut self, session: &str, lease: Option<&str>, url: &str) -> String {
        let r = self
            .request(Some(session), lease, "targets.new", json!({ "url": url }))
            .unwrap_or_else(|e| panic!("targets.new: {e}"));
        r["targetId"].as_str().expect("targetId").to_string()
    }

    /// Waits for the answer to `id`.
    ///
    /// # Panics
    /// When none arrives within `timeout`.
    pub fn answer(&mut self, id: &str, timeout: Duration) -> Result<Value, Value> {
        let msg = self
            .wait_for(timeout, |m| {
                m["requestId"] == id && (m["type"] == "ops_response" || m["type"] == "ops_error")
            })
            .unwrap_or_else(|| panic!("no answer to {id} within {timeout:?}"));
        if msg["type"] == "ops_error" {
            Err(msg["error"].clone())
        } else {
            Ok(msg["payload"].clone())
        }
    }

    /// Returns the first message (already received or arriving within `timeout`) matching `pred`.
    pub fn wait_for(&mut self, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(m) = self.received.iter().find(|m| pred(m)) {
            return Some(m.clone());
        }
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline && !self.closed {
            if let Some(m) = self.read_one() {
                let hit = pred(&m);
                self.received.push(m.clone());
                if hit {
                    return Some(m);
                }
            }
        }
        None
    }

    /// Reads whatever arrives within `period` into [`RawOps::received`].
    pub fn pump(&mut self, period: Duration) {
        let _ = self.wait_for(period, |_| false);
    }

    /// The names of the `ops_event`s received so far, in order.
    pub fn events(&self) -> Vec<String> {
        self.received
            .iter()
            .filter(|m| m["type"] == "ops_event")
            .map(|m| m["event"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Closes the socket (the relay then tells the extension `ops_client_disconnected`).
    pub fn close(mut self) {
        let _ = self.ws.close(None);
        let _ = self.ws.flush();
    }

    fn read_one(&mut self) -> Option<Value> {
        match self.ws.read() {
            Ok(Message::Text(text)) => serde_json::from_str(&text).ok(),
            Ok(_) => None,
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                None
            }
            Err(_) => {
                self.closed = true;
                None
            }
        }
    }
}
