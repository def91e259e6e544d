//! Runtime tests over the fake host: hello, dispatch errors, launch and attach.

use serde_json::{json, Value};

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
fn hello_ack_ping_and_version_mismatch() {
    let mut h = Harness::new();
    h.feed(json!({"type":"ops_hello","version":"1","clientId":"c1"}));
    h.feed(json!({"type":"ops_hello","version":"2","clientId":"c1"}));
    h.feed(json!({"type":"ops_ping","id":"p","clientId":"c1"}));
    let sent = h.take_sent();
    assert_eq!(sent[0]["type"], "ops_hello_ack");
    assert_eq!(sent[0]["maxPayloadBytes"], 12582912);
    assert_eq!(sent[1]["requestId"], "ops_hello");
    assert_eq!(sent[1]["error"]["code"], "not_supported");
    assert_eq!(
        sent[1]["error"]["details"],
        json!({"supported":["1"],"received":"2"})
    );
    assert_eq!(sent[2], json!({"type":"ops_pong","id":"p","clientId":"c1"}));
}

#[test]
fn unknown_unimplemented_and_malformed() {
    let mut h = Harness::new();
    let r = h.request("c1", "a", None, None, "nope.nope", json!({}));
    assert_eq!(
        err(&r),
        pair("invalid_request", "Unknown ops command: nope.nope")
    );
    let r = h.request(
        "c1",
        "b",
        Some("s"),
        Some("L"),
        "canvas.overlay.mount",
        json!({}),
    );
    assert_eq!(
        err(&r),
        pair(
            "not_supported",
            "canvas.overlay.mount is not implemented in this build."
        )
    );
    h.feed(json!({"type":"ops_request","requestId":"c","command":"session.status"}));
    assert_eq!(
        err(&h.answer("c")),
        pair("invalid_request", "Missing clientId")
    );
    h.rt.handle_relay_message("{");
    assert_eq!(err(h.take_sent().last().unwrap()).1, "Invalid ops message.");
}

#[test]
fn launch_with_start_url_creates_an_active_tab_and_enables_domains_in_order() {
    let mut h = Harness::new();
    let r = h.request(
        "c1",
        "l",
        None,
        Some(" lease-1 "),
        "session.launch",
        json!({"startUrl":"https://a.test/x"}),
    );
    let p = &r["payload"];
    assert_eq!(p["activeTargetId"], "tab-100");
    assert_eq!(p["leaseId"], "lease-1");
    assert_eq!(p["url"], "https://a.test/x");
    assert_eq!(r["opsSessionId"], p["opsSessionId"]);
    assert_eq!(
        *h.host.0.log.borrow(),
        vec!["create https://a.test/x true", "attach 100"]
    );
    assert_eq!(
        h.host.methods(),
        vec![
            "Target.setAutoAttach",
            "Page.enable",
            "Runtime.enable",
            "Network.enable",
            "Performance.enable",
            "Target.setDiscoverTargets"
        ]
    );
    assert_eq!(
        h.host.params_of("Target.setAutoAttach")[0],
        json!({"autoAttach":true,"waitForDebuggerOnStart":false,"flatten":true})
    );
    let sent = h.take_sent();
    let created = sent
        .iter()
        .position(|m| m["event"] == "ops_session_created")
        .unwrap();
    let response = sent
        .iter()
        .position(|m| m["type"] == "ops_response")
        .unwrap();
    assert!(created < response, "event before response");
    assert_eq!(
        sent[created]["payload"],
        json!({"tabId":100,"targetId":"tab-100"})
    );
    assert_eq!(sent[created]["clientId"], "c1");
    assert_eq!(h.rt.attached_tabs(), vec![100]);
}

#[test]
fn launch_start_url_checks() {
    let mut h = Harness::new();
    for (i, (url, code)) in [
        ("chrome://settings", "restricted_url"),
        (
            "https://chromewebstore.google.com/detail/x",
            "restricted_url",
        ),
        ("javascript:alert(1)", "restricted_url"),
        ("not a url", "invalid_request"),
    ]
    .into_iter()
    .enumerate()
    {
        let r = h.request(
            "c1",
            &format!("r{i}"),
            None,
            None,
            "session.connect",
            json!({"startUrl": url}),
        );
        assert_eq!(err(&r).0, code, "{url}");
    }
    assert_eq!(err(&h.answer("r3")).1, "Invalid startUrl");
    assert!(h.host.0.log.borrow().is_empty(), "no tab created");
}

