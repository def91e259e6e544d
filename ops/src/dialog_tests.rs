//! `page.dialog` over the fake host: state from CDP events, accept/dismiss, errors, `session.status`, and the
//! separate dialog queue that answers while a click is still blocked.

use serde_json::{json, Value};

use crate::command_tests::{req, with_snapshot};
use crate::host::{Debuggee, HostError};
use crate::testing::Harness;

fn open_prompt(h: &Harness, session_id: Option<&str>) {
    h.rt.on_cdp_event(
        Debuggee {
            tab_id: 5,
            session_id: session_id.map(str::to_string),
        },
        "Page.javascriptDialogOpening",
        json!({"url":"https://example.com/","message":"Name?","type":"prompt","hasBrowserHandler":true,
               "defaultPrompt":"Ada"}),
    );
}

fn dialog(h: &mut Harness, sid: &str, id: &str, payload: Value) -> Value {
    req(h, sid, id, "page.dialog", payload)
}

#[test]
fn status_is_closed_until_a_dialog_opens() {
    let (mut h, sid) = with_snapshot();
    let r = dialog(&mut h, &sid, "a", json!({}));
    assert_eq!(
        r["payload"],
        json!({"dialog":{"open":false,"targetId":"tab-5"}})
    );
    open_prompt(&h, None);
    let r = dialog(&mut h, &sid, "b", json!({"action":"status"}));
    let d = &r["payload"]["dialog"];
    assert_eq!(
        (d["open"].clone(), d["type"].clone(), d["message"].clone()),
        (json!(true), json!("prompt"), json!("Name?"))
    );
    assert_eq!(
        (
            d["defaultPrompt"].clone(),
            d["url"].clone(),
            d["targetId"].clone()
        ),
        (json!("Ada"), json!("https://example.com/"), json!("tab-5"))
    );
    assert_eq!(d["openedAt"], json!(1_000_000.0), "host clock at the event");
    assert!(r["payload"].get("handled").is_none());
    let st = req(&mut h, &sid, "s", "session.status", json!({}));
    assert_eq!(st["payload"]["dialog"], *d, "session.status shows it too");
    h.rt.on_cdp_event(
        Debuggee::tab(5),
        "Page.javascriptDialogClosed",
        json!({"result":false,"userInput":""}),
    );
    let r = dialog(&mut h, &sid, "c", json!({}));
    assert_eq!(r["payload"]["dialog"]["open"], false);
}

#[test]
fn accept_sends_the_prompt_text_and_reports_handled() {
    let (mut h, sid) = with_snapshot();
    open_prompt(&h, None);
    let r = dialog(
        &mut h,
        &sid,
        "a",
        json!({"action":"accept","promptText":"Grace"}),
    );
    assert_eq!(
        r["payload"],
        json!({"dialog":{"open":false,"targetId":"tab-5"},"handled":true})
    );
    assert_eq!(
        h.host.params_of("Page.handleJavaScriptDialog"),
        vec![json!({"accept":true,"promptText":"Grace"})]
    );
    let r = dialog(&mut h, &sid, "b", json!({"action":"dismiss"}));
    assert_eq!(r["error"]["code"], "invalid_request", "answered already");
    assert_eq!(r["error"]["message"], "No dialog is open on tab-5.");
    assert_eq!(h.host.params_of("Page.handleJavaScriptDialog").len(), 1);
}

#[test]
fn dismiss_ignores_prompt_text_and_child_dialogs_close_from_their_session() {
    let (mut h, sid) = with_snapshot();
    open_prompt(&h, Some("child-1"));
    let r = dialog(
        &mut h,
        &sid,
        "a",
        json!({"action":"dismiss","promptText":"x"}),
    );
    assert_eq!(r["payload"]["handled"], true);
    assert_eq!(
        h.host.params_of("Page.handleJavaScriptDialog"),
        vec![json!({"accept":false})]
    );
    open_prompt(&h, Some("child-1"));
    h.rt.on_cdp_event(
        Debuggee::tab(5),
        "Page.javascriptDialogClosed",
        json!({"result":true}),
    );
    let r = dialog(&mut h, &sid, "b", json!({}));
    assert_eq!(
        r["payload"]["dialog"]["open"], true,
        "a root-session close does not close a child's dialog"
    );
}

#[test]
fn bad_payloads_and_vanished_dialogs_are_typed_errors() {
    let (mut h, sid) = with_snapshot();
    let r = dialog(&mut h, &sid, "a", json!({"action":"press"}));
    assert_eq!(
        (r["error"]["code"].clone(), r["error"]["message"].clone()),
        (
            json!("invalid_request"),
            json!("Invalid dialog action: press. Use accept, dismiss or status.")
        )
    );
    let r = dialog(&mut h, &sid, "b", json!({"action":"accept","promptText":5}));
    assert_eq!(r["error"]["message"], "promptText must be a string.");
    let r = dialog(&mut h, &sid, "c", json!({"action":"accept"}));
    assert_eq!(r["error"]["message"], "No dialog is open on tab-5.");
    assert!(h.host.params_of("Page.handleJavaScriptDialog").is_empty());
    open_prompt(&h, None);
    h.host.respond("Page.handleJavaScriptDialog", |_, _| {
        Err(HostError::new("No dialog is showing"))
    });
    let r = dialog(&mut h, &sid, "d", json!({"action":"accept"}));
    assert_eq!(r["error"]["message"], "No dialog is open on tab-5.");
    let r = dialog(&mut h, &sid, "e", json!({}));
    assert_eq!(r["payload"]["dialog"]["open"], false, "stale state dropped");
    let r = dialog(&mut h, &sid, "f", json!({"targetId":"tab-9"}));
    assert_eq!(r["error"]["message"], "Unknown targetId: tab-9");
}

#[test]
fn dialog_answers_while_a_click_is_blocked() {
    let (mut h, sid) = with_snapshot();
    h.host
        .0
        .delays
        .borrow_mut()
        .insert("Input.dispatchMouseEvent".into(), 2_000);
    let send = |h: &Harness, id: &str, cmd: &str, payload: Value| {
        h.rt.handle_relay_message(
            &json!({"type":"ops_request","requestId":id,"clientId":"c1","opsSessionId":sid,
                    "leaseId":"L","command":cmd,"payload":payload})
            .to_string(),
        );
    };
    send(&h, "click", "interact.click", json!({"ref":"r1"}));
    h.settle();
    open_prompt(&h, None);
    send(&h, "dlg", "page.dialog", json!({"action":"accept"}));
    send(&h, "dom", "dom.getText", json!({"ref":"r1"}));
    h.settle();
    assert_eq!(h.answer("dlg")["payload"]["handled"], true);
    assert_eq!(h.answer("click"), Value::Null, "the click is still blocked");
    assert_eq!(
        h.answer("dom"),
        Value::Null,
        "target commands wait behind it"
    );
    h.drain();
    assert_eq!(h.answer("click")["type"], "ops_response");
    assert_eq!(h.answer("dom")["type"], "ops_response");
}
