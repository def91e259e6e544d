//! Redaction of console text (PROTOCOL.md §3.5 "The text is redacted"; SECURITY.md A14).
//!
//! Two rules, applied in this order:
//! 1. **Credentials by name:** the value after a credential-like name and `=` or `:` (`token=abc`,
//!    `"password": "hunter2"`, `api_key: x`), and the credential after `Bearer ` (8+ characters), becomes
//!    `[redacted]`, however short it is. This is our addition to the project-wide rule below: short secrets
//!    such as `Bearer abcdef0123456789abcdef` (22 characters) would otherwise pass.
//! 2. **Token runs:** [`odb_protocol::redact::redact_tokens`], the project-wide rule: any run of 24 or more
//!    characters from `[A-Za-z0-9+/_-]` becomes `[redacted]`.
//!
//! Then the text is capped at [`MAX_CONSOLE_TEXT_CHARS`] characters (after redaction, so a cut never exposes
//! the head of a token).

use odb_protocol::redact::redact_tokens;

/// The longest console text kept, in characters; longer texts end with `…`.
pub const MAX_CONSOLE_TEXT_CHARS: usize = 2_000;

/// How much raw text is redacted at most, in characters: bounds the work on huge messages. Far above
/// [`MAX_CONSOLE_TEXT_CHARS`], so it never changes what the client sees.
const MAX_RAW_CHARS: usize = 16_384;

/// What replaces a secret.
const REDACTED: &str = "[redacted]";

/// Name segments (split on `_` and `-`, case-insensitive) that mark a credential.
const SECRET_SEGMENTS: [&str; 18] = [
    "token",
    "secret",
    "password",
    "passwd",
    "pwd",
    "apikey",
    "auth",
    "authorization",
    "credential",
    "credentials",
    "bearer",
    "jwt",
    "session",
    "sessionid",
    "jsessionid",
    "phpsessid",
    "cookie",
    "signature",
];

/// The text a client may see: credentials and token runs redacted, at most [`MAX_CONSOLE_TEXT_CHARS`].
pub fn clean_console_text(raw: &str) -> String {
    let bounded = cut_before_partial_token(raw, MAX_RAW_CHARS);
    let redacted = redact_tokens(&redact_credentials(&bounded));
    cap_chars(&redacted, MAX_CONSOLE_TEXT_CHARS)
}

/// `text` limited to `max` characters plus `…` when longer.
pub fn cap_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// Whether `c` belongs to a token run (the alphabet of [`redact_tokens`]).
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '_' | '-')
}

/// `text` cut to at most `max` characters; when the cut falls inside a token run the whole run is dropped, so
/// no short head of a long token survives to escape redaction.
fn cut_before_partial_token(text: &str, max: usize) -> String {
    let Some((end, _)) = text.char_indices().nth(max) else {
        return text.to_string();
    };
    let head = text[..end].trim_end_matches(is_token_char);
    format!("{head}…")
}

/// Whether an identifier (`[A-Za-z0-9_-]+`) names a credential: one of its `_`/`-` segments is in
/// [`SECRET_SEGMENTS`], or it is a compound ending in `key` (`api_key`, `private-key`, `apiKey`).
fn is_secret_name(ident: &str) -> bool {
    let lower = ident.to_ascii_lowercase();
    let segments: Vec<&str> = lower.split(['_', '-']).filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| SECRET_SEGMENTS.contains(s)) {
        return true;
    }
    let compound_key = segments.len() > 1 && segments.last() == Some(&"key");
    let camel_key = ident.len() > 3 && ident.ends_with("Key");
    compound_key || camel_key || lower.ends_with("token") || lower.ends_with("secret")
}

/// Replaces credentials found by name (rule 1 of the module doc).
fn redact_credentials(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts_ident = (c.is_ascii_alphanumeric() || c == '_')
            && (i == 0 || !(chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '_'));
        if !starts_ident {
            out.push(c);
            i += 1;
            continue;
        }
        let mut end = i;
        while end < chars.len()
            && (chars[end].is_ascii_alphanumeric() || matches!(chars[end], '_' | '-'))
        {
            end += 1;
        }
        let ident: String = chars[i..end].iter().collect();
        out.push_str(&ident);
        i = end;
        if let Some((value_start, value_end)) = secret_value(&chars, end, &ident) {
            out.extend(&chars[end..value_start]);
            out.push_str(REDACTED);
            i = value_end;
        }
    }
    out
}

