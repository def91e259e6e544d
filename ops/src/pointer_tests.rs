//! `pointer.*` over the fake host: interpolation from the last position, the pressed-buttons mask during
//! moves, drags, and validation.

use serde_json::{json, Value};

use crate::command_tests::{req, with_snapshot};
use crate::commands::pointer::{interpolate, Point};
use crate::testing::Harness;

fn mouse(h: &Harness) -> Vec<Value> {
    let events = h.host.params_of("Input.dispatchMouseEvent");
    h.host.0.calls.borrow_mut().clear();
    events
}

fn moved(x: f64, y: f64, button: &str, buttons: u32) -> Value {
    json!({"type":"mouseMoved","x":x,"y":y,"button":button,"buttons":buttons})
}

#[test]
fn moves_interpolate_from_the_last_position() {
    let (mut h, sid) = with_snapshot();
    let r = req(&mut h, &sid, "a", "pointer.move", json!({"x":100,"y":50}));
    assert!(r["payload"]["timingMs"].is_u64(), "{r}");
    assert_eq!(
        mouse(&h),
        vec![moved(100.0, 50.0, "none", 0)],
        "an unknown start is the target"
    );
    req(
        &mut h,
        &sid,
        "b",
        "pointer.move",
        json!({"x":200,"y":90,"steps":4}),
    );
    assert_eq!(
        mouse(&h),
        vec![
            moved(125.0, 60.0, "none", 0),
            moved(150.0, 70.0, "none", 0),
            moved(175.0, 80.0, "none", 0),
            moved(200.0, 90.0, "none", 0),
        ]
    );
}

#[test]
fn down_and_up_carry_the_buttons_mask() {
    let (mut h, sid) = with_snapshot();
    req(
        &mut h,
        &sid,
        "d",
        "pointer.down",
        json!({"x":10,"y":20,"button":"right"}),
    );
    assert_eq!(
        mouse(&h),
        vec![
            moved(10.0, 20.0, "none", 0),
            json!({"type":"mousePressed","x":10.0,"y":20.0,"button":"right","buttons":2,"clickCount":1}),
        ]
    );
    req(
        &mut h,
        &sid,
        "m",
        "pointer.move",
        json!({"x":30,"y":20,"steps":2}),
    );
    assert_eq!(
        mouse(&h),
        vec![moved(20.0, 20.0, "right", 2), moved(30.0, 20.0, "right", 2)],
        "moves while pressed report the held button"
    );
    req(
        &mut h,
        &sid,
        "u",
        "pointer.up",
        json!({"x":30,"y":25,"button":"right","clickCount":2}),
    );
    assert_eq!(
        mouse(&h),
        vec![
            moved(30.0, 25.0, "right", 2),
            json!({"type":"mouseReleased","x":30.0,"y":25.0,"button":"right","buttons":0,"clickCount":2}),
        ]
    );
    req(&mut h, &sid, "m2", "pointer.move", json!({"x":31,"y":25}));
    assert_eq!(mouse(&h), vec![moved(31.0, 25.0, "none", 0)]);
}

#[test]
fn drag_presses_moves_in_steps_and_releases() {
    let (mut h, sid) = with_snapshot();
    req(&mut h, &sid, "m", "pointer.move", json!({"x":0,"y":0}));
    mouse(&h);
    let r = req(
        &mut h,
        &sid,
        "g",
        "pointer.drag",
        json!({"from":{"x":10,"y":10},"to":{"x":40,"y":70},"steps":3}),
    );
    assert!(r["payload"]["timingMs"].is_u64(), "{r}");
    assert_eq!(
        mouse(&h),
        vec![
            moved(10.0, 10.0, "none", 0),
            json!({"type":"mousePressed","x":10.0,"y":10.0,"button":"left","buttons":1,"clickCount":1}),
            moved(20.0, 30.0, "left", 1),
            moved(30.0, 50.0, "left", 1),
            moved(40.0, 70.0, "left", 1),
            json!({"type":"mouseReleased","x":40.0,"y":70.0,"button":"left","buttons":0,"clickCount":1}),
        ]
    );
}

#[test]
fn invalid_input_is_rejected_before_any_event() {
    let (mut h, sid) = with_snapshot();
    let cases = [
        ("pointer.move", json!({"y":1}), "x must be a finite number."),
        (
            "pointer.move",
            json!({"x":"1","y":1}),
            "x must be a finite number.",
        ),
        (
            "pointer.move",
            json!({"x":1,"y":1,"steps":0}),
            "steps must be an integer from 1 to 1000.",
        ),
        (
            "pointer.move",
            json!({"x":1,"y":1,"steps":2.5}),
            "steps must be an integer from 1 to 1000.",
        ),
        (
            "pointer.move",
            json!({"x":1,"y":1,"steps":5000}),
            "steps must be an integer from 1 to 1000.",
        ),
        (
            "pointer.down",
            json!({"x":1,"y":1,"button":"back"}),
            "Invalid button: back. Use left, middle or right.",
        ),
        (
            "pointer.up",
            json!({"x":1,"y":1,"button":1}),
            "Invalid button: 1. Use left, middle or right.",
        ),
        (
            "pointer.up",
            json!({"x":1,"y":1,"clickCount":0}),
            "clickCount must be an integer from 1 to 3.",
        ),
        (
            "pointer.drag",
            json!({"from":{"x":1},"to":{"x":2,"y":2}}),
            "from.y must be a finite number.",
        ),
        (
            "pointer.drag",
            json!({"from":{"x":1,"y":1}}),
            "to.x must be a finite number.",
        ),
    ];
    for (i, (cmd, payload, message)) in cases.into_iter().enumerate() {
        let r = req(&mut h, &sid, &format!("v{i}"), cmd, payload);
        assert_eq!(r["error"]["code"], "invalid_request", "{cmd} {r}");
        assert_eq!(r["error"]["message"], message, "{cmd}");
    }
    assert!(mouse(&h).is_empty());
}

#[test]
fn middle_button_and_interpolation_helper() {
    let (mut h, sid) = with_snapshot();
    req(
        &mut h,
        &sid,
        "d",
        "pointer.down",
        json!({"x":5,"y":5,"button":"middle"}),
    );
    assert_eq!(mouse(&h)[1]["buttons"], 4);
    let pts = interpolate(Point { x: 0.0, y: 0.0 }, Point { x: 10.0, y: -10.0 }, 2);
    assert_eq!(
        pts,
        vec![Point { x: 5.0, y: -5.0 }, Point { x: 10.0, y: -10.0 }]
    );
    assert_eq!(
        interpolate(Point { x: 1.0, y: 1.0 }, Point { x: 3.0, y: 3.0 }, 0).len(),
        1
    );
}
