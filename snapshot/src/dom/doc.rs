//! [`Doc`]: an indexed, read-only view over one `DOMSnapshot.DocumentSnapshot` — child lists, attributes,
//! layout presence and computed styles per node, built in one linear pass over the column arrays.

use std::collections::HashMap;

use super::raw::{DocumentSnapshot, RareBooleanData, RareStringData};
use super::COMPUTED_STYLES;

/// "No node" in the index columns.
pub const NONE: u32 = u32::MAX;

/// DOM `nodeType` of elements.
pub const ELEMENT: i32 = 1;
/// DOM `nodeType` of text nodes.
pub const TEXT: i32 = 3;
/// DOM `nodeType` of document fragments (shadow roots).
pub const FRAGMENT: i32 = 11;

const CLICKABLE: u8 = 1;
const CHECKED: u8 = 2;
const SELECTED: u8 = 4;
const UA_SHADOW: u8 = 8;
const PSEUDO: u8 = 16;

/// One document of a capture, indexed. Node ids are the snapshot's node indexes (`u32`).
pub struct Doc<'a> {
    strings: &'a [String],
    raw: &'a DocumentSnapshot,
    first_child: Vec<u32>,
    next_sibling: Vec<u32>,
    layout: Vec<u32>,
    rendered: Vec<bool>,
    flags: Vec<u8>,
    values: HashMap<u32, i32>,
    content_doc: HashMap<u32, usize>,
    shadow_kind: HashMap<u32, &'a str>,
    ids: HashMap<&'a str, u32>,
    labels_for: HashMap<&'a str, Vec<u32>>,
}

fn mark(flags: &mut [u8], data: &RareBooleanData, bit: u8) {
    for &i in &data.index {
        if let Some(f) = flags.get_mut(i as usize) {
            *f |= bit;
        }
    }
}

fn rare_pairs(data: &RareStringData) -> impl Iterator<Item = (u32, i32)> + '_ {
    data.index
        .iter()
        .zip(&data.value)
        .map(|(&i, &v)| (i as u32, v))
}

