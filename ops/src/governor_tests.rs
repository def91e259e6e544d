//! Governor tests on the fake clock: clamping, slots across targets, hand-over order, backpressure details,
//! pressure shrinking the cap and healthy samples growing it back.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::json;

use super::*;
use crate::testing::Harness;

type Log = Rc<RefCell<Vec<String>>>;

/// Spawns a command that takes a slot of `s1` for `target`, logs `got <target>` (or the error code), holds the
/// slot `hold_ms`, then logs `done <target>`.
fn spawn_cmd(h: &Harness, g: &Governors, target: &'static str, hold_ms: u64, log: &Log) {
    let (g, host, log) = (g.clone(), h.host.clone(), Rc::clone(log));
    h.host.spawn(Box::pin(async move {
        match g.acquire(&host, "s1", target).await {
            Ok(slot) => {
                log.borrow_mut().push(format!("got {target}"));
                host.sleep_ms(hold_ms).await;
                drop(slot);
                log.borrow_mut().push(format!("done {target}"));
            }
            Err(e) => log.borrow_mut().push(format!(
                "{} {target} {}",
                e.code.as_str(),
                serde_json::to_string(&e.details).unwrap()
            )),
        }
    }));
}

#[test]
fn policy_is_clamped_and_defaults_fill_gaps() {
    assert_eq!(Policy::from_payload(None), Policy::default());
    let p = Policy::from_payload(Some(&json!({
        "floor": 99, "backpressureTimeoutMs": 5, "sampleIntervalMs": "fast",
        "queueAgeHighMs": 3000, "queueAgeCriticalMs": 1000,
        "modeCaps": {"extensionOpsHeaded": 4}
    })));
    assert_eq!(p.static_cap, 4);
    assert_eq!(
        p.floor, 4,
        "floor 32 clamped, then capped by the static cap"
    );
    assert_eq!(p.backpressure_timeout_ms, 100);
    assert_eq!(p.sample_interval_ms, 2_000, "non-numeric keeps the default");
    assert_eq!(
        p.queue_age_critical_ms, 3_000,
        "critical is never below high"
    );
    let p = Policy::from_payload(Some(&json!({"modeCaps": {"extensionOpsHeaded": 1000}})));
    assert_eq!(p.static_cap, 64);
}

#[test]
fn cap_limits_parallel_targets_and_hands_over_in_order() {
    let mut h = Harness::new();
    let g = Governors::default();
    g.configure(
        "s1",
        Policy::from_payload(Some(&json!({"modeCaps": {"extensionOpsHeaded": 2}}))),
    );
    let log: Log = Rc::default();
    spawn_cmd(&h, &g, "a", 1_000, &log);
    spawn_cmd(&h, &g, "b", 2_000, &log);
    spawn_cmd(&h, &g, "c", 100, &log);
    spawn_cmd(&h, &g, "d", 100, &log);
    h.settle();
    assert_eq!(*log.borrow(), ["got a", "got b"]);
    assert_eq!(
        g.state("s1"),
        Some(GovernorState {
            cap: 2,
            in_flight: 2,
            waiting: 2
        })
    );
    h.run_for(1_000);
    assert_eq!(*log.borrow(), ["got a", "got b", "done a", "got c"]);
    h.run_for(100);
    assert_eq!(log.borrow()[4..], ["done c", "got d"]);
    h.run_for(2_000);
    assert_eq!(
        g.state("s1"),
        Some(GovernorState {
            cap: 2,
            in_flight: 0,
            waiting: 0
        })
    );
}

#[test]
fn waiting_past_the_timeout_is_backpressure_with_details() {
    let mut h = Harness::new();
    let g = Governors::default();
    g.configure(
        "s1",
        Policy::from_payload(Some(&json!({
            "modeCaps": {"extensionOpsHeaded": 1}, "backpressureTimeoutMs": 500
        }))),
    );
    let log: Log = Rc::default();
    spawn_cmd(&h, &g, "a", 10_000, &log);
    spawn_cmd(&h, &g, "b", 10, &log);
    h.run_for(499);
    assert_eq!(*log.borrow(), ["got a"]);
    h.run_for(1);
    let line = log.borrow()[1].clone();
    let (head, details) = line.split_at(line.find('{').unwrap());
    assert_eq!(head, "parallelism_backpressure b ");
    let details: serde_json::Value = serde_json::from_str(details).unwrap();
    assert_eq!(
        details,
        json!({"sessionId": "s1", "targetId": "b", "effectiveParallelCap": 1, "inFlight": 1,
               "waitQueueDepth": 0, "waitQueueAgeMs": 500, "pressure": "healthy", "timeoutMs": 500})
    );
    let e = OpsErrorBody::new(ErrorCode::ParallelismBackpressure, "x");
    assert!(e.retryable);
    // The failed waiter left no trace: the slot of `a` frees cleanly and the next command runs at once.
    h.run_for(10_000);
    spawn_cmd(&h, &g, "c", 10, &log);
    h.settle();
    assert_eq!(log.borrow().last().unwrap(), "got c");
}

#[test]
fn old_waiters_shrink_the_cap_and_healthy_samples_grow_it_back() {
    let mut h = Harness::new();
    let g = Governors::default();
    g.configure(
        "s1",
        Policy::from_payload(Some(&json!({
            "modeCaps": {"extensionOpsHeaded": 4}, "backpressureTimeoutMs": 60_000,
            "sampleIntervalMs": 100, "queueAgeHighMs": 1_000, "queueAgeCriticalMs": 3_000,
            "recoveryStableWindows": 2
        }))),
    );
    let log: Log = Rc::default();
    for t in ["a", "b", "c", "d"] {
        spawn_cmd(&h, &g, t, 10_000, &log);
    }
    spawn_cmd(&h, &g, "e", 10, &log);
    h.run_for(1_500);
    // A new arrival samples: the oldest waiter is 1.5 s old -> high -> cap 4 - 2.
    spawn_cmd(&h, &g, "f", 10, &log);
    h.settle();
    assert_eq!(g.state("s1").unwrap().cap, 2);
    h.run_for(2_000);
    spawn_cmd(&h, &g, "g", 10, &log);
    h.settle();
    assert_eq!(g.state("s1").unwrap().cap, 1, "critical -> floor");
    // Everything drains one at a time; then healthy samples add one slot per two samples.
    h.run_for(20_000);
    assert_eq!(g.state("s1").unwrap().waiting, 0);
    for i in 0..6 {
        h.run_for(200);
        let slot = futures::executor::block_on(g.acquire(&h.host, "s1", "z")).unwrap();
        drop(slot);
        let _ = i;
    }
    assert_eq!(g.state("s1").unwrap().cap, 4, "recovered to the static cap");
    assert!(log.borrow().iter().all(|l| !l.starts_with("parallelism")));
}
