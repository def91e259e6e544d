//! Managed (`launch --no-extension`) and cdpConnect (`connect --cdp-port | --ws-endpoint`) sessions: the same
//! `odb-ops` runtime the extension runs, executing natively on its own thread over a CDP connection
//! (`odb_managed`). The daemon speaks to it with the very `/ops` envelopes it sends the relay, so dispatch,
//! leases, timeouts and errors are the same in every mode; only the executor differs.
//!
//! One [`NativeBackend`] per session: it owns the browser connection and, in managed mode, the browser process
//! (killed, and a throwaway profile removed, when the backend shuts down).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use odb_cdp::discovery;
use odb_protocol::ops::{OpsEvent, OpsMessage, OpsRequest};
use odb_protocol::{ErrorCode, OpsErrorBody};
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};

use crate::launcher::{self, Browser, LaunchOptions};
use crate::ops_chunks::{Assembled, Reassembler};
use crate::ops_client::EventHook;

/// The `clientId` the daemon uses on a native runtime (there is no relay to assign one).
pub const NATIVE_CLIENT_ID: &str = "daemon";
/// How long a managed browser gets to write `DevToolsActivePort`.
pub const DEVTOOLS_PORT_WAIT: Duration = Duration::from_secs(20);

/// Which native mode a session runs in (the `mode` of `session.status`, PROTOCOL.md §3.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NativeMode {
    /// The daemon started the browser (`launch --no-extension`).
    Managed,
    /// The daemon attached to a browser someone else started (`connect --cdp-port | --ws-endpoint`).
    CdpConnect,
}

impl NativeMode {
    /// `"managed"` or `"cdpConnect"`.
    pub fn as_str(self) -> &'static str {
        match self {
            NativeMode::Managed => "managed",
            NativeMode::CdpConnect => "cdpConnect",
        }
    }
}

/// How to start a managed browser (`launch --no-extension` flags).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ManagedOptions {
    /// `--headless`.
    pub headless: bool,
    /// `--chrome-path`.
    pub chrome_path: Option<PathBuf>,
    /// The profile directory (`--profile NAME` / `--persist-profile`); `None` = a throwaway profile.
    pub profile_dir: Option<PathBuf>,
    /// `--flag` values, passed to the browser as they are.
    pub flags: Vec<String>,
}

fn failed(message: impl Into<String>) -> OpsErrorBody {
    OpsErrorBody::new(ErrorCode::ExecutionFailed, message)
}

type Reply = Result<Value, OpsErrorBody>;

#[derive(Default)]
struct Pending {
    replies: HashMap<String, oneshot::Sender<Reply>>,
    chunks: Reassembler,
}

/// A native ops runtime serving one session.
pub struct NativeBackend {
    mode: NativeMode,
    input: mpsc::UnboundedSender<String>,
    pending: Arc<Mutex<Pending>>,
    conn: odb_cdp::CdpConnection,
    initial_tab: Option<i64>,
    browser: Mutex<Option<Browser>>,
    reader: tokio::task::JoinHandle<()>,
}

impl NativeBackend {
    /// Starts a browser with `--remote-debugging-port=0`, reads its `DevToolsActivePort`, and runs the ops
    /// runtime over it.
    ///
    /// # Errors
    /// `execution_failed` naming what failed: no browser binary, a spawn error, no DevTools port in time, or
    /// the CDP connection.
    pub async fn launch(opts: ManagedOptions, on_event: EventHook) -> Result<Self, OpsErrorBody> {
        if let Some(dir) = &opts.profile_dir {
            // A port file left by an earlier run would point at a dead browser.
            let _ = std::fs::remove_file(dir.join("DevToolsActivePort"));
        }
        let launch = LaunchOptions {
            chrome_path: opts.chrome_path.clone(),
            headless: opts.headless,
            user_data_dir: opts.profile_dir.clone(),
            extra_flags: opts.flags.clone(),
            remote_debugging_port: Some(0),
            start_urls: vec!["about:blank".into()],
            ..LaunchOptions::default()
        };
        let mut browser = launcher::launch(&launch).map_err(|e| failed(e.to_string()))?;
        let profile = browser.profile_dir().to_path_buf();
        let url = discovery::wait_devtools_active_port(&profile, DEVTOOLS_PORT_WAIT, || {
            browser.is_running()
        })
        .await
        .map_err(|e| failed(e.to_string()))?;
        let backend = Self::start(NativeMode::Managed, &url, on_event).await?;
        *backend.browser.lock().expect("browser lock") = Some(browser);
        Ok(backend)
    }

