//! `storage.getCookies` input and output: the `urls` filter and the cookie records built from CDP
//! `Network.getCookies` (PROTOCOL.md §3.5).

use serde_json::{json, Map, Value};

use crate::errors::{invalid_request, CmdResult};

/// The `urls` filter: `None` when absent, `null` or empty; otherwise the distinct trimmed http(s) URLs, in order.
///
/// # Errors
/// `invalid_request` when `urls` is not an array of non-empty absolute http(s) URL strings.
pub fn url_filters(urls: Option<&Value>) -> CmdResult<Option<Vec<String>>> {
    let list = match urls {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(list)) => list,
        Some(_) => {
            return Err(invalid_request(
                "Cookie url filters must be an array of strings.",
            ))
        }
    };
    let mut out: Vec<String> = Vec::new();
    for entry in list {
        let url = entry
            .as_str()
            .ok_or_else(|| invalid_request("Cookie url filters must be an array of strings."))?
            .trim();
        if url.is_empty() {
            return Err(invalid_request(
                "Cookie url filters must be non-empty strings.",
            ));
        }
        let lower = url.to_ascii_lowercase();
        let http = lower.starts_with("http://") || lower.starts_with("https://");
        if !http || crate::url::check_url(url) == crate::url::UrlCheck::Invalid {
            return Err(invalid_request(
                "Cookie url filters must be absolute http(s) URLs.",
            ));
        }
        if !out.iter().any(|u| u == url) {
            out.push(url.to_string());
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

/// A `{name, value, domain, path, expires, httpOnly, secure, sameSite?}` record out of a CDP `Network.Cookie`;
/// `None` when it has no name, domain or path. `expires` is seconds since the epoch, -1 for session cookies.
pub fn cookie_record(cookie: &Value) -> Option<Value> {
    let text = |key: &str| cookie.get(key).and_then(Value::as_str).unwrap_or("");
    let (name, domain, path) = (text("name"), text("domain"), text("path"));
    if name.is_empty() || domain.is_empty() || path.is_empty() {
        return None;
    }
    let expires = cookie
        .get("expires")
        .and_then(Value::as_f64)
        .filter(|e| e.is_finite())
        .unwrap_or(-1.0);
    let mut out = Map::new();
    out.insert("name".into(), json!(name));
    out.insert("value".into(), json!(text("value")));
    out.insert("domain".into(), json!(domain));
    out.insert("path".into(), json!(path));
    out.insert("expires".into(), json!(expires));
    out.insert(
        "httpOnly".into(),
        json!(cookie.get("httpOnly") == Some(&Value::Bool(true))),
    );
    out.insert(
        "secure".into(),
        json!(cookie.get("secure") == Some(&Value::Bool(true))),
    );
    if let Some(same_site) = cookie
        .get("sameSite")
        .and_then(Value::as_str)
        .filter(|s| matches!(*s, "Strict" | "Lax" | "None"))
    {
        out.insert("sameSite".into(), json!(same_site));
    }
    Some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        assert_eq!(url_filters(None).unwrap(), None);
        assert_eq!(url_filters(Some(&json!([]))).unwrap(), None);
        assert_eq!(
            url_filters(Some(&json!([" http://h/ ", "http://h/", "https://g/x"]))).unwrap(),
            Some(vec!["http://h/".to_string(), "https://g/x".to_string()])
        );
        for bad in [
            json!("http://h/"),
            json!([1]),
            json!([""]),
            json!(["file:///x"]),
            json!(["http://"]),
        ] {
            assert_eq!(
                url_filters(Some(&bad)).unwrap_err().code,
                odb_protocol::error::ErrorCode::InvalidRequest,
                "{bad}"
            );
        }
    }

    #[test]
    fn records() {
        let cdp = json!({"name":"a","value":"1","domain":"127.0.0.1","path":"/","expires":-1,"size":2,
            "httpOnly":false,"secure":false,"session":true,"sameSite":"Lax","priority":"Medium"});
        assert_eq!(
            cookie_record(&cdp).unwrap(),
            json!({"name":"a","value":"1","domain":"127.0.0.1","path":"/","expires":-1.0,
                   "httpOnly":false,"secure":false,"sameSite":"Lax"})
        );
        assert!(cookie_record(&json!({"name":"a","domain":"h"})).is_none());
        let no_same_site =
            cookie_record(&json!({"name":"a","domain":"h","path":"/","httpOnly":true})).unwrap();
        assert!(no_same_site.get("sameSite").is_none());
        assert_eq!(no_same_site["httpOnly"], true);
    }
}
