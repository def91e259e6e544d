//! Managed mode (`launch --no-extension --headless`) and cdpConnect (`connect --host --cdp-port`) in headless
//! Chromium (issue 6): the same `odb-ops` runtime and snapshot crate as the extension, run natively over CDP.
//! One test per command family checks the effect on the page (the parity and connect tests are in
//! `managed_parity`).

use std::time::Duration;

use odb_e2e::env::{nth_ref, ref_of, TestEnv};
use odb_e2e::managed::launch_managed;
use odb_e2e::wait_for;
use serde_json::json;

/// The size of a PNG file.
pub(crate) fn png_size(path: &std::path::Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("png file"),
    ));
    let reader = decoder.read_info().expect("png header");
    let info = reader.info();
    (info.width, info.height)
}

/// `screenshot --path <dir>/<name>.png [extra]` → the image size.
pub(crate) fn shot(env: &TestEnv, sid: &str, name: &str, extra: &[&str]) -> (u32, u32) {
    let path = env.dir.path().join(format!("{name}.png"));
    let mut args = vec!["screenshot", "--path", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.session(sid, &args);
    png_size(&path)
}

#[test]
fn managed_launch_reports_its_mode_and_navigates() {
    let env = TestEnv::daemon_only();
    let sid = launch_managed(&env, "index.html");
    let status = env.command(&sid, "session.status", json!({})).unwrap();
    assert_eq!(status["mode"], "managed", "{status}");
    assert_eq!(status["title"], "Fixture index", "{status}");
    let cli_status = env.daemon.json(&["status", "--session-id", &sid]);
    assert_eq!(cli_status["mode"], "managed", "{cli_status}");

    let login = env.fixtures.url("login.html");
    let went = env.session(&sid, &["goto", "--url", &login]);
    assert_eq!(went["finalUrl"], login.as_str(), "{went}");
    env.session(&sid, &["wait", "--until", "load"]);
    let snap = env.snapshot(&sid, "outline");
    assert!(snap.contains("heading \"Sign in\""), "{snap}");
    let email = ref_of(&snap, "textbox \"Email\"");
    env.session(&sid, &["wait", "--ref", &email, "--state", "visible"]);
    let review = env.session(&sid, &["review"]);
    assert_eq!(review["mode"], "managed", "{review}");
    assert!(
        review["content"]
            .as_str()
            .unwrap_or_default()
            .contains("button \"Sign in\""),
        "{review}"
    );
    let restricted = env
        .command(&sid, "nav.goto", json!({"url": "file:///etc/passwd"}))
        .unwrap_err();
    assert!(restricted.starts_with("[restricted_url]"), "{restricted}");

    env.session(&sid, &["disconnect"]);
    let gone = env.command(&sid, "session.status", json!({})).unwrap_err();
    assert!(gone.starts_with("[invalid_session]"), "{gone}");
}

#[test]
fn managed_snapshot_modes_and_paging() {
    let env = TestEnv::daemon_only();
    let sid = launch_managed(&env, "login.html");
    let outline = env.snapshot(&sid, "outline");
    let actionables = env.snapshot(&sid, "actionables");
    assert!(outline.contains("heading \"Sign in\""), "{outline}");
    assert!(!actionables.contains("heading"), "{actionables}");
    for line in [
        "textbox \"Email\"",
        "checkbox \"Remember me\"",
        "button disabled \"Continue with SSO\"",
    ] {
        assert!(actionables.contains(line), "{line} in\n{actionables}");
    }
    let first = env.session(
        &sid,
        &["snapshot", "--mode", "outline", "--max-chars", "40"],
    );
    assert_eq!(first["truncated"], true, "{first}");
    let cursor = first["nextCursor"]
        .as_str()
        .expect("nextCursor")
        .to_string();
    let second = env.session(
        &sid,
        &[
            "snapshot",
            "--mode",
            "outline",
            "--max-chars",
            "40",
            "--cursor",
            &cursor,
        ],
    );
    let (a, b) = (
        first["content"].as_str().unwrap(),
        second["content"].as_str().unwrap(),
    );
    assert!(!a.is_empty() && !b.is_empty() && a != b, "{a}\n--\n{b}");
    let head: Vec<&str> = a.lines().filter(|l| !l.starts_with("[truncated")).collect();
    assert!(
        outline.starts_with(&head.join("\n")),
        "page 1 is the head of the outline:\n{a}"
    );
}

#[test]
fn managed_element_commands_and_dom_getters() {
    let env = TestEnv::daemon_only();
    let sid = launch_managed(&env, "widgets.html");
    let snap = env.snapshot(&sid, "outline");
    let hovered = nth_ref(&snap, "paragraph", 0);
    let chosen = nth_ref(&snap, "paragraph", 1);
    let subscribed = nth_ref(&snap, "paragraph", 2);

    env.session(
        &sid,
        &["hover", "--ref", &ref_of(&snap, "button \"Products\"")],
    );
    env.wait_text_contains(&sid, &hovered, "Hovered: yes");
    assert!(env.snapshot(&sid, "outline").contains("link \"Laptops\""));

    let subscribe = ref_of(&snap, "checkbox \"Subscribe\"");
    env.session(&sid, &["check", "--ref", &subscribe]);
    env.wait_text_contains(&sid, &subscribed, "Subscribed: yes");
    assert_eq!(
        env.session(&sid, &["dom-checked", "--ref", &subscribe])["value"],
        true
    );
    env.session(&sid, &["uncheck", "--ref", &subscribe]);
    env.wait_text_contains(&sid, &subscribed, "Subscribed: no");

    let fruit = ref_of(&snap, "\"Fruit\"");
    let toppings = ref_of(&snap, "\"Toppings\"");
    env.session(&sid, &["select", "--ref", &fruit, "--values", "c"]);
    env.session(
        &sid,
        &["select", "--ref", &toppings, "--values", "Ham,corn"],
    );
    env.wait_text_contains(&sid, &chosen, "Chosen: c / ham+corn");
    assert_eq!(
        env.session(&sid, &["dom-value", "--ref", &fruit])["value"],
        "c"
    );

    let docs = ref_of(&snap, "link \"Docs\"");
    assert_eq!(
        env.session(&sid, &["dom-attr", "--ref", &docs, "--attr", "data-kind"])["value"],
        "docs"
    );
    let html = env.session(&sid, &["dom-html", "--ref", &docs]);
    assert!(
        html["outerHTML"]
            .as_str()
            .unwrap_or_default()
            .starts_with("<a"),
        "{html}"
    );
    assert_eq!(
        env.session(&sid, &["dom-visible", "--ref", &docs])["value"],
        true
    );
    assert_eq!(
        env.session(&sid, &["dom-enabled", "--ref", &docs])["value"],
        true
    );
    assert_eq!(env.dom_text(&sid, &docs), "Docs");

    // Scroll: the page's own scroll listener reports the offset; scroll-into-view brings the last button in.
    env.session(&sid, &["goto", "--url", &env.fixtures.url("long.html")]);
    let long = env.snapshot(&sid, "outline");
    let scrolled = nth_ref(&long, "paragraph", 0);
    env.session(&sid, &["scroll", "--dy", "300"]);
    env.wait_text_eq(&sid, &scrolled, "Scrolled: 300");
    let end = ref_of(&long, "button \"End button\"");
    env.session(&sid, &["scroll-into-view", "--ref", &end]);
    let y = env
        .command(&sid, "dom.refPoint", json!({"ref": end}))
        .unwrap()["y"]
        .as_f64()
        .unwrap();
    assert!(
        (0.0..800.0).contains(&y),
        "the end button is in the viewport at y={y}"
    );
}

#[test]
fn managed_forms_keys_and_link_clicks() {
    let env = TestEnv::daemon_only();
    let sid = launch_managed(&env, "login.html");
    let snap = env.snapshot(&sid, "outline");
    let status = nth_ref(&snap, "paragraph", 0);
    env.session(
        &sid,
        &[
            "type",
            "--ref",
            &ref_of(&snap, "textbox \"Email\""),
            "--text",
            "a@b.co",
        ],
    );
    let clicked = env.session(
        &sid,
        &["click", "--ref", &ref_of(&snap, "checkbox \"Remember me\"")],
    );
    assert_eq!(clicked["navigated"], false, "{clicked}");
    env.session(
        &sid,
        &[
            "press",
            "--ref",
            &ref_of(&snap, "textbox \"Password\""),
            "--key",
            "Enter",
        ],
    );
    env.wait_text_eq(&sid, &status, "Signed in as a@b.co (remembered)");
    let after = env.snapshot(&sid, "actionables");
    assert!(
        after.contains("textbox \"Email\" value=\"a@b.co\""),
        "{after}"
    );

    env.session(&sid, &["goto", "--url", &env.fixtures.url("links.html")]);
    let links = env.snapshot(&sid, "outline");
    let clicked = env.session(
        &sid,
        &["click", "--ref", &ref_of(&links, "link \"Sign in\"")],
    );
    assert_eq!(clicked["navigated"], true, "{clicked}");
    let title = wait_for(Duration::from_secs(10), || {
        let s = env.command(&sid, "session.status", json!({})).ok()?;
        (s["title"] == "Sign in").then_some(())
    });
    assert!(title.is_some(), "the link click loaded the sign-in page");
}

#[test]
fn managed_screenshots_viewport_full_page_and_element() {
    let env = TestEnv::daemon_only();
    let sid = launch_managed(&env, "tall.html?h=3000");
    let (vw, vh) = shot(&env, &sid, "viewport", &[]);
    assert!(vw >= 800 && vh >= 500, "{vw}x{vh}");
    let (fw, fh) = shot(&env, &sid, "full", &["--full-page"]);
    assert_eq!(fh, 3000, "the page's full height");
    assert!(
        fw <= vw && fw + 20 >= vw,
        "the layout width (without the scrollbar): {fw} vs {vw}"
    );
    let snap = env.snapshot(&sid, "outline");
    let card = ref_of(&snap, "region \"Card\"");
    let size = env.dom_text(&sid, &ref_of(&snap, "paragraph"));
    let (w, h) = size
        .trim_start_matches("Card size: ")
        .split_once('x')
        .map(|(w, h)| (w.parse::<f64>().unwrap(), h.parse::<f64>().unwrap()))
        .unwrap_or_else(|| panic!("bad card size {size:?}"));
    let card_size = shot(&env, &sid, "card", &["--ref", &card]);
    assert_eq!(
        card_size,
        (w.round() as u32, h.round() as u32),
        "the card's {w}x{h} box"
    );
}

#[test]
fn managed_targets_named_pages_and_popups() {
    let env = TestEnv::daemon_only();
    let sid = launch_managed(&env, "popup.html");
    let root = env.command(&sid, "session.status", json!({})).unwrap()["activeTargetId"]
        .as_str()
        .unwrap()
        .to_string();
    let new = env.session(
        &sid,
        &["target-new", "--url", &env.fixtures.url("links.html")],
    );
    let second = new["targetId"].as_str().unwrap().to_string();
    assert_ne!(second, root);
    let list = env.session(&sid, &["targets-list", "--include-urls"]);
    assert_eq!(list["activeTargetId"], second.as_str(), "{list}");
    let titles: Vec<&str> = list["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap_or_default())
        .collect();
    assert!(titles.contains(&"Links and lists"), "{list}");
    env.session(&sid, &["target-use", "--target-id", &root]);
    assert!(env.snapshot(&sid, "outline").contains("Open sign-in popup"));
    env.session(&sid, &["target-close", "--target-id", &second]);
    let list = env.session(&sid, &["targets-list"]);
    assert_eq!(list["targets"].as_array().unwrap().len(), 1, "{list}");

    let page = env.session(
        &sid,
        &[
            "page",
            "--name",
            "help",
            "--url",
            &env.fixtures.url("index.html"),
        ],
    );
    assert_eq!(page["created"], true, "{page}");
    let pages = env.session(&sid, &["pages"]);
    assert_eq!(pages["pages"][0]["name"], "help", "{pages}");
    assert_eq!(pages["pages"][0]["title"], "Fixture index", "{pages}");
    env.session(&sid, &["page-close", "--name", "help"]);
    assert_eq!(env.session(&sid, &["pages"])["pages"], json!([]));

    // A target=_blank link opens a popup that joins the session (adoption over Target.targetCreated openerId).
    env.session(&sid, &["target-use", "--target-id", &root]);
    let snap = env.snapshot(&sid, "outline");
    env.session(
        &sid,
        &["click", "--ref", &ref_of(&snap, "link \"Open reading list")],
    );
    let adopted = wait_for(Duration::from_secs(10), || {
        let list = env.session(&sid, &["targets-list", "--include-urls"]);
        list["targets"]
            .as_array()?
            .iter()
            .find(|t| {
                t["url"]
                    .as_str()
                    .is_some_and(|u| u.ends_with("/links.html"))
            })
            .map(|t| t["targetId"].as_str().unwrap_or_default().to_string())
    })
    .expect("the popup joins the session");
    let used = wait_for(Duration::from_secs(10), || {
        env.command(&sid, "targets.use", json!({"targetId": adopted}))
            .ok()
    });
    assert!(used.is_some(), "the adopted popup can be used");
    // Commands on it answer the retryable "has not finished attaching" until its attach completes.
    let popup = wait_for(Duration::from_secs(10), || {
        env.command(&sid, "nav.snapshot", json!({"mode": "outline"}))
            .ok()
    })
    .expect("the popup finishes attaching");
    assert!(
        popup["content"]
            .as_str()
            .unwrap_or_default()
            .contains("link \"Dune\""),
        "{popup}"
    );
}

#[test]
fn managed_dialogs_are_answered_while_the_click_waits() {
    let env = TestEnv::daemon_only();
    let sid = launch_managed(&env, "dialogs.html");
    let snap = env.snapshot(&sid, "outline");
    let result = ref_of(&snap, "paragraph");
    let button = ref_of(&snap, "button \"Ask prompt\"");
    std::thread::scope(|s| {
        let click = s.spawn(|| env.command(&sid, "interact.click", json!({"ref": button})));
        let open = wait_for(Duration::from_secs(10), || {
            let status = env.command(&sid, "page.dialog", json!({})).ok()?;
            (status["dialog"]["open"] == true).then(|| status["dialog"].clone())
        })
        .expect("the prompt opens");
        assert_eq!(open["type"], "prompt", "{open}");
        assert_eq!(open["defaultPrompt"], "Ada", "{open}");
        let answered = env.session(
            &sid,
            &["dialog", "--action", "accept", "--prompt-text", "Grace"],
        );
        assert_eq!(answered["handled"], true, "{answered}");
        click.join().unwrap().expect("the click completes");
    });
    env.wait_text_contains(&sid, &result, "Grace");
}

#[test]
fn managed_console_network_and_perf_polls() {
    let env = TestEnv::daemon_only();
    let sid = launch_managed(&env, "console.html");
    let snap = env.snapshot(&sid, "outline");
    env.session(
        &sid,
        &[
            "click",
            "--ref",
            &ref_of(&snap, "button \"Log all levels\""),
        ],
    );
    let logged = wait_for(Duration::from_secs(10), || {
        let page = env.session(&sid, &["console-poll", "--max", "50"]);
        let events = page["events"].as_array()?.clone();
        (events.len() >= 5).then_some(events)
    })
    .expect("console events");
    let levels: Vec<&str> = logged.iter().filter_map(|e| e["level"].as_str()).collect();
    assert!(
        levels.contains(&"error") && levels.contains(&"warning"),
        "{levels:?}"
    );

    env.session(
        &sid,
        &["click", "--ref", &ref_of(&snap, "button \"Fetch\"")],
    );
    let fetched = wait_for(Duration::from_secs(10), || {
        let page = env.session(&sid, &["network-poll", "--max", "50"]);
        page["events"]
            .as_array()?
            .iter()
            .find(|e| {
                e["url"].as_str().is_some_and(|u| u.contains("/api/echo")) && e["status"] == 200
            })
            .cloned()
    })
    .expect("the fetch shows in network-poll");
    assert!(!fetched["url"].as_str().unwrap().contains('?'), "{fetched}");

    let perf = env.session(&sid, &["perf"]);
    let nodes = perf["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Nodes")
        .map(|m| m["value"].as_f64().unwrap_or(0.0));
    assert!(nodes.unwrap_or(0.0) > 10.0, "{perf}");
}

#[test]
fn managed_cookies_import_and_list() {
    let env = TestEnv::daemon_only();
    let sid = launch_managed(&env, "cookies.html");
    let file = env.dir.path().join("cookies.json");
    let url = env.fixtures.url("/");
    std::fs::write(
        &file,
        json!([{"name": "odb_import", "value": "imported-1", "url": url}]).to_string(),
    )
    .unwrap();
    let imported = env.session(
        &sid,
        &["cookie-import", "--cookies-file", file.to_str().unwrap()],
    );
    assert_eq!(imported["imported"], 1, "{imported}");
    env.session(&sid, &["goto", "--url", &env.fixtures.url("cookies.html")]);
    let snap = env.snapshot(&sid, "outline");
    let cookies = nth_ref(&snap, "paragraph", 1);
    env.wait_text_contains(&sid, &cookies, "odb_import=imported-1");
    let list = env.session(&sid, &["cookie-list"]);
    let names: Vec<&str> = list["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(names.contains(&"odb_import"), "{list}");
}

#[test]
fn managed_export_clones_page_and_component() {
    let env = TestEnv::daemon_only();
    let sid = launch_managed(&env, "export.html");
    let page = env.session(&sid, &["clone-page"]);
    let html = page["capture"]["html"].as_str().unwrap_or_default();
    assert!(html.contains("Buy now"), "{page}");
    assert!(!html.contains("javascript:"), "sanitized: {html}");
    let snap = env.snapshot(&sid, "outline");
    let part = env.session(
        &sid,
        &[
            "clone-component",
            "--ref",
            &ref_of(&snap, "button \"Buy now\""),
        ],
    );
    let html = part["capture"]["html"].as_str().unwrap_or_default();
    assert!(
        html.starts_with("<button") && html.contains("Buy now"),
        "{part}"
    );
}

#[test]
fn managed_pointer_drag_and_upload() {
    let env = TestEnv::daemon_only();
    let sid = launch_managed(&env, "pointer.html");
    let pos = nth_ref(&env.snapshot(&sid, "outline"), "paragraph", 0);
    assert_eq!(env.dom_text(&sid, &pos), "Box: 100,150");
    env.session(
        &sid,
        &[
            "pointer-drag",
            "--from-x",
            "140",
            "--from-y",
            "190",
            "--to-x",
            "240",
            "--to-y",
            "240",
            "--steps",
            "5",
        ],
    );
    env.wait_text_eq(&sid, &pos, "Box: 200,200");

    env.session(&sid, &["goto", "--url", &env.fixtures.url("upload.html")]);
    let snap = env.snapshot(&sid, "outline");
    let notes = env.dir.path().join("notes.txt");
    std::fs::write(&notes, "alpha line\nbeta line\n\n").unwrap();
    let out = env.session(
        &sid,
        &[
            "upload",
            "--ref",
            &ref_of(&snap, "\"Document\""),
            "--files",
            notes.to_str().unwrap(),
        ],
    );
    assert_eq!(out["mode"], "direct_input", "{out}");
    env.wait_text_contains(&sid, &nth_ref(&snap, "paragraph", 0), "notes.txt");
}
