//! Pure pairing decisions of PROTOCOL.md §6 step 3 and §2.1: token invalidation, `/pair` and ack checks,
//! what a close code means for the stored token.

use odb_protocol::limits::{close_code, CLOSE_REASON_INVALID_TOKEN, CLOSE_REASON_REPLACED};
use serde_json::{json, Value};

use crate::errors::ConnectError;
use crate::settings::{keys, parse_ms, parse_port, Patch, Settings};

/// The parts of `GET /config` the extension uses. Parsed leniently: only `relayPort` and `instanceId` are
/// required; `pairingRequired` defaults to `true` (PROTOCOL.md §6 step 3).
#[derive(Clone, Debug, PartialEq)]
pub struct RelayConfig {
    /// The relay's port.
    pub relay_port: u16,
    /// Whether the relay wants a token.
    pub pairing_required: bool,
    /// The relay process's UUID.
    pub instance_id: String,
    /// The relay's start time, ms.
    pub epoch: Option<u64>,
}

/// Parses a `/config` body.
///
/// # Errors
/// [`ConnectError::ConfigUnreachable`] when the body is not JSON or lacks `relayPort`/`instanceId`.
pub fn parse_config(body: &str) -> Result<RelayConfig, ConnectError> {
    let bad = || ConnectError::ConfigUnreachable("malformed /config body".into());
    let v: Value = serde_json::from_str(body).map_err(|_| bad())?;
    Ok(RelayConfig {
        relay_port: parse_port(v.get("relayPort").unwrap_or(&Value::Null)).ok_or_else(bad)?,
        pairing_required: v
            .get("pairingRequired")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        instance_id: v
            .get("instanceId")
            .and_then(Value::as_str)
            .ok_or_else(bad)?
            .to_string(),
        epoch: v.get("epoch").and_then(parse_ms),
    })
}

/// The parts of `POST /pair` the extension uses: `{token: string|null, instanceId, epoch}`.
#[derive(Clone, Debug, PartialEq)]
pub struct PairInfo {
    /// The relay token; `None` when pairing is off at the relay.
    pub token: Option<String>,
    /// The relay process's UUID.
    pub instance_id: String,
    /// The relay's start time, ms.
    pub epoch: Option<u64>,
}

