//! The demo: starts the daemon (relay on 8787 when free), opens Chromium with the extension, waits for auto-pair,
//! and drives the fixture login page through the real CLI: launch, goto, snapshot, click, type, press, screenshot.
//! It prints each command with its output, the release wasm size and the time from browser start to "paired".
//!
//! Usage: `cargo run -p odb-e2e --bin demo [-- --headed]` (scripts/demo.sh builds everything first).

use std::path::Path;
use std::time::{Duration, Instant};

use odb_e2e::daemon::{run_cli, Daemon};
use odb_e2e::env::{ref_of, relay_facts};
use odb_e2e::fixtures::FixtureServer;
use odb_e2e::paths::{extension_dir, fixtures_dir, workspace_root};
use odb_e2e::wait_for;
use opendevbrowser::launcher::{self, LaunchOptions};

fn port_or_free(preferred: u16) -> u16 {
    if std::net::TcpListener::bind(("127.0.0.1", preferred)).is_ok() {
        preferred
    } else {
        odb_e2e::free_port()
    }
}

fn show(config_dir: &Path, args: &[&str]) -> String {
    println!("\n$ opendevbrowser {}", args.join(" "));
    let run = run_cli(config_dir, args);
    print!("{}", run.stdout);
    eprint!("{}", run.stderr);
    if run.code != 0 {
        eprintln!("demo: command failed with exit code {}", run.code);
        std::process::exit(run.code.max(1));
    }
    run.stdout
}

fn main() {
    let headed = std::env::args().any(|a| a == "--headed") && std::env::var_os("DISPLAY").is_some();
    let root = workspace_root();
    let work = root.join(".opendevbrowser").join("demo");
    std::fs::create_dir_all(&work).expect("demo dir");
    let config_dir = work.join("config");
    let ext = extension_dir();
    let wasm = ext.join("pkg").join("odb_extension_bg.wasm");
    let wasm_bytes = std::fs::metadata(&wasm).map(|m| m.len()).unwrap_or(0);

    let fixtures = FixtureServer::start(fixtures_dir());
    let daemon = Daemon::start(&config_dir, port_or_free(8787), port_or_free(8788));
    println!(
        "relay on 127.0.0.1:{}, daemon on 127.0.0.1:{}",
        daemon.relay_port, daemon.daemon_port
    );

    let spawned = Instant::now();
    let _browser = launcher::launch(&LaunchOptions {
        extension_dir: Some(ext.clone()),
        headless: !headed,
        relay_port: Some(daemon.relay_port),
        log_file: Some(work.join("chromium.log")),
        ..LaunchOptions::default()
    })
    .unwrap_or_else(|e| {
        eprintln!("demo: {e}");
        std::process::exit(2)
    });
    let paired = wait_for(Duration::from_secs(30), || {
        let run = daemon.cli(&["--output-format", "json", "status"]);
        let status = (run.code == 0).then(|| run.json())?;
        (relay_facts(&status)["extensionHandshakeComplete"] == true).then(|| spawned.elapsed())
    });
    let Some(paired) = paired else {
        eprintln!(
            "demo: the extension did not pair within 30 s; see {}",
            work.join("chromium.log").display()
        );
        std::process::exit(2);
    };

    show(&config_dir, &["status"]);
    let launched = show(
        &config_dir,
        &[
            "--output-format",
            "json",
            "launch",
            "--start-url",
            &fixtures.url("index.html"),
        ],
    );
    let launched: serde_json::Value = serde_json::from_str(launched.trim()).expect("launch JSON");
    let sid = launched["sessionId"]
        .as_str()
        .expect("sessionId")
        .to_string();
    show(
        &config_dir,
        &[
            "goto",
            "--session-id",
            &sid,
            "--url",
            &fixtures.url("login.html"),
        ],
    );
    let snapshot = show(&config_dir, &["snapshot", "--session-id", &sid]);
    let remember = ref_of(&snapshot, "checkbox \"Remember me\"");
    let email = ref_of(&snapshot, "textbox \"Email\"");
    show(
        &config_dir,
        &["click", "--session-id", &sid, "--ref", &remember],
    );
    show(
        &config_dir,
        &[
            "type",
            "--session-id",
            &sid,
            "--ref",
            &email,
            "--text",
            "ada@example.com",
        ],
    );
    show(
        &config_dir,
        &[
            "press",
            "--session-id",
            &sid,
            "--ref",
            &email,
            "--key",
            "Enter",
        ],
    );
    let after = show(&config_dir, &["snapshot", "--session-id", &sid]);
    let status = ref_of(&after, "paragraph");
    show(
        &config_dir,
        &["dom-text", "--session-id", &sid, "--ref", &status],
    );
    let shot = work.join("login.png");
    show(
        &config_dir,
        &[
            "screenshot",
            "--session-id",
            &sid,
            "--path",
            shot.to_str().expect("utf-8 path"),
        ],
    );
    show(&config_dir, &["disconnect", "--session-id", &sid]);

    println!("\n== demo summary");
    println!(
        "extension wasm (release, no wasm-opt): {} bytes ({:.1} KiB)",
        wasm_bytes,
        wasm_bytes as f64 / 1024.0
    );
    println!("browser start -> paired: {} ms", paired.as_millis());
    println!("screenshot: {}", shot.display());
}
