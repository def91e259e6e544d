//! The parallelism governor (PROTOCOL.md §3.4, `parallelism-governor.ts`): how many target-scoped commands of one
//! session may run at once across different targets, how that cap shrinks under pressure and recovers, and the
//! `parallelism_backpressure` error when a slot does not come free in time.
//!
//! Model, per session:
//! - The static cap is `modeCaps.extensionOpsHeaded` (default 6). The extension cannot see memory, so the only
//!   pressure input is the age of the oldest command waiting for a slot: `>= queueAgeCriticalMs` is critical (cap =
//!   `floor`), `>= queueAgeHighMs` is high (static − 2); below that the session is healthy.
//! - Samples are taken lazily, at most once per `sampleIntervalMs`, whenever a command asks for a slot (and when
//!   one gives up waiting).
//!   A worse sample lowers the cap at once; recovery adds 1 after `recoveryStableWindows` consecutive healthy samples.
//! - A command that waits longer than `backpressureTimeoutMs` fails with `parallelism_backpressure` (retryable) and
//!   `details {sessionId, targetId, effectiveParallelCap, inFlight, waitQueueDepth, waitQueueAgeMs, pressure,
//!   timeoutMs}`.
//!
//! Invariant: `in_flight` counts slots held by running commands plus slots handed to a woken waiter that has not
//! yet picked it up; a handed-over slot is never lost, even when the waiter's timeout fires in the same tick.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use futures::channel::oneshot;
use odb_protocol::error::{ErrorCode, OpsErrorBody};
use serde_json::{json, Value};

use crate::cdp::with_timeout;
use crate::host::Host;

/// Per-session tuning, from `session.connect {parallelismPolicy}`; every field is clamped to its range.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Lowest cap under critical pressure; 1–32, default 1.
    pub floor: usize,
    /// How long a command may wait for a slot, ms; 100–120 000, default 5 000.
    pub backpressure_timeout_ms: u64,
    /// Minimum time between pressure samples, ms; 100–60 000, default 2 000.
    pub sample_interval_ms: u64,
    /// Healthy samples in a row before the cap grows by one; 1–20, default 3.
    pub recovery_stable_windows: u32,
    /// Oldest-waiter age that means high pressure, ms; 100–120 000, default 2 000.
    pub queue_age_high_ms: u64,
    /// Oldest-waiter age that means critical pressure, ms; at least `queue_age_high_ms`, at most 120 000,
    /// default 5 000.
    pub queue_age_critical_ms: u64,
    /// The static cap, `modeCaps.extensionOpsHeaded`; 1–64, default 6.
    pub static_cap: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            floor: 1,
            backpressure_timeout_ms: 5_000,
            sample_interval_ms: 2_000,
            recovery_stable_windows: 3,
            queue_age_high_ms: 2_000,
            queue_age_critical_ms: 5_000,
            static_cap: 6,
        }
    }
}

fn clamped(v: Option<&Value>, lo: u64, hi: u64, default: u64) -> u64 {
    match v.and_then(Value::as_f64) {
        Some(n) if n.is_finite() => (n.round().max(0.0) as u64).clamp(lo, hi),
        _ => default,
    }
}

impl Policy {
    /// Reads a `parallelismPolicy` object; missing, non-numeric or non-finite fields keep their defaults,
    /// out-of-range ones are clamped. `floor` never exceeds the static cap.
    pub fn from_payload(policy: Option<&Value>) -> Policy {
        let d = Policy::default();
        let Some(p) = policy.filter(|p| p.is_object()) else {
            return d;
        };
        let static_cap = clamped(
            p.pointer("/modeCaps/extensionOpsHeaded"),
            1,
            64,
            d.static_cap as u64,
        ) as usize;
        let high = clamped(p.get("queueAgeHighMs"), 100, 120_000, d.queue_age_high_ms);
        Policy {
            floor: (clamped(p.get("floor"), 1, 32, d.floor as u64) as usize).min(static_cap),
            backpressure_timeout_ms: clamped(
                p.get("backpressureTimeoutMs"),
                100,
                120_000,
                d.backpressure_timeout_ms,
            ),
            sample_interval_ms: clamped(
                p.get("sampleIntervalMs"),
                100,
                60_000,
                d.sample_interval_ms,
            ),
            recovery_stable_windows: clamped(
                p.get("recoveryStableWindows"),
                1,
                20,
                u64::from(d.recovery_stable_windows),
            ) as u32,
            queue_age_high_ms: high,
            queue_age_critical_ms: clamped(
                p.get("queueAgeCriticalMs"),
                high,
                120_000,
                d.queue_age_critical_ms.max(high),
            ),
            static_cap,
        }
    }
}