impl<'a> Doc<'a> {
    /// Indexes `raw`, whose string indexes point into `strings`.
    pub fn new(raw: &'a DocumentSnapshot, strings: &'a [String]) -> Doc<'a> {
        let n = raw.nodes.parent_index.len();
        let mut doc = Doc {
            strings,
            raw,
            first_child: vec![NONE; n],
            next_sibling: vec![NONE; n],
            layout: vec![NONE; n],
            rendered: vec![false; n],
            flags: vec![0; n],
            values: HashMap::new(),
            content_doc: HashMap::new(),
            shadow_kind: HashMap::new(),
            ids: HashMap::new(),
            labels_for: HashMap::new(),
        };
        let mut last_child = vec![NONE; n];
        for i in 0..n {
            let p = raw.nodes.parent_index[i];
            if p < 0 || p as usize >= n {
                continue;
            }
            let p = p as usize;
            if last_child[p] == NONE {
                doc.first_child[p] = i as u32;
            } else {
                doc.next_sibling[last_child[p] as usize] = i as u32;
            }
            last_child[p] = i as u32;
        }
        for (entry, &node) in raw.layout.node_index.iter().enumerate() {
            if let Some(slot) = doc.layout.get_mut(node as usize) {
                if *slot == NONE {
                    *slot = entry as u32;
                }
            }
        }
        for i in (0..n).rev() {
            if doc.layout[i] != NONE {
                doc.rendered[i] = true;
            }
            let p = raw.nodes.parent_index[i];
            if doc.rendered[i] && p >= 0 && (p as usize) < n {
                doc.rendered[p as usize] = true;
            }
        }
        let nodes = &raw.nodes;
        mark(&mut doc.flags, &nodes.is_clickable, CLICKABLE);
        mark(&mut doc.flags, &nodes.input_checked, CHECKED);
        mark(&mut doc.flags, &nodes.option_selected, SELECTED);
        for (i, _) in rare_pairs(&nodes.pseudo_type) {
            if let Some(f) = doc.flags.get_mut(i as usize) {
                *f |= PSEUDO;
            }
        }
        for (i, v) in rare_pairs(&nodes.shadow_root_type) {
            let kind = doc.string(v);
            if kind == "user-agent" {
                if let Some(f) = doc.flags.get_mut(i as usize) {
                    *f |= UA_SHADOW;
                }
            }
            if nodes.node_type.get(i as usize) == Some(&FRAGMENT) {
                doc.shadow_kind.insert(i, kind);
            }
        }
        for (i, v) in rare_pairs(&nodes.input_value).chain(rare_pairs(&nodes.text_value)) {
            doc.values.insert(i, v);
        }
        for (&i, &d) in nodes
            .content_document_index
            .index
            .iter()
            .zip(&nodes.content_document_index.value)
        {
            doc.content_doc.insert(i as u32, d as usize);
        }
        for i in 0..n as u32 {
            if doc.node_type(i) != ELEMENT {
                continue;
            }
            if let Some(id) = doc.attr(i, "id").filter(|s| !s.is_empty()) {
                doc.ids.entry(id).or_insert(i);
            }
            if doc.is_tag(i, "label") {
                if let Some(target) = doc.attr(i, "for").filter(|s| !s.is_empty()) {
                    doc.labels_for.entry(target).or_default().push(i);
                }
            }
        }
        doc
    }

    /// The string at `index`, `""` for `-1` or out of range.
    pub fn string(&self, index: i32) -> &'a str {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.strings.get(i))
            .map_or("", String::as_str)
    }

    /// The document's frame id (`Page.FrameId`).
    pub fn frame_id(&self) -> &'a str {
        self.string(self.raw.frame_id)
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.first_child.len()
    }

    /// True for a document without nodes.
    pub fn is_empty(&self) -> bool {
        self.first_child.is_empty()
    }

    /// DOM `nodeType` of `i`.
    pub fn node_type(&self, i: u32) -> i32 {
        self.raw
            .nodes
            .node_type
            .get(i as usize)
            .copied()
            .unwrap_or(0)
    }

    /// `nodeName` of `i` (`BUTTON`, `#text`, ...).
    pub fn node_name(&self, i: u32) -> &'a str {
        self.string(
            self.raw
                .nodes
                .node_name
                .get(i as usize)
                .copied()
                .unwrap_or(-1),
        )
    }

    /// Whether `i` is the element `tag` (ASCII case-insensitive).
    pub fn is_tag(&self, i: u32, tag: &str) -> bool {
        self.node_name(i).eq_ignore_ascii_case(tag)
    }

    /// `nodeValue` of `i` (the text of a text node).
    pub fn node_value(&self, i: u32) -> &'a str {
        self.string(
            self.raw
                .nodes
                .node_value
                .get(i as usize)
                .copied()
                .unwrap_or(-1),
        )
    }

    /// `DOM.BackendNodeId` of `i`.
    pub fn backend_node_id(&self, i: u32) -> i64 {
        self.raw
            .nodes
            .backend_node_id
            .get(i as usize)
            .copied()
            .unwrap_or(0)
    }

    /// The parent of `i`, `None` for the document.
    pub fn parent(&self, i: u32) -> Option<u32> {
        let p = *self.raw.nodes.parent_index.get(i as usize)?;
        (p >= 0).then_some(p as u32)
    }

    /// The children of `i`, in document order (a shadow root comes before the light children).
    pub fn children(&self, i: u32) -> Children<'_, 'a> {
        Children {
            doc: self,
            next: self.first_child.get(i as usize).copied().unwrap_or(NONE),
        }
    }

    /// The value of attribute `name` (ASCII case-insensitive) on `i`.
    pub fn attr(&self, i: u32, name: &str) -> Option<&'a str> {
        let pairs = self.raw.nodes.attributes.get(i as usize)?;
        pairs
            .chunks_exact(2)
            .find(|kv| self.string(kv[0]).eq_ignore_ascii_case(name))
            .map(|kv| self.string(kv[1]))
    }

    /// Whether `i` has attribute `name`.
    pub fn has_attr(&self, i: u32, name: &str) -> bool {
        self.attr(i, name).is_some()
    }

    /// Whether `i` itself has a layout object (is rendered).
    pub fn has_layout(&self, i: u32) -> bool {
        self.layout.get(i as usize).is_some_and(|&l| l != NONE)
    }

    /// Whether `i` or a descendant is rendered (so `display: contents` wrappers count as rendered).
    pub fn rendered(&self, i: u32) -> bool {
        self.rendered.get(i as usize).copied().unwrap_or(false)
    }

    /// The computed style `name` (one of [`COMPUTED_STYLES`]) of a rendered node.
    pub fn style(&self, i: u32, name: &str) -> Option<&'a str> {
        let k = COMPUTED_STYLES.iter().position(|s| *s == name)?;
        let entry = *self.layout.get(i as usize)?;
        let styles = self.raw.layout.styles.get(entry as usize)?;
        styles.get(k).map(|&s| self.string(s))
    }

    /// Chrome's `isClickable`: a click listener or a link.
    pub fn is_clickable(&self, i: u32) -> bool {
        self.flag(i, CLICKABLE)
    }

    /// A checked checkbox or radio button.
    pub fn is_checked(&self, i: u32) -> bool {
        self.flag(i, CHECKED)
    }

    /// A selected `<option>`.
    pub fn is_selected(&self, i: u32) -> bool {
        self.flag(i, SELECTED)
    }

    /// A node inside a user-agent shadow tree (the internals of inputs, media controls...).
    pub fn in_ua_shadow(&self, i: u32) -> bool {
        self.flag(i, UA_SHADOW)
    }

    /// A `::before`/`::after`/`::marker` pseudo element.
    pub fn is_pseudo(&self, i: u32) -> bool {
        self.flag(i, PSEUDO)
    }

    /// `"open"`, `"closed"` or `"user-agent"` for a shadow root node.
    pub fn shadow_root_kind(&self, i: u32) -> Option<&'a str> {
        self.shadow_kind.get(&i).copied()
    }

    /// The current value of an `<input>` or `<textarea>`.
    pub fn value(&self, i: u32) -> Option<&'a str> {
        self.values.get(&i).map(|&v| self.string(v))
    }

    /// The capture-level index of the document an `<iframe>` shows (same-process frames only).
    pub fn content_document(&self, i: u32) -> Option<usize> {
        self.content_doc.get(&i).copied()
    }

    /// The first element whose `id` is `id`.
    pub fn element_by_id(&self, id: &str) -> Option<u32> {
        self.ids.get(id).copied()
    }

    /// The `<label for=id>` elements of `id`.
    pub fn labels_for(&self, id: &str) -> &[u32] {
        self.labels_for.get(id).map_or(&[], Vec::as_slice)
    }

    fn flag(&self, i: u32, bit: u8) -> bool {
        self.flags.get(i as usize).is_some_and(|f| f & bit != 0)
    }
}

/// Iterator over a node's children.
pub struct Children<'d, 'a> {
    doc: &'d Doc<'a>,
    next: u32,
}

impl Iterator for Children<'_, '_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let current = self.next;
        self.next = self.doc.next_sibling[current as usize];
        Some(current)
    }
}
