//! The daemon's control endpoint on 127.0.0.1:<daemonPort> (PROTOCOL.md "Process topology"):
//!
//! ```text
//! POST /command  {"name":"nav.goto","params":{...},"transport"?:"websocket"|"native"} -> {"ok":true,"data":...} | {"ok":false,"error":{code,message,retryable,details?}}
//! GET  /status   -> {"ok":true,"data":{"daemon":{pid,relayPort,daemonPort,sessions,opsConnected,nativeBridge:{socket}|null,httpPair},"relay":<relay /status>}}
//! POST /stop     -> {"ok":true,"data":{"stopping":true}}, then a graceful shutdown
//! ```
//! Every request needs `Authorization: Bearer <daemonToken>` (constant-time compare; else 401) and a Host of
//! `127.0.0.1:<port>` or `localhost:<port>` (else 403, against DNS rebinding).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use odb_protocol::http::ExtensionTransport;
use odb_protocol::{ErrorCode, OpsErrorBody};
use serde::Deserialize;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;
use tokio::sync::Notify;

use super::dispatch::{Dispatcher, StatusFn};

/// Shared state of the control endpoint.
pub struct ControlState {
    /// The bearer token clients must present.
    pub token: String,
    /// The daemon port (for the Host check and status).
    pub daemon_port: u16,
    /// The relay port (for status).
    pub relay_port: u16,
    /// Runs commands.
    pub dispatcher: Dispatcher,
    /// Reads the relay's status.
    pub relay_status: StatusFn,
    /// The native bridge's socket when it listens (docs/NATIVE.md); reported in `daemon.nativeBridge`.
    pub native_socket: Option<std::path::PathBuf>,
    /// Whether the relay hands its token out over HTTP; reported in `daemon.httpPair`.
    pub http_pair: bool,
    /// Notified by `POST /stop`.
    pub stop: Arc<Notify>,
}

/// `POST /command` body.
#[derive(Debug, Deserialize)]
pub struct CommandRequest {
    /// A `/ops` command name (PROTOCOL.md §3.5).
    pub name: String,
    /// Its parameters, including `sessionId` for session commands.
    #[serde(default)]
    pub params: Value,
    /// `--transport`: `"websocket"` or `"native"`, the extension link the command must run over
    /// (`super::transport`); absent = either.
    #[serde(default)]
    pub transport: Option<ExtensionTransport>,
}

/// The router for `state`.
pub fn router(state: Arc<ControlState>) -> Router {
    Router::new()
        .route("/command", post(command))
        .route("/status", get(status))
        .route("/stop", post(stop))
        .with_state(state)
}

/// Whether `headers` carry an allowed Host and the right bearer token; the refusal otherwise.
fn guard(state: &ControlState, headers: &HeaderMap) -> Result<(), Refusal> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let allowed = [
        format!("127.0.0.1:{}", state.daemon_port),
        format!("localhost:{}", state.daemon_port),
    ];
    if !allowed.iter().any(|a| a.eq_ignore_ascii_case(host)) {
        return Err(Refusal(StatusCode::FORBIDDEN, "Forbidden: bad Host"));
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("");
    // Lengths are public (64 hex); the bytes are compared in constant time.
    if !bool::from(presented.as_bytes().ct_eq(state.token.as_bytes())) {
        return Err(Refusal(StatusCode::UNAUTHORIZED, "Unauthorized"));
    }
    Ok(())
}

/// A refused request: the HTTP status and message.
struct Refusal(StatusCode, &'static str);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = OpsErrorBody::new(ErrorCode::InvalidRequest, self.1);
        (self.0, Json(json!({"ok": false, "error": body}))).into_response()
    }
}

fn answer(result: Result<Value, OpsErrorBody>) -> Response {
    match result {
        Ok(data) => Json(json!({"ok": true, "data": data})).into_response(),
        Err(error) => Json(json!({"ok": false, "error": error})).into_response(),
    }
}

async fn command(
    State(state): State<Arc<ControlState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = guard(&state, &headers) {
        return refused.into_response();
    }
    let request: CommandRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            let error = OpsErrorBody::new(
                ErrorCode::InvalidRequest,
                format!("Invalid command body: {e}"),
            );
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"ok": false, "error": error})),
            )
                .into_response();
        }
    };
    tracing::debug!(name = %request.name, "daemon command");
    let result = state
        .dispatcher
        .handle_on(&request.name, request.params, request.transport)
        .await;
    if let Err(e) = &result {
        tracing::debug!(name = %request.name, code = e.code.as_str(), "daemon command failed");
    }
    answer(result)
}

async fn status(State(state): State<Arc<ControlState>>, headers: HeaderMap) -> Response {
    if let Err(refused) = guard(&state, &headers) {
        return refused.into_response();
    }
    let relay = (state.relay_status)().await;
    answer(Ok(json!({
        "daemon": {
            "pid": std::process::id(),
            "relayPort": state.relay_port,
            "daemonPort": state.daemon_port,
            "sessions": state.dispatcher.session_count(),
            "opsConnected": state.dispatcher.ops_connected().await,
            "nativeBridge": state.native_socket.as_ref().map(|p| json!({"socket": p})),
            "httpPair": state.http_pair,
        },
        "relay": relay,
    })))
}

async fn stop(State(state): State<Arc<ControlState>>, headers: HeaderMap) -> Response {
    if let Err(refused) = guard(&state, &headers) {
        return refused.into_response();
    }
    tracing::info!("stop requested");
    state.stop.notify_one();
    answer(Ok(json!({"stopping": true})))
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
