//! Request guards: the Host allow-list, Origin classification, loopback test and token compare.

use std::net::IpAddr;

use axum::http::{header, HeaderMap, Uri};
use subtle::ConstantTimeEq;

/// Outcome of the Host allow-list check (SECURITY.md A2/A3).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HostCheck {
    /// Host is `127.0.0.1:<port>`, `localhost:<port>` or `[::1]:<port>`.
    Allowed,
    /// No Host header (HTTP/1.0) or a duplicated one: 400.
    Missing,
    /// Anything else: 403.
    Forbidden,
}

/// Checks the `Host` header (and an absolute-form request target, if any) against the three
/// loopback names for the port the request arrived on.
pub(crate) fn check_host(headers: &HeaderMap, uri: &Uri, port: u16) -> HostCheck {
    let mut values = headers.get_all(header::HOST).iter();
    let Some(value) = values.next() else {
        return HostCheck::Missing;
    };
    if values.next().is_some() {
        return HostCheck::Missing;
    }
    let Ok(host) = value.to_str() else {
        return HostCheck::Forbidden;
    };
    if !host_allowed(host, port) {
        return HostCheck::Forbidden;
    }
    if let Some(authority) = uri.authority() {
        if !host_allowed(authority.as_str(), port) {
            return HostCheck::Forbidden;
        }
    }
    HostCheck::Allowed
}

/// True when `host` is exactly one of the allowed `name:port` forms (names compared without case).
pub(crate) fn host_allowed(host: &str, port: u16) -> bool {
    let Some((name, host_port)) = host.rsplit_once(':') else {
        return false;
    };
    if host_port != port.to_string() {
        return false;
    }
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|allowed| name.eq_ignore_ascii_case(allowed))
}

/// How a request's `Origin` header classifies (PROTOCOL.md §1 rule 2, with the exact-id divergence).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OriginClass {
    /// No Origin, or `Origin: null`.
    Absent,
    /// Exactly `chrome-extension://<id>` for an allowed id; carries that origin.
    Extension(String),
    /// Any other value, including other extensions' origins.
    Other,
}

/// Classifies `Origin` against the allowed extension origins. Several Origin headers are `Other`.
pub(crate) fn classify_origin(headers: &HeaderMap, allowed: &[String]) -> OriginClass {
    let mut values = headers.get_all(header::ORIGIN).iter();
    let Some(value) = values.next() else {
        return OriginClass::Absent;
    };
    if values.next().is_some() {
        return OriginClass::Other;
    }
    let Ok(origin) = value.to_str() else {
        return OriginClass::Other;
    };
    if origin == "null" {
        return OriginClass::Absent;
    }
    if allowed.iter().any(|a| a == origin) {
        OriginClass::Extension(origin.to_string())
    } else {
        OriginClass::Other
    }
}

/// `127.0.0.0/8`, `::1`, or an IPv4-mapped `::ffff:127.*` address (PROTOCOL.md §1 rule 3).
pub(crate) fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// The first `token` query parameter of `uri`, percent-decoded; `None` when absent or blank.
pub(crate) fn query_token(uri: &Uri) -> Option<String> {
    uri.query()?;
    let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .ok()?
        .0;
    pairs
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
        .filter(|v| !v.trim().is_empty())
}

/// Token check: `expected == None` (pairing off) always passes; otherwise `given` must equal it.
///
/// The compare runs in time that depends only on the expected token's length.
pub(crate) fn token_matches(expected: Option<&str>, given: Option<&str>) -> bool {
    let Some(expected) = expected else {
        return true;
    };
    let Some(given) = given else {
        return false;
    };
    let expected = expected.as_bytes();
    let given = given.as_bytes();
    let mut equal = (given.len() as u64).ct_eq(&(expected.len() as u64));
    for (i, e) in expected.iter().enumerate() {
        let g = given.get(i).copied().unwrap_or(0);
        equal &= g.ct_eq(e);
    }
    equal.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn host_allow_list() {
        for ok in [
            "127.0.0.1:8787",
            "localhost:8787",
            "LOCALHOST:8787",
            "[::1]:8787",
        ] {
            assert!(host_allowed(ok, 8787), "{ok}");
        }
        for bad in [
            "evil.example:8787",
            "127.0.0.1",
            "127.0.0.1:8788",
            "127.0.0.1.evil.example:8787",
            "localhost@evil:8787",
            "2130706433:8787",
            "localhost:08787",
            "[::1]",
            "",
        ] {
            assert!(!host_allowed(bad, 8787), "{bad}");
        }
    }

    #[test]
    fn host_header_missing_or_duplicated() {
        let uri: Uri = "/config".parse().unwrap();
        assert_eq!(check_host(&HeaderMap::new(), &uri, 1), HostCheck::Missing);
        let dup = headers(&[("host", "localhost:1"), ("host", "localhost:1")]);
        assert_eq!(check_host(&dup, &uri, 1), HostCheck::Missing);
        let good = headers(&[("host", "localhost:1")]);
        assert_eq!(check_host(&good, &uri, 1), HostCheck::Allowed);
        let abs: Uri = "http://evil.example:1/config".parse().unwrap();
        assert_eq!(check_host(&good, &abs, 1), HostCheck::Forbidden);
    }

    #[test]
    fn origin_exact_match() {
        let allowed = vec!["chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk".to_string()];
        assert_eq!(
            classify_origin(&HeaderMap::new(), &allowed),
            OriginClass::Absent
        );
        assert_eq!(
            classify_origin(&headers(&[("origin", "null")]), &allowed),
            OriginClass::Absent
        );
        assert_eq!(
            classify_origin(&headers(&[("origin", &allowed[0])]), &allowed),
            OriginClass::Extension(allowed[0].clone())
        );
        for bad in [
            "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk/",
            "http://127.0.0.1:8787",
            "https://evil.example",
        ] {
            assert_eq!(
                classify_origin(&headers(&[("origin", bad)]), &allowed),
                OriginClass::Other,
                "{bad}"
            );
        }
    }

    #[test]
    fn loopback_addresses() {
        assert!(is_loopback("127.0.0.1".parse().unwrap()));
        assert!(is_loopback("127.3.2.1".parse().unwrap()));
        assert!(is_loopback("::1".parse().unwrap()));
        assert!(is_loopback("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!is_loopback("10.0.0.1".parse().unwrap()));
        assert!(!is_loopback("::ffff:10.0.0.1".parse().unwrap()));
    }

    #[test]
    fn token_compare_cases() {
        let t = Some("abc");
        assert!(token_matches(None, None));
        assert!(token_matches(None, Some("x")));
        assert!(token_matches(t, Some("abc")));
        assert!(!token_matches(t, None));
        assert!(!token_matches(t, Some("")));
        assert!(!token_matches(t, Some("abd")));
        assert!(!token_matches(t, Some("ab")));
        assert!(!token_matches(t, Some("abcd")));
        assert!(!token_matches(t, Some("abc\0")));
    }

    #[test]
    fn query_token_extraction() {
        let uri: Uri = "/ops?a=1&token=ab%63&token=zz".parse().unwrap();
        assert_eq!(query_token(&uri).as_deref(), Some("abc"));
        let blank: Uri = "/ops?token=".parse().unwrap();
        assert_eq!(query_token(&blank), None);
        let none: Uri = "/ops".parse().unwrap();
        assert_eq!(query_token(&none), None);
    }
}
