//! [`CdpConnection`]: one WebSocket to a browser's DevTools endpoint, requests correlated by `id`, flat
//! sessions by `sessionId`, events on an unbounded channel.
//!
//! Wire form (CDP over WebSocket, one JSON text frame per message):
//! `{"id":N,"method":"X.y","params":{...},"sessionId"?:"S"}` → `{"id":N,"result":{...}}` or
//! `{"id":N,"error":{"code":C,"message":"...","data"?:"..."}}`; events are `{"method":"X.z","params":{...},
//! "sessionId"?:"S"}`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

use crate::error::CdpError;

/// The deadline of [`CdpConnection::send`], 30 s (the ops runtime's own CDP deadline).
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest message accepted from the browser (full-page screenshots are big), 256 MiB.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// A CDP event: `method`, `params`, and the flat session it came from (`None` = the browser target).
#[derive(Clone, Debug, PartialEq)]
pub struct CdpEvent {
    /// The flat session id (`None` for browser-level events such as `Target.targetCreated`).
    pub session_id: Option<String>,
    /// The event name, e.g. `"Page.frameNavigated"`.
    pub method: String,
    /// The event's params (`{}` when absent).
    pub params: Value,
}

type Reply = Result<Value, CdpError>;

struct Shared {
    pending: Mutex<HashMap<u64, oneshot::Sender<Reply>>>,
    closed: AtomicBool,
    closed_tx: watch::Sender<bool>,
}

impl Shared {
    /// Marks the connection closed and fails every pending call with [`CdpError::Closed`].
    fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.closed_tx.send_replace(true);
        let drained: Vec<_> = self.pending.lock().expect("pending lock").drain().collect();
        for (_, tx) in drained {
            let _ = tx.send(Err(CdpError::Closed));
        }
    }
}

