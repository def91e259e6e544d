//! The daemon's command dispatcher: `{name, params}` from the CLI to `/ops` requests with the session's
//! `opsSessionId` and `leaseId`, plus the TS recovery of PROTOCOL.md §3.3 (wait for the extension, then
//! `session.connect` with the same lease and retry once).
//!
//! Command names are the `/ops` names of PROTOCOL.md §3.5. `params` are the command's payload plus
//! `sessionId` (the id `session.launch`/`session.connect` returned), which the daemon turns into the envelope's
//! `opsSessionId`/`leaseId`. `session.launch`/`session.connect` answer
//! `{sessionId, mode:"extension", activeTargetId, url, title}` (the lease stays in the daemon).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use odb_protocol::commands::{self, SESSION_CONNECT, SESSION_DISCONNECT, SESSION_LAUNCH};
use odb_protocol::http::StatusResponse;
use odb_protocol::ops::{event, OpsEvent};
use odb_protocol::{ErrorCode, OpsErrorBody};
use serde_json::{json, Map, Value};

use crate::ops_client::{EventHook, OpsClient, OpsTarget};
use crate::timeouts::{ops_timeout, RECOVERY_WAIT_MS};

/// How often recovery polls the relay status, in ms (PROTOCOL.md §3.3).
pub const RECOVERY_POLL_MS: u64 = 250;

/// Reads the in-process relay's `/status` facts.
pub type StatusFn = Arc<dyn Fn() -> BoxFuture<'static, StatusResponse> + Send + Sync>;

/// What the daemon remembers about one session.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRecord {
    /// The lease sent on every request of the session.
    pub lease_id: String,
    /// The root tab (`tab-N` -> N) used to re-attach in recovery.
    pub root_tab_id: Option<i64>,
    /// Set when the extension reported the session closed (no recovery then).
    pub closed: bool,
}

/// Routes CLI commands to the `/ops` client.
pub struct Dispatcher {
    ops: OpsClient,
    sessions: Arc<Mutex<HashMap<String, SessionRecord>>>,
    relay_status: StatusFn,
    recovery_wait: Duration,
}

/// The tab number of a `tab-N` target id.
pub fn tab_id_of(target_id: &str) -> Option<i64> {
    target_id.strip_prefix("tab-")?.parse().ok()
}

fn invalid(message: impl Into<String>) -> OpsErrorBody {
    OpsErrorBody::new(ErrorCode::InvalidRequest, message)
}

impl Dispatcher {
    /// A dispatcher whose `/ops` client talks to `target`, reading relay facts through `relay_status`.
    pub fn new(target: OpsTarget, relay_status: StatusFn) -> Self {
        let sessions: Arc<Mutex<HashMap<String, SessionRecord>>> = Arc::default();
        let hook_sessions = sessions.clone();
        let hook: EventHook = Arc::new(move |ev: &OpsEvent| {
            if ev.event == event::SESSION_CLOSED || ev.event == event::TAB_CLOSED {
                if let Some(id) = &ev.ops_session_id {
                    if let Some(rec) = hook_sessions.lock().expect("sessions lock").get_mut(id) {
                        rec.closed = true;
                    }
                }
            }
        });
        Dispatcher {
            ops: OpsClient::new(target, Some(hook)),
            sessions,
            relay_status,
            recovery_wait: Duration::from_millis(RECOVERY_WAIT_MS),
        }
    }

    /// Overrides how long recovery waits for the extension (tests).
    pub fn with_recovery_wait(mut self, wait: Duration) -> Self {
        self.recovery_wait = wait;
        self
    }

    /// Number of sessions the daemon knows.
    pub fn session_count(&self) -> usize {
        self.sessions.lock().expect("sessions lock").len()
    }

    /// Whether the `/ops` connection is open.
    pub async fn ops_connected(&self) -> bool {
        self.ops.is_connected().await
    }

    /// Closes the `/ops` connection (daemon shutdown).
    pub async fn close(&self) {
        self.ops.close().await;
    }

    /// Runs one CLI command.
    ///
    /// # Errors
    /// `invalid_request` for an unknown command or missing `sessionId`; `invalid_session` for a session this
    /// daemon does not know; otherwise the `/ops` error.
    pub async fn handle(&self, name: &str, params: Value) -> Result<Value, OpsErrorBody> {
        let mut payload = match params {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            _ => return Err(invalid("params must be a JSON object")),
        };
        match name {
            SESSION_LAUNCH | SESSION_CONNECT => self.start_session(name, payload).await,
            n if commands::ALL.contains(&n) => {
                let session_id = match payload.remove("sessionId") {
                    Some(Value::String(s)) if !s.is_empty() => s,
                    _ => return Err(invalid(format!("Missing sessionId for {name}"))),
                };
                let record = self.record(&session_id)?;
                let result = self
                    .with_recovery(name, &session_id, &record, Value::Object(payload))
                    .await;
                if name == SESSION_DISCONNECT {
                    self.sessions
                        .lock()
                        .expect("sessions lock")
                        .remove(&session_id);
                    if matches!(&result, Err(e) if e.code == ErrorCode::InvalidSession) {
                        return Ok(json!({"ok": true, "alreadyClosed": true}));
                    }
                }
                result
            }
            other => Err(invalid(format!("Unknown command: {other}"))),
        }
    }

