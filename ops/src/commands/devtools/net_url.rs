//! Redaction of request URLs for `devtools.networkPoll` (PROTOCOL.md §3.5: "The query string and fragment are
//! stripped from URLs and token-like path segments are redacted").
//!
//! - The query string and the fragment are dropped; so is any `user:password@` in the authority.
//! - Each path segment goes through [`odb_protocol::redact::redact_tokens`] on its own (a run of 24+
//!   characters of `[A-Za-z0-9+_-]` becomes `[redacted]`); segments are split on `/` first, so an ordinary
//!   long path is not one "run".
//! - `data:` URLs keep only their media type (`data:image/png;base64`); `blob:` URLs are redacted inside.
//! - The result is capped at [`MAX_URL_CHARS`] characters.

use odb_protocol::redact::redact_tokens;

use super::secrets::cap_chars;

/// The longest URL kept, in characters; longer ones end with `…`.
pub const MAX_URL_CHARS: usize = 2_048;

/// The URL a client may see (module doc).
pub fn redact_url(raw: &str) -> String {
    cap_chars(&redact_inner(raw.trim()), MAX_URL_CHARS)
}

fn redact_inner(raw: &str) -> String {
    let lower = raw
        .get(..5)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if lower == "data:" {
        let meta = raw[5..].split(',').next().unwrap_or("");
        return format!("data:{meta}");
    }
    if lower == "blob:" {
        return format!("blob:{}", redact_inner(&raw[5..]));
    }
    let without_fragment = raw.split('#').next().unwrap_or("");
    let without_query = without_fragment.split('?').next().unwrap_or("");
    let (prefix, rest) = match without_query.find("://") {
        Some(at) => without_query.split_at(at + 3),
        None => ("", without_query),
    };
    let (authority, path) = if prefix.is_empty() {
        ("", rest)
    } else {
        rest.split_at(rest.find('/').unwrap_or(rest.len()))
    };
    let host = authority.rsplit('@').next().unwrap_or("");
    let path: Vec<String> = path.split('/').map(redact_tokens).collect();
    format!("{prefix}{host}{}", path.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_query_fragment_and_user_info() {
        assert_eq!(
            redact_url("http://127.0.0.1:9/api/echo?x=secret#frag"),
            "http://127.0.0.1:9/api/echo"
        );
        assert_eq!(
            redact_url("https://ada:pw@example.com/a#b?c"),
            "https://example.com/a"
        );
        assert_eq!(redact_url("https://example.com"), "https://example.com");
        assert_eq!(redact_url("https://example.com?q=1"), "https://example.com");
    }

    #[test]
    fn redacts_token_like_segments_only() {
        assert_eq!(
            redact_url("https://h/static/js/vendor/chunk.main.js"),
            "https://h/static/js/vendor/chunk.main.js"
        );
        assert_eq!(
            redact_url("https://h/reset/abcdef0123456789ABCDEF012345/confirm"),
            "https://h/reset/[redacted]/confirm"
        );
        assert_eq!(
            redact_url("https://h/u/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"),
            "https://h/u/eyJhbGciOiJIUzI1NiJ9.[redacted].sig"
        );
    }

    #[test]
    fn data_and_blob_urls() {
        assert_eq!(
            redact_url("data:image/png;base64,iVBORw0KGgoAAAANSUhEUg"),
            "data:image/png;base64"
        );
        assert_eq!(
            redact_url("blob:https://h/0123456789abcdef0123456789abcdef?x"),
            "blob:https://h/[redacted]"
        );
    }

    #[test]
    fn long_urls_are_capped() {
        let url = format!("https://h/{}", "a.".repeat(2_000));
        let out = redact_url(&url);
        assert_eq!(out.chars().count(), MAX_URL_CHARS + 1);
    }
}
