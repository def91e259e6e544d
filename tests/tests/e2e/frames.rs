//! Snapshot completeness (issue 4): buttons inside a closed shadow root, a same-origin iframe and a cross-origin
//! iframe (served from a second loopback port under `localhost`, so it is cross-site and runs out of process)
//! appear in the snapshot and are clicked and typed into by ref; the page's own log shows each effect. An element
//! screenshot by ref shows the element, in either frame, below the fold too.

use std::time::Duration;

use odb_e2e::env::{ref_of, TestEnv};
use odb_e2e::fixtures::FixtureServer;
use odb_e2e::image::Image;
use odb_e2e::paths;
use odb_e2e::wait_for;

/// Launches frames.html with its cross-origin frame served by a second fixture server under `localhost`
/// (cross-site, so out of process) and waits for that frame in the snapshot. Returns the second server (keep it
/// alive), the session id and the snapshot.
fn frames_page(env: &TestEnv) -> (FixtureServer, String, String) {
    let other = FixtureServer::start(paths::fixtures_dir());
    let cross = other
        .url("")
        .trim_end_matches('/')
        .replace("127.0.0.1", "localhost");
    let sid = env.launch(&format!("frames.html?cross={cross}"));
    // The cross-origin frame loads after the page; its child session attaches when it does.
    let snap = wait_for(Duration::from_secs(15), || {
        let s = env.snapshot(&sid, "outline");
        s.contains("Frame button cross").then_some(s)
    })
    .unwrap_or_else(|| {
        panic!(
            "no cross-origin frame in:\n{}",
            env.snapshot(&sid, "outline")
        )
    });
    (other, sid, snap)
}

#[test]
fn closed_shadow_and_cross_origin_frame_elements_are_driven_by_ref() {
    let env = TestEnv::paired();
    let (_other, sid, snap) = frames_page(&env);
    println!("{snap}");
    for needle in [
        "button \"Open shadow button\"",
        "button \"Closed shadow button\"",
        "textbox \"Shadow note\"",
        "button \"Frame button same\"",
        "textbox \"Frame input same\"",
        "textbox \"Frame input cross\"",
    ] {
        assert!(snap.contains(needle), "{needle} missing from:\n{snap}");
    }
    let log = ref_of(&snap, "paragraph");
    assert_eq!(env.dom_text(&sid, &log), "nothing yet");

    env.session(
        &sid,
        &["click", "--ref", &ref_of(&snap, "Closed shadow button")],
    );
    env.wait_text_eq(&sid, &log, "closed clicked");
    env.session(
        &sid,
        &[
            "type",
            "--ref",
            &ref_of(&snap, "Shadow note"),
            "--text",
            "abc",
        ],
    );
    env.wait_text_eq(&sid, &log, "closed typed abc");

    env.session(
        &sid,
        &["click", "--ref", &ref_of(&snap, "Frame button cross")],
    );
    env.wait_text_eq(&sid, &log, "cross clicked");
    env.session(
        &sid,
        &[
            "type",
            "--ref",
            &ref_of(&snap, "Frame input cross"),
            "--text",
            "hello",
        ],
    );
    env.wait_text_eq(&sid, &log, "cross typed hello");

    env.session(
        &sid,
        &["click", "--ref", &ref_of(&snap, "Frame button same")],
    );
    env.wait_text_eq(&sid, &log, "same clicked");

    // A re-snapshot keeps every ref and shows the typed value inside the cross-origin frame.
    let again = env.snapshot(&sid, "outline");
    let cross_input = ref_of(&snap, "Frame input cross");
    assert_eq!(ref_of(&again, "Frame input cross"), cross_input);
    assert!(
        again.contains(&format!(
            "[{cross_input}] textbox \"Frame input cross\" value=\"hello\""
        )),
        "{again}"
    );
    assert_eq!(
        ref_of(&again, "Closed shadow button"),
        ref_of(&snap, "Closed shadow button")
    );
}

/// The frame buttons' colour (frame-child.html).
const FRAME_BUTTON: [u8; 3] = [255, 0, 170];

/// `screenshot --ref` of a button inside the same-origin frame and of one inside the out-of-process frame
/// (below the fold): each PNG is the button's size and mostly its colour.
#[test]
fn element_screenshots_inside_frames_show_the_element() {
    let env = TestEnv::paired();
    let (_other, sid, snap) = frames_page(&env);
    for name in ["same", "cross"] {
        let button = ref_of(&snap, &format!("button \"Frame button {name}\""));
        let path = env.dir.path().join(format!("{name}.png"));
        env.session(
            &sid,
            &[
                "screenshot",
                "--ref",
                &button,
                "--path",
                path.to_str().unwrap(),
            ],
        );
        let img = Image::read(&path);
        let share = img.share_of(FRAME_BUTTON, 8);
        println!(
            "{name}: {}x{} px, {:.0}% button colour",
            img.width,
            img.height,
            share * 100.0
        );
        assert!(
            (60..400).contains(&img.width) && (20..80).contains(&img.height),
            "{name}: {}x{}",
            img.width,
            img.height
        );
        assert!(
            share > 0.6,
            "{name}: only {share:.2} of the capture is the button's colour"
        );
    }
}

/// `--filter`, `--scope-ref` and `--diff` on a real page.
#[test]
fn filter_scope_and_diff_options() {
    let env = TestEnv::paired();
    let sid = env.launch("links.html");
    let full = env.snapshot(&sid, "outline");
    let filtered = env.session(&sid, &["snapshot", "--filter", "dune"]);
    let text = filtered["content"].as_str().unwrap();
    assert_eq!(
        text,
        format!("[{}] link \"Dune\"", ref_of(&full, "link \"Dune\""))
    );

    let list = ref_of(&full, "] list");
    let scoped = env.session(&sid, &["snapshot", "--scope-ref", &list]);
    let text = scoped["content"].as_str().unwrap();
    assert!(text.starts_with(&format!("[{list}] list")), "{text}");
    assert!(
        text.contains("link \"Hyperion\"") && !text.contains("Reading list"),
        "{text}"
    );

    let none = env.session(&sid, &["snapshot", "--diff"]);
    assert_eq!(none["content"], "", "{none}");
    assert_eq!(
        none["warnings"][0],
        "No changes since the previous snapshot."
    );
    env.session(
        &sid,
        &["click", "--ref", &ref_of(&full, "Remove last book")],
    );
    let diff = wait_for(Duration::from_secs(5), || {
        let d = env.session(&sid, &["snapshot", "--diff"]);
        let c = d["content"].as_str().unwrap_or_default().to_string();
        (!c.is_empty()).then_some(c)
    })
    .expect("a diff after removing a book");
    assert!(diff.contains("- [") && diff.contains("Hyperion"), "{diff}");
    assert!(
        diff.lines()
            .all(|l| l.starts_with("- ") || l.starts_with("+ ") || l.starts_with("~ ")),
        "{diff}"
    );

    let bad = env
        .daemon
        .cli(&["snapshot", "--session-id", &sid, "--scope-ref", "r999"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("Unknown ref: r999"), "{bad:?}");
}
