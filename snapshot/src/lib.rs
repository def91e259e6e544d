//! Snapshot shaping, shared by the extension (compiled to wasm) and native modes: a `DOMSnapshot.captureSnapshot`
//! of the tab (plus one per out-of-process iframe) in, compact `[ref] role "name"` lines out, with refs, paging,
//! caps, filters, diffs and redaction (PROTOCOL.md §4; the AX-tree source is a declared divergence, D55).
//!
//! - [`dom`]: the CDP capture shape and the composed-tree walk (roles, names, values, states).
//! - [`roles`]: which roles each mode keeps.
//! - [`line`]: the line format and redaction.
//! - [`refs`]: the per-target [`RefTable`].
//! - [`page`]: line-index paging under a hard character budget.
//! - [`diff`]: lines added, changed and removed since the previous snapshot.
//! - [`ax`]: the CDP `Accessibility.AXNode` shape (the tests compare the walk with Chromium's AX tree).
//!
//! Invariant: this crate knows nothing about `chrome.debugger`, sockets or time; it is a pure function of its
//! inputs plus the [`RefTable`] it updates.

pub mod ax;
pub mod diff;
pub mod dom;
pub mod line;
pub mod page;
pub mod refs;
pub mod roles;

use odb_protocol::limits::{
    DEFAULT_SNAPSHOT_MAX_CHARS, DEFAULT_SNAPSHOT_MAX_NODES, MAX_SNAPSHOT_BYTES,
};
use serde::{Deserialize, Serialize};

pub use dom::{Element, FrameCapture, FrameOwner, PageCapture, Scope};
pub use refs::{RefEntry, RefTable};

/// Which nodes a snapshot keeps (PROTOCOL.md §4 item 3). Wire strings `"outline"` / `"actionables"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Actionable and semantic roles (the default).
    #[default]
    Outline,
    /// Actionable roles only.
    Actionables,
}

/// What to snapshot and how much to return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotRequest {
    /// Which roles to keep.
    pub mode: Mode,
    /// Hard character budget of one page's `content` (default 16 000), truncation marker included.
    pub max_chars: usize,
    /// Line index to start from (`nav.snapshot` `cursor`, a decimal string on the wire).
    pub cursor: Option<usize>,
    /// Most nodes kept in the whole snapshot (default 1000).
    pub max_nodes: usize,
    /// Keep only lines whose role, name or value contains this text (ASCII case-insensitive).
    pub filter: Option<String>,
    /// Keep only this element and its descendants (the node of a ref).
    pub scope: Option<Scope>,
    /// Show only lines added (`+ `), changed (`~ `) or removed (`- `) since the previous full snapshot.
    pub diff: bool,
}

impl Default for SnapshotRequest {
    fn default() -> Self {
        SnapshotRequest {
            mode: Mode::Outline,
            max_chars: DEFAULT_SNAPSHOT_MAX_CHARS,
            cursor: None,
            max_nodes: DEFAULT_SNAPSHOT_MAX_NODES,
            filter: None,
            scope: None,
            diff: false,
        }
    }
}

/// One page of a snapshot: the `content`, `truncated`, `nextCursor`, `refCount` and `warnings` fields of the
/// `nav.snapshot` result (PROTOCOL.md §3.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotPage {
    /// Lines joined with `\n`.
    pub content: String,
    /// More lines follow.
    pub truncated: bool,
    /// The `cursor` of the next page, a decimal line index.
    pub next_cursor: Option<String>,
    /// Lines in the whole snapshot (not only this page).
    pub ref_count: usize,
    /// Human-readable notes, e.g. that `maxNodes` cut the snapshot.
    pub warnings: Vec<String>,
}

/// Why a snapshot could not be returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    /// The page content is over `MAX_SNAPSHOT_BYTES` UTF-8 bytes (`snapshot_too_large`).
    TooLarge {
        /// The cap, in bytes.
        max_bytes: usize,
        /// The content's size, in bytes.
        actual_bytes: usize,
    },
    /// The scope element is not in the page any more (the caller answers the stale-ref error).
    ScopeNotFound,
}

/// Builds one page of a snapshot of `capture`, assigning refs in `refs`.
///
/// Elements come in composed-tree document order ([`dom::collect`]); those whose role the mode keeps, that pass
/// the filter and lie in the scope become lines, at most `max_nodes` of them. Every kept element gets a ref,
/// including those on later pages, so refs shown on any page stay valid. An unfiltered, unscoped snapshot is
/// remembered in `refs` as the base of the next `diff`.
///
/// # Errors
/// [`SnapshotError::TooLarge`] when the page's content is over 2 MiB; [`SnapshotError::ScopeNotFound`].
pub fn build_snapshot(
    capture: &PageCapture,
    req: &SnapshotRequest,
    refs: &mut RefTable,
) -> Result<SnapshotPage, SnapshotError> {
    let collected = dom::collect(capture, req.scope.as_ref());
    if !collected.scope_found {
        return Err(SnapshotError::ScopeNotFound);
    }
    let mut warnings = Vec::new();
    let max_nodes = req.max_nodes.max(1);
    let needle = req
        .filter
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_lowercase);
    let mut lines: Vec<(String, String)> = Vec::new();
    for e in &collected.elements {
        let keep = roles::is_actionable(e.role)
            || (req.mode == Mode::Outline && roles::is_semantic(e.role));
        if !keep || !needle.as_deref().is_none_or(|n| matches_filter(e, n)) {
            continue;
        }
        if lines.len() == max_nodes {
            warnings.push(format!("Snapshot limited to {max_nodes} nodes (maxNodes)."));
            break;
        }
        let ref_id = refs.assign(e.frame_id.as_deref(), e.backend_node_id, e.role, &e.name);
        let text = line::format_line(&line::LineFacts {
            ref_id: &ref_id,
            role: e.role,
            disabled: e.disabled,
            checked: e.checked,
            name: &e.name,
            value: &e.value,
        });
        lines.push((ref_id, text));
    }
    let full = needle.is_none() && req.scope.is_none();
    let shown: Vec<String> = if req.diff {
        let (changes, note) = diff::diff_lines(refs.previous_lines(), &lines);
        warnings.extend(note);
        changes
    } else {
        lines.iter().map(|(_, l)| l.clone()).collect()
    };
    if full {
        refs.remember_lines(lines);
    }
    let page = page::page_lines(&shown, req.cursor.unwrap_or(0), req.max_chars.max(1));
    if page.content.len() > MAX_SNAPSHOT_BYTES {
        return Err(SnapshotError::TooLarge {
            max_bytes: MAX_SNAPSHOT_BYTES,
            actual_bytes: page.content.len(),
        });
    }
    Ok(SnapshotPage {
        content: page.content,
        truncated: page.truncated,
        next_cursor: page.next_cursor.map(|c| c.to_string()),
        ref_count: shown.len(),
        warnings,
    })
}

/// Whether the element's role, name or value contains `needle` (already lower case).
fn matches_filter(e: &Element, needle: &str) -> bool {
    [e.role, e.name.as_str(), e.value.as_str()]
        .iter()
        .any(|t| t.to_lowercase().contains(needle))
}

#[cfg(test)]
mod tests;
