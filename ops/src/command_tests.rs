//! Command tests over the fake host: snapshot and refs, stale refs, click, type, press, getText, goto, screenshot.

use serde_json::{json, Value};

use crate::host::{Debuggee, HostError};
use crate::testing::Harness;

fn page() -> Value {
    crate::fake_dom::dom_page(&[
        ("button", &[], "Go", 42),
        ("input", &[("aria-label", "Email")], "", 43),
    ])
}

/// A harness with session `sid` (lease `L`) on tab 5 and a snapshot taken: r1 = button 42, r2 = textbox 43.
pub(crate) fn with_snapshot() -> (Harness, String) {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    h.host
        .respond("DOMSnapshot.captureSnapshot", |_, _| Ok(page()));
    let r = h.request(
        "c1",
        "snap",
        Some(&sid),
        Some("L"),
        "nav.snapshot",
        json!({}),
    );
    let p = &r["payload"];
    assert_eq!(
        p["content"], "[r1] button \"Go\"\n[r2] textbox \"Email\"",
        "{r}"
    );
    assert_eq!(
        (p["refCount"].clone(), p["truncated"].clone()),
        (json!(2), json!(false))
    );
    assert_eq!(p["url"], "https://example.com/");
    assert!(
        p["snapshotId"].is_string() && p["warnings"].is_array() && p.get("nextCursor").is_none()
    );
    h.host.0.calls.borrow_mut().clear();
    (h, sid)
}

pub(crate) fn req(h: &mut Harness, sid: &str, id: &str, cmd: &str, payload: Value) -> Value {
    h.request("c1", id, Some(sid), Some("L"), cmd, payload)
}

const STALE_R1: &str = "Unknown ref: r1. Take a new snapshot first.";

/// Two lines of about 75 characters do not both fit in `maxChars` 120 (the smallest budget) with the marker, so each
/// page holds one line and ends with the truncation marker.
#[test]
fn snapshot_pages_with_a_cursor() {
    let (mut h, sid) = with_snapshot();
    let long_a = "alpha ".repeat(10).trim().to_string();
    let long_b = "beta ".repeat(13).trim().to_string();
    let (a, b) = (long_a.clone(), long_b.clone());
    h.host.respond("DOMSnapshot.captureSnapshot", move |_, _| {
        Ok(crate::fake_dom::dom_page(&[
            ("button", &[], a.as_str(), 42),
            ("button", &[], b.as_str(), 44),
        ]))
    });
    let r = req(
        &mut h,
        &sid,
        "p1",
        "nav.snapshot",
        json!({"mode":"actionables","maxChars":10}),
    );
    assert_eq!(
        r["payload"]["content"],
        format!("[r1] button \"{long_a}\"\n[truncated: 1 more lines; next cursor 1]")
    );
    assert_eq!(r["payload"]["nextCursor"], "1");
    let r = req(
        &mut h,
        &sid,
        "p2",
        "nav.snapshot",
        json!({"mode":"actionables","maxChars":10,"cursor":"1"}),
    );
    assert_eq!(r["payload"]["content"], format!("[r3] button \"{long_b}\""));
    let r = req(
        &mut h,
        &sid,
        "p3",
        "nav.snapshot",
        json!({"mode":"everything"}),
    );
    assert_eq!(r["error"]["code"], "invalid_request");
}

#[test]
fn snapshot_too_large() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    let name = "word ".repeat(50);
    h.host.respond("DOMSnapshot.captureSnapshot", move |_, _| {
        let ids: Vec<i64> = (0..12_000).collect();
        let elements: Vec<crate::fake_dom::FakeElement<'_>> = ids
            .iter()
            .map(|i| ("button", &[][..], name.as_str(), 1000 + i))
            .collect();
        Ok(crate::fake_dom::dom_page(&elements))
    });
    let r = req(
        &mut h,
        &sid,
        "s",
        "nav.snapshot",
        json!({"maxChars": 10_000_000, "maxNodes": 20_000}),
    );
    assert_eq!(r["error"]["code"], "snapshot_too_large", "{}", r["error"]);
    assert_eq!(r["error"]["details"]["maxSnapshotBytes"], 2 * 1024 * 1024);
    assert!(r["error"]["details"]["actualBytes"].as_u64().unwrap() > 2 * 1024 * 1024);
}

