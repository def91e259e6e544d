//! Line-index paging under a hard character budget (PROTOCOL.md §4 "Paging", with a truncation marker:
//! declared divergence D56).

/// One page of lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The page's lines joined with `\n`, then the truncation marker line when more lines follow.
    pub content: String,
    /// Lines remain after this page.
    pub truncated: bool,
    /// Index of the first line of the next page, when truncated.
    pub next_cursor: Option<usize>,
}

/// The last line of a truncated page: `[truncated: <n> more lines; next cursor <c>]`.
pub fn marker(remaining: usize, next: usize) -> String {
    format!("[truncated: {remaining} more lines; next cursor {next}]")
}

/// Takes lines from `cursor` while the running total of `chars + 1` fits in `max_chars`, leaving room for the
/// truncation marker when lines remain; the content never exceeds `max_chars` characters (Unicode scalar
/// values) once `max_chars` is above the marker's length (about 45): a first line longer than the room left is
/// cut and ends with `…`. At least one (possibly cut) line is always included when any remain.
pub fn page_lines(lines: &[String], cursor: usize, max_chars: usize) -> Page {
    let start = cursor.min(lines.len());
    let (end, _) = take(lines, start, max_chars);
    if end == lines.len() {
        let content = cut_single(lines, start, end, max_chars);
        return Page {
            content,
            truncated: false,
            next_cursor: None,
        };
    }
    let reserve = marker(lines.len(), lines.len()).chars().count() + 1;
    let room = max_chars.saturating_sub(reserve).max(1);
    let (end, _) = take(lines, start, room);
    let mut content = cut_single(lines, start, end, room);
    if !content.is_empty() {
        content.push('\n');
    }
    content.push_str(&marker(lines.len() - end, end));
    Page {
        content,
        truncated: true,
        next_cursor: Some(end),
    }
}

/// The end index of the lines from `start` that fit in `budget` (at least one), and the characters used.
fn take(lines: &[String], start: usize, budget: usize) -> (usize, usize) {
    let mut used = 0usize;
    let mut end = start;
    for line in &lines[start..] {
        let cost = line.chars().count() + 1;
        if end > start && used + cost > budget {
            break;
        }
        used += cost;
        end += 1;
    }
    (end, used)
}

/// Joins `lines[start..end]`; a single line longer than `budget` is cut to `budget` characters ending in `…`.
fn cut_single(lines: &[String], start: usize, end: usize, budget: usize) -> String {
    if end == start + 1 && lines[start].chars().count() > budget {
        let mut cut: String = lines[start]
            .chars()
            .take(budget.saturating_sub(1))
            .collect();
        cut.push('…');
        return cut;
    }
    lines[start..end].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("line-{i:02}")).collect()
    }

    #[test]
    fn pages_by_budget_with_a_marker_and_resumes_at_cursor() {
        let all = lines(50); // each costs 8 chars
        let p = page_lines(&all, 0, 100);
        assert_eq!(p.next_cursor, Some(7));
        assert!(p.content.starts_with("line-00\nline-01"));
        assert!(p
            .content
            .ends_with("line-06\n[truncated: 43 more lines; next cursor 7]"));
        assert!(p.content.chars().count() <= 100);
        let p = page_lines(&all, 49, 100);
        assert_eq!(p.content, "line-49");
        assert!(!p.truncated);
        let p = page_lines(&lines(5), 0, 100);
        assert_eq!(p.content.lines().count(), 5);
        assert!(!p.truncated);
    }

    #[test]
    fn budget_is_hard_even_for_one_long_line() {
        let long = vec!["x".repeat(500), "y".to_string()];
        let p = page_lines(&long, 0, 200);
        assert!(p.content.chars().count() <= 200, "{}", p.content.len());
        assert!(p.content.contains('…'));
        assert_eq!(p.next_cursor, Some(1));
        let p = page_lines(&long[..1], 0, 200);
        assert_eq!(p.content.chars().count(), 200);
        assert!(!p.truncated);
        let p = page_lines(&lines(2), 9, 100);
        assert_eq!(p.content, "");
        assert!(!p.truncated);
    }
}
