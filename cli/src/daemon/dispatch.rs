//! The daemon's command dispatcher: `{name, params}` from the CLI to `/ops` requests with the session's
//! `opsSessionId` and `leaseId`, plus the TS recovery of PROTOCOL.md §3.3 (wait for the extension, then
//! `session.connect` with the same lease and retry once).
//!
//! Command names are the `/ops` names of PROTOCOL.md §3.5. `params` are the command's payload plus
//! `sessionId` (the id `session.launch`/`session.connect` returned), which the daemon turns into the envelope's
//! `opsSessionId`/`leaseId`. `session.launch`/`session.connect` answer
//! `{sessionId, mode, activeTargetId, url, title}` (the lease stays in the daemon).
//!
//! `params.mode` picks the executor: absent or `"extension"` = the relay and the extension; `"managed"` /
//! `"cdpConnect"` = a [`NativeBackend`] per session running the same ops runtime over CDP
//! (see [`super::native_start`]). Sessions of every mode coexist in one daemon.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use odb_protocol::commands::{self, SESSION_CONNECT, SESSION_DISCONNECT, SESSION_LAUNCH};
use odb_protocol::http::{ExtensionTransport, StatusResponse};
use odb_protocol::ops::OpsEvent;
use odb_protocol::{ErrorCode, OpsErrorBody};
use serde_json::{json, Map, Value};

use super::native::{is_session_end, NativeBackend};
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
    /// `"extension"`, `"managed"` or `"cdpConnect"`.
    pub mode: &'static str,
}

