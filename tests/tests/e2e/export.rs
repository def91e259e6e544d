//! `export.clonePage` / `export.cloneComponent` and `nav.review` in Chromium on `export.html`: the capture holds
//! the fixture's text with computed styles inlined, no scripts, handlers or `javascript:` URLs (unless
//! `sanitize:false`), honours `maxNodes` and `styleAllowlist`, and leaves the page as it was; review refs click.

use std::time::{Duration, Instant};

use odb_e2e::env::{ref_of, TestEnv};
use odb_e2e::wait_for;
use serde_json::{json, Value};

fn capture(env: &TestEnv, sid: &str, command: &str, params: Value) -> Value {
    let out = env
        .command(sid, command, params)
        .unwrap_or_else(|e| panic!("{command}: {e}"));
    out["capture"].clone()
}

fn html(capture: &Value) -> String {
    capture["html"]
        .as_str()
        .unwrap_or_else(|| panic!("no html in {capture}"))
        .to_string()
}

/// The `style` attribute of the first element whose opening tag contains `marker`.
fn style_of(html: &str, marker: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} not in {html}"));
    let tag_start = html[..=at].rfind('<').expect("tag start");
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').expect("tag end")];
    let style = tag
        .split("style=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no style in {tag}"));
    style[..style.find('"').expect("closing quote")].to_string()
}

#[test]
fn clone_page_and_component() {
    let env = TestEnv::paired();
    let sid = env.launch("export.html");
    let before = env.snapshot(&sid, "outline");

    let page = capture(&env, &sid, "export.clonePage", json!({}));
    let body = html(&page);
    assert!(body.starts_with("<body"), "{body}");
    for text in [
        "Export fixture",
        "Pro plan",
        "Only 42 credits a month",
        "Text outside the card",
    ] {
        assert!(body.contains(text), "{text:?} missing from {body}");
    }
    for banned in ["<script", "onclick", "javascript:", "exportFixtureLoaded"] {
        assert!(
            !body.contains(banned),
            "{banned:?} survived sanitizing: {body}"
        );
    }
    assert_eq!(page["inlineStyles"], true);
    assert_eq!(page["warnings"], json!([]));
    assert!(page["styles"]["font-family"]
        .as_str()
        .unwrap_or_default()
        .contains("Georgia"));
    let root_style = style_of(&body, "<body");
    assert!(
        root_style.contains("font-family: Georgia, serif"),
        "{root_style}"
    );
    assert!(
        root_style.contains("background-color: rgb(250, 245, 235)"),
        "{root_style}"
    );
    let price = style_of(&body, "class=\"price\"");
    assert!(price.contains("color: rgb(200, 30, 30)"), "{price}");
    assert!(price.contains("font-weight: 700"), "{price}");
    assert!(
        !price.contains("font-family"),
        "inherited values are not repeated: {price}"
    );
    assert!(
        !price.contains("-color: rgb(200, 30, 30)"),
        "currentcolor followers are not repeated: {price}"
    );
    assert!(
        !price.contains("display: block"),
        "default values are skipped: {price}"
    );
    assert!(
        body.contains("src=\"data:image/gif"),
        "image data URLs are kept"
    );

    // A component, by ref.
    let card = ref_of(&before, "region \"Pricing card\"");
    let component = capture(&env, &sid, "export.cloneComponent", json!({"ref": card}));
    let section = html(&component);
    assert!(section.starts_with("<section"), "{section}");
    assert!(
        section.contains("Pro plan") && section.contains("Buy now"),
        "{section}"
    );
    assert!(!section.contains("Text outside the card"), "{section}");
    assert!(
        !section.contains("onclick") && !section.contains("javascript:"),
        "{section}"
    );
    let card_style = style_of(&section, "<section");
    for decl in [
        "border-top-width: 2px",
        "border-top-color: rgb(0, 102, 204)",
        "border-top-left-radius: 12px",
        "padding-top: 16px",
        "background-color: rgb(255, 255, 255)",
        "font-family: Georgia, serif",
    ] {
        assert!(card_style.contains(decl), "{decl:?} missing: {card_style}");
    }

    // Options: allowlist, skip values, no sanitizing, no inlining, node cap.
    let only_color = capture(
        &env,
        &sid,
        "export.cloneComponent",
        json!({"ref": card, "styleAllowlist": ["color", "font-weight"], "skipStyleValues": ["700"]}),
    );
    let section = html(&only_color);
    assert_eq!(
        style_of(&section, "class=\"price\""),
        "color: rgb(200, 30, 30);"
    );
    assert_eq!(
        only_color["styles"].as_object().map(|m| m.len()),
        Some(2),
        "{}",
        only_color["styles"]
    );
    let raw = capture(
        &env,
        &sid,
        "export.cloneComponent",
        json!({"ref": card, "sanitize": false, "inlineStyles": false}),
    );
    let section = html(&raw);
    assert_eq!(raw["inlineStyles"], false);
    assert!(
        section.contains("onclick=") && section.contains("javascript:"),
        "{section}"
    );
    assert!(!section.contains("style="), "{section}");
    let capped = capture(&env, &sid, "export.clonePage", json!({"maxNodes": 3}));
    let body = html(&capped);
    assert!(!body.contains("Text outside the card"), "{body}");
    let warning = capped["warnings"][0].as_str().unwrap_or_default();
    assert!(
        warning.starts_with("Export truncated at 3 nodes;"),
        "{capped}"
    );

    // Nothing on the page changed, and it still works.
    assert_eq!(
        env.snapshot(&sid, "outline"),
        before,
        "the capture leaves the page as it was"
    );
    let err = env
        .command(&sid, "export.cloneComponent", json!({"ref": "r9999"}))
        .expect_err("unknown ref");
    assert!(err.contains("Unknown ref: r9999"), "{err}");
}

