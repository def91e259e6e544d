//! `nav.review` over the fake host: actionables only, the review fields, paging, and refs that click.

use serde_json::json;

use crate::command_tests::req;
use crate::testing::Harness;

/// A page with a heading (outline only), a button and a link.
fn with_page() -> (Harness, String) {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    h.host.respond("DOMSnapshot.captureSnapshot", |_, _| {
        Ok(crate::fake_dom::dom_page(&[
            ("h1", &[], "Title", 41),
            ("button", &[], "Go", 42),
            ("a", &[("href", "/next")], "Next", 43),
        ]))
    });
    (h, sid)
}

#[test]
fn review_is_an_actionables_snapshot_with_session_facts() {
    let (mut h, sid) = with_page();
    let r = req(&mut h, &sid, "r", "nav.review", json!({"mode": "outline"}));
    let p = &r["payload"];
    assert_eq!(
        p["content"], "[r1] button \"Go\"\n[r2] link \"Next\"",
        "{r}"
    );
    assert_eq!(p["sessionId"], sid.as_str());
    assert_eq!(p["targetId"], "tab-5");
    assert_eq!(p["mode"], "extension");
    assert_eq!(p["url"], "https://example.com/");
    assert_eq!(p["title"], "Tab 5");
    assert_eq!(p["refCount"], 2);
    assert_eq!(p["truncated"], false);
    assert_eq!(p["dialog"], json!({"open": false, "targetId": "tab-5"}));
    assert!(p["snapshotId"].is_string() && p["timingMs"].is_u64());
    assert!(
        p.get("warnings").is_none() && p.get("nextCursor").is_none(),
        "empty warnings and no cursor are left out: {p}"
    );
}

#[test]
fn review_pages_with_a_cursor() {
    let (mut h, sid) = with_page();
    let long = "long ".repeat(12).trim().to_string();
    let name = long.clone();
    h.host.respond("DOMSnapshot.captureSnapshot", move |_, _| {
        Ok(crate::fake_dom::dom_page(&[
            ("button", &[], name.as_str(), 42),
            ("a", &[("href", "/next")], "Next", 43),
            (
                "a",
                &[("href", "/more")],
                "More links after the next one here",
                44,
            ),
        ]))
    });
    let r = req(&mut h, &sid, "a", "nav.review", json!({"maxChars": 10}));
    assert_eq!(
        r["payload"]["content"],
        format!("[r1] button \"{long}\"\n[truncated: 2 more lines; next cursor 1]")
    );
    assert_eq!(r["payload"]["truncated"], true);
    assert_eq!(r["payload"]["nextCursor"], "1");
    let r = req(
        &mut h,
        &sid,
        "b",
        "nav.review",
        json!({"maxChars": 10, "cursor": "1"}),
    );
    assert_eq!(
        r["payload"]["content"],
        "[r2] link \"Next\"\n[r3] link \"More links after the next one here\""
    );
    let r = req(
        &mut h,
        &sid,
        "c",
        "nav.review",
        json!({"cursor": {"bad": 1}}),
    );
    assert_eq!(r["error"]["message"], "Invalid cursor");
}

#[test]
fn review_refs_click() {
    let (mut h, sid) = with_page();
    req(&mut h, &sid, "r", "nav.review", json!({}));
    let r = req(&mut h, &sid, "c", "interact.click", json!({"ref": "r2"}));
    assert_eq!(r["type"], "ops_response", "{r}");
    assert_eq!(
        h.host.params_of("DOM.getBoxModel"),
        vec![json!({"backendNodeId": 43})]
    );
    assert_eq!(h.host.params_of("Input.dispatchMouseEvent").len(), 3);
}

#[test]
fn review_on_a_named_target() {
    let (mut h, sid) = with_page();
    req(
        &mut h,
        &sid,
        "n",
        "targets.new",
        json!({"url": "https://example.com/two"}),
    );
    let r = req(
        &mut h,
        &sid,
        "r",
        "nav.review",
        json!({"targetId": "tab-5"}),
    );
    assert_eq!(r["payload"]["targetId"], "tab-5", "{r}");
    let r = req(&mut h, &sid, "r2", "nav.review", json!({}));
    assert_eq!(r["payload"]["targetId"], "tab-100");
    assert_eq!(r["payload"]["url"], "https://example.com/two");
}

#[test]
fn review_reports_an_open_dialog() {
    let (mut h, sid) = with_page();
    h.rt.on_cdp_event(
        crate::host::Debuggee::tab(5),
        "Page.javascriptDialogOpening",
        json!({"type": "confirm", "message": "Leave?", "url": "https://example.com/", "defaultPrompt": ""}),
    );
    let r = req(&mut h, &sid, "r", "nav.review", json!({}));
    let dialog = &r["payload"]["dialog"];
    assert_eq!(
        (
            dialog["open"].clone(),
            dialog["type"].clone(),
            dialog["message"].clone()
        ),
        (json!(true), json!("confirm"), json!("Leave?")),
        "{r}"
    );
    assert_eq!(dialog["targetId"], "tab-5");
    let p = &r["payload"];
    assert_eq!(
        (
            p["content"].clone(),
            p["refCount"].clone(),
            p["truncated"].clone()
        ),
        (json!(""), json!(0), json!(false)),
        "the paused page is not read"
    );
    assert_eq!(
        p["warnings"],
        json!([crate::commands::review::dialog_warning(5)])
    );
    assert_eq!(p["url"], "https://example.com/");
    assert!(
        h.host.params_of("DOMSnapshot.captureSnapshot").is_empty(),
        "no AX call while the dialog blocks the renderer"
    );
    h.rt.on_cdp_event(
        crate::host::Debuggee::tab(5),
        "Page.javascriptDialogClosed",
        json!({"result": true, "userInput": ""}),
    );
    let r = req(&mut h, &sid, "r2", "nav.review", json!({}));
    assert_eq!(r["payload"]["dialog"]["open"], false, "{r}");
    assert_eq!(r["payload"]["refCount"], 2);
}