#[test]
fn launch_with_tab_id_and_active_tab_fallbacks() {
    let mut h = Harness::new();
    let r = h.request(
        "c1",
        "a",
        None,
        None,
        "session.connect",
        json!({"tabId": 99}),
    );
    assert_eq!(err(&r), pair("invalid_request", "Unknown tabId: 99"));
    let r = h.request("c1", "b", None, None, "session.connect", json!({}));
    assert_eq!(err(&r), pair("ops_unavailable", "No active tab to attach."));
    assert_eq!(r["error"]["retryable"], true);
    h.host.add_tab(1, "chrome://newtab/", true);
    h.host.add_tab(2, "http://127.0.0.1:8000/", false);
    let r = h.request("c1", "c", None, None, "session.connect", json!({}));
    assert_eq!(
        r["payload"]["activeTargetId"], "tab-2",
        "restricted active tab falls back to the first http(s) tab"
    );
    let r = h.request(
        "c1",
        "d",
        None,
        None,
        "session.connect",
        json!({"tabId": 2, "sessionId": "fixed"}),
    );
    assert_eq!(r["payload"]["opsSessionId"], "fixed");
    assert_eq!(
        h.host
            .0
            .log
            .borrow()
            .iter()
            .filter(|l| *l == "attach 2")
            .count(),
        1,
        "an attached tab is reused"
    );
}

#[test]
fn attach_conflict_is_cdp_attach_failed_without_retry() {
    let mut h = Harness::new();
    h.host.add_tab(5, "https://example.com/", true);
    h.host.0.attach_errors.borrow_mut().insert(
        5,
        "Another debugger is already attached to the tab with id: 5.".into(),
    );
    let r = h.request(
        "c1",
        "a",
        None,
        None,
        "session.connect",
        json!({"tabId": 5}),
    );
    assert_eq!(r["error"]["code"], "cdp_attach_failed");
    assert_eq!(r["error"]["details"]["stage"], "attach");
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
    h.host
        .0
        .attach_errors
        .borrow_mut()
        .insert(5, "Cannot access a chrome:// URL".into());
    let r = h.request(
        "c1",
        "b",
        None,
        None,
        "session.connect",
        json!({"tabId": 5}),
    );
    assert_eq!(r["error"]["code"], "restricted_url");
}

#[test]
fn enable_failure_detaches_and_reports_the_stage() {
    let mut h = Harness::new();
    h.host.add_tab(5, "https://example.com/", true);
    h.host.respond("Network.enable", |_, _| {
        Err(crate::HostError::new("Internal error"))
    });
    let r = h.request(
        "c1",
        "a",
        None,
        None,
        "session.connect",
        json!({"tabId": 5}),
    );
    assert_eq!(r["error"]["code"], "cdp_attach_failed");
    assert_eq!(
        r["error"]["details"],
        json!({"stage":"Network.enable","message":"Internal error"})
    );
    assert_eq!(*h.host.0.log.borrow(), vec!["attach 5", "detach 5"]);
    assert!(h.rt.attached_tabs().is_empty());
}

