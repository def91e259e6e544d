//! One snapshot line: `[ref] role [disabled] [checked] ["name"] [value="value"]` (PROTOCOL.md §4 item 6).

use odb_protocol::redact::redact_tokens;

/// The facts a line shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineFacts<'a> {
    /// `r<n>`.
    pub ref_id: &'a str,
    /// The AX role.
    pub role: &'a str,
    /// `disabled` state.
    pub disabled: bool,
    /// `checked` state (true, "true", "mixed" or non-zero).
    pub checked: bool,
    /// Accessible name, raw.
    pub name: &'a str,
    /// Value, raw.
    pub value: &'a str,
}

/// Formats a line. Name and value are trimmed, whitespace runs fold to one space (so one node is one line),
/// token-like runs are redacted, and quotes are not escaped (as in the original).
pub fn format_line(f: &LineFacts<'_>) -> String {
    let mut line = format!("[{}] {}", f.ref_id, f.role);
    if f.disabled {
        line.push_str(" disabled");
    }
    if f.checked {
        line.push_str(" checked");
    }
    let name = clean(f.name);
    if !name.is_empty() {
        line.push_str(" \"");
        line.push_str(&name);
        line.push('"');
    }
    let value = clean(f.value);
    if !value.is_empty() {
        line.push_str(" value=\"");
        line.push_str(&value);
        line.push('"');
    }
    line
}

/// Trims, folds whitespace and redacts.
pub fn clean(text: &str) -> String {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    redact_tokens(&folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(role: &'a str, name: &'a str, value: &'a str) -> LineFacts<'a> {
        LineFacts {
            ref_id: "r3",
            role,
            disabled: false,
            checked: false,
            name,
            value,
        }
    }

    #[test]
    fn spec_examples() {
        assert_eq!(
            format_line(&facts("textbox", "Email", "a@b.co")),
            "[r3] textbox \"Email\" value=\"a@b.co\""
        );
        let mut f = facts("checkbox", " Remember me ", "");
        f.checked = true;
        assert_eq!(format_line(&f), "[r3] checkbox checked \"Remember me\"");
        let mut f = facts("button", "Continue", "");
        f.disabled = true;
        assert_eq!(format_line(&f), "[r3] button disabled \"Continue\"");
        assert_eq!(format_line(&facts("main", "", "")), "[r3] main");
    }

    #[test]
    fn folds_newlines_and_redacts() {
        assert_eq!(
            format_line(&facts(
                "link",
                "Reset\n  token abcdefghijklmnopqrstuvwxyz0123",
                ""
            )),
            "[r3] link \"Reset token [redacted]\""
        );
    }
}