    /// Attaches to a running browser: `ws_endpoint` (`ws://…/devtools/browser/<id>`) or `host`:`port`
    /// (resolved through `/json/version`).
    ///
    /// # Errors
    /// `execution_failed` when the endpoint cannot be found or connected.
    pub async fn connect(
        ws_endpoint: Option<&str>,
        host_port: Option<(&str, u16)>,
        on_event: EventHook,
    ) -> Result<Self, OpsErrorBody> {
        let url = match (ws_endpoint, host_port) {
            (Some(url), _) => url.to_string(),
            (None, Some((host, port))) => discovery::browser_ws_url(host, port)
                .await
                .map_err(|e| failed(e.to_string()))?,
            (None, None) => {
                return Err(OpsErrorBody::new(
                    ErrorCode::InvalidRequest,
                    "cdpConnect needs wsEndpoint or host and cdpPort",
                ))
            }
        };
        Self::start(NativeMode::CdpConnect, &url, on_event).await
    }

    async fn start(mode: NativeMode, url: &str, on_event: EventHook) -> Result<Self, OpsErrorBody> {
        let native = odb_managed::start(url, mode.as_str())
            .await
            .map_err(|e| failed(e.to_string()))?;
        let pending: Arc<Mutex<Pending>> = Arc::default();
        let reader = tokio::spawn(read_answers(native.output, pending.clone(), on_event));
        Ok(NativeBackend {
            mode,
            input: native.input,
            pending,
            conn: native.conn,
            initial_tab: native.initial_tab,
            browser: Mutex::new(None),
            reader,
        })
    }

    /// The session's mode.
    pub fn mode(&self) -> NativeMode {
        self.mode
    }

    /// The first page tab when the runtime started (`session.launch {tabId}` when no start URL is given).
    pub fn initial_tab(&self) -> Option<i64> {
        self.initial_tab
    }

