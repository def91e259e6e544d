//! Accessible names (a subset of accname 1.2 with the HTML-AAM native sources, in Chromium's order):
//! `aria-labelledby`, `aria-label`, native labels (`<label for>`, a wrapping `<label>`, button values, `alt`,
//! `<legend>`, `<caption>`, `<figcaption>`), the content for roles named from content, `title`, `placeholder`.
//! Text is read in the composed tree: shadow roots (open and closed) with slots filled by the host's children.

use super::doc::{Doc, ELEMENT, FRAGMENT, TEXT};
use super::roles::{name_from_content, FOCUSABLE};

/// Deepest element nesting read for a name; deeper content is ignored (pathological pages).
const MAX_DEPTH: usize = 256;
/// Longest name kept, in characters; longer names end with `…`.
pub const MAX_NAME_CHARS: usize = 200;

/// The accessible name of element `i` with role `role`, trimmed with whitespace runs folded to one space.
pub fn accessible_name(doc: &Doc<'_>, i: u32, role: &str) -> String {
    let raw = raw_name(doc, i, role);
    fold(&raw)
}

fn raw_name(doc: &Doc<'_>, i: u32, role: &str) -> String {
    if let Some(ids) = doc.attr(i, "aria-labelledby") {
        let text: Vec<String> = ids
            .split_ascii_whitespace()
            .filter_map(|id| doc.element_by_id(id))
            .map(|r| {
                nonblank(doc.attr(r, "aria-label"))
                    .map(str::to_string)
                    .unwrap_or_else(|| content_text(doc, r, None, true))
            })
            .collect();
        let joined = text.join(" ");
        if !joined.trim().is_empty() {
            return joined;
        }
    }
    if let Some(label) = nonblank(doc.attr(i, "aria-label")) {
        return label.to_string();
    }
    if let Some(native) = native_name(doc, i).filter(|s| !s.trim().is_empty()) {
        return native;
    }
    if name_from_content(role) || role == FOCUSABLE {
        // An <option> of a closed <select> has no layout object, yet its text is its name.
        let text = content_text(doc, i, None, doc.is_tag(i, "option"));
        if !text.trim().is_empty() {
            return text;
        }
    }
    if let Some(title) = nonblank(doc.attr(i, "title")) {
        return title.to_string();
    }
    nonblank(doc.attr(i, "placeholder"))
        .or_else(|| nonblank(doc.attr(i, "aria-placeholder")))
        .unwrap_or("")
        .to_string()
}

/// Names from the element's own markup (HTML-AAM).
fn native_name(doc: &Doc<'_>, i: u32) -> Option<String> {
    if doc.is_tag(i, "input") {
        let kind = doc.attr(i, "type").unwrap_or("text").to_ascii_lowercase();
        match kind.as_str() {
            "submit" | "reset" | "button" => {
                let fallback = match kind.as_str() {
                    "submit" => "Submit",
                    "reset" => "Reset",
                    _ => "",
                };
                return Some(doc.attr(i, "value").unwrap_or(fallback).to_string());
            }
            "image" => {
                return Some(
                    nonblank(doc.attr(i, "alt"))
                        .or_else(|| nonblank(doc.attr(i, "value")))
                        .unwrap_or("Submit")
                        .to_string(),
                )
            }
            _ => return label_text(doc, i),
        }
    }
    if doc.is_tag(i, "textarea") || doc.is_tag(i, "select") {
        return label_text(doc, i);
    }
    if doc.is_tag(i, "img") || doc.is_tag(i, "area") {
        return doc.attr(i, "alt").map(str::to_string);
    }
    for (container, caption) in [
        ("fieldset", "legend"),
        ("table", "caption"),
        ("figure", "figcaption"),
    ] {
        if doc.is_tag(i, container) {
            return doc
                .children(i)
                .find(|&c| doc.is_tag(c, caption))
                .map(|c| content_text(doc, c, None, false));
        }
    }
    None
}

/// The text of the control's labels: `<label for=id>` elements, then a wrapping `<label>` (without the
/// control's own text).
fn label_text(doc: &Doc<'_>, i: u32) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(id) = doc.attr(i, "id").filter(|s| !s.is_empty()) {
        for &label in doc.labels_for(id) {
            parts.push(content_text(doc, label, Some(i), false));
        }
    }
    let mut at = doc.parent(i);
    while let Some(p) = at {
        if doc.is_tag(p, "label") {
            if !doc.has_attr(p, "for") {
                parts.push(content_text(doc, p, Some(i), false));
            }
            break;
        }
        at = doc.parent(p);
    }
    let joined = parts.join(" ");
    (!joined.trim().is_empty()).then_some(joined)
}

/// The text of `i`'s content in the composed tree: rendered text nodes, `alt` of images, the value of embedded
/// text fields and selects, `aria-label` of descendants. `skip` is left out (a control inside its label);
/// `include_hidden` also reads unrendered content (what `aria-labelledby` points at may be hidden).
pub fn content_text(doc: &Doc<'_>, i: u32, skip: Option<u32>, include_hidden: bool) -> String {
    let mut reader = TextReader {
        doc,
        skip,
        include_hidden,
        out: String::new(),
        hosts: Vec::new(),
    };
    reader.children_of(i, 0);
    reader.out
}

struct TextReader<'d, 'a> {
    doc: &'d Doc<'a>,
    skip: Option<u32>,
    include_hidden: bool,
    out: String,
    hosts: Vec<u32>,
}

