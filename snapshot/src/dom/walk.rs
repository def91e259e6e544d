//! The walk: one pass over a [`PageCapture`] in composed-tree order — shadow roots (open and closed) with
//! slots filled, same-process iframes through `contentDocumentIndex`, out-of-process iframes through their own
//! capture — producing one [`Element`] per node with a role of interest, in document order.

use std::collections::{HashMap, HashSet};

use super::doc::{Doc, ELEMENT, FRAGMENT};
use super::names::{accessible_name, author_shadow_root, content_text, selected_option_text};
use super::raw::CaptureSnapshot;
use super::roles::{natively_focusable, role_of, CLICKABLE, FOCUSABLE};
use crate::roles::{is_actionable, is_semantic};

/// Deepest composed-tree nesting walked; deeper nodes are left out (pathological pages).
const MAX_DEPTH: usize = 1024;

/// An out-of-process iframe's capture, taken through its own CDP session (`Target.attachedToTarget`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameCapture {
    /// The frame's id (its CDP target id); refs of its nodes carry it.
    pub frame_id: String,
    /// The `<iframe>` element showing it.
    pub owner: FrameOwner,
    /// `DOMSnapshot.captureSnapshot` of the frame's session.
    pub snapshot: CaptureSnapshot,
}

/// Where an out-of-process frame sits: its `<iframe>` element in the parent capture (`DOM.getFrameOwner`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameOwner {
    /// The parent capture: `None` for the tab's own session, else an out-of-process frame's id.
    pub frame_id: Option<String>,
    /// `backendNodeId` of the `<iframe>` element in the parent capture.
    pub backend_node_id: i64,
}

/// Everything one snapshot reads: the tab's capture and those of its out-of-process frames.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageCapture {
    /// `DOMSnapshot.captureSnapshot` on the tab's own session (main document and same-process iframes).
    pub root: CaptureSnapshot,
    /// One entry per out-of-process iframe.
    pub frames: Vec<FrameCapture>,
}

/// One element that can become a snapshot line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    /// The out-of-process frame whose session owns the node; `None` for the tab's own session.
    pub frame_id: Option<String>,
    /// `DOM.BackendNodeId`.
    pub backend_node_id: i64,
    /// The role (an ARIA role, or [`CLICKABLE`]/[`FOCUSABLE`]).
    pub role: &'static str,
    /// Accessible name, folded.
    pub name: String,
    /// Current value (text fields, selects, sliders), folded; password values are masked.
    pub value: String,
    /// Disabled (`disabled` on the control or a `<fieldset>` ancestor, or `aria-disabled="true"`).
    pub disabled: bool,
    /// Checked (checkbox and radio state, `aria-checked` true or mixed).
    pub checked: bool,
}

/// A node to start the snapshot from (`scopeRef`): only it and its composed-tree descendants are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// As [`Element::frame_id`].
    pub frame_id: Option<String>,
    /// As [`Element::backend_node_id`].
    pub backend_node_id: i64,
}

/// The walk's result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Collected {
    /// Elements in document order.
    pub elements: Vec<Element>,
    /// Whether the scope node was found (always true without a scope).
    pub scope_found: bool,
}

/// Walks `page` (see the module doc). With `scope`, only that node's subtree is collected.
pub fn collect(page: &PageCapture, scope: Option<&Scope>) -> Collected {
    let mut captures: Vec<(Option<&str>, Vec<Doc<'_>>)> = vec![(None, docs_of(&page.root))];
    let mut frames = HashMap::new();
    for f in &page.frames {
        frames.insert(
            (f.owner.frame_id.as_deref(), f.owner.backend_node_id),
            captures.len(),
        );
        captures.push((Some(f.frame_id.as_str()), docs_of(&f.snapshot)));
    }
    let mut walker = Walker {
        captures: &captures,
        frames,
        scope,
        in_scope: scope.is_none(),
        scope_found: scope.is_none(),
        out: Vec::new(),
        hosts: Vec::new(),
        slotted: HashSet::new(),
        visited_frames: HashSet::new(),
    };
    if let Some(doc) = captures[0].1.first() {
        if !doc.is_empty() {
            walker.children(0, 0, 0, 0);
        }
    }
    Collected {
        elements: walker.out.into_iter().flatten().collect(),
        scope_found: walker.scope_found,
    }
}

fn docs_of(capture: &CaptureSnapshot) -> Vec<Doc<'_>> {
    capture
        .documents
        .iter()
        .map(|d| Doc::new(d, &capture.strings))
        .collect()
}

