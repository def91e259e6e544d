//! Pairing over native messaging, the pure half (docs/NATIVE.md "Pairing over native messaging"): the
//! `pair_request` message, the host's reply, and how a reply is checked against `/config`.
//!
//! The host answers `{"type":"pair_request","id"}` itself with
//! `{"type":"pair","id","relayPort","pairingToken","instanceId","epoch"?}` (the daemon's pairing facts)
//! or `{"type":"error","id","code":"pairing_unavailable","message"}`. A good reply replaces `POST /pair`
//! (PROTOCOL.md §6 step 3): it is accepted only for the relay `/config` just described (same `instanceId`
//! and port), and stored through [`crate::pairing::accept_pair`], so the storage keys and `tokenEpoch`
//! rule are those of `/pair`.

use serde_json::{json, Value};

use crate::native::NativeHealth;
use crate::pairing::{self, PairInfo, RelayConfig};
use crate::settings::{parse_ms, parse_port, Patch};

/// The request's `type`.
pub const REQUEST_TYPE: &str = odb_protocol::native::PAIR_REQUEST;
/// The success reply's `type`.
pub const REPLY_TYPE: &str = odb_protocol::native::PAIR_REPLY;
/// The host's error `code` when it has no trusted pairing facts.
pub const UNAVAILABLE_CODE: &str = odb_protocol::native::PAIRING_UNAVAILABLE;

/// `{"type":"pair_request","id":"<id>"}`.
pub fn request(id: &str) -> String {
    json!({"type": REQUEST_TYPE, "id": id}).to_string()
}

/// The `id` of a host message when it is a string (the ping and pair replies echo the request's).
pub fn reply_id(text: &str) -> Option<String> {
    let v: Value = serde_json::from_str(text).ok()?;
    v.get("id").and_then(Value::as_str).map(str::to_string)
}

/// A host's pairing answer: the relay port and the `/pair`-equivalent facts.
#[derive(Clone, PartialEq)]
pub struct NativePair {
    /// The relay's port on 127.0.0.1.
    pub relay_port: u16,
    /// Token (`None` when pairing is off), instance and epoch, as `POST /pair` gives them.
    pub info: PairInfo,
}

impl std::fmt::Debug for NativePair {
    /// Never prints the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativePair")
            .field("relay_port", &self.relay_port)
            .field("token", &self.info.token.as_ref().map(|_| "<redacted>"))
            .field("instance_id", &self.info.instance_id)
            .field("epoch", &self.info.epoch)
            .finish()
    }
}

/// Why the host did not give a usable token; the attempt then asks `POST /pair`. Texts never hold a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PairFailure {
    /// The port failed or the host did not answer the ping (not installed, forbidden, exited, timeout).
    Host(NativeHealth),
    /// The host answered `pairing_unavailable` (no daemon, or an untrusted file), with its message.
    Unavailable(String),
    /// No reply to `pair_request` in time (e.g. an older host that forwards it to the relay).
    NoReply,
    /// A reply that is neither shape above.
    Malformed,
    /// The reply names another relay than `/config` did.
    OtherRelay,
    /// The reply has no token although `/config` says the relay requires one.
    NoToken,
}

impl std::fmt::Display for PairFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PairFailure::Host(h) => write!(f, "{}", h.line()),
            PairFailure::Unavailable(m) => write!(f, "host has no pairing facts: {m}"),
            PairFailure::NoReply => write!(f, "no answer to pair_request"),
            PairFailure::Malformed => write!(f, "malformed pair reply"),
            PairFailure::OtherRelay => {
                write!(f, "the host's relay is not the one /config answered for")
            }
            PairFailure::NoToken => write!(f, "the host has no token, yet the relay requires one"),
        }
    }
}

/// Why not to ask the host at all in this attempt, or `None` to ask: `link_try` is what this attempt's
/// native link try found ([`NativeHealth::Off`] when `nativeEnabled` is off), `refused_instance` the relay
/// instance that closed the socket 1008 on a token from the host before, `instance` the one `/config` named.
pub fn skip_reason(
    link_try: &NativeHealth,
    refused_instance: Option<&str>,
    instance: &str,
) -> Option<String> {
    match link_try {
        NativeHealth::HostNotInstalled | NativeHealth::HostForbidden => Some(link_try.line()),
        _ if refused_instance == Some(instance) => {
            Some("this relay refused the host's token before".into())
        }
        _ => None,
    }
}

/// Parses the host's reply to `pair_request`.
///
/// # Errors
/// [`PairFailure::Unavailable`] for the host's error, [`PairFailure::Malformed`] otherwise.
pub fn parse_reply(text: &str) -> Result<NativePair, PairFailure> {
    let v: Value = serde_json::from_str(text).map_err(|_| PairFailure::Malformed)?;
    let field = |k: &str| v.get(k).and_then(Value::as_str);
    match field("type") {
        Some(REPLY_TYPE) => {}
        Some("error") if field("code") == Some(UNAVAILABLE_CODE) => {
            return Err(PairFailure::Unavailable(
                field("message").unwrap_or_default().to_string(),
            ))
        }
        _ => return Err(PairFailure::Malformed),
    }
    let relay_port = v
        .get("relayPort")
        .filter(|p| p.is_number())
        .and_then(parse_port)
        .ok_or(PairFailure::Malformed)?;
    let token = match v.get("pairingToken") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if !t.is_empty() => Some(t.clone()),
        Some(_) => return Err(PairFailure::Malformed),
    };
    let instance_id = field("instanceId")
        .filter(|s| !s.is_empty())
        .ok_or(PairFailure::Malformed)?
        .to_string();
    Ok(NativePair {
        relay_port,
        info: PairInfo {
            token,
            instance_id,
            epoch: v.get("epoch").and_then(parse_ms),
        },
    })
}

