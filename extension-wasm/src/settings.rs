//! The `chrome.storage.local` settings and relay identity of PROTOCOL.md §6: key names, defaults, parsing.
//!
//! Pure: the wasm side reads the storage object (`chrome.storage.local.get(ALL_KEYS)`), turns it into a
//! `serde_json::Value` and calls [`Settings::from_storage`]. A missing key or a value of the wrong type
//! falls back to its default, so a hand-edited or half-written store never stops the extension.

use odb_protocol::limits::{DEFAULT_DISCOVERY_PORT, DEFAULT_RELAY_PORT};
use serde_json::{Map, Value};

/// Storage key names, exactly as the original extension spells them (PROTOCOL.md §6).
pub mod keys {
    /// `boolean`, default `true`: connect on start, install, alarms and storage changes.
    pub const AUTO_CONNECT: &str = "autoConnect";
    /// `boolean`, default `true`: fetch `/config` and `/pair` automatically.
    pub const AUTO_PAIR: &str = "autoPair";
    /// `boolean`, default `true`: send a pairing token in the handshake.
    pub const PAIRING_ENABLED: &str = "pairingEnabled";
    /// `string | null`, default `null`: the relay token (64 hex). Never logged.
    pub const PAIRING_TOKEN: &str = "pairingToken";
    /// `number`, default 8787: the relay's port.
    pub const RELAY_PORT: &str = "relayPort";
    /// `number`, default 8787: where `GET /config` is tried first.
    pub const DISCOVERY_PORT: &str = "discoveryPort";
    /// `string`: the relay `instanceId` (UUID) seen last.
    pub const RELAY_INSTANCE_ID: &str = "relayInstanceId";
    /// `number` (ms since the Unix epoch): the relay `epoch` seen last.
    pub const RELAY_EPOCH: &str = "relayEpoch";
    /// `number` (ms): the relay epoch the stored token belongs to.
    pub const TOKEN_EPOCH: &str = "tokenEpoch";
    /// `boolean`, default `false`: connect over native messaging first, the relay WebSocket as the fallback
    /// (docs/NATIVE.md).
    pub const NATIVE_ENABLED: &str = "nativeEnabled";
}

/// Every key [`Settings`] reads, for `chrome.storage.local.get`.
pub const ALL_KEYS: [&str; 10] = [
    keys::AUTO_CONNECT,
    keys::AUTO_PAIR,
    keys::PAIRING_ENABLED,
    keys::PAIRING_TOKEN,
    keys::RELAY_PORT,
    keys::DISCOVERY_PORT,
    keys::RELAY_INSTANCE_ID,
    keys::RELAY_EPOCH,
    keys::TOKEN_EPOCH,
    keys::NATIVE_ENABLED,
];

/// The stored settings and relay identity, with defaults applied (PROTOCOL.md §6).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// `autoConnect`.
    pub auto_connect: bool,
    /// `autoPair`.
    pub auto_pair: bool,
    /// `pairingEnabled`.
    pub pairing_enabled: bool,
    /// `pairingToken`; `None` when missing, `null` or empty.
    pub pairing_token: Option<String>,
    /// `relayPort`.
    pub relay_port: u16,
    /// `discoveryPort`.
    pub discovery_port: u16,
    /// `relayInstanceId`.
    pub relay_instance_id: Option<String>,
    /// `relayEpoch`, ms.
    pub relay_epoch: Option<u64>,
    /// `tokenEpoch`, ms.
    pub token_epoch: Option<u64>,
    /// `nativeEnabled`.
    pub native_enabled: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_connect: true,
            auto_pair: true,
            pairing_enabled: true,
            pairing_token: None,
            relay_port: DEFAULT_RELAY_PORT,
            discovery_port: DEFAULT_DISCOVERY_PORT,
            relay_instance_id: None,
            relay_epoch: None,
            token_epoch: None,
            native_enabled: false,
        }
    }
}

