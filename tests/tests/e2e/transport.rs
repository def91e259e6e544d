//! `--transport relay|native` (issue 5): session commands run only over the link they name, and
//! `status --transport native` answers installed / reachable / paired. Both links are real: the native one
//! through Chrome's native messaging and the real host, the relay one over the `/extension` WebSocket.

use std::path::{Path, PathBuf};

use odb_e2e::daemon::{run_cli_env, CliRun};
use odb_e2e::env::{relay_facts, TestEnv};
use odb_e2e::native::{host_binary, native_env};
use serde_json::Value;

/// Runs the CLI against `env`'s daemon with `HOME` = `home` (and no `XDG_CONFIG_HOME`), so `native install`
/// and the report read a private user directory.
fn cli(env: &TestEnv, home: &Path, args: &[&str]) -> CliRun {
    let none = PathBuf::new();
    run_cli_env(
        &env.daemon.config_dir,
        args,
        &[("HOME", home), ("XDG_CONFIG_HOME", none.as_path())],
    )
}

fn native_report(env: &TestEnv, home: &Path) -> Value {
    cli(
        env,
        home,
        &["--output-format", "json", "status", "--transport", "native"],
    )
    .ok()
    .json()
}

fn private_home(env: &TestEnv) -> PathBuf {
    let home = env.dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    home
}

#[test]
fn over_native_messaging_the_flag_pins_the_link_and_status_reports_all_three() {
    let (env, native_dir) = native_env();
    let home = private_home(&env);

    // The launcher installed the host into the test profile only, so for this user it is not installed yet,
    // while the bridge is reachable and the extension is paired over it.
    let report = native_report(&env, &home);
    assert_eq!(report["installed"], false, "{report}");
    assert_eq!(report["reachable"], true, "{report}");
    assert_eq!(report["paired"], true, "{report}");
    assert_eq!(report["next"], "opendevbrowser native install", "{report}");
    assert_eq!(
        report["socket"],
        native_dir.join("relay.sock").to_str().unwrap(),
        "{report}"
    );
    let host = host_binary();
    cli(
        &env,
        &home,
        &[
            "native",
            "install",
            "--browser",
            "chromium",
            "--host-path",
            host.to_str().unwrap(),
        ],
    )
    .ok();
    let report = native_report(&env, &home);
    assert_eq!(report["installed"], true, "{report}");
    let manifest =
        home.join(".config/chromium/NativeMessagingHosts/com.opendevbrowser.native.json");
    assert!(manifest.is_file(), "{report}");
    let text = cli(&env, &home, &["status", "--transport", "native"])
        .ok()
        .stdout;
    assert!(
        text.starts_with("installed: yes\nreachable: yes\npaired: yes\n"),
        "{text}"
    );
    let plain = cli(&env, &home, &["status"]).ok().stdout;
    assert!(plain.contains("extensionTransport: native"), "{plain}");

    // Pinned to native: launch, navigate and read the page.
    let login = env.fixtures.url("login.html");
    let launched = cli(
        &env,
        &home,
        &[
            "--output-format",
            "json",
            "--transport",
            "native",
            "launch",
            "--start-url",
            &login,
        ],
    )
    .ok()
    .json();
    let sid = launched["sessionId"]
        .as_str()
        .expect("sessionId")
        .to_string();
    let snap = cli(
        &env,
        &home,
        &[
            "--output-format",
            "json",
            "snapshot",
            "--session-id",
            &sid,
            "--transport",
            "native",
        ],
    )
    .ok()
    .json();
    let content = snap["content"].as_str().unwrap_or_default();
    assert!(content.contains("heading \"Sign in\""), "{content}");

    // Pinned to the relay WebSocket: refused before anything reaches the page, with the fix named.
    let index = env.fixtures.url("index.html");
    let refused = cli(
        &env,
        &home,
        &[
            "goto",
            "--session-id",
            &sid,
            "--url",
            &index,
            "--transport",
            "relay",
        ],
    );
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "[ops_unavailable] The extension is linked over native messaging, not the relay WebSocket (--transport relay)"
        ),
        "{refused:?}"
    );
    let still = env.snapshot(&sid, "outline");
    assert!(
        still.contains("heading \"Sign in\""),
        "the refused goto navigated:\n{still}"
    );
    let refused = cli(&env, &home, &["--transport", "relay", "launch"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("not the relay WebSocket"),
        "{refused:?}"
    );

    // No link to pick: usage errors (exit 1) before the daemon is asked.
    for args in [
        &[
            "--transport",
            "native",
            "launch",
            "--no-extension",
            "--headless",
        ][..],
        &["--transport", "native", "native", "status"][..],
        &["--transport", "carrier-pigeon", "status"][..],
    ] {
        let run = cli(&env, &home, args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
    }
}

#[test]
fn over_the_websocket_native_is_refused_and_the_report_says_why() {
    let env = TestEnv::paired();
    let home = private_home(&env);
    let status = env.status().expect("status");
    assert_eq!(
        relay_facts(&status)["extensionTransport"],
        "websocket",
        "{status}"
    );

    let refused = cli(&env, &home, &["--transport", "native", "launch"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "[ops_unavailable] The extension is linked over the relay WebSocket, not native messaging (--transport native)"
        ) && refused.stderr.contains("opendevbrowser native install"),
        "{refused:?}"
    );
    // The same launch pinned to the link it is on works.
    let url = env.fixtures.url("index.html");
    let launched = cli(
        &env,
        &home,
        &[
            "--output-format",
            "json",
            "--transport",
            "relay",
            "launch",
            "--start-url",
            &url,
        ],
    )
    .ok()
    .json();
    assert!(launched["sessionId"].is_string(), "{launched}");

    let report = native_report(&env, &home);
    assert_eq!(report["paired"], false, "{report}");
    let problems = report["problems"].to_string();
    assert!(
        problems.contains("the extension is linked over websocket, not native messaging"),
        "{report}"
    );
}
