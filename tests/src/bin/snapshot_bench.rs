//! The snapshot benchmark (issue 4, scope 6): measures the current `nav.snapshot` on the `bench-table.html` fixture
//! at 100, 1000 and 3000 rows, in one run and one headless Chromium with the real extension.
//!
//! Per page size it prints:
//! - `cli p50/p95`: the real CLI process (`opendevbrowser snapshot --mode outline`, first page, default caps), spawn
//!   included: CLI -> daemon -> relay -> extension -> back;
//! - `daemon p50/p95`: the same command sent straight to the daemon (`POST /command`, no CLI process);
//! - `ext p50`: the `timingMs` the extension reports in the snapshot result (time inside the extension);
//! - `AX p50` / `DOMSnap p50`: the raw CDP floor, `Accessibility.getFullAXTree` and
//!   `DOMSnapshot.captureSnapshot {computedStyles: []}` on the same tab, timed over the browser's
//!   remote-debugging port (a flat session from this process), NOT from inside the extension; with their JSON sizes;
//! - `out B` / `refs`: the snapshot's `content` length in bytes and its `refCount`;
//! - `seen`: whether the open-shadow (`O`), closed-shadow (`C`) and iframe (`F`) buttons are in the first page;
//! - `cli/AX`, `cli/DOM`: the end-to-end (CLI) p50 divided by the raw floors.
//!
//! Usage: `scripts/bench-snapshot.sh [--json] [--rows 100,1000,3000]`, or, with the extension and CLI built,
//! `cargo run -p odb-e2e --bin snapshot_bench -- [--json] [--rows LIST]` (`ODB_BIN` picks the CLI binary).

use std::net::TcpStream;
use std::time::{Duration, Instant};

use odb_e2e::env::TestEnv;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::stream::MaybeTlsStream;
use tokio_tungstenite::tungstenite::{self, Message, WebSocket};

/// A browser-level CDP connection without tungstenite's 16 MiB frame / 64 MiB message limits (the 3000-row
/// `getFullAXTree` answer is ~31 MB in one frame) and with a long per-call timeout.
struct RawCdp {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
}

/// One raw CDP answer: its `result`, the wall time from send to the full answer text, and the answer's size.
struct Timed {
    result: Value,
    ms: f64,
    bytes: usize,
}

impl RawCdp {
    /// Connects to `ws://127.0.0.1:<port>/devtools/browser/<id>`.
    fn connect(url: &str) -> RawCdp {
        let config = WebSocketConfig::default()
            .max_message_size(None)
            .max_frame_size(None);
        let (ws, _) = tungstenite::client::connect_with_config(url, Some(config), 3)
            .expect("connect to the browser CDP endpoint");
        RawCdp { ws, next: 0 }
    }

    /// Sends `method` (to `session`, when given) and waits up to 300 s for its answer, skipping events.
    ///
    /// # Panics
    /// On a CDP error, a socket error or no answer in time.
    fn call(&mut self, method: &str, params: Value, session: Option<&str>) -> Timed {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        let start = Instant::now();
        self.ws
            .send(Message::text(msg.to_string()))
            .expect("send CDP");
        let deadline = start + Duration::from_secs(300);
        while Instant::now() < deadline {
            let text = match self.ws.read() {
                Ok(Message::Text(t)) => t,
                Ok(_) => continue,
                Err(e) => panic!("CDP socket failed during {method}: {e}"),
            };
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            let answer: Value = serde_json::from_str(&text).unwrap_or_default();
            if answer["id"] != id {
                continue;
            }
            if let Some(err) = answer.get("error") {
                panic!("{method} failed: {err}");
            }
            return Timed {
                result: answer["result"].clone(),
                ms,
                bytes: text.len(),
            };
        }
        panic!("no answer to {method} within 300 s");
    }

    /// Attaches (flat) to the first page target whose URL contains `needle`; returns the CDP session id.
    fn attach_page(&mut self, needle: &str) -> String {
        let targets = self.call("Target.getTargets", json!({}), None).result;
        let target = targets["targetInfos"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["type"] == "page" && t["url"].as_str().is_some_and(|u| u.contains(needle)))
            .unwrap_or_else(|| panic!("no page with {needle:?} in {targets}"))
            .clone();
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
            None,
        );
        attached.result["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_string()
    }
}

/// Command-line options.
struct Options {
    json: bool,
    rows: Vec<usize>,
}

/// Parses `--json` and `--rows 100,1000,3000`.
fn parse_args() -> Options {
    let mut opts = Options {
        json: false,
        rows: vec![100, 1000, 3000],
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => opts.json = true,
            "--rows" => {
                let list = args.next().expect("--rows needs a list, e.g. 100,1000");
                opts.rows = list
                    .split(',')
                    .map(|n| n.trim().parse().expect("--rows: numbers"))
                    .collect();
            }
            other => {
                eprintln!(
                    "usage: snapshot_bench [--json] [--rows 100,1000,3000]  (unknown: {other})"
                );
                std::process::exit(2);
            }
        }
    }
    opts
}