/// Pressure level of one sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pressure {
    /// No waiter older than `queueAgeHighMs`.
    Healthy,
    /// The oldest waiter is older than `queueAgeHighMs`.
    High,
    /// The oldest waiter is older than `queueAgeCriticalMs`.
    Critical,
}

impl Pressure {
    /// The wire string in `details.pressure`.
    pub fn as_str(self) -> &'static str {
        match self {
            Pressure::Healthy => "healthy",
            Pressure::High => "high",
            Pressure::Critical => "critical",
        }
    }
}

struct Waiter {
    id: u64,
    since_ms: f64,
    tx: oneshot::Sender<()>,
}

/// The governor of one session.
struct Governor {
    policy: Policy,
    cap: usize,
    in_flight: usize,
    waiters: VecDeque<Waiter>,
    next_id: u64,
    healthy_streak: u32,
    last_sample_ms: f64,
    pressure: Pressure,
}

impl Governor {
    fn new(policy: Policy) -> Self {
        Governor {
            cap: policy.static_cap,
            policy,
            in_flight: 0,
            waiters: VecDeque::new(),
            next_id: 0,
            healthy_streak: 0,
            last_sample_ms: f64::NEG_INFINITY,
            pressure: Pressure::Healthy,
        }
    }

    fn oldest_age(&self, now: f64) -> u64 {
        self.waiters
            .front()
            .map(|w| (now - w.since_ms).max(0.0) as u64)
            .unwrap_or(0)
    }

    /// Takes a sample if `sampleIntervalMs` passed since the last one, and moves the cap.
    fn sample(&mut self, now: f64) {
        if now - self.last_sample_ms < self.policy.sample_interval_ms as f64 {
            return;
        }
        self.last_sample_ms = now;
        let age = self.oldest_age(now);
        self.pressure = if age >= self.policy.queue_age_critical_ms {
            Pressure::Critical
        } else if age >= self.policy.queue_age_high_ms {
            Pressure::High
        } else {
            Pressure::Healthy
        };
        let target = match self.pressure {
            Pressure::Critical => self.policy.floor,
            Pressure::High => self.policy.static_cap.saturating_sub(2),
            Pressure::Healthy => self.policy.static_cap,
        }
        .max(self.policy.floor);
        if target < self.cap {
            self.cap = target;
            self.healthy_streak = 0;
        } else if self.pressure == Pressure::Healthy && self.cap < target {
            self.healthy_streak += 1;
            if self.healthy_streak >= self.policy.recovery_stable_windows {
                self.cap += 1;
                self.healthy_streak = 0;
            }
        } else {
            self.healthy_streak = 0;
        }
    }

    /// Hands free slots to waiters in arrival order.
    fn wake(&mut self) {
        while self.in_flight < self.cap {
            let Some(w) = self.waiters.pop_front() else {
                return;
            };
            if w.tx.send(()).is_ok() {
                self.in_flight += 1;
            }
        }
    }
}

/// The governors of all sessions.
#[derive(Clone, Default)]
pub struct Governors {
    inner: Rc<RefCell<HashMap<String, Governor>>>,
}

/// A held slot; dropping it returns the slot and wakes the next waiter.
pub struct Slot {
    governors: Governors,
    session: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut all = self.governors.inner.borrow_mut();
        if let Some(g) = all.get_mut(&self.session) {
            g.in_flight = g.in_flight.saturating_sub(1);
            g.wake();
        }
    }
}