/// Checks a host answer against the `/config` it follows and gives the storage writes of `/pair`
/// (`pairingToken`, `tokenEpoch = epoch ?? config.epoch`).
///
/// # Errors
/// [`PairFailure::OtherRelay`] when the port or the instance differs (e.g. a stale file from another run);
/// [`PairFailure::NoToken`] when the relay requires a token and the answer has none.
pub fn accept(config: &RelayConfig, pair: &NativePair) -> Result<Patch, PairFailure> {
    if pair.relay_port != config.relay_port || pair.info.instance_id != config.instance_id {
        return Err(PairFailure::OtherRelay);
    }
    if config.pairing_required && pair.info.token.is_none() {
        return Err(PairFailure::NoToken);
    }
    pairing::accept_pair(config, &pair.info).map_err(|_| PairFailure::OtherRelay)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::keys;

    const TOKEN: &str = "aa11bb22cc33dd44ee55ff6600112233aa11bb22cc33dd44ee55ff6600112233";

    fn config() -> RelayConfig {
        RelayConfig {
            relay_port: 9123,
            pairing_required: true,
            instance_id: "inst".into(),
            epoch: Some(7),
        }
    }

    fn reply(extra: Value) -> String {
        let mut v = json!({"type":"pair","id":"r","relayPort":9123,"pairingToken":TOKEN,
                           "instanceId":"inst","epoch":7});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v.to_string()
    }

    #[test]
    fn request_and_reply_ids() {
        assert_eq!(
            serde_json::from_str::<Value>(&request("q1")).unwrap(),
            json!({"type":"pair_request","id":"q1"})
        );
        assert_eq!(reply_id(&reply(json!({}))).as_deref(), Some("r"));
        assert_eq!(
            reply_id(r#"{"type":"pong","id":"p"}"#).as_deref(),
            Some("p")
        );
        assert_eq!(reply_id(r#"{"type":"pong","id":3}"#), None);
        assert_eq!(reply_id("nope"), None);
    }

    #[test]
    fn a_good_reply_stores_like_pair() {
        let pair = parse_reply(&reply(json!({}))).unwrap();
        assert_eq!(pair.relay_port, 9123);
        assert!(
            !format!("{pair:?}").contains(TOKEN),
            "Debug hides the token"
        );
        let patch = accept(&config(), &pair).unwrap();
        assert_eq!(patch.set.get(keys::PAIRING_TOKEN), Some(&json!(TOKEN)));
        assert_eq!(patch.set.get(keys::TOKEN_EPOCH), Some(&json!(7)));
        let no_epoch = parse_reply(&reply(json!({"epoch": null}))).unwrap();
        assert_eq!(
            accept(&config(), &no_epoch)
                .unwrap()
                .set
                .get(keys::TOKEN_EPOCH),
            Some(&json!(7)),
            "tokenEpoch falls back to the /config epoch"
        );
    }

    #[test]
    fn a_missing_token_is_accepted_only_when_the_relay_needs_none() {
        let pair = parse_reply(&reply(json!({"pairingToken": null}))).unwrap();
        assert_eq!(pair.info.token, None);
        assert_eq!(accept(&config(), &pair), Err(PairFailure::NoToken));
        let open = RelayConfig {
            pairing_required: false,
            ..config()
        };
        assert!(accept(&open, &pair).unwrap().is_empty());
    }

    #[test]
    fn another_relay_is_refused() {
        let other_instance = parse_reply(&reply(json!({"instanceId":"old"}))).unwrap();
        assert_eq!(
            accept(&config(), &other_instance),
            Err(PairFailure::OtherRelay)
        );
        let other_port = parse_reply(&reply(json!({"relayPort": 9124}))).unwrap();
        assert_eq!(accept(&config(), &other_port), Err(PairFailure::OtherRelay));
    }

    #[test]
    fn the_host_is_skipped_only_when_known_absent_or_refused() {
        assert_eq!(skip_reason(&NativeHealth::Off, None, "inst"), None);
        assert_eq!(
            skip_reason(&NativeHealth::HostTimeout, Some("old"), "inst"),
            None,
            "a refusal by an earlier relay instance does not count"
        );
        assert!(skip_reason(&NativeHealth::HostNotInstalled, None, "inst")
            .unwrap()
            .contains("not installed"));
        assert!(skip_reason(&NativeHealth::HostForbidden, None, "inst").is_some());
        assert!(skip_reason(&NativeHealth::Off, Some("inst"), "inst")
            .unwrap()
            .contains("refused"));
    }

    #[test]
    fn errors_and_garbage() {
        let unavailable =
            r#"{"type":"error","id":"r","code":"pairing_unavailable","message":"no file"}"#;
        assert_eq!(
            parse_reply(unavailable),
            Err(PairFailure::Unavailable("no file".into()))
        );
        for bad in [
            "nope".to_string(),
            r#"{"type":"error","code":"relay_unavailable"}"#.to_string(),
            r#"{"type":"pong","id":"r"}"#.to_string(),
            reply(json!({"relayPort": "9123"})),
            reply(json!({"relayPort": 0})),
            reply(json!({"pairingToken": 5})),
            reply(json!({"pairingToken": ""})),
            reply(json!({"instanceId": null})),
        ] {
            assert_eq!(parse_reply(&bad), Err(PairFailure::Malformed), "{bad}");
        }
        assert!(PairFailure::Host(NativeHealth::HostNotInstalled)
            .to_string()
            .contains("not installed"));
    }
}
