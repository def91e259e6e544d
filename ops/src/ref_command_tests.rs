//! Tests of the `dom.*` reads and the hover, check, select and scroll commands over the fake host.

use std::cell::Cell;
use std::rc::Rc;

use serde_json::{json, Value};

use crate::command_tests::{req, with_snapshot};
use crate::commands::is_implemented;
use crate::host::HostError;
use crate::testing::Harness;

const STALE_R1: &str = "Unknown ref: r1. Take a new snapshot first.";

/// Answers `Runtime.callFunctionOn` with `f(functionDeclaration, arguments)` as the page function's value.
fn page(h: &Harness, f: impl Fn(&str, &Value) -> Value + 'static) {
    h.host.respond("Runtime.callFunctionOn", move |_, p| {
        let decl = p["functionDeclaration"].as_str().unwrap_or("");
        Ok(json!({"result": {"type": "object", "value": {"value": f(decl, &p["arguments"])}}}))
    });
}

/// Whether the first `Runtime.callFunctionOn` scrolled its element to the centre (the alignment is the
/// function's argument).
fn scrolled_to_center(h: &Harness) -> bool {
    let call = &h.host.params_of("Runtime.callFunctionOn")[0];
    call["functionDeclaration"]
        .as_str()
        .unwrap_or("")
        .contains("scrollIntoView({ block: block, inline: block")
        && call["arguments"] == json!([{"value": "center"}])
}

