//! Named pages (`page.open/list/close`) and popup adoption over the fake host.

use serde_json::{json, Value};

use crate::command_tests::req;
use crate::commands::page::attaching_error;
use crate::host::TabInfo;
use crate::testing::Harness;

fn launched() -> (Harness, String) {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    (h, sid)
}

fn targets(h: &Harness, sid: &str) -> Vec<i64> {
    h.rt.with_state(|st| st.sessions[sid].targets.clone())
}

fn active(h: &Harness, sid: &str) -> i64 {
    h.rt.with_state(|st| st.sessions[sid].active)
}

fn log_count(h: &Harness, entry: &str) -> usize {
    h.host.0.log.borrow().iter().filter(|l| *l == entry).count()
}

fn popup(id: i64) -> TabInfo {
    TabInfo {
        id,
        url: String::new(),
        title: String::new(),
        status: None,
        active: false,
    }
}

#[test]
fn open_creates_names_and_reuses_a_page() {
    let (mut h, sid) = launched();
    let r = req(
        &mut h,
        &sid,
        "o1",
        "page.open",
        json!({"name": "docs", "url": "https://example.com/docs"}),
    );
    let p = &r["payload"];
    assert_eq!(
        (p["targetId"].clone(), p["created"].clone()),
        (json!("tab-100"), json!(true)),
        "{r}"
    );
    assert_eq!(p["url"], "https://example.com/docs");
    assert_eq!(p["title"], "Tab 100");
    assert_eq!(targets(&h, &sid), vec![5, 100]);
    assert_eq!(
        active(&h, &sid),
        100,
        "a new page becomes the active target"
    );
    assert_eq!(log_count(&h, "attach 100"), 1);

    req(
        &mut h,
        &sid,
        "u",
        "targets.use",
        json!({"targetId": "tab-5"}),
    );
    let r = req(
        &mut h,
        &sid,
        "o2",
        "page.open",
        json!({"name": "docs", "url": "https://example.com/other"}),
    );
    let p = &r["payload"];
    assert_eq!(
        (p["targetId"].clone(), p["created"].clone()),
        (json!("tab-100"), json!(false)),
        "{r}"
    );
    assert_eq!(
        p["url"], "https://example.com/docs",
        "a known page is not navigated"
    );
    assert_eq!(active(&h, &sid), 100, "a known page is focused");
    assert_eq!(
        h.host
            .0
            .log
            .borrow()
            .iter()
            .filter(|l| l.starts_with("create"))
            .count(),
        1,
        "no second tab"
    );
}

#[test]
fn open_checks_its_arguments() {
    let (mut h, sid) = launched();
    let r = req(
        &mut h,
        &sid,
        "a",
        "page.open",
        json!({"url": "https://x.test/"}),
    );
    assert_eq!(
        (r["error"]["code"].clone(), r["error"]["message"].clone()),
        (json!("invalid_request"), json!("Missing name"))
    );
    let r = req(
        &mut h,
        &sid,
        "b",
        "page.open",
        json!({"name": "n", "url": "file:///etc/passwd"}),
    );
    assert_eq!(r["error"]["code"], "restricted_url");
    assert_eq!(targets(&h, &sid), vec![5]);
}

#[test]
fn list_reports_pages_in_naming_order() {
    let (mut h, sid) = launched();
    req(
        &mut h,
        &sid,
        "a",
        "page.open",
        json!({"name": "b-page", "url": "https://example.com/b"}),
    );
    req(
        &mut h,
        &sid,
        "b",
        "page.open",
        json!({"name": "a-page", "url": "https://example.com/a"}),
    );
    let r = req(&mut h, &sid, "l", "page.list", json!({}));
    assert_eq!(
        r["payload"],
        json!({"pages": [
            {"name": "b-page", "targetId": "tab-100", "url": "https://example.com/b", "title": "Tab 100"},
            {"name": "a-page", "targetId": "tab-101", "url": "https://example.com/a", "title": "Tab 101"},
        ]})
    );
}

