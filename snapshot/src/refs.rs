//! Per-target ref table: `r<n>` names for DOM nodes, keyed on (frame, backendNodeId).
//!
//! Divergence from the original (declared in docs/PARITY_DECLARED_DIVERGENCES.md): the original hands out new refs on
//! every snapshot page and accepts only the latest snapshot's refs. Here an element keeps its ref for as long as it
//! exists (same frame and backendNodeId), so paging and re-snapshots never invalidate refs of unchanged elements. The
//! counter is never reset, so a ref never names a different element after [`RefTable::clear`].

use std::collections::HashMap;

/// What a ref points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefEntry {
    /// `r<n>`.
    pub ref_id: String,
    /// CDP `DOM.BackendNodeId` of the element.
    pub backend_node_id: i64,
    /// CDP frame id of the element's document, `None` for the main frame.
    pub frame_id: Option<String>,
    /// Role at the last snapshot.
    pub role: String,
    /// Accessible name at the last snapshot (unredacted, trimmed).
    pub name: String,
}

/// The refs of one target.
#[derive(Clone, Debug, Default)]
pub struct RefTable {
    next: u64,
    by_node: HashMap<(Option<String>, i64), String>,
    entries: HashMap<String, RefEntry>,
    previous: Option<Vec<(String, String)>>,
}

impl RefTable {
    /// An empty table whose first ref is `r1`.
    pub fn new() -> Self {
        RefTable::default()
    }

    /// The entry for `ref_id`, e.g. `"r12"`.
    pub fn get(&self, ref_id: &str) -> Option<&RefEntry> {
        self.entries.get(ref_id)
    }

    /// Number of live refs.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no ref is live.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forgets every ref and the remembered snapshot (after a navigation); the counter keeps counting.
    pub fn clear(&mut self) {
        self.by_node.clear();
        self.entries.clear();
        self.previous = None;
    }

    /// The `(ref, line)` pairs of the last full snapshot, the base of a `diff`.
    pub fn previous_lines(&self) -> Option<&[(String, String)]> {
        self.previous.as_deref()
    }

    /// Remembers a full snapshot's `(ref, line)` pairs for the next `diff`.
    pub fn remember_lines(&mut self, lines: Vec<(String, String)>) {
        self.previous = Some(lines);
    }

    /// Forgets one ref (its element is gone).
    pub fn remove(&mut self, ref_id: &str) {
        if let Some(entry) = self.entries.remove(ref_id) {
            self.by_node
                .remove(&(entry.frame_id, entry.backend_node_id));
        }
    }

    /// The ref of (frame, node), allocating `r<next>` for a node not seen before; refreshes role and name.
    pub fn assign(
        &mut self,
        frame_id: Option<&str>,
        backend_node_id: i64,
        role: &str,
        name: &str,
    ) -> String {
        let key = (frame_id.map(str::to_string), backend_node_id);
        if let Some(existing) = self.by_node.get(&key) {
            if let Some(entry) = self.entries.get_mut(existing) {
                entry.role = role.to_string();
                entry.name = name.to_string();
            }
            return existing.clone();
        }
        self.next += 1;
        let ref_id = format!("r{}", self.next);
        self.by_node.insert(key.clone(), ref_id.clone());
        self.entries.insert(
            ref_id.clone(),
            RefEntry {
                ref_id: ref_id.clone(),
                backend_node_id,
                frame_id: key.0,
                role: role.to_string(),
                name: name.to_string(),
            },
        );
        ref_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_node_keeps_its_ref_and_clear_never_reuses_numbers() {
        let mut t = RefTable::new();
        assert_eq!(t.assign(None, 10, "button", "A"), "r1");
        assert_eq!(t.assign(None, 11, "link", "B"), "r2");
        assert_eq!(t.assign(None, 10, "button", "A2"), "r1");
        assert_eq!(t.get("r1").unwrap().name, "A2");
        assert_eq!(t.assign(Some("f"), 10, "button", "other frame"), "r3");
        t.clear();
        assert!(t.get("r1").is_none());
        assert_eq!(t.assign(None, 10, "button", "A"), "r4");
        t.remove("r4");
        assert!(t.is_empty());
    }
}
