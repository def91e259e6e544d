//! Unknown and stale refs answer `[invalid_request] Unknown ref: <ref>. Take a new snapshot first.` and never act
//! on another element.

use odb_e2e::env::{ref_of, TestEnv};

fn stale_error(reference: &str) -> String {
    format!("[invalid_request] Unknown ref: {reference}. Take a new snapshot first.")
}

#[test]
fn unknown_removed_and_pre_navigation_refs_are_stale() {
    let env = TestEnv::paired();
    let sid = env.launch("links.html");

    let never = env
        .daemon
        .cli(&["click", "--session-id", &sid, "--ref", "r9999"]);
    assert_eq!(never.code, 2, "{never:?}");
    assert!(never.stderr.contains(&stale_error("r9999")), "{never:?}");

    // An element removed from the page.
    let snap = env.snapshot(&sid, "outline");
    let hyperion = ref_of(&snap, "link \"Hyperion\"");
    let remove = ref_of(&snap, "button \"Remove last book\"");
    let count = ref_of(&snap, "button \"Count a click\"");
    env.session(&sid, &["click", "--ref", &remove]);
    let gone = env
        .daemon
        .cli(&["click", "--session-id", &sid, "--ref", &hyperion]);
    assert_eq!(gone.code, 2, "{gone:?}");
    assert!(gone.stderr.contains(&stale_error(&hyperion)), "{gone:?}");

    // Unchanged elements keep their refs across a re-snapshot after an unrelated DOM change.
    let again = env.snapshot(&sid, "outline");
    assert_eq!(ref_of(&again, "button \"Count a click\""), count);
    assert!(!again.contains("Hyperion"));

    // After a navigation, refs of the old page are stale.
    env.session(&sid, &["goto", "--url", &env.fixtures.url("login.html")]);
    let old = env
        .daemon
        .cli(&["click", "--session-id", &sid, "--ref", &count]);
    assert_eq!(old.code, 2, "{old:?}");
    assert!(old.stderr.contains(&stale_error(&count)), "{old:?}");
}
