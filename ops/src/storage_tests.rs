//! `storage.*` over the fake host: validation, strict and lenient imports, the browser's refusals,
//! `requestId` echo, and cookie listing.

use serde_json::{json, Value};

use crate::host::HostError;
use crate::testing::Harness;

fn req(h: &mut Harness, sid: &str, id: &str, cmd: &str, payload: Value) -> Value {
    h.request("c1", id, Some(sid), Some("L"), cmd, payload)
}

fn good(name: &str) -> Value {
    json!({"name": name, "value": "v", "url": "http://127.0.0.1:9/"})
}

fn bad() -> Value {
    json!({"name": "bad", "value": "v", "url": "http://127.0.0.1:9/", "sameSite": "Sideways"})
}

#[test]
fn commands_are_routed() {
    for c in ["storage.setCookies", "storage.getCookies"] {
        assert!(crate::commands::is_implemented(c), "{c}");
    }
}

#[test]
fn strict_import_sends_one_batch_and_echoes_the_request_id() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    let r = req(
        &mut h,
        &sid,
        "s",
        "storage.setCookies",
        json!({"requestId": "req-7", "cookies": [good("a"), {"name": "b", "value": "2", "domain": "127.0.0.1", "httpOnly": true}]}),
    );
    assert_eq!(
        r["payload"],
        json!({"requestId": "req-7", "imported": 2, "rejected": []}),
        "{r}"
    );
    assert_eq!(
        h.host.params_of("Network.setCookies"),
        vec![json!({"cookies": [
            {"name": "a", "value": "v", "url": "http://127.0.0.1:9/"},
            {"name": "b", "value": "2", "domain": "127.0.0.1", "path": "/", "httpOnly": true}
        ]})]
    );
    let r = req(
        &mut h,
        &sid,
        "t",
        "storage.setCookies",
        json!({"cookies": []}),
    );
    assert_eq!(
        r["payload"],
        json!({"requestId": "id-2", "imported": 0, "rejected": []}),
        "{r}"
    );
}

#[test]
fn strict_rejects_the_whole_batch_lenient_imports_the_rest() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    let r = req(
        &mut h,
        &sid,
        "s",
        "storage.setCookies",
        json!({"cookies": [good("a"), bad()]}),
    );
    assert_eq!(r["error"]["code"], "invalid_request", "{r}");
    assert_eq!(
        r["error"]["message"],
        "Cookie import rejected 1 entries: [1] Cookie bad has invalid sameSite (expected Strict, Lax or None)."
    );
    assert_eq!(r["error"]["details"]["rejected"][0]["index"], 1);
    assert!(
        h.host.params_of("Network.setCookies").is_empty(),
        "nothing imported"
    );
    let r = req(
        &mut h,
        &sid,
        "l",
        "storage.setCookies",
        json!({"strict": false, "requestId": "x", "cookies": [bad(), good("a"), 7]}),
    );
    assert_eq!(
        r["payload"],
        json!({"requestId": "x", "imported": 1, "rejected": [
            {"index": 0, "reason": "Cookie bad has invalid sameSite (expected Strict, Lax or None)."},
            {"index": 2, "reason": "Invalid cookie entry: expected object."}
        ]})
    );
    assert_eq!(h.host.params_of("Network.setCookies").len(), 1);
}