#[test]
fn close_closes_the_tab_and_forgets_the_name() {
    let (mut h, sid) = launched();
    req(
        &mut h,
        &sid,
        "a",
        "page.open",
        json!({"name": "docs", "url": "https://example.com/d"}),
    );
    let r = req(&mut h, &sid, "c", "page.close", json!({"name": "docs"}));
    assert_eq!(r["payload"], json!({"ok": true}), "{r}");
    assert_eq!(log_count(&h, "close 100"), 1);
    assert_eq!(targets(&h, &sid), vec![5]);
    assert_eq!(active(&h, &sid), 5);
    let r = req(&mut h, &sid, "l", "page.list", json!({}));
    assert_eq!(r["payload"], json!({"pages": []}));
    let r = req(&mut h, &sid, "c2", "page.close", json!({"name": "docs"}));
    assert_eq!(
        (r["error"]["code"].clone(), r["error"]["message"].clone()),
        (json!("invalid_request"), json!("Unknown page name"))
    );
    let r = req(&mut h, &sid, "c3", "page.close", json!({}));
    assert_eq!(r["error"]["message"], "Missing name");
}

#[test]
fn a_closed_tab_drops_its_name() {
    let (mut h, sid) = launched();
    req(
        &mut h,
        &sid,
        "a",
        "page.open",
        json!({"name": "docs", "url": "https://example.com/d"}),
    );
    h.host.0.tabs.borrow_mut().remove(&100);
    h.rt.on_tab_removed(100);
    h.drain();
    let names =
        h.rt.with_state(|st| st.sessions[&sid].pages.named().to_vec());
    assert!(names.is_empty(), "{names:?}");
    let r = req(
        &mut h,
        &sid,
        "b",
        "page.open",
        json!({"name": "docs", "url": "https://example.com/d"}),
    );
    assert_eq!(r["payload"]["created"], true, "{r}");
    assert_eq!(r["payload"]["targetId"], "tab-101");
}

#[test]
fn closing_a_page_named_on_the_root_ends_the_session() {
    let (mut h, sid) = launched();
    h.rt.with_state(|st| {
        st.sessions
            .get_mut(&sid)
            .unwrap()
            .pages
            .insert("home".into(), 5)
    });
    let r = req(&mut h, &sid, "c", "page.close", json!({"name": "home"}));
    assert_eq!(r["payload"], json!({"ok": true}), "{r}");
    assert!(h.rt.session_ids().is_empty());
    assert!(h.events().iter().any(|(e, _)| e == "ops_session_closed"));
    assert_eq!(log_count(&h, "close 5"), 1);
}

#[test]
fn popups_of_a_session_tab_are_adopted_once() {
    let (mut h, sid) = launched();
    h.host.add_tab(7, "https://example.com/popup", false);
    h.rt.on_tab_created(popup(7), Some(5));
    h.rt.on_tab_created(popup(7), Some(5));
    h.drain();
    h.rt.on_tab_created(popup(7), Some(5));
    h.drain();
    assert_eq!(targets(&h, &sid), vec![5, 7]);
    assert_eq!(log_count(&h, "attach 7"), 1, "{:?}", h.host.0.log.borrow());
    let enabled: Vec<String> = h
        .host
        .0
        .calls
        .borrow()
        .iter()
        .filter(|(tab, _, _)| *tab == 7)
        .map(|(_, m, _)| m.clone())
        .collect();
    assert_eq!(
        enabled,
        vec![
            "Target.setAutoAttach",
            "Page.enable",
            "Runtime.enable",
            "Network.enable",
            "Performance.enable",
            "Target.setDiscoverTargets"
        ]
    );
    assert_eq!(
        active(&h, &sid),
        5,
        "a popup does not take the active target"
    );
    assert!(attaching_error(&h.rt, 7).is_none());
    let r = req(
        &mut h,
        &sid,
        "l",
        "targets.list",
        json!({"includeUrls": true}),
    );
    let listed: Vec<Value> = r["payload"]["targets"].as_array().unwrap().clone();
    assert!(
        listed
            .iter()
            .any(|t| t["targetId"] == "tab-7" && t["url"] == "https://example.com/popup"),
        "{r}"
    );
    req(
        &mut h,
        &sid,
        "u",
        "targets.use",
        json!({"targetId": "tab-7"}),
    );
    let r = req(&mut h, &sid, "s", "nav.snapshot", json!({}));
    assert_eq!(r["type"], "ops_response", "commands work on the popup: {r}");
    assert_eq!(h.host.0.calls.borrow().last().map(|(t, _, _)| *t), Some(7));
}

