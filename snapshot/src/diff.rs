//! `diff`: what changed since the previous full snapshot of the target, line by line, matched on refs
//! (refs are keyed on frame + backendNodeId, so an unchanged element keeps its ref and drops out of the diff).
//!
//! Output lines: `+ <line>` for an element not in the previous snapshot, `~ <line>` for one whose line changed
//! (name, value, state), `- <line>` (the old line) for one that is gone; unchanged elements are left out.
//! Added and changed lines keep the current order; removed ones follow.

use std::collections::{HashMap, HashSet};

/// The diff of `current` (`(ref, line)` pairs) against `previous`, plus a note when there is nothing to
/// compare with or nothing changed.
pub fn diff_lines(
    previous: Option<&[(String, String)]>,
    current: &[(String, String)],
) -> (Vec<String>, Option<String>) {
    let Some(previous) = previous else {
        let all = current.iter().map(|(_, l)| format!("+ {l}")).collect();
        return (
            all,
            Some("No previous snapshot of this target: every line is new.".to_string()),
        );
    };
    let before: HashMap<&str, &str> = previous
        .iter()
        .map(|(r, l)| (r.as_str(), l.as_str()))
        .collect();
    let mut out = Vec::new();
    let mut seen = HashSet::with_capacity(current.len());
    for (r, line) in current {
        seen.insert(r.as_str());
        match before.get(r.as_str()) {
            None => out.push(format!("+ {line}")),
            Some(old) if *old != line => out.push(format!("~ {line}")),
            Some(_) => {}
        }
    }
    for (r, line) in previous {
        if !seen.contains(r.as_str()) {
            out.push(format!("- {line}"));
        }
    }
    let note = out
        .is_empty()
        .then(|| "No changes since the previous snapshot.".to_string());
    (out, note)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(lines: &[&str]) -> Vec<(String, String)> {
        lines
            .iter()
            .map(|l| (l[1..l.find(']').unwrap()].to_string(), l.to_string()))
            .collect()
    }

    #[test]
    fn added_changed_removed_and_unchanged() {
        let before = pairs(&[
            "[r1] button \"A\"",
            "[r2] textbox \"Q\"",
            "[r3] link \"Gone\"",
        ]);
        let after = pairs(&[
            "[r1] button \"A\"",
            "[r2] textbox \"Q\" value=\"x\"",
            "[r4] link \"New\"",
        ]);
        let (out, note) = diff_lines(Some(&before), &after);
        assert_eq!(
            out,
            vec![
                "~ [r2] textbox \"Q\" value=\"x\"",
                "+ [r4] link \"New\"",
                "- [r3] link \"Gone\""
            ]
        );
        assert!(note.is_none());
        let (out, note) = diff_lines(Some(&after), &after);
        assert!(out.is_empty());
        assert_eq!(
            note.as_deref(),
            Some("No changes since the previous snapshot.")
        );
        let (out, note) = diff_lines(None, &after);
        assert_eq!(out.len(), 3);
        assert!(out.iter().all(|l| l.starts_with("+ ")));
        assert!(note.is_some());
    }
}
