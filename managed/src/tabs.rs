//! [`TabMap`]: the native host's table of tabs. CDP names pages by opaque target ids; the ops runtime names tabs
//! by number (`tab-N` on the wire), so each page target gets a number from a counter starting at 1, for as long
//! as the target lives. It also records which flat session belongs to which tab, and in what role.

use std::collections::{HashMap, HashSet};

use odb_ops::TabId;

/// What a flat session is to the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The ops runtime's debugger session on the tab (`Host::attach`): events go to the runtime as
    /// `Debuggee {tab_id, session_id: None}`.
    Root(TabId),
    /// A child target auto-attached under a root (OOPIF, worker): events go as `Debuggee {tab_id, session_id}`.
    Child(TabId),
    /// The host's own session on the tab, used for `document.readyState` and `captureVisibleTab`; its events are
    /// not the runtime's business.
    Watcher(TabId),
}

#[derive(Clone, Debug, Default)]
struct Entry {
    target_id: String,
    root: Option<String>,
    watcher: Option<String>,
}

/// Tabs, their target ids and their sessions.
#[derive(Debug, Default)]
pub struct TabMap {
    next: TabId,
    tabs: HashMap<TabId, Entry>,
    by_target: HashMap<String, TabId>,
    routes: HashMap<String, Route>,
    /// Root sessions the host is detaching itself (no `on_detach` for those, as with chrome.debugger).
    detaching: HashSet<String>,
    /// Per tab, the URL of a main-frame navigation that started but has not committed (chrome.tabs'
    /// `pendingUrl`).
    pending: HashMap<TabId, String>,
    /// The tab last activated or created active.
    pub active: Option<TabId>,
}

impl TabMap {
    /// The tab number of `target_id`, allocating the next one for a target seen for the first time.
    pub fn register(&mut self, target_id: &str) -> TabId {
        if let Some(id) = self.by_target.get(target_id) {
            return *id;
        }
        self.next += 1;
        let id = self.next;
        self.by_target.insert(target_id.to_string(), id);
        self.tabs.insert(
            id,
            Entry {
                target_id: target_id.to_string(),
                ..Entry::default()
            },
        );
        id
    }

    /// The tab of `target_id`, if known.
    pub fn tab_of(&self, target_id: &str) -> Option<TabId> {
        self.by_target.get(target_id).copied()
    }

    /// The target id of `tab`, if it is known.
    pub fn target_of(&self, tab: TabId) -> Option<String> {
        self.tabs.get(&tab).map(|e| e.target_id.clone())
    }

    /// Forgets `target_id` and every session of its tab; returns the tab it was.
    pub fn remove_target(&mut self, target_id: &str) -> Option<TabId> {
        let tab = self.by_target.remove(target_id)?;
        self.tabs.remove(&tab);
        self.pending.remove(&tab);
        self.routes.retain(|_, route| route_tab(*route) != tab);
        if self.active == Some(tab) {
            self.active = None;
        }
        Some(tab)
    }

    /// The runtime's root session of `tab`.
    pub fn root(&self, tab: TabId) -> Option<String> {
        self.tabs.get(&tab).and_then(|e| e.root.clone())
    }

    /// The host's watcher session of `tab`.
    pub fn watcher(&self, tab: TabId) -> Option<String> {
        self.tabs.get(&tab).and_then(|e| e.watcher.clone())
    }

    /// Records `session` in `route` (a root or watcher session also becomes the tab's).
    pub fn add_session(&mut self, session: &str, route: Route) {
        match route {
            Route::Root(tab) => {
                if let Some(e) = self.tabs.get_mut(&tab) {
                    e.root = Some(session.to_string());
                }
            }
            Route::Watcher(tab) => {
                if let Some(e) = self.tabs.get_mut(&tab) {
                    e.watcher = Some(session.to_string());
                }
            }
            Route::Child(_) => {}
        }
        self.routes.insert(session.to_string(), route);
    }

    /// Where `session`'s messages belong.
    pub fn route(&self, session: &str) -> Option<Route> {
        self.routes.get(session).copied()
    }

