//! Targets and session lifecycle: target-new/use/list/close keep every tab working, `status --session-id` reports
//! the session, and `disconnect` ends it.

use odb_e2e::env::TestEnv;

#[test]
fn targets_and_session_lifecycle() {
    let env = TestEnv::paired();
    let sid = env.launch("login.html");

    let status = env.daemon.json(&["status", "--session-id", &sid]);
    assert_eq!(status["mode"], "extension", "{status}");
    assert_eq!(status["state"], "active", "{status}");
    let root = status["activeTargetId"]
        .as_str()
        .expect("activeTargetId")
        .to_string();
    assert!(root.starts_with("tab-"), "{root}");

    let created = env.session(
        &sid,
        &["target-new", "--url", &env.fixtures.url("links.html")],
    );
    let second = created["targetId"].as_str().expect("targetId").to_string();
    assert_ne!(second, root);

    let listed = env.session(&sid, &["targets-list", "--include-urls"]);
    let targets = listed["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 2, "{listed}");
    assert_eq!(
        listed["activeTargetId"],
        second.as_str(),
        "target-new activates the new tab"
    );
    assert!(targets.iter().any(|t| t["url"]
        .as_str()
        .unwrap_or_default()
        .ends_with("/links.html")));

    // Both tabs answer, alternately, without re-launching anything.
    for _ in 0..2 {
        env.session(&sid, &["target-use", "--target-id", &root]);
        assert!(env
            .snapshot(&sid, "outline")
            .contains("heading \"Sign in\""));
        env.session(&sid, &["target-use", "--target-id", &second]);
        assert!(env
            .snapshot(&sid, "outline")
            .contains("heading \"Reading list\""));
    }

    env.session(&sid, &["target-close", "--target-id", &second]);
    let listed = env.session(&sid, &["targets-list"]);
    assert_eq!(
        listed["targets"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );
    assert!(
        env.snapshot(&sid, "outline")
            .contains("heading \"Sign in\""),
        "the root is active again"
    );

    let bad = env.daemon.cli(&[
        "target-use",
        "--session-id",
        &sid,
        "--target-id",
        "tab-999999",
    ]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("[invalid_request]"), "{bad:?}");

    env.session(&sid, &["disconnect"]);
    let after = env.daemon.cli(&["snapshot", "--session-id", &sid]);
    assert_eq!(after.code, 2, "a disconnected session is gone: {after:?}");
    assert!(after.stderr.contains("[invalid_session]"), "{after:?}");
}