impl Settings {
    /// Reads the object returned by `chrome.storage.local.get(ALL_KEYS)`; anything else gives defaults.
    pub fn from_storage(stored: &Value) -> Self {
        let d = Settings::default();
        let get = |k: &str| stored.get(k).unwrap_or(&Value::Null);
        let flag = |k: &str, default: bool| get(k).as_bool().unwrap_or(default);
        Settings {
            auto_connect: flag(keys::AUTO_CONNECT, d.auto_connect),
            auto_pair: flag(keys::AUTO_PAIR, d.auto_pair),
            pairing_enabled: flag(keys::PAIRING_ENABLED, d.pairing_enabled),
            pairing_token: non_empty(get(keys::PAIRING_TOKEN)),
            relay_port: parse_port(get(keys::RELAY_PORT)).unwrap_or(d.relay_port),
            discovery_port: parse_port(get(keys::DISCOVERY_PORT)).unwrap_or(d.discovery_port),
            relay_instance_id: non_empty(get(keys::RELAY_INSTANCE_ID)),
            relay_epoch: parse_ms(get(keys::RELAY_EPOCH)),
            token_epoch: parse_ms(get(keys::TOKEN_EPOCH)),
            native_enabled: flag(keys::NATIVE_ENABLED, d.native_enabled),
        }
    }
}

/// A TCP port from a stored or typed value: an integer (or an integer string) in `1..=65535`.
pub fn parse_port(value: &Value) -> Option<u16> {
    let n = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if n.fract() == 0.0 && (1.0..=65535.0).contains(&n) {
        Some(n as u16)
    } else {
        None
    }
}

/// A millisecond timestamp: a non-negative integral JSON number.
pub fn parse_ms(value: &Value) -> Option<u64> {
    let n = value.as_f64()?;
    (n.fract() == 0.0 && (0.0..9.007_199_254_740_992e15).contains(&n)).then_some(n as u64)
}

fn non_empty(value: &Value) -> Option<String> {
    value.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

/// A set of storage writes and removals, applied with `chrome.storage.local.set` then `.remove`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Patch {
    /// Keys to set, as a JSON object.
    pub set: Map<String, Value>,
    /// Keys to remove.
    pub remove: Vec<&'static str>,
}

impl Patch {
    /// Whether applying it would change nothing.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty() && self.remove.is_empty()
    }

    /// Sets `key` to `value`.
    pub fn put(&mut self, key: &'static str, value: Value) {
        self.remove.retain(|k| *k != key);
        self.set.insert(key.to_string(), value);
    }

    /// Removes `key`.
    pub fn clear(&mut self, key: &'static str) {
        self.set.remove(key);
        if !self.remove.contains(&key) {
            self.remove.push(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_when_empty_or_garbage() {
        assert_eq!(Settings::from_storage(&json!({})), Settings::default());
        assert_eq!(Settings::from_storage(&json!(null)), Settings::default());
        let s = Settings::from_storage(&json!({
            "autoConnect": "yes", "relayPort": 0, "discoveryPort": 70000, "pairingToken": "",
            "relayEpoch": -5, "tokenEpoch": 1.5
        }));
        assert_eq!(s, Settings::default());
    }

    #[test]
    fn reads_every_key() {
        let s = Settings::from_storage(&json!({
            "autoConnect": false, "autoPair": false, "pairingEnabled": false,
            "pairingToken": "abc", "relayPort": 9001, "discoveryPort": "9002",
            "relayInstanceId": "i-1", "relayEpoch": 1731000000000u64, "tokenEpoch": 1731000000000u64,
            "nativeEnabled": true
        }));
        assert!(!s.auto_connect && !s.auto_pair && !s.pairing_enabled && s.native_enabled);
        assert_eq!(s.pairing_token.as_deref(), Some("abc"));
        assert_eq!((s.relay_port, s.discovery_port), (9001, 9002));
        assert_eq!(s.relay_instance_id.as_deref(), Some("i-1"));
        assert_eq!(s.relay_epoch, Some(1_731_000_000_000));
        assert_eq!(s.token_epoch, Some(1_731_000_000_000));
    }

    #[test]
    fn ports_are_integers_in_range() {
        assert_eq!(parse_port(&json!(1)), Some(1));
        assert_eq!(parse_port(&json!(65535)), Some(65535));
        assert_eq!(parse_port(&json!(" 8787 ")), Some(8787));
        for bad in [
            json!(0),
            json!(65536),
            json!(80.5),
            json!("x"),
            json!(true),
            json!(-1),
        ] {
            assert_eq!(parse_port(&bad), None, "{bad}");
        }
    }

    #[test]
    fn patch_put_and_clear_override_each_other() {
        let mut p = Patch::default();
        assert!(p.is_empty());
        p.put(keys::PAIRING_TOKEN, json!("t"));
        p.clear(keys::PAIRING_TOKEN);
        assert!(p.set.is_empty());
        assert_eq!(p.remove, vec![keys::PAIRING_TOKEN]);
        p.put(keys::PAIRING_TOKEN, json!("u"));
        assert!(p.remove.is_empty());
        assert_eq!(p.set.get("pairingToken"), Some(&json!("u")));
    }
}