struct Inner {
    out: mpsc::UnboundedSender<Message>,
    shared: Arc<Shared>,
    next_id: AtomicU64,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// A browser-level CDP connection; cheap to clone (`Arc`), `Send + Sync`. Dropping the last clone closes it.
#[derive(Clone)]
pub struct CdpConnection {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for CdpConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CdpConnection")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl CdpConnection {
    /// Opens the WebSocket at `url` (`ws://127.0.0.1:<port>/devtools/browser/<id>`). Returns the connection
    /// and the stream of every event (browser-level and of every flat session); the stream ends when the
    /// socket closes. Must be called inside a tokio runtime (it spawns the reader and writer tasks there).
    ///
    /// # Errors
    /// [`CdpError::Connect`] when the upgrade fails.
    pub async fn connect(
        url: &str,
    ) -> Result<(CdpConnection, mpsc::UnboundedReceiver<CdpEvent>), CdpError> {
        let mut config = WebSocketConfig::default();
        config.max_message_size = Some(MAX_MESSAGE_BYTES);
        config.max_frame_size = Some(MAX_MESSAGE_BYTES);
        let (ws, _) = tokio_tungstenite::connect_async_with_config(url, Some(config), false)
            .await
            .map_err(|e| CdpError::Connect {
                url: url.to_string(),
                reason: e.to_string(),
            })?;
        let (mut sink, mut stream) = ws.split();
        let (closed_tx, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            pending: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
            closed_tx,
        });
        let (out, mut out_rx) = mpsc::unbounded_channel::<Message>();
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let writer_shared = shared.clone();
        let writer = tokio::spawn(async move {
            while let Some(msg) = out_rx.recv().await {
                let is_close = matches!(msg, Message::Close(_));
                if sink.send(msg).await.is_err() || is_close {
                    break;
                }
            }
            writer_shared.close();
        });
        let reader_shared = shared.clone();
        let reader = tokio::spawn(async move {
            while let Some(frame) = stream.next().await {
                match frame {
                    Ok(Message::Text(text)) => route(&reader_shared, &events_tx, text.as_str()),
                    Ok(Message::Binary(bytes)) => match std::str::from_utf8(&bytes) {
                        Ok(text) => route(&reader_shared, &events_tx, text),
                        Err(_) => tracing::debug!("binary CDP frame ignored"),
                    },
                    Ok(Message::Close(_)) => break,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::debug!(error = %e, "CDP socket error");
                        break;
                    }
                }
            }
            reader_shared.close();
        });
        Ok((
            CdpConnection {
                inner: Arc::new(Inner {
                    out,
                    shared,
                    next_id: AtomicU64::new(1),
                    tasks: vec![writer, reader],
                }),
            },
            events_rx,
        ))
    }

    /// Sends `method` with `params` to the browser (`session_id` `None`) or to a flat session, and waits up to
    /// [`DEFAULT_CALL_TIMEOUT`] for its `result`.
    ///
    /// # Errors
    /// See [`CdpConnection::send_with_timeout`].
    pub async fn send(
        &self,
        session_id: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, CdpError> {
        self.send_with_timeout(session_id, method, params, DEFAULT_CALL_TIMEOUT)
            .await
    }

    /// [`CdpConnection::send`] with an explicit deadline.
    ///
    /// # Errors
    /// [`CdpError::Protocol`] for the browser's error answer, [`CdpError::Timeout`] after `timeout`,
    /// [`CdpError::Closed`] when the socket is (or gets) closed.
    pub async fn send_with_timeout(
        &self,
        session_id: Option<&str>,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, CdpError> {
        let shared = &self.inner.shared;
        if shared.closed.load(Ordering::SeqCst) {
            return Err(CdpError::Closed);
        }
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session_id {
            msg["sessionId"] = Value::String(session.to_string());
        }
        let (tx, rx) = oneshot::channel();
        shared.pending.lock().expect("pending lock").insert(id, tx);
        if self.inner.out.send(Message::text(msg.to_string())).is_err() {
            shared.pending.lock().expect("pending lock").remove(&id);
            return Err(CdpError::Closed);
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => Err(CdpError::Closed),
            Err(_) => {
                shared.pending.lock().expect("pending lock").remove(&id);
                Err(CdpError::Timeout {
                    method: method.to_string(),
                    ms: timeout.as_millis() as u64,
                })
            }
        }
    }

    /// Whether the socket is closed.
    pub fn is_closed(&self) -> bool {
        self.inner.shared.closed.load(Ordering::SeqCst)
    }

    /// Resolves once the socket is closed (at once if it already is).
    pub async fn closed(&self) {
        let mut rx = self.inner.shared.closed_tx.subscribe();
        let _ = rx.wait_for(|closed| *closed).await;
    }

    /// Closes the socket (a normal close frame); pending calls fail with [`CdpError::Closed`].
    pub fn close(&self) {
        let _ = self.inner.out.send(Message::Close(None));
        self.inner.shared.close();
    }
}

/// Routes one text frame: an answer resolves its call, anything with a `method` is an event.
fn route(shared: &Shared, events: &mpsc::UnboundedSender<CdpEvent>, text: &str) {
    let msg: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            tracing::debug!(error = %e, "malformed CDP frame ignored");
            return;
        }
    };
    if let Some(id) = msg.get("id").and_then(Value::as_u64) {
        let Some(tx) = shared.pending.lock().expect("pending lock").remove(&id) else {
            return;
        };
        let _ = tx.send(reply_of(&msg));
        return;
    }
    let Some(method) = msg.get("method").and_then(Value::as_str) else {
        return;
    };
    let _ = events.send(CdpEvent {
        session_id: msg
            .get("sessionId")
            .and_then(Value::as_str)
            .map(str::to_string),
        method: method.to_string(),
        params: msg.get("params").cloned().unwrap_or_else(|| json!({})),
    });
}

/// `result` (`{}` when absent) or the typed `error` of an answer.
fn reply_of(msg: &Value) -> Reply {
    if let Some(error) = msg.get("error") {
        return Err(CdpError::Protocol {
            code: error.get("code").and_then(Value::as_i64).unwrap_or(0),
            message: error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("unknown CDP error")
                .to_string(),
            data: error
                .get("data")
                .and_then(Value::as_str)
                .map(str::to_string),
        });
    }
    Ok(msg.get("result").cloned().unwrap_or_else(|| json!({})))
}
