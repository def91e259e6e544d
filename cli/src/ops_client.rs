//! The daemon's `/ops` client to its own relay (PROTOCOL.md §2.2 "OpsClient (TS)", §3.1): hello/ack, requests
//! correlated by `requestId`, chunk reassembly, typed `ops_error`s, per-request timeouts, `ops_ping` heartbeat.
//!
//! Connects lazily on the first request and again on the next request after a drop. A drop fails every
//! pending request at once with `ops_unavailable`. The socket URL carries `?token=`; it is never logged.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use odb_protocol::limits::{close_code, MAX_OPS_PAYLOAD_BYTES, OPS_PROTOCOL_VERSION};
use odb_protocol::ops::{OpsEvent, OpsHello, OpsMessage, OpsPing, OpsRequest};
use odb_protocol::{ErrorCode, OpsErrorBody};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::ops_chunks::{Assembled, Reassembler};

/// How long to wait for `ops_hello_ack`, in ms (PROTOCOL.md §2.2).
pub const HELLO_TIMEOUT_MS: u64 = 12_000;
/// `ops_ping` interval, in ms (PROTOCOL.md §2.2).
pub const PING_INTERVAL_MS: u64 = 25_000;
/// How long a ping may go unanswered, in ms (PROTOCOL.md §2.2).
pub const PING_TIMEOUT_MS: u64 = 2_000;
/// Consecutive missed pings that end the connection (PROTOCOL.md §2.2).
pub const MAX_MISSED_PINGS: u32 = 2;
/// The message clients match on when the extension is not there (PROTOCOL.md §3.1, §11).
pub const EXTENSION_NOT_CONNECTED: &str = "Extension not connected to relay.";

/// Called for every `ops_event` (session created, closed, ...).
pub type EventHook = Arc<dyn Fn(&OpsEvent) + Send + Sync>;

type Reply = Result<Value, OpsErrorBody>;

/// Where and how to reach the relay's `/ops` endpoint.
#[derive(Clone)]
pub struct OpsTarget {
    /// The relay port on 127.0.0.1.
    pub port: u16,
    /// The relay token for `?token=` (`None` when pairing is off).
    pub token: Option<String>,
}

/// A lazily connected `/ops` client; cheap to share behind an `Arc`.
pub struct OpsClient {
    target: OpsTarget,
    on_event: Option<EventHook>,
    conn: tokio::sync::Mutex<Option<Arc<Connection>>>,
}

struct Shared {
    pending: Mutex<HashMap<String, oneshot::Sender<Reply>>>,
    chunks: Mutex<Reassembler>,
    closed: AtomicBool,
    last_pong: Mutex<Option<String>>,
}

struct Connection {
    out: mpsc::UnboundedSender<Message>,
    shared: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn unavailable(message: impl Into<String>) -> OpsErrorBody {
    OpsErrorBody::new(ErrorCode::OpsUnavailable, message)
}

impl Shared {
    fn resolve(&self, request_id: &str, reply: Reply) {
        let sender = self
            .pending
            .lock()
            .expect("pending lock")
            .remove(request_id);
        if let Some(sender) = sender {
            let _ = sender.send(reply);
        }
    }

    /// Marks the connection dead and fails every pending request with `error`.
    fn fail_all(&self, error: OpsErrorBody) {
        self.closed.store(true, Ordering::SeqCst);
        let drained: Vec<_> = self.pending.lock().expect("pending lock").drain().collect();
        for (_, sender) in drained {
            let _ = sender.send(Err(error.clone()));
        }
    }
}

impl OpsClient {
    /// A client for `target`; nothing connects until the first [`OpsClient::request`].
    pub fn new(target: OpsTarget, on_event: Option<EventHook>) -> Self {
        OpsClient {
            target,
            on_event,
            conn: tokio::sync::Mutex::new(None),
        }
    }

    /// Whether a connection is currently open and acked.
    pub async fn is_connected(&self) -> bool {
        self.conn
            .lock()
            .await
            .as_ref()
            .is_some_and(|c| !c.shared.closed.load(Ordering::SeqCst))
    }

