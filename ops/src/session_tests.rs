//! Session tests over the fake host: ownership, leases, TTL, disconnects, tab events, queues, targets.

use serde_json::{json, Value};

use crate::session::SessionState;
use crate::testing::Harness;

fn err(v: &Value) -> (String, String) {
    assert_eq!(v["type"], "ops_error", "expected an error, got {v}");
    (
        v["error"]["code"].as_str().unwrap().into(),
        v["error"]["message"].as_str().unwrap().into(),
    )
}

fn pair(code: &str, msg: &str) -> (String, String) {
    (code.to_string(), msg.to_string())
}

#[test]
fn ownership_errors() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    let r = h.request("c1", "a", None, Some("L"), "session.status", json!({}));
    assert_eq!(err(&r), pair("invalid_request", "Missing opsSessionId"));
    let r = h.request(
        "c1",
        "b",
        Some("nope"),
        Some("L"),
        "session.status",
        json!({}),
    );
    assert_eq!(err(&r), pair("invalid_session", "Unknown ops session"));
    let r = h.request(
        "c1",
        "c",
        Some(&sid),
        Some("other"),
        "session.status",
        json!({}),
    );
    assert_eq!(
        err(&r),
        pair("not_owner", "Lease does not match session owner")
    );
    let r = h.request(
        "c2",
        "d",
        Some(&sid),
        Some("other"),
        "session.status",
        json!({}),
    );
    assert_eq!(err(&r), pair("not_owner", "Client does not own session"));
    let r = h.request(
        "c1",
        "e",
        Some(&sid),
        Some("L"),
        "session.status",
        json!({}),
    );
    assert_eq!(
        r["payload"],
        json!({"mode":"extension","activeTargetId":"tab-5","url":"https://example.com/","title":"Tab 5",
               "dialog":{"open":false,"targetId":"tab-5"},"leaseId":"L","state":"active",
               "attachLog":[{"targetId":"tab-5","event":"attach","atMs":1_000_000.0}]})
    );
    assert_eq!(r["opsSessionId"], sid.as_str());
    assert_eq!(r["clientId"], "c1");
}

#[test]
fn client_disconnect_releases_and_lease_reclaims_from_a_new_client() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    h.take_sent();
    h.feed(json!({"type":"ops_event","clientId":"c1","event":"ops_client_disconnected","payload":{"at":1}}));
    assert_eq!(
        h.events(),
        vec![("ops_session_released".to_string(), "c1".to_string())]
    );
    let state = h.rt.with_state(|st| st.sessions[&sid].state);
    assert_eq!(state, SessionState::Closing);
    h.run_for(5_000);
    let r = h.request(
        "c2",
        "a",
        Some(&sid),
        Some("L"),
        "session.status",
        json!({}),
    );
    assert_eq!(r["payload"]["state"], "active");
    assert!(h
        .events()
        .contains(&("ops_session_reclaimed".to_string(), "c2".to_string())));
    h.run_for(30_000);
    assert!(
        !h.events().iter().any(|(e, _)| e == "ops_session_expired"),
        "reclaim voids the TTL"
    );
    assert_eq!(h.rt.session_ids(), vec![sid.clone()]);
    let r = h.request(
        "c1",
        "b",
        Some(&sid),
        Some("L"),
        "session.status",
        json!({}),
    );
    assert_eq!(
        r["payload"]["state"], "active",
        "the lease moves ownership back too"
    );
}

#[test]
fn closing_session_expires_after_ttl() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    h.feed(
        json!({"type":"ops_event","clientId":"c1","event":"ops_client_disconnected","payload":{}}),
    );
    h.take_sent();
    h.run_for(19_000);
    assert!(h.events().is_empty());
    h.run_for(1_000);
    assert_eq!(
        h.events(),
        vec![("ops_session_expired".to_string(), "c1".to_string())]
    );
    assert!(h.host.0.log.borrow().contains(&"detach 5".to_string()));
    assert!(h.rt.session_ids().is_empty());
    let r = h.request(
        "c2",
        "a",
        Some(&sid),
        Some("L"),
        "session.status",
        json!({}),
    );
    assert_eq!(err(&r).0, "invalid_session");
}

