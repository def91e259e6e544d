//! The main path: CLI -> daemon -> relay -> extension -> chrome.debugger -> page, and back.

use odb_e2e::env::{ref_of, TestEnv};

#[test]
fn login_form_snapshot_click_type_press() {
    let env = TestEnv::paired();
    let sid = env.launch("login.html");

    let snap = env.snapshot(&sid, "outline");
    for expected in [
        "main",
        "heading \"Sign in\"",
        "textbox \"Email\"",
        "textbox \"Password\"",
        "checkbox \"Remember me\"",
        "button disabled \"Continue with SSO\"",
        "button \"Sign in\"",
    ] {
        assert!(
            snap.contains(expected),
            "snapshot lacks {expected:?}:\n{snap}"
        );
    }
    let actionables = env.snapshot(&sid, "actionables");
    assert!(
        !actionables.contains("heading"),
        "actionables has structure lines:\n{actionables}"
    );
    assert!(actionables.contains("button \"Sign in\""));

    // A click through real mouse events changes the page's state.
    let remember = ref_of(&snap, "checkbox \"Remember me\"");
    env.session(&sid, &["click", "--ref", &remember]);
    let snap = env.snapshot(&sid, "outline");
    assert!(
        snap.contains(&format!("[{remember}] checkbox checked \"Remember me\"")),
        "not checked:\n{snap}"
    );

    // Type, then Enter submits the form.
    let email = ref_of(&snap, "textbox \"Email\"");
    env.session(
        &sid,
        &["type", "--ref", &email, "--text", "ada@example.com"],
    );
    let snap = env.snapshot(&sid, "outline");
    assert!(
        snap.contains("textbox \"Email\" value=\"ada@example.com\""),
        "value not shown:\n{snap}"
    );
    let status = ref_of(&snap, "paragraph");
    assert_eq!(env.dom_text(&sid, &status), "Not signed in");
    env.session(&sid, &["press", "--key", "Enter", "--ref", &email]);
    env.wait_text_contains(&sid, &status, "Signed in as ada@example.com (remembered)");

    // `type --clear --submit` replaces the value and submits.
    env.session(
        &sid,
        &[
            "type",
            "--ref",
            &email,
            "--text",
            "grace@example.com",
            "--clear",
            "--submit",
        ],
    );
    env.wait_text_contains(&sid, &status, "Signed in as grace@example.com");
}

#[test]
fn controlled_input_sees_real_typing() {
    let env = TestEnv::paired();
    let sid = env.launch("controlled.html");
    let snap = env.snapshot(&sid, "outline");
    let name = ref_of(&snap, "textbox \"Display name\"");
    let echo = ref_of(&snap, "paragraph");
    env.session(&sid, &["type", "--ref", &name, "--text", "Grace"]);
    env.wait_text_contains(&sid, &echo, "State: Grace");
    env.session(
        &sid,
        &["type", "--ref", &name, "--text", " Hopper", "--submit"],
    );
    env.wait_text_contains(&sid, &echo, "State: Grace Hopper");
    let snap = env.snapshot(&sid, "outline");
    let saved = snap
        .lines()
        .filter(|l| l.contains("paragraph"))
        .nth(1)
        .expect("saved paragraph");
    let saved = &saved[1..saved.find(']').unwrap()];
    env.wait_text_contains(&sid, saved, "Saved: Grace Hopper");
    env.session(&sid, &["type", "--ref", &name, "--text", "Ada", "--clear"]);
    env.wait_text_contains(&sid, &echo, "State: Ada");
    let snap = env.snapshot(&sid, "outline");
    assert!(
        snap.contains("textbox \"Display name\" value=\"Ada\""),
        "{snap}"
    );
}

#[test]
fn goto_and_screenshots() {
    let env = TestEnv::paired();
    let sid = env.launch("index.html");
    let out = env.session(&sid, &["goto", "--url", &env.fixtures.url("long.html")]);
    assert!(
        out["finalUrl"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/long.html"),
        "{out}"
    );
    let snap = env.snapshot(&sid, "outline");
    assert!(snap.contains("heading \"Long page\""), "{snap}");

    let view = env.dir.path().join("view.png");
    env.session(&sid, &["screenshot", "--path", view.to_str().unwrap()]);
    let (vw, vh) = png_size(&view);
    println!("viewport screenshot: {vw}x{vh}");
    assert!(
        vw >= 800 && (500..3000).contains(&vh),
        "viewport screenshot is {vw}x{vh}"
    );

    let full = env.dir.path().join("full.png");
    env.session(
        &sid,
        &[
            "screenshot",
            "--full-page",
            "--path",
            full.to_str().unwrap(),
        ],
    );
    let (fw, fh) = png_size(&full);
    println!("full-page screenshot: {fw}x{fh}");
    // The full page is the CSS content size (Page.getLayoutMetrics), which excludes the vertical scrollbar.
    assert!(
        fw <= vw && fw + 20 >= vw,
        "full page width {fw} is the content width of a {vw}px viewport"
    );
    assert!(
        fh > 3600 && fh > vh,
        "full page is taller than the 4x900px content: {fw}x{fh}"
    );

    let bad = env.daemon.cli(&[
        "screenshot",
        "--session-id",
        &sid,
        "--full-page",
        "--ref",
        "r1",
    ]);
    assert_eq!(
        bad.code, 1,
        "--ref with --full-page is a usage error: {bad:?}"
    );
}

fn png_size(path: &std::path::Path) -> (u32, u32) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let reader = decoder.read_info().expect("a valid PNG");
    let info = reader.info();
    (info.width, info.height)
}
