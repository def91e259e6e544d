//! Named pages and popup adoption in Chromium: `page.open` reuses a name, `page.list` reports url/title,
//! `page.close` closes the tab; a `target=_blank` link and a `window.open` button in a session tab are adopted
//! as targets that can be used, snapshotted and clicked.

use std::time::Duration;

use odb_e2e::env::{ref_of, TestEnv};
use odb_e2e::wait_for;
use serde_json::{json, Value};

/// The target ids `targets.list` reports, with their urls.
fn target_urls(env: &TestEnv, sid: &str) -> Vec<(String, String)> {
    let listed = env
        .command(sid, "targets.list", json!({"includeUrls": true}))
        .expect("targets.list");
    listed["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .map(|t| {
            (
                t["targetId"].as_str().unwrap_or_default().to_string(),
                t["url"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A `nav.snapshot` of `target`, retried while it answers the retryable "still attaching" error.
fn snapshot_of(env: &TestEnv, sid: &str, target: &str) -> String {
    let mut last = String::new();
    let snap = wait_for(Duration::from_secs(10), || {
        match env.command(sid, "nav.snapshot", json!({"targetId": target})) {
            Ok(v) => v["content"].as_str().map(str::to_string),
            Err(e) => {
                assert!(
                    e.contains("Popup target has not finished attaching yet"),
                    "unexpected error: {e}"
                );
                last = e;
                None
            }
        }
    });
    snap.unwrap_or_else(|| panic!("no snapshot of {target}; last error {last}"))
}

/// Waits until a target whose url ends with `suffix` is listed; returns its id.
fn wait_target(env: &TestEnv, sid: &str, suffix: &str) -> String {
    wait_for(Duration::from_secs(10), || {
        target_urls(env, sid)
            .into_iter()
            .find(|(_, url)| url.ends_with(suffix))
            .map(|(id, _)| id)
    })
    .unwrap_or_else(|| panic!("no target at {suffix}: {:?}", target_urls(env, sid)))
}

fn page_of(list: &Value, name: &str) -> Value {
    list["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .find(|p| p["name"] == name)
        .cloned()
        .unwrap_or(Value::Null)
}

#[test]
fn named_pages_open_list_and_close() {
    let env = TestEnv::paired();
    let sid = env.launch("index.html");
    let root = env
        .command(&sid, "session.status", json!({}))
        .expect("status")["activeTargetId"]
        .as_str()
        .expect("activeTargetId")
        .to_string();

    let links = env.fixtures.url("links.html");
    let first = env
        .command(&sid, "page.open", json!({"name": "reader", "url": links}))
        .expect("page.open");
    assert_eq!(first["created"], true, "{first}");
    let reader = first["targetId"].as_str().expect("targetId").to_string();
    assert_ne!(reader, root);
    assert!(
        first["url"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/links.html"),
        "{first}"
    );
    assert_eq!(first["title"], "Links and lists");
    assert!(
        env.snapshot(&sid, "outline")
            .contains("heading \"Reading list\""),
        "the new page is active and really at its URL"
    );

    let login = env
        .command(
            &sid,
            "page.open",
            json!({"name": "login", "url": env.fixtures.url("login.html")}),
        )
        .expect("page.open login");
    assert_eq!(login["created"], true);
    assert!(env
        .snapshot(&sid, "outline")
        .contains("heading \"Sign in\""));

    let again = env
        .command(
            &sid,
            "page.open",
            json!({"name": "reader", "url": env.fixtures.url("long.html")}),
        )
        .expect("page.open again");
    assert_eq!(
        (again["targetId"].as_str(), again["created"].clone()),
        (Some(reader.as_str()), json!(false)),
        "{again}"
    );
    let snap = env.snapshot(&sid, "outline");
    assert!(
        snap.contains("heading \"Reading list\""),
        "the known page is focused and was not navigated:\n{snap}"
    );

    let list = env
        .command(&sid, "page.list", json!({}))
        .expect("page.list");
    assert_eq!(list["pages"].as_array().map(Vec::len), Some(2), "{list}");
    let entry = page_of(&list, "reader");
    assert_eq!(entry["targetId"], reader.as_str());
    assert_eq!(entry["title"], "Links and lists");
    assert!(entry["url"]
        .as_str()
        .unwrap_or_default()
        .ends_with("/links.html"));
    assert_eq!(page_of(&list, "login")["title"], "Sign in");

    let closed = env
        .command(&sid, "page.close", json!({"name": "reader"}))
        .expect("page.close");
    assert_eq!(closed, json!({"ok": true}));
    let gone = wait_for(Duration::from_secs(5), || {
        (!target_urls(&env, &sid).iter().any(|(id, _)| *id == reader)).then_some(())
    });
    assert!(
        gone.is_some(),
        "the tab is gone: {:?}",
        target_urls(&env, &sid)
    );
    let list = env
        .command(&sid, "page.list", json!({}))
        .expect("page.list");
    assert_eq!(page_of(&list, "reader"), Value::Null, "{list}");
    let err = env
        .command(&sid, "page.close", json!({"name": "reader"}))
        .expect_err("unknown name");
    assert!(err.starts_with("[invalid_request]"), "{err}");

    // Closing the tab another way forgets its name too.
    let login_target = login["targetId"].as_str().unwrap().to_string();
    env.command(&sid, "targets.close", json!({"targetId": login_target}))
        .expect("targets.close");
    let forgotten = wait_for(Duration::from_secs(5), || {
        let list = env.command(&sid, "page.list", json!({})).ok()?;
        (list["pages"].as_array().map(Vec::len) == Some(0)).then_some(())
    });
    assert!(forgotten.is_some());
    assert!(env
        .snapshot(&sid, "outline")
        .contains("OpenDevBrowser fixtures"));
}

#[test]
fn popups_are_adopted_and_usable() {
    let env = TestEnv::paired();
    let sid = env.launch("popup.html");
    let root = env
        .command(&sid, "session.status", json!({}))
        .expect("status")["activeTargetId"]
        .as_str()
        .expect("activeTargetId")
        .to_string();

    // A target=_blank link.
    let snap = env.snapshot(&sid, "outline");
    env.session(
        &sid,
        &["click", "--ref", &ref_of(&snap, "link \"Open reading list")],
    );
    let reader = wait_target(&env, &sid, "/links.html");
    assert_ne!(reader, root);
    let status = env
        .command(&sid, "session.status", json!({}))
        .expect("status");
    assert_eq!(
        status["activeTargetId"],
        root.as_str(),
        "adoption does not switch targets"
    );

    let used = env
        .command(&sid, "targets.use", json!({"targetId": reader}))
        .expect("targets.use popup");
    assert_eq!(used["activeTargetId"], reader.as_str());
    let popup = snapshot_of(&env, &sid, &reader);
    assert!(popup.contains("heading \"Reading list\""), "{popup}");
    env.session(
        &sid,
        &[
            "click",
            "--ref",
            &ref_of(&popup, "button \"Count a click\""),
        ],
    );
    let count = ref_of(&popup, "paragraph");
    let counted = wait_for(Duration::from_secs(5), || {
        let text = env.session(&sid, &["dom-text", "--ref", &count]);
        (text["text"] == "Clicks: 1").then_some(())
    });
    assert!(counted.is_some(), "the click in the popup counted");

    // A window.open button.
    env.command(&sid, "targets.use", json!({"targetId": root}))
        .expect("back to the opener");
    let snap = env.snapshot(&sid, "outline");
    env.session(
        &sid,
        &[
            "click",
            "--ref",
            &ref_of(&snap, "button \"Open sign-in popup\""),
        ],
    );
    let signin = wait_target(&env, &sid, "/login.html");
    env.command(&sid, "targets.use", json!({"targetId": signin}))
        .expect("targets.use window.open popup");
    let popup = snapshot_of(&env, &sid, &signin);
    assert!(popup.contains("heading \"Sign in\""), "{popup}");
    let remember = ref_of(&popup, "checkbox \"Remember me\"");
    env.session(&sid, &["click", "--ref", &remember]);
    let checked = env.session(&sid, &["dom-checked", "--ref", &remember]);
    assert_eq!(checked["value"], true, "the click landed in the popup");

    let targets = target_urls(&env, &sid);
    assert_eq!(targets.len(), 3, "{targets:?}");
    // The opener still works, and the popup closes cleanly.
    env.command(&sid, "targets.close", json!({"targetId": signin}))
        .expect("close popup");
    let snap = env.snapshot(&sid, "outline");
    let opened = snap
        .lines()
        .filter(|l| l.contains("paragraph"))
        .nth(2)
        .map(|l| l[1..l.find(']').unwrap()].to_string())
        .expect("third paragraph");
    let text = env.session(&sid, &["dom-text", "--ref", &opened]);
    assert_eq!(
        text["text"], "Popups opened: 1",
        "the opener is active again"
    );
}
