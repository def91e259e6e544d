//! `page.screenshot` in a real browser on a 40 000 px page of 1 000 px colour bands (tall.html): the full-page
//! capture is taken in tiles and stitched, has the page's full height, and every band shows its own colour (a
//! capture that repeats the viewport or the first tile, or goes blank, fails). A `ref` capture is exactly the
//! element's size, read back from the page.

use odb_e2e::env::{ref_of, TestEnv};
use odb_e2e::image::Image;
use serde_json::json;

/// The band colours of tall.html, in order (`#e6194b`, `#3cb44b`, ...).
const PALETTE: [[u8; 3]; 7] = [
    [0xe6, 0x19, 0x4b],
    [0x3c, 0xb4, 0x4b],
    [0x43, 0x63, 0xd8],
    [0xf5, 0x82, 0x31],
    [0x91, 0x1e, 0xb4],
    [0x46, 0xf0, 0xf0],
    [0xf0, 0x32, 0xe6],
];

fn shoot(env: &TestEnv, sid: &str, name: &str, extra: &[&str]) -> Image {
    let path = env.dir.path().join(name);
    let mut args = vec!["screenshot", "--path", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.session(sid, &args);
    Image::read(&path)
}

/// Asserts every 1 000 px band of a full-page capture of tall.html has its palette colour at rows 1 and 999.
fn assert_bands(img: &Image, bands: u32) {
    for band in 0..bands {
        for y in [band * 1000 + 1, band * 1000 + 999] {
            assert_eq!(
                img.rgb(10, y),
                PALETTE[band as usize % PALETTE.len()],
                "band {band} at row {y}"
            );
        }
    }
}

#[test]
fn full_page_of_a_tall_page_and_an_element() {
    let env = TestEnv::paired();
    let sid = env.launch("tall.html?h=40000");
    let status = env.command(&sid, "session.status", json!({})).unwrap();
    assert_eq!(status["title"], "Tall page 40000", "{status}");

    let full = shoot(&env, &sid, "full.png", &["--full-page"]);
    println!("full page: {}x{}", full.width, full.height);
    assert_eq!(full.height, 40_000, "the page's full height");
    assert!((1200..=1280).contains(&full.width), "width {}", full.width);
    assert_bands(&full, 40);

    // Straight after a navigation (where an early single capture repeated the viewport): pixels of the first
    // capture, then the wire result says it was ten 4 096 px tiles stitched.
    env.session(
        &sid,
        &["goto", "--url", &env.fixtures.url("tall.html?h=40000")],
    );
    let started = std::time::Instant::now();
    let again = shoot(&env, &sid, "again.png", &["--full-page"]);
    println!("full page after goto: {:?}", started.elapsed());
    assert_eq!(again.height, 40_000);
    assert_bands(&again, 40);
    let r = env
        .command(&sid, "page.screenshot", json!({"fullPage": true}))
        .unwrap();
    assert_eq!(r["tiles"], 10, "stitched from tiles");
    assert!(r.get("warning").is_none(), "{}", r["warning"]);

    // An element: the PNG is exactly its box, as the page measures it.
    let snap = env.snapshot(&sid, "outline");
    let card = ref_of(&snap, "region \"Card\"");
    let size_ref = ref_of(&snap, "paragraph");
    let size = env.session(&sid, &["dom-text", "--ref", &size_ref])["text"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("Card size: ")
        .to_string();
    let (w, h) = size
        .split_once('x')
        .map(|(w, h)| (w.parse::<f64>().unwrap(), h.parse::<f64>().unwrap()))
        .unwrap_or_else(|| panic!("bad card size {size:?}"));
    let shot = shoot(&env, &sid, "card.png", &["--ref", &card]);
    assert_eq!(
        (shot.width, shot.height),
        (w.round() as u32, h.round() as u32),
        "the element's {w}x{h} box"
    );
    assert_eq!(
        shot.rgb(shot.width - 3, shot.height - 3),
        [0x12, 0x34, 0x56]
    );

    // The viewport capture is the visible window only.
    let view = shoot(&env, &sid, "view.png", &[]);
    assert!(
        view.height < 2000 && view.width >= 1200,
        "{}x{}",
        view.width,
        view.height
    );
}