impl TextReader<'_, '_> {
    fn children_of(&mut self, i: u32, depth: usize) {
        if depth > MAX_DEPTH || self.out.len() > MAX_NAME_CHARS * 8 {
            return;
        }
        let doc = self.doc;
        if let Some(root) = author_shadow_root(doc, i) {
            self.hosts.push(i);
            for c in doc.children(root) {
                self.node(c, depth + 1);
            }
            self.hosts.pop();
            return;
        }
        for c in doc.children(i) {
            if doc.node_type(c) != FRAGMENT {
                self.node(c, depth + 1);
            }
        }
    }

    fn node(&mut self, n: u32, depth: usize) {
        let doc = self.doc;
        if Some(n) == self.skip {
            return;
        }
        match doc.node_type(n) {
            TEXT if self.include_hidden || doc.has_layout(n) => {
                self.out.push_str(doc.node_value(n))
            }
            ELEMENT => self.element(n, depth),
            _ => {}
        }
    }

    fn element(&mut self, n: u32, depth: usize) {
        let doc = self.doc;
        if doc.is_pseudo(n)
            || doc.attr(n, "aria-hidden") == Some("true")
            || (!self.include_hidden && !doc.rendered(n) && !doc.is_tag(n, "slot"))
            || doc.is_tag(n, "script")
            || doc.is_tag(n, "style")
        {
            return;
        }
        let block = doc
            .style(n, "display")
            .is_some_and(|d| !d.starts_with("inline") && d != "contents");
        if block {
            self.out.push(' ');
        }
        // Embedded controls give their value even when labelled (accname 1.2 step 2C; measured on Chromium).
        if doc.is_tag(n, "input") || doc.is_tag(n, "textarea") {
            self.out.push_str(embedded_value(doc, n));
        } else if doc.is_tag(n, "select") {
            self.out.push_str(&selected_option_text(doc, n));
        } else if let Some(label) = nonblank(doc.attr(n, "aria-label")) {
            self.out.push_str(label);
        } else if doc.is_tag(n, "img") {
            self.out.push_str(doc.attr(n, "alt").unwrap_or(""));
        } else if doc.is_tag(n, "br") {
            self.out.push(' ');
        } else if doc.is_tag(n, "slot") {
            self.slot(n, depth);
        } else {
            self.children_of(n, depth);
        }
        if block {
            self.out.push(' ');
        }
    }

    /// A `<slot>` shows its host's light children (the first slot takes them all), else its fallback content.
    fn slot(&mut self, n: u32, depth: usize) {
        let doc = self.doc;
        match self.hosts.pop() {
            Some(host) if doc.children(host).any(|c| doc.node_type(c) != FRAGMENT) => {
                for c in doc.children(host) {
                    if doc.node_type(c) != FRAGMENT {
                        self.node(c, depth + 1);
                    }
                }
                self.hosts.push(host);
            }
            other => {
                if let Some(h) = other {
                    self.hosts.push(h);
                }
                self.children_of(n, depth);
            }
        }
    }
}

/// The open or closed shadow root of `i`, if it hosts one (user-agent shadow roots are internals).
pub fn author_shadow_root(doc: &Doc<'_>, i: u32) -> Option<u32> {
    doc.children(i).find(|&c| {
        doc.node_type(c) == FRAGMENT && matches!(doc.shadow_root_kind(c), Some("open" | "closed"))
    })
}

/// What an embedded `<input>`/`<textarea>` contributes to a name: its value for text-like fields, else its
/// `aria-label`.
fn embedded_value<'a>(doc: &Doc<'a>, n: u32) -> &'a str {
    let kind = doc.attr(n, "type").unwrap_or("text").to_ascii_lowercase();
    match kind.as_str() {
        "checkbox" | "radio" | "hidden" | "file" | "image" | "color" => {
            doc.attr(n, "aria-label").unwrap_or("")
        }
        "password" => "",
        "button" | "submit" | "reset" => doc.attr(n, "value").unwrap_or(""),
        _ => doc.value(n).unwrap_or(""),
    }
}

/// The text of the selected `<option>` of a `<select>` (the first option when none is marked selected).
pub fn selected_option_text(doc: &Doc<'_>, select: u32) -> String {
    let mut first = None;
    let mut stack: Vec<u32> = doc.children(select).collect();
    stack.reverse();
    while let Some(n) = stack.pop() {
        if doc.is_tag(n, "option") {
            if doc.is_selected(n) {
                return fold(&content_text(doc, n, None, true));
            }
            first.get_or_insert(n);
        } else if doc.is_tag(n, "optgroup") {
            let mut kids: Vec<u32> = doc.children(n).collect();
            kids.reverse();
            stack.extend(kids);
        }
    }
    first
        .map(|n| fold(&content_text(doc, n, None, true)))
        .unwrap_or_default()
}

/// Trims, folds whitespace runs into one space, and caps at [`MAX_NAME_CHARS`] characters (`…` marks a cut).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_NAME_CHARS * 4));
    let mut count = 0usize;
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
            count += 1;
        }
        for ch in word.chars() {
            if count >= MAX_NAME_CHARS {
                out.push('…');
                return out;
            }
            out.push(ch);
            count += 1;
        }
    }
    out
}

fn nonblank(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.trim().is_empty())
}