/// A snapshot of one session's governor (diagnostics, `session.status`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GovernorState {
    /// The current effective cap.
    pub cap: usize,
    /// Slots held.
    pub in_flight: usize,
    /// Commands waiting for a slot.
    pub waiting: usize,
}

impl Governors {
    /// Installs `policy` for `session` (a fresh governor; replaces any previous one).
    pub fn configure(&self, session: &str, policy: Policy) {
        self.inner
            .borrow_mut()
            .insert(session.to_string(), Governor::new(policy));
    }

    /// Forgets `session` (its waiters fail as if the timeout ran out).
    pub fn remove(&self, session: &str) {
        self.inner.borrow_mut().remove(session);
    }

    /// The governor state of `session`, if it has one.
    pub fn state(&self, session: &str) -> Option<GovernorState> {
        self.inner.borrow().get(session).map(|g| GovernorState {
            cap: g.cap,
            in_flight: g.in_flight,
            waiting: g.waiters.len(),
        })
    }

    /// Waits for a slot of `session` for a command on `target`. Sessions without a governor get one with the
    /// default policy.
    ///
    /// # Errors
    /// `parallelism_backpressure` (retryable) when no slot is free within `backpressureTimeoutMs`.
    pub async fn acquire<H: Host>(
        &self,
        host: &H,
        session: &str,
        target: &str,
    ) -> Result<Slot, OpsErrorBody> {
        let now = host.now_ms();
        let (rx, id, timeout_ms) = {
            let mut all = self.inner.borrow_mut();
            let g = all
                .entry(session.to_string())
                .or_insert_with(|| Governor::new(Policy::default()));
            g.sample(now);
            if g.waiters.is_empty() && g.in_flight < g.cap {
                g.in_flight += 1;
                return Ok(self.slot(session));
            }
            let (tx, rx) = oneshot::channel();
            let id = g.next_id;
            g.next_id += 1;
            g.waiters.push_back(Waiter {
                id,
                since_ms: now,
                tx,
            });
            (rx, id, g.policy.backpressure_timeout_ms)
        };
        let mut rx = rx;
        if let Some(Ok(())) = with_timeout(host, timeout_ms, &mut rx).await {
            return Ok(self.slot(session));
        }
        // Timed out (or the governor is gone). A slot handed over in the same tick is kept, not lost.
        if let Ok(Some(())) = rx.try_recv() {
            return Ok(self.slot(session));
        }
        Err(self.backpressure(host.now_ms(), session, target, id, timeout_ms))
    }

    fn slot(&self, session: &str) -> Slot {
        Slot {
            governors: self.clone(),
            session: session.to_string(),
        }
    }

    /// Removes waiter `id` and builds the error, after a last sample so the reported pressure is current.
    fn backpressure(
        &self,
        now: f64,
        session: &str,
        target: &str,
        id: u64,
        timeout_ms: u64,
    ) -> OpsErrorBody {
        let mut all = self.inner.borrow_mut();
        let details = match all.get_mut(session) {
            Some(g) => {
                let age = g.oldest_age(now);
                g.sample(now);
                g.waiters.retain(|w| w.id != id);
                json!({
                    "sessionId": session,
                    "targetId": target,
                    "effectiveParallelCap": g.cap,
                    "inFlight": g.in_flight,
                    "waitQueueDepth": g.waiters.len(),
                    "waitQueueAgeMs": age,
                    "pressure": g.pressure.as_str(),
                    "timeoutMs": timeout_ms,
                })
            }
            None => json!({ "sessionId": session, "targetId": target, "timeoutMs": timeout_ms }),
        };
        OpsErrorBody::new(
            ErrorCode::ParallelismBackpressure,
            format!(
                "No parallel slot for {target} within {timeout_ms} ms; retry when earlier commands finish."
            ),
        )
        .with_details(details)
    }
}

#[cfg(test)]
#[path = "governor_tests.rs"]
mod tests;
