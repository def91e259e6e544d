//! Fixed-window counters keyed by IP or `path:ip`, as the original relay counts (PROTOCOL.md §1, §2).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Keys kept before expired windows are swept.
const SWEEP_AT: usize = 1024;

/// A set of fixed windows: the first hit opens a window of `window` length; counts reset after it.
pub(crate) struct RateLimiter {
    window: Duration,
    map: Mutex<HashMap<String, Window>>,
}

struct Window {
    count: usize,
    reset_at: Instant,
}

impl RateLimiter {
    /// A limiter whose windows last `window`.
    pub(crate) fn new(window: Duration) -> Self {
        RateLimiter {
            window,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt for `key`; true when the count in the current window is now over `limit`.
    pub(crate) fn hit(&self, key: &str, limit: usize) -> bool {
        self.record(key) > limit
    }

    /// Counts one event for `key` and returns the count in the current window.
    pub(crate) fn record(&self, key: &str) -> usize {
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= SWEEP_AT {
            map.retain(|_, w| w.reset_at > now);
        }
        let w = map.entry(key.to_string()).or_insert(Window {
            count: 0,
            reset_at: now + self.window,
        });
        if now > w.reset_at {
            w.count = 0;
            w.reset_at = now + self.window;
        }
        w.count = w.count.saturating_add(1);
        w.count
    }

    /// The count for `key` in its current window (0 when none or expired).
    pub(crate) fn count(&self, key: &str) -> usize {
        let now = Instant::now();
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|w| now <= w.reset_at)
            .map_or(0, |w| w.count)
    }

    /// Forgets `key` (a successful authorized upgrade or handshake clears its failures).
    pub(crate) fn clear(&self, key: &str) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_applies_after_n_hits_and_clear_resets() {
        let l = RateLimiter::new(Duration::from_secs(60));
        for _ in 0..5 {
            assert!(!l.hit("/ops:127.0.0.1", 5));
        }
        assert!(l.hit("/ops:127.0.0.1", 5));
        assert!(!l.hit("/cdp:127.0.0.1", 5), "keys are independent");
        l.clear("/ops:127.0.0.1");
        assert_eq!(l.count("/ops:127.0.0.1"), 0);
        assert!(!l.hit("/ops:127.0.0.1", 5));
    }

    #[test]
    fn window_expires() {
        let l = RateLimiter::new(Duration::from_millis(20));
        assert_eq!(l.record("k"), 1);
        assert_eq!(l.record("k"), 2);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(l.count("k"), 0);
        assert_eq!(l.record("k"), 1);
    }
}
