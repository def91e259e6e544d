//! `devtools.*` over the fake host: console and network buffers fed by CDP events (when they start, redaction,
//! caps, incremental polling), `devtools.perf`, and argument errors.

use serde_json::{json, Value};

use crate::commands::devtools::{CONSOLE_CAPACITY, MAX_CONSOLE_TEXT_CHARS, NETWORK_CAPACITY};
use crate::host::{Debuggee, HostError};
use crate::testing::Harness;

fn req(h: &mut Harness, sid: &str, id: &str, cmd: &str, payload: Value) -> Value {
    h.request("c1", id, Some(sid), Some("L"), cmd, payload)
}

fn payload(r: &Value) -> &Value {
    assert_eq!(r["type"], "ops_response", "{r}");
    &r["payload"]
}

fn log(h: &Harness, tab: i64, kind: &str, text: &str, ts: f64) {
    h.rt.on_cdp_event(
        Debuggee::tab(tab),
        "Runtime.consoleAPICalled",
        json!({"type": kind, "args": [{"type": "string", "value": text}], "executionContextId": 1, "timestamp": ts}),
    );
}

fn texts(events: &Value) -> Vec<String> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn commands_are_routed() {
    for c in [
        "devtools.consolePoll",
        "devtools.networkPoll",
        "devtools.perf",
    ] {
        assert!(crate::commands::is_implemented(c), "{c}");
    }
}

#[test]
fn console_events_start_at_attach_and_poll_incrementally() {
    let mut h = Harness::new();
    h.host.add_tab(5, "https://example.com/", true);
    log(&h, 5, "log", "before attach", 1.0);
    let sid = h.launch("c1");
    log(&h, 5, "log", "plain", 1_700_000_000_123.4);
    log(&h, 5, "warning", "careful", 1_700_000_000_200.0);
    h.rt.on_cdp_event(
        Debuggee::tab(5),
        "Runtime.exceptionThrown",
        json!({"timestamp": 1_700_000_000_300.0, "exceptionDetails": {"text": "Uncaught",
            "exception": {"type": "object", "subtype": "error", "description": "Error: boom"}}}),
    );
    let r = req(&mut h, &sid, "p1", "devtools.consolePoll", json!({}));
    let p = payload(&r);
    assert_eq!(
        p["events"],
        json!([
            {"seq": 1, "level": "log", "text": "plain", "ts": 1_700_000_000_123u64},
            {"seq": 2, "level": "warning", "text": "careful", "ts": 1_700_000_000_200u64},
            {"seq": 3, "level": "error", "text": "Uncaught Error: boom", "ts": 1_700_000_000_300u64},
        ])
    );
    assert_eq!(p["nextSeq"], 3);
    log(&h, 5, "info", "newer", 2_000_005.0);
    let r = req(
        &mut h,
        &sid,
        "p2",
        "devtools.consolePoll",
        json!({"sinceSeq": 3}),
    );
    assert_eq!(texts(&payload(&r)["events"]), vec!["newer"]);
    assert_eq!(payload(&r)["nextSeq"], 4);
    let r = req(
        &mut h,
        &sid,
        "p3",
        "devtools.consolePoll",
        json!({"sinceSeq": 4}),
    );
    assert_eq!(
        (
            payload(&r)["events"].clone(),
            payload(&r)["nextSeq"].clone()
        ),
        (json!([]), json!(4))
    );
    let r = req(
        &mut h,
        &sid,
        "p4",
        "devtools.consolePoll",
        json!({"sinceSeq": 1, "max": 2}),
    );
    assert_eq!(
        texts(&payload(&r)["events"]),
        vec!["careful", "Uncaught Error: boom"]
    );
    assert_eq!(payload(&r)["nextSeq"], 3);
}

#[test]
fn events_while_detached_are_dropped_but_the_buffer_stays_readable() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    log(&h, 5, "log", "kept", 2_000_010.0);
    h.rt.on_detach(5, "canceled_by_user");
    log(&h, 5, "log", "replayed or late", 2_000_011.0);
    let r = req(&mut h, &sid, "p", "devtools.consolePoll", json!({}));
    assert_eq!(texts(&payload(&r)["events"]), vec!["kept"]);
    let r = req(&mut h, &sid, "perf", "devtools.perf", json!({}));
    assert_eq!(r["error"]["code"], "execution_failed", "{r}");
}

