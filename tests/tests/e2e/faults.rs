//! Faults (issue 3, scope 5), each in a real browser with the real extension: every one is a typed error, nothing is
//! left hanging, and the session (or the other tabs) keeps working afterwards.
//!
//! Not here: the user cancelling the debugger infobar (`canceled_by_user`). Headless Chromium shows no infobar and
//! nothing outside the user can produce that detach reason; the runtime's handling of it (typed error, no automatic
//! re-attach) is covered by `ops/src/session_tests.rs`.

use std::time::{Duration, Instant};

use odb_e2e::cdp::BrowserCdp;
use odb_e2e::env::{ref_of, TestEnv};
use odb_e2e::ops::RawOps;
use odb_e2e::paths::fixtures_dir;
use serde_json::{json, Value};

const LEASE: Option<&str> = Some("lease-f");

fn start(ops: &mut RawOps, url: &str) -> (String, String) {
    let r = ops
        .request(None, LEASE, "session.connect", json!({"startUrl": url}))
        .unwrap_or_else(|e| panic!("session.connect: {e}"));
    (
        r["opsSessionId"].as_str().unwrap().to_string(),
        r["activeTargetId"].as_str().unwrap().to_string(),
    )
}

fn snapshot(ops: &mut RawOps, sid: &str, target: &str) -> String {
    ops.request(
        Some(sid),
        LEASE,
        "nav.snapshot",
        json!({"targetId": target}),
    )
    .unwrap_or_else(|e| panic!("snapshot: {e}"))["content"]
        .as_str()
        .unwrap()
        .to_string()
}

fn code(err: &Value) -> &str {
    err["code"].as_str().unwrap_or_default()
}

