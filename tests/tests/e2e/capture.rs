//! (measurement, temporary)

use odb_e2e::env::TestEnv;
use serde_json::json;

fn b64(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = match c { b'A'..=b'Z' => c - b'A', b'a'..=b'z' => c - b'a' + 26, b'0'..=b'9' => c - b'0' + 52, b'+' => 62, b'/' => 63, _ => continue } as u32;
        acc = (acc << 6) | v; bits += 6;
        if bits >= 8 { bits -= 8; out.push((acc >> bits) as u8); acc &= (1 << bits) - 1; }
    }
    out
}

/// (width, height, colour at x=10 of each 1000-px band centre within the image, given the image starts at page y0)
fn bands(png_bytes: &[u8], y0: u32) -> (u32, u32, Vec<(u32, [u8; 3])>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png_bytes)).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let ch = info.color_type.samples();
    let mut v = Vec::new();
    let mut y = (y0 / 1000) * 1000 + 500;
    while y < y0 + info.height {
        if y >= y0 {
            let o = (y - y0) as usize * info.line_size + 10 * ch;
            v.push((y / 1000, [buf[o], buf[o + 1], buf[o + 2]]));
        }
        y += 1000;
    }
    (info.width, info.height, v)
}

const PALETTE: [[u8; 3]; 7] = [[230, 25, 75], [60, 180, 75], [67, 99, 216], [245, 130, 49], [145, 30, 180], [70, 240, 240], [240, 50, 230]];

fn wrong(v: &[(u32, [u8; 3])]) -> usize {
    v.iter().filter(|(i, c)| *c != PALETTE[*i as usize % 7]).count()
}

#[test]
fn measure_tall_capture() {
    let env = TestEnv::paired();
    let sid = env.launch("tall.html?h=1000");
    let full = |label: &str| {
        let r = env.command(&sid, "page.screenshot", json!({"fullPage": true})).unwrap();
        let (w, ih, v) = bands(&b64(r["base64"].as_str().unwrap()), 0);
        println!("{label}: {w}x{ih} wrong {}/{}", wrong(&v), v.len());
    };
    let goto = |h: u32| { env.session(&sid, &["goto", "--url", &env.fixtures.url(&format!("tall.html?h={h}"))]); };
    let ev = |e: &str| { let r = env.command(&sid, "page.screenshot", json!({"debugEval": e})).unwrap(); println!("eval {e}: {r}"); };
    for _ in 0..3 {
        for ms in [0u64, 100, 200, 300, 500] {
            goto(20000);
            let t = std::time::Instant::now();
            std::thread::sleep(std::time::Duration::from_millis(ms));
            full(&format!("sleep {ms}ms (t={:?})", t.elapsed()));
        }
    }
}