    /// Sends `command` with `payload`, the envelope's `opsSessionId` and `leaseId`, and waits up to `timeout`.
    ///
    /// # Errors
    /// The extension's `ops_error` body; `ops_unavailable` when the relay or extension is not reachable or the
    /// socket drops; `timeout` (retryable) when no answer came in time.
    pub async fn request(
        &self,
        command: &str,
        ops_session_id: Option<&str>,
        lease_id: Option<&str>,
        payload: Value,
        timeout: Duration,
    ) -> Result<Value, OpsErrorBody> {
        let conn = self.connection().await?;
        let request_id = uuid::Uuid::new_v4().to_string();
        let (tx, rx) = oneshot::channel();
        conn.shared
            .pending
            .lock()
            .expect("pending lock")
            .insert(request_id.clone(), tx);
        let msg = OpsMessage::OpsRequest(OpsRequest {
            request_id: request_id.clone(),
            client_id: None,
            ops_session_id: ops_session_id.map(str::to_string),
            lease_id: lease_id.map(str::to_string),
            command: command.to_string(),
            payload: Some(payload),
        });
        let text = serde_json::to_string(&msg).expect("ops request serializes");
        if conn.out.send(Message::text(text)).is_err() {
            conn.shared
                .pending
                .lock()
                .expect("pending lock")
                .remove(&request_id);
            return Err(unavailable("Ops connection to the relay is closed."));
        }
        tracing::debug!(command, request_id = %request_id, "ops request sent");
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => Err(unavailable("Ops connection to the relay is closed.")),
            Err(_) => {
                conn.shared
                    .pending
                    .lock()
                    .expect("pending lock")
                    .remove(&request_id);
                conn.shared
                    .chunks
                    .lock()
                    .expect("chunks lock")
                    .forget_request(&request_id);
                Err(OpsErrorBody::new(
                    ErrorCode::Timeout,
                    format!(
                        "Ops request timed out after {} ms: {command}",
                        timeout.as_millis()
                    ),
                ))
            }
        }
    }

    /// Closes the connection (1000) if one is open; pending requests fail with `ops_unavailable`.
    pub async fn close(&self) {
        if let Some(conn) = self.conn.lock().await.take() {
            let frame = CloseFrame {
                code: CloseCode::Normal,
                reason: "Daemon stopping".into(),
            };
            let _ = conn.out.send(Message::Close(Some(frame)));
            tokio::time::sleep(Duration::from_millis(50)).await;
            conn.shared
                .fail_all(unavailable("Ops connection to the relay is closed."));
        }
    }

    async fn connection(&self) -> Result<Arc<Connection>, OpsErrorBody> {
        let mut slot = self.conn.lock().await;
        if let Some(conn) = slot.as_ref() {
            if !conn.shared.closed.load(Ordering::SeqCst) {
                return Ok(conn.clone());
            }
        }
        *slot = None;
        let conn = Arc::new(self.connect().await?);
        *slot = Some(conn.clone());
        Ok(conn)
    }

