//! [`Runtime`]: the entry point of the ops runtime. The embedder feeds it relay messages and browser
//! events; it answers through [`Host::send_to_relay`].

use std::rc::Rc;

use odb_protocol::error::{ErrorCode, OpsErrorBody};
use odb_protocol::limits::{MAX_OPS_PAYLOAD_BYTES, OPS_PROTOCOL_VERSION};
use odb_protocol::ops::{OpsError, OpsHelloAck, OpsMessage, OpsPong, OpsRequest};
use serde_json::{json, Value};

use crate::host::{Debuggee, Host, TabId, TabInfo};
use crate::outbox::encode;

/// The ops runtime: a cheap-to-clone handle (`Rc`) over its state and its [`Host`].
pub struct Runtime<H: Host> {
    inner: Rc<Inner<H>>,
}

impl<H: Host> Clone for Runtime<H> {
    fn clone(&self) -> Self {
        Runtime { inner: Rc::clone(&self.inner) }
    }
}

struct Inner<H> {
    host: H,
}

impl<H: Host> Runtime<H> {
    /// A runtime with no sessions, driving `host`.
    pub fn new(host: H) -> Self {
        Runtime { inner: Rc::new(Inner { host }) }
    }

    /// The host this runtime drives.
    pub fn host(&self) -> &H {
        &self.inner.host
    }

    /// Handles one text message from the relay (`ops_hello`, `ops_ping`, `ops_request`, `ops_event`).
    /// Never blocks: commands run in tasks spawned on the host; every answer goes out through
    /// [`Host::send_to_relay`]. Malformed input gets an `ops_error invalid_request`.
    pub fn handle_relay_message(&self, text: &str) {
        let msg: OpsMessage = match serde_json::from_str(text) {
            Ok(msg) => msg,
            Err(err) => {
                let request_id = serde_json::from_str::<Value>(text)
                    .ok()
                    .and_then(|v| v.get("requestId").and_then(Value::as_str).map(str::to_string));
                let client_id = serde_json::from_str::<Value>(text)
                    .ok()
                    .and_then(|v| v.get("clientId").and_then(Value::as_str).map(str::to_string));
                self.send_error(
                    request_id.as_deref().unwrap_or("unknown"),
                    client_id.as_deref(),
                    None,
                    OpsErrorBody::new(ErrorCode::InvalidRequest, "Invalid ops message.")
                        .with_details(json!({ "parseError": err.to_string() })),
                );
                return;
            }
        };
        match msg {
            OpsMessage::OpsHello(hello) => {
                let client_id = hello.client_id.unwrap_or_default();
                if hello.version != OPS_PROTOCOL_VERSION {
                    self.send_error(
                        "ops_hello",
                        Some(&client_id),
                        None,
                        OpsErrorBody::new(ErrorCode::NotSupported, "Unsupported ops protocol version.")
                            .with_details(json!({ "supported": [OPS_PROTOCOL_VERSION], "received": hello.version })),
                    );
                    return;
                }
                self.send(&OpsMessage::OpsHelloAck(OpsHelloAck {
                    version: OPS_PROTOCOL_VERSION.to_string(),
                    client_id,
                    capabilities: Vec::new(),
                    max_payload_bytes: MAX_OPS_PAYLOAD_BYTES as u64,
                }));
            }
            OpsMessage::OpsPing(ping) => {
                self.send(&OpsMessage::OpsPong(OpsPong { id: ping.id, client_id: ping.client_id }));
            }
            OpsMessage::OpsRequest(request) => self.dispatch(request),
            OpsMessage::OpsEvent(_) => {}
            other => {
                let _ = other;
                self.send_error(
                    "unknown",
                    None,
                    None,
                    OpsErrorBody::new(ErrorCode::InvalidRequest, "Invalid ops message."),
                );
            }
        }
    }

    /// A CDP event from a debuggee (`chrome.debugger.onEvent`).
    pub fn on_cdp_event(&self, debuggee: Debuggee, method: &str, params: Value) {
        let _ = (debuggee, method, params);
    }

    /// The debugger detached from a tab (`chrome.debugger.onDetach`); `reason` is
    /// `"target_closed"` or `"canceled_by_user"`.
    pub fn on_detach(&self, tab_id: TabId, reason: &str) {
        let _ = (tab_id, reason);
    }

    /// A tab was closed (`chrome.tabs.onRemoved`).
    pub fn on_tab_removed(&self, tab_id: TabId) {
        let _ = tab_id;
    }

    /// A tab changed (`chrome.tabs.onUpdated`).
    pub fn on_tab_updated(&self, tab: TabInfo) {
        let _ = tab;
    }

    /// The relay socket closed: every session expires (PROTOCOL.md §3.3 "Relay WS loss").
    pub fn on_relay_disconnected(&self) {}

    fn dispatch(&self, request: OpsRequest) {
        let client_id = request.client_id.clone();
        let error = if odb_protocol::commands::queue_class(&request.command).is_none() {
            OpsErrorBody::new(
                ErrorCode::InvalidRequest,
                format!("Unknown ops command: {}", request.command),
            )
        } else {
            OpsErrorBody::new(
                ErrorCode::NotSupported,
                format!("{} is not implemented in this build.", request.command),
            )
        };
        self.send_error(&request.request_id, client_id.as_deref(), request.ops_session_id.as_deref(), error);
    }

    fn send(&self, msg: &OpsMessage) {
        self.inner.host.send_to_relay(encode(msg));
    }

    fn send_error(
        &self,
        request_id: &str,
        client_id: Option<&str>,
        ops_session_id: Option<&str>,
        error: OpsErrorBody,
    ) {
        self.send(&OpsMessage::OpsError(OpsError {
            request_id: request_id.to_string(),
            client_id: client_id.map(str::to_string),
            ops_session_id: ops_session_id.map(str::to_string),
            error,
        }));
    }
}
