//! The role sets that decide which AX nodes become snapshot lines (PROTOCOL.md §4 item 3).

/// Roles kept in both modes: things an agent can act on.
pub const ACTIONABLE: &[&str] = &[
    "button",
    "link",
    "textbox",
    "searchbox",
    "textarea",
    "checkbox",
    "radio",
    "combobox",
    "listbox",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "option",
    "switch",
    "tab",
    "slider",
    "spinbutton",
    "treeitem",
    crate::dom::roles::CLICKABLE,
    crate::dom::roles::FOCUSABLE,
];

/// Roles kept only in outline mode: the page's structure.
pub const SEMANTIC: &[&str] = &[
    "heading",
    "article",
    "main",
    "navigation",
    "region",
    "section",
    "form",
    "list",
    "listitem",
    "paragraph",
    "img",
    "table",
    "row",
    "cell",
    "columnheader",
    "rowheader",
    "banner",
    "contentinfo",
    "complementary",
];

/// Whether `role` is actionable.
pub fn is_actionable(role: &str) -> bool {
    ACTIONABLE.contains(&role)
}

/// Whether `role` is semantic (outline only).
pub fn is_semantic(role: &str) -> bool {
    SEMANTIC.contains(&role)
}