/// Parses a `/pair` body.
///
/// # Errors
/// [`ConnectError::PairFailed`] when the body is not JSON or has no `instanceId`.
pub fn parse_pair(body: &str) -> Result<PairInfo, ConnectError> {
    let bad = || ConnectError::PairFailed("malformed /pair body".into());
    let v: Value = serde_json::from_str(body).map_err(|_| bad())?;
    Ok(PairInfo {
        token: v
            .get("token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string),
        instance_id: v
            .get("instanceId")
            .and_then(Value::as_str)
            .ok_or_else(bad)?
            .to_string(),
        epoch: v.get("epoch").and_then(parse_ms),
    })
}

/// §6 step 3: the storage changes after a successful `/config`. It stores the relay identity and clears
/// `pairingToken`/`tokenEpoch` when the relay epoch or instance changed, when the token's epoch is not the
/// relay's epoch, or when a token has no epoch. `stored` is the state before this discovery.
pub fn after_config(stored: &Settings, config: &RelayConfig) -> Patch {
    let mut patch = Patch::default();
    if stored.relay_port != config.relay_port {
        patch.put(keys::RELAY_PORT, json!(config.relay_port));
    }
    if stored.relay_instance_id.as_deref() != Some(config.instance_id.as_str()) {
        patch.put(keys::RELAY_INSTANCE_ID, json!(config.instance_id));
    }
    if let Some(epoch) = config.epoch.filter(|e| stored.relay_epoch != Some(*e)) {
        patch.put(keys::RELAY_EPOCH, json!(epoch));
    }
    let stale = stored.relay_epoch != config.epoch
        || stored.relay_instance_id.as_deref() != Some(config.instance_id.as_str())
        || stored.token_epoch != config.epoch
        || (stored.pairing_token.is_some() && stored.token_epoch.is_none());
    if stale && (stored.pairing_token.is_some() || stored.token_epoch.is_some()) {
        patch.clear(keys::PAIRING_TOKEN);
        patch.clear(keys::TOKEN_EPOCH);
    }
    patch
}

/// Whether to ask `/pair`: pairing is required and no token is stored.
pub fn needs_pair(config: &RelayConfig, token: Option<&str>) -> bool {
    config.pairing_required && token.is_none()
}

/// Checks a `/pair` answer against the `/config` it follows and gives the storage writes
/// (`pairingToken`, `tokenEpoch = pair.epoch ?? config.epoch`).
///
/// # Errors
/// [`ConnectError::InstanceMismatch`] when the two answers come from different relay processes.
pub fn accept_pair(config: &RelayConfig, pair: &PairInfo) -> Result<Patch, ConnectError> {
    if pair.instance_id != config.instance_id {
        return Err(ConnectError::InstanceMismatch);
    }
    let mut patch = Patch::default();
    if let Some(token) = &pair.token {
        patch.put(keys::PAIRING_TOKEN, json!(token));
        if let Some(epoch) = pair.epoch.or(config.epoch) {
            patch.put(keys::TOKEN_EPOCH, json!(epoch));
        }
    }
    Ok(patch)
}

/// A validated `handshakeAck.payload`.
#[derive(Clone, Debug, PartialEq)]
pub struct Ack {
    /// The relay process's UUID.
    pub instance_id: String,
    /// The relay's port.
    pub relay_port: u16,
    /// The relay's start time, ms, when sent.
    pub epoch: Option<u64>,
}

/// §2.1: an ack is accepted only when `instanceId` is a string and `relayPort` a number (a valid port).
///
/// # Errors
/// [`ConnectError::BadAck`]; the caller closes the socket 1002.
pub fn validate_ack(payload: &Value) -> Result<Ack, ConnectError> {
    let instance_id = payload
        .get("instanceId")
        .and_then(Value::as_str)
        .ok_or(ConnectError::BadAck)?;
    let relay_port = payload
        .get("relayPort")
        .filter(|p| p.is_number())
        .and_then(parse_port)
        .ok_or(ConnectError::BadAck)?;
    Ok(Ack {
        instance_id: instance_id.to_string(),
        relay_port,
        epoch: payload.get("epoch").and_then(parse_ms),
    })
}

/// §6 step 4.5: whether the ack names a different relay than the stored identity (only stored and sent
/// values are compared).
pub fn identity_changed(stored: &Settings, ack: &Ack) -> bool {
    let instance = stored
        .relay_instance_id
        .as_deref()
        .is_some_and(|id| id != ack.instance_id);
    let epoch = matches!((stored.relay_epoch, ack.epoch), (Some(a), Some(b)) if a != b);
    instance || epoch
}

/// The storage changes after an identity mismatch: forget identity and token.
pub fn forget_identity() -> Patch {
    let mut patch = Patch::default();
    for key in [
        keys::RELAY_INSTANCE_ID,
        keys::RELAY_EPOCH,
        keys::PAIRING_TOKEN,
        keys::TOKEN_EPOCH,
    ] {
        patch.clear(key);
    }
    patch
}

/// The storage changes after a good ack: persist `relayPort`, `relayInstanceId`, `relayEpoch`.
pub fn persist_ack(stored: &Settings, ack: &Ack) -> Patch {
    let mut patch = Patch::default();
    if stored.relay_port != ack.relay_port {
        patch.put(keys::RELAY_PORT, json!(ack.relay_port));
    }
    if stored.relay_instance_id.as_deref() != Some(ack.instance_id.as_str()) {
        patch.put(keys::RELAY_INSTANCE_ID, json!(ack.instance_id));
    }
    if let Some(epoch) = ack.epoch.filter(|e| stored.relay_epoch != Some(*e)) {
        patch.put(keys::RELAY_EPOCH, json!(epoch));
    }
    patch
}

/// §6 step 4.7: a pong proves the link only when it reports the extension connected and handshaken.
pub fn pong_ready(health: &Value) -> bool {
    let flag = |k: &str| health.get(k).and_then(Value::as_bool).unwrap_or(false);
    flag("extensionConnected") && flag("extensionHandshakeComplete")
}

/// What a close of the `/extension` socket means for the next attempt (§2.1, §2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseAction {
    /// Code 1008 or "Invalid pairing token": clear the stored token, re-pair on the next attempt.
    ClearToken,
    /// "Replaced by a new extension client": stop auto-reconnecting until `/status` shows no healthy handshake.
    Suppress,
    /// Anything else: reconnect with backoff.
    Retry,
}