#[test]
fn unknown_and_stale_refs_use_the_exact_message() {
    let (mut h, sid) = with_snapshot();
    let r = req(&mut h, &sid, "a", "interact.click", json!({"ref":"r99"}));
    assert_eq!(
        r["error"]["message"],
        "Unknown ref: r99. Take a new snapshot first."
    );
    assert_eq!(r["error"]["code"], "invalid_request");
    h.host.respond("DOM.resolveNode", |_, _| {
        Err(HostError::new("No node with given id found"))
    });
    let r = req(&mut h, &sid, "b", "interact.click", json!({"ref":"r1"}));
    assert_eq!(r["error"]["message"], STALE_R1);
    h.host.0.responders.borrow_mut().remove("DOM.resolveNode");
    h.host.respond("Runtime.callFunctionOn", |_, _| {
        Ok(json!({"result":{"type":"object","value":{"__odbStale":true}}}))
    });
    let r = req(&mut h, &sid, "c", "dom.getText", json!({"ref":"r1"}));
    assert_eq!(
        r["error"]["message"], STALE_R1,
        "a disconnected element is stale"
    );
    h.host.respond("Runtime.callFunctionOn", |_, _| {
        Err(HostError::new("Cannot find context with specified id"))
    });
    let r = req(&mut h, &sid, "d", "dom.getText", json!({"ref":"r1"}));
    assert_eq!(r["error"]["message"], STALE_R1);
    assert!(
        !h.host.params_of("Runtime.releaseObject").is_empty(),
        "resolved objects are released"
    );
}

#[test]
fn refs_are_cleared_by_goto_and_main_frame_navigation() {
    let (mut h, sid) = with_snapshot();
    h.rt.on_cdp_event(
        Debuggee::tab(5),
        "Page.frameNavigated",
        json!({"frame":{"id":"child","parentId":"F"}}),
    );
    assert_eq!(
        req(&mut h, &sid, "a", "dom.getText", json!({"ref":"r1"}))["type"],
        "ops_response"
    );
    h.rt.on_cdp_event(
        Debuggee::tab(5),
        "Page.frameNavigated",
        json!({"frame":{"id":"F"}}),
    );
    assert_eq!(
        req(&mut h, &sid, "b", "dom.getText", json!({"ref":"r1"}))["error"]["message"],
        STALE_R1
    );
    req(&mut h, &sid, "s", "nav.snapshot", json!({}));
    let r = req(&mut h, &sid, "c", "nav.snapshot", json!({}));
    assert!(
        r["payload"]["content"]
            .as_str()
            .unwrap()
            .starts_with("[r3] button"),
        "counter never resets"
    );
    req(
        &mut h,
        &sid,
        "g",
        "nav.goto",
        json!({"url":"https://example.com/next"}),
    );
    assert_eq!(
        req(&mut h, &sid, "d", "dom.getText", json!({"ref":"r3"}))["error"]["message"],
        "Unknown ref: r3. Take a new snapshot first."
    );
}

#[test]
fn click_sends_three_mouse_events_at_the_box_centre() {
    let (mut h, sid) = with_snapshot();
    let r = req(&mut h, &sid, "c", "interact.click", json!({"ref":"r1"}));
    assert_eq!(r["payload"]["navigated"], false);
    assert_eq!(
        h.host.params_of("DOM.getBoxModel"),
        vec![json!({"backendNodeId":42})]
    );
    let mouse = h.host.params_of("Input.dispatchMouseEvent");
    assert_eq!(
        mouse,
        vec![
            json!({"type":"mouseMoved","x":60.0,"y":40.0}),
            json!({"type":"mousePressed","x":60.0,"y":40.0,"button":"left","clickCount":1}),
            json!({"type":"mouseReleased","x":60.0,"y":40.0,"button":"left","clickCount":1}),
        ]
    );
    let scroll = &h.host.params_of("Runtime.callFunctionOn")[0];
    assert!(scroll["functionDeclaration"]
        .as_str()
        .unwrap()
        .contains("scrollIntoView({ block: block, inline: block"));
    assert_eq!(scroll["arguments"], json!([{"value": "center"}]));
    h.host.respond("DOM.getBoxModel", |_, _| {
        Err(HostError::new("Could not compute box model."))
    });
    h.host.respond("Runtime.callFunctionOn", |_, _| {
        Ok(json!({"result":{"type":"object","value":{"value":{"x":5,"y":7}}}}))
    });
    h.host.0.calls.borrow_mut().clear();
    req(&mut h, &sid, "c2", "interact.click", json!({"ref":"r1"}));
    assert_eq!(
        h.host.params_of("Input.dispatchMouseEvent")[0],
        json!({"type":"mouseMoved","x":5.0,"y":7.0})
    );
}

