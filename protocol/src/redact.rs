//! Token-like redaction (PROTOCOL.md §4 item 6): any run of 24 or more characters from `[A-Za-z0-9+/_-]`
//! becomes `[redacted]`. Used for snapshot names and values, console text and network URLs.

/// Replaces every run of at least 24 token characters with `[redacted]`.
///
/// ```
/// assert_eq!(odb_protocol::redact::redact_tokens("key=abcdefghijklmnopqrstuvwxyz ok"), "key=[redacted] ok");
/// ```
pub fn redact_tokens(text: &str) -> String {
    const MIN_RUN: usize = 24;
    let is_token = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '_' | '-');
    let mut out = String::with_capacity(text.len());
    let mut run_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if is_token(c) {
            run_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = run_start.take() {
            push_run(&mut out, &text[start..i], MIN_RUN);
        }
        out.push(c);
    }
    if let Some(start) = run_start {
        push_run(&mut out, &text[start..], MIN_RUN);
    }
    out
}

fn push_run(out: &mut String, run: &str, min_run: usize) {
    if run.len() >= min_run {
        out.push_str("[redacted]");
    } else {
        out.push_str(run);
    }
}

#[cfg(test)]
mod tests {
    use super::redact_tokens;

    #[test]
    fn redacts_long_runs_only() {
        assert_eq!(redact_tokens("Sign in"), "Sign in");
        assert_eq!(redact_tokens(&"a".repeat(23)), "a".repeat(23));
        assert_eq!(redact_tokens(&"a".repeat(24)), "[redacted]");
        assert_eq!(
            redact_tokens("x eyJhbGciOiJIUzI1NiIsInR5cCI6 y"),
            "x [redacted] y"
        );
        assert_eq!(redact_tokens("héllo wörld"), "héllo wörld");
    }
}
