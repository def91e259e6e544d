//! `interact.upload` over the fake host: direct file inputs, intercepted file choosers, the 8 s chooser
//! timeout, and payload validation.

use serde_json::{json, Value};

use crate::command_tests::{req, with_snapshot};
use crate::commands::upload::{is_absolute, parse_files};
use crate::host::Debuggee;
use crate::testing::Harness;

/// Makes every `Runtime.callFunctionOn` answer `value` (the file-input probe reads it as a boolean).
fn page_answers(h: &Harness, value: Value) {
    h.host.respond("Runtime.callFunctionOn", move |_, _| {
        Ok(json!({"result":{"type":"object","value":{"value": value.clone()}}}))
    });
}

fn start_upload(h: &mut Harness, sid: &str, id: &str, payload: Value) {
    h.rt.handle_relay_message(
        &json!({"type":"ops_request","requestId":id,"clientId":"c1","opsSessionId":sid,"leaseId":"L",
                "command":"interact.upload","payload":payload})
        .to_string(),
    );
    h.settle();
}

#[test]
fn a_file_input_gets_the_files_directly() {
    let (mut h, sid) = with_snapshot();
    page_answers(&h, json!(true));
    let r = req(
        &mut h,
        &sid,
        "u",
        "interact.upload",
        json!({"ref":"r2","files":["/tmp/a.txt","/tmp/b.png"]}),
    );
    assert_eq!(
        r["payload"],
        json!({"targetId":"tab-5","fileCount":2,"mode":"direct_input"})
    );
    assert_eq!(
        h.host.params_of("DOM.setFileInputFiles"),
        vec![json!({"files":["/tmp/a.txt","/tmp/b.png"],"backendNodeId":43})]
    );
    assert!(h.host.params_of("Input.dispatchMouseEvent").is_empty());
    assert!(h
        .host
        .params_of("Page.setInterceptFileChooserDialog")
        .is_empty());
}

#[test]
fn another_element_is_clicked_and_the_chooser_gets_the_files() {
    let (mut h, sid) = with_snapshot();
    page_answers(&h, json!(false));
    start_upload(
        &mut h,
        &sid,
        "u",
        json!({"ref":"r1","files":["/tmp/a.txt"]}),
    );
    assert_eq!(h.answer("u"), Value::Null, "waiting for the chooser");
    let methods = h.host.methods();
    let intercept = methods
        .iter()
        .position(|m| m == "Page.setInterceptFileChooserDialog")
        .expect("interception on");
    let click = methods
        .iter()
        .position(|m| m == "Input.dispatchMouseEvent")
        .expect("clicked");
    assert!(intercept < click, "interception is on before the click");
    h.rt.on_cdp_event(
        Debuggee {
            tab_id: 5,
            session_id: Some("child".into()),
        },
        "Page.fileChooserOpened",
        json!({"frameId":"F","mode":"selectSingle","backendNodeId":99}),
    );
    h.settle();
    assert_eq!(
        h.answer("u"),
        Value::Null,
        "a child session's chooser is not ours"
    );
    h.rt.on_cdp_event(
        Debuggee::tab(5),
        "Page.fileChooserOpened",
        json!({"frameId":"F","mode":"selectSingle","backendNodeId":77}),
    );
    h.drain();
    assert_eq!(
        h.answer("u")["payload"],
        json!({"targetId":"tab-5","fileCount":1,"mode":"file_chooser"})
    );
    assert_eq!(
        h.host.params_of("DOM.setFileInputFiles"),
        vec![json!({"files":["/tmp/a.txt"],"backendNodeId":77})]
    );
    assert_eq!(
        h.host.params_of("Page.setInterceptFileChooserDialog"),
        vec![json!({"enabled":true}), json!({"enabled":false})]
    );
    assert_eq!(h.host.params_of("Input.dispatchMouseEvent").len(), 3);
}

#[test]
fn no_chooser_within_8_s_is_a_timeout() {
    let (mut h, sid) = with_snapshot();
    page_answers(&h, json!(false));
    start_upload(
        &mut h,
        &sid,
        "u",
        json!({"ref":"r1","files":["/tmp/a.txt"]}),
    );
    h.run_for(7_900);
    assert_eq!(h.answer("u"), Value::Null, "still waiting at 7.9 s");
    h.run_for(200);
    let e = &h.answer("u")["error"];
    assert_eq!(
        (e["code"].clone(), e["retryable"].clone()),
        (json!("timeout"), json!(true))
    );
    assert_eq!(
        e["message"],
        "No file chooser opened within 8000 ms after clicking r1."
    );
    assert_eq!(
        h.host.params_of("Page.setInterceptFileChooserDialog"),
        vec![json!({"enabled":true}), json!({"enabled":false})],
        "interception is switched off again"
    );
    assert!(h.host.params_of("DOM.setFileInputFiles").is_empty());
    h.rt.on_cdp_event(
        Debuggee::tab(5),
        "Page.fileChooserOpened",
        json!({"mode":"selectSingle","backendNodeId":77}),
    );
    h.drain();
    assert!(
        h.host.params_of("DOM.setFileInputFiles").is_empty(),
        "a late chooser is ignored"
    );
}

#[test]
fn a_chooser_without_an_input_cannot_take_files() {
    let (mut h, sid) = with_snapshot();
    page_answers(&h, json!(false));
    start_upload(
        &mut h,
        &sid,
        "u",
        json!({"ref":"r1","files":["/tmp/a.txt"]}),
    );
    h.rt.on_cdp_event(
        Debuggee::tab(5),
        "Page.fileChooserOpened",
        json!({"frameId":"F","mode":"selectMultiple"}),
    );
    h.drain();
    let e = &h.answer("u")["error"];
    assert_eq!(e["code"], "execution_failed");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("showOpenFilePicker"),
        "{e}"
    );
}

#[test]
fn payload_validation() {
    let (mut h, sid) = with_snapshot();
    let cases = [
        (json!({"files":["/a"]}), "Missing ref"),
        (
            json!({"ref":"r2","files":[]}),
            "Missing files: give at least one absolute file path.",
        ),
        (
            json!({"ref":"r2"}),
            "Missing files: give at least one absolute file path.",
        ),
        (
            json!({"ref":"r2","files":"/a"}),
            "files must be an array of absolute paths.",
        ),
        (
            json!({"ref":"r2","files":[3]}),
            "files must be an array of absolute paths.",
        ),
        (
            json!({"ref":"r2","files":["a.txt"]}),
            "File paths must be absolute: a.txt",
        ),
        (
            json!({"ref":"r9","files":["/a"]}),
            "Unknown ref: r9. Take a new snapshot first.",
        ),
    ];
    for (i, (payload, message)) in cases.into_iter().enumerate() {
        let r = req(&mut h, &sid, &format!("v{i}"), "interact.upload", payload);
        assert_eq!(r["error"]["code"], "invalid_request", "{r}");
        assert_eq!(r["error"]["message"], message);
    }
    assert!(h.host.params_of("DOM.setFileInputFiles").is_empty());
}

#[test]
fn absolute_paths_on_both_systems() {
    for p in ["/tmp/x", "C:\\Users\\x.txt", "d:/x", "\\\\server\\share\\x"] {
        assert!(is_absolute(p), "{p}");
    }
    for p in ["x", "./x", "C:x", "~/x", ""] {
        assert!(!is_absolute(p), "{p}");
    }
    assert_eq!(
        parse_files(&json!({"files":["/a","/b"]})).unwrap(),
        vec!["/a".to_string(), "/b".to_string()]
    );
}