#[test]
fn a_refused_batch_fails_strict_and_is_retried_one_by_one_when_lenient() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    h.host.respond("Network.setCookies", |_, _| {
        Err(HostError::new("Sanitizing cookie failed"))
    });
    h.host.respond("Network.setCookie", |_, p| {
        if p["name"] == "b" {
            Err(HostError::new("Sanitizing cookie failed"))
        } else {
            Ok(json!({"success": true}))
        }
    });
    let r = req(
        &mut h,
        &sid,
        "s",
        "storage.setCookies",
        json!({"cookies": [good("a"), good("b")]}),
    );
    assert_eq!(
        (r["error"]["code"].clone(), r["error"]["message"].clone()),
        (json!("execution_failed"), json!("Sanitizing cookie failed"))
    );
    assert!(h.host.params_of("Network.setCookie").is_empty());
    let r = req(
        &mut h,
        &sid,
        "l",
        "storage.setCookies",
        json!({"strict": false, "requestId": "q", "cookies": [good("a"), good("b")]}),
    );
    assert_eq!(
        r["payload"],
        json!({"requestId": "q", "imported": 1, "rejected": [
            {"index": 1, "reason": "Browser rejected cookie b: Sanitizing cookie failed"}]})
    );
    h.host.respond("Network.setCookies", |_, _| {
        Err(HostError::new(
            "Debugger is not attached to the tab with id: 5.",
        ))
    });
    let r = req(
        &mut h,
        &sid,
        "m",
        "storage.setCookies",
        json!({"strict": false, "cookies": [good("a")]}),
    );
    assert_eq!(r["error"]["code"], "execution_failed", "{r}");
}

#[test]
fn payload_errors() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    for (id, p, msg) in [
        ("a", json!({}), "Missing cookies"),
        ("b", json!({"cookies": {}}), "Missing cookies"),
        (
            "c",
            json!({"cookies": [], "strict": "no"}),
            "Invalid strict: expected a boolean",
        ),
    ] {
        let r = req(&mut h, &sid, id, "storage.setCookies", p);
        assert_eq!(
            (r["error"]["code"].clone(), r["error"]["message"].clone()),
            (json!("invalid_request"), json!(msg))
        );
    }
    let many: Vec<Value> = (0..1_001).map(|i| good(&format!("c{i}"))).collect();
    let r = req(
        &mut h,
        &sid,
        "d",
        "storage.setCookies",
        json!({"cookies": many}),
    );
    assert_eq!(
        r["error"]["message"],
        "Too many cookies: 1001 (at most 1000 per call)"
    );
    let r = req(
        &mut h,
        &sid,
        "e",
        "storage.getCookies",
        json!({"urls": ["ftp://x/"]}),
    );
    assert_eq!(
        r["error"]["message"],
        "Cookie url filters must be absolute http(s) URLs."
    );
}

#[test]
fn get_cookies_maps_chromes_records() {
    let mut h = Harness::new();
    let sid = h.launch("c1");
    h.host.respond("Network.getCookies", |_, _| {
        Ok(json!({"cookies": [
            {"name": "a", "value": "1", "domain": "127.0.0.1", "path": "/", "expires": -1, "size": 2,
             "httpOnly": false, "secure": false, "session": true, "priority": "Medium", "sameSite": "Lax"},
            {"name": "srv", "value": "s", "domain": "127.0.0.1", "path": "/", "expires": 1.9e9,
             "httpOnly": true, "secure": false, "session": false},
            {"name": "", "value": "junk", "domain": "x", "path": "/"}
        ]}))
    });
    let r = req(
        &mut h,
        &sid,
        "g",
        "storage.getCookies",
        json!({"urls": ["http://127.0.0.1:9/"], "requestId": "mine"}),
    );
    assert_eq!(
        r["payload"],
        json!({"requestId": "mine", "count": 2, "cookies": [
            {"name": "a", "value": "1", "domain": "127.0.0.1", "path": "/", "expires": -1.0, "httpOnly": false, "secure": false, "sameSite": "Lax"},
            {"name": "srv", "value": "s", "domain": "127.0.0.1", "path": "/", "expires": 1.9e9, "httpOnly": true, "secure": false}
        ]}),
        "{r}"
    );
    assert_eq!(
        h.host.params_of("Network.getCookies"),
        vec![json!({"urls": ["http://127.0.0.1:9/"]})]
    );
    let r = req(&mut h, &sid, "h", "storage.getCookies", json!({}));
    assert!(
        r["payload"]["requestId"]
            .as_str()
            .unwrap()
            .starts_with("id-"),
        "{r}"
    );
    assert_eq!(h.host.params_of("Network.getCookies")[1], json!({}));
}
