//! What the popup and the badge show: link status, notes, badge colours (PROTOCOL.md §6, §10). Pure.

use serde_json::Value;

/// The background's link to the relay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStatus {
    /// No socket.
    Disconnected,
    /// Discovery, pairing or handshake in progress.
    Connecting,
    /// Handshaken and health-checked.
    Connected,
}

impl LinkStatus {
    /// The `status` string of the popup reply: `"disconnected"`, `"connecting"`, `"connected"`.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::Disconnected => "disconnected",
            LinkStatus::Connecting => "connecting",
            LinkStatus::Connected => "connected",
        }
    }
}

/// The default note (PROTOCOL.md §10).
pub const DEFAULT_NOTE: &str = "Local relay only. Tokens stay on-device.";

/// The badge text.
pub const BADGE_TEXT: &str = "●";

/// Badge state and colour (PROTOCOL.md §6 "Badge").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Badge {
    /// Green `#16a34a`.
    Connected,
    /// Amber `#f59e0b`: relay health not ok, or the relay is up while we are not connected.
    Warning,
    /// Red `#dc2626`.
    Disconnected,
}

impl Badge {
    /// The CSS colour.
    pub fn color(self) -> &'static str {
        match self {
            Badge::Connected => "#16a34a",
            Badge::Warning => "#f59e0b",
            Badge::Disconnected => "#dc2626",
        }
    }

    /// The popup pill label: "Connected", "Relay active" or "Disconnected".
    pub fn label(self) -> &'static str {
        match self {
            Badge::Connected => "Connected",
            Badge::Warning => "Relay active",
            Badge::Disconnected => "Disconnected",
        }
    }
}

/// The badge for a status and the last relay health seen (`None`: relay not reached).
pub fn badge_for(status: LinkStatus, health: Option<&Value>) -> Badge {
    let ok = health.map(|h| h.get("ok").and_then(Value::as_bool).unwrap_or(false));
    match (status, ok) {
        (LinkStatus::Connected, Some(false)) => Badge::Warning,
        (LinkStatus::Connected, _) => Badge::Connected,
        (_, Some(_)) => Badge::Warning,
        (_, None) => Badge::Disconnected,
    }
}

/// "Connected to 127.0.0.1:8787 (relay abcd1234)": the first 8 characters of the instance id.
pub fn connected_note(port: u16, instance_id: &str) -> String {
    let short: String = instance_id.chars().take(8).collect();
    format!("Connected to 127.0.0.1:{port} (relay {short})")
}

/// A note for a relay health `reason` (PROTOCOL.md §1), `None` for `ok` or unknown reasons.
pub fn health_note(health: &Value) -> Option<&'static str> {
    Some(match health.get("reason").and_then(Value::as_str)? {
        "relay_down" => "Relay is not running.",
        "discovery_unavailable" => "Relay discovery port unavailable.",
        "pairing_invalid" => "Pairing token rejected by the relay.",
        "pairing_required" => "Relay requires a pairing token.",
        "extension_disconnected" => "Relay is up; this extension is not connected.",
        "handshake_incomplete" => "Relay handshake incomplete.",
        "relay_dirty" => "Relay busy: an automation client is attached.",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn badge_colours() {
        let ok = json!({"ok": true, "reason": "ok"});
        let dirty = json!({"ok": false, "reason": "relay_dirty"});
        assert_eq!(
            badge_for(LinkStatus::Connected, Some(&ok)),
            Badge::Connected
        );
        assert_eq!(badge_for(LinkStatus::Connected, None), Badge::Connected);
        assert_eq!(
            badge_for(LinkStatus::Connected, Some(&dirty)),
            Badge::Warning
        );
        assert_eq!(
            badge_for(LinkStatus::Disconnected, Some(&ok)),
            Badge::Warning
        );
        assert_eq!(badge_for(LinkStatus::Connecting, None), Badge::Disconnected);
        assert_eq!(Badge::Connected.color(), "#16a34a");
        assert_eq!(Badge::Warning.color(), "#f59e0b");
        assert_eq!(Badge::Disconnected.color(), "#dc2626");
        assert_eq!(Badge::Warning.label(), "Relay active");
    }

    #[test]
    fn notes() {
        assert_eq!(
            connected_note(8787, "abcd1234-5678"),
            "Connected to 127.0.0.1:8787 (relay abcd1234)"
        );
        assert_eq!(
            health_note(&json!({"reason":"pairing_invalid"})),
            Some("Pairing token rejected by the relay.")
        );
        assert_eq!(health_note(&json!({"reason":"ok"})), None);
        assert_eq!(LinkStatus::Connecting.as_str(), "connecting");
    }
}
