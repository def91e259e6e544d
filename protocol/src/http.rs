//! JSON bodies of the relay's HTTP endpoints (PROTOCOL.md §1).

use serde::{Deserialize, Serialize};

use crate::extension::{HandshakeError, RelayHealth};

/// `GET /config` 200 body:
///
/// ```text
/// {"relayPort":8787,"pairingRequired":true,"instanceId":"<uuid>","epoch":1731000000000,"discoveryPort":8787}
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigResponse {
    /// The relay's port.
    pub relay_port: u16,
    /// Whether a token is required.
    pub pairing_required: bool,
    /// The relay process's UUID.
    pub instance_id: String,
    /// The relay's start time, ms since the Unix epoch.
    pub epoch: u64,
    /// The discovery port, or `null` when its listener failed.
    pub discovery_port: Option<u16>,
}

/// `/pair` 200 body: `{"token":"<64 hex or null>","instanceId":"<uuid>","epoch":<ms>}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PairResponse {
    /// The relay token, `null` when pairing is off.
    pub token: Option<String>,
    /// The relay process's UUID.
    pub instance_id: String,
    /// The relay's start time, ms since the Unix epoch.
    pub epoch: u64,
}

/// `GET /status` 200 body (PROTOCOL.md §1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusResponse {
    /// The relay process's UUID.
    pub instance_id: String,
    /// Whether the relay is running.
    pub running: bool,
    /// The relay's port.
    pub port: u16,
    /// The discovery port, or `null`.
    pub discovery_port: Option<u16>,
    /// Why the discovery listener failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_error: Option<String>,
    /// An `/extension` socket is open.
    pub extension_connected: bool,
    /// That socket completed a good handshake.
    pub extension_handshake_complete: bool,
    /// A `/cdp` client is connected.
    pub cdp_connected: bool,
    /// An `/annotation` client is connected.
    pub annotation_connected: bool,
    /// At least one `/ops` client has been acked.
    pub ops_connected: bool,
    /// Tabs owned by ops sessions.
    pub ops_owned_target_count: usize,
    /// A `/canvas` socket is open.
    pub canvas_connected: bool,
    /// Whether a token is required.
    pub pairing_required: bool,
    /// The health object.
    pub health: RelayHealth,
    /// The last failed extension handshake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handshake_error: Option<HandshakeError>,
    /// How the extension holding the slot reaches the relay: `"websocket"` (`/extension`) or `"native"`
    /// (native messaging through the host and the native bridge); `null` without an extension. Our
    /// addition to the TS body (docs/PARITY_DECLARED_DIVERGENCES.md D68); clients that do not know it ignore it.
    #[serde(default)]
    pub extension_transport: Option<ExtensionTransport>,
}

/// The two ways the extension reaches the relay (`/status` `extensionTransport`; CLI `--transport`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExtensionTransport {
    /// The `/extension` WebSocket on 127.0.0.1:<relayPort> (PROTOCOL.md §2.1).
    Websocket,
    /// Chrome native messaging, through `opendevbrowser-native-host` and the relay's native bridge
    /// (PROTOCOL.md §5; docs/NATIVE.md).
    Native,
}

impl ExtensionTransport {
    /// The wire string: `"websocket"` or `"native"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtensionTransport::Websocket => "websocket",
            ExtensionTransport::Native => "native",
        }
    }
}

/// Error body of HTTP refusals: `{"error":"Forbidden: extension origin required"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HttpError {
    /// The message.
    pub error: String,
}
