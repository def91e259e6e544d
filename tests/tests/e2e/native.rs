//! `--transport native` end to end (issue 5): the extension reaches the relay through Chrome's native messaging
//! and the real `opendevbrowser-native-host`, with no `/extension` WebSocket at all. The launcher writes the host
//! manifest into the fresh profile and points the host at the daemon's native directory.

use std::time::Duration;

use odb_e2e::env::{ref_of, TestEnv};
use odb_e2e::native::native_env;
use odb_e2e::wait_for;
use serde_json::{json, Value};

/// Chrome's limit for one host -> extension message, in bytes.
const LIMIT: u64 = 1024 * 1024;

/// The link runs over native messaging and no `/extension` WebSocket was ever opened.
fn assert_native_only(env: &TestEnv) {
    let log = env.daemon.log();
    assert!(
        log.contains("extension connected over native messaging"),
        "daemon log shows no native link:\n{log}"
    );
    assert!(
        !log.contains("extension socket opened"),
        "an /extension WebSocket was opened:\n{log}"
    );
    let status = env.status().expect("status");
    let relay = odb_e2e::env::relay_facts(&status);
    assert_eq!(relay["extensionHandshakeComplete"], true, "{status}");
    assert_eq!(relay["extensionTransport"], "native", "{status}");
}

/// The host log's last `stats` line as (frames, chunked messages, largest frame bytes).
fn host_stats(native_dir: &std::path::Path) -> (u64, u64, u64) {
    let log = std::fs::read_to_string(native_dir.join("host.log")).unwrap_or_default();
    let line = log
        .lines()
        .rev()
        .find(|l| l.contains(" stats "))
        .unwrap_or_else(|| panic!("no stats line in the host log:\n{log}"));
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing in {line}"))
    };
    (
        field("frames_to_chrome"),
        field("chunked_messages"),
        field("max_frame_bytes"),
    )
}

#[test]
fn native_transport_drives_a_page_without_the_websocket() {
    let (env, native_dir) = native_env();
    assert_native_only(&env);
    let sid = env.launch("index.html");

    // goto -> snapshot -> click -> type -> screenshot, each checked on the page.
    let out = env.session(&sid, &["goto", "--url", &env.fixtures.url("login.html")]);
    assert!(
        out["finalUrl"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/login.html"),
        "{out}"
    );
    let snap = env.snapshot(&sid, "outline");
    assert!(snap.contains("heading \"Sign in\""), "{snap}");
    let remember = ref_of(&snap, "checkbox \"Remember me\"");
    env.session(&sid, &["click", "--ref", &remember]);
    let snap = env.snapshot(&sid, "outline");
    assert!(
        snap.contains(&format!("[{remember}] checkbox checked \"Remember me\"")),
        "not checked:\n{snap}"
    );
    let email = ref_of(&snap, "textbox \"Email\"");
    env.session(
        &sid,
        &["type", "--ref", &email, "--text", "ada@example.com"],
    );
    assert_eq!(
        env.session(&sid, &["dom-value", "--ref", &email])["value"],
        "ada@example.com"
    );
    let shot = env.dir.path().join("native.png");
    env.session(&sid, &["screenshot", "--path", shot.to_str().unwrap()]);
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 1000,
        "{} bytes",
        png.len()
    );

    // Host -> Chrome over 1 MB: a 1.5 MB (UTF-8) `interact.type` request is split by the host and typed whole.
    let text = "ab\u{20ac}".repeat(300_000);
    env.command(
        &sid,
        "interact.type",
        json!({"ref": email, "text": text, "clear": true}),
    )
    .expect("large type over native");
    let value = env
        .command(
            &sid,
            "dom.getValue",
            json!({"ref": email, "maxChars": 2_000_000}),
        )
        .expect("value");
    assert_eq!(value["value"].as_str().map(str::len), Some(text.len()));
    assert!(
        value["value"] == Value::String(text),
        "the typed value differs"
    );

    // Chrome -> host over 12 MiB: big.html's outerHTML (chunked by the extension as ops_chunk) arrives intact.
    env.session(&sid, &["goto", "--url", &env.fixtures.url("big.html")]);
    let snap = env.snapshot(&sid, "outline");
    let main = ref_of(&snap, "main \"Big result\"");
    let html = env
        .command(
            &sid,
            "dom.getHtml",
            json!({"ref": main, "maxChars": 20_000_000}),
        )
        .expect("big html over native");
    let html = html["outerHTML"].as_str().unwrap();
    assert_eq!(html.matches("0123456789").count(), 1_400_000);

    // The host's own accounting: something was chunked and no frame to Chrome exceeded 1 MB.
    let (frames, chunked, max) = host_stats(&native_dir);
    println!("host stats: frames={frames} chunked={chunked} max_frame_bytes={max}");
    assert!(chunked >= 1, "the 1.5 MB request was not chunked");
    assert!(max <= LIMIT && max > LIMIT / 2, "largest frame {max} bytes");
    assert_native_only(&env);
}

