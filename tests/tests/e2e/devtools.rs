//! `devtools.consolePoll`, `devtools.networkPoll` and `devtools.perf` in a real browser: console events of each
//! level with DevTools-like text after the page logs them, token redaction, incremental polling with
//! `nextSeq`, nothing from before the session attached, fetches with method/status/resourceType and URLs
//! without their query string, and live performance metrics.

use std::time::Duration;

use odb_e2e::env::{nth_ref, ref_of, TestEnv};
use odb_e2e::wait_for;
use serde_json::{json, Value};

fn poll(env: &TestEnv, sid: &str, command: &str, payload: Value) -> Value {
    env.command(sid, command, payload)
        .unwrap_or_else(|e| panic!("{command} failed: {e}"))
}

fn events(page: &Value) -> Vec<Value> {
    page["events"].as_array().cloned().unwrap_or_default()
}

fn seq(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a seq: {v}"))
}

/// Polls the console from `since` until `done` holds for the events, or 15 s pass; returns the last page.
fn poll_console_until(
    env: &TestEnv,
    sid: &str,
    since: u64,
    done: impl Fn(&[Value]) -> bool,
) -> Value {
    let page = wait_for(Duration::from_secs(15), || {
        let page = poll(env, sid, "devtools.consolePoll", json!({"sinceSeq": since}));
        done(&events(&page)).then_some(page)
    });
    page.unwrap_or_else(|| {
        panic!(
            "console never matched; last: {}",
            poll(env, sid, "devtools.consolePoll", json!({"sinceSeq": since}))
        )
    })
}

fn has_text(events: &[Value], needle: &str) -> bool {
    events
        .iter()
        .any(|e| e["text"].as_str().unwrap_or("").contains(needle))
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64
}