    /// Sends `command` as an `ops_request` to the native runtime and waits up to `timeout`.
    ///
    /// # Errors
    /// The runtime's `ops_error` body; `ops_unavailable` once the runtime is gone; `timeout` (retryable).
    pub async fn request(
        &self,
        command: &str,
        ops_session_id: Option<&str>,
        lease_id: Option<&str>,
        payload: Value,
        timeout: Duration,
    ) -> Result<Value, OpsErrorBody> {
        let request_id = uuid::Uuid::new_v4().to_string();
        let (tx, rx) = oneshot::channel();
        self.pending
            .lock()
            .expect("pending lock")
            .replies
            .insert(request_id.clone(), tx);
        let msg = OpsMessage::OpsRequest(OpsRequest {
            request_id: request_id.clone(),
            client_id: Some(NATIVE_CLIENT_ID.to_string()),
            ops_session_id: ops_session_id.map(str::to_string),
            lease_id: lease_id.map(str::to_string),
            command: command.to_string(),
            payload: Some(payload),
        });
        let gone = || {
            OpsErrorBody::new(
                ErrorCode::OpsUnavailable,
                "The browser connection of this session is closed.",
            )
        };
        let text = serde_json::to_string(&msg).expect("ops request serializes");
        if self.input.send(text).is_err() {
            self.forget(&request_id);
            return Err(gone());
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(reply)) => reply,
            Ok(Err(_)) => Err(gone()),
            Err(_) => {
                self.forget(&request_id);
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

    fn forget(&self, request_id: &str) {
        let mut p = self.pending.lock().expect("pending lock");
        p.replies.remove(request_id);
        p.chunks.forget_request(request_id);
    }

    /// Stops the runtime and closes the connection. `close_browser` sends `Browser.close` first (cdpConnect);
    /// a managed browser is always stopped (and a throwaway profile removed).
    pub async fn shutdown(&self, close_browser: bool) {
        if close_browser && self.mode == NativeMode::CdpConnect {
            let _ = self
                .conn
                .send_with_timeout(None, "Browser.close", json!({}), Duration::from_secs(5))
                .await;
        }
        self.conn.close();
        let browser = self.browser.lock().expect("browser lock").take();
        if let Some(mut browser) = browser {
            tokio::task::spawn_blocking(move || browser.stop())
                .await
                .ok();
        }
    }
}

impl Drop for NativeBackend {
    fn drop(&mut self) {
        self.reader.abort();
        self.conn.close();
    }
}

/// Correlates the runtime's envelopes with pending requests and hands `ops_event`s to `on_event`; when the
/// runtime thread ends, every pending request fails with `ops_unavailable`.
async fn read_answers(
    mut output: mpsc::UnboundedReceiver<String>,
    pending: Arc<Mutex<Pending>>,
    on_event: EventHook,
) {
    while let Some(text) = output.recv().await {
        let Ok(msg) = serde_json::from_str::<OpsMessage>(&text) else {
            tracing::debug!("unparsable native ops message dropped");
            continue;
        };
        if let OpsMessage::OpsEvent(ev) = &msg {
            on_event(ev);
            continue;
        }
        let mut p = pending.lock().expect("pending lock");
        if let Some((request_id, reply)) = answer_of(msg, &mut p.chunks) {
            if let Some(tx) = p.replies.remove(&request_id) {
                let _ = tx.send(reply);
            }
        }
    }
    let drained: Vec<_> = pending
        .lock()
        .expect("pending lock")
        .replies
        .drain()
        .collect();
    for (_, tx) in drained {
        let _ = tx.send(Err(OpsErrorBody::new(
            ErrorCode::OpsUnavailable,
            "The browser connection of this session is closed.",
        )));
    }
}

/// The request an envelope completes and its reply (`None` while a chunked result is incomplete).
fn answer_of(msg: OpsMessage, chunks: &mut Reassembler) -> Option<(String, Reply)> {
    let assembled = match msg {
        OpsMessage::OpsResponse(resp) if resp.chunked == Some(true) => {
            match (resp.payload_id.as_deref(), resp.total_chunks) {
                (Some(id), Some(total)) => chunks.start(&resp.request_id, id, total),
                _ => {
                    return Some((
                        resp.request_id,
                        Err(failed("Chunked response without payloadId")),
                    ))
                }
            }
        }
        OpsMessage::OpsResponse(resp) => {
            return Some((resp.request_id, Ok(resp.payload.unwrap_or(Value::Null))))
        }
        OpsMessage::OpsChunk(c) => chunks.add(
            &c.request_id,
            &c.payload_id,
            c.chunk_index,
            c.total_chunks,
            c.data,
        ),
        OpsMessage::OpsError(err) => return Some((err.request_id, Err(err.error))),
        _ => return None,
    };
    match assembled {
        Assembled::Incomplete => None,
        Assembled::Done {
            request_id,
            payload,
        } => Some((request_id, Ok(payload))),
        Assembled::Failed { request_id, reason } => Some((request_id, Err(failed(reason)))),
    }
}

/// An ops event of a native session, for the daemon's hook (exposed for tests).
pub fn is_session_end(ev: &OpsEvent) -> bool {
    ev.event == odb_protocol::ops::event::SESSION_CLOSED
        || ev.event == odb_protocol::ops::event::TAB_CLOSED
}

#[cfg(test)]
mod tests {
    use super::*;
    use odb_protocol::ops::{OpsChunk, OpsError};

    fn response(id: &str, payload: Value) -> OpsMessage {
        serde_json::from_value(json!({
            "type": "ops_response", "requestId": id, "clientId": "daemon", "opsSessionId": "s", "payload": payload
        }))
        .unwrap()
    }

    #[test]
    fn plain_answers_and_errors_complete_their_request() {
        let mut chunks = Reassembler::default();
        let (id, reply) = answer_of(response("r1", json!({"ok": true})), &mut chunks).unwrap();
        assert_eq!((id.as_str(), reply), ("r1", Ok(json!({"ok": true}))));
        let err = OpsMessage::OpsError(OpsError {
            request_id: "r2".into(),
            client_id: None,
            ops_session_id: None,
            error: OpsErrorBody::new(ErrorCode::InvalidRequest, "Unknown ref: r9"),
        });
        let (id, reply) = answer_of(err, &mut chunks).unwrap();
        assert_eq!(id, "r2");
        assert_eq!(reply.unwrap_err().message, "Unknown ref: r9");
    }

    #[test]
    fn chunked_answers_are_joined() {
        let mut chunks = Reassembler::default();
        let header: OpsMessage = serde_json::from_value(json!({
            "type": "ops_response", "requestId": "r", "clientId": "daemon", "opsSessionId": "s",
            "chunked": true, "payloadId": "p", "totalChunks": 2
        }))
        .unwrap();
        assert!(answer_of(header, &mut chunks).is_none());
        let chunk = |i: u32, data: &str| {
            OpsMessage::OpsChunk(OpsChunk {
                request_id: "r".into(),
                client_id: None,
                ops_session_id: None,
                payload_id: "p".into(),
                chunk_index: i,
                total_chunks: 2,
                data: data.into(),
            })
        };
        assert!(answer_of(chunk(1, "2]"), &mut chunks).is_none());
        let (id, reply) = answer_of(chunk(0, "[1,"), &mut chunks).unwrap();
        assert_eq!((id.as_str(), reply), ("r", Ok(json!([1, 2]))));
    }
}
