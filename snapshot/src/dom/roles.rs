//! The role of a DOM element: its explicit `role` attribute (first known token), else the implicit role of
//! HTML-AAM as Chromium exposes it, plus two pseudo-roles for elements that are interactive only through script
//! or CSS ([`CLICKABLE`], [`FOCUSABLE`]; chosen in [`super::walk`]).

use super::doc::Doc;

/// Pseudo-role of an element that handles clicks (a click listener or `cursor: pointer`) but has no
/// interactive role. Declared divergence: the AX tree shows these as ignored `generic` nodes.
pub const CLICKABLE: &str = "clickable";
/// Pseudo-role of an element made keyboard-focusable by `tabindex` but without an interactive role.
pub const FOCUSABLE: &str = "focusable";

/// ARIA roles accepted from a `role` attribute (WAI-ARIA 1.2 plus `none`/`presentation`).
const KNOWN_ROLES: &[&str] = &[
    "alert",
    "alertdialog",
    "application",
    "article",
    "banner",
    "blockquote",
    "button",
    "caption",
    "cell",
    "checkbox",
    "code",
    "columnheader",
    "combobox",
    "complementary",
    "contentinfo",
    "definition",
    "deletion",
    "dialog",
    "directory",
    "document",
    "emphasis",
    "feed",
    "figure",
    "form",
    "generic",
    "grid",
    "gridcell",
    "group",
    "heading",
    "img",
    "image",
    "insertion",
    "link",
    "list",
    "listbox",
    "listitem",
    "log",
    "main",
    "marquee",
    "math",
    "menu",
    "menubar",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "meter",
    "navigation",
    "none",
    "note",
    "option",
    "paragraph",
    "presentation",
    "progressbar",
    "radio",
    "radiogroup",
    "region",
    "row",
    "rowgroup",
    "rowheader",
    "scrollbar",
    "search",
    "searchbox",
    "separator",
    "slider",
    "spinbutton",
    "status",
    "strong",
    "subscript",
    "superscript",
    "switch",
    "tab",
    "table",
    "tablist",
    "tabpanel",
    "term",
    "textbox",
    "time",
    "timer",
    "toolbar",
    "tooltip",
    "tree",
    "treegrid",
    "treeitem",
];

/// The role of element `i`: `Some("button")`, or `None` for no role of interest (generic, presentational).
/// `textbox` covers `<textarea>` and `contenteditable` roots; `img` covers `role="image"`.
pub fn role_of<'a>(doc: &Doc<'a>, i: u32) -> Option<&'a str> {
    if let Some(explicit) = doc.attr(i, "role") {
        if let Some(token) = explicit
            .split_ascii_whitespace()
            .map(|t| KNOWN_ROLES.iter().find(|k| k.eq_ignore_ascii_case(t)))
            .find_map(|k| k.copied())
        {
            return match token {
                "none" | "presentation" | "generic" => None,
                "image" => Some("img"),
                other => Some(other),
            };
        }
    }
    implicit_role(doc, i)
}

fn implicit_role<'a>(doc: &Doc<'a>, i: u32) -> Option<&'a str> {
    let name = doc.node_name(i);
    let tag = |t: &str| name.eq_ignore_ascii_case(t);
    let role = if tag("a") || tag("area") {
        return doc.has_attr(i, "href").then_some("link");
    } else if tag("button") || tag("summary") {
        "button"
    } else if tag("input") {
        return input_role(doc, i);
    } else if tag("textarea") {
        "textbox"
    } else if tag("select") {
        let multiple = doc.has_attr(i, "multiple");
        let size = doc
            .attr(i, "size")
            .and_then(|s| s.trim().parse::<u32>().ok())
            .unwrap_or(0);
        if multiple || size > 1 {
            "listbox"
        } else {
            "combobox"
        }
    } else if tag("option") {
        "option"
    } else if is_heading(name) {
        "heading"
    } else if tag("nav") {
        "navigation"
    } else if tag("main") {
        "main"
    } else if tag("aside") {
        "complementary"
    } else if tag("article") {
        "article"
    } else if tag("header") {
        return (!in_sectioning(doc, i)).then_some("banner");
    } else if tag("footer") {
        return (!in_sectioning(doc, i)).then_some("contentinfo");
    } else if tag("section") {
        return has_own_label(doc, i).then_some("region");
    } else if tag("form") {
        // Chromium 156 exposes every <form> as `form`, named or not (measured: login.ax.json).
        "form"
    } else if tag("ul") || tag("ol") || tag("menu") {
        "list"
    } else if tag("li") {
        "listitem"
    } else if tag("p") {
        "paragraph"
    } else if tag("img") {
        return (doc.attr(i, "alt") != Some("")).then_some("img");
    } else if tag("table") {
        "table"
    } else if tag("tr") {
        "row"
    } else if tag("td") {
        "cell"
    } else if tag("th") {
        return Some(match doc.attr(i, "scope") {
            Some(s) if s.eq_ignore_ascii_case("row") || s.eq_ignore_ascii_case("rowgroup") => {
                "rowheader"
            }
            _ => "columnheader",
        });
    } else if is_editable_root(doc, i) {
        "textbox"
    } else {
        return None;
    };
    Some(role)
}

