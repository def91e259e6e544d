//! `export.clonePage` / `export.cloneComponent` over the fake host: the CDP calls, the options handed to the page
//! function, and the result shape. (What the page function does is checked in Chromium: tests/e2e/export.rs.)

use serde_json::{json, Value};

use crate::command_tests::{req, with_snapshot};
use crate::commands::export::CAPTURE_FN;
use crate::host::HostError;

fn capture_value() -> Value {
    json!({"html": "<body><p>Hi</p></body>", "styles": {"color": "rgb(0, 0, 0)"}, "warnings": [], "inlineStyles": true})
}

const DEFAULT_OPTIONS: &str = r#"{"inlineStyles":true,"maxNodes":1000,"sanitize":true,"skipStyleValues":[],"styleAllowlist":[]}"#;

#[test]
fn clone_page_evaluates_the_capture_on_the_body() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Runtime.evaluate", |_, _| {
        Ok(json!({"result": {"type": "object", "value": capture_value()}}))
    });
    let r = req(&mut h, &sid, "e", "export.clonePage", json!({}));
    assert_eq!(r["payload"], json!({"capture": capture_value()}), "{r}");
    let sent = h.host.params_of("Runtime.evaluate");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["returnByValue"], true);
    let expression = sent[0]["expression"].as_str().unwrap();
    assert_eq!(
        expression,
        format!(
            "({CAPTURE_FN}).call(document.body || document.documentElement, {DEFAULT_OPTIONS})"
        )
    );
}

#[test]
fn clone_page_passes_the_options() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Runtime.evaluate", |_, _| {
        Ok(json!({"result": {"type": "object", "value": capture_value()}}))
    });
    req(
        &mut h,
        &sid,
        "e",
        "export.clonePage",
        json!({"sanitize": false, "maxNodes": 0, "inlineStyles": false,
               "styleAllowlist": ["color"], "skipStyleValues": ["none"]}),
    );
    let expression = h.host.params_of("Runtime.evaluate")[0]["expression"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        expression.ends_with(
            r#", {"inlineStyles":false,"maxNodes":1,"sanitize":false,"skipStyleValues":["none"],"styleAllowlist":["color"]})"#
        ),
        "maxNodes is at least 1: {}",
        &expression[expression.len() - 120..]
    );
}

#[test]
fn clone_page_rejects_bad_lists_and_reports_page_errors() {
    let (mut h, sid) = with_snapshot();
    let r = req(
        &mut h,
        &sid,
        "a",
        "export.clonePage",
        json!({"styleAllowlist": "color"}),
    );
    assert_eq!(
        (r["error"]["code"].clone(), r["error"]["message"].clone()),
        (
            json!("invalid_request"),
            json!("Invalid styleAllowlist: expected an array of strings")
        )
    );
    let r = req(
        &mut h,
        &sid,
        "b",
        "export.clonePage",
        json!({"skipStyleValues": [1]}),
    );
    assert_eq!(
        r["error"]["message"],
        "Invalid skipStyleValues: expected an array of strings"
    );
    assert!(h.host.params_of("Runtime.evaluate").is_empty());

    h.host.respond("Runtime.evaluate", |_, _| {
        Ok(
            json!({"result": {"type": "object"}, "exceptionDetails": {"text": "Uncaught",
                  "exception": {"description": "TypeError: boom"}}}),
        )
    });
    let r = req(&mut h, &sid, "c", "export.clonePage", json!({}));
    assert_eq!(
        (r["error"]["code"].clone(), r["error"]["message"].clone()),
        (json!("execution_failed"), json!("TypeError: boom"))
    );
    h.host.respond("Runtime.evaluate", |_, _| {
        Ok(json!({"result": {"type": "undefined"}}))
    });
    let r = req(&mut h, &sid, "d", "export.clonePage", json!({}));
    assert_eq!(r["error"]["message"], "Export capture returned no html");
}

#[test]
fn clone_component_runs_the_capture_on_the_ref() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Runtime.callFunctionOn", |_, _| {
        Ok(json!({"result": {"type": "object", "value": {"value": capture_value()}}}))
    });
    let r = req(
        &mut h,
        &sid,
        "c",
        "export.cloneComponent",
        json!({"ref": "r2", "maxNodes": 5}),
    );
    assert_eq!(r["payload"], json!({"capture": capture_value()}), "{r}");
    assert_eq!(h.host.params_of("DOM.resolveNode")[0]["backendNodeId"], 43);
    let call = &h.host.params_of("Runtime.callFunctionOn")[0];
    assert!(call["functionDeclaration"]
        .as_str()
        .unwrap()
        .contains(CAPTURE_FN));
    assert_eq!(
        call["arguments"],
        json!([{"value": {"inlineStyles": true, "maxNodes": 5, "sanitize": true,
                           "skipStyleValues": [], "styleAllowlist": []}}])
    );
}

#[test]
fn clone_component_needs_a_live_ref() {
    let (mut h, sid) = with_snapshot();
    let r = req(&mut h, &sid, "a", "export.cloneComponent", json!({}));
    assert_eq!(r["error"]["message"], "Missing ref");
    let r = req(
        &mut h,
        &sid,
        "b",
        "export.cloneComponent",
        json!({"ref": "r9"}),
    );
    assert_eq!(
        r["error"]["message"],
        "Unknown ref: r9. Take a new snapshot first."
    );
    h.host.respond("DOM.resolveNode", |_, _| {
        Err(HostError::new("No node with given id found"))
    });
    let r = req(
        &mut h,
        &sid,
        "c",
        "export.cloneComponent",
        json!({"ref": "r1"}),
    );
    assert_eq!(
        r["error"]["message"],
        "Unknown ref: r1. Take a new snapshot first."
    );
}

#[test]
fn exports_fail_fast_under_a_dialog() {
    let (mut h, sid) = with_snapshot();
    h.rt.on_cdp_event(
        crate::host::Debuggee::tab(5),
        "Page.javascriptDialogOpening",
        json!({"type": "alert", "message": "Hi", "url": "https://example.com/", "defaultPrompt": ""}),
    );
    for (id, cmd, payload) in [
        ("a", "export.clonePage", json!({})),
        ("b", "export.cloneComponent", json!({"ref": "r1"})),
    ] {
        let r = req(&mut h, &sid, id, cmd, payload);
        assert_eq!(
            (r["error"]["code"].clone(), r["error"]["message"].clone()),
            (
                json!("execution_failed"),
                json!("A JavaScript dialog is open on tab-5; handle it with page.dialog before exporting.")
            ),
            "{r}"
        );
    }
    assert!(h.host.params_of("Runtime.evaluate").is_empty());
    assert!(h.host.params_of("Runtime.callFunctionOn").is_empty());
}