    /// Forgets `session`. Forgetting a root also forgets the tab's child sessions (Chrome detaches them with it).
    /// Returns its route.
    pub fn remove_session(&mut self, session: &str) -> Option<Route> {
        let route = self.routes.remove(session)?;
        match route {
            Route::Root(tab) => {
                if let Some(e) = self.tabs.get_mut(&tab) {
                    e.root = None;
                }
                self.routes
                    .retain(|_, r| !matches!(r, Route::Child(t) if *t == tab));
            }
            Route::Watcher(tab) => {
                if let Some(e) = self.tabs.get_mut(&tab) {
                    e.watcher = None;
                }
            }
            Route::Child(_) => {}
        }
        Some(route)
    }

    /// Marks `session` as being detached by the host itself.
    pub fn mark_detaching(&mut self, session: &str) {
        self.detaching.insert(session.to_string());
    }

    /// Whether `session` was detached by the host itself (and forgets the mark).
    pub fn take_detaching(&mut self, session: &str) -> bool {
        self.detaching.remove(session)
    }

    /// Records that `tab`'s main frame started navigating to `url`.
    pub fn set_pending(&mut self, tab: TabId, url: &str) {
        self.pending.insert(tab, url.to_string());
    }

    /// The navigation of `tab` committed, or stopped.
    pub fn clear_pending(&mut self, tab: TabId) {
        self.pending.remove(&tab);
    }

    /// The URL `tab` is navigating to, if a main-frame navigation is pending.
    pub fn pending(&self, tab: TabId) -> Option<String> {
        self.pending.get(&tab).cloned()
    }

    /// Every known tab, ascending.
    pub fn tabs(&self) -> Vec<TabId> {
        let mut tabs: Vec<TabId> = self.tabs.keys().copied().collect();
        tabs.sort_unstable();
        tabs
    }
}

fn route_tab(route: Route) -> TabId {
    match route {
        Route::Root(t) | Route::Child(t) | Route::Watcher(t) => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_get_stable_numbers_from_one() {
        let mut map = TabMap::default();
        assert_eq!(map.register("AAA"), 1);
        assert_eq!(map.register("BBB"), 2);
        assert_eq!(map.register("AAA"), 1);
        assert_eq!(map.target_of(2).as_deref(), Some("BBB"));
        assert_eq!(map.remove_target("AAA"), Some(1));
        assert_eq!(map.register("CCC"), 3, "numbers are never reused");
        assert_eq!(map.tabs(), vec![2, 3]);
    }

    #[test]
    fn removing_a_root_drops_its_children_only() {
        let mut map = TabMap::default();
        let a = map.register("A");
        let b = map.register("B");
        map.add_session("ra", Route::Root(a));
        map.add_session("ca", Route::Child(a));
        map.add_session("wa", Route::Watcher(a));
        map.add_session("rb", Route::Root(b));
        map.add_session("cb", Route::Child(b));
        assert_eq!(map.remove_session("ra"), Some(Route::Root(a)));
        assert_eq!(map.root(a), None);
        assert_eq!(map.route("ca"), None);
        assert_eq!(map.route("wa"), Some(Route::Watcher(a)));
        assert_eq!(map.route("cb"), Some(Route::Child(b)));
        assert_eq!(map.root(b).as_deref(), Some("rb"));
    }

    #[test]
    fn removing_a_target_forgets_its_sessions_and_activity() {
        let mut map = TabMap::default();
        let a = map.register("A");
        map.add_session("ra", Route::Root(a));
        map.active = Some(a);
        map.set_pending(a, "http://x/");
        assert_eq!(map.pending(a).as_deref(), Some("http://x/"));
        map.remove_target("A");
        assert_eq!(map.pending(a), None);
        assert_eq!(map.route("ra"), None);
        assert_eq!(map.active, None);
        assert!(map.mark_and_take("x"));
    }

    impl TabMap {
        fn mark_and_take(&mut self, s: &str) -> bool {
            self.mark_detaching(s);
            self.take_detaching(s) && !self.take_detaching(s)
        }
    }
}