#[test]
fn type_uses_real_input_not_value_assignment() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Runtime.callFunctionOn", |_, _| {
        Ok(json!({"result":{"type":"object","value":{"value":"text"}}}))
    });
    let r = req(
        &mut h,
        &sid,
        "t",
        "interact.type",
        json!({"ref":"r2","text":"héllo","clear":true,"submit":true}),
    );
    assert_eq!(r["type"], "ops_response", "{r}");
    let seq: Vec<String> = h
        .host
        .0
        .calls
        .borrow()
        .iter()
        .filter(|(_, m, _)| m.starts_with("Input.") || m == "DOM.focus")
        .map(|(_, m, p)| {
            format!(
                "{m} {}",
                p.get("key")
                    .or(p.get("text"))
                    .and_then(Value::as_str)
                    .unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        seq,
        vec![
            "DOM.focus ",
            "Input.dispatchKeyEvent Backspace",
            "Input.dispatchKeyEvent Backspace",
            "Input.insertText héllo",
            "Input.dispatchKeyEvent Enter",
            "Input.dispatchKeyEvent Enter",
        ]
    );
    assert_eq!(
        h.host.params_of("DOM.focus")[0],
        json!({"backendNodeId":43})
    );
    let keys = h.host.params_of("Input.dispatchKeyEvent");
    assert_eq!(keys[0]["type"], "rawKeyDown");
    assert_eq!(keys[0]["windowsVirtualKeyCode"], 8);
    assert_eq!(
        (
            keys[2]["type"].clone(),
            keys[2]["text"].clone(),
            keys[2]["windowsVirtualKeyCode"].clone()
        ),
        (json!("keyDown"), json!("\r"), json!(13))
    );
    for p in h.host.params_of("Runtime.callFunctionOn") {
        let f = p["functionDeclaration"].as_str().unwrap();
        assert!(
            !f.contains("this.value = "),
            "no value assignment for a text field: {f}"
        );
    }
}

#[test]
fn type_without_clear_inserts_at_the_end() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Runtime.callFunctionOn", |_, _| {
        Ok(json!({"result":{"type":"object","value":{"value":"text"}}}))
    });
    req(
        &mut h,
        &sid,
        "t",
        "interact.type",
        json!({"ref":"r2","text":"x"}),
    );
    assert!(h.host.params_of("Input.dispatchKeyEvent").is_empty());
    assert_eq!(
        h.host.params_of("Input.insertText"),
        vec![json!({"text":"x"})]
    );
    assert_eq!(
        h.host.params_of("Runtime.callFunctionOn")[0]["arguments"],
        json!([{"value": false}])
    );
}

#[test]
fn press_focuses_then_sends_key_down_and_up() {
    let (mut h, sid) = with_snapshot();
    req(
        &mut h,
        &sid,
        "p",
        "interact.press",
        json!({"key":"a","ref":"r2"}),
    );
    assert_eq!(
        h.host.methods(),
        vec![
            "DOM.focus",
            "Input.dispatchKeyEvent",
            "Input.dispatchKeyEvent"
        ]
    );
    let keys = h.host.params_of("Input.dispatchKeyEvent");
    assert_eq!(keys[0]["code"], "KeyA");
    assert_eq!(keys[0]["text"], "a");
    assert_eq!(keys[1]["type"], "keyUp");
    let r = req(&mut h, &sid, "q", "interact.press", json!({}));
    assert_eq!(r["error"]["message"], "Missing key");
}

#[test]
fn get_text_returns_text_and_truncation() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Runtime.callFunctionOn", |_, p| {
        assert_eq!(p["arguments"], json!([{"value": 8000}]));
        Ok(json!({"result":{"type":"object","value":{"value":{"text":"Go","truncated":false}}}}))
    });
    let r = req(&mut h, &sid, "g", "dom.getText", json!({"ref":"r1"}));
    assert_eq!(r["payload"], json!({"text":"Go","truncated":false}));
    assert_eq!(h.host.params_of("DOM.resolveNode")[0]["backendNodeId"], 42);
}