    async fn connect(&self) -> Result<Connection, OpsErrorBody> {
        let mut url = format!("ws://127.0.0.1:{}/ops", self.target.port);
        if let Some(token) = &self.target.token {
            url.push_str("?token=");
            url.push_str(token);
        }
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .map_err(describe_connect_error)?;
        let (mut sink, mut stream) = ws.split();
        let hello = OpsMessage::OpsHello(OpsHello {
            version: OPS_PROTOCOL_VERSION.to_string(),
            client_id: None,
            capabilities: None,
            max_payload_bytes: Some(MAX_OPS_PAYLOAD_BYTES as u64),
        });
        let hello = serde_json::to_string(&hello).expect("hello serializes");
        sink.send(Message::text(hello))
            .await
            .map_err(|e| unavailable(format!("ops hello failed: {e}")))?;
        let wait_ack = async {
            while let Some(frame) = stream.next().await {
                match frame {
                    Ok(Message::Text(text)) => {
                        match serde_json::from_str::<OpsMessage>(text.as_str()) {
                            Ok(OpsMessage::OpsHelloAck(ack)) => return Ok(ack.client_id),
                            Ok(OpsMessage::OpsError(err)) => return Err(err.error),
                            _ => continue,
                        }
                    }
                    Ok(Message::Close(frame)) => return Err(close_error(frame.as_ref())),
                    Ok(_) => continue,
                    Err(e) => return Err(unavailable(format!("ops connection failed: {e}"))),
                }
            }
            Err(close_error(None))
        };
        let client_id = tokio::time::timeout(Duration::from_millis(HELLO_TIMEOUT_MS), wait_ack)
            .await
            .map_err(|_| unavailable("Timed out waiting for ops_hello_ack."))??;
        tracing::info!(client_id = %client_id, "ops client connected to the relay");

        let shared = Arc::new(Shared {
            pending: Mutex::new(HashMap::new()),
            chunks: Mutex::new(Reassembler::default()),
            closed: AtomicBool::new(false),
            last_pong: Mutex::new(None),
        });
        let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
        let writer = tokio::spawn(async move {
            while let Some(msg) = out_rx.recv().await {
                let is_close = matches!(msg, Message::Close(_));
                if sink.send(msg).await.is_err() || is_close {
                    break;
                }
            }
        });
        let reader_shared = shared.clone();
        let on_event = self.on_event.clone();
        let reader = tokio::spawn(async move {
            let mut close = None;
            while let Some(frame) = stream.next().await {
                match frame {
                    Ok(Message::Text(text)) => {
                        handle_text(&reader_shared, on_event.as_ref(), text.as_str())
                    }
                    Ok(Message::Close(frame)) => {
                        close = frame;
                        break;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::debug!(error = %e, "ops socket error");
                        break;
                    }
                }
            }
            tracing::info!(
                code = close.as_ref().map(|f| u16::from(f.code)),
                "ops connection closed"
            );
            reader_shared.fail_all(close_error(close.as_ref()));
        });
        let heartbeat = tokio::spawn(heartbeat(shared.clone(), out.clone()));
        Ok(Connection {
            out,
            shared,
            tasks: vec![writer, reader, heartbeat],
        })
    }
}

/// Sends `ops_ping` every [`PING_INTERVAL_MS`]; after [`MAX_MISSED_PINGS`] consecutive misses it closes the
/// socket `1011 "Ops heartbeat missed"` and fails pending requests.
async fn heartbeat(shared: Arc<Shared>, out: mpsc::UnboundedSender<Message>) {
    let mut misses = 0u32;
    loop {
        tokio::time::sleep(Duration::from_millis(PING_INTERVAL_MS)).await;
        let id = uuid::Uuid::new_v4().to_string();
        let ping = OpsMessage::OpsPing(OpsPing {
            id: id.clone(),
            client_id: None,
        });
        if out
            .send(Message::text(
                serde_json::to_string(&ping).expect("ping serializes"),
            ))
            .is_err()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(PING_TIMEOUT_MS)).await;
        let answered = shared.last_pong.lock().expect("pong lock").as_deref() == Some(id.as_str());
        if answered {
            misses = 0;
            continue;
        }
        misses += 1;
        if misses >= MAX_MISSED_PINGS {
            tracing::warn!("ops heartbeat missed twice; closing the ops connection");
            let frame = CloseFrame {
                code: CloseCode::from(close_code::INTERNAL),
                reason: "Ops heartbeat missed".into(),
            };
            let _ = out.send(Message::Close(Some(frame)));
            shared.fail_all(unavailable(
                "Ops heartbeat missed; the relay or extension stopped answering.",
            ));
            return;
        }
    }
}