#[test]
fn events_stamped_before_the_attach_finished_are_dropped() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    let armed = h.host.0.now.get();
    // What attach.rs does when an attach completes (see TabLogs::arm).
    h.rt.with_state(|st| st.tabs.get_mut(&5).unwrap().logs.arm(armed));
    log(
        &h,
        5,
        "log",
        "replayed by Runtime.enable, delivered late",
        armed - 500.0,
    );
    log(&h, 5, "log", "after the attach", armed + 1.0);
    h.rt.on_cdp_event(
        Debuggee::tab(5),
        "Network.requestWillBeSent",
        json!({"requestId": "old", "wallTime": (armed - 10.0) / 1000.0, "timestamp": 1.0,
            "request": {"method": "GET", "url": "https://h/old"}}),
    );
    h.rt.on_cdp_event(
        Debuggee::tab(5),
        "Network.responseReceived",
        json!({"requestId": "old", "timestamp": 2.0, "response": {"url": "https://h/old", "status": 200}}),
    );
    let r = req(&mut h, &sid, "p", "devtools.consolePoll", json!({}));
    assert_eq!(texts(&payload(&r)["events"]), vec!["after the attach"]);
    let r = req(&mut h, &sid, "n", "devtools.networkPoll", json!({}));
    assert_eq!(payload(&r)["events"], json!([]));
}

#[test]
fn console_text_is_redacted_and_capped() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    log(
        &h,
        5,
        "log",
        "Authorization: Bearer abcdef0123456789abcdef",
        2_000_001.0,
    );
    log(
        &h,
        5,
        "log",
        "key abcdefghijklmnop0123456789XYZ",
        2_000_002.0,
    );
    log(&h, 5, "log", &"y ".repeat(5_000), 2_000_003.0);
    h.rt.on_cdp_event(
        Debuggee::tab(5),
        "Runtime.consoleAPICalled",
        json!({"type": "log", "timestamp": 2_000_004.0, "args": [
            {"type": "string", "value": "%s has %d"}, {"type": "string", "value": "cart"},
            {"type": "number", "value": 3, "description": "3"},
            {"type": "object", "className": "Object", "description": "Object", "preview": {"type": "object",
              "description": "Object", "overflow": false, "properties": [{"name": "a", "type": "number", "value": "1"}]}}]}),
    );
    let r = req(&mut h, &sid, "p", "devtools.consolePoll", json!({}));
    let t = texts(&payload(&r)["events"]);
    assert_eq!(t[0], "Authorization: Bearer [redacted]");
    assert_eq!(t[1], "key [redacted]");
    assert_eq!(t[2].chars().count(), MAX_CONSOLE_TEXT_CHARS + 1);
    assert_eq!(t[3], "cart has 3 {a: 1}");
}

#[test]
fn buffers_keep_the_last_events_and_max_is_capped() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    for i in 0..250 {
        log(&h, 5, "log", &format!("m{i}"), 2_000_000.0);
    }
    let r = req(
        &mut h,
        &sid,
        "p",
        "devtools.consolePoll",
        json!({"max": 10_000}),
    );
    let events = payload(&r)["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), CONSOLE_CAPACITY);
    assert_eq!(
        (events[0]["seq"].clone(), events[0]["text"].clone()),
        (json!(51), json!("m50"))
    );
    assert_eq!(payload(&r)["nextSeq"], 250);
    for i in 0..400 {
        h.rt.on_cdp_event(
            Debuggee::tab(5),
            "Network.requestWillBeSent",
            json!({"requestId": format!("R{i}"), "request": {"method": "GET", "url": "https://h/x"}, "type": "Image"}),
        );
    }
    let r = req(
        &mut h,
        &sid,
        "n",
        "devtools.networkPoll",
        json!({"max": 10_000}),
    );
    let events = payload(&r)["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), NETWORK_CAPACITY);
    assert_eq!(events[0]["seq"], 101);
    let r = req(
        &mut h,
        &sid,
        "d",
        "devtools.networkPoll",
        json!({"sinceSeq": 390}),
    );
    assert_eq!(payload(&r)["events"].as_array().unwrap().len(), 10);
    let r = req(&mut h, &sid, "z", "devtools.networkPoll", json!({"max": 0}));
    assert_eq!(
        (
            payload(&r)["events"].clone(),
            payload(&r)["nextSeq"].clone()
        ),
        (json!([]), json!(400))
    );
}

#[test]
fn network_events_from_request_response_redirect_and_failure() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    let ev = |h: &Harness, method: &str, params: Value| {
        h.rt.on_cdp_event(Debuggee::tab(5), method, params)
    };
    ev(
        &h,
        "Network.requestWillBeSent",
        json!({"requestId": "1", "timestamp": 100.0, "wallTime": 1_700_000_000.0,
        "type": "Fetch", "request": {"method": "POST", "url": "http://127.0.0.1:9/api/echo?x=secret#f"}}),
    );
    ev(
        &h,
        "Network.responseReceived",
        json!({"requestId": "1", "timestamp": 100.25, "type": "Fetch",
        "response": {"url": "http://127.0.0.1:9/api/echo?x=secret", "status": 200}}),
    );
    ev(
        &h,
        "Network.loadingFinished",
        json!({"requestId": "1", "timestamp": 100.3}),
    );
    ev(
        &h,
        "Network.requestWillBeSent",
        json!({"requestId": "2", "timestamp": 101.0, "wallTime": 1_700_000_001.0,
        "type": "Document", "request": {"method": "GET", "url": "https://h/old"}}),
    );
    ev(
        &h,
        "Network.requestWillBeSent",
        json!({"requestId": "2", "timestamp": 101.5, "wallTime": 1_700_000_001.5,
        "type": "Document", "request": {"method": "GET", "url": "https://h/reset/abcdef0123456789ABCDEF012345"},
        "redirectResponse": {"url": "https://h/old", "status": 302}}),
    );
    ev(
        &h,
        "Network.loadingFailed",
        json!({"requestId": "2", "timestamp": 102.0, "type": "Document",
        "errorText": "net::ERR_ABORTED"}),
    );
    ev(
        &h,
        "Network.responseReceived",
        json!({"requestId": "never-sent", "timestamp": 1.0,
        "response": {"url": "https://h/z", "status": 500}}),
    );
    let r = req(&mut h, &sid, "n", "devtools.networkPoll", json!({}));
    assert_eq!(
        payload(&r)["events"],
        json!([
            {"seq": 1, "method": "POST", "url": "http://127.0.0.1:9/api/echo", "resourceType": "Fetch", "ts": 1_700_000_000_000u64},
            {"seq": 2, "method": "POST", "url": "http://127.0.0.1:9/api/echo", "status": 200, "resourceType": "Fetch", "ts": 1_700_000_000_250u64},
            {"seq": 3, "method": "GET", "url": "https://h/old", "resourceType": "Document", "ts": 1_700_000_001_000u64},
            {"seq": 4, "method": "GET", "url": "https://h/old", "status": 302, "resourceType": "Document", "ts": 1_700_000_001_500u64},
            {"seq": 5, "method": "GET", "url": "https://h/reset/[redacted]", "resourceType": "Document", "ts": 1_700_000_001_500u64},
            {"seq": 6, "method": "GET", "url": "https://h/reset/[redacted]", "resourceType": "Document", "ts": 1_700_000_002_000u64,
             "errorText": "net::ERR_ABORTED"},
        ])
    );
    assert_eq!(payload(&r)["nextSeq"], 6);
}