#[test]
fn popups_of_other_tabs_are_ignored() {
    let (mut h, sid) = launched();
    h.host.add_tab(7, "https://example.com/popup", false);
    h.host.add_tab(9, "https://example.com/unrelated", false);
    h.rt.on_tab_created(popup(7), Some(9));
    h.rt.on_tab_created(popup(7), None);
    h.drain();
    assert_eq!(targets(&h, &sid), vec![5]);
    assert_eq!(log_count(&h, "attach 7"), 0);
}

#[test]
fn a_popup_still_attaching_answers_the_retryable_error() {
    let (mut h, sid) = launched();
    h.host.add_tab(7, "https://example.com/popup", false);
    h.host.0.tabs.borrow_mut().get_mut(&7).unwrap().status = Some("loading".into());
    h.rt.on_tab_created(popup(7), Some(5));
    h.settle();
    let e = attaching_error(&h.rt, 7).expect("waiting for the load");
    assert_eq!(
        e.message,
        "Popup target has not finished attaching yet (stage: waiting_for_load)."
    );
    assert_eq!(targets(&h, &sid), vec![5, 7], "listed while attaching");

    h.host.0.tabs.borrow_mut().get_mut(&7).unwrap().status = Some("complete".into());
    h.host
        .0
        .delays
        .borrow_mut()
        .insert("Page.enable".into(), 1_000);
    h.run_for(150);
    let e = attaching_error(&h.rt, 7).expect("attaching");
    assert_eq!(
        (e.code.as_str(), e.message.as_str(), e.retryable),
        (
            "execution_failed",
            "Popup target has not finished attaching yet (stage: attaching).",
            true
        )
    );
    assert_eq!(
        e.details,
        Some(json!({"targetId": "tab-7", "stage": "attaching"}))
    );
    h.run_for(1_000);
    assert!(attaching_error(&h.rt, 7).is_none());
    assert!(h.rt.attached_tabs().contains(&7));
}

#[test]
fn a_popup_that_cannot_attach_leaves_the_session() {
    let (mut h, sid) = launched();
    h.host.add_tab(7, "https://example.com/popup", false);
    h.host
        .0
        .attach_errors
        .borrow_mut()
        .insert(7, "Cannot access a chrome:// URL".into());
    h.rt.on_tab_created(popup(7), Some(5));
    h.drain();
    assert_eq!(targets(&h, &sid), vec![5]);
    assert!(attaching_error(&h.rt, 7).is_none());
    assert!(!h.rt.attached_tabs().contains(&7));
}

#[test]
fn a_popup_closed_while_attaching_is_forgotten() {
    let (mut h, sid) = launched();
    h.host.add_tab(7, "https://example.com/popup", false);
    h.host
        .0
        .delays
        .borrow_mut()
        .insert("Page.enable".into(), 1_000);
    h.rt.on_tab_created(popup(7), Some(5));
    h.run_for(100);
    h.host.0.tabs.borrow_mut().remove(&7);
    h.rt.on_tab_removed(7);
    assert!(attaching_error(&h.rt, 7).is_none());
    h.drain();
    assert_eq!(targets(&h, &sid), vec![5]);
    assert!(
        !h.rt.attached_tabs().contains(&7),
        "the late attach is undone"
    );
    assert!(h.host.0.log.borrow().contains(&"detach 7".to_string()));
}