/// The span of the secret value after identifier `ident` ending at `at`, if `ident` is a credential name
/// followed by `=`/`:` (optionally after a closing quote and spaces, value optionally quoted; after a `Basic`
/// or `Bearer` scheme word the credential that follows it), or is `Bearer` followed by spaces and a credential
/// of 8+ characters.
fn secret_value(chars: &[char], at: usize, ident: &str) -> Option<(usize, usize)> {
    let skip_spaces = |mut j: usize| {
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        j
    };
    if ident.eq_ignore_ascii_case("bearer") {
        let start = skip_spaces(at);
        if start == at {
            return None;
        }
        let mut end = start;
        while end < chars.len()
            && (is_token_char(chars[end]) || matches!(chars[end], '.' | '=' | '~'))
        {
            end += 1;
        }
        return (end - start >= 8).then_some((start, end));
    }
    if !is_secret_name(ident) {
        return None;
    }
    let mut j = at;
    if j < chars.len() && matches!(chars[j], '"' | '\'') {
        j += 1;
    }
    j = skip_spaces(j);
    if j >= chars.len() || !matches!(chars[j], '=' | ':') {
        return None;
    }
    j = skip_spaces(j + 1);
    let quote = chars.get(j).copied().filter(|q| matches!(q, '"' | '\''));
    let start = if quote.is_some() { j + 1 } else { j };
    let mut end = start;
    while end < chars.len() {
        let c = chars[end];
        let stop = match quote {
            Some(q) => c == q,
            None => {
                c.is_whitespace()
                    || matches!(
                        c,
                        '&' | ';' | ',' | '"' | '\'' | ')' | '}' | ']' | '<' | '>'
                    )
            }
        };
        if stop {
            break;
        }
        end += 1;
    }
    if end == start {
        return None;
    }
    // `Authorization: Basic x` / `Bearer x`: keep the scheme word, redact the credential after it.
    let value: String = chars[start..end].iter().collect();
    if quote.is_none()
        && (value.eq_ignore_ascii_case("bearer") || value.eq_ignore_ascii_case("basic"))
    {
        let cred_start = skip_spaces(end);
        let mut cred_end = cred_start;
        while cred_end < chars.len() && !chars[cred_end].is_whitespace() {
            cred_end += 1;
        }
        return (cred_end > cred_start && cred_start > end).then_some((cred_start, cred_end));
    }
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_credentials_of_any_length_are_redacted() {
        assert_eq!(
            clean_console_text("Authorization: Bearer abcdef0123456789abcdef"),
            "Authorization: Bearer [redacted]"
        );
        assert_eq!(
            clean_console_text("bearer   abcdefgh!"),
            "bearer   [redacted]!"
        );
        assert_eq!(clean_console_text("a bearer of news"), "a bearer of news");
    }

    #[test]
    fn named_values_are_redacted() {
        assert_eq!(clean_console_text("token=abc&x=1"), "token=[redacted]&x=1");
        assert_eq!(
            clean_console_text(r#"{"password": "hunter 2", "user": "ada"}"#),
            r#"{"password": "[redacted]", "user": "ada"}"#
        );
        assert_eq!(
            clean_console_text("api_key: k1, ok"),
            "api_key: [redacted], ok"
        );
        assert_eq!(clean_console_text("apiKey=zz"), "apiKey=[redacted]");
        assert_eq!(
            clean_console_text("access_token='t'"),
            "access_token='[redacted]'"
        );
        assert_eq!(clean_console_text("SESSIONID=42;"), "SESSIONID=[redacted];");
        assert_eq!(clean_console_text("Basic: info"), "Basic: info");
        assert_eq!(clean_console_text("author: Jane"), "author: Jane");
        assert_eq!(clean_console_text("monkey=banana"), "monkey=banana");
        assert_eq!(clean_console_text("token:"), "token:");
        assert_eq!(
            clean_console_text("authorization: Basic dXNlcjpwYXNz ok"),
            "authorization: Basic [redacted] ok"
        );
    }

    #[test]
    fn long_runs_use_the_project_rule() {
        assert_eq!(
            clean_console_text("id abcdefghijklmnop0123456789XYZ end"),
            "id [redacted] end"
        );
        assert_eq!(clean_console_text("plain log 42"), "plain log 42");
    }

    #[test]
    fn long_text_is_capped_after_redaction() {
        let text = "x ".repeat(3_000);
        let cleaned = clean_console_text(&text);
        assert_eq!(cleaned.chars().count(), MAX_CONSOLE_TEXT_CHARS + 1);
        assert!(cleaned.ends_with('…'));
        assert_eq!(cap_chars("héllo", 2), "hé…");
        assert_eq!(cap_chars("hé", 2), "hé");
    }

    #[test]
    fn a_raw_cut_never_leaves_a_token_head() {
        let mut text = "A".repeat(MAX_RAW_CHARS - 10);
        text.push(' ');
        text.push_str(&"S".repeat(50));
        let cleaned = clean_console_text(&text);
        assert!(!cleaned.contains('S'), "{cleaned}");
        assert!(cleaned.starts_with("[redacted]"));
    }
}