#[test]
fn malformed_and_wrong_shape_messages_get_invalid_request() {
    let mut h = Harness::new();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    h.rt.handle_relay_message(&deep);
    h.rt.handle_relay_message("\u{feff}{}");
    h.rt.handle_relay_message(r#"{"type":"ops_request","requestId":{},"command":"x"}"#);
    h.rt.handle_relay_message(r#"{"type":"ops_request","requestId":"r9","clientId":"c1"}"#);
    h.rt.handle_relay_message(r#"{"type":"ops_response","requestId":"r","payload":{}}"#);
    h.drain();
    let sent = h.take_sent();
    assert_eq!(sent.len(), 5);
    for m in &sent {
        assert_eq!(err(m), pair("invalid_request", "Invalid ops message."));
    }
    assert_eq!(sent[2]["requestId"], "unknown");
    assert_eq!(
        (sent[3]["requestId"].clone(), sent[3]["clientId"].clone()),
        (json!("r9"), json!("c1"))
    );
}

#[test]
fn parallel_cap_from_the_policy_gives_backpressure_across_targets() {
    let mut h = Harness::new();
    h.host.add_tab(5, "https://example.com/", true);
    h.host.add_tab(6, "https://example.com/two", false);
    let r = h.request(
        "c1",
        "launch",
        None,
        Some("L"),
        "session.connect",
        json!({"tabId": 5, "parallelismPolicy": {
            "modeCaps": {"extensionOpsHeaded": 1}, "backpressureTimeoutMs": 100
        }}),
    );
    let sid = r["payload"]["opsSessionId"].as_str().unwrap().to_string();
    h.host
        .0
        .delays
        .borrow_mut()
        .insert("Page.captureScreenshot".into(), 3_000);
    h.submit("slow", &sid, "page.screenshot", json!({}));
    h.submit(
        "other",
        &sid,
        "dom.getText",
        json!({"targetId": "tab-6", "ref": "r1"}),
    );
    h.submit("status", &sid, "session.status", json!({}));
    h.run_for(100);
    let err = h.answer("other");
    assert_eq!(err["error"]["code"], "parallelism_backpressure", "{err}");
    assert_eq!(err["error"]["retryable"], true);
    assert_eq!(err["error"]["details"]["targetId"], "tab-6");
    assert_eq!(err["error"]["details"]["effectiveParallelCap"], 1);
    assert_eq!(err["error"]["details"]["inFlight"], 1);
    assert_eq!(
        h.answer("status")["type"],
        "ops_response",
        "session-queue commands take no slot"
    );
    h.run_for(3_000);
    assert_eq!(h.answer("slow")["type"], "ops_response");
}

#[test]
fn a_crash_fails_in_flight_calls_at_once_until_the_next_page() {
    let (mut h, sid) = crate::command_tests::with_snapshot();
    h.host
        .0
        .delays
        .borrow_mut()
        .insert("Runtime.callFunctionOn".into(), 60_000);
    h.submit("t1", &sid, "dom.getText", json!({"ref": "r1"}));
    h.run_for(500);
    assert!(h.answer("t1").is_null(), "still pending");
    h.rt.on_cdp_event(
        crate::host::Debuggee::tab(5),
        "Inspector.targetCrashed",
        json!({}),
    );
    h.settle();
    let (code, message) = err(&h.answer("t1"));
    assert_eq!(code, "execution_failed");
    assert!(message.starts_with("The page crashed (tab-5)"), "{message}");
    // Refs died with the renderer; calls fail at once until a page loads again.
    h.host.0.delays.borrow_mut().clear();
    let r = h.request("c1", "t2", Some(&sid), Some("L"), "nav.snapshot", json!({}));
    assert!(err(&r).1.starts_with("The page crashed"), "{r}");
    h.rt.on_cdp_event(
        crate::host::Debuggee::tab(5),
        "Page.frameNavigated",
        json!({"frame": {"id": "main", "url": "https://example.com/"}}),
    );
    let r = h.request("c1", "t3", Some(&sid), Some("L"), "nav.snapshot", json!({}));
    assert_eq!(r["type"], "ops_response", "{r}");
}

#[test]
fn a_closed_tab_fails_in_flight_calls_at_once() {
    let (mut h, sid) = crate::command_tests::with_snapshot();
    h.host.add_tab(6, "https://example.com/six", false);
    h.host
        .0
        .delays
        .borrow_mut()
        .insert("Runtime.callFunctionOn".into(), 60_000);
    h.submit("t1", &sid, "dom.getText", json!({"ref": "r1"}));
    h.run_for(500);
    h.rt.on_detach(5, "target_closed");
    h.settle();
    let (code, message) = err(&h.answer("t1"));
    assert_eq!(code, "execution_failed");
    assert!(message.contains("target_closed"), "{message}");
}

#[test]
fn commands_under_an_open_dialog_fail_fast_until_it_closes() {
    let (mut h, sid) = crate::command_tests::with_snapshot();
    h.rt.on_cdp_event(
        crate::host::Debuggee::tab(5),
        "Page.javascriptDialogOpening",
        json!({"type": "confirm", "message": "Sure?", "url": "https://example.com/", "defaultPrompt": ""}),
    );
    let r = h.request("c1", "s1", Some(&sid), Some("L"), "nav.snapshot", json!({}));
    let (code, message) = err(&r);
    assert_eq!(code, "execution_failed");
    assert_eq!(
        message,
        "A JavaScript confirm dialog is open on tab-5; answer it with page.dialog (accept or dismiss) first."
    );
    h.rt.on_cdp_event(
        crate::host::Debuggee::tab(5),
        "Page.javascriptDialogClosed",
        json!({"result": true, "userInput": ""}),
    );
    let r = h.request("c1", "s2", Some(&sid), Some("L"), "nav.snapshot", json!({}));
    assert_eq!(r["type"], "ops_response", "{r}");
}