#[test]
fn polls_name_their_target_and_validate_arguments() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    let r = req(
        &mut h,
        &sid,
        "new",
        "targets.new",
        json!({"url": "https://example.org/"}),
    );
    let other = payload(&r)["targetId"].as_str().unwrap().to_string();
    let other_tab: i64 = other.trim_start_matches("tab-").parse().unwrap();
    log(&h, other_tab, "log", "from the new tab", 2_000_000.0);
    log(&h, 5, "log", "from the root", 2_000_000.0);
    let r = req(
        &mut h,
        &sid,
        "a",
        "devtools.consolePoll",
        json!({"targetId": other}),
    );
    assert_eq!(texts(&payload(&r)["events"]), vec!["from the new tab"]);
    let r = req(
        &mut h,
        &sid,
        "b",
        "devtools.consolePoll",
        json!({"targetId": "tab-5"}),
    );
    assert_eq!(texts(&payload(&r)["events"]), vec!["from the root"]);
    let r = req(
        &mut h,
        &sid,
        "c",
        "devtools.consolePoll",
        json!({"targetId": "tab-999"}),
    );
    assert_eq!(
        (r["error"]["code"].clone(), r["error"]["message"].clone()),
        (json!("invalid_request"), json!("Unknown targetId: tab-999"))
    );
    for (id, bad) in [
        ("d", json!({"sinceSeq": -1})),
        ("e", json!({"max": "5"})),
        ("f", json!({"sinceSeq": "x"})),
    ] {
        let r = req(&mut h, &sid, id, "devtools.networkPoll", bad.clone());
        assert_eq!(r["error"]["code"], "invalid_request", "{bad}");
    }
}

#[test]
fn perf_returns_chromes_metrics() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    h.host.respond("Performance.getMetrics", |_, _| {
        Ok(json!({"metrics": [{"name": "Nodes", "value": 42}, {"name": "JSHeapUsedSize", "value": 1.5e6},
            {"name": "bad"}]}))
    });
    let r = req(&mut h, &sid, "p", "devtools.perf", json!({}));
    assert_eq!(
        payload(&r)["metrics"],
        json!([{"name": "Nodes", "value": 42.0}, {"name": "JSHeapUsedSize", "value": 1.5e6}])
    );
    assert_eq!(h.host.params_of("Performance.getMetrics"), vec![json!({})]);
    h.host
        .respond("Performance.getMetrics", |_, _| Err(HostError::new("boom")));
    let r = req(&mut h, &sid, "q", "devtools.perf", json!({}));
    assert_eq!(
        (r["error"]["code"].clone(), r["error"]["message"].clone()),
        (json!("execution_failed"), json!("boom"))
    );
}
