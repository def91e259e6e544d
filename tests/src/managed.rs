//! Managed and cdpConnect sessions for the end-to-end tests (issue 6): `launch --no-extension --headless`
//! against a [`TestEnv`]'s daemon, and [`DebugBrowser`], a headless Chromium the test starts itself with
//! `--remote-debugging-port` for `connect --host --cdp-port`.

use std::time::Duration;

use opendevbrowser::launcher::{self, Browser, LaunchOptions};
use serde_json::Value;

use crate::env::TestEnv;
use crate::{free_port, wait_for};

/// `launch --no-extension --headless --start-url <fixture>` on `env`'s daemon: returns the session id and
/// checks the session reports `mode: "managed"`.
pub fn launch_managed(env: &TestEnv, fixture_path: &str) -> String {
    let url = env.fixtures.url(fixture_path);
    let out = env.daemon.json(&[
        "launch",
        "--no-extension",
        "--headless",
        "--start-url",
        &url,
    ]);
    assert_eq!(out["mode"], "managed", "{out}");
    session_id(&out)
}

/// The `sessionId` of a `launch`/`connect` output.
pub fn session_id(out: &Value) -> String {
    out["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no sessionId in {out}"))
        .to_string()
}

/// A headless Chromium without the extension, listening for CDP on a loopback port. Dropping it stops it.
pub struct DebugBrowser {
    /// The browser process.
    pub browser: Browser,
    /// Its `--remote-debugging-port`.
    pub port: u16,
}

impl DebugBrowser {
    /// Starts it on `start_url` and waits (10 s) until `/json/version` answers.
    pub fn start(start_url: &str) -> DebugBrowser {
        let port = free_port();
        let browser = launcher::launch(&LaunchOptions {
            headless: true,
            remote_debugging_port: Some(port),
            start_urls: vec![start_url.to_string()],
            ..LaunchOptions::default()
        })
        .expect("launch Chromium with --remote-debugging-port");
        let ready = wait_for(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port))
                .ok()
                .map(|_| ())
        });
        assert!(ready.is_some(), "no CDP port {port} after 10 s");
        DebugBrowser { browser, port }
    }

    /// Whether the process still runs.
    pub fn is_running(&mut self) -> bool {
        self.browser.is_running()
    }
}