#[test]
fn review_refs_click() {
    let env = TestEnv::paired();
    let sid = env.launch("links.html");
    let review = env
        .command(&sid, "nav.review", json!({"maxChars": 4000}))
        .expect("nav.review");
    assert_eq!(review["mode"], "extension", "{review}");
    assert_eq!(review["sessionId"].as_str().map(str::is_empty), Some(false));
    assert!(review["targetId"]
        .as_str()
        .unwrap_or_default()
        .starts_with("tab-"));
    assert_eq!(review["title"], "Links and lists");
    assert_eq!(review["dialog"]["open"], false, "{review}");
    let content = review["content"].as_str().expect("content");
    assert!(content.contains("button \"Count a click\""), "{content}");
    assert!(
        !content.contains("heading"),
        "review is always actionables: {content}"
    );
    let paging = env
        .command(&sid, "nav.review", json!({"maxChars": 20}))
        .expect("paged review");
    assert_eq!(paging["truncated"], true, "{paging}");
    assert!(paging["nextCursor"].is_string(), "{paging}");

    let review = env
        .command(&sid, "nav.review", json!({}))
        .expect("nav.review");
    let content = review["content"].as_str().expect("content");
    env.session(
        &sid,
        &[
            "click",
            "--ref",
            &ref_of(content, "button \"Count a click\""),
        ],
    );
    env.session(
        &sid,
        &[
            "click",
            "--ref",
            &ref_of(content, "button \"Count a click\""),
        ],
    );
    let outline = env.snapshot(&sid, "outline");
    let text = env.session(&sid, &["dom-text", "--ref", &ref_of(&outline, "paragraph")]);
    assert_eq!(text["text"], "Clicks: 2");
}

#[test]
fn review_and_export_under_a_dialog() {
    let env = TestEnv::paired();
    let sid = env.launch("export.html");
    let snap = env.snapshot(&sid, "outline");
    env.session(
        &sid,
        &[
            "click",
            "--ref",
            &ref_of(&snap, "button \"Remind me later\""),
        ],
    );
    let opened = wait_for(Duration::from_secs(5), || {
        let status = env.command(&sid, "page.dialog", json!({})).ok()?;
        (status["dialog"]["open"] == true).then_some(())
    });
    assert!(opened.is_some(), "the alert opened");

    let started = Instant::now();
    let review = env
        .command(&sid, "nav.review", json!({}))
        .expect("review under a dialog");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered without waiting for the page"
    );
    assert_eq!(review["dialog"]["open"], true, "{review}");
    assert_eq!(review["dialog"]["message"], "Offer ends soon");
    assert_eq!(review["content"], "");
    assert!(review["warnings"][0]
        .as_str()
        .unwrap_or_default()
        .starts_with("A JavaScript dialog is open"));
    let err = env
        .command(&sid, "export.clonePage", json!({}))
        .expect_err("export under a dialog");
    assert!(
        err.starts_with("[execution_failed] A JavaScript dialog is open"),
        "{err}"
    );

    env.command(&sid, "page.dialog", json!({"action": "accept"}))
        .expect("accept");
    let review = env.command(&sid, "nav.review", json!({})).expect("review");
    assert_eq!(review["dialog"]["open"], false, "{review}");
    assert!(review["content"]
        .as_str()
        .unwrap_or_default()
        .contains("button \"Buy now\""));
    let page = capture(&env, &sid, "export.clonePage", json!({}));
    assert!(html(&page).contains("Pro plan"));
}