/// Routes CLI commands to the `/ops` client.
pub struct Dispatcher {
    ops: OpsClient,
    sessions: Arc<Mutex<HashMap<String, SessionRecord>>>,
    natives: Mutex<HashMap<String, Arc<NativeBackend>>>,
    relay_status: StatusFn,
    recovery_wait: Duration,
    profiles_dir: Option<PathBuf>,
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
        let hook = closed_hook(sessions.clone());
        Dispatcher {
            ops: OpsClient::new(target, Some(hook)),
            sessions,
            natives: Mutex::default(),
            relay_status,
            recovery_wait: Duration::from_millis(RECOVERY_WAIT_MS),
            profiles_dir: None,
        }
    }

    /// Where `launch --no-extension --profile NAME` keeps named profiles (`<config dir>/profiles`).
    pub fn with_profiles_dir(mut self, dir: PathBuf) -> Self {
        self.profiles_dir = Some(dir);
        self
    }

    /// The hook marking sessions closed on `ops_session_closed` / `ops_tab_closed` (any executor).
    pub(crate) fn closed_hook(&self) -> EventHook {
        closed_hook(self.sessions.clone())
    }

    /// The directory of named managed profiles, if configured.
    pub(crate) fn profiles_dir(&self) -> Option<&std::path::Path> {
        self.profiles_dir.as_deref()
    }

    fn native(&self, session_id: &str) -> Option<Arc<NativeBackend>> {
        self.natives
            .lock()
            .expect("natives lock")
            .get(session_id)
            .cloned()
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

    /// Closes the `/ops` connection and every native session (managed browsers are stopped) (daemon shutdown).
    pub async fn close(&self) {
        self.ops.close().await;
        let natives: Vec<_> = self
            .natives
            .lock()
            .expect("natives lock")
            .drain()
            .map(|(_, b)| b)
            .collect();
        for backend in natives {
            backend.shutdown(false).await;
        }
    }

    /// [`Dispatcher::handle`] for a command that may ask for one extension link (`--transport`): with
    /// `transport` set, the session's mode and the relay's `extensionTransport` are checked first
    /// ([`super::transport::check`]).
    ///
    /// # Errors
    /// As [`super::transport::check`], then as [`Dispatcher::handle`].
    pub async fn handle_on(
        &self,
        name: &str,
        params: Value,
        transport: Option<ExtensionTransport>,
    ) -> Result<Value, OpsErrorBody> {
        if let Some(want) = transport {
            let mode = super::transport::command_mode(name, &params, |id| {
                self.sessions
                    .lock()
                    .expect("sessions lock")
                    .get(id)
                    .map(|r| r.mode)
            });
            let status = (self.relay_status)().await;
            super::transport::check(want, mode, &status)?;
        }
        self.handle(name, params).await
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
            SESSION_LAUNCH | SESSION_CONNECT => match payload.remove("mode") {
                None => self.start_session(name, payload).await,
                Some(Value::String(m)) if m == "extension" => {
                    self.start_session(name, payload).await
                }
                Some(mode) => self.start_native(name, &mode, payload).await,
            },
            n if commands::ALL.contains(&n) => {
                let session_id = match payload.remove("sessionId") {
                    Some(Value::String(s)) if !s.is_empty() => s,
                    _ => return Err(invalid(format!("Missing sessionId for {name}"))),
                };
                let record = self.record(&session_id)?;
                if let Some(native) = self.native(&session_id) {
                    return self
                        .native_command(name, &session_id, &record, native, payload)
                        .await;
                }
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
            mode: "extension",
        };
        self.sessions
            .lock()
            .expect("sessions lock")
            .insert(session_id.clone(), record);
        tracing::info!(session_id = %session_id, "session started");
        Ok(session_output(&session_id, &result, "extension"))
    }

    /// Registers a native session started by [`super::native_start`]; returns the CLI's answer.
    pub(crate) fn add_native(
        &self,
        session_id: &str,
        lease_id: String,
        reply: &Value,
        backend: Arc<NativeBackend>,
    ) -> Value {
        let mode = backend.mode().as_str();
        let record = SessionRecord {
            lease_id,
            root_tab_id: reply
                .get("activeTargetId")
                .and_then(Value::as_str)
                .and_then(tab_id_of),
            closed: false,
            mode,
        };
        self.sessions
            .lock()
            .expect("sessions lock")
            .insert(session_id.to_string(), record);
        self.natives
            .lock()
            .expect("natives lock")
            .insert(session_id.to_string(), backend);
        tracing::info!(session_id, mode, "native session started");
        session_output(session_id, reply, mode)
    }

    /// Runs a command of a native session: no extension recovery (there is no extension to wait for).
    /// `session.disconnect` also ends the backend (a managed browser is stopped; `closeBrowser` closes a
    /// cdpConnect browser).
    async fn native_command(
        &self,
        name: &str,
        session_id: &str,
        record: &SessionRecord,
        native: Arc<NativeBackend>,
        payload: Map<String, Value>,
    ) -> Result<Value, OpsErrorBody> {
        let close_browser = payload.get("closeBrowser") == Some(&Value::Bool(true));
        let payload = Value::Object(payload);
        let timeout = ops_timeout(name, &payload);
        let result = native
            .request(
                name,
                Some(session_id),
                Some(&record.lease_id),
                payload,
                timeout,
            )
            .await;
        if name == SESSION_DISCONNECT {
            self.sessions
                .lock()
                .expect("sessions lock")
                .remove(session_id);
            self.natives
                .lock()
                .expect("natives lock")
                .remove(session_id);
            native.shutdown(close_browser).await;
            if matches!(&result, Err(e) if e.code == ErrorCode::InvalidSession) {
                return Ok(json!({"ok": true, "alreadyClosed": true}));
            }
        }
        result
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

/// The hook marking a session closed when its executor reports `ops_session_closed` / `ops_tab_closed`.
fn closed_hook(sessions: Arc<Mutex<HashMap<String, SessionRecord>>>) -> EventHook {
    Arc::new(move |ev: &OpsEvent| {
        if is_session_end(ev) {
            if let Some(id) = &ev.ops_session_id {
                if let Some(rec) = sessions.lock().expect("sessions lock").get_mut(id) {
                    rec.closed = true;
                }
            }
        }
    })
}

/// `{sessionId, mode, activeTargetId, url, title}` from a `session.launch`/`connect` reply.
fn session_output(session_id: &str, reply: &Value, mode: &str) -> Value {
    let mut out = Map::new();
    out.insert("sessionId".into(), json!(session_id));
    out.insert("mode".into(), json!(mode));
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