struct Walker<'p, 'a> {
    captures: &'p [(Option<&'a str>, Vec<Doc<'a>>)],
    frames: HashMap<(Option<&'a str>, i64), usize>,
    scope: Option<&'p Scope>,
    in_scope: bool,
    scope_found: bool,
    out: Vec<Option<Element>>,
    /// Shadow hosts whose shadow tree is being walked (innermost last), for `<slot>`.
    hosts: Vec<(usize, usize, u32)>,
    /// Hosts whose light children a slot already showed.
    slotted: HashSet<(usize, usize, u32)>,
    /// Captures already entered (a frame shows once).
    visited_frames: HashSet<usize>,
}

impl Walker<'_, '_> {
    fn doc(&self, cap: usize, d: usize) -> &Doc<'_> {
        &self.captures[cap].1[d]
    }

    /// Walks the composed children of node `n`.
    fn children(&mut self, cap: usize, d: usize, n: u32, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let doc = &self.captures[cap].1[d];
        if let Some(root) = author_shadow_root(doc, n) {
            self.hosts.push((cap, d, n));
            let kids: Vec<u32> = doc.children(root).collect();
            for c in kids {
                self.node(cap, d, c, depth + 1);
            }
            self.hosts.pop();
            return;
        }
        let kids: Vec<u32> = doc
            .children(n)
            .filter(|&c| doc.node_type(c) != FRAGMENT)
            .collect();
        for c in kids {
            self.node(cap, d, c, depth + 1);
        }
    }

    fn node(&mut self, cap: usize, d: usize, n: u32, depth: usize) {
        if self.doc(cap, d).node_type(n) == ELEMENT {
            self.element(cap, d, n, depth);
        }
    }

    fn element(&mut self, cap: usize, d: usize, n: u32, depth: usize) {
        let doc = &self.captures[cap].1[d];
        if skipped(doc, n) {
            return;
        }
        if doc.is_tag(n, "slot") {
            self.slot(cap, d, n, depth);
            return;
        }
        if !shown(doc, n) {
            return;
        }
        let key = self.captures[cap].0;
        let backend = doc.backend_node_id(n);
        let was_in_scope = self.in_scope;
        if let Some(scope) = self.scope {
            if scope.backend_node_id == backend && scope.frame_id.as_deref() == key {
                self.in_scope = true;
                self.scope_found = true;
            }
        }
        let start = self.out.len();
        let pending = if self.in_scope {
            self.candidate(cap, d, n)
        } else {
            None
        };
        let pseudo = pending
            .as_ref()
            .is_some_and(|e| e.role == CLICKABLE || e.role == FOCUSABLE);
        if let Some(e) = pending {
            self.out.push(Some(e));
        }
        self.descend(cap, d, n, depth);
        if pseudo && self.out.len() > start + 1 {
            let inner_actionable = self.out[start + 1..]
                .iter()
                .flatten()
                .any(|e| is_actionable(e.role));
            if inner_actionable {
                self.out[start] = None;
            }
        }
        self.in_scope = was_in_scope;
    }

