//! The bounded, sequence-numbered console and network buffers of one tab (PROTOCOL.md §3.5
//! `devtools.consolePoll` / `devtools.networkPoll`).
//!
//! Each buffer numbers its events `1, 2, 3, …` per tab; a number is never reused while the tab's state lives
//! (it is dropped when no session uses the tab any more). When a buffer is full the oldest event is evicted,
//! so a client that polls too slowly sees a jump in `seq` (the gap is the evicted events).

use std::collections::VecDeque;

use serde::Serialize;

/// How many console events a tab keeps (PROTOCOL.md §3.5: "at most the last 200").
pub const CONSOLE_CAPACITY: usize = 200;
/// How many network events a tab keeps (PROTOCOL.md §3.5: "at most the last 300").
pub const NETWORK_CAPACITY: usize = 300;
/// How many in-flight requests a tab remembers (to name the method and URL of their response or failure);
/// beyond this the oldest is forgotten and its response is not recorded.
pub const PENDING_CAPACITY: usize = 1_000;

/// One `devtools.consolePoll` event: `{seq, level, text, ts}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsoleEvent {
    /// Position in the tab's console stream, from 1, never reused.
    pub seq: u64,
    /// The `Runtime.consoleAPICalled` `type` verbatim (`log`, `info`, `warning`, `error`, `debug`, `dir`,
    /// `table`, `trace`, `assert`, `count`, `timeEnd`, …), or `error` for an uncaught exception.
    pub level: String,
    /// The formatted, redacted and capped text.
    pub text: String,
    /// When it was logged, ms since the Unix epoch.
    pub ts: u64,
}

/// One `devtools.networkPoll` event: `{seq, method, url, status?, resourceType?, ts, errorText?}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkEvent {
    /// Position in the tab's network stream, from 1, never reused.
    pub seq: u64,
    /// The HTTP method (`GET`, `POST`, …).
    pub method: String,
    /// The redacted URL: no query string, no fragment, no user info, token-like path segments replaced.
    pub url: String,
    /// The HTTP status, on response events only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// CDP `Network.ResourceType` (`Document`, `Fetch`, `XHR`, `Script`, `Image`, …), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// When it happened, ms since the Unix epoch.
    pub ts: u64,
    /// `Network.loadingFailed` `errorText` (`net::ERR_…`), on failure events only (our addition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
}

/// An event with a sequence number.
pub trait Sequenced {
    /// Its `seq`.
    fn seq(&self) -> u64;
}

impl Sequenced for ConsoleEvent {
    fn seq(&self) -> u64 {
        self.seq
    }
}

impl Sequenced for NetworkEvent {
    fn seq(&self) -> u64 {
        self.seq
    }
}

/// One poll's answer: the events after the cursor, and the cursor for the next poll.
#[derive(Clone, Debug, PartialEq)]
pub struct PollPage<T> {
    /// At most `max` events with `seq > sinceSeq`, oldest first.
    pub events: Vec<T>,
    /// The `sinceSeq` for the next poll: the last returned `seq`, or the newest `seq` when none was returned.
    pub next_seq: u64,
}

/// A ring buffer of at most `capacity` events, numbered by a counter that only grows.
#[derive(Debug)]
pub struct Ring<T> {
    items: VecDeque<T>,
    capacity: usize,
    last_seq: u64,
}

impl<T: Sequenced + Clone> Ring<T> {
    /// An empty ring keeping at most `capacity` events (at least 1).
    pub fn new(capacity: usize) -> Self {
        Ring {
            items: VecDeque::new(),
            capacity: capacity.max(1),
            last_seq: 0,
        }
    }

    /// Appends the event `make(seq)` with the next sequence number, evicting the oldest when full.
    pub fn push_with(&mut self, make: impl FnOnce(u64) -> T) {
        self.last_seq += 1;
        if self.items.len() == self.capacity {
            self.items.pop_front();
        }
        self.items.push_back(make(self.last_seq));
    }

    /// The newest sequence number handed out (0 before the first event).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// How many events are kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether no event is kept.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The first `max` kept events with `seq > since`, oldest first. A cursor beyond the newest `seq` (one from
    /// another target, or from a buffer that was since dropped) is read as 0, so the caller starts over instead
    /// of waiting for numbers that will never come. `max = 0` returns no events and the newest `seq`: a cursor
    /// meaning "only what comes after now".
    pub fn poll(&self, since: u64, max: usize) -> PollPage<T> {
        let since = if since > self.last_seq { 0 } else { since };
        let events: Vec<T> = self
            .items
            .iter()
            .filter(|e| e.seq() > since)
            .take(max)
            .cloned()
            .collect();
        let next_seq = events.last().map_or(self.last_seq, Sequenced::seq);
        PollPage { events, next_seq }
    }
}

/// What a tab remembers about a request between `Network.requestWillBeSent` and its end.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingRequest {
    /// `<CDP session id or empty>|<requestId>`.
    pub key: String,
    /// The HTTP method.
    pub method: String,
    /// The redacted URL.
    pub url: String,
    /// The resource type of the request.
    pub resource_type: Option<String>,
    /// Wall-clock ms minus monotonic ms at `requestWillBeSent`, to date later events that carry only a
    /// monotonic `timestamp`.
    pub wall_offset_ms: Option<f64>,
}

/// The console and network buffers of one tab, kept in its `TabState` for as long as a session uses the tab.
#[derive(Debug)]
pub struct TabLogs {
    /// Console events ([`CONSOLE_CAPACITY`]).
    pub console: Ring<ConsoleEvent>,
    /// Network events ([`NETWORK_CAPACITY`]).
    pub network: Ring<NetworkEvent>,
    pending: VecDeque<PendingRequest>,
    armed_at_ms: Option<f64>,
}

