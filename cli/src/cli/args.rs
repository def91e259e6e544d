//! Flag value parsers and the argument groups shared by session commands (CLI.md "Conventions").

use clap::{Args, ValueEnum};
use odb_protocol::http::ExtensionTransport;
use serde_json::{Map, Value};

/// Positive integer flags take plain decimal digits: `+5`, `0x10`, `1e3`, `-1`, `0` and empty are refused.
///
/// # Errors
/// A message clap prints as a usage error (exit 1).
pub fn positive_u64(raw: &str) -> Result<u64, String> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "expected a positive whole number in plain digits, got {raw:?}"
        ));
    }
    match raw.parse::<u64>() {
        Ok(0) => Err("expected a positive whole number, got 0".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{raw} is too large")),
    }
}

/// Cursor flags (`--since-seq`) take plain decimal digits and allow 0 (CLI.md "Conventions").
///
/// # Errors
/// A message clap prints as a usage error (exit 1) for anything but plain digits, or a value outside `u64`.
pub fn non_negative_u64(raw: &str) -> Result<u64, String> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "expected a whole number (0 or more) in plain digits, got {raw:?}"
        ));
    }
    raw.parse::<u64>()
        .map_err(|_| format!("{raw} is too large"))
}

/// A flag value that must not be empty (names such as `--name`).
///
/// # Errors
/// A usage-error message for an empty or all-whitespace value.
pub fn non_empty(raw: &str) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Err("expected a non-empty value".into());
    }
    Ok(raw.to_string())
}

/// A positive port number in plain digits (1-65535).
///
/// # Errors
/// A usage-error message for anything else.
pub fn port(raw: &str) -> Result<u16, String> {
    let n = positive_u64(raw)?;
    u16::try_from(n).map_err(|_| format!("{n} is not a port (1-65535)"))
}

/// `--transport relay|native` (CLI.md "Transport flags"): the extension link a command must run over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    /// The relay's `/extension` WebSocket on 127.0.0.1:<relayPort>.
    Relay,
    /// Chrome native messaging through `opendevbrowser-native-host` (docs/NATIVE.md).
    Native,
}

impl From<TransportArg> for ExtensionTransport {
    fn from(arg: TransportArg) -> Self {
        match arg {
            TransportArg::Relay => ExtensionTransport::Websocket,
            TransportArg::Native => ExtensionTransport::Native,
        }
    }
}

/// `--session-id` (required by every session command).
#[derive(Args, Clone, Debug)]
pub struct SessionArg {
    /// The session id `launch` or `connect` printed.
    #[arg(long = "session-id")]
    pub session_id: String,
}

/// `--target-id` of target-scoped commands (defaults to the session's active target).
#[derive(Args, Clone, Debug)]
pub struct TargetArg {
    /// A target id from `targets-list` (e.g. `tab-12`); default: the active target.
    #[arg(long = "target-id")]
    pub target_id: Option<String>,
}

/// Builds `{sessionId, targetId?, ...fields}` params for the daemon; `None` fields are left out.
pub fn params(
    session: &SessionArg,
    target: Option<&TargetArg>,
    fields: &[(&str, Option<Value>)],
) -> Value {
    let mut map = Map::new();
    map.insert(
        "sessionId".into(),
        Value::String(session.session_id.clone()),
    );
    if let Some(t) = target.and_then(|t| t.target_id.clone()) {
        map.insert("targetId".into(), Value::String(t));
    }
    for (key, value) in fields {
        if let Some(v) = value {
            map.insert((*key).to_string(), v.clone());
        }
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn positive_integers_are_plain_digits() {
        assert_eq!(positive_u64("5"), Ok(5));
        assert_eq!(positive_u64("30000"), Ok(30000));
        for bad in [
            "+5",
            "0x10",
            "1e3",
            "-1",
            "0",
            "",
            " 5",
            "5.0",
            "٣",
            "99999999999999999999999",
        ] {
            assert!(positive_u64(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(port("8787"), Ok(8787));
        assert!(port("65536").is_err());
        assert!(port("0").is_err());
    }

    #[test]
    fn cursor_numbers_allow_zero_but_stay_plain_digits() {
        assert_eq!(non_negative_u64("0"), Ok(0));
        assert_eq!(non_negative_u64("17"), Ok(17));
        for bad in [
            "",
            "-1",
            "+1",
            "1e3",
            "0x10",
            " 1",
            "1.0",
            "99999999999999999999999",
        ] {
            assert!(non_negative_u64(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(non_empty("main"), Ok("main".to_string()));
        assert!(non_empty("").is_err());
        assert!(non_empty("  ").is_err());
    }

    #[test]
    fn params_leave_out_absent_fields() {
        let s = SessionArg {
            session_id: "S".into(),
        };
        let t = TargetArg {
            target_id: Some("tab-1".into()),
        };
        let p = params(
            &s,
            Some(&t),
            &[("ref", Some(json!("r1"))), ("timeoutMs", None)],
        );
        assert_eq!(p, json!({"sessionId":"S","targetId":"tab-1","ref":"r1"}));
        let p = params(&s, Some(&TargetArg { target_id: None }), &[]);
        assert_eq!(p, json!({"sessionId":"S"}));
    }
}
