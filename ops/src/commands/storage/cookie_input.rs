//! Validation of `storage.setCookies` entries into CDP `Network.CookieParam`s (PROTOCOL.md §3.5), with the
//! original's rules and reasons, plus checks of `sameSite` and of the boolean flags.
//!
//! An entry is `{name, value, url|domain, path?, expires?, httpOnly?, secure?, sameSite?}`:
//! - `name`: a non-empty string (trimmed) without whitespace, `;`, `=` or control characters;
//! - `value`: a string without `;`, CR, LF or other control characters;
//! - `url` (absolute http(s)) or `domain` (`[.]a-z0-9.-`, no `..`), at least one; with `domain` and no `path`
//!   the path is `/`;
//! - `path`: starts with `/`; `expires`: seconds since the Unix epoch, a finite number ≥ -1 (-1: session);
//! - `httpOnly`, `secure`: booleans; `sameSite`: `Strict`, `Lax` or `None` (any case); `None` needs
//!   `secure:true` (measured on Chromium 156: `Network.setCookies` answers success and silently drops it).
//!
//! Name prefixes (`__Secure-`, `__Host-`) are not checked: CDP stores such cookies without their attributes
//! (measured on Chromium 156), and so do we.
//!
//! Reasons name the cookie but never echo its value.

use serde_json::{json, Map, Value};

use crate::url::{check_url, UrlCheck};

/// A validated entry: the CDP `CookieParam` to send.
pub type CookieParam = Value;

/// Validates entry `entry`; the reason is a sentence for `rejected[].reason`.
pub fn validate_cookie(entry: &Value) -> Result<CookieParam, String> {
    let Some(obj) = entry.as_object() else {
        return Err("Invalid cookie entry: expected object.".to_string());
    };
    let name = cookie_name(obj)?;
    let value = match obj.get("value") {
        Some(Value::String(v)) if !v.chars().any(|c| c == ';' || c.is_control()) => v.clone(),
        _ => return Err(format!("Invalid cookie value for {name}.")),
    };
    let mut out = Map::new();
    out.insert("name".into(), json!(name));
    out.insert("value".into(), json!(value));
    let url = optional_str(obj, "url")
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let domain = optional_str(obj, "domain")
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if url.is_none() && domain.is_none() {
        return Err(format!("Cookie {name} requires url or domain."));
    }
    if let Some(url) = url {
        out.insert("url".into(), json!(http_url(&name, url)?));
    } else if obj
        .get("url")
        .is_some_and(|u| !u.is_null() && !u.is_string())
    {
        return Err(format!("Cookie {name} has invalid url."));
    }
    if let Some(domain) = domain {
        out.insert("domain".into(), json!(cookie_domain(&name, domain)?));
    }
    let path = cookie_path(&name, obj)?;
    if let Some(path) = path.or_else(|| domain.map(|_| "/".to_string())) {
        out.insert("path".into(), json!(path));
    }
    if let Some(expires) = cookie_expires(&name, obj)? {
        out.insert("expires".into(), json!(expires));
    }
    let secure = flag(&name, obj, "secure")?;
    let http_only = flag(&name, obj, "httpOnly")?;
    for (key, v) in [("secure", secure), ("httpOnly", http_only)] {
        if let Some(v) = v {
            out.insert(key.into(), json!(v));
        }
    }
    if let Some(same_site) = same_site(&name, obj)? {
        if same_site == "None" && secure != Some(true) {
            return Err(format!(
                "Cookie {name} with SameSite=None must set secure=true."
            ));
        }
        out.insert("sameSite".into(), json!(same_site));
    }
    Ok(Value::Object(out))
}

fn optional_str<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

fn cookie_name(obj: &Map<String, Value>) -> Result<String, String> {
    let name = optional_str(obj, "name").map(str::trim).unwrap_or("");
    if name.is_empty() {
        return Err("Cookie name is required.".to_string());
    }
    if name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == ';' || c == '=')
    {
        return Err(format!("Invalid cookie name: {name}."));
    }
    Ok(name.to_string())
}

fn http_url(name: &str, url: &str) -> Result<String, String> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return match check_url(url) {
            UrlCheck::Invalid => Err(format!("Cookie {name} has invalid url.")),
            _ => Err(format!("Cookie {name} url must be http(s).")),
        };
    }
    match check_url(url) {
        UrlCheck::Invalid => Err(format!("Cookie {name} has invalid url.")),
        _ => Ok(url.to_string()),
    }
}

fn cookie_domain(name: &str, domain: &str) -> Result<String, String> {
    let domain = domain.to_ascii_lowercase();
    let body = domain.strip_prefix('.').unwrap_or(&domain);
    let valid = !body.is_empty()
        && !domain.contains("..")
        && body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if valid {
        Ok(domain)
    } else {
        Err(format!("Cookie {name} has invalid domain."))
    }
}