#[test]
fn disconnect_answers_first_then_closes() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    h.take_sent();
    h.request(
        "c1",
        "x",
        Some(&sid),
        Some("L"),
        "session.disconnect",
        json!({"closeBrowser": true}),
    );
    let sent = h.take_sent();
    assert_eq!(sent[0]["payload"], json!({"ok":true}));
    assert_eq!(sent[1]["event"], "ops_session_closed");
    assert_eq!(sent[1]["payload"], json!({"tabId":5,"targetId":"tab-5"}));
    assert!(h.host.0.log.borrow().contains(&"detach 5".to_string()));
    assert!(
        !h.host.0.log.borrow().iter().any(|l| l.starts_with("close")),
        "tabs stay open"
    );
}

#[test]
fn relay_loss_cleans_up_silently() {
    let mut h = Harness::new();
    h.launch("c1");
    h.take_sent();
    h.rt.on_relay_disconnected();
    h.drain();
    assert!(h.rt.session_ids().is_empty());
    assert!(h.take_sent().is_empty());
    assert!(h.host.0.log.borrow().contains(&"detach 5".to_string()));
}

#[test]
fn root_tab_removal_ends_the_session_with_tab_closed() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    let r = h.request(
        "c1",
        "n",
        Some(&sid),
        Some("L"),
        "targets.new",
        json!({"url":"https://b.test/"}),
    );
    assert_eq!(r["payload"]["targetId"], "tab-100");
    h.take_sent();
    h.host.0.tabs.borrow_mut().remove(&5);
    h.rt.on_tab_removed(5);
    h.drain();
    assert_eq!(
        h.events(),
        vec![("ops_tab_closed".to_string(), "c1".to_string())]
    );
    assert!(h.rt.session_ids().is_empty());
    assert!(h.host.0.log.borrow().contains(&"detach 100".to_string()));
}

#[test]
fn user_cancel_detach_fails_next_command_without_reattach() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    h.rt.on_detach(5, "canceled_by_user");
    let r = h.request(
        "c1",
        "g",
        Some(&sid),
        Some("L"),
        "nav.goto",
        json!({"url":"https://example.com/2"}),
    );
    let (code, msg) = err(&r);
    assert_eq!(code, "execution_failed");
    assert!(
        msg.starts_with("Debugger detached: canceled_by_user"),
        "{msg}"
    );
    assert_eq!(
        h.host
            .0
            .log
            .borrow()
            .iter()
            .filter(|l| l.starts_with("attach"))
            .count(),
        1
    );
    let r = h.request(
        "c1",
        "re",
        None,
        Some("L"),
        "session.connect",
        json!({"tabId":5,"sessionId":sid}),
    );
    assert_eq!(
        r["payload"]["activeTargetId"], "tab-5",
        "an explicit connect attaches again"
    );
    assert_eq!(h.rt.attached_tabs(), vec![5]);
}

#[test]
fn same_target_is_fifo_other_targets_run_in_parallel() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    h.request(
        "c1",
        "n",
        Some(&sid),
        Some("L"),
        "targets.new",
        json!({"url":"https://b.test/"}),
    );
    h.host.0.calls.borrow_mut().clear();
    h.host
        .0
        .delays
        .borrow_mut()
        .insert("Page.navigate".into(), 1_000);
    let goto = |id: &str, url: &str, target: &str| {
        json!({"type":"ops_request","requestId":id,"clientId":"c1","opsSessionId":sid,"leaseId":"L",
               "command":"nav.goto","payload":{"url":url,"targetId":target}})
    };
    h.rt.handle_relay_message(&goto("g1", "https://example.com/1", "tab-5").to_string());
    h.rt.handle_relay_message(&goto("g2", "https://example.com/2", "tab-5").to_string());
    h.rt.handle_relay_message(&goto("g3", "https://b.test/3", "tab-100").to_string());
    h.settle();
    let urls: Vec<Value> = h
        .host
        .params_of("Page.navigate")
        .iter()
        .map(|p| p["url"].clone())
        .collect();
    assert_eq!(
        urls,
        vec![json!("https://example.com/1"), json!("https://b.test/3")],
        "g2 waits, g3 does not"
    );
    h.drain();
    let calls: Vec<(i64, String)> = h
        .host
        .0
        .calls
        .borrow()
        .iter()
        .map(|(t, m, _)| (*t, m.clone()))
        .collect();
    let tab5: Vec<&str> = calls
        .iter()
        .filter(|(t, _)| *t == 5)
        .map(|(_, m)| m.as_str())
        .collect();
    assert_eq!(
        tab5,
        vec![
            "Page.navigate",
            "Runtime.evaluate",
            "Page.navigate",
            "Runtime.evaluate"
        ]
    );
    for id in ["g1", "g2", "g3"] {
        assert_eq!(h.answer(id)["type"], "ops_response", "{id}");
    }
}

