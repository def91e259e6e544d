//! `/extension` messages the background builds and recognises (PROTOCOL.md §2.1). Pure.

use odb_protocol::extension::{ControlMessage, Handshake};
use serde_json::{json, Value};

/// The tab named in the handshake: the active tab, or `tabId: -1` when there is none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrackedTab {
    /// `chrome.tabs` id, `-1` for none.
    pub id: i64,
    /// The tab's URL (empty: left out).
    pub url: String,
    /// The tab's title (empty: left out).
    pub title: String,
}

impl TrackedTab {
    /// No tab: `tabId: -1`.
    pub fn none() -> Self {
        TrackedTab {
            id: -1,
            ..TrackedTab::default()
        }
    }
}

fn some_text(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// `{"type":"handshake","payload":{"tabId","url","title","pairingToken"}}`; the token only when given.
pub fn handshake(tab: &TrackedTab, token: Option<&str>) -> String {
    let msg = ControlMessage::Handshake {
        payload: Handshake {
            tab_id: tab.id,
            url: some_text(&tab.url),
            title: some_text(&tab.title),
            group_id: None,
            pairing_token: token.map(str::to_string),
        },
    };
    serde_json::to_string(&msg).unwrap_or_default()
}

/// `{"type":"ping","id":"<id>"}`.
pub fn ping(id: &str) -> String {
    json!({"type": "ping", "id": id}).to_string()
}

/// A message from the relay, by what the background does with it.
#[derive(Clone, Debug, PartialEq)]
pub enum Incoming {
    /// `handshakeAck`, with its payload (validated by `pairing::validate_ack`).
    HandshakeAck(Value),
    /// `pong` or `healthCheckResult`: the id and the health payload.
    Pong {
        /// The request id.
        id: String,
        /// `RelayHealthStatus`.
        health: Value,
    },
    /// An `ops_*` envelope for the ops runtime (passed on as the original text).
    Ops,
    /// A `canvas_*` envelope (not supported by this extension).
    Canvas,
    /// Legacy `/cdp` `forwardCDPCommand` with its id (not supported by this extension).
    ForwardCdpCommand(Value),
    /// Anything else: `annotationCommand`, `cdp_control`, unknown types; the `type` when present.
    Other(String),
    /// Not a JSON object.
    Malformed,
}

/// Classifies one text frame.
pub fn classify(text: &str) -> Incoming {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Incoming::Malformed;
    };
    if !v.is_object() {
        return Incoming::Malformed;
    }
    if v.get("method").and_then(Value::as_str) == Some("forwardCDPCommand") {
        return Incoming::ForwardCdpCommand(v.get("id").cloned().unwrap_or(Value::Null));
    }
    let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "handshakeAck" => Incoming::HandshakeAck(v.get("payload").cloned().unwrap_or(Value::Null)),
        "pong" | "healthCheckResult" => Incoming::Pong {
            id: v
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            health: v.get("payload").cloned().unwrap_or(Value::Null),
        },
        t if t.starts_with("ops_") => Incoming::Ops,
        t if t.starts_with("canvas_") => Incoming::Canvas,
        t => Incoming::Other(t.to_string()),
    }
}

/// The CDP error reply to a legacy `forwardCDPCommand` (`/cdp` is not bridged by this extension).
pub fn cdp_unsupported(id: &Value) -> String {
    json!({"id": id, "error": {"message": "Legacy /cdp relay is not supported by this extension; use /ops."}})
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_shape() {
        let tab = TrackedTab {
            id: 5,
            url: "https://a/".into(),
            title: String::new(),
        };
        let v: Value = serde_json::from_str(&handshake(&tab, Some("t"))).unwrap();
        assert_eq!(
            v,
            json!({"type":"handshake","payload":{"tabId":5,"url":"https://a/","pairingToken":"t"}})
        );
        let v: Value = serde_json::from_str(&handshake(&TrackedTab::none(), None)).unwrap();
        assert_eq!(v, json!({"type":"handshake","payload":{"tabId":-1}}));
        assert_eq!(ping("p1"), r#"{"id":"p1","type":"ping"}"#);
    }

    #[test]
    fn classification() {
        assert_eq!(
            classify(r#"{"type":"handshakeAck","payload":{"instanceId":"i"}}"#),
            Incoming::HandshakeAck(json!({"instanceId":"i"}))
        );
        assert_eq!(
            classify(r#"{"type":"pong","id":"x","payload":{"ok":true}}"#),
            Incoming::Pong {
                id: "x".into(),
                health: json!({"ok":true})
            }
        );
        assert_eq!(
            classify(r#"{"type":"ops_hello","version":"1"}"#),
            Incoming::Ops
        );
        assert_eq!(classify(r#"{"type":"canvas_hello"}"#), Incoming::Canvas);
        assert_eq!(
            classify(r#"{"id":3,"method":"forwardCDPCommand","params":{}}"#),
            Incoming::ForwardCdpCommand(json!(3))
        );
        assert_eq!(
            classify(r#"{"type":"cdp_control"}"#),
            Incoming::Other("cdp_control".into())
        );
        assert_eq!(classify("[1]"), Incoming::Malformed);
        assert_eq!(classify("nope"), Incoming::Malformed);
        let reply: Value = serde_json::from_str(&cdp_unsupported(&json!(3))).unwrap();
        assert_eq!(reply["id"], json!(3));
    }
}