/// Handles one text frame from the relay.
fn handle_text(shared: &Shared, on_event: Option<&EventHook>, text: &str) {
    let msg = match serde_json::from_str::<OpsMessage>(text) {
        Ok(msg) => msg,
        Err(_) => {
            handle_unparsed(shared, text);
            return;
        }
    };
    match msg {
        OpsMessage::OpsResponse(resp) => {
            if resp.chunked == Some(true) {
                let (Some(payload_id), Some(total)) =
                    (resp.payload_id.as_deref(), resp.total_chunks)
                else {
                    let err = OpsErrorBody::new(
                        ErrorCode::ExecutionFailed,
                        "Chunked response without payloadId",
                    );
                    shared.resolve(&resp.request_id, Err(err));
                    return;
                };
                let done = shared.chunks.lock().expect("chunks lock").start(
                    &resp.request_id,
                    payload_id,
                    total,
                );
                finish_chunks(shared, done);
            } else {
                shared.resolve(&resp.request_id, Ok(resp.payload.unwrap_or(Value::Null)));
            }
        }
        OpsMessage::OpsChunk(chunk) => {
            let done = shared.chunks.lock().expect("chunks lock").add(
                &chunk.request_id,
                &chunk.payload_id,
                chunk.chunk_index,
                chunk.total_chunks,
                chunk.data,
            );
            finish_chunks(shared, done);
        }
        OpsMessage::OpsError(err) => {
            tracing::debug!(request_id = %err.request_id, code = err.error.code.as_str(), "ops error");
            shared.resolve(&err.request_id, Err(err.error));
        }
        OpsMessage::OpsPong(pong) => *shared.last_pong.lock().expect("pong lock") = Some(pong.id),
        OpsMessage::OpsEvent(event) => {
            tracing::debug!(event = %event.event, "ops event");
            if let Some(hook) = on_event {
                hook(&event);
            }
        }
        other => tracing::debug!(?other, "ignored ops message"),
    }
}

fn finish_chunks(shared: &Shared, done: Assembled) {
    match done {
        Assembled::Incomplete => {}
        Assembled::Done {
            request_id,
            payload,
        } => shared.resolve(&request_id, Ok(payload)),
        Assembled::Failed { request_id, reason } => shared.resolve(
            &request_id,
            Err(OpsErrorBody::new(ErrorCode::ExecutionFailed, reason)),
        ),
    }
}

/// An `ops_error` whose code this build does not know still fails its request, keeping the wire code visible.
fn handle_unparsed(shared: &Shared, text: &str) {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return;
    };
    if value.get("type").and_then(Value::as_str) != Some("ops_error") {
        return;
    }
    let Some(request_id) = value.get("requestId").and_then(Value::as_str) else {
        return;
    };
    let error = &value["error"];
    let code = error
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    let message = error.get("message").and_then(Value::as_str).unwrap_or("");
    let mut body = OpsErrorBody::new(ErrorCode::ExecutionFailed, format!("({code}) {message}"));
    body.retryable = error
        .get("retryable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    body.details = error.get("details").cloned();
    shared.resolve(request_id, Err(body));
}

/// The error for a closed socket: a 1011 close is the relay dropping us for a missing extension.
fn close_error(frame: Option<&CloseFrame>) -> OpsErrorBody {
    match frame {
        Some(f) if u16::from(f.code) == close_code::INTERNAL => {
            unavailable(EXTENSION_NOT_CONNECTED)
        }
        Some(f) => unavailable(format!(
            "Ops connection to the relay closed ({} {}).",
            u16::from(f.code),
            f.reason.as_str()
        )),
        None => unavailable("Ops connection to the relay closed."),
    }
}

/// Describes a failed upgrade without the URL (it carries the token).
fn describe_connect_error(err: tungstenite::Error) -> OpsErrorBody {
    match err {
        tungstenite::Error::Http(resp) => {
            let status = resp.status().as_u16();
            let why = match status {
                401 => "the relay token does not match",
                403 => "the relay refused this client",
                429 => "too many attempts; wait a minute",
                _ => "unexpected answer",
            };
            unavailable(format!(
                "Relay refused the ops connection ({status}): {why}."
            ))
        }
        tungstenite::Error::Io(e) => unavailable(format!("Relay not reachable: {e}.")),
        other => unavailable(format!("Ops connection failed: {other}.")),
    }
}

#[cfg(test)]
#[path = "ops_client_tests.rs"]
mod tests;