/// The pid of the host linked to the relay: the last host that logged `connected to the relay` and has not
/// logged `exiting` since. The log is shared by every host process Chrome starts, including short-lived ones
/// (a pairing request, a health ping), so the last `started` line is not necessarily the linked host.
fn linked_host_pid(native_dir: &std::path::Path) -> Option<u32> {
    let log = std::fs::read_to_string(native_dir.join("host.log")).unwrap_or_default();
    let mut linked = None;
    for line in log.lines() {
        let pid: Option<u32> = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("pid="))
            .and_then(|p| p.parse().ok());
        if line.contains(" connected to the relay ") {
            linked = pid;
        } else if line.contains(" exiting (") && linked.is_some() && linked == pid {
            linked = None;
        }
    }
    linked
}

#[test]
fn killing_the_host_gives_a_typed_error_and_the_next_command_reconnects() {
    let (env, native_dir) = native_env();
    let sid = env.launch("login.html");
    let snap = env.snapshot(&sid, "outline");
    let email = ref_of(&snap, "textbox \"Email\"");
    let first = linked_host_pid(&native_dir).unwrap_or_else(|| {
        panic!(
            "no linked host in the log:\n{}",
            std::fs::read_to_string(native_dir.join("host.log")).unwrap_or_default()
        )
    });

    // A command in flight when the host dies fails with a typed error, not a hang.
    let config_dir = env.daemon.config_dir.clone();
    let (sid2, email2) = (sid.clone(), email.clone());
    let started = std::time::Instant::now();
    let in_flight = std::thread::spawn(move || {
        let client = opendevbrowser::client::DaemonClient::locate(&config_dir).expect("daemon");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let result = rt
            .block_on(client.command(
                "nav.wait",
                json!({"sessionId": sid2, "ref": email2, "state": "hidden", "timeoutMs": 20_000}),
            ))
            .map_err(|e| e.message);
        (result, std::time::Instant::now())
    });
    std::thread::sleep(Duration::from_millis(1500));
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &first.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let killed_at = std::time::Instant::now();
    let (result, ended_at) = in_flight.join().unwrap();
    let err = result.expect_err("the in-flight wait fails");
    assert!(
        ended_at >= killed_at,
        "the wait failed before the kill: {err}"
    );
    let err_elapsed = ended_at - started;
    println!("in-flight error after {err_elapsed:?}: {err}");
    assert!(err.starts_with('['), "typed error: {err}");

    // The extension reconnects over native messaging (a new host process) and the session works again.
    let second = wait_for(Duration::from_secs(40), || {
        let pid = linked_host_pid(&native_dir)?;
        (pid != first
            && env.status().is_some_and(|s| {
                odb_e2e::env::relay_facts(&s)["extensionHandshakeComplete"] == true
            }))
        .then_some(pid)
    })
    .expect("a new host linked within 40 s");
    println!("host {first} killed, {second} took over");
    // Refs do not survive the re-attach (as after a WebSocket reconnect): the next command is a snapshot.
    let mut last = String::new();
    let fresh = wait_for(Duration::from_secs(30), || {
        match env.command(&sid, "nav.snapshot", json!({"mode": "outline"})) {
            Ok(v) => Some(v),
            Err(e) => {
                last = e;
                None
            }
        }
    })
    .unwrap_or_else(|| panic!("no snapshot after the reconnect: {last}"));
    let snap = fresh["content"].as_str().unwrap_or_default().to_string();
    let email = ref_of(&snap, "textbox \"Email\"");
    env.session(
        &sid,
        &["type", "--ref", &email, "--text", "back@example.com"],
    );
    assert_eq!(
        env.session(&sid, &["dom-value", "--ref", &email])["value"],
        "back@example.com"
    );
    assert!(
        err_elapsed < Duration::from_secs(10),
        "the in-flight command failed only after {err_elapsed:?}"
    );
    assert_native_only(&env);
}
