//! The real `opendevbrowser` binary: `serve` lifecycle, exit codes, config secrecy, and launch -> goto ->
//! snapshot -> disconnect through the real daemon and relay with a fake extension.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use support::{cli, config, fake_extension, Run, Serve};

fn assert_no_tokens(dir: &std::path::Path, runs: &[&Run], extra: &str) {
    let cfg = config(dir);
    for key in ["relayToken", "daemonToken"] {
        let token = cfg[key].as_str().unwrap();
        assert_eq!(token.len(), 64);
        for run in runs {
            assert!(
                !run.stdout.contains(token) && !run.stderr.contains(token),
                "{key} leaked in {run:?}"
            );
        }
        assert!(!extra.contains(token), "{key} leaked in the daemon output");
    }
}

#[test]
fn serve_status_second_serve_stop_and_no_daemon() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cfg");

    let none = cli(&dir, &["status"]);
    assert_eq!(none.code, 10, "{none:?}");
    assert!(
        none.stderr
            .contains("Daemon not running. Start it with: opendevbrowser serve"),
        "{none:?}"
    );
    let none_json = cli(
        &dir,
        &[
            "--output-format",
            "json",
            "goto",
            "--session-id",
            "S",
            "--url",
            "http://a/",
        ],
    );
    assert_eq!(none_json.code, 10);
    assert_eq!(none_json.json()["exitCode"], 10);
    assert_eq!(none_json.json()["success"], false);

    let mut serve = Serve::start(&dir);
    let cfg_path = dir.join("config.json");
    assert_eq!(
        std::fs::metadata(&cfg_path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let daemon_json = dir.join("daemon.json");
    assert_eq!(
        std::fs::metadata(&daemon_json)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );

    let status = serve.cli(&["--output-format", "json", "status"]);
    assert_eq!(status.code, 0, "{status:?}");
    let v = status.json();
    assert_eq!(v["success"], true);
    assert_eq!(v["daemon"]["relayPort"], serve.relay_port);
    assert_eq!(v["relay"]["running"], true);
    assert_eq!(v["relay"]["extensionConnected"], false);
    assert_eq!(v["relay"]["pairingRequired"], true);
    let text = serve.cli(&["status"]);
    assert!(
        text.stdout.contains("extensionConnected: false"),
        "{text:?}"
    );

    let second = cli(
        &dir,
        &[
            "serve",
            "--port",
            &support::free_port().to_string(),
            "--daemon-port",
            &serve.daemon_port.to_string(),
        ],
    );
    assert_eq!(second.code, 2, "{second:?}");
    assert!(second.stderr.contains(&format!(
        "daemon already running on port {}",
        serve.daemon_port
    )));

    let launch = serve.cli(&["launch"]);
    assert_eq!(launch.code, 2, "no extension: fail fast {launch:?}");
    assert!(
        launch
            .stderr
            .contains("opendevbrowser launch --wait-for-extension"),
        "{launch:?}"
    );
    let started = Instant::now();
    let waited = serve.cli(&["launch", "--wait-for-extension", "--wait-timeout-ms", "600"]);
    assert_eq!(waited.code, 2);
    assert!(started.elapsed() >= Duration::from_millis(550), "it waited");
    assert!(waited.stderr.contains("within 600 ms"), "{waited:?}");
    let headless = serve.cli(&["launch", "--headless"]);
    assert_eq!(headless.code, 2);
    assert!(headless
        .stderr
        .starts_with("[unsupported_mode] Extension mode does not support headless"));
    let managed = serve.cli(&[
        "launch",
        "--no-extension",
        "--chrome-path",
        "/nonexistent/chrome",
    ]);
    assert_eq!(managed.code, 2);
    assert!(
        managed
            .stderr
            .contains("[execution_failed] could not start /nonexistent/chrome"),
        "{managed:?}"
    );
    let cdp = serve.cli(&["connect", "--host", "127.0.0.1", "--cdp-port", "9"]);
    assert_eq!(cdp.code, 2);
    assert!(
        cdp.stderr
            .contains("[execution_failed] cannot find the browser's DevTools endpoint"),
        "{cdp:?}"
    );
    let unknown = serve.cli(&["snapshot", "--session-id", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown
            .stderr
            .starts_with("[invalid_session] Unknown session nope"),
        "{unknown:?}"
    );

    let stop = serve.cli(&["serve", "--stop"]);
    assert_eq!(stop.code, 0, "{stop:?}");
    assert_eq!(
        serve.wait_exit(Duration::from_secs(5)),
        Some(0),
        "serve exits 0 after --stop"
    );
    assert!(!daemon_json.exists(), "daemon.json removed on clean exit");
    let after = cli(&dir, &["status"]);
    assert_eq!(after.code, 10);

    let runs = [
        &none, &none_json, &status, &text, &second, &launch, &waited, &headless, &stop, &after,
    ];
    assert_no_tokens(&dir, &runs, &serve.output());
    assert!(
        serve.output().len() > 100,
        "the daemon logged something (RUST_LOG=debug)"
    );
}

#[test]
fn fake_extension_runs_launch_goto_snapshot_disconnect() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cfg");
    let serve = Serve::start(&dir);
    let token = config(&dir)["relayToken"].as_str().unwrap().to_string();
    let seen = fake_extension(serve.relay_port, token);

    let launch = serve.cli(&[
        "--output-format",
        "json",
        "launch",
        "--start-url",
        "http://127.0.0.1:1/start",
    ]);
    assert_eq!(launch.code, 0, "{launch:?}\n{}", serve.output());
    let out = launch.json();
    assert_eq!(out["success"], true);
    assert_eq!(out["sessionId"], "S-fake-1");
    assert_eq!(out["activeTargetId"], "tab-7");
    assert!(
        out.get("leaseId").is_none(),
        "the lease stays in the daemon"
    );
    let sid = "S-fake-1";

    let goto = serve.cli(&[
        "--output-format",
        "json",
        "goto",
        "--url",
        "http://127.0.0.1:1/b",
        "--session-id",
        sid,
    ]);
    assert_eq!(goto.code, 0, "{goto:?}");
    assert_eq!(goto.json()["finalUrl"], "http://127.0.0.1:1/b");

    let snap = serve.cli(&[
        "snapshot",
        "--session-id",
        sid,
        "--mode",
        "actionables",
        "--max-chars",
        "50",
    ]);
    assert_eq!(snap.code, 0, "{snap:?}");
    assert_eq!(
        snap.stdout,
        "[r1] heading \"Hello\"\n[r2] link \"Next\"\nnextCursor: 2\n"
    );
    let snap_json = serve.cli(&["--output-format", "json", "snapshot", "--session-id", sid]);
    assert_eq!(
        snap_json.json()["content"],
        "[r1] heading \"Hello\"\n[r2] link \"Next\""
    );

    let status = serve.cli(&["--output-format", "json", "status"]);
    assert_eq!(status.json()["relay"]["extensionHandshakeComplete"], true);
    assert_eq!(status.json()["daemon"]["sessions"], 1);

    let bye = serve.cli(&["disconnect", "--session-id", sid]);
    assert_eq!(bye.code, 0, "{bye:?}");
    let gone = serve.cli(&["snapshot", "--session-id", sid]);
    assert_eq!(gone.code, 2, "the session is forgotten: {gone:?}");

    let requests = seen.lock().unwrap().clone();
    let commands: Vec<&str> = requests
        .iter()
        .map(|m| m["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        [
            "session.launch",
            "nav.goto",
            "nav.snapshot",
            "nav.snapshot",
            "session.disconnect"
        ]
    );
    let lease = requests[0]["leaseId"].as_str().unwrap();
    assert_eq!(
        requests[0]["payload"]["startUrl"],
        "http://127.0.0.1:1/start"
    );
    for r in &requests[1..] {
        assert_eq!(r["opsSessionId"], sid);
        assert_eq!(r["leaseId"], lease, "every request carries the lease");
        assert!(r["payload"].get("sessionId").is_none());
    }
    assert_eq!(requests[2]["payload"]["mode"], "actionables");
    assert_eq!(requests[2]["payload"]["maxChars"], 50);

    assert_no_tokens(
        &dir,
        &[&launch, &goto, &snap, &snap_json, &status, &bye, &gone],
        &serve.output(),
    );
}

#[test]
fn an_insecure_config_is_refused_with_a_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cfg");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.json"), "{}").unwrap();
    std::fs::set_permissions(
        dir.join("config.json"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let port = support::free_port().to_string();
    let serve = cli(
        &dir,
        &[
            "serve",
            "--port",
            &port,
            "--daemon-port",
            &support::free_port().to_string(),
        ],
    );
    assert_eq!(serve.code, 2, "{serve:?}");
    assert!(serve.stderr.contains("chmod 600"), "{serve:?}");
    let status = cli(&dir, &["status"]);
    assert_eq!(status.code, 2, "{status:?}");
    assert!(status
        .stderr
        .contains("readable or writable by group/others"));
}

#[test]
fn a_command_waits_for_a_returning_extension_and_reclaims_the_session() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("cfg");
    let serve = Serve::start(&dir);
    let token = config(&dir)["relayToken"].as_str().unwrap().to_string();
    let (first, stop) = support::fake_extension_stoppable(serve.relay_port, token.clone());
    let launch = serve.cli(&["--output-format", "json", "launch"]);
    assert_eq!(launch.code, 0, "{launch:?}");
    let lease = first.lock().unwrap()[0]["leaseId"]
        .as_str()
        .unwrap()
        .to_string();

    // The extension goes away (the relay closes the daemon's /ops socket 1011).
    stop.send(()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while serve.cli(&["--output-format", "json", "status"]).json()["relay"]["extensionConnected"]
        == true
    {
        assert!(
            Instant::now() < deadline,
            "the relay never noticed the extension leaving"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // A command now waits (recovery, up to 15 s) instead of failing; the extension comes back meanwhile.
    let dir2 = dir.clone();
    let pending = std::thread::spawn(move || cli(&dir2, &["snapshot", "--session-id", "S-fake-1"]));
    std::thread::sleep(Duration::from_millis(800));
    let second = fake_extension(serve.relay_port, token);
    let snap = pending.join().unwrap();
    assert_eq!(snap.code, 0, "{snap:?}\n{}", serve.output());
    assert!(
        snap.stdout.starts_with("[r1] heading \"Hello\""),
        "{snap:?}"
    );

    let seen = second.lock().unwrap().clone();
    let commands: Vec<&str> = seen
        .iter()
        .map(|m| m["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands, ["session.connect", "nav.snapshot"]);
    assert_eq!(
        seen[0]["payload"],
        serde_json::json!({"sessionId":"S-fake-1","tabId":7})
    );
    assert_eq!(
        seen[0]["leaseId"],
        lease.as_str(),
        "the same lease reclaims the session"
    );
    assert_eq!(seen[1]["leaseId"], lease.as_str());
}