    fn record(&self, session_id: &str) -> Result<SessionRecord, OpsErrorBody> {
        self.sessions
            .lock()
            .expect("sessions lock")
            .get(session_id)
            .cloned()
            .ok_or_else(|| {
                OpsErrorBody::new(
                    ErrorCode::InvalidSession,
                    format!("Unknown session {session_id}. Start one with: opendevbrowser launch"),
                )
            })
    }

    async fn start_session(
        &self,
        name: &str,
        payload: Map<String, Value>,
    ) -> Result<Value, OpsErrorBody> {
        let lease_id = uuid::Uuid::new_v4().to_string();
        let payload = Value::Object(payload);
        let timeout = ops_timeout(name, &payload);
        let result = self
            .ops
            .request(name, None, Some(&lease_id), payload, timeout)
            .await?;
        let session_id = result
            .get("opsSessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                OpsErrorBody::new(
                    ErrorCode::ExecutionFailed,
                    "session reply without opsSessionId",
                )
            })?
            .to_string();
        let root_tab_id = result
            .get("activeTargetId")
            .and_then(Value::as_str)
            .and_then(tab_id_of);
        let record = SessionRecord {
            lease_id,
            root_tab_id,
            closed: false,
        };
        self.sessions
            .lock()
            .expect("sessions lock")
            .insert(session_id.clone(), record);
        tracing::info!(session_id = %session_id, "session started");
        Ok(session_output(&session_id, &result))
    }

    async fn with_recovery(
        &self,
        name: &str,
        session_id: &str,
        record: &SessionRecord,
        payload: Value,
    ) -> Result<Value, OpsErrorBody> {
        let timeout = ops_timeout(name, &payload);
        let lease = record.lease_id.as_str();
        let first = self
            .ops
            .request(
                name,
                Some(session_id),
                Some(lease),
                payload.clone(),
                timeout,
            )
            .await;
        let err = match first {
            Ok(value) => return Ok(value),
            Err(err) => err,
        };
        let recoverable = matches!(
            err.code,
            ErrorCode::InvalidSession | ErrorCode::OpsUnavailable
        );
        if !recoverable || record.closed || name == SESSION_DISCONNECT {
            return Err(err);
        }
        let Some(tab_id) = record.root_tab_id else {
            return Err(err);
        };
        tracing::info!(
            session_id,
            code = err.code.as_str(),
            "recovering the session"
        );
        if !self.wait_for_extension().await {
            return Err(err);
        }
        let connect = json!({"sessionId": session_id, "tabId": tab_id});
        let timeout_connect = ops_timeout(SESSION_CONNECT, &connect);
        let reply = self
            .ops
            .request(SESSION_CONNECT, None, Some(lease), connect, timeout_connect)
            .await?;
        if let Some(tab) = reply
            .get("activeTargetId")
            .and_then(Value::as_str)
            .and_then(tab_id_of)
        {
            if let Some(rec) = self
                .sessions
                .lock()
                .expect("sessions lock")
                .get_mut(session_id)
            {
                rec.root_tab_id = Some(tab);
            }
        }
        self.ops
            .request(name, Some(session_id), Some(lease), payload, timeout)
            .await
    }

    /// Polls the relay every [`RECOVERY_POLL_MS`] until the extension is connected and handshaken.
    async fn wait_for_extension(&self) -> bool {
        let deadline = tokio::time::Instant::now() + self.recovery_wait;
        loop {
            let status = (self.relay_status)().await;
            if status.extension_connected && status.extension_handshake_complete {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(RECOVERY_POLL_MS)).await;
        }
    }
}

/// `{sessionId, mode:"extension", activeTargetId, url, title}` from a `session.launch`/`connect` reply.
fn session_output(session_id: &str, reply: &Value) -> Value {
    let mut out = Map::new();
    out.insert("sessionId".into(), json!(session_id));
    out.insert("mode".into(), json!("extension"));
    for key in ["activeTargetId", "url", "title"] {
        if let Some(v) = reply.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    Value::Object(out)
}

#[cfg(test)]
#[path = "dispatch_tests.rs"]
mod tests;
