//! Parsing `connect.html?relayPort=N&discoveryPort=N[&nativeEnabled=1|0]` (the launcher's way to point the
//! extension at a relay, and to turn the native messaging transport on).

use serde_json::Value;

use crate::settings::parse_port;

/// Ports requested by the connect page's query string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectParams {
    /// `relayPort`, when given and valid.
    pub relay_port: Option<u16>,
    /// `discoveryPort`, when given and valid.
    pub discovery_port: Option<u16>,
    /// `nativeEnabled`: `1`/`true` or `0`/`false`, when given.
    pub native_enabled: Option<bool>,
    /// Human-readable problems with the parameters that were given but invalid.
    pub errors: Vec<String>,
}

/// Parses a query string (with or without the leading `?`). Each port must be an integer in 1..=65535;
/// an invalid one is ignored and reported in `errors`. Unknown parameters are ignored.
pub fn parse_query(query: &str) -> ConnectParams {
    let mut out = ConnectParams::default();
    for pair in query.trim_start_matches('?').split('&') {
        let (name, raw) = pair.split_once('=').unwrap_or((pair, ""));
        if name == "nativeEnabled" {
            match raw {
                "1" | "true" => out.native_enabled = Some(true),
                "0" | "false" => out.native_enabled = Some(false),
                _ => out.errors.push("nativeEnabled must be 1 or 0".into()),
            }
            continue;
        }
        let slot = match name {
            "relayPort" => &mut out.relay_port,
            "discoveryPort" => &mut out.discovery_port,
            _ => continue,
        };
        match parse_port(&Value::String(raw.to_string()))
            .filter(|_| raw.bytes().all(|b| b.is_ascii_digit()))
        {
            Some(port) => *slot = Some(port),
            None => out
                .errors
                .push(format!("{name} must be an integer between 1 and 65535")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ports() {
        let p = parse_query("?relayPort=9100&discoveryPort=9101");
        assert_eq!((p.relay_port, p.discovery_port), (Some(9100), Some(9101)));
        assert!(p.errors.is_empty());
    }

    #[test]
    fn native_flag() {
        assert_eq!(parse_query("nativeEnabled=1").native_enabled, Some(true));
        assert_eq!(
            parse_query("relayPort=9&nativeEnabled=false").native_enabled,
            Some(false)
        );
        assert_eq!(parse_query("relayPort=9").native_enabled, None);
        assert_eq!(parse_query("nativeEnabled=yes").errors.len(), 1);
    }

    #[test]
    fn invalid_ports_are_reported_and_ignored() {
        let p = parse_query("relayPort=0&discoveryPort=1e3&x=1");
        assert_eq!((p.relay_port, p.discovery_port), (None, None));
        assert_eq!(p.errors.len(), 2);
        let p = parse_query("relayPort=65536&discoveryPort=-1");
        assert_eq!(p.errors.len(), 2);
        let p = parse_query("relayPort=80.0");
        assert_eq!(p.relay_port, None);
        assert_eq!(parse_query(""), ConnectParams::default());
    }
}
