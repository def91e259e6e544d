//! Ops sessions, leases and ownership (PROTOCOL.md §3.3), plus the per-tab state sessions share.
//! Everything here is synchronous; the runtime keeps it in one `RefCell` and never holds it across `.await`.

use std::collections::{HashMap, HashSet};

use odb_protocol::error::{ErrorCode, OpsErrorBody};
use odb_snapshot::RefTable;

use crate::errors::{invalid_request, CmdError};
use crate::host::TabId;

/// `session.status` `state` (PROTOCOL.md §3.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionState {
    /// Owned by a connected client.
    Active,
    /// Its client left; reclaimable with the lease until `expires_at`.
    Closing,
}

impl SessionState {
    /// The wire string, `"active"` or `"closing"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Active => "active",
            SessionState::Closing => "closing",
        }
    }
}

/// One ops session.
#[derive(Clone, Debug)]
pub struct Session {
    /// `opsSessionId`.
    pub id: String,
    /// The owning client's relay `clientId`.
    pub owner: String,
    /// The lease every request must carry.
    pub lease_id: String,
    /// Active or closing.
    pub state: SessionState,
    /// When a closing session expires, ms since the epoch.
    pub expires_at: Option<f64>,
    /// Bumped on every release and reclaim, so a stale TTL timer can tell it lost.
    pub generation: u64,
    /// The first tab; closing it ends the session.
    pub root: TabId,
    /// The target commands go to when they name none.
    pub active: TabId,
    /// Every tab of the session, root first, in the order they joined.
    pub targets: Vec<TabId>,
    /// Named pages (`page.open`) and popups still being adopted (PROTOCOL.md §3.5, §3.6).
    pub pages: crate::commands::page::SessionPages,
}

impl Session {
    /// A fresh active session on `root`.
    pub fn new(id: String, owner: String, lease_id: String, root: TabId) -> Self {
        Session {
            id,
            owner,
            lease_id,
            state: SessionState::Active,
            expires_at: None,
            generation: 0,
            root,
            active: root,
            targets: vec![root],
            pages: crate::commands::page::SessionPages::default(),
        }
    }
}

/// The debugger state of one tab, shared by the sessions that use it.
#[derive(Debug, Default)]
pub struct TabState {
    /// The debugger is attached (by us).
    pub attached: bool,
    /// Why the debugger detached (`canceled_by_user`, `target_closed`); commands then fail naming it.
    pub detached_reason: Option<String>,
    /// The tab's snapshot refs.
    pub refs: RefTable,
    /// Its renderer crashed (`Inspector.targetCrashed`) and no page loaded since; CDP calls fail at once.
    pub crashed: bool,
    /// Its JavaScript dialog state (`page.dialog`).
    pub dialog: crate::commands::dialog::DialogState,
    /// Its console and network buffers (`devtools.*Poll`).
    pub logs: crate::commands::devtools::TabLogs,
    /// Its intercepted file choosers (`interact.upload`).
    pub chooser: crate::commands::upload::ChooserState,
    /// Its last pointer position and held buttons (`pointer.*`).
    pub pointer: crate::commands::pointer::PointerState,
    /// Its out-of-process iframes and their CDP sessions.
    pub frames: crate::frames::TabFrames,
}

/// The target id of a tab on the wire: `tab-<id>` (PROTOCOL.md §3.5).
pub fn target_id(tab: TabId) -> String {
    format!("tab-{tab}")
}

/// The tab of a `tab-<id>` target id.
pub fn parse_target_id(target: &str) -> Option<TabId> {
    target.strip_prefix("tab-")?.parse().ok()
}

/// All runtime state that is not a queue.
#[derive(Default)]
pub struct State {
    /// Sessions by `opsSessionId`.
    pub sessions: HashMap<String, Session>,
    /// Tabs attached or known to some session.
    pub tabs: HashMap<TabId, TabState>,
    /// (clientId, requestId) of requests not yet answered.
    pub in_flight: HashSet<(String, String)>,
    /// Every debugger attach and detach, in order (bounded).
    pub attach_log: crate::attach_log::AttachLog,
}

/// What a passed ownership check did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ownership {
    /// The client already owned the active session.
    Owner,
    /// The lease moved the session to this client; `was_closing` means `ops_session_reclaimed` is due.
    Reclaimed {
        /// The session was closing (its TTL timer is now void).
        was_closing: bool,
    },
}