#[test]
fn console_poll_levels_redaction_and_incremental_polling() {
    let env = TestEnv::paired();
    let sid = env.launch("console.html");
    let snap = env.snapshot(&sid, "outline");
    let logged = nth_ref(&snap, "paragraph", 1);
    let thrown = nth_ref(&snap, "paragraph", 2);

    // The buffer starts at attach: the page's load-time log (replayed by Runtime.enable) is not there.
    let start = poll(&env, &sid, "devtools.consolePoll", json!({}));
    assert!(
        !has_text(&events(&start), "fixture loaded"),
        "an event from before the attach leaked in: {start}"
    );
    let since = seq(&start["nextSeq"]);

    let before_click = now_ms();
    env.session(
        &sid,
        &[
            "click",
            "--ref",
            &ref_of(&snap, "button \"Log all levels\""),
        ],
    );
    env.wait_text_contains(&sid, &logged, "Logged: 1");
    let page = poll_console_until(&env, &sid, since, |e| e.len() >= 7);
    let got = events(&page);
    let pairs: Vec<(String, String)> = got
        .iter()
        .map(|e| {
            (
                e["level"].as_str().unwrap_or("").to_string(),
                e["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expected = [
        ("log", "plain log 1 {a: 1, b: 'x'} (3) [1, 2, 3]"),
        ("info", "info message formatted"),
        ("warning", "warn message"),
        ("error", "error message"),
        ("debug", "debug message"),
        ("log", "Authorization: Bearer [redacted]"),
        ("log", "raw token [redacted] in text"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(l, t)| (l.to_string(), t.to_string()))
        .collect();
    assert_eq!(pairs, expected, "{page}");
    let raw = page.to_string();
    assert!(
        !raw.contains("abcdef0123456789abcdef") && !raw.contains("Zm9vYmFy"),
        "a token survived: {raw}"
    );
    let seqs: Vec<u64> = got.iter().map(|e| seq(&e["seq"])).collect();
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1) && seqs[0] == since + 1,
        "{seqs:?}"
    );
    for e in &got {
        let ts = seq(&e["ts"]);
        assert!(
            ts + 5_000 >= before_click && ts <= now_ms() + 5_000,
            "ts {ts} is not the time of the click ({before_click})"
        );
    }
    let next = seq(&page["nextSeq"]);
    assert_eq!(next, *seqs.last().unwrap());

    // Only newer events after nextSeq: the uncaught exception, as an error.
    env.session(
        &sid,
        &["click", "--ref", &ref_of(&snap, "button \"Throw\"")],
    );
    env.wait_text_contains(&sid, &thrown, "Thrown: yes");
    let page = poll_console_until(&env, &sid, next, |e| !e.is_empty());
    let got = events(&page);
    assert_eq!(got.len(), 1, "{page}");
    assert_eq!(got[0]["level"], "error");
    assert_eq!(seq(&got[0]["seq"]), next + 1);
    let text = got[0]["text"].as_str().unwrap_or("");
    assert!(text.starts_with("Uncaught Error: fixture boom"), "{text}");
    let next = seq(&page["nextSeq"]);

    env.session(
        &sid,
        &[
            "click",
            "--ref",
            &ref_of(&snap, "button \"Log all levels\""),
        ],
    );
    env.wait_text_contains(&sid, &logged, "Logged: 2");
    let page = poll_console_until(&env, &sid, next, |e| e.len() >= 7);
    let got = events(&page);
    assert_eq!(got.len(), 7, "{page}");
    assert!(has_text(&got, "plain log 2"), "{page}");
    assert!(!has_text(&got, "plain log 1") && !has_text(&got, "fixture boom"));

    // max, and an idle poll at the head.
    let two = poll(
        &env,
        &sid,
        "devtools.consolePoll",
        json!({"sinceSeq": since, "max": 2}),
    );
    assert_eq!(events(&two).len(), 2);
    assert_eq!(seq(&two["nextSeq"]), since + 2);
    let head = seq(&page["nextSeq"]);
    let idle = poll(
        &env,
        &sid,
        "devtools.consolePoll",
        json!({"sinceSeq": head}),
    );
    assert_eq!((events(&idle).len(), seq(&idle["nextSeq"])), (0, head));
}

#[test]
fn network_poll_shows_fetches_without_query_strings() {
    let env = TestEnv::paired();
    let sid = env.launch("console.html");
    let snap = env.snapshot(&sid, "outline");
    let fetched = nth_ref(&snap, "paragraph", 3);
    let start = poll(&env, &sid, "devtools.networkPoll", json!({}));
    let since = seq(&start["nextSeq"]);

    env.session(
        &sid,
        &["click", "--ref", &ref_of(&snap, "button \"Fetch\"")],
    );
    env.wait_text_contains(&sid, &fetched, "Fetched: 200 404 2");
    let echo_url = env.fixtures.url("api/echo");
    let missing_url = env.fixtures.url("api/status/404");
    let find = |events: &[Value], url: &str, status: Option<u64>| -> Option<Value> {
        events
            .iter()
            .find(|e| e["url"] == url && e["status"].as_u64() == status)
            .cloned()
    };
    let page = wait_for(Duration::from_secs(15), || {
        let page = poll(
            &env,
            &sid,
            "devtools.networkPoll",
            json!({"sinceSeq": since}),
        );
        let got = events(&page);
        (find(&got, &echo_url, Some(200)).is_some()
            && find(&got, &missing_url, Some(404)).is_some())
        .then_some(page)
    })
    .unwrap_or_else(|| {
        panic!(
            "fetches never showed; last: {}",
            poll(
                &env,
                &sid,
                "devtools.networkPoll",
                json!({"sinceSeq": since})
            )
        )
    });
    let got = events(&page);
    let request = find(&got, &echo_url, None).expect("the request event");
    let response = find(&got, &echo_url, Some(200)).expect("the response event");
    for e in [
        &request,
        &response,
        &find(&got, &missing_url, Some(404)).unwrap(),
    ] {
        assert_eq!(e["method"], "GET", "{e}");
        assert_eq!(e["resourceType"], "Fetch", "{e}");
    }
    assert!(seq(&request["seq"]) < seq(&response["seq"]));
    let raw = page.to_string();
    assert!(
        !raw.contains("secret-query-value") && !raw.contains('?') && !raw.contains("#frag"),
        "query or fragment leaked: {raw}"
    );

    // Polling on from nextSeq returns none of these again.
    let next = seq(&page["nextSeq"]);
    let again = poll(
        &env,
        &sid,
        "devtools.networkPoll",
        json!({"sinceSeq": next}),
    );
    assert!(
        events(&again).iter().all(|e| seq(&e["seq"]) > next),
        "{again}"
    );
    assert!(find(&events(&again), &echo_url, Some(200)).is_none());
}

fn metric(perf: &Value, name: &str) -> f64 {
    perf["metrics"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["name"] == name))
        .and_then(|m| m["value"].as_f64())
        .unwrap_or_else(|| panic!("no {name} in {perf}"))
}

#[test]
fn perf_returns_live_metrics() {
    let env = TestEnv::paired();
    let sid = env.launch("console.html");
    let first = poll(&env, &sid, "devtools.perf", json!({}));
    assert!(metric(&first, "Nodes") > 20.0, "{first}");
    assert!(metric(&first, "JSHeapUsedSize") > 0.0, "{first}");
    assert!(metric(&first, "Documents") >= 1.0, "{first}");
    std::thread::sleep(Duration::from_millis(50));
    let second = poll(&env, &sid, "devtools.perf", json!({}));
    assert!(
        metric(&second, "Timestamp") > metric(&first, "Timestamp"),
        "metrics are read live: {first} vs {second}"
    );
}
