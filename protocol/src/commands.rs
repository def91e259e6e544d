//! The 52 command names the ops runtime dispatches (PROTOCOL.md §3.5), and their queue class (§3.4).

/// `session.launch`: start a session on a new, given or active tab.
pub const SESSION_LAUNCH: &str = "session.launch";
/// `session.connect`: handled identically to `session.launch`.
pub const SESSION_CONNECT: &str = "session.connect";
/// `session.status`.
pub const SESSION_STATUS: &str = "session.status";
/// `session.disconnect`.
pub const SESSION_DISCONNECT: &str = "session.disconnect";
/// `targets.list`.
pub const TARGETS_LIST: &str = "targets.list";
/// `targets.use`.
pub const TARGETS_USE: &str = "targets.use";
/// `targets.new`.
pub const TARGETS_NEW: &str = "targets.new";
/// `targets.close`.
pub const TARGETS_CLOSE: &str = "targets.close";
/// `nav.goto`.
pub const NAV_GOTO: &str = "nav.goto";
/// `nav.wait`.
pub const NAV_WAIT: &str = "nav.wait";
/// `nav.snapshot`.
pub const NAV_SNAPSHOT: &str = "nav.snapshot";
/// `interact.click`.
pub const INTERACT_CLICK: &str = "interact.click";
/// `interact.type`.
pub const INTERACT_TYPE: &str = "interact.type";
/// `interact.press`.
pub const INTERACT_PRESS: &str = "interact.press";
/// `dom.getText`.
pub const DOM_GET_TEXT: &str = "dom.getText";
/// `page.screenshot`.
pub const PAGE_SCREENSHOT: &str = "page.screenshot";

/// Every dispatched command, in PROTOCOL.md §3.5 order. Exactly 52 names.
pub const ALL: [&str; 52] = [
    "session.launch",
    "session.connect",
    "session.status",
    "session.disconnect",
    "targets.list",
    "targets.use",
    "targets.new",
    "targets.close",
    "targets.registerCanvas",
    "page.open",
    "page.list",
    "page.close",
    "nav.goto",
    "nav.wait",
    "nav.snapshot",
    "nav.review",
    "interact.click",
    "interact.hover",
    "interact.press",
    "interact.check",
    "interact.uncheck",
    "interact.type",
    "interact.select",
    "interact.scroll",
    "interact.scrollIntoView",
    "interact.upload",
    "pointer.move",
    "pointer.down",
    "pointer.up",
    "pointer.drag",
    "dom.getHtml",
    "dom.getText",
    "dom.getAttr",
    "dom.getValue",
    "dom.isVisible",
    "dom.isEnabled",
    "dom.isChecked",
    "dom.refPoint",
    "page.screenshot",
    "page.dialog",
    "devtools.consolePoll",
    "devtools.networkPoll",
    "devtools.perf",
    "storage.setCookies",
    "storage.getCookies",
    "export.clonePage",
    "export.cloneComponent",
    "canvas.overlay.mount",
    "canvas.overlay.unmount",
    "canvas.overlay.select",
    "canvas.overlay.sync",
    "canvas.applyRuntimePreviewBridge",
];

/// How a command is queued (PROTOCOL.md §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueClass {
    /// `session.launch` / `session.connect`: no session yet.
    SessionStart,
    /// FIFO per (session, target); parallel across targets.
    Target,
    /// `page.dialog`: its own FIFO per (session, target), so it can run while a click waits.
    Dialog,
    /// FIFO per session.
    Session,
}

/// The queue class of a known command name, `None` for an unknown one.
pub fn queue_class(command: &str) -> Option<QueueClass> {
    if !ALL.contains(&command) {
        return None;
    }
    Some(match command {
        SESSION_LAUNCH | SESSION_CONNECT => QueueClass::SessionStart,
        "page.dialog" => QueueClass::Dialog,
        "storage.setCookies"
        | "storage.getCookies"
        | "devtools.perf"
        | PAGE_SCREENSHOT
        | "export.clonePage"
        | "export.cloneComponent"
        | "canvas.applyRuntimePreviewBridge" => QueueClass::Target,
        c if c.starts_with("nav.")
            || c.starts_with("interact.")
            || c.starts_with("pointer.")
            || c.starts_with("dom.")
            || c.starts_with("canvas.overlay.") =>
        {
            QueueClass::Target
        }
        _ => QueueClass::Session,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_family_verb_shaped() {
        let mut seen = std::collections::HashSet::new();
        for name in ALL {
            assert!(seen.insert(name), "duplicate {name}");
            assert!(name.contains('.'), "{name} is not family.verb");
            assert!(queue_class(name).is_some());
        }
        assert_eq!(seen.len(), 52);
        assert_eq!(queue_class("nope.nope"), None);
        assert_eq!(queue_class("targets.list"), Some(QueueClass::Session));
        assert_eq!(queue_class("nav.snapshot"), Some(QueueClass::Target));
        assert_eq!(queue_class("page.dialog"), Some(QueueClass::Dialog));
        assert_eq!(
            queue_class("devtools.consolePoll"),
            Some(QueueClass::Session)
        );
    }
}
