//! The channel's first frame: `{"type":"auth","token":<secret>,"origin"?:"chrome-extension://<id>/"}`
//! (docs/NATIVE.md; SECURITY.md checklist E8 and E9).
//!
//! The token is the token file's content, compared in constant time. `origin` is the caller origin Chrome
//! gave the host (`argv[1]`, already checked by the host against its allowed ids); it is optional so that
//! an older host without it still connects, and when present it must have the exact
//! `chrome-extension://<32 letters a-p>/` shape, so it is safe to log. It tells which extension (which
//! browser profile's install) a native session belongs to.

use serde_json::Value;

use crate::guard::token_matches;

/// A valid `auth` frame.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Auth {
    /// The host's caller origin, `chrome-extension://<id>/`; `None` when the host did not send one.
    pub origin: Option<String>,
}

impl Auth {
    /// The origin for logs: the origin itself, or `"unknown"`.
    pub fn origin_label(&self) -> &str {
        self.origin.as_deref().unwrap_or("unknown")
    }
}

/// Parses `text` as an `auth` frame carrying `token`. `None` for anything else: not JSON, another
/// `type`, a missing or wrong token, or an `origin` that is present but not a well-formed extension origin.
pub(super) fn parse(text: &str, token: &str) -> Option<Auth> {
    let value = serde_json::from_str::<Value>(text).ok()?;
    if value.get("type").and_then(Value::as_str) != Some("auth")
        || !token_matches(Some(token), value.get("token").and_then(Value::as_str))
    {
        return None;
    }
    let origin = match value.get("origin") {
        None | Some(Value::Null) => None,
        Some(Value::String(origin)) if is_extension_origin(origin) => Some(origin.clone()),
        Some(_) => return None,
    };
    Some(Auth { origin })
}

/// Whether `origin` is exactly `chrome-extension://<id>/` with an id of 32 letters `a`..=`p`.
fn is_extension_origin(origin: &str) -> bool {
    origin
        .strip_prefix("chrome-extension://")
        .and_then(|rest| rest.strip_suffix('/'))
        .is_some_and(|id| id.len() == 32 && id.bytes().all(|b| (b'a'..=b'p').contains(&b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const ORIGIN: &str = "chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk/";

    #[test]
    fn accepts_the_token_with_or_without_an_origin() {
        let with = json!({"type": "auth", "token": TOKEN, "origin": ORIGIN}).to_string();
        assert_eq!(
            parse(&with, TOKEN),
            Some(Auth {
                origin: Some(ORIGIN.into())
            })
        );
        let without = json!({"type": "auth", "token": TOKEN}).to_string();
        let auth = parse(&without, TOKEN).unwrap();
        assert_eq!(
            (auth.origin, Auth { origin: None }.origin_label()),
            (None, "unknown")
        );
    }

    #[test]
    fn refuses_a_wrong_token_or_a_malformed_origin() {
        let bad = [
            json!({"type": "auth", "token": "0".repeat(64), "origin": ORIGIN}),
            json!({"type": "handshake", "token": TOKEN}),
            json!({"type": "auth", "origin": ORIGIN}),
            json!({"type": "auth", "token": TOKEN, "origin": 7}),
            json!({"type": "auth", "token": TOKEN, "origin": "chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk"}),
            json!({"type": "auth", "token": TOKEN, "origin": "chrome-extension://x/\nforged log line"}),
            json!({"type": "auth", "token": TOKEN, "origin": "https://example.com/"}),
        ];
        for frame in bad {
            assert_eq!(parse(&frame.to_string(), TOKEN), None, "{frame}");
        }
        assert_eq!(parse("not json", TOKEN), None);
    }
}