/// Measured runs per page size (after one warm-up): 7 up to 1000 rows, 5 above.
fn runs_for(rows: usize) -> usize {
    if rows <= 1000 {
        7
    } else {
        5
    }
}

/// The nearest-rank percentile `p` (0..=1) of `samples` (ms).
fn percentile(samples: &[f64], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// What one snapshot answered: `content` bytes, `refCount`, the extension's `timingMs` and the `seen` flags.
struct SnapshotFacts {
    out_bytes: usize,
    refs: u64,
    ext_ms: f64,
    seen: String,
}

/// Reads the facts from a `nav.snapshot` result, panicking when it is not a real snapshot of the bench page.
fn facts_of(data: &Value) -> SnapshotFacts {
    let content = data["content"]
        .as_str()
        .unwrap_or_else(|| panic!("no content in {data}"));
    assert!(
        content.contains("Link 1"),
        "snapshot lacks the first row:\n{content}"
    );
    let flag = |needle: &str, c: char| if content.contains(needle) { c } else { '-' };
    SnapshotFacts {
        out_bytes: content.len(),
        refs: data["refCount"].as_u64().expect("refCount"),
        ext_ms: data["timingMs"].as_f64().expect("timingMs"),
        seen: [
            flag("Open shadow button", 'O'),
            flag("Closed shadow button", 'C'),
            flag("Frame button", 'F'),
        ]
        .iter()
        .collect(),
    }
}

/// Times `runs` measured calls of `f` after one warm-up; returns the wall times (ms) and the last answer.
fn time_runs<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut last = f();
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        last = f();
        samples.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    (samples, last)
}

/// One CLI `snapshot --mode outline` run; its `data` (panics on a failed run).
fn cli_snapshot(env: &TestEnv, sid: &str) -> Value {
    let run = env.daemon.cli(&[
        "--output-format",
        "json",
        "snapshot",
        "--mode",
        "outline",
        "--session-id",
        sid,
    ]);
    let out = run.ok().json();
    out.get("data").cloned().unwrap_or(out)
}

/// One raw CDP call measured `runs` times after a warm-up: (p50 ms, answer bytes, last result).
fn raw_p50(
    cdp: &mut RawCdp,
    session: &str,
    method: &str,
    params: &Value,
    runs: usize,
) -> (f64, usize, Value) {
    let mut last = cdp.call(method, params.clone(), Some(session));
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        last = cdp.call(method, params.clone(), Some(session));
        samples.push(last.ms);
    }
    (percentile(&samples, 0.5), last.bytes, last.result)
}

/// Every figure for one page size.
struct Row {
    rows: usize,
    runs: usize,
    cli: Vec<f64>,
    daemon: Vec<f64>,
    ext: Vec<f64>,
    ax_ms: f64,
    ax_bytes: usize,
    ax_nodes: usize,
    dom_ms: f64,
    dom_bytes: usize,
    facts: SnapshotFacts,
}

/// Navigates the session to the `rows`-row page and checks, over raw CDP, that the table has that many rows.
fn load_page(env: &TestEnv, sid: &str, cdp: &mut RawCdp, page: &str, rows: usize) {
    let url = env.fixtures.url(&format!("bench-table.html?rows={rows}"));
    env.session(sid, &["goto", "--url", &url]);
    let count = cdp.call(
        "Runtime.evaluate",
        json!({"expression": "document.querySelectorAll('#rows tr').length", "returnByValue": true}),
        Some(page),
    );
    assert_eq!(
        count.result["result"]["value"].as_u64(),
        Some(rows as u64),
        "page not loaded: {}",
        count.result
    );
}

/// Measures one page size: CLI runs, daemon runs, then the raw CDP floor.
fn measure(env: &TestEnv, sid: &str, cdp: &mut RawCdp, page: &str, rows: usize) -> Row {
    load_page(env, sid, cdp, page, rows);
    let runs = runs_for(rows);
    let (cli, _) = time_runs(runs, || cli_snapshot(env, sid));
    let mut ext = Vec::with_capacity(runs);
    let (daemon, last) = time_runs(runs, || {
        let data = env
            .command(sid, "nav.snapshot", json!({}))
            .unwrap_or_else(|e| panic!("nav.snapshot failed: {e}"));
        ext.push(facts_of(&data).ext_ms);
        data
    });
    ext.remove(0);
    let raw_runs = runs.min(5);
    let (ax_ms, ax_bytes, ax) = raw_p50(
        cdp,
        page,
        "Accessibility.getFullAXTree",
        &json!({}),
        raw_runs,
    );
    let dom_params = json!({"computedStyles": []});
    let (dom_ms, dom_bytes, _) = raw_p50(
        cdp,
        page,
        "DOMSnapshot.captureSnapshot",
        &dom_params,
        raw_runs,
    );
    Row {
        rows,
        runs,
        cli,
        daemon,
        ext,
        ax_ms,
        ax_bytes,
        ax_nodes: ax["nodes"].as_array().map_or(0, Vec::len),
        dom_ms,
        dom_bytes,
        facts: facts_of(&last),
    }
}

