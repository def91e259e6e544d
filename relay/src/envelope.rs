//! Cheap envelope inspection and the relay's own error envelopes (PROTOCOL.md §2.1, §3.1, §7, §8).

use serde::Deserialize;
use serde_json::{json, Map, Value};

/// The routing fields of any JSON message; every other field (notably big `payload`s) is skipped
/// without being built, so large ops responses are scanned once and forwarded as the original text.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Head {
    /// `type`.
    #[serde(rename = "type")]
    pub kind: Option<Value>,
    /// `clientId`.
    pub client_id: Option<Value>,
    /// `requestId`.
    pub request_id: Option<Value>,
    /// `chunked` of a chunked `ops_response` header.
    pub chunked: Option<Value>,
    /// `chunkIndex` of an `ops_chunk`.
    pub chunk_index: Option<Value>,
    /// `totalChunks` of an `ops_chunk`.
    pub total_chunks: Option<Value>,
    /// `method` of a CDP frame.
    pub method: Option<Value>,
    /// `id` of a CDP frame or a ping.
    pub id: Option<Value>,
    /// `result` of a CDP response (only its presence matters).
    pub result: Option<serde::de::IgnoredAny>,
    /// `error` of a CDP response (only its presence matters).
    pub error: Option<serde::de::IgnoredAny>,
}

impl Head {
    /// Parses `text` when it is a JSON object; `None` otherwise.
    pub(crate) fn parse(text: &str) -> Option<Head> {
        if !text.trim_start().starts_with('{') {
            return None;
        }
        serde_json::from_str(text).ok()
    }

    /// `type` when it is a string.
    pub(crate) fn kind(&self) -> Option<&str> {
        self.kind.as_ref().and_then(Value::as_str)
    }

    /// `clientId` when it is a string.
    pub(crate) fn client_id(&self) -> Option<&str> {
        self.client_id.as_ref().and_then(Value::as_str)
    }

    /// `requestId` when it is a string.
    pub(crate) fn request_id(&self) -> Option<&str> {
        self.request_id.as_ref().and_then(Value::as_str)
    }

    /// True for the last message of a response: a non-chunked `*_response`, any `*_error`, or the
    /// `*_chunk` whose `chunkIndex == totalChunks - 1`.
    pub(crate) fn ends_request(&self, prefix: &str) -> bool {
        let Some(kind) = self.kind().and_then(|k| k.strip_prefix(prefix)) else {
            return false;
        };
        match kind {
            "_response" => self.chunked.as_ref().and_then(Value::as_bool) != Some(true),
            "_error" => true,
            "_chunk" => {
                let index = self.chunk_index.as_ref().and_then(Value::as_u64);
                let total = self.total_chunks.as_ref().and_then(Value::as_u64);
                matches!((index, total), (Some(i), Some(t)) if i + 1 >= t)
            }
            _ => false,
        }
    }
}

/// The `error` object of an `ops_error`/`canvas_error` with a code given as its wire string
/// (the canvas code `canvas_unavailable` has no [`odb_protocol::ErrorCode`] variant).
pub(crate) fn error_body(
    code: &str,
    message: &str,
    retryable: bool,
    details: Option<Value>,
) -> Value {
    let mut body = json!({"code": code, "message": message, "retryable": retryable});
    if let Some(d) = details {
        body["details"] = d;
    }
    body
}

/// `{"type":"<prefix>_error","requestId","clientId","<prefix>SessionId"?,"error"}` as text.
pub(crate) fn client_error(
    prefix: &str,
    request_id: &str,
    client_id: &str,
    session_id: Option<&str>,
    error: Value,
) -> String {
    let mut m = Map::new();
    m.insert("type".into(), Value::String(format!("{prefix}_error")));
    m.insert("requestId".into(), Value::String(request_id.to_string()));
    m.insert("clientId".into(), Value::String(client_id.to_string()));
    if let Some(s) = session_id {
        m.insert(format!("{prefix}SessionId"), Value::String(s.to_string()));
    }
    m.insert("error".into(), error);
    Value::Object(m).to_string()
}

/// `{"type":"<prefix>_event","clientId","event":"<prefix>_client_disconnected","payload":{"at":ms}}`.
pub(crate) fn client_disconnected(prefix: &str, client_id: &str, at_ms: u64) -> String {
    json!({
        "type": format!("{prefix}_event"),
        "clientId": client_id,
        "event": format!("{prefix}_client_disconnected"),
        "payload": {"at": at_ms},
    })
    .to_string()
}

/// `{"type":"annotationResponse","payload":{version:1, requestId, status:"error", error:{code,message}}}`.
pub(crate) fn annotation_error(request_id: &str, code: &str, message: &str) -> String {
    json!({
        "type": "annotationResponse",
        "payload": {
            "version": 1,
            "requestId": request_id,
            "status": "error",
            "error": {"code": code, "message": message},
        },
    })
    .to_string()
}

/// `{"type":"cdp_control","action":"client_closed"}`.
pub(crate) fn cdp_client_closed() -> String {
    json!({"type": "cdp_control", "action": "client_closed"}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_skips_payload_and_reads_routing_fields() {
        let h = Head::parse(
            r#"{"type":"ops_response","requestId":"r","clientId":"c","payload":{"big":[1,2,3]}}"#,
        )
        .unwrap();
        assert_eq!(h.kind(), Some("ops_response"));
        assert_eq!(h.client_id(), Some("c"));
        assert!(h.ends_request("ops"));
        assert!(Head::parse("[1,2]").is_none());
        assert!(Head::parse("{").is_none());
        assert!(Head::parse(r#"{"type":5}"#).unwrap().kind().is_none());
    }

    #[test]
    fn request_end_detection() {
        let chunked = Head::parse(r#"{"type":"ops_response","chunked":true}"#).unwrap();
        assert!(!chunked.ends_request("ops"));
        let mid = Head::parse(r#"{"type":"ops_chunk","chunkIndex":0,"totalChunks":2}"#).unwrap();
        assert!(!mid.ends_request("ops"));
        let last = Head::parse(r#"{"type":"ops_chunk","chunkIndex":1,"totalChunks":2}"#).unwrap();
        assert!(last.ends_request("ops"));
        let err = Head::parse(r#"{"type":"canvas_error"}"#).unwrap();
        assert!(err.ends_request("canvas"));
        assert!(!err.ends_request("ops"));
    }

    #[test]
    fn error_envelope_shape() {
        let text = client_error(
            "ops",
            "unknown",
            "c1",
            Some("s1"),
            error_body("invalid_request", "Invalid ops message.", false, None),
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            v,
            json!({"type":"ops_error","requestId":"unknown","clientId":"c1","opsSessionId":"s1",
                "error":{"code":"invalid_request","message":"Invalid ops message.","retryable":false}})
        );
        let d: Value = serde_json::from_str(&client_disconnected("canvas", "c", 5)).unwrap();
        assert_eq!(d["event"], "canvas_client_disconnected");
        assert_eq!(d["type"], "canvas_event");
        assert_eq!(d["payload"]["at"], 5);
    }
}
