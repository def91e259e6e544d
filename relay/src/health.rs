//! The relay health object and its reason order (PROTOCOL.md §1 `RelayHealthStatus`).

use odb_protocol::extension::{HandshakeError, HealthReason, RelayHealth};

/// The facts the health object is computed from.
#[derive(Clone, Debug, Default)]
pub(crate) struct HealthFacts {
    /// The relay is running.
    pub running: bool,
    /// Why the explicitly configured discovery listener failed, if it did.
    pub discovery_error: Option<String>,
    /// An `/extension` socket holds the extension slot.
    pub extension_connected: bool,
    /// That socket completed a good handshake.
    pub extension_handshake_complete: bool,
    /// A `/cdp` client is connected.
    pub cdp_connected: bool,
    /// An `/annotation` client is connected.
    pub annotation_connected: bool,
    /// At least one `/ops` client received `ops_hello_ack`.
    pub ops_connected: bool,
    /// Size of `opsOwnedTabIds`.
    pub ops_owned_target_count: usize,
    /// At least one `/canvas` socket is open.
    pub canvas_connected: bool,
    /// A token is configured.
    pub pairing_required: bool,
    /// The last failed handshake.
    pub last_handshake_error: Option<HandshakeError>,
}

/// Builds the health object: `reason` is the first matching rule of PROTOCOL.md §1, in order
/// relay_down, discovery_unavailable, pairing_invalid, pairing_required, extension_disconnected,
/// handshake_incomplete, relay_dirty, ok. `detail` uses the original's texts.
pub(crate) fn compute(f: &HealthFacts) -> RelayHealth {
    let last_code = f.last_handshake_error.as_ref().map(|e| e.code.as_str());
    let (reason, detail) = if !f.running {
        (
            HealthReason::RelayDown,
            Some("Relay not running".to_string()),
        )
    } else if let Some(err) = &f.discovery_error {
        (
            HealthReason::DiscoveryUnavailable,
            Some(format!("Discovery server unavailable: {err}")),
        )
    } else if last_code == Some("pairing_invalid") {
        (HealthReason::PairingInvalid, handshake_message(f))
    } else if last_code == Some("pairing_missing") {
        (HealthReason::PairingRequired, handshake_message(f))
    } else if !f.extension_connected {
        (
            HealthReason::ExtensionDisconnected,
            Some("Extension not connected".to_string()),
        )
    } else if !f.extension_handshake_complete {
        (
            HealthReason::HandshakeIncomplete,
            Some("Extension handshake pending".to_string()),
        )
    } else if f.cdp_connected
        || f.annotation_connected
        || f.canvas_connected
        || f.ops_owned_target_count > 0
    {
        (
            HealthReason::RelayDirty,
            Some(
                "Relay has active CDP, annotation, canvas clients, or ops-owned targets"
                    .to_string(),
            ),
        )
    } else {
        (HealthReason::Ok, None)
    };
    let connected = f.running && f.extension_connected;
    RelayHealth {
        ok: reason == HealthReason::Ok,
        reason,
        detail,
        extension_connected: connected,
        extension_handshake_complete: connected && f.extension_handshake_complete,
        cdp_connected: f.cdp_connected,
        annotation_connected: f.annotation_connected,
        ops_connected: f.ops_connected,
        ops_owned_target_count: f.ops_owned_target_count,
        canvas_connected: f.canvas_connected,
        pairing_required: f.pairing_required,
        last_handshake_error: f.last_handshake_error.clone(),
    }
}

fn handshake_message(f: &HealthFacts) -> Option<String> {
    f.last_handshake_error.as_ref().map(|e| e.message.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: &str) -> Option<HandshakeError> {
        Some(HandshakeError {
            code: code.into(),
            message: "m".into(),
            at: 1,
        })
    }

    /// Starts from "everything wrong" and fixes one fact at a time: each step must expose the
    /// next reason in PROTOCOL.md §1 order.
    #[test]
    fn reason_order() {
        let mut f = HealthFacts {
            running: false,
            discovery_error: Some("EADDRINUSE".into()),
            extension_connected: false,
            extension_handshake_complete: false,
            cdp_connected: true,
            annotation_connected: true,
            ops_connected: false,
            ops_owned_target_count: 2,
            canvas_connected: true,
            pairing_required: true,
            last_handshake_error: err("pairing_invalid"),
        };
        let mut seen = vec![compute(&f).reason];
        f.running = true;
        seen.push(compute(&f).reason);
        f.discovery_error = None;
        seen.push(compute(&f).reason);
        f.last_handshake_error = err("pairing_missing");
        seen.push(compute(&f).reason);
        f.last_handshake_error = err("origin_blocked");
        seen.push(compute(&f).reason);
        f.extension_connected = true;
        seen.push(compute(&f).reason);
        f.extension_handshake_complete = true;
        seen.push(compute(&f).reason);
        f.cdp_connected = false;
        f.annotation_connected = false;
        f.canvas_connected = false;
        assert_eq!(
            compute(&f).reason,
            HealthReason::RelayDirty,
            "owned tabs alone"
        );
        f.ops_owned_target_count = 0;
        seen.push(compute(&f).reason);
        use HealthReason::*;
        assert_eq!(
            seen,
            vec![
                RelayDown,
                DiscoveryUnavailable,
                PairingInvalid,
                PairingRequired,
                ExtensionDisconnected,
                HandshakeIncomplete,
                RelayDirty,
                Ok
            ]
        );
        let h = compute(&f);
        assert!(h.ok);
        assert!(h.detail.is_none());
        assert_eq!(h.last_handshake_error.unwrap().code, "origin_blocked");
    }

    #[test]
    fn not_running_reports_no_extension() {
        let f = HealthFacts {
            running: false,
            extension_connected: true,
            extension_handshake_complete: true,
            ..HealthFacts::default()
        };
        let h = compute(&f);
        assert!(!h.extension_connected && !h.extension_handshake_complete && !h.ok);
    }
}
