//! The runtime's own debugger attach log: every `chrome.debugger.attach`/`detach` it makes and every detach the
//! browser reports, in order. It is how tests (and users, through `session.status`) see that driving tab A never
//! detaches tab B (issue 3: multi-tab without thrashing).

use std::collections::VecDeque;

use serde::Serialize;

use crate::host::TabId;
use crate::session::target_id;

/// Entries kept; older ones are dropped first.
pub const ATTACH_LOG_CAP: usize = 256;

/// What happened to the debugger of one tab.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AttachEventKind {
    /// We attached (`chrome.debugger.attach` succeeded).
    Attach,
    /// We detached (`chrome.debugger.detach`, session cleanup or a failed enable).
    Detach,
    /// The browser detached us (`chrome.debugger.onDetach`), with its reason.
    Detached(String),
}

/// One log entry: `{targetId, event, atMs}` on the wire, `event` being `"attach"`, `"detach"` or
/// `{"detached": "<reason>"}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachEvent {
    /// `tab-<id>`.
    pub target_id: String,
    /// What happened.
    pub event: AttachEventKind,
    /// Host time, ms since the epoch.
    pub at_ms: f64,
}

/// The bounded log.
#[derive(Debug, Default)]
pub struct AttachLog {
    entries: VecDeque<AttachEvent>,
}

impl AttachLog {
    /// Appends an entry, dropping the oldest beyond [`ATTACH_LOG_CAP`].
    pub fn record(&mut self, tab: TabId, event: AttachEventKind, at_ms: f64) {
        if self.entries.len() == ATTACH_LOG_CAP {
            self.entries.pop_front();
        }
        self.entries.push_back(AttachEvent {
            target_id: target_id(tab),
            event,
            at_ms,
        });
    }

    /// The entries about `tabs`, oldest first.
    pub fn for_tabs(&self, tabs: &[TabId]) -> Vec<AttachEvent> {
        let ids: Vec<String> = tabs.iter().map(|t| target_id(*t)).collect();
        self.entries
            .iter()
            .filter(|e| ids.contains(&e.target_id))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_filtered_by_tab() {
        let mut log = AttachLog::default();
        for i in 0..(ATTACH_LOG_CAP + 10) {
            log.record((i % 2) as TabId, AttachEventKind::Attach, i as f64);
        }
        let zero = log.for_tabs(&[0]);
        assert_eq!(zero.len(), ATTACH_LOG_CAP / 2);
        assert!(zero.iter().all(|e| e.target_id == "tab-0"));
        assert_eq!(zero[0].at_ms, 10.0, "the oldest entries were dropped");
        log.record(7, AttachEventKind::Detached("canceled_by_user".into()), 1.0);
        let json = serde_json::to_value(log.for_tabs(&[7])).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"targetId": "tab-7", "event": {"detached": "canceled_by_user"}, "atMs": 1.0}])
        );
    }
}