impl Default for TabLogs {
    fn default() -> Self {
        TabLogs {
            console: Ring::new(CONSOLE_CAPACITY),
            network: Ring::new(NETWORK_CAPACITY),
            pending: VecDeque::new(),
            armed_at_ms: None,
        }
    }
}

impl TabLogs {
    /// Marks the moment the debugger finished (re)attaching for a session, ms since the Unix epoch: from now
    /// on, events stamped earlier are dropped (see [`TabLogs::accepts`]).
    pub fn arm(&mut self, now_ms: f64) {
        self.armed_at_ms = Some(now_ms);
    }

    /// Whether an event stamped `event_ms` (ms since the epoch, `None` when it carries no time) belongs in the
    /// buffers: not when it predates [`TabLogs::arm`]. This drops the console messages V8 replays on
    /// `Runtime.enable` even when `chrome.debugger` delivers them after the attach sequence has finished
    /// (events and command answers travel separately), and events from while the debugger was detached.
    pub fn accepts(&self, event_ms: Option<f64>) -> bool {
        match (self.armed_at_ms, event_ms) {
            (Some(armed), Some(at)) => at >= armed,
            _ => true,
        }
    }

    /// Remembers an in-flight request (replacing one with the same key), forgetting the oldest beyond
    /// [`PENDING_CAPACITY`].
    pub fn remember(&mut self, request: PendingRequest) {
        self.pending.retain(|p| p.key != request.key);
        if self.pending.len() == PENDING_CAPACITY {
            self.pending.pop_front();
        }
        self.pending.push_back(request);
    }

    /// The in-flight request with `key`, if remembered.
    pub fn pending(&self, key: &str) -> Option<&PendingRequest> {
        self.pending.iter().find(|p| p.key == key)
    }

    /// Forgets the in-flight request with `key`, returning it.
    pub fn forget(&mut self, key: &str) -> Option<PendingRequest> {
        let at = self.pending.iter().position(|p| p.key == key)?;
        self.pending.remove(at)
    }

    /// How many requests are in flight.
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn console(seq: u64) -> ConsoleEvent {
        ConsoleEvent {
            seq,
            level: "log".into(),
            text: format!("m{seq}"),
            ts: 0,
        }
    }

    fn seqs(page: &PollPage<ConsoleEvent>) -> Vec<u64> {
        page.events.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn numbers_are_never_reused_after_eviction() {
        let mut ring = Ring::new(3);
        for _ in 0..5 {
            ring.push_with(console);
        }
        assert_eq!((ring.len(), ring.last_seq()), (3, 5));
        let page = ring.poll(0, 10);
        assert_eq!(seqs(&page), vec![3, 4, 5]);
        assert_eq!(page.next_seq, 5);
        ring.push_with(console);
        assert_eq!(seqs(&ring.poll(5, 10)), vec![6]);
    }

    #[test]
    fn incremental_polls_have_no_gaps_or_duplicates() {
        let mut ring = Ring::new(10);
        for _ in 0..7 {
            ring.push_with(console);
        }
        let first = ring.poll(0, 3);
        assert_eq!((seqs(&first), first.next_seq), (vec![1, 2, 3], 3));
        let second = ring.poll(first.next_seq, 3);
        assert_eq!((seqs(&second), second.next_seq), (vec![4, 5, 6], 6));
        let third = ring.poll(second.next_seq, 3);
        assert_eq!((seqs(&third), third.next_seq), (vec![7], 7));
        let idle = ring.poll(third.next_seq, 3);
        assert_eq!((seqs(&idle), idle.next_seq), (vec![], 7));
    }

    #[test]
    fn future_cursor_starts_over_and_zero_max_skips_to_now() {
        let mut ring = Ring::new(10);
        ring.push_with(console);
        ring.push_with(console);
        assert_eq!(seqs(&ring.poll(99, 10)), vec![1, 2]);
        let now = ring.poll(0, 0);
        assert_eq!((seqs(&now), now.next_seq), (vec![], 2));
        let empty: Ring<ConsoleEvent> = Ring::new(4);
        assert_eq!(empty.poll(0, 5).next_seq, 0);
        assert!(empty.is_empty());
    }

    #[test]
    fn pending_requests_are_bounded_and_replaced_by_key() {
        let mut logs = TabLogs::default();
        let req = |key: &str| PendingRequest {
            key: key.into(),
            method: "GET".into(),
            url: "u".into(),
            resource_type: None,
            wall_offset_ms: None,
        };
        logs.remember(req("a"));
        logs.remember(req("a"));
        assert_eq!(logs.pending_len(), 1);
        for i in 0..PENDING_CAPACITY {
            logs.remember(req(&i.to_string()));
        }
        assert_eq!(logs.pending_len(), PENDING_CAPACITY);
        assert!(logs.pending("a").is_none(), "the oldest was forgotten");
        assert!(logs.forget("0").is_some());
        assert!(logs.forget("0").is_none());
    }

    #[test]
    fn arming_drops_older_events() {
        let mut logs = TabLogs::default();
        assert!(logs.accepts(Some(1.0)) && logs.accepts(None));
        logs.arm(100.0);
        assert!(!logs.accepts(Some(99.9)));
        assert!(logs.accepts(Some(100.0)) && logs.accepts(None));
    }

    #[test]
    fn network_event_wire_shape() {
        let e = NetworkEvent {
            seq: 4,
            method: "GET".into(),
            url: "http://h/p".into(),
            status: Some(404),
            resource_type: Some("Fetch".into()),
            ts: 7,
            error_text: None,
        };
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"seq":4,"method":"GET","url":"http://h/p","status":404,"resourceType":"Fetch","ts":7})
        );
    }
}