fn declarations(h: &Harness) -> Vec<String> {
    h.host
        .params_of("Runtime.callFunctionOn")
        .iter()
        .map(|p| p["functionDeclaration"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn new_commands_are_implemented() {
    for cmd in [
        "interact.hover",
        "interact.check",
        "interact.uncheck",
        "interact.select",
        "interact.scroll",
        "interact.scrollIntoView",
        "dom.getHtml",
        "dom.getAttr",
        "dom.getValue",
        "dom.isVisible",
        "dom.isEnabled",
        "dom.isChecked",
        "dom.refPoint",
    ] {
        assert!(is_implemented(cmd), "{cmd}");
    }
}

#[test]
fn get_html_passes_max_chars_and_renames_the_field() {
    let (mut h, sid) = with_snapshot();
    page(&h, |decl, args| {
        assert!(decl.contains("outerHTML"));
        json!({"html": format!("<b>{}</b>", args[0]["value"]), "truncated": true})
    });
    let r = req(&mut h, &sid, "a", "dom.getHtml", json!({"ref":"r1"}));
    assert_eq!(
        r["payload"],
        json!({"outerHTML":"<b>8000</b>","truncated":true})
    );
    let r = req(
        &mut h,
        &sid,
        "b",
        "dom.getHtml",
        json!({"ref":"r1","maxChars":5}),
    );
    assert_eq!(r["payload"]["outerHTML"], "<b>5</b>");
}

#[test]
fn get_attr_and_get_value_give_strings_or_null() {
    let (mut h, sid) = with_snapshot();
    page(&h, |decl, args| {
        if decl.contains("getAttribute(name)") {
            if args[0]["value"] == "href" {
                json!("/next")
            } else {
                Value::Null
            }
        } else {
            assert!(decl.contains("this.value"));
            json!("typed")
        }
    });
    let r = req(
        &mut h,
        &sid,
        "a",
        "dom.getAttr",
        json!({"ref":"r1","name":"href"}),
    );
    assert_eq!(r["payload"], json!({"value":"/next"}));
    let r = req(
        &mut h,
        &sid,
        "b",
        "dom.getAttr",
        json!({"ref":"r1","name":"id"}),
    );
    assert_eq!(r["payload"], json!({"value":null}));
    let r = req(&mut h, &sid, "c", "dom.getAttr", json!({"ref":"r1"}));
    assert_eq!(r["error"]["message"], "Missing name");
    let r = req(&mut h, &sid, "d", "dom.getValue", json!({"ref":"r2"}));
    assert_eq!(r["payload"], json!({"value":"typed"}));
    assert_eq!(
        h.host.params_of("DOM.resolveNode").last().unwrap()["backendNodeId"],
        43
    );
    page(&h, |_, _| Value::Null);
    let r = req(&mut h, &sid, "e", "dom.getValue", json!({"ref":"r1"}));
    assert_eq!(r["payload"], json!({"value":null}));
}

#[test]
fn state_flags_use_their_rules() {
    let (mut h, sid) = with_snapshot();
    page(&h, |decl, _| {
        json!(decl.contains("visibility === 'hidden'") && decl.contains("Number(s.opacity) === 0"))
    });
    let r = req(&mut h, &sid, "v", "dom.isVisible", json!({"ref":"r1"}));
    assert_eq!(r["payload"], json!({"value":true}));
    page(&h, |decl, _| json!(!decl.contains("aria-disabled")));
    let r = req(&mut h, &sid, "e", "dom.isEnabled", json!({"ref":"r1"}));
    assert_eq!(r["payload"], json!({"value":false}));
    page(&h, |decl, _| {
        json!(decl.contains("this.checked") && decl.contains("aria-checked"))
    });
    let r = req(&mut h, &sid, "c", "dom.isChecked", json!({"ref":"r1"}));
    assert_eq!(r["payload"], json!({"value":true}));
}

#[test]
fn ref_point_is_the_click_point() {
    let (mut h, sid) = with_snapshot();
    let r = req(&mut h, &sid, "p", "dom.refPoint", json!({"ref":"r1"}));
    assert_eq!(r["payload"], json!({"x":60.0,"y":40.0}));
    assert!(scrolled_to_center(&h));
    h.host.respond("DOM.getBoxModel", |_, _| {
        Err(HostError::new("Could not compute box model."))
    });
    page(&h, |_, _| json!({"x": 3, "y": 4, "w": 6, "h": 8}));
    let r = req(&mut h, &sid, "q", "dom.refPoint", json!({"ref":"r1"}));
    assert_eq!(r["payload"], json!({"x":3.0,"y":4.0}));
    assert!(h.host.params_of("Input.dispatchMouseEvent").is_empty());
}

#[test]
fn hover_moves_the_real_mouse_once() {
    let (mut h, sid) = with_snapshot();
    let r = req(&mut h, &sid, "h", "interact.hover", json!({"ref":"r1"}));
    assert!(r["payload"]["timingMs"].is_u64(), "{r}");
    assert_eq!(
        h.host.params_of("Input.dispatchMouseEvent"),
        vec![json!({"type":"mouseMoved","x":60.0,"y":40.0})]
    );
    let methods = h.host.methods();
    let scroll = methods.iter().position(|m| m == "Runtime.callFunctionOn");
    let mouse = methods.iter().position(|m| m == "Input.dispatchMouseEvent");
    assert!(scroll < mouse, "scrolled into view first: {methods:?}");
}

/// A page where `dom.isChecked` reads `state`, a real click flips it when `click_works`, and the fallback
/// assignment sets it; returns the fallback's arguments.
fn checkbox(
    h: &Harness,
    state: Rc<Cell<bool>>,
    click_works: bool,
) -> Rc<std::cell::RefCell<Vec<Value>>> {
    let assigned = Rc::new(std::cell::RefCell::new(Vec::new()));
    let (s1, a1) = (Rc::clone(&state), Rc::clone(&assigned));
    page(h, move |decl, args| {
        if decl.contains("this.checked = want") {
            a1.borrow_mut().push(args[0]["value"].clone());
            s1.set(args[0]["value"] == true);
            Value::Null
        } else if decl.contains("return !!this.checked") {
            json!(s1.get())
        } else {
            json!({"x": 1, "y": 2, "w": 0, "h": 0})
        }
    });
    let s2 = state;
    h.host.respond("Input.dispatchMouseEvent", move |_, p| {
        if click_works && p["type"] == "mouseReleased" {
            s2.set(!s2.get());
        }
        Ok(json!({}))
    });
    assigned
}

#[test]
fn check_clicks_for_real_and_verifies() {
    let (mut h, sid) = with_snapshot();
    let state = Rc::new(Cell::new(false));
    let assigned = checkbox(&h, Rc::clone(&state), true);
    let r = req(&mut h, &sid, "c", "interact.check", json!({"ref":"r1"}));
    assert!(r["payload"]["timingMs"].is_u64(), "{r}");
    assert!(state.get());
    assert_eq!(h.host.params_of("Input.dispatchMouseEvent").len(), 3);
    assert!(
        assigned.borrow().is_empty(),
        "no fallback when the click worked"
    );
    h.host.0.calls.borrow_mut().clear();
    req(&mut h, &sid, "c2", "interact.check", json!({"ref":"r1"}));
    assert!(
        h.host.params_of("Input.dispatchMouseEvent").is_empty(),
        "already checked"
    );
    req(&mut h, &sid, "u", "interact.uncheck", json!({"ref":"r1"}));
    assert!(!state.get());
    assert_eq!(h.host.params_of("Input.dispatchMouseEvent").len(), 3);
}

#[test]
fn check_falls_back_to_assignment() {
    let (mut h, sid) = with_snapshot();
    let state = Rc::new(Cell::new(true));
    let assigned = checkbox(&h, Rc::clone(&state), false);
    req(&mut h, &sid, "u", "interact.uncheck", json!({"ref":"r1"}));
    assert_eq!(h.host.params_of("Input.dispatchMouseEvent").len(), 3);
    assert_eq!(*assigned.borrow(), vec![json!(false)]);
    assert!(!state.get());
    // No layout box (hidden input): no click at a point that would hit something else.
    h.host.respond("DOM.getBoxModel", |_, _| {
        Err(HostError::new("Could not compute box model."))
    });
    h.host.0.calls.borrow_mut().clear();
    req(&mut h, &sid, "c", "interact.check", json!({"ref":"r1"}));
    assert!(h.host.params_of("Input.dispatchMouseEvent").is_empty());
    assert_eq!(*assigned.borrow(), vec![json!(false), json!(true)]);
    assert!(declarations(&h)
        .iter()
        .any(|d| d.contains("new Event('change', { bubbles: true })")));
}

#[test]
fn select_matches_values_and_reports_misses() {
    let (mut h, sid) = with_snapshot();
    let r = req(&mut h, &sid, "a", "interact.select", json!({"ref":"r1"}));
    assert_eq!(r["error"]["message"], "Missing values");
    let r = req(
        &mut h,
        &sid,
        "b",
        "interact.select",
        json!({"ref":"r1","values":[1]}),
    );
    assert_eq!(r["error"]["code"], "invalid_request");
    page(&h, |decl, args| {
        assert!(decl.contains("o.value === v || String(o.text || '').trim() === v.trim()"));
        let values = args[0]["value"].as_array().unwrap().clone();
        if values.contains(&json!("x")) {
            json!({"missing": ["x"]})
        } else {
            json!({"selected": values})
        }
    });
    let r = req(
        &mut h,
        &sid,
        "c",
        "interact.select",
        json!({"ref":"r1","values":["x","a"]}),
    );
    assert_eq!(
        (r["error"]["code"].clone(), r["error"]["message"].clone()),
        (json!("invalid_request"), json!("No option matches: x"))
    );
    let r = req(
        &mut h,
        &sid,
        "d",
        "interact.select",
        json!({"ref":"r1","values":["a","B"]}),
    );
    assert_eq!(r["payload"], json!({"selected":["a","B"]}));
    page(&h, |_, _| json!({"notSelect": true}));
    let r = req(
        &mut h,
        &sid,
        "e",
        "interact.select",
        json!({"ref":"r1","values":["a"]}),
    );
    assert_eq!(r["error"]["message"], "Element is not a <select>");
}

#[test]
fn scroll_sends_a_real_wheel_event() {
    let (mut h, sid) = with_snapshot();
    let r = req(
        &mut h,
        &sid,
        "a",
        "interact.scroll",
        json!({"ref":"r1","dy":250}),
    );
    assert_eq!(r["payload"], json!({}));
    assert_eq!(
        h.host.params_of("Input.dispatchMouseEvent"),
        vec![json!({"type":"mouseWheel","x":60.0,"y":40.0,"deltaX":0,"deltaY":250.0})]
    );
    h.host.0.calls.borrow_mut().clear();
    let r = req(&mut h, &sid, "b", "interact.scroll", json!({"dy":-100}));
    assert_eq!(
        r["error"]["code"], "execution_failed",
        "no viewport size known"
    );
    h.host.respond("Page.getLayoutMetrics", |_, _| {
        Ok(json!({"cssLayoutViewport": {"clientWidth": 800, "clientHeight": 600}}))
    });
    let r = req(&mut h, &sid, "c", "interact.scroll", json!({"dy":-100}));
    assert_eq!(r["payload"], json!({}));
    assert_eq!(
        h.host.params_of("Input.dispatchMouseEvent"),
        vec![json!({"type":"mouseWheel","x":400.0,"y":300.0,"deltaX":0,"deltaY":-100.0})]
    );
    let r = req(&mut h, &sid, "d", "interact.scroll", json!({"dy":"far"}));
    assert_eq!(r["error"]["message"], "Missing dy");
}

#[test]
fn scroll_into_view_centres_the_element() {
    let (mut h, sid) = with_snapshot();
    let r = req(
        &mut h,
        &sid,
        "a",
        "interact.scrollIntoView",
        json!({"ref":"r2"}),
    );
    assert!(r["payload"]["timingMs"].is_u64(), "{r}");
    assert!(scrolled_to_center(&h));
    assert!(h.host.params_of("Input.dispatchMouseEvent").is_empty());
}

#[test]
fn every_new_ref_command_gives_the_stale_ref_error() {
    let (mut h, sid) = with_snapshot();
    let cases = [
        ("dom.getHtml", json!({})),
        ("dom.getAttr", json!({"name":"id"})),
        ("dom.getValue", json!({})),
        ("dom.isVisible", json!({})),
        ("dom.isEnabled", json!({})),
        ("dom.isChecked", json!({})),
        ("dom.refPoint", json!({})),
        ("interact.hover", json!({})),
        ("interact.check", json!({})),
        ("interact.uncheck", json!({})),
        ("interact.select", json!({"values":["a"]})),
        ("interact.scroll", json!({"dy":10})),
        ("interact.scrollIntoView", json!({})),
    ];
    h.host.respond("DOM.resolveNode", |_, _| {
        Err(HostError::new("No node with given id found"))
    });
    for (i, (cmd, payload)) in cases.iter().enumerate() {
        let mut unknown = payload.clone();
        unknown["ref"] = json!("r99");
        let r = req(&mut h, &sid, &format!("u{i}"), cmd, unknown);
        assert_eq!(
            r["error"]["message"], "Unknown ref: r99. Take a new snapshot first.",
            "{cmd}"
        );
        let mut stale = payload.clone();
        stale["ref"] = json!("r1");
        let r = req(&mut h, &sid, &format!("s{i}"), cmd, stale);
        assert_eq!(r["error"]["code"], "invalid_request", "{cmd}");
        assert_eq!(r["error"]["message"], STALE_R1, "{cmd}");
        let r = req(&mut h, &sid, &format!("m{i}"), cmd, json!({}));
        if *cmd != "interact.scroll" {
            assert_eq!(r["error"]["message"], "Missing ref", "{cmd}");
        }
    }
    assert!(h.host.params_of("Input.dispatchMouseEvent").is_empty());
}
