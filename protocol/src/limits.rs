//! Sizes, timers, ports and fixed names of protocol v1 (PROTOCOL.md §1, §2.2, §3, §5, §6).

/// `OPS_PROTOCOL_VERSION`: the only `ops_hello.version` the relay and extension accept (PROTOCOL.md §3.1).
pub const OPS_PROTOCOL_VERSION: &str = "1";
/// `MAX_OPS_PAYLOAD_BYTES`: 12 MiB, the cap on one serialized `/ops` message (PROTOCOL.md §3).
pub const MAX_OPS_PAYLOAD_BYTES: usize = 12 * 1024 * 1024;
/// `MAX_SNAPSHOT_BYTES`: 2 MiB, the cap on snapshot content in UTF-8 bytes (PROTOCOL.md §3, §4).
pub const MAX_SNAPSHOT_BYTES: usize = 2 * 1024 * 1024;
/// Ops chunk size in characters of the JSON string: `MAX_OPS_PAYLOAD_BYTES - 1024` (PROTOCOL.md §3.1).
pub const OPS_CHUNK_CHARS: usize = MAX_OPS_PAYLOAD_BYTES - 1024;
/// Default snapshot `maxChars` (PROTOCOL.md §3.5 `nav.snapshot`).
pub const DEFAULT_SNAPSHOT_MAX_CHARS: usize = 16_000;
/// Default snapshot `maxNodes` (PROTOCOL.md §4).
pub const DEFAULT_SNAPSHOT_MAX_NODES: usize = 1_000;
/// Default `maxChars` of `dom.getText` / `dom.getHtml` (PROTOCOL.md §3.5).
pub const DEFAULT_DOM_MAX_CHARS: usize = 8_000;

/// Default relay port (PROTOCOL.md §1).
pub const DEFAULT_RELAY_PORT: u16 = 8787;
/// Default discovery port: equal to the relay port (PROTOCOL.md §1).
pub const DEFAULT_DISCOVERY_PORT: u16 = 8787;
/// Default daemon port: the CLI's authenticated loopback channel (PROTOCOL.md "Process topology").
pub const DEFAULT_DAEMON_PORT: u16 = 8788;

/// `SESSION_TTL_MS`: how long a released session stays reclaimable, in ms (PROTOCOL.md §3.3).
pub const SESSION_TTL_MS: u64 = 20_000;
/// Relay: how long an `/ops` client may wait for `ops_hello_ack`, in ms (PROTOCOL.md §2.2).
pub const OPS_HELLO_TIMEOUT_MS: u64 = 10_000;
/// Extension: WebSocket open timeout, in ms (PROTOCOL.md §2.2).
pub const EXTENSION_WS_OPEN_TIMEOUT_MS: u32 = 3_000;
/// Extension: handshake-ack timeout, in ms (PROTOCOL.md §2.2).
pub const EXTENSION_HANDSHAKE_ACK_TIMEOUT_MS: u32 = 2_000;
/// Extension heartbeat interval, in ms. The spec says 25 000; we send every 20 000 because Chrome kills a
/// service worker after 30 s without data traffic (BUILD.md "Service-worker lifetime"; declared divergence).
pub const EXTENSION_HEARTBEAT_MS: u32 = 20_000;
/// Extension heartbeat reply timeout, in ms (PROTOCOL.md §2.2).
pub const EXTENSION_PING_TIMEOUT_MS: u32 = 2_000;
/// Default ops request timeout used by clients, in ms (PROTOCOL.md §2.2 OpsClient).
pub const OPS_REQUEST_TIMEOUT_MS: u64 = 30_000;
/// `interact.click` request timeout used by clients, in ms (PROTOCOL.md §2.2 OpsClient).
pub const OPS_CLICK_TIMEOUT_MS: u64 = 55_000;
/// Rolling window of the relay's HTTP and upgrade rate limits, in ms (PROTOCOL.md §1, §2).
pub const RATE_WINDOW_MS: u64 = 60_000;
/// HTTP GET requests allowed per remote IP per window (PROTOCOL.md §1).
pub const HTTP_RATE_LIMIT: usize = 60;
/// Upgrade attempts (or failed extension handshakes) allowed per `path:ip` per window (PROTOCOL.md §2).
pub const UPGRADE_RATE_LIMIT: usize = 5;

/// Extension name in the manifest; the native id discovery matches on it (PROTOCOL.md "Minimum faithful core" 1).
pub const EXTENSION_NAME: &str = "OpenDevBrowser Relay";
/// Our stable extension id: derived from the public `key` in `manifest/manifest.json` (BUILD.md).
pub const EXTENSION_ID: &str = "hcflhckpnhnifknaopogmdlfdielgilk";
/// Native messaging host name (PROTOCOL.md §5).
pub const NATIVE_HOST_NAME: &str = "com.opendevbrowser.native";

/// Close reason sent to the old `/extension` socket when a new one replaces it (PROTOCOL.md §2).
pub const CLOSE_REASON_REPLACED: &str = "Replaced by a new extension client";
/// Close reason for a bad or missing pairing token on `/extension`, with code 1008 (PROTOCOL.md §2.1).
pub const CLOSE_REASON_INVALID_TOKEN: &str = "Invalid pairing token";
/// Close reason sent to dependent clients when the extension socket closes (PROTOCOL.md §2.1).
pub const CLOSE_REASON_EXTENSION_DISCONNECTED: &str = "Extension disconnected.";
/// Close reason sent to dependent clients when the extension socket is replaced (PROTOCOL.md §2.1).
pub const CLOSE_REASON_EXTENSION_REPLACED: &str = "Extension replaced.";
/// Close reason for every socket when the relay stops, with code 1000 (PROTOCOL.md §2.1).
pub const CLOSE_REASON_RELAY_STOPPED: &str = "Relay stopped";
/// Close reason for an `/ops` client whose hello was never acked, with code 1011 (PROTOCOL.md §2.2).
pub const CLOSE_REASON_OPS_HELLO_TIMEOUT: &str = "ops_hello_timeout";
/// Close reason for a second `/annotation` client, with code 1008 (PROTOCOL.md §2).
pub const CLOSE_REASON_ONE_ANNOTATION: &str = "Only one annotation client supported";
/// Close reason for a second `/cdp` client, with code 1008 (PROTOCOL.md §2).
pub const CLOSE_REASON_ONE_CDP: &str = "Only one CDP client supported";

/// WebSocket close codes used by the protocol (RFC 6455 §7.4.1; PROTOCOL.md §2).
pub mod close_code {
    /// Normal closure: replacement, relay stop, handshake-ack timeout.
    pub const NORMAL: u16 = 1000;
    /// Protocol error: the extension got a bad `handshakeAck`.
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// Policy violation: a bad pairing token, a second annotation or CDP client.
    pub const POLICY: u16 = 1008;
    /// Message too big.
    pub const TOO_BIG: u16 = 1009;
    /// Internal error: no extension, the extension dropped, ops hello timeout.
    pub const INTERNAL: u16 = 1011;
}