    /// Children of `n`, entering iframes.
    fn descend(&mut self, cap: usize, d: usize, n: u32, depth: usize) {
        let doc = &self.captures[cap].1[d];
        if doc.is_tag(n, "iframe") || doc.is_tag(n, "frame") {
            if let Some(inner) = doc.content_document(n) {
                if inner < self.captures[cap].1.len() && inner != d {
                    self.children(cap, inner, 0, depth + 1);
                }
                return;
            }
            let key = (self.captures[cap].0, doc.backend_node_id(n));
            if let Some(&child) = self.frames.get(&key) {
                if self.visited_frames.insert(child) && !self.captures[child].1.is_empty() {
                    self.children(child, 0, 0, depth + 1);
                }
            }
            return;
        }
        self.children(cap, d, n, depth);
    }

    /// A `<slot>` shows its host's light children (the first slot takes them all), else its fallback content.
    fn slot(&mut self, cap: usize, d: usize, n: u32, depth: usize) {
        match self.hosts.pop() {
            Some(host) if self.slotted.insert(host) => {
                let (hc, hd, hn) = host;
                let hdoc = &self.captures[hc].1[hd];
                let light: Vec<u32> = hdoc
                    .children(hn)
                    .filter(|&c| hdoc.node_type(c) != FRAGMENT)
                    .collect();
                let outer = self.hosts.clone();
                if light.is_empty() {
                    self.hosts.push(host);
                    self.children(cap, d, n, depth);
                } else {
                    for c in light {
                        self.node(hc, hd, c, depth + 1);
                    }
                    self.hosts = outer;
                    self.hosts.push(host);
                }
            }
            other => {
                if let Some(h) = other {
                    self.hosts.push(h);
                }
                self.children(cap, d, n, depth);
            }
        }
    }

    /// The element's line facts, when it has a role of interest or is interactive through script or CSS.
    fn candidate(&self, cap: usize, d: usize, n: u32) -> Option<Element> {
        let doc = self.doc(cap, d);
        if matches!(doc.style(n, "visibility"), Some("hidden" | "collapse")) {
            return None;
        }
        let role = role_of(doc, n).and_then(static_role);
        let role = match role {
            Some(r) if is_kept_role(r) => r,
            _ => pseudo_role(doc, n)?,
        };
        let name = accessible_name(doc, n, role);
        Some(Element {
            frame_id: self.captures[cap].0.map(str::to_string),
            backend_node_id: doc.backend_node_id(n),
            role,
            value: value_of(doc, n, role),
            disabled: is_disabled(doc, n),
            checked: is_checked(doc, n, role),
            name,
        })
    }
}

/// Nodes never walked: pseudo elements, `aria-hidden="true"` and `inert` subtrees, non-content elements.
fn skipped(doc: &Doc<'_>, n: u32) -> bool {
    doc.is_pseudo(n)
        || doc.in_ua_shadow(n)
        || doc.attr(n, "aria-hidden") == Some("true")
        || doc.has_attr(n, "inert")
        || [
            "script", "style", "head", "template", "noscript", "datalist",
        ]
        .iter()
        .any(|t| doc.is_tag(n, t))
}

/// Rendered (itself or a descendant has a layout object), or an `<option>` of a rendered `<select>`.
fn shown(doc: &Doc<'_>, n: u32) -> bool {
    if doc.rendered(n) {
        return true;
    }
    if doc.is_tag(n, "option") || doc.is_tag(n, "optgroup") {
        let mut at = doc.parent(n);
        while let Some(p) = at {
            if doc.is_tag(p, "select") {
                return doc.rendered(p);
            }
            at = doc.parent(p);
        }
    }
    false
}

fn is_kept_role(role: &str) -> bool {
    is_actionable(role) || is_semantic(role)
}

/// The role as a `'static` string from the kept sets, so elements do not borrow the capture.
fn static_role(role: &str) -> Option<&'static str> {
    crate::roles::ACTIONABLE
        .iter()
        .chain(crate::roles::SEMANTIC)
        .find(|r| **r == role)
        .copied()
}

