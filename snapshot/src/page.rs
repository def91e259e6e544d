//! Line-index paging under a character budget (PROTOCOL.md §4 "Paging").

/// One page of lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The page's lines joined with `\n`.
    pub content: String,
    /// Lines remain after this page.
    pub truncated: bool,
    /// Index of the first line of the next page, when truncated.
    pub next_cursor: Option<usize>,
}

/// Takes lines from `cursor` while the running total of `chars + 1` fits in `max_chars`; at least one line is
/// always included (when any remain). Characters are Unicode scalar values.
pub fn page_lines(lines: &[String], cursor: usize, max_chars: usize) -> Page {
    let start = cursor.min(lines.len());
    let mut used = 0usize;
    let mut end = start;
    for line in &lines[start..] {
        let cost = line.chars().count() + 1;
        if end > start && used + cost > max_chars {
            break;
        }
        used += cost;
        end += 1;
    }
    let truncated = end < lines.len();
    Page {
        content: lines[start..end].join("\n"),
        truncated,
        next_cursor: truncated.then_some(end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("line-{i:02}")).collect()
    }

    #[test]
    fn pages_by_budget_and_resumes_at_cursor() {
        let all = lines(5); // each costs 8 chars
        let p = page_lines(&all, 0, 17);
        assert_eq!(p.content, "line-00\nline-01");
        assert_eq!(p.next_cursor, Some(2));
        let p = page_lines(&all, 4, 17);
        assert_eq!(p.content, "line-04");
        assert!(!p.truncated);
    }

    #[test]
    fn always_includes_one_line() {
        let p = page_lines(&lines(2), 0, 1);
        assert_eq!(p.content, "line-00");
        assert_eq!(p.next_cursor, Some(1));
        let p = page_lines(&lines(2), 9, 100);
        assert_eq!(p.content, "");
        assert!(!p.truncated);
    }
}
