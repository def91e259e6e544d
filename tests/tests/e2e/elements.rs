//! Element commands of issue 3 in a real browser: hover (a CSS :hover menu needs the real pointer), check/uncheck,
//! select, scroll, scroll-into-view, and the dom-* getters.

use std::time::Duration;

use odb_e2e::env::{nth_ref, ref_of, TestEnv};
use odb_e2e::wait_for;

#[test]
fn hover_check_select_and_dom_getters() {
    let env = TestEnv::paired();
    let sid = env.launch("widgets.html");
    let snap = env.snapshot(&sid, "outline");
    assert!(!snap.contains("Laptops"), "the menu starts closed:\n{snap}");
    let hovered = nth_ref(&snap, "paragraph", 0);
    let chosen = nth_ref(&snap, "paragraph", 1);
    let subscribed = nth_ref(&snap, "paragraph", 2);

    // Hover: a trusted mouseenter, and the CSS :hover menu opens.
    env.session(
        &sid,
        &["hover", "--ref", &ref_of(&snap, "button \"Products\"")],
    );
    env.wait_text_contains(&sid, &hovered, "Hovered: yes");
    let open = env.snapshot(&sid, "outline");
    assert!(
        open.contains("link \"Laptops\""),
        "hover-only menu did not open:\n{open}"
    );

    // Check / uncheck, idempotent.
    let subscribe = ref_of(&snap, "checkbox \"Subscribe\"");
    env.session(&sid, &["check", "--ref", &subscribe]);
    env.wait_text_contains(&sid, &subscribed, "Subscribed: yes");
    env.session(&sid, &["check", "--ref", &subscribe]);
    assert_eq!(
        env.session(&sid, &["dom-checked", "--ref", &subscribe])["value"],
        true
    );
    env.session(&sid, &["uncheck", "--ref", &subscribe]);
    env.wait_text_contains(&sid, &subscribed, "Subscribed: no");
    assert_eq!(
        env.session(&sid, &["dom-checked", "--ref", &subscribe])["value"],
        false
    );

    // Select by value and by visible text, single and multiple.
    let fruit = ref_of(&snap, "\"Fruit\"");
    let toppings = ref_of(&snap, "\"Toppings\"");
    env.session(&sid, &["select", "--ref", &fruit, "--values", "c"]);
    env.session(
        &sid,
        &["select", "--ref", &toppings, "--values", "Ham,corn"],
    );
    env.wait_text_contains(&sid, &chosen, "Chosen: c / ham+corn");
    assert_eq!(
        env.session(&sid, &["dom-value", "--ref", &fruit])["value"],
        "c"
    );
    let bad = env.daemon.cli(&[
        "select",
        "--session-id",
        &sid,
        "--ref",
        &fruit,
        "--values",
        "durian",
    ]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("[invalid_request]"), "{bad:?}");

    // Getters.
    let docs = ref_of(&snap, "link \"Docs\"");
    assert_eq!(
        env.session(&sid, &["dom-attr", "--ref", &docs, "--attr", "data-kind"])["value"],
        "docs"
    );
    assert_eq!(
        env.session(&sid, &["dom-attr", "--ref", &docs, "--attr", "nope"])["value"],
        serde_json::Value::Null
    );
    let html = env.session(&sid, &["dom-html", "--ref", &docs]);
    assert!(
        html["outerHTML"]
            .as_str()
            .unwrap_or_default()
            .starts_with("<a id=\"docs\""),
        "{html}"
    );
    let nick = ref_of(&snap, "textbox disabled \"Nickname\"");
    assert_eq!(
        env.session(&sid, &["dom-enabled", "--ref", &nick])["value"],
        false
    );
    assert_eq!(
        env.session(&sid, &["dom-enabled", "--ref", &docs])["value"],
        true
    );
    assert_eq!(
        env.session(&sid, &["dom-value", "--ref", &nick])["value"],
        "ada"
    );
    let ghost = ref_of(&snap, "button \"Ghost\"");
    assert_eq!(
        env.session(&sid, &["dom-visible", "--ref", &ghost])["value"],
        false
    );
    assert_eq!(
        env.session(&sid, &["dom-visible", "--ref", &docs])["value"],
        true
    );
}

#[test]
fn scroll_and_scroll_into_view() {
    let env = TestEnv::paired();
    let sid = env.launch("long.html");
    let snap = env.snapshot(&sid, "outline");
    let scrolled = ref_of(&snap, "paragraph");
    env.session(&sid, &["scroll", "--dy", "1200"]);
    let down = wait_for(Duration::from_secs(5), || {
        let t = env.dom_text(&sid, &scrolled);
        let y: i64 = t.trim_start_matches("Scrolled: ").parse().ok()?;
        (y >= 1000).then_some(y)
    });
    assert!(
        down.is_some(),
        "the wheel did not scroll: {}",
        env.dom_text(&sid, &scrolled)
    );
    env.session(&sid, &["scroll", "--dy", "-1200"]);
    env.wait_text_contains(&sid, &scrolled, "Scrolled: 0");
    env.session(
        &sid,
        &[
            "scroll-into-view",
            "--ref",
            &ref_of(&snap, "button \"End button\""),
        ],
    );
    let far = wait_for(Duration::from_secs(5), || {
        let y: i64 = env
            .dom_text(&sid, &scrolled)
            .trim_start_matches("Scrolled: ")
            .parse()
            .ok()?;
        (y > 2000).then_some(y)
    });
    assert!(
        far.is_some(),
        "scroll-into-view did not reach the end: {}",
        env.dom_text(&sid, &scrolled)
    );
}
