//! Auto-pair in both start orders (PROTOCOL.md §6).

use std::time::{Duration, Instant};

use odb_e2e::daemon::Daemon;
use odb_e2e::env::TestEnv;
use odb_e2e::fixtures::FixtureServer;
use odb_e2e::free_port;
use odb_e2e::paths::{extension_dir, fixtures_dir};
use opendevbrowser::launcher::{self, LaunchOptions};

#[test]
fn pairs_when_the_relay_starts_first() {
    let mut env = TestEnv::daemon_only();
    let spawned = Instant::now();
    env.start_browser();
    env.expect_paired(Duration::from_secs(30));
    // The launcher's connect.html start tab can be blocked when Chromium navigates it before the extension is
    // registered; the worker reloads it (extension-wasm/src/connect_watch.rs). How often, for the record.
    println!(
        "browser spawn -> paired: {} ms ({})",
        spawned.elapsed().as_millis(),
        connect_page_reloads(&env.browser_log())
    );
}

#[test]
fn pairs_when_the_browser_starts_first() {
    let dir = tempfile::tempdir().unwrap();
    let _fixtures = FixtureServer::start(fixtures_dir());
    let (relay_port, daemon_port) = (free_port(), free_port());
    let log = dir.path().join("chromium.log");
    let _browser = launcher::launch(&LaunchOptions {
        extension_dir: Some(extension_dir()),
        headless: true,
        relay_port: Some(relay_port),
        log_file: Some(log.clone()),
        ..LaunchOptions::default()
    })
    .expect("launch Chromium");
    // Let the extension fail discovery a few times first.
    std::thread::sleep(Duration::from_secs(3));
    let daemon = Daemon::start(&dir.path().join("config"), relay_port, daemon_port);
    let started = Instant::now();
    let paired = odb_e2e::wait_for(Duration::from_secs(45), || {
        let run = daemon.cli(&["--output-format", "json", "status"]);
        let status = (run.code == 0).then(|| run.json())?;
        let relay = odb_e2e::env::relay_facts(&status);
        (relay["extensionHandshakeComplete"] == true).then_some(())
    });
    assert!(
        paired.is_some(),
        "extension did not pair within 45 s of the relay starting; browser log:\n{}",
        String::from_utf8_lossy(&std::fs::read(&log).unwrap_or_default())
    );
    println!(
        "relay start -> paired (browser first): {} ms ({})",
        started.elapsed().as_millis(),
        connect_page_reloads(&String::from_utf8_lossy(
            &std::fs::read(&log).unwrap_or_default()
        ))
    );
}

/// How often the worker reloaded the launcher's connect.html start tab, by reason. Chromium can navigate that
/// tab before the extension is registered (`ERR_BLOCKED_BY_CLIENT`); see extension-wasm/src/connect_watch.rs.
fn connect_page_reloads(browser_log: &str) -> String {
    let count = |why: &str| {
        browser_log
            .lines()
            .filter(|l| l.contains("[odb] reloading connect page") && l.contains(why))
            .count()
    };
    format!(
        "connect page reloads: {} at worker start, {} after the check-in wait",
        count("(at worker start)"),
        count("(its page did not run)")
    )
}