/// `h1` ... `h6`.
fn is_heading(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 2 && b[0].eq_ignore_ascii_case(&b'h') && (b'1'..=b'6').contains(&b[1])
}

/// The role of an `<input>` by its `type` (HTML-AAM).
fn input_role<'a>(doc: &Doc<'a>, i: u32) -> Option<&'a str> {
    let kind = doc.attr(i, "type").unwrap_or("text").to_ascii_lowercase();
    let listed = doc.has_attr(i, "list");
    Some(match kind.as_str() {
        "hidden" => return None,
        "button" | "submit" | "reset" | "image" | "file" | "color" => "button",
        "checkbox" => "checkbox",
        "radio" => "radio",
        "range" => "slider",
        "number" => "spinbutton",
        "search" if listed => "combobox",
        "search" => "searchbox",
        _ if listed => "combobox",
        _ => "textbox",
    })
}

/// A `contenteditable` element whose parent is not editable (the root of an editing host).
fn is_editable_root(doc: &Doc<'_>, i: u32) -> bool {
    let editable = |n: u32| {
        doc.attr(n, "contenteditable").is_some_and(|v| {
            v.is_empty()
                || v.eq_ignore_ascii_case("true")
                || v.eq_ignore_ascii_case("plaintext-only")
        })
    };
    editable(i) && !doc.parent(i).is_some_and(editable)
}

/// `<header>`/`<footer>` inside `article`, `aside`, `main`, `nav` or `section` are not landmarks.
fn in_sectioning(doc: &Doc<'_>, i: u32) -> bool {
    let mut at = doc.parent(i);
    while let Some(p) = at {
        if ["article", "aside", "main", "nav", "section"]
            .iter()
            .any(|t| doc.is_tag(p, t))
        {
            return true;
        }
        at = doc.parent(p);
    }
    false
}

/// `aria-label`, `aria-labelledby` or `title` present: a `<section>` with a name is a landmark.
fn has_own_label(doc: &Doc<'_>, i: u32) -> bool {
    ["aria-label", "aria-labelledby", "title"]
        .iter()
        .any(|a| doc.attr(i, a).is_some_and(|v| !v.trim().is_empty()))
}

/// Roles whose name comes from their content when nothing else names them (accname 1.2 "name from content",
/// as Chromium applies it: not `row`, `listitem` or `paragraph`).
pub fn name_from_content(role: &str) -> bool {
    matches!(
        role,
        "button"
            | "link"
            | "heading"
            | "cell"
            | "gridcell"
            | "columnheader"
            | "rowheader"
            | "option"
            | "tab"
            | "menuitem"
            | "menuitemcheckbox"
            | "menuitemradio"
            | "treeitem"
            | "checkbox"
            | "radio"
            | "switch"
            | "tooltip"
            | CLICKABLE
    )
}

/// Elements that are focusable without `tabindex`.
pub fn natively_focusable(doc: &Doc<'_>, i: u32) -> bool {
    ["button", "input", "select", "textarea", "summary", "iframe"]
        .iter()
        .any(|t| doc.is_tag(i, t))
        || ((doc.is_tag(i, "a") || doc.is_tag(i, "area")) && doc.has_attr(i, "href"))
}
