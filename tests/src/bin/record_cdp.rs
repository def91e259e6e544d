//! Records the CDP data the snapshot crate's unit tests run on (issue 4: "unit tests of the shaping crate on
//! recorded CDP data"): for each fixture page it writes, into `snapshot/fixtures/`,
//!
//! - `<name>.dom.json`: `{"frames": [{"frameId", "owner", "snapshot"}]}` — the tab's
//!   `DOMSnapshot.captureSnapshot {computedStyles: odb_snapshot::dom::COMPUTED_STYLES}` (`frameId: null`), then one
//!   entry per out-of-process iframe (attached with `Target.attachToTarget {flatten: true}`), whose `owner` is
//!   `{frameId, backendNodeId}` of its `<iframe>` element in the parent document (`DOM.getFrameOwner`);
//! - `<name>.ax.json`: the tab's `Accessibility.getFullAXTree` `nodes`, for comparing computed roles and names.
//!
//! Usage: `cargo run -p odb-e2e --bin record_cdp [name ...]` (default: every page in [`PAGES`]). The
//! cross-origin iframe of `frames.html` is served from a second fixture server under `localhost`, so it is
//! cross-site and runs out of process.

use std::path::Path;
use std::time::{Duration, Instant};

use odb_e2e::cdp::BrowserCdp;
use odb_e2e::fixtures::FixtureServer;
use odb_e2e::paths;
use opendevbrowser::launcher::{launch, LaunchOptions};
use serde_json::{json, Value};

/// `(name, fixture path and query)`; `{cross}` becomes the second server's `http://localhost:<port>`.
const PAGES: &[(&str, &str)] = &[
    ("names", "names.html"),
    ("frames", "frames.html?cross={cross}"),
    ("login", "login.html"),
    ("controlled", "controlled.html"),
    ("links", "links.html"),
    ("widgets", "widgets.html"),
    ("bench20", "bench-table.html?rows=20"),
];

fn main() {
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    let site = FixtureServer::start(paths::fixtures_dir());
    let other = FixtureServer::start(paths::fixtures_dir());
    let cross = other
        .url("")
        .trim_end_matches('/')
        .replace("127.0.0.1", "localhost");
    let browser = launch(&LaunchOptions {
        headless: true,
        remote_debugging_port: Some(0),
        ..LaunchOptions::default()
    })
    .expect("launch chromium");
    let port_file = browser.profile_dir().join("DevToolsActivePort");
    let text = wait_for(|| {
        std::fs::read_to_string(&port_file)
            .ok()
            .filter(|t| t.lines().count() >= 2)
    });
    let mut lines = text.lines();
    let url = format!(
        "ws://127.0.0.1:{}{}",
        lines.next().unwrap_or_default().trim(),
        lines.next().unwrap_or_default().trim()
    );
    let mut cdp = BrowserCdp::connect(&url);
    let out_dir = paths::workspace_root().join("snapshot").join("fixtures");
    for (name, path) in PAGES {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == name) {
            continue;
        }
        let page_url = site.url(&path.replace("{cross}", &cross));
        record(&mut cdp, name, &page_url, &out_dir);
    }
}

/// Opens `url` in a new tab, waits for it to settle, and writes both recordings of it.
fn record(cdp: &mut BrowserCdp, name: &str, url: &str, out_dir: &Path) {
    cdp.call("Target.createTarget", json!({ "url": url }), None);
    let session = cdp.attach_page(url.split('?').next().unwrap_or(url));
    wait_for(|| {
        let state = cdp.call(
            "Runtime.evaluate",
            json!({"expression": "document.readyState", "returnByValue": true}),
            Some(&session),
        );
        (state["result"]["value"] == "complete").then_some(())
    });
    std::thread::sleep(Duration::from_millis(800));
    let params = json!({ "computedStyles": odb_snapshot::dom::COMPUTED_STYLES });
    let mut frames = vec![json!({
        "frameId": Value::Null,
        "owner": Value::Null,
        "snapshot": cdp.call("DOMSnapshot.captureSnapshot", params.clone(), Some(&session)),
    })];
    let targets = cdp.call("Target.getTargets", json!({}), None);
    for t in targets["targetInfos"].as_array().into_iter().flatten() {
        if t["type"] != "iframe" {
            continue;
        }
        let frame_id = t["targetId"].as_str().unwrap_or_default().to_string();
        let owner = cdp.call(
            "DOM.getFrameOwner",
            json!({ "frameId": frame_id }),
            Some(&session),
        );
        let child = cdp.call(
            "Target.attachToTarget",
            json!({"targetId": frame_id, "flatten": true}),
            None,
        );
        let child_session = child["sessionId"].as_str().unwrap_or_default().to_string();
        frames.push(json!({
            "frameId": frame_id,
            "owner": {"frameId": Value::Null, "backendNodeId": owner["backendNodeId"]},
            "snapshot": cdp.call("DOMSnapshot.captureSnapshot", params.clone(), Some(&child_session)),
        }));
    }
    cdp.call("Accessibility.enable", json!({}), Some(&session));
    let ax = cdp.call("Accessibility.getFullAXTree", json!({}), Some(&session));
    let write = |suffix: &str, value: &Value| {
        let path = out_dir.join(format!("{name}.{suffix}.json"));
        std::fs::write(&path, serde_json::to_string(value).expect("json")).expect("write fixture");
        println!("wrote {}", path.display());
    };
    write("dom", &json!({ "frames": frames }));
    write("ax", &ax["nodes"]);
}

/// Polls `f` every 100 ms for up to 15 s.
fn wait_for<T>(mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(100));
    }
}
