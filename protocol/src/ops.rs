//! `/ops` envelopes (PROTOCOL.md §3.1). One JSON object per WebSocket text message, tagged by `type`.
//!
//! ```text
//! client -> relay:  {"type":"ops_hello","version":"1","maxPayloadBytes":12582912}
//! relay  -> client: {"type":"ops_hello_ack","version":"1","clientId":"<uuid>","capabilities":[],"maxPayloadBytes":12582912}
//! client -> relay:  {"type":"ops_request","requestId":"r1","opsSessionId":"...","leaseId":"...","command":"nav.goto","payload":{"url":"..."}}
//! relay  -> client: {"type":"ops_response","requestId":"r1","clientId":"...","opsSessionId":"...","payload":{...}}
//! ```
//! Optional fields are left out when absent, as `JSON.stringify` does with `undefined` in the original.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::OpsErrorBody;

/// Every `/ops` message, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OpsMessage {
    /// Client hello; `version` must be `"1"`.
    OpsHello(OpsHello),
    /// The extension's answer to a good hello.
    OpsHelloAck(OpsHelloAck),
    /// Application-level liveness check; the extension answers with `ops_pong`.
    OpsPing(OpsPing),
    /// Answer to `ops_ping`.
    OpsPong(OpsPong),
    /// A command for the extension's ops runtime.
    OpsRequest(OpsRequest),
    /// A command's result, or the header of a chunked result.
    OpsResponse(OpsResponse),
    /// One piece of a chunked result.
    OpsChunk(OpsChunk),
    /// A command's failure, or a relay-level refusal.
    OpsError(OpsError),
    /// A session or tab event.
    OpsEvent(OpsEvent),
}

/// `ops_hello {type, version:"1", clientId?, capabilities?, maxPayloadBytes?}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpsHello {
    /// Protocol version, `"1"`.
    pub version: String,
    /// Set by the relay on the way to the extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Client capabilities (unused by v1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Vec<String>>,
    /// Largest message the client accepts, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_payload_bytes: Option<u64>,
}

/// `ops_hello_ack {type, version:"1", clientId, capabilities:[], maxPayloadBytes}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpsHelloAck {
    /// Protocol version, `"1"`.
    pub version: String,
    /// The relay-assigned client id of the client being acked.
    pub client_id: String,
    /// Extension capabilities (`[]` in v1).
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// `MAX_OPS_PAYLOAD_BYTES`.
    pub max_payload_bytes: u64,
}

/// `ops_ping {type, id, clientId?}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpsPing {
    /// Echoed in the pong.
    pub id: String,
    /// Set by the relay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// `ops_pong {type, id, clientId}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpsPong {
    /// The ping's id.
    pub id: String,
    /// The client the pong is routed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// `ops_request {type, requestId, clientId?, opsSessionId?, leaseId?, command, payload?}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpsRequest {
    /// Client-chosen id, echoed in the response; unique per client while in flight.
    pub request_id: String,
    /// Overwritten by the relay with the sender's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The ops session; not needed by `session.launch` / `session.connect`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ops_session_id: Option<String>,
    /// The session's lease; must match on every command (PROTOCOL.md §3.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_id: Option<String>,
    /// A command name from [`crate::commands::ALL`], e.g. `nav.goto`.
    pub command: String,
    /// Command arguments (PROTOCOL.md §3.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
}

/// `ops_response {type, requestId, clientId, opsSessionId, payload}`; when chunked
/// `{..., chunked:true, payloadId, totalChunks}` without `payload`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpsResponse {
    /// The request's id.
    pub request_id: String,
    /// The client the response is routed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The session the request ran in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ops_session_id: Option<String>,
    /// The result (absent when chunked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// True when the result follows in `ops_chunk` messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunked: Option<bool>,
    /// Id shared by the chunks of this result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_id: Option<String>,
    /// Number of chunks that follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_chunks: Option<u32>,
}

/// `ops_chunk {type, requestId, clientId, opsSessionId, payloadId, chunkIndex, totalChunks, data}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpsChunk {
    /// The request's id.
    pub request_id: String,
    /// The client the chunk is routed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The session the request ran in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ops_session_id: Option<String>,
    /// Matches the header's `payloadId`.
    pub payload_id: String,
    /// 0-based position.
    pub chunk_index: u32,
    /// Number of chunks.
    pub total_chunks: u32,
    /// A slice of the JSON text of the payload.
    pub data: String,
}