/// Megabytes with one decimal.
fn mb(bytes: usize) -> String {
    format!("{:.1}MB", bytes as f64 / 1e6)
}

/// The aligned table: a header and one line per page size.
fn print_table(rows: &[Row]) {
    println!(
        "{:>5} {:>4} {:>8} {:>8} {:>9} {:>9} {:>7} {:>8} {:>7} {:>7} {:>8} {:>7} {:>7} {:>5} {:>4} {:>6} {:>7}",
        "rows", "runs", "cli p50", "cli p95", "dmn p50", "dmn p95", "ext p50", "AX p50", "AX size",
        "AXnodes", "DOM p50", "DOMsize", "out B", "refs", "seen", "cli/AX", "cli/DOM"
    );
    for r in rows {
        let cli50 = percentile(&r.cli, 0.5);
        println!(
            "{:>5} {:>4} {:>8.1} {:>8.1} {:>9.1} {:>9.1} {:>7.0} {:>8.1} {:>7} {:>7} {:>8.1} {:>7} {:>7} {:>5} {:>4} {:>6.2} {:>7.2}",
            r.rows,
            r.runs,
            cli50,
            percentile(&r.cli, 0.95),
            percentile(&r.daemon, 0.5),
            percentile(&r.daemon, 0.95),
            percentile(&r.ext, 0.5),
            r.ax_ms,
            mb(r.ax_bytes),
            r.ax_nodes,
            r.dom_ms,
            mb(r.dom_bytes),
            r.facts.out_bytes,
            r.facts.refs,
            r.facts.seen,
            cli50 / r.ax_ms,
            cli50 / r.dom_ms,
        );
    }
}

/// One JSON object per page size (same figures as the table, ms and bytes).
fn print_json(rows: &[Row]) {
    for r in rows {
        let cli50 = percentile(&r.cli, 0.5);
        let line = json!({
            "rows": r.rows,
            "runs": r.runs,
            "cliP50Ms": cli50,
            "cliP95Ms": percentile(&r.cli, 0.95),
            "daemonP50Ms": percentile(&r.daemon, 0.5),
            "daemonP95Ms": percentile(&r.daemon, 0.95),
            "extensionTimingP50Ms": percentile(&r.ext, 0.5),
            "rawGetFullAXTreeP50Ms": r.ax_ms,
            "rawGetFullAXTreeBytes": r.ax_bytes,
            "rawGetFullAXTreeNodes": r.ax_nodes,
            "rawDomSnapshotP50Ms": r.dom_ms,
            "rawDomSnapshotBytes": r.dom_bytes,
            "outputBytes": r.facts.out_bytes,
            "refCount": r.facts.refs,
            "seen": r.facts.seen,
            "cliOverAx": cli50 / r.ax_ms,
            "cliOverDomSnapshot": cli50 / r.dom_ms,
        });
        println!("{line}");
    }
}

/// The machine facts: cores, Chromium version, CLI binary, and the honest label for the raw floor.
fn print_facts(version: &Value, json_too: bool) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let product = version["product"].as_str().unwrap_or("?");
    let cli = odb_e2e::paths::cli_binary();
    println!();
    println!(
        "machine: {cores} cores; browser: {product} (headless); cli: {}",
        cli.display()
    );
    println!("cli = real CLI process per run (spawn included); dmn = POST /command to the daemon; ext = timingMs reported by the extension");
    println!("raw floor (AX, DOM) = measured over the browser's remote-debugging port from this process (flat session on the same tab), NOT from inside the extension");
    println!("AX = Accessibility.getFullAXTree {{}}; DOM = DOMSnapshot.captureSnapshot {{computedStyles: []}}; p50/p95 nearest-rank over `runs` measured runs after 1 warm-up (raw: min(runs,5))");
    println!("seen: O/C/F = open-shadow / closed-shadow / iframe button present in the first snapshot page");
    if json_too {
        println!(
            "{}",
            json!({"cores": cores, "browser": product, "cli": cli.display().to_string()})
        );
    }
}

fn main() {
    let opts = parse_args();
    let env = TestEnv::paired_with(|o| o.remote_debugging_port = Some(0));
    let sid = env.launch("bench-table.html?rows=1");
    let mut cdp = RawCdp::connect(&env.browser_ws_url());
    let version = cdp.call("Browser.getVersion", json!({}), None).result;
    let page = cdp.attach_page("bench-table.html");
    let mut rows = Vec::with_capacity(opts.rows.len());
    for &n in &opts.rows {
        eprintln!("snapshot_bench: measuring {n} rows ...");
        rows.push(measure(&env, &sid, &mut cdp, &page, n));
    }
    print_table(&rows);
    if opts.json {
        print_json(&rows);
    }
    print_facts(&version, opts.json);
}
