//! Several `/ops` clients at once against the real extension (issue 3, sessions): interleaved commands never
//! cross, a lease reclaims a released session from a new client within the TTL, and an expired session answers
//! `invalid_session`.

use std::time::Duration;

use odb_e2e::env::TestEnv;
use odb_e2e::ops::RawOps;
use serde_json::{json, Value};

fn connect(ops: &mut RawOps, url: &str, lease: &str) -> String {
    let r = ops
        .request(
            None,
            Some(lease),
            "session.connect",
            json!({"startUrl": url}),
        )
        .unwrap_or_else(|e| panic!("session.connect failed: {e}"));
    assert_eq!(r["leaseId"], lease);
    r["opsSessionId"].as_str().unwrap().to_string()
}

/// Every request id and session id a client saw in answers and events.
fn seen(ops: &RawOps) -> (Vec<String>, Vec<String>) {
    let ids = ops
        .received
        .iter()
        .filter_map(|m| m["requestId"].as_str().map(str::to_string))
        .collect();
    let sessions = ops
        .received
        .iter()
        .filter_map(|m| m["opsSessionId"].as_str().map(str::to_string))
        .collect();
    (ids, sessions)
}

#[test]
fn interleaved_clients_reclaim_within_ttl_and_expiry() {
    let env = TestEnv::paired();
    let token = env.daemon.relay_token();
    let port = env.daemon.relay_port;
    let mut a = RawOps::connect(port, &token);
    let mut b = RawOps::connect(port, &token);
    assert_ne!(a.client_id, b.client_id);
    let sa = connect(&mut a, &env.fixtures.url("index.html"), "lease-a");
    let sb = connect(&mut b, &env.fixtures.url("login.html"), "lease-b");

    // Interleave: both clients fire several commands before reading any answer.
    let mut ids_a = Vec::new();
    let mut ids_b = Vec::new();
    for i in 0..5 {
        ids_a.push(a.send(None, Some(&sa), Some("lease-a"), "nav.snapshot", json!({})));
        ids_b.push(b.send(None, Some(&sb), Some("lease-b"), "nav.snapshot", json!({})));
        let cmd = if i % 2 == 0 {
            "session.status"
        } else {
            "targets.list"
        };
        ids_a.push(a.send(
            None,
            Some(&sa),
            Some("lease-a"),
            cmd,
            json!({"includeUrls": true}),
        ));
        ids_b.push(b.send(
            None,
            Some(&sb),
            Some("lease-b"),
            cmd,
            json!({"includeUrls": true}),
        ));
    }
    for id in &ids_a {
        let r = a
            .answer(id, Duration::from_secs(30))
            .expect("a's command ok");
        if let Some(url) = r.get("url").and_then(Value::as_str) {
            assert!(url.ends_with("/index.html"), "a got b's page: {r}");
        }
    }
    for id in &ids_b {
        let r = b
            .answer(id, Duration::from_secs(30))
            .expect("b's command ok");
        if let Some(url) = r.get("url").and_then(Value::as_str) {
            assert!(url.ends_with("/login.html"), "b got a's page: {r}");
        }
    }
    a.pump(Duration::from_millis(300));
    b.pump(Duration::from_millis(300));
    let (a_ids, a_sessions) = seen(&a);
    let (b_ids, b_sessions) = seen(&b);
    // Request ids are per client (both use req-N), so cross-delivery shows as a session id from the other client.
    assert!(a_sessions.iter().all(|s| *s == sa), "a saw {a_sessions:?}");
    assert!(b_sessions.iter().all(|s| *s == sb), "b saw {b_sessions:?}");
    assert_eq!(a_ids.len(), b_ids.len(), "one answer per request each");

    // Another client's lease does not open a session it does not own.
    let err = a
        .request(Some(&sb), Some("lease-a"), "session.status", json!({}))
        .expect_err("not the owner");
    assert_eq!(err["code"], "not_owner", "{err}");

    // b leaves; c reclaims b's session with b's lease within the 20 s TTL.
    b.close();
    std::thread::sleep(Duration::from_millis(500));
    let mut c = RawOps::connect(port, &token);
    let status = c
        .request(Some(&sb), Some("lease-b"), "session.status", json!({}))
        .expect("reclaimed with the same lease");
    assert_eq!(status["state"], "active", "{status}");
    assert!(status["url"].as_str().unwrap().ends_with("/login.html"));
    c.pump(Duration::from_millis(300));
    assert!(
        c.events().contains(&"ops_session_reclaimed".to_string()),
        "c got {:?}",
        c.events()
    );
    let snap = c
        .request(Some(&sb), Some("lease-b"), "nav.snapshot", json!({}))
        .expect("reclaimed session works");
    assert!(
        snap["content"].as_str().unwrap().contains("Email"),
        "{snap}"
    );
    // A wrong lease still cannot take it.
    let err = a
        .request(Some(&sb), Some("lease-x"), "session.status", json!({}))
        .expect_err("wrong lease");
    assert_eq!(err["code"], "not_owner");

    // a leaves and nobody reclaims: after the TTL its session is gone.
    a.close();
    std::thread::sleep(Duration::from_millis(21_500));
    let err = c
        .request(Some(&sa), Some("lease-a"), "session.status", json!({}))
        .expect_err("expired");
    assert_eq!(err["code"], "invalid_session", "{err}");
    // c's own session is untouched by a's expiry.
    c.request(Some(&sb), Some("lease-b"), "session.status", json!({}))
        .expect("c's session still works");
}