/// `ops_error {type, requestId, clientId, opsSessionId, error:{code, message, retryable, details?}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpsError {
    /// The failed request's id, `"ops_hello"` for hello failures, or `"unknown"`.
    pub request_id: String,
    /// The client the error is routed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The session, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ops_session_id: Option<String>,
    /// What went wrong.
    pub error: OpsErrorBody,
}

/// `ops_event {type, clientId, opsSessionId, event, payload}`; see [`event`] for names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpsEvent {
    /// The client the event is routed to (or, for `ops_client_disconnected`, the client that left).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The session concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ops_session_id: Option<String>,
    /// Event name.
    pub event: String,
    /// Session events carry `{tabId, targetId}`; `ops_client_disconnected` carries `{at}` (ms).
    #[serde(default)]
    pub payload: Value,
}

/// `ops_event.event` names (PROTOCOL.md §3.1).
pub mod event {
    /// A session was created; payload `{tabId, targetId}`.
    pub const SESSION_CREATED: &str = "ops_session_created";
    /// The owning client left; the session is closing for `SESSION_TTL_MS`.
    pub const SESSION_RELEASED: &str = "ops_session_released";
    /// A closing session was reclaimed with its lease.
    pub const SESSION_RECLAIMED: &str = "ops_session_reclaimed";
    /// The session was closed by `session.disconnect` or by closing its root target.
    pub const SESSION_CLOSED: &str = "ops_session_closed";
    /// A closing session was not reclaimed in time.
    pub const SESSION_EXPIRED: &str = "ops_session_expired";
    /// The session's root tab closed.
    pub const TAB_CLOSED: &str = "ops_tab_closed";
    /// Relay -> extension only: a client went away; payload `{at}`.
    pub const CLIENT_DISCONNECTED: &str = "ops_client_disconnected";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    #[test]
    fn request_round_trips_with_exact_field_names() {
        let raw = json!({"type":"ops_request","requestId":"a","opsSessionId":"s","leaseId":"l",
            "command":"nav.goto","payload":{"url":"http://x/"}});
        let msg: OpsMessage = serde_json::from_value(raw.clone()).unwrap();
        assert!(matches!(&msg, OpsMessage::OpsRequest(r) if r.command == "nav.goto"));
        assert_eq!(serde_json::to_value(&msg).unwrap(), raw);
    }

    #[test]
    fn error_envelope_shape() {
        let msg = OpsMessage::OpsError(OpsError {
            request_id: "ops_hello".into(),
            client_id: Some("c".into()),
            ops_session_id: None,
            error: OpsErrorBody::new(ErrorCode::NotSupported, "Unsupported ops protocol version")
                .with_details(json!({"supported":["1"],"received":"2"})),
        });
        let v = serde_json::to_value(&msg).unwrap();
        assert_eq!(v["type"], "ops_error");
        assert_eq!(v["error"]["code"], "not_supported");
        assert_eq!(v["error"]["retryable"], false);
        assert!(v.get("opsSessionId").is_none());
    }

    #[test]
    fn every_variant_round_trips() {
        let samples = [
            json!({"type":"ops_hello","version":"1","maxPayloadBytes":12582912}),
            json!({"type":"ops_hello_ack","version":"1","clientId":"c","capabilities":[],"maxPayloadBytes":12582912}),
            json!({"type":"ops_ping","id":"p"}),
            json!({"type":"ops_pong","id":"p","clientId":"c"}),
            json!({"type":"ops_response","requestId":"r","clientId":"c","opsSessionId":"s","payload":{"ok":true}}),
            json!({"type":"ops_response","requestId":"r","clientId":"c","chunked":true,"payloadId":"p","totalChunks":2}),
            json!({"type":"ops_chunk","requestId":"r","clientId":"c","payloadId":"p","chunkIndex":0,"totalChunks":2,"data":"{"}),
            json!({"type":"ops_event","clientId":"c","opsSessionId":"s","event":"ops_session_created","payload":{"tabId":1,"targetId":"tab-1"}}),
        ];
        for raw in samples {
            let msg: OpsMessage = serde_json::from_value(raw.clone()).unwrap();
            assert_eq!(serde_json::to_value(&msg).unwrap(), raw);
        }
    }
}
