//! End-to-end harness: the fixture site, the real `opendevbrowser` daemon and CLI, and headless Chromium with the
//! built extension. Everything here is synchronous so tests read top to bottom; servers run on their own threads.
//!
//! - [`paths`]: where the built binaries and extension are.
//! - [`fixtures`]: the fixture site on a loopback port.
//! - [`daemon`]: a daemon (`opendevbrowser serve`) in a private config dir, and the CLI runner.
//! - [`image`]: [`image::Image`], a decoded PNG screenshot.
//! - [`env`]: [`env::TestEnv`], daemon + browser + fixtures together.
//! - [`cdp`]: [`cdp::BrowserCdp`], a browser-level CDP client for fault tests (crashing a renderer).
//! - [`managed`]: managed sessions (`launch --no-extension`) and [`managed::DebugBrowser`] for cdpConnect.
//! - [`native`]: a browser linked over native messaging through the real host.
//! - [`ops`]: [`ops::RawOps`], a bare `/ops` client for multi-client and bad-input tests.

pub mod cdp;
pub mod daemon;
pub mod env;
pub mod fixtures;
pub mod http;
pub mod image;
pub mod managed;
pub mod native;
pub mod ops;
pub mod paths;

/// Polls `check` every 50 ms until it returns `Some`, or `timeout` passes.
pub fn wait_for<T>(
    timeout: std::time::Duration,
    mut check: impl FnMut() -> Option<T>,
) -> Option<T> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if std::time::Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A free loopback TCP port (bound then released; good enough for tests run serially).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}
