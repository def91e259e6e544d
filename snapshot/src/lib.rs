//! Snapshot shaping, shared by the extension (compiled to wasm) and native modes: CDP AX nodes in, compact
//! `[ref] role "name"` lines out, with refs, paging, caps and redaction (PROTOCOL.md §4).
//!
//! - [`ax`]: the CDP `Accessibility.AXNode` input shape.
//! - [`roles`]: which roles each mode keeps.
//! - [`line`]: the line format and redaction.
//! - [`refs`]: the per-target [`RefTable`].
//! - [`page`]: line-index paging under a character budget.
//!
//! Invariant: this crate knows nothing about `chrome.debugger`, sockets or time; it is a pure function of its
//! inputs plus the [`RefTable`] it updates.

pub mod ax;
pub mod line;
pub mod page;
pub mod refs;
pub mod roles;

use std::collections::{HashMap, HashSet};

use odb_protocol::limits::{
    DEFAULT_SNAPSHOT_MAX_CHARS, DEFAULT_SNAPSHOT_MAX_NODES, MAX_SNAPSHOT_BYTES,
};
use serde::{Deserialize, Serialize};

pub use ax::AxNode;
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
    /// Character budget of one page (default 16 000).
    pub max_chars: usize,
    /// Line index to start from (`nav.snapshot` `cursor`, a decimal string on the wire).
    pub cursor: Option<usize>,
    /// Most nodes kept in the whole snapshot (default 1000).
    pub max_nodes: usize,
}

impl Default for SnapshotRequest {
    fn default() -> Self {
        SnapshotRequest {
            mode: Mode::Outline,
            max_chars: DEFAULT_SNAPSHOT_MAX_CHARS,
            cursor: None,
            max_nodes: DEFAULT_SNAPSHOT_MAX_NODES,
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
}

/// Builds one page of a snapshot from `Accessibility.getFullAXTree` nodes, assigning refs in `refs`.
///
/// Nodes are visited in document order (a depth-first walk of `childIds` from the root), skipping ignored nodes,
/// nodes without a `backendDOMNodeId`, and roles the mode does not keep; at most `max_nodes` lines are kept. Every
/// kept node gets a ref, including those on later pages, so refs shown on any page stay valid.
///
/// # Errors
/// [`SnapshotError::TooLarge`] when the page's content is over 2 MiB.
pub fn build_snapshot(
    nodes: &[AxNode],
    req: &SnapshotRequest,
    refs: &mut RefTable,
) -> Result<SnapshotPage, SnapshotError> {
    let mut lines = Vec::new();
    let mut warnings = Vec::new();
    let max_nodes = req.max_nodes.max(1);
    for node in document_order(nodes) {
        if node.ignored {
            continue;
        }
        let Some(backend_id) = node.backend_dom_node_id else {
            continue;
        };
        let Some(role) = node.role_name() else {
            continue;
        };
        let keep =
            roles::is_actionable(&role) || (req.mode == Mode::Outline && roles::is_semantic(&role));
        if !keep {
            continue;
        }
        if lines.len() == max_nodes {
            warnings.push(format!("Snapshot limited to {max_nodes} nodes (maxNodes)."));
            break;
        }
        let name = node
            .name
            .as_ref()
            .and_then(ax::AxValue::as_text)
            .unwrap_or_default();
        let value = node
            .value
            .as_ref()
            .and_then(ax::AxValue::as_text)
            .unwrap_or_default();
        let name = name.trim();
        let ref_id = refs.assign(node.frame_id.as_deref(), backend_id, &role, name);
        lines.push(line::format_line(&line::LineFacts {
            ref_id: &ref_id,
            role: &role,
            disabled: node.has_state("disabled"),
            checked: node.has_state("checked"),
            name,
            value: &value,
        }));
    }
    let page = page::page_lines(&lines, req.cursor.unwrap_or(0), req.max_chars.max(1));
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
        ref_count: lines.len(),
        warnings,
    })
}

/// The nodes in document order: a depth-first walk from the roots along `childIds`; nodes the walk does not
/// reach (a tree with a missing parent) follow in array order. Each node is visited once.
fn document_order(nodes: &[AxNode]) -> Vec<&AxNode> {
    let index: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.node_id.as_str(), i))
        .collect();
    let mut seen = HashSet::with_capacity(nodes.len());
    let mut order = Vec::with_capacity(nodes.len());
    let roots = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            n.parent_id
                .as_deref()
                .is_none_or(|p| !index.contains_key(p))
        })
        .map(|(i, _)| i);
    let mut stack: Vec<usize> = Vec::new();
    for root in roots.chain(0..nodes.len()) {
        stack.push(root);
        while let Some(i) = stack.pop() {
            if !seen.insert(i) {
                continue;
            }
            order.push(&nodes[i]);
            for child in nodes[i].child_ids.iter().rev() {
                if let Some(&c) = index.get(child.as_str()) {
                    if !seen.contains(&c) {
                        stack.push(c);
                    }
                }
            }
        }
    }
    order
}

#[cfg(test)]
mod tests;