/// [`CLICKABLE`] for a click listener (not on `<html>`/`<body>`) or where `cursor: pointer` starts;
/// [`FOCUSABLE`] for `tabindex >= 0` on an element not focusable by itself.
fn pseudo_role(doc: &Doc<'_>, n: u32) -> Option<&'static str> {
    if doc.is_tag(n, "html") || doc.is_tag(n, "body") {
        return None;
    }
    let pointer = doc.style(n, "cursor") == Some("pointer")
        && element_parent(doc, n).is_none_or(|p| doc.style(p, "cursor") != Some("pointer"));
    if (doc.is_clickable(n) && !doc.is_tag(n, "a") && !doc.is_tag(n, "label")) || pointer {
        return Some(CLICKABLE);
    }
    let tabindex = doc
        .attr(n, "tabindex")
        .and_then(|t| t.trim().parse::<i32>().ok());
    (tabindex.is_some_and(|t| t >= 0) && !natively_focusable(doc, n)).then_some(FOCUSABLE)
}

/// The nearest rendered element ancestor in the same tree (a shadow root's host for its top-level nodes).
fn element_parent(doc: &Doc<'_>, n: u32) -> Option<u32> {
    let mut at = doc.parent(n);
    while let Some(p) = at {
        if doc.node_type(p) == ELEMENT && doc.has_layout(p) {
            return Some(p);
        }
        at = doc.parent(p);
    }
    None
}

/// The value shown for text fields, selects, sliders and editable regions.
fn value_of(doc: &Doc<'_>, n: u32, role: &str) -> String {
    if !matches!(
        role,
        "textbox" | "searchbox" | "spinbutton" | "slider" | "combobox"
    ) {
        return String::new();
    }
    if doc.is_tag(n, "select") {
        return selected_option_text(doc, n);
    }
    if doc.is_tag(n, "input") {
        let v = doc.value(n).unwrap_or("");
        if doc
            .attr(n, "type")
            .is_some_and(|t| t.eq_ignore_ascii_case("password"))
        {
            return "•".repeat(v.chars().count());
        }
        return super::names::fold(v);
    }
    if doc.is_tag(n, "textarea") {
        return super::names::fold(doc.value(n).unwrap_or(""));
    }
    if role == "textbox" {
        return super::names::fold(&content_text(doc, n, None, false));
    }
    doc.attr(n, "aria-valuenow")
        .map(super::names::fold)
        .unwrap_or_default()
}

/// `disabled` on a form control or on a `<fieldset>` ancestor (outside its first `<legend>`), or
/// `aria-disabled="true"` on the element or an ancestor.
fn is_disabled(doc: &Doc<'_>, n: u32) -> bool {
    let control = [
        "button", "input", "select", "textarea", "option", "optgroup", "fieldset",
    ]
    .iter()
    .any(|t| doc.is_tag(n, t));
    if control && doc.has_attr(n, "disabled") {
        return true;
    }
    let mut child = n;
    let mut at = doc.parent(n);
    if doc.attr(n, "aria-disabled") == Some("true") {
        return true;
    }
    while let Some(p) = at {
        if doc.attr(p, "aria-disabled") == Some("true") {
            return true;
        }
        if control && doc.is_tag(p, "fieldset") && doc.has_attr(p, "disabled") {
            let first_legend = doc.children(p).find(|&c| doc.is_tag(c, "legend"));
            if first_legend != Some(child) {
                return true;
            }
        }
        child = p;
        at = doc.parent(p);
    }
    false
}

/// Checked state: the live `checked` of checkboxes and radios, else `aria-checked` true or mixed.
fn is_checked(doc: &Doc<'_>, n: u32, role: &str) -> bool {
    if doc.is_tag(n, "input") {
        return doc.is_checked(n);
    }
    matches!(
        role,
        "checkbox" | "radio" | "switch" | "menuitemcheckbox" | "menuitemradio" | "treeitem"
    ) && matches!(doc.attr(n, "aria-checked"), Some("true" | "mixed"))
}
