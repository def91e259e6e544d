//! [`TestEnv`]: a fixture server, a daemon with its relay, and headless Chromium with the extension, wired together.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use opendevbrowser::launcher::{self, Browser, LaunchOptions};
use serde_json::Value;

use crate::daemon::Daemon;
use crate::fixtures::FixtureServer;
use crate::paths::{extension_dir, fixtures_dir};
use crate::{free_port, wait_for};

/// Everything one end-to-end test needs. Dropping it stops the browser, then the daemon.
pub struct TestEnv {
    /// The browser (dropped first).
    pub browser: Option<Browser>,
    /// The daemon and relay.
    pub daemon: Daemon,
    /// The fixture site.
    pub fixtures: FixtureServer,
    /// A private temp dir (config, logs, screenshots).
    pub dir: tempfile::TempDir,
}

impl TestEnv {
    /// Starts fixtures and a daemon, then the browser, and waits until the extension is paired.
    pub fn paired() -> TestEnv {
        let mut env = TestEnv::daemon_only();
        env.start_browser();
        env.expect_paired(Duration::from_secs(30));
        env
    }

    /// Fixtures and a daemon, no browser yet.
    pub fn daemon_only() -> TestEnv {
        TestEnv::daemon_only_with(&[])
    }

    /// [`TestEnv::daemon_only`] with more `serve` flags (e.g. `--no-http-pair`).
    pub fn daemon_only_with(serve_flags: &[&str]) -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        let fixtures = FixtureServer::start(fixtures_dir());
        let daemon = Daemon::start_with(
            &dir.path().join("config"),
            free_port(),
            free_port(),
            serve_flags,
        );
        TestEnv {
            browser: None,
            daemon,
            fixtures,
            dir,
        }
    }

    /// Starts headless Chromium with the extension pointed at the relay; its log goes to `chromium.log`.
    pub fn start_browser(&mut self) {
        self.start_browser_with(|_| {});
    }

    /// [`TestEnv::start_browser`] with the launch options adjusted by `tweak` first (extra extensions, a
    /// remote-debugging port).
    pub fn start_browser_with(&mut self, tweak: impl FnOnce(&mut LaunchOptions)) {
        let mut opts = LaunchOptions {
            extension_dir: Some(extension_dir()),
            headless: true,
            relay_port: Some(self.daemon.relay_port),
            log_file: Some(self.browser_log_path()),
            ..LaunchOptions::default()
        };
        tweak(&mut opts);
        self.browser = Some(launcher::launch(&opts).expect("launch Chromium"));
    }

    /// [`TestEnv::paired`] with the launch options adjusted by `tweak`.
    pub fn paired_with(tweak: impl FnOnce(&mut LaunchOptions)) -> TestEnv {
        let mut env = TestEnv::daemon_only();
        env.start_browser_with(tweak);
        env.expect_paired(Duration::from_secs(30));
        env
    }

    /// The browser-level CDP WebSocket URL, when the browser was started with `remote_debugging_port`
    /// (read from `DevToolsActivePort` in the profile; waits up to 10 s for it).
    pub fn browser_ws_url(&self) -> String {
        let profile = self
            .browser
            .as_ref()
            .expect("browser running")
            .profile_dir()
            .join("DevToolsActivePort");
        let text = wait_for(Duration::from_secs(10), || {
            std::fs::read_to_string(&profile)
                .ok()
                .filter(|t| t.lines().count() >= 2)
        })
        .expect("DevToolsActivePort");
        let mut lines = text.lines();
        let port = lines.next().unwrap_or_default().trim();
        let path = lines.next().unwrap_or_default().trim();
        format!("ws://127.0.0.1:{port}{path}")
    }

    /// Where Chromium's stderr goes.
    pub fn browser_log_path(&self) -> PathBuf {
        self.dir.path().join("chromium.log")
    }

    /// Chromium's log so far.
    pub fn browser_log(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(self.browser_log_path()).unwrap_or_default())
            .to_string()
    }

    /// The extension's own log lines (`[odb] ...`: the worker's and its pages' console, from Chromium's stderr).
    pub fn extension_log(&self) -> String {
        self.browser_log()
            .lines()
            .filter(|l| l.contains("[odb]"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `opendevbrowser status` as JSON (None when it fails).
    pub fn status(&self) -> Option<Value> {
        let run = self.daemon.cli(&["--output-format", "json", "status"]);
        (run.code == 0).then(|| run.json())
    }

    /// Waits until the relay reports the extension connected and handshaken; returns the time it took.
    pub fn wait_paired(&self, timeout: Duration) -> Option<Duration> {
        let start = Instant::now();
        wait_for(timeout, || {
            let status = self.status()?;
            let relay = relay_facts(&status);
            (relay["extensionConnected"] == true && relay["extensionHandshakeComplete"] == true)
                .then_some(())
        })
        .map(|_| start.elapsed())
    }

    /// [`TestEnv::wait_paired`], panicking on a timeout with what explains it: the relay's last status, the
    /// extension's own log lines (`[odb] ...`, from Chromium's stderr) and the daemon log's tail.
    pub fn expect_paired(&self, timeout: Duration) -> Duration {
        if let Some(took) = self.wait_paired(timeout) {
            return took;
        }
        panic!(
            "{}",
            self.pairing_report(&format!("extension not paired within {timeout:?}"))
        );
    }

    /// A failure report for a link that did not come up: `what`, the relay facts of `status`, the
    /// extension's log lines and the daemon log (last 80 lines each).
    pub fn pairing_report(&self, what: &str) -> String {
        let relay = self.status().map(|s| relay_facts(&s).clone());
        format!(
            "{what}\n--- relay status\n{relay:?}\n--- extension log (last 80 lines)\n{}\n--- daemon log (tail)\n{}\n--- browser log (tail)\n{}",
            tail(&self.extension_log(), 80),
            tail(&self.daemon.log(), 80),
            tail(&self.browser_log(), 40),
        )
    }

    /// `launch --start-url <fixture>`: returns the session id.
    pub fn launch(&self, fixture_path: &str) -> String {
        let url = self.fixtures.url(fixture_path);
        let out = self.daemon.json(&["launch", "--start-url", &url]);
        out["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no sessionId in {out}"))
            .to_string()
    }

    /// Runs a session command (`--session-id` added) in JSON mode and returns its output.
    pub fn session(&self, session_id: &str, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--session-id", session_id]);
        self.daemon.json(&all)
    }

    /// Sends one `/ops` command by its wire name straight to the daemon (`POST /command`), with `sessionId`
    /// added to `params`: `Ok(data)` or `Err("[<code>] <message>")`. For commands without a CLI verb and for
    /// payloads the CLI does not expose.
    pub fn command(&self, session_id: &str, name: &str, params: Value) -> Result<Value, String> {
        let mut params = match params {
            Value::Object(map) => map,
            Value::Null => serde_json::Map::new(),
            other => panic!("params must be an object, got {other}"),
        };
        params.insert("sessionId".into(), Value::String(session_id.to_string()));
        let client = opendevbrowser::client::DaemonClient::locate(&self.daemon.config_dir)
            .map_err(|e| e.message)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(client.command(name, Value::Object(params)))
            .map_err(|e| e.message)
    }

    /// `dom-text --ref r`: the element's text (empty when absent).
    pub fn dom_text(&self, session_id: &str, reference: &str) -> String {
        self.session(session_id, &["dom-text", "--ref", reference])["text"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Polls `dom-text` of `reference` (every 50 ms, up to 15 s) until it contains `expected`; panics with the last
    /// text otherwise.
    pub fn wait_text_contains(&self, session_id: &str, reference: &str, expected: &str) {
        self.wait_text_until(session_id, reference, expected, |t| t.contains(expected));
    }

    /// As [`TestEnv::wait_text_contains`], but the text must equal `expected`.
    pub fn wait_text_eq(&self, session_id: &str, reference: &str, expected: &str) {
        self.wait_text_until(session_id, reference, expected, |t| t == expected);
    }

    fn wait_text_until(
        &self,
        session_id: &str,
        reference: &str,
        expected: &str,
        accept: impl Fn(&str) -> bool,
    ) {
        let ok = wait_for(Duration::from_secs(15), || {
            accept(&self.dom_text(session_id, reference)).then_some(())
        });
        assert!(
            ok.is_some(),
            "{reference} never showed {expected:?}; last: {:?}",
            self.dom_text(session_id, reference)
        );
    }

    /// The snapshot content of the session's active target.
    pub fn snapshot(&self, session_id: &str, mode: &str) -> String {
        let out = self.session(session_id, &["snapshot", "--mode", mode]);
        out["content"]
            .as_str()
            .unwrap_or_else(|| panic!("no content in {out}"))
            .to_string()
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        self.browser.take();
    }
}

/// The relay facts in a `status` output (accepts `{relay:{...}}` or a flat object).
pub fn relay_facts(status: &Value) -> &Value {
    if status.get("relay").is_some_and(Value::is_object) {
        &status["relay"]
    } else {
        status
    }
}

/// The ref of the first snapshot line containing `needle` (e.g. `checkbox "Remember me"` -> `r6`).
pub fn ref_of(snapshot: &str, needle: &str) -> String {
    nth_ref(snapshot, needle, 0)
}

/// The ref of the `n`th (0-based) snapshot line containing `needle`.
pub fn nth_ref(snapshot: &str, needle: &str, n: usize) -> String {
    let line = snapshot
        .lines()
        .filter(|l| l.contains(needle))
        .nth(n)
        .unwrap_or_else(|| panic!("no {n}th line with {needle:?} in snapshot:\n{snapshot}"));
    line[1..line.find(']').expect("ref bracket")].to_string()
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
