//! URL checks for `startUrl`, `nav.goto` and `targets.new`: http(s) only, never the Web Store (PROTOCOL.md §3.2).

/// What a client-supplied URL is allowed to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlCheck {
    /// An `http:` or `https:` URL outside the Chrome Web Store.
    Allowed,
    /// Parses, but is not http(s) or is a Web Store page -> `restricted_url`.
    Restricted,
    /// Does not parse as an absolute URL -> `invalid_request`.
    Invalid,
}

/// Classifies `raw` (leading/trailing whitespace ignored). A small WHATWG-like check: a scheme
/// `[A-Za-z][A-Za-z0-9+.-]*:`, and for http(s) a non-empty host after `//`.
pub fn check_url(raw: &str) -> UrlCheck {
    let s = raw.trim();
    let Some(colon) = s.find(':') else {
        return UrlCheck::Invalid;
    };
    let scheme = &s[..colon];
    let mut chars = scheme.chars();
    let valid_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid_scheme {
        return UrlCheck::Invalid;
    }
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return UrlCheck::Restricted;
    }
    let rest = s[colon + 1..].trim_start_matches(['/', '\\']);
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let path = &rest[end..];
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let host = if host_port.starts_with('[') {
        host_port
            .split(']')
            .next()
            .map(|h| format!("{h}]"))
            .unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or("").to_string()
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return UrlCheck::Invalid;
    }
    let path = path.to_ascii_lowercase();
    if host == "chromewebstore.google.com"
        || (host == "chrome.google.com" && path.starts_with("/webstore"))
    {
        return UrlCheck::Restricted;
    }
    UrlCheck::Allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_http_and_https() {
        assert_eq!(check_url("http://127.0.0.1:8080/a?b#c"), UrlCheck::Allowed);
        assert_eq!(check_url(" HTTPS://Example.com "), UrlCheck::Allowed);
        assert_eq!(check_url("https://user:pw@[::1]:9/x"), UrlCheck::Allowed);
        assert_eq!(
            check_url("https://chrome.google.com/search"),
            UrlCheck::Allowed
        );
    }

    #[test]
    fn restricts_other_schemes_and_the_web_store() {
        for u in [
            "chrome://settings",
            "about:blank",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:text/html,hi",
            "chrome-extension://abc/popup.html",
            "https://chromewebstore.google.com/detail/x",
            "https://CHROME.google.com/webstore/detail/x",
            "https://chromewebstore.google.com./",
        ] {
            assert_eq!(check_url(u), UrlCheck::Restricted, "{u}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for u in ["", "not a url", "://x", "1http://x", "http://"] {
            assert_eq!(check_url(u), UrlCheck::Invalid, "{u}");
        }
    }
}