/// Classifies a close by code and reason.
pub fn classify_close(code: u16, reason: &str) -> CloseAction {
    if reason.contains(CLOSE_REASON_REPLACED) {
        CloseAction::Suppress
    } else if code == close_code::POLICY || reason.contains(CLOSE_REASON_INVALID_TOKEN) {
        CloseAction::ClearToken
    } else {
        CloseAction::Retry
    }
}

/// The storage changes for [`CloseAction::ClearToken`].
pub fn clear_token() -> Patch {
    let mut patch = Patch::default();
    patch.clear(keys::PAIRING_TOKEN);
    patch.clear(keys::TOKEN_EPOCH);
    patch
}

/// Whether a `/status` body shows another extension holding a healthy handshake (relay-switch suppression).
pub fn status_shows_handshake(body: &str) -> bool {
    serde_json::from_str::<Value>(body).is_ok_and(|v| {
        let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        flag("extensionConnected") && flag("extensionHandshakeComplete")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(epoch: u64) -> RelayConfig {
        RelayConfig {
            relay_port: 8787,
            pairing_required: true,
            instance_id: "inst".into(),
            epoch: Some(epoch),
        }
    }

    fn paired(epoch: u64) -> Settings {
        Settings {
            pairing_token: Some("tok".into()),
            relay_instance_id: Some("inst".into()),
            relay_epoch: Some(epoch),
            token_epoch: Some(epoch),
            ..Settings::default()
        }
    }

    #[test]
    fn config_parsing_is_lenient_but_needs_port_and_instance() {
        let c = parse_config(r#"{"relayPort":9000,"instanceId":"x","epoch":5}"#).unwrap();
        assert_eq!(
            (c.relay_port, c.pairing_required, c.epoch),
            (9000, true, Some(5))
        );
        let c =
            parse_config(r#"{"relayPort":1,"instanceId":"x","pairingRequired":false}"#).unwrap();
        assert!(!c.pairing_required);
        assert!(parse_config(r#"{"instanceId":"x"}"#).is_err());
        assert!(parse_config(r#"{"relayPort":8787}"#).is_err());
        assert!(parse_config("<html>").is_err());
    }

    #[test]
    fn same_relay_keeps_token() {
        assert!(after_config(&paired(7), &config(7)).is_empty());
    }

    #[test]
    fn new_epoch_or_instance_clears_token() {
        let p = after_config(&paired(7), &config(8));
        assert_eq!(p.remove, vec![keys::PAIRING_TOKEN, keys::TOKEN_EPOCH]);
        assert_eq!(p.set.get("relayEpoch"), Some(&json!(8)));

        let mut other = config(7);
        other.instance_id = "other".into();
        let p = after_config(&paired(7), &other);
        assert!(p.remove.contains(&keys::PAIRING_TOKEN));
        assert_eq!(p.set.get("relayInstanceId"), Some(&json!("other")));
    }

    #[test]
    fn token_without_epoch_or_with_other_epoch_is_cleared() {
        let mut s = paired(7);
        s.token_epoch = None;
        assert!(after_config(&s, &config(7))
            .remove
            .contains(&keys::PAIRING_TOKEN));
        let mut s = paired(7);
        s.token_epoch = Some(6);
        assert!(after_config(&s, &config(7))
            .remove
            .contains(&keys::PAIRING_TOKEN));
    }

    #[test]
    fn first_discovery_stores_identity_without_removals() {
        let p = after_config(&Settings::default(), &config(7));
        assert!(p.remove.is_empty());
        assert_eq!(p.set.get("relayInstanceId"), Some(&json!("inst")));
        assert!(needs_pair(&config(7), None));
        assert!(!needs_pair(&config(7), Some("t")));
        let mut open = config(7);
        open.pairing_required = false;
        assert!(!needs_pair(&open, None));
    }

    #[test]
    fn pair_must_come_from_the_same_instance() {
        let pair = PairInfo {
            token: Some("t".into()),
            instance_id: "inst".into(),
            epoch: None,
        };
        let p = accept_pair(&config(7), &pair).unwrap();
        assert_eq!(p.set.get("pairingToken"), Some(&json!("t")));
        assert_eq!(p.set.get("tokenEpoch"), Some(&json!(7)));
        let foreign = PairInfo {
            instance_id: "evil".into(),
            ..pair
        };
        assert_eq!(
            accept_pair(&config(7), &foreign),
            Err(ConnectError::InstanceMismatch)
        );
        let p = parse_pair(r#"{"token":null,"instanceId":"inst","epoch":3}"#).unwrap();
        assert!(accept_pair(&config(7), &p).unwrap().is_empty());
    }

    #[test]
    fn ack_needs_string_instance_and_number_port() {
        let ok = validate_ack(&json!({"instanceId":"i","relayPort":8787,"epoch":9})).unwrap();
        assert_eq!(ok.epoch, Some(9));
        for bad in [
            json!({"instanceId":1,"relayPort":8787}),
            json!({"instanceId":"i","relayPort":"8787"}),
            json!({"instanceId":"i"}),
            json!(null),
        ] {
            assert_eq!(validate_ack(&bad), Err(ConnectError::BadAck), "{bad}");
        }
    }

    #[test]
    fn identity_change_compares_only_known_values() {
        let ack = validate_ack(&json!({"instanceId":"inst","relayPort":8787,"epoch":7})).unwrap();
        assert!(!identity_changed(&paired(7), &ack));
        assert!(identity_changed(&paired(6), &ack));
        assert!(!identity_changed(&Settings::default(), &ack));
        let other = Ack {
            instance_id: "x".into(),
            ..ack
        };
        assert!(identity_changed(&paired(7), &other));
        assert_eq!(forget_identity().remove.len(), 4);
    }

    #[test]
    fn close_classification() {
        assert_eq!(classify_close(1008, ""), CloseAction::ClearToken);
        assert_eq!(
            classify_close(1000, "Invalid pairing token"),
            CloseAction::ClearToken
        );
        assert_eq!(
            classify_close(1000, "Replaced by a new extension client"),
            CloseAction::Suppress
        );
        assert_eq!(classify_close(1006, ""), CloseAction::Retry);
        assert_eq!(classify_close(1000, "Relay stopped"), CloseAction::Retry);
    }

    #[test]
    fn pong_and_status_checks() {
        assert!(pong_ready(
            &json!({"extensionConnected":true,"extensionHandshakeComplete":true})
        ));
        assert!(!pong_ready(
            &json!({"extensionConnected":true,"extensionHandshakeComplete":false})
        ));
        assert!(status_shows_handshake(
            r#"{"extensionConnected":true,"extensionHandshakeComplete":true}"#
        ));
        assert!(!status_shows_handshake(r#"{"extensionConnected":false}"#));
        assert!(!status_shows_handshake("nope"));
    }

    #[test]
    fn persist_ack_writes_only_changes() {
        let ack = validate_ack(&json!({"instanceId":"inst","relayPort":8787,"epoch":7})).unwrap();
        assert!(persist_ack(&paired(7), &ack).is_empty());
        let p = persist_ack(&Settings::default(), &ack);
        assert_eq!(p.set.len(), 2);
    }
}
