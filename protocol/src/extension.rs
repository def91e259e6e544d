//! Messages on `/extension` that are not `ops_*`, and the relay health object (PROTOCOL.md §1, §2.1).
//!
//! ```text
//! ext   -> relay: {"type":"handshake","payload":{"tabId":123,"url":"...","title":"...","pairingToken":"<64 hex>"}}
//! relay -> ext:   {"type":"handshakeAck","payload":{"instanceId":"<uuid>","relayPort":8787,"pairingRequired":true,"epoch":1731000000000}}
//! ext   -> relay: {"type":"ping","id":"<uuid>"}
//! relay -> ext:   {"type":"pong","id":"<uuid>","payload":<RelayHealth>}
//! ```

use serde::{Deserialize, Serialize};

/// Control messages between the extension and the relay, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ControlMessage {
    /// Sent by the extension right after the socket opens, and again when its tracked tab changes.
    Handshake {
        /// Tab facts and the pairing token.
        payload: Handshake,
    },
    /// The relay's answer to a good handshake.
    HandshakeAck {
        /// Relay identity.
        payload: HandshakeAck,
    },
    /// Liveness request from the extension.
    Ping {
        /// Echoed in the pong.
        id: String,
    },
    /// The relay's answer to `ping`, with its health.
    Pong {
        /// The ping's id.
        id: String,
        /// Current health.
        payload: RelayHealth,
    },
    /// Health request.
    HealthCheck {
        /// Echoed in the result.
        id: String,
    },
    /// The relay's answer to `healthCheck`.
    HealthCheckResult {
        /// The request's id.
        id: String,
        /// Current health.
        payload: RelayHealth,
    },
}

/// `handshake.payload`. The relay requires `tabId` to be a number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Handshake {
    /// The tracked tab (a `chrome.tabs` id).
    pub tab_id: i64,
    /// The tracked tab's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The tracked tab's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The tracked tab's group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    /// The relay token (64 hex), when pairing is on and one is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pairing_token: Option<String>,
}

/// `handshakeAck.payload`. The extension rejects an ack unless `instanceId` is a string and `relayPort` a number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HandshakeAck {
    /// The relay process's UUID.
    pub instance_id: String,
    /// The relay's port.
    pub relay_port: u16,
    /// Whether a token is required.
    pub pairing_required: bool,
    /// The relay's start time, ms since the Unix epoch.
    pub epoch: u64,
}

/// `RelayHealthStatus` (PROTOCOL.md §1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelayHealth {
    /// `reason == ok`.
    pub ok: bool,
    /// The first matching [`HealthReason`].
    pub reason: HealthReason,
    /// Optional explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// An `/extension` socket is open.
    pub extension_connected: bool,
    /// That socket completed a good handshake.
    pub extension_handshake_complete: bool,
    /// A `/cdp` client is connected.
    pub cdp_connected: bool,
    /// An `/annotation` client is connected.
    pub annotation_connected: bool,
    /// At least one `/ops` client has received `ops_hello_ack`.
    pub ops_connected: bool,
    /// Tabs owned by ops sessions, from session events.
    pub ops_owned_target_count: usize,
    /// At least one `/canvas` socket is open.
    pub canvas_connected: bool,
    /// A token is configured.
    pub pairing_required: bool,
    /// The last failed extension handshake, cleared by a good one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handshake_error: Option<HandshakeError>,
}

/// `health.reason`, chosen by the first rule that matches, in declaration order (PROTOCOL.md §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthReason {
    /// Not running.
    RelayDown,
    /// The discovery listener failed to bind.
    DiscoveryUnavailable,
    /// The last handshake error was `pairing_invalid`.
    PairingInvalid,
    /// The last handshake error was `pairing_missing`.
    PairingRequired,
    /// No extension socket.
    ExtensionDisconnected,
    /// Socket open, no good handshake yet.
    HandshakeIncomplete,
    /// A CDP, annotation or canvas client is connected, or ops own tabs.
    RelayDirty,
    /// Healthy.
    Ok,
}

/// `lastHandshakeError` (PROTOCOL.md §1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HandshakeError {
    /// `pairing_missing`, `pairing_invalid`, `rate_limited` or `origin_blocked`.
    pub code: String,
    /// Human-readable; never contains a token.
    pub message: String,
    /// When, in ms since the Unix epoch.
    pub at: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn handshake_shapes() {
        let raw =
            json!({"type":"handshake","payload":{"tabId":5,"url":"http://a/","pairingToken":"t"}});
        let m: ControlMessage = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(serde_json::to_value(&m).unwrap(), raw);
        let ack = ControlMessage::HandshakeAck {
            payload: HandshakeAck {
                instance_id: "i".into(),
                relay_port: 8787,
                pairing_required: true,
                epoch: 7,
            },
        };
        assert_eq!(
            serde_json::to_value(&ack).unwrap(),
            json!({"type":"handshakeAck","payload":{"instanceId":"i","relayPort":8787,"pairingRequired":true,"epoch":7}})
        );
        let hc: ControlMessage =
            serde_json::from_value(json!({"type":"healthCheck","id":"1"})).unwrap();
        assert!(matches!(hc, ControlMessage::HealthCheck { .. }));
    }

    #[test]
    fn health_reason_strings() {
        assert_eq!(
            serde_json::to_value(HealthReason::RelayDirty).unwrap(),
            json!("relay_dirty")
        );
        assert_eq!(
            serde_json::to_value(HealthReason::ExtensionDisconnected).unwrap(),
            json!("extension_disconnected")
        );
    }
}
