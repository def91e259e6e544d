//! `pointer-*` in a real browser on a page with fixed geometry: a drag moves a box (mouse events with the
//! button held), down/up make trusted clicks the page counts, and interpolated moves arrive as several
//! mousemove events.

use std::time::Duration;

use odb_e2e::env::{nth_ref, TestEnv};
use odb_e2e::wait_for;
use serde_json::json;

/// (moves, distinct points) from "Moves: N, points: M".
fn moves(env: &TestEnv, sid: &str, r: &str) -> (u64, u64) {
    let t = env.dom_text(sid, r);
    let nums: Vec<u64> = t
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    match nums[..] {
        [m, p] => (m, p),
        _ => panic!("bad moves text {t:?}"),
    }
}

#[test]
fn drag_click_and_interpolated_moves() {
    let env = TestEnv::paired();
    let sid = env.launch("pointer.html");
    let snap = env.snapshot(&sid, "outline");
    println!("{snap}");
    let (pos, clicks, moved, held) = (
        nth_ref(&snap, "paragraph", 0),
        nth_ref(&snap, "paragraph", 1),
        nth_ref(&snap, "paragraph", 2),
        nth_ref(&snap, "paragraph", 3),
    );

    // Drag the 80x80 box at (100,150) by its centre (140,190) to (440,390): it lands at (400,350).
    let out = env.session(
        &sid,
        &[
            "pointer-drag",
            "--from-x",
            "140",
            "--from-y",
            "190",
            "--to-x",
            "440",
            "--to-y",
            "390",
            "--steps",
            "6",
        ],
    );
    assert!(out["timingMs"].is_u64(), "{out}");
    env.wait_text_eq(&sid, &pos, "Box: 400,350");
    env.wait_text_eq(&sid, &held, "Held: buttons 1");

    // Down + up on the pad is a trusted click; a second pair with clickCount 2 is a double click's second click.
    for args in [["pointer-down", "200", "450"], ["pointer-up", "200", "450"]] {
        env.session(&sid, &[args[0], "--x", args[1], "--y", args[2]]);
    }
    env.wait_text_eq(&sid, &clicks, "Clicks: 1 (detail 1)");
    for args in [["pointer-down", "200", "450"], ["pointer-up", "200", "450"]] {
        env.session(
            &sid,
            &[
                args[0],
                "--x",
                args[1],
                "--y",
                args[2],
                "--click-count",
                "2",
            ],
        );
    }
    env.wait_text_eq(&sid, &clicks, "Clicks: 2 (detail 2)");

    // Interpolated moves from the last position (200,450) reach the page as ten mousemoves at ten new points.
    let (moves0, points0) = moves(&env, &sid, &moved);
    env.session(
        &sid,
        &["pointer-move", "--x", "500", "--y", "600", "--steps", "10"],
    );
    let after = wait_for(Duration::from_secs(5), || {
        let (m, p) = moves(&env, &sid, &moved);
        (m >= moves0 + 10 && p >= points0 + 10).then_some(())
    });
    assert!(
        after.is_some(),
        "10 interpolated steps should be 10 mousemoves at 10 points; saw {:?} -> {:?}",
        (moves0, points0),
        moves(&env, &sid, &moved)
    );

    // A drag that does not start on the box leaves it alone; typed errors for bad input.
    env.session(
        &sid,
        &[
            "pointer-drag",
            "--from-x",
            "20",
            "--from-y",
            "20",
            "--to-x",
            "60",
            "--to-y",
            "60",
        ],
    );
    assert_eq!(env.dom_text(&sid, &pos), "Box: 400,350");
    let bad = env
        .command(
            &sid,
            "pointer.down",
            json!({"x": 1, "y": 1, "button": "side"}),
        )
        .unwrap_err();
    assert_eq!(
        bad,
        "[invalid_request] Invalid button: side. Use left, middle or right."
    );
    let bad = env
        .command(&sid, "pointer.move", json!({"x": "left", "y": 1}))
        .unwrap_err();
    assert_eq!(bad, "[invalid_request] x must be a finite number.");
}

/// `dom.refPoint` answers a point that really is on the element: a raw pointer click there reaches it.
#[test]
fn ref_point_is_where_a_pointer_click_lands() {
    let env = TestEnv::paired();
    let sid = env.launch("pointer.html");
    let snap = env.snapshot(&sid, "outline");
    let tap = odb_e2e::env::ref_of(&snap, "button \"Tap me\"");
    let point = env
        .command(&sid, "dom.refPoint", json!({"ref": tap}))
        .expect("dom.refPoint");
    let (x, y) = (point["x"].as_f64().unwrap(), point["y"].as_f64().unwrap());
    assert!(
        (350.0..450.0).contains(&x) && (600.0..650.0).contains(&y),
        "{point}"
    );
    let (x, y) = (x.to_string(), y.to_string());
    for verb in ["pointer-down", "pointer-up"] {
        env.session(&sid, &[verb, "--x", &x, "--y", &y]);
    }
    env.wait_text_eq(&sid, &tap, "Tapped 1");
}