#[test]
fn duplicate_in_flight_request_id_is_refused() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    h.host
        .0
        .delays
        .borrow_mut()
        .insert("Page.navigate".into(), 1_000);
    let msg = json!({"type":"ops_request","requestId":"dup","clientId":"c1","opsSessionId":sid,"leaseId":"L",
                     "command":"nav.goto","payload":{"url":"https://example.com/1"}});
    h.rt.handle_relay_message(&msg.to_string());
    h.rt.handle_relay_message(&msg.to_string());
    h.settle();
    assert_eq!(
        err(&h.answer("dup")),
        pair("invalid_request", "Duplicate requestId: dup")
    );
    h.drain();
    let answers: Vec<Value> = h
        .take_sent()
        .into_iter()
        .filter(|m| m["requestId"] == "dup")
        .collect();
    assert_eq!(answers.len(), 2);
    assert_eq!(
        answers[1]["type"], "ops_response",
        "the first request is unaffected"
    );
    h.rt.handle_relay_message(&msg.to_string());
    h.request(
        "c2",
        "dup",
        None,
        None,
        "session.connect",
        json!({"tabId": 99}),
    );
    let c2: Vec<Value> = h
        .take_sent()
        .into_iter()
        .filter(|m| m["clientId"] == "c2")
        .collect();
    assert_eq!(
        err(&c2[0]).1,
        "Unknown tabId: 99",
        "request ids are scoped per client"
    );
}

#[test]
fn targets_list_use_close() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    h.request("c1", "n", Some(&sid), Some("L"), "targets.new", json!({}));
    assert!(h
        .host
        .0
        .log
        .borrow()
        .contains(&"create about:blank false".to_string()));
    assert!(h.host.0.log.borrow().contains(&"activate 100".to_string()));
    let r = h.request(
        "c1",
        "l",
        Some(&sid),
        Some("L"),
        "targets.list",
        json!({"includeUrls": true}),
    );
    assert_eq!(r["payload"]["activeTargetId"], "tab-100");
    assert_eq!(
        r["payload"]["targets"][0],
        json!({"targetId":"tab-5","type":"page","title":"Tab 5","url":"https://example.com/"})
    );
    let r = h.request(
        "c1",
        "u",
        Some(&sid),
        Some("L"),
        "targets.use",
        json!({"targetId":"tab-5"}),
    );
    assert_eq!(r["payload"]["activeTargetId"], "tab-5");
    let r = h.request(
        "c1",
        "u2",
        Some(&sid),
        Some("L"),
        "targets.use",
        json!({"targetId":"tab-9"}),
    );
    assert_eq!(err(&r), pair("invalid_request", "Unknown targetId: tab-9"));
    assert_eq!(
        h.rt.attached_tabs(),
        vec![5, 100],
        "both tabs stay attached"
    );
    let r = h.request(
        "c1",
        "c",
        Some(&sid),
        Some("L"),
        "targets.close",
        json!({"targetId":"tab-100"}),
    );
    assert_eq!(r["payload"], json!({"ok":true}));
    assert_eq!(h.rt.attached_tabs(), vec![5]);
    h.take_sent();
    h.request(
        "c1",
        "c2",
        Some(&sid),
        Some("L"),
        "targets.close",
        json!({"targetId":"tab-5"}),
    );
    assert_eq!(
        h.events(),
        vec![("ops_session_closed".to_string(), "c1".to_string())]
    );
    assert!(h.rt.session_ids().is_empty());
}
