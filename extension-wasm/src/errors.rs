//! [`ConnectError`]: why one connection attempt failed; its `Display` text is the popup note.

use thiserror::Error;

/// Why an attempt to reach, pair with, or handshake with the relay failed (PROTOCOL.md §6).
/// Messages never contain a token.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectError {
    /// `GET /config` failed on the discovery port and on the relay port.
    #[error("Relay config unreachable ({0}). Is opendevbrowser running?")]
    ConfigUnreachable(String),
    /// `POST /pair` failed or answered garbage.
    #[error("Pairing request failed ({0}).")]
    PairFailed(String),
    /// `/pair` answered from a different relay process than `/config`.
    #[error("Relay instance changed during pairing; retrying.")]
    InstanceMismatch,
    /// Another extension holds the relay since it replaced us (relay-switch suppression, §2.2).
    #[error("Another extension client is connected to the relay; waiting for it to leave.")]
    Suppressed,
    /// The WebSocket did not open (error, close, or the 3 s open timeout).
    #[error("Relay WebSocket did not open ({0}).")]
    SocketOpen(String),
    /// No `handshakeAck` within 2 s.
    #[error("Handshake ack timeout.")]
    HandshakeTimeout,
    /// The ack lacked a string `instanceId` or a numeric `relayPort`.
    #[error("Invalid handshake ack from relay.")]
    BadAck,
    /// The relay closed the socket during the handshake.
    #[error("Relay closed the connection ({code} {reason}).")]
    Closed {
        /// WebSocket close code.
        code: u16,
        /// Close reason text.
        reason: String,
    },
    /// The ack named another relay than the stored identity; identity and token were cleared.
    #[error("Relay identity changed; pairing again.")]
    IdentityChanged,
    /// The post-connect `ping` got no pong in 2 s, or the pong did not show a complete handshake.
    #[error("Relay health check failed after connecting.")]
    HealthCheckFailed,
    /// A newer attempt or a user disconnect superseded this one.
    #[error("Connection attempt superseded.")]
    Superseded,
    /// chrome.storage failed.
    #[error("Extension storage failed ({0}).")]
    Storage(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_readable() {
        assert_eq!(
            ConnectError::Closed {
                code: 1008,
                reason: "Invalid pairing token".into()
            }
            .to_string(),
            "Relay closed the connection (1008 Invalid pairing token)."
        );
        assert!(ConnectError::ConfigUnreachable("refused".into())
            .to_string()
            .starts_with("Relay config unreachable"));
    }
}
