//! `storage.setCookies` / `storage.getCookies` in a real browser: an imported cookie reaches the page's
//! `document.cookie` after a reload, an HttpOnly one does not; the listing has the imported and the
//! server-set cookies; a strict batch with one bad cookie imports nothing, a lenient one imports the rest.

use std::time::Duration;

use odb_e2e::env::{nth_ref, TestEnv};
use odb_e2e::wait_for;
use serde_json::{json, Value};

/// Reloads the page and returns its `Cookies: …` line once the server cookies are in.
fn reload_and_read_cookies(env: &TestEnv, sid: &str) -> String {
    env.session(sid, &["goto", "--url", &env.fixtures.url("cookies.html")]);
    let snap = env.snapshot(sid, "outline");
    let server = nth_ref(&snap, "paragraph", 0);
    let ok = wait_for(Duration::from_secs(15), || {
        env.dom_text(sid, &server)
            .contains("Server cookie: 200 200")
            .then_some(())
    });
    assert!(ok.is_some(), "server cookies never set");
    env.dom_text(sid, &nth_ref(&snap, "paragraph", 1))
}

fn cookie<'a>(list: &'a Value, name: &str) -> Option<&'a Value> {
    list["cookies"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == name))
}

#[test]
fn set_cookies_reach_the_page_and_get_cookies_lists_them() {
    let env = TestEnv::paired();
    let sid = env.launch("cookies.html");
    let base = env.fixtures.url("/");
    let before = reload_and_read_cookies(&env, &sid);
    assert!(before.contains("server_cookie=from-server"), "{before}");
    assert!(!before.contains("odb_import"), "{before}");

    let set = env
        .command(
            &sid,
            "storage.setCookies",
            json!({"requestId": "e2e-1", "cookies": [
                {"name": "odb_import", "value": "imported-1", "url": base},
                {"name": "odb_hidden", "value": "h", "domain": "127.0.0.1", "httpOnly": true, "sameSite": "Strict"}
            ]}),
        )
        .expect("setCookies");
    assert_eq!(
        set,
        json!({"requestId": "e2e-1", "imported": 2, "rejected": []})
    );

    let after = reload_and_read_cookies(&env, &sid);
    assert!(after.contains("odb_import=imported-1"), "{after}");
    assert!(
        !after.contains("odb_hidden"),
        "HttpOnly is visible to scripts: {after}"
    );
    assert!(!after.contains("server_secret"), "{after}");

    let list = env
        .command(&sid, "storage.getCookies", json!({}))
        .expect("getCookies");
    assert!(
        !list["requestId"].as_str().unwrap_or("").is_empty(),
        "{list}"
    );
    assert_eq!(
        list["count"].as_u64(),
        list["cookies"].as_array().map(|c| c.len() as u64)
    );
    let imported = cookie(&list, "odb_import").unwrap_or_else(|| panic!("{list}"));
    assert_eq!(
        (
            &imported["value"],
            &imported["domain"],
            &imported["path"],
            &imported["httpOnly"]
        ),
        (
            &json!("imported-1"),
            &json!("127.0.0.1"),
            &json!("/"),
            &json!(false)
        )
    );
    let hidden = cookie(&list, "odb_hidden").unwrap_or_else(|| panic!("{list}"));
    assert_eq!(
        (&hidden["httpOnly"], &hidden["sameSite"]),
        (&json!(true), &json!("Strict"))
    );
    let server = cookie(&list, "server_cookie").unwrap_or_else(|| panic!("{list}"));
    assert_eq!(server["value"], "from-server");
    assert_eq!(server["expires"], -1.0, "a session cookie");
    let secret = cookie(&list, "server_secret").unwrap_or_else(|| panic!("{list}"));
    assert_eq!(secret["httpOnly"], true);

    let filtered = env
        .command(
            &sid,
            "storage.getCookies",
            json!({"urls": [base], "requestId": "r2"}),
        )
        .expect("getCookies with urls");
    assert_eq!(filtered["requestId"], "r2");
    assert!(cookie(&filtered, "odb_import").is_some(), "{filtered}");
    let elsewhere = env
        .command(
            &sid,
            "storage.getCookies",
            json!({"urls": ["http://example.invalid/"]}),
        )
        .expect("getCookies for another site");
    assert_eq!(elsewhere["count"], 0, "{elsewhere}");
}

#[test]
fn strict_batches_import_nothing_lenient_ones_import_the_valid_rest() {
    let env = TestEnv::paired();
    let sid = env.launch("cookies.html");
    let base = env.fixtures.url("/");
    let batch = json!([
        {"name": "odb_good", "value": "g", "url": base},
        {"name": "odb_bad", "value": "b", "url": base, "sameSite": "Sideways"}
    ]);

    let err = env
        .command(&sid, "storage.setCookies", json!({"cookies": batch}))
        .expect_err("a strict batch with a bad cookie fails");
    assert!(
        err.starts_with("[invalid_request] Cookie import rejected 1 entries"),
        "{err}"
    );
    assert!(
        err.contains("[1] Cookie odb_bad has invalid sameSite"),
        "{err}"
    );
    let list = env
        .command(&sid, "storage.getCookies", json!({}))
        .expect("getCookies");
    assert!(
        cookie(&list, "odb_good").is_none(),
        "strict imported a cookie: {list}"
    );
    let page = reload_and_read_cookies(&env, &sid);
    assert!(!page.contains("odb_good"), "{page}");

    let lenient = env
        .command(
            &sid,
            "storage.setCookies",
            json!({"cookies": batch, "strict": false}),
        )
        .expect("lenient import");
    assert_eq!(lenient["imported"], 1, "{lenient}");
    assert_eq!(
        lenient["rejected"],
        json!([{"index": 1, "reason": "Cookie odb_bad has invalid sameSite (expected Strict, Lax or None)."}])
    );
    let page = reload_and_read_cookies(&env, &sid);
    assert!(page.contains("odb_good=g"), "{page}");
    assert!(!page.contains("odb_bad"), "{page}");
}