fn cookie_path(name: &str, obj: &Map<String, Value>) -> Result<Option<String>, String> {
    match obj.get("path") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(p))
            if p.trim().starts_with('/') && !p.chars().any(|c| c == ';' || c.is_control()) =>
        {
            Ok(Some(p.trim().to_string()))
        }
        Some(_) => Err(format!("Cookie {name} path must start with '/'.")),
    }
}

fn cookie_expires(name: &str, obj: &Map<String, Value>) -> Result<Option<f64>, String> {
    match obj.get("expires") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .filter(|e| e.is_finite() && *e >= -1.0)
            .map(Some)
            .ok_or_else(|| format!("Cookie {name} has invalid expires.")),
    }
}

fn flag(name: &str, obj: &Map<String, Value>, key: &str) -> Result<Option<bool>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(format!("Cookie {name} {key} must be a boolean.")),
    }
}

fn same_site(name: &str, obj: &Map<String, Value>) -> Result<Option<&'static str>, String> {
    let raw = match obj.get("sameSite") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.trim().to_ascii_lowercase(),
        Some(_) => String::new(),
    };
    match raw.as_str() {
        "strict" => Ok(Some("Strict")),
        "lax" => Ok(Some("Lax")),
        "none" => Ok(Some("None")),
        _ => Err(format!(
            "Cookie {name} has invalid sameSite (expected Strict, Lax or None)."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(entry: Value) -> String {
        validate_cookie(&entry).unwrap_err()
    }

    #[test]
    fn normalizes_a_valid_cookie() {
        let ok = validate_cookie(
            &json!({"name":" sid ","value":"v 1","domain":".Example.COM",
            "expires": 1.9e9, "httpOnly": true, "secure": true, "sameSite": "lax"}),
        )
        .unwrap();
        assert_eq!(
            ok,
            json!({"name":"sid","value":"v 1","domain":".example.com","path":"/","expires":1.9e9,
                   "secure":true,"httpOnly":true,"sameSite":"Lax"})
        );
        let by_url =
            validate_cookie(&json!({"name":"a","value":"","url":"http://127.0.0.1:9/x"})).unwrap();
        assert_eq!(
            by_url,
            json!({"name":"a","value":"","url":"http://127.0.0.1:9/x"})
        );
    }

    #[test]
    fn rejects_with_the_originals_reasons() {
        assert_eq!(reason(json!(3)), "Invalid cookie entry: expected object.");
        assert_eq!(
            reason(json!({"value":"v","url":"http://h/"})),
            "Cookie name is required."
        );
        assert_eq!(
            reason(json!({"name":"a b","value":"v","url":"http://h/"})),
            "Invalid cookie name: a b."
        );
        assert_eq!(
            reason(json!({"name":"a","value":5,"url":"http://h/"})),
            "Invalid cookie value for a."
        );
        assert_eq!(
            reason(json!({"name":"a","value":"x;y","url":"http://h/"})),
            "Invalid cookie value for a."
        );
        assert_eq!(
            reason(json!({"name":"a","value":"v"})),
            "Cookie a requires url or domain."
        );
        assert_eq!(
            reason(json!({"name":"a","value":"v","url":"ftp://h/"})),
            "Cookie a url must be http(s)."
        );
        assert_eq!(
            reason(json!({"name":"a","value":"v","url":"nope"})),
            "Cookie a has invalid url."
        );
        assert_eq!(
            reason(json!({"name":"a","value":"v","domain":"a..b"})),
            "Cookie a has invalid domain."
        );
        assert_eq!(
            reason(json!({"name":"a","value":"v","domain":"h","path":"x"})),
            "Cookie a path must start with '/'."
        );
        assert_eq!(
            reason(json!({"name":"a","value":"v","domain":"h","expires":-5})),
            "Cookie a has invalid expires."
        );
        assert_eq!(
            reason(json!({"name":"a","value":"v","domain":"h","secure":"yes"})),
            "Cookie a secure must be a boolean."
        );
    }

    #[test]
    fn same_site_rules_and_prefixes_pass() {
        assert_eq!(
            reason(json!({"name":"a","value":"v","domain":"h","sameSite":"Sideways"})),
            "Cookie a has invalid sameSite (expected Strict, Lax or None)."
        );
        assert_eq!(
            reason(json!({"name":"a","value":"v","domain":"h","sameSite":"None"})),
            "Cookie a with SameSite=None must set secure=true."
        );
        assert!(validate_cookie(
            &json!({"name":"a","value":"v","domain":"h","sameSite":"None","secure":true})
        )
        .is_ok());
        assert!(validate_cookie(
            &json!({"name":"__Host-a","value":"v","url":"https://h/","secure":true})
        )
        .is_ok());
    }
}