#[test]
fn goto_checks_urls_and_reports_error_text() {
    let (mut h, sid) = with_snapshot();
    for url in [
        "chrome://settings",
        "https://chromewebstore.google.com/",
        "file:///etc/passwd",
    ] {
        let r = req(&mut h, &sid, url, "nav.goto", json!({"url": url}));
        assert_eq!(r["error"]["code"], "restricted_url", "{url}");
    }
    let r = req(
        &mut h,
        &sid,
        "ok",
        "nav.goto",
        json!({"url":"https://example.com/"}),
    );
    assert_eq!(r["payload"]["finalUrl"], "https://example.com/");
    assert!(r["payload"]["timingMs"].is_u64());
    h.host.respond("Page.navigate", |_, _| {
        Ok(json!({"frameId":"F","errorText":"net::ERR_CONNECTION_REFUSED"}))
    });
    let r = req(
        &mut h,
        &sid,
        "bad",
        "nav.goto",
        json!({"url":"http://127.0.0.1:1/"}),
    );
    assert_eq!(r["error"]["code"], "execution_failed");
    assert_eq!(r["error"]["message"], "net::ERR_CONNECTION_REFUSED");
}

#[test]
fn wait_for_ref_states_and_timeout() {
    let (mut h, sid) = with_snapshot();
    h.host.respond("Runtime.callFunctionOn", |_, _| {
        Ok(json!({"result":{"type":"object","value":{"value":false}}}))
    });
    let r = req(
        &mut h,
        &sid,
        "a",
        "nav.wait",
        json!({"ref":"r1","state":"hidden"}),
    );
    assert_eq!(r["type"], "ops_response");
    let r = req(
        &mut h,
        &sid,
        "b",
        "nav.wait",
        json!({"ref":"r1","state":"visible","timeoutMs":1000}),
    );
    assert_eq!(r["error"]["code"], "timeout");
    assert_eq!(r["error"]["message"], "Wait timed out after 1000 ms");
    assert_eq!(r["error"]["retryable"], true);
    h.host.respond("Runtime.evaluate", |_, _| {
        Ok(json!({"result":{"type":"object","value":{"s":"loading","u":"x"}}}))
    });
    let r = req(&mut h, &sid, "c", "nav.wait", json!({"timeoutMs":500}));
    assert_eq!(r["error"]["message"], "Wait timed out after 500 ms");
}

#[test]
fn screenshot_paths() {
    let (mut h, sid) = with_snapshot();
    let r = req(&mut h, &sid, "a", "page.screenshot", json!({}));
    assert_eq!(r["payload"], json!({"base64":"UE5H"}));
    assert_eq!(
        h.host.params_of("Page.captureScreenshot")[0],
        json!({"format":"png"})
    );
    let r = req(
        &mut h,
        &sid,
        "b",
        "page.screenshot",
        json!({"ref":"r1","fullPage":true}),
    );
    assert_eq!(r["error"]["code"], "invalid_request");
    h.host.respond("Page.getLayoutMetrics", |_, _| {
        Ok(json!({"cssContentSize":{"x":0,"y":0,"width":800,"height":3000.5}}))
    });
    req(
        &mut h,
        &sid,
        "c",
        "page.screenshot",
        json!({"fullPage":true}),
    );
    assert_eq!(
        h.host.params_of("Page.captureScreenshot")[1],
        json!({"format":"png","captureBeyondViewport":true,"clip":{"x":0.0,"y":0.0,"width":800.0,"height":3001.0,"scale":1}})
    );
    h.host.respond("Page.captureScreenshot", |_, _| {
        Err(HostError::new("Unable to capture screenshot"))
    });
    let r = req(&mut h, &sid, "d", "page.screenshot", json!({}));
    assert_eq!(
        r["payload"],
        json!({"base64":"VklT","warning":"visible_only_fallback"})
    );
}

#[test]
fn a_hung_cdp_call_times_out() {
    let (mut h, sid) = with_snapshot();
    h.host
        .0
        .delays
        .borrow_mut()
        .insert("Input.insertText".into(), 10_000_000);
    h.host.respond("Runtime.callFunctionOn", |_, _| {
        Ok(json!({"result":{"type":"object","value":{"value":"text"}}}))
    });
    h.rt.handle_relay_message(
        &json!({"type":"ops_request","requestId":"t","clientId":"c1","opsSessionId":sid,"leaseId":"L",
                "command":"interact.type","payload":{"ref":"r2","text":"x"}})
        .to_string(),
    );
    h.run_for(31_000);
    let r = h.answer("t");
    assert_eq!(r["error"]["code"], "execution_failed");
    assert_eq!(
        r["error"]["message"],
        "CDP Input.insertText timed out after 30000 ms"
    );
}