impl State {
    /// The ownership check of every command but `session.launch`/`connect` (PROTOCOL.md §3.3): errors are
    /// `invalid_request "Missing opsSessionId"`, `invalid_session "Unknown ops session"`,
    /// `not_owner "Client does not own session"` and `not_owner "Lease does not match session owner"`.
    pub fn check_owner(
        &mut self,
        session_id: Option<&str>,
        client_id: &str,
        lease_id: Option<&str>,
    ) -> Result<Ownership, CmdError> {
        let session_id = session_id.map(str::trim).filter(|s| !s.is_empty());
        let Some(session_id) = session_id else {
            return Err(invalid_request("Missing opsSessionId"));
        };
        let Some(session) = self.sessions.get_mut(session_id) else {
            return Err(OpsErrorBody::new(
                ErrorCode::InvalidSession,
                "Unknown ops session",
            ));
        };
        let lease_ok = lease_id.map(str::trim) == Some(session.lease_id.as_str());
        let mut outcome = Ownership::Owner;
        if session.owner != client_id || session.state == SessionState::Closing {
            if !lease_ok {
                return Err(OpsErrorBody::new(
                    ErrorCode::NotOwner,
                    "Client does not own session",
                ));
            }
            let was_closing = session.state == SessionState::Closing;
            session.owner = client_id.to_string();
            session.state = SessionState::Active;
            session.expires_at = None;
            session.generation += 1;
            outcome = Ownership::Reclaimed { was_closing };
        }
        if !lease_ok {
            return Err(OpsErrorBody::new(
                ErrorCode::NotOwner,
                "Lease does not match session owner",
            ));
        }
        Ok(outcome)
    }

    /// Whether any session still uses `tab`.
    pub fn tab_in_use(&self, tab: TabId) -> bool {
        self.sessions.values().any(|s| s.targets.contains(&tab))
    }

    /// Removes session `id` and the state of tabs no other session uses; returns the session and the tabs
    /// whose debugger should now be detached.
    pub fn remove_session(&mut self, id: &str) -> Option<(Session, Vec<TabId>)> {
        let session = self.sessions.remove(id)?;
        let freed = self.forget_unused(&session.targets);
        Some((session, freed))
    }

    /// Drops the state of those `tabs` no session uses; returns the ones that were attached.
    pub fn forget_unused(&mut self, tabs: &[TabId]) -> Vec<TabId> {
        let mut freed = Vec::new();
        for &tab in tabs {
            if !self.tab_in_use(tab) {
                if let Some(state) = self.tabs.remove(&tab) {
                    if state.attached {
                        freed.push(tab);
                    }
                }
            }
        }
        freed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        let mut st = State::default();
        st.sessions.insert(
            "s".into(),
            Session::new("s".into(), "c1".into(), "L".into(), 5),
        );
        st
    }

    #[test]
    fn ownership_errors() {
        let mut st = state();
        assert_eq!(
            st.check_owner(None, "c1", Some("L")).unwrap_err().message,
            "Missing opsSessionId"
        );
        let e = st.check_owner(Some("x"), "c1", Some("L")).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::InvalidSession, "Unknown ops session")
        );
        let e = st.check_owner(Some("s"), "c1", Some("bad")).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::NotOwner, "Lease does not match session owner")
        );
        let e = st.check_owner(Some("s"), "c1", None).unwrap_err();
        assert_eq!(e.message, "Lease does not match session owner");
        let e = st.check_owner(Some("s"), "c2", Some("bad")).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::NotOwner, "Client does not own session")
        );
        assert_eq!(
            st.check_owner(Some("s"), "c1", Some(" L ")).unwrap(),
            Ownership::Owner
        );
    }

    #[test]
    fn lease_reclaims_for_a_new_client() {
        let mut st = state();
        st.sessions.get_mut("s").unwrap().state = SessionState::Closing;
        let out = st.check_owner(Some("s"), "c2", Some("L")).unwrap();
        assert_eq!(out, Ownership::Reclaimed { was_closing: true });
        let s = &st.sessions["s"];
        assert_eq!(
            (s.owner.as_str(), s.state, s.generation),
            ("c2", SessionState::Active, 1)
        );
    }

    #[test]
    fn shared_tabs_survive_one_session() {
        let mut st = state();
        let mut other = Session::new("t".into(), "c1".into(), "M".into(), 6);
        other.targets.push(5);
        st.sessions.insert("t".into(), other);
        for tab in [5, 6] {
            st.tabs.insert(
                tab,
                TabState {
                    attached: true,
                    ..TabState::default()
                },
            );
        }
        let (_, freed) = st.remove_session("s").unwrap();
        assert!(freed.is_empty());
        let (_, mut freed) = st.remove_session("t").unwrap();
        freed.sort();
        assert_eq!(freed, vec![5, 6]);
    }

    #[test]
    fn target_ids() {
        assert_eq!(target_id(12), "tab-12");
        assert_eq!(parse_target_id("tab-12"), Some(12));
        assert_eq!(parse_target_id("12"), None);
        assert_eq!(parse_target_id("tab-x"), None);
    }
}
