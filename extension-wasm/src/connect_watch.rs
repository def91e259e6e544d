//! Which `connect.html` tabs to reload: the decision half of the connect-page watch (the browser half is in
//! `connect_page`).
//!
//! Why: the launcher (tests, demo) passes `connect.html?relayPort=N` as the browser's start URL. When the
//! browser navigates that tab before our extension is registered, the navigation fails with
//! `ERR_BLOCKED_BY_CLIENT` and the page never runs, so the extension keeps dialing the default relay port.
//! Reloading the tabs present at worker start closes most of that race; a loaded tab that has not checked in
//! (sent its `connect` message) within [`CHECK_IN_MS`] is reloaded too, at most [`MAX_RELOADS`] times, which
//! closes the rest (measured under CPU load: one start in two missed the page before this watch).

use std::collections::{HashMap, HashSet};

/// How long a connect page that finished loading has to check in before its tab is reloaded, in ms. The page
/// checks in a few ms after its wasm starts; 1.5 s leaves room for a loaded machine.
pub const CHECK_IN_MS: u32 = 1_500;

/// Reloads per tab before the watch gives up on it (a page that never runs is not reloaded forever).
pub const MAX_RELOADS: u32 = 3;

/// Per-tab state of the watch, keyed by tab id.
#[derive(Debug, Default)]
pub struct Watch {
    checked_in: HashSet<i64>,
    watching: HashSet<i64>,
    reloads: HashMap<i64, u32>,
}

impl Watch {
    /// The connect page in `tab` ran (its `connect` message arrived): never reload that tab.
    pub fn check_in(&mut self, tab: i64) {
        self.checked_in.insert(tab);
        self.watching.remove(&tab);
    }

    /// A connect page finished loading in `tab`: `true` when a check-in timer should start now (not when the
    /// page already checked in or a timer is already running for the tab).
    pub fn loaded(&mut self, tab: i64) -> bool {
        !self.checked_in.contains(&tab) && self.watching.insert(tab)
    }

    /// The check-in timer of `tab` fired: `true` when the tab is to be reloaded now (counted against
    /// [`MAX_RELOADS`]).
    pub fn expired(&mut self, tab: i64) -> bool {
        if !self.watching.remove(&tab) || self.checked_in.contains(&tab) {
            return false;
        }
        let n = self.reloads.entry(tab).or_default();
        if *n >= MAX_RELOADS {
            return false;
        }
        *n += 1;
        true
    }

    /// `tab` was closed: forget it (tab ids are not reused within a browser session, this only frees memory).
    pub fn removed(&mut self, tab: i64) {
        self.checked_in.remove(&tab);
        self.watching.remove(&tab);
        self.reloads.remove(&tab);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_that_never_checks_in_is_reloaded_at_most_three_times() {
        let mut w = Watch::default();
        let mut reloads = 0;
        for _ in 0..10 {
            if w.loaded(7) && w.expired(7) {
                reloads += 1;
            }
        }
        assert_eq!(reloads, MAX_RELOADS);
    }

    #[test]
    fn a_page_that_checked_in_is_never_reloaded() {
        let mut w = Watch::default();
        assert!(w.loaded(3));
        w.check_in(3);
        assert!(!w.expired(3), "checked in while the timer ran");
        assert!(
            !w.loaded(3),
            "a later load of a checked-in tab starts no timer"
        );
    }

    #[test]
    fn one_timer_per_tab_and_tabs_are_independent() {
        let mut w = Watch::default();
        assert!(w.loaded(1));
        assert!(!w.loaded(1), "a second load event while the timer runs");
        assert!(w.loaded(2));
        w.check_in(2);
        assert!(w.expired(1));
        assert!(!w.expired(2));
        assert!(!w.expired(1), "a timer fires once");
    }

    #[test]
    fn a_removed_tab_is_forgotten() {
        let mut w = Watch::default();
        w.check_in(5);
        w.removed(5);
        assert!(w.loaded(5));
    }
}
