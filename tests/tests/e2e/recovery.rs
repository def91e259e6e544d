//! The relay dies (SIGKILL) and comes back on the same port: the extension re-pairs and a new session works.

use std::time::{Duration, Instant};

use odb_e2e::env::{ref_of, TestEnv};

#[test]
fn extension_repairs_after_relay_restart() {
    let mut env = TestEnv::paired();
    let sid = env.launch("links.html");
    assert!(env.snapshot(&sid, "outline").contains("link \"Dune\""));

    env.daemon.kill();
    let down = env.daemon.cli(&["status"]);
    assert_eq!(
        down.code, 10,
        "status with the daemon down exits 10: {down:?}"
    );
    assert!(
        down.stderr.contains("opendevbrowser serve"),
        "says how to start it: {down:?}"
    );

    let restarted = Instant::now();
    env.daemon.restart();
    let took = env.wait_paired(Duration::from_secs(30));
    assert!(
        took.is_some(),
        "no re-pair within 30 s; browser log:\n{}",
        env.browser_log()
    );
    println!(
        "relay restart -> re-paired: {} ms",
        restarted.elapsed().as_millis()
    );

    let sid = env.launch("login.html");
    let snap = env.snapshot(&sid, "outline");
    let remember = ref_of(&snap, "checkbox \"Remember me\"");
    env.session(&sid, &["click", "--ref", &remember]);
    assert!(env
        .snapshot(&sid, "outline")
        .contains("checkbox checked \"Remember me\""));
}
