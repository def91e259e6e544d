//! JavaScript dialogs in a real browser: a `click` opens an alert, a confirm or a prompt and stays blocked;
//! `page.dialog` (its own queue) sees the dialog, answers it, and the click then completes. The page's
//! reaction (what the dialog returned, the prompt text) is read back from the DOM.

use std::time::Duration;

use odb_e2e::env::{ref_of, TestEnv};
use odb_e2e::wait_for;
use serde_json::{json, Value};

/// One dialog case: the button, how to answer, and what the dialog and the page must show.
struct Case {
    button: &'static str,
    answer: Value,
    kind: &'static str,
    message: &'static str,
    default_prompt: &'static str,
    result: &'static str,
}

fn result_text(env: &TestEnv, sid: &str, result_ref: &str) -> String {
    env.session(sid, &["dom-text", "--ref", result_ref])["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Polls `page.dialog` status until a dialog shows (10 s).
fn wait_open(env: &TestEnv, sid: &str) -> Value {
    wait_for(Duration::from_secs(10), || {
        let status = env.command(sid, "page.dialog", json!({})).ok()?;
        (status["dialog"]["open"] == true).then(|| status["dialog"].clone())
    })
    .expect("the dialog opens within 10 s")
}

#[test]
fn dialogs_opened_by_a_click_are_answered_while_the_click_waits() {
    let env = TestEnv::paired();
    let sid = env.launch("dialogs.html");
    let snap = env.snapshot(&sid, "outline");
    let result = ref_of(&snap, "paragraph");
    let status = env.command(&sid, "session.status", json!({})).unwrap();
    let target = status["activeTargetId"].as_str().unwrap().to_string();
    assert_eq!(status["dialog"], json!({"open": false, "targetId": target}));
    let closed = env.session(&sid, &["dialog"]);
    assert_eq!(
        closed["dialog"],
        json!({"open": false, "targetId": target}),
        "{closed}"
    );

    let cases = [
        Case {
            button: "button \"Show alert\"",
            answer: json!({"action": "accept"}),
            kind: "alert",
            message: "Hello from the alert",
            default_prompt: "",
            result: "Result: alert closed",
        },
        Case {
            button: "button \"Ask confirm\"",
            answer: json!({"action": "dismiss"}),
            kind: "confirm",
            message: "Delete everything?",
            default_prompt: "",
            result: "Result: confirm dismissed",
        },
        Case {
            button: "button \"Ask confirm\"",
            answer: json!({"action": "accept"}),
            kind: "confirm",
            message: "Delete everything?",
            default_prompt: "",
            result: "Result: confirm accepted",
        },
        Case {
            button: "button \"Ask prompt\"",
            answer: json!({"action": "accept", "promptText": "Grace Hopper"}),
            kind: "prompt",
            message: "Your name?",
            default_prompt: "Ada",
            result: "Result: prompt answered Grace Hopper",
        },
        Case {
            button: "button \"Ask prompt\"",
            answer: json!({"action": "dismiss"}),
            kind: "prompt",
            message: "Your name?",
            default_prompt: "Ada",
            result: "Result: prompt dismissed",
        },
    ];
    for case in &cases {
        let button = ref_of(&snap, case.button);
        std::thread::scope(|s| {
            let click = s.spawn(|| env.command(&sid, "interact.click", json!({"ref": button})));
            let open = wait_open(&env, &sid);
            assert!(
                !click.is_finished(),
                "the click waits while the dialog shows"
            );
            assert_eq!(open["type"], case.kind, "{open}");
            assert_eq!(open["message"], case.message, "{open}");
            assert_eq!(open["defaultPrompt"], case.default_prompt, "{open}");
            assert_eq!(open["targetId"], target.as_str());
            assert!(
                open["url"]
                    .as_str()
                    .unwrap_or_default()
                    .ends_with("/dialogs.html"),
                "{open}"
            );
            assert!(open["openedAt"].as_f64().unwrap_or(0.0) > 1.0e12, "{open}");
            let status = env.command(&sid, "session.status", json!({})).unwrap();
            assert_eq!(status["dialog"], open, "session.status reports the dialog");

            let answered = env
                .command(&sid, "page.dialog", case.answer.clone())
                .unwrap_or_else(|e| panic!("{}: {e}", case.button));
            assert_eq!(
                answered,
                json!({"dialog": {"open": false, "targetId": target}, "handled": true})
            );
            let clicked = click.join().expect("click thread");
            let clicked = clicked.unwrap_or_else(|e| panic!("the click failed: {e}"));
            assert_eq!(clicked["navigated"], false, "{clicked}");
        });
        assert_eq!(result_text(&env, &sid, &result), case.result);
        let after = env.command(&sid, "page.dialog", json!({})).unwrap();
        assert_eq!(after["dialog"]["open"], false, "{after}");
    }

    // Answering when nothing shows is a typed error, and a bad action too.
    let none = env
        .command(&sid, "page.dialog", json!({"action": "accept"}))
        .unwrap_err();
    assert_eq!(
        none,
        format!("[invalid_request] No dialog is open on {target}.")
    );
    let bad = env
        .command(&sid, "page.dialog", json!({"action": "close"}))
        .unwrap_err();
    assert!(
        bad.starts_with("[invalid_request] Invalid dialog action: close"),
        "{bad}"
    );
}