#[test]
fn malformed_envelopes_unknown_commands_and_duplicate_request_ids() {
    let env = TestEnv::paired();
    let mut ops = RawOps::connect(env.daemon.relay_port, &env.daemon.relay_token());
    let (sid, target) = start(&mut ops, &env.fixtures.url("faults.html"));

    ops.send_raw("{not json");
    let bad = ops
        .wait_for(Duration::from_secs(5), |m| m["type"] == "ops_error")
        .expect("an ops_error for malformed JSON");
    assert_eq!(bad["error"]["code"], "invalid_request", "{bad}");

    let errors = |ops: &RawOps| {
        ops.received
            .iter()
            .filter(|m| m["type"] == "ops_error")
            .count()
    };
    let before = errors(&ops);
    ops.send_raw(r#"{"type":"ops_request","command":"nav.snapshot"}"#);
    ops.pump(Duration::from_secs(2));
    assert_eq!(errors(&ops), before + 1, "{:?}", ops.received);
    let missing = ops
        .received
        .iter()
        .rev()
        .find(|m| m["type"] == "ops_error")
        .unwrap()
        .clone();
    assert_eq!(missing["error"]["code"], "invalid_request", "{missing}");

    let unknown = ops
        .request(Some(&sid), LEASE, "nav.teleport", json!({}))
        .expect_err("unknown command");
    assert_eq!(
        (code(&unknown), unknown["message"].as_str().unwrap()),
        ("invalid_request", "Unknown ops command: nav.teleport")
    );

    // Two requests with one id: the second is refused at once, the first still completes on its own.
    let notes = ref_of(&snapshot(&mut ops, &sid, &target), "textbox \"Notes\"");
    ops.send(
        Some("dup"),
        Some(&sid),
        LEASE,
        "nav.wait",
        json!({"ref": notes, "state": "hidden", "timeoutMs": 1500}),
    );
    ops.send(Some("dup"), Some(&sid), LEASE, "session.status", json!({}));
    let dup = ops
        .wait_for(Duration::from_secs(5), |m| {
            m["requestId"] == "dup" && m["type"] == "ops_error"
        })
        .expect("duplicate refused");
    assert_eq!(dup["error"]["message"], "Duplicate requestId: dup", "{dup}");
    let first = ops
        .wait_for(Duration::from_secs(10), |m| {
            m["requestId"] == "dup" && m["error"]["code"] == "timeout"
        })
        .expect("the first request still answers (its wait times out)");
    assert_eq!(first["error"]["retryable"], true);

    // The socket and the session survived all of it.
    assert!(!ops.closed);
    assert!(snapshot(&mut ops, &sid, &target).contains("Navigate soon"));
}

#[test]
fn restricted_urls_are_typed_and_the_session_survives() {
    let env = TestEnv::paired();
    let sid = env.launch("faults.html");
    for url in [
        "chrome://settings",
        "chrome-extension://abcdefghijklmnopabcdefghijklmnop/page.html",
        "https://chromewebstore.google.com/detail/some-extension/abcdefghijklmnopabcdefghijklmnop",
        "https://chrome.google.com/webstore/detail/abcdefghijklmnopabcdefghijklmnop",
        "file:///etc/passwd",
        "javascript:alert(1)",
    ] {
        let run = env
            .daemon
            .cli(&["goto", "--session-id", &sid, "--url", url]);
        assert_eq!(run.code, 2, "{url}: {run:?}");
        assert!(
            run.stderr.contains("[restricted_url]"),
            "{url}: {}",
            run.stderr
        );
    }
    let launch = env
        .daemon
        .cli(&["launch", "--start-url", "chrome://version"]);
    assert_eq!(launch.code, 2, "{launch:?}");
    assert!(launch.stderr.contains("[restricted_url]"), "{launch:?}");

    env.session(&sid, &["goto", "--url", &env.fixtures.url("login.html")]);
    assert!(env.snapshot(&sid, "outline").contains("textbox \"Email\""));
}

#[test]
fn tab_closed_or_navigated_mid_command_answers_at_once() {
    let env = TestEnv::paired();
    let mut ops = RawOps::connect(env.daemon.relay_port, &env.daemon.relay_token());
    let (sid, a) = start(&mut ops, &env.fixtures.url("faults.html"));
    let b = ops.new_target(&sid, LEASE, &env.fixtures.url("login.html"));
    let email = ref_of(&snapshot(&mut ops, &sid, &b), "textbox \"Email\"");

    // Tab B closes while a 20 s wait on it is pending.
    let wait = ops.send(
        None,
        Some(&sid),
        LEASE,
        "nav.wait",
        json!({"targetId": b, "ref": email, "state": "hidden", "timeoutMs": 20_000}),
    );
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    ops.request(Some(&sid), LEASE, "targets.close", json!({"targetId": b}))
        .expect("targets.close");
    let closed = ops.answer(&wait, Duration::from_secs(10));
    let took = asked.elapsed();
    println!(
        "tab closed mid-wait -> answer in {} ms: {closed:?}",
        took.as_millis()
    );
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    match &closed {
        // The element went away with its tab: "hidden" is satisfied...
        Ok(v) => assert!(v.get("timingMs").is_some(), "{v}"),
        // ...or the tab is reported gone, with a typed error.
        Err(e) => assert!(
            matches!(code(e), "invalid_request" | "execution_failed"),
            "{e}"
        ),
    }
    let listed = ops
        .request(Some(&sid), LEASE, "targets.list", json!({}))
        .expect("targets.list");
    assert_eq!(
        listed["targets"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );

    // Tab A hides "Notes" and navigates 400 ms later, while a wait for Notes to show again is pending: the
    // stale-ref error as soon as the page is gone, not at the 20 s deadline.
    let snap = snapshot(&mut ops, &sid, &a);
    let soon = ref_of(&snap, "button \"Navigate soon\"");
    let notes = ref_of(&snap, "textbox \"Notes\"");
    ops.request(Some(&sid), LEASE, "interact.click", json!({"ref": soon}))
        .expect("click");
    let asked = Instant::now();
    let stale = ops
        .request(
            Some(&sid),
            LEASE,
            "nav.wait",
            json!({"ref": notes, "state": "visible", "timeoutMs": 20_000}),
        )
        .expect_err("the page navigated away");
    println!(
        "navigation mid-wait -> answer in {} ms",
        asked.elapsed().as_millis()
    );
    assert!(asked.elapsed() < Duration::from_secs(5));
    assert_eq!(
        stale["message"],
        format!("Unknown ref: {notes}. Take a new snapshot first."),
        "{stale}"
    );
    assert!(snapshot(&mut ops, &sid, &a).contains("OpenDevBrowser fixtures"));
}

#[test]
fn renderer_crash_mid_command_is_typed_and_other_tabs_work() {
    let env = TestEnv::paired_with(|o| o.remote_debugging_port = Some(0));
    let mut ops = RawOps::connect(env.daemon.relay_port, &env.daemon.relay_token());
    let (sid, a) = start(&mut ops, &env.fixtures.url("faults.html"));
    let b = ops.new_target(&sid, LEASE, &env.fixtures.url("login.html"));
    let notes = ref_of(&snapshot(&mut ops, &sid, &a), "textbox \"Notes\"");
    let wait = ops.send(
        None,
        Some(&sid),
        LEASE,
        "nav.wait",
        json!({"targetId": a, "ref": notes, "state": "hidden", "timeoutMs": 20_000}),
    );
    std::thread::sleep(Duration::from_millis(300));

    let mut cdp = BrowserCdp::connect(&env.browser_ws_url());
    let page = cdp.attach_page("faults.html");
    cdp.send("Page.crash", json!({}), Some(&page));
    let asked = Instant::now();
    let answer = ops.answer(&wait, Duration::from_secs(25));
    println!(
        "renderer crash mid-wait -> answer in {} ms: {answer:?}",
        asked.elapsed().as_millis()
    );
    assert!(asked.elapsed() < Duration::from_secs(10));
    if let Err(e) = &answer {
        assert!(!code(e).is_empty(), "typed: {e}");
    }
    // A command on the crashed tab answers with a typed error or works after a reload, never hangs.
    let after = ops.request(Some(&sid), LEASE, "nav.snapshot", json!({"targetId": a}));
    println!("snapshot of the crashed tab: {after:?}");
    if let Err(e) = &after {
        assert!(!code(e).is_empty(), "typed: {e}");
    }
    // The other tab is unaffected.
    assert!(snapshot(&mut ops, &sid, &b).contains("textbox \"Email\""));
    // Navigating the crashed tab brings it back.
    ops.request(
        Some(&sid),
        LEASE,
        "nav.goto",
        json!({"targetId": a, "url": env.fixtures.url("index.html")}),
    )
    .expect("goto on the crashed tab");
    assert!(snapshot(&mut ops, &sid, &a).contains("OpenDevBrowser fixtures"));
}

/// Measured on Chromium 156: a second extension holding `chrome.debugger` on a tab does NOT make our attach fail
/// ("Another debugger is already attached" is not raised between extensions any more). So this checks the real
/// behaviour: both debuggers coexist, ours drives the page, and theirs is never detached by us. The runtime's typed
/// `cdp_attach_failed` for that message (no retry) is covered by `ops/src/runtime_tests.rs`.
#[test]
fn another_extensions_debugger_coexists_with_ours() {
    let env = TestEnv::paired_with(|o| {
        o.extra_extension_dirs = vec![fixtures_dir().join("other-extension")];
    });
    let mut ops = RawOps::connect(env.daemon.relay_port, &env.daemon.relay_token());
    let claimed = format!("{}?claim=1", env.fixtures.url("login.html"));
    let (sid, target) = start(&mut ops, &claimed);
    let email = ref_of(&snapshot(&mut ops, &sid, &target), "textbox \"Email\"");
    ops.request(
        Some(&sid),
        LEASE,
        "interact.type",
        json!({"ref": email, "text": "both@example.com"}),
    )
    .expect("type while another extension is attached");
    let value = ops
        .request(Some(&sid), LEASE, "dom.getValue", json!({"ref": email}))
        .expect("dom.getValue");
    assert_eq!(value["value"], "both@example.com");
    ops.request(Some(&sid), LEASE, "session.disconnect", json!({}))
        .expect("disconnect");
    std::thread::sleep(Duration::from_millis(500));
    let log = env.browser_log();
    assert!(
        log.contains("[other-extension] attached to tab"),
        "the other extension attached first: {log}"
    );
    assert!(
        !log.contains("[other-extension] detached"),
        "we never detach another extension's debugger"
    );
}

#[test]
fn relay_drop_mid_request_then_a_new_session_on_the_same_tab() {
    let mut env = TestEnv::paired();
    let mut ops = RawOps::connect(env.daemon.relay_port, &env.daemon.relay_token());
    let (sid, target) = start(&mut ops, &env.fixtures.url("faults.html"));
    let notes = ref_of(&snapshot(&mut ops, &sid, &target), "textbox \"Notes\"");
    let wait = ops.send(
        None,
        Some(&sid),
        LEASE,
        "nav.wait",
        json!({"ref": notes, "state": "hidden", "timeoutMs": 30_000}),
    );
    std::thread::sleep(Duration::from_millis(300));
    env.daemon.kill();
    ops.pump(Duration::from_secs(2));
    assert!(ops.closed, "the client sees the relay go away");
    assert!(
        !ops.received.iter().any(|m| m["requestId"] == wait.as_str()),
        "no answer can arrive from a dead relay"
    );

    env.daemon.restart();
    env.wait_paired(Duration::from_secs(30))
        .expect("re-paired after the relay restart");
    let tab: i64 = target.trim_start_matches("tab-").parse().unwrap();
    let mut ops = RawOps::connect(env.daemon.relay_port, &env.daemon.relay_token());
    let again = ops
        .request(None, LEASE, "session.connect", json!({"tabId": tab}))
        .expect("the old tab was released: a new session attaches to it");
    let sid = again["opsSessionId"].as_str().unwrap().to_string();
    assert!(snapshot(&mut ops, &sid, &target).contains("Navigate soon"));
    // Pending CLI commands at the time of a drop exit with a typed error: the daemon is gone, exit 10.
    env.daemon.kill();
    let run = env.daemon.cli(&["snapshot", "--session-id", &sid]);
    assert_eq!(run.code, 10, "{run:?}");
}

/// The canvas commands belong to the canvas issue; until it lands each answers `not_supported` cleanly, leaves the
/// page untouched and the session working.
#[test]
fn canvas_commands_answer_not_supported_and_leave_the_page_alone() {
    let env = TestEnv::paired();
    let mut ops = RawOps::connect(env.daemon.relay_port, &env.daemon.relay_token());
    let (sid, target) = start(&mut ops, &env.fixtures.url("faults.html"));
    let before = snapshot(&mut ops, &sid, &target);
    for (command, payload) in [
        ("targets.registerCanvas", json!({"targetId": target})),
        ("canvas.overlay.mount", json!({"title": "x"})),
        ("canvas.overlay.unmount", json!({"mountId": "m1"})),
        (
            "canvas.overlay.select",
            json!({"mountId": "m1", "nodeId": "n1"}),
        ),
        ("canvas.overlay.sync", json!({"mountId": "m1"})),
        (
            "canvas.applyRuntimePreviewBridge",
            json!({"bindingId": "b", "rootSelector": "main", "html": "<p>x</p>"}),
        ),
    ] {
        let err = ops
            .request(Some(&sid), LEASE, command, payload)
            .expect_err(command);
        assert_eq!(
            (code(&err), err["message"].as_str().unwrap()),
            (
                "not_supported",
                format!("{command} is not implemented in this build.").as_str()
            )
        );
    }
    assert_eq!(snapshot(&mut ops, &sid, &target), before, "page untouched");
}
