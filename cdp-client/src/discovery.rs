//! Finding a browser's DevTools WebSocket URL: from `DevToolsActivePort` in the profile (a browser we started
//! with `--remote-debugging-port=0`), or from `GET http://host:port/json/version` (`webSocketDebuggerUrl`).

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::CdpError;

/// How often [`wait_devtools_active_port`] re-reads the file, in ms.
const POLL_MS: u64 = 50;

/// Parses `DevToolsActivePort` (line 1: the port, line 2: `/devtools/browser/<id>`) into
/// `ws://127.0.0.1:<port><path>`; `None` while the file is incomplete.
pub fn parse_devtools_active_port(text: &str) -> Option<String> {
    let mut lines = text.lines();
    let port: u16 = lines.next()?.trim().parse().ok()?;
    let path = lines.next()?.trim();
    (port != 0 && path.starts_with("/devtools/browser/"))
        .then(|| format!("ws://127.0.0.1:{port}{path}"))
}

/// Waits up to `timeout` for `<profile_dir>/DevToolsActivePort` and returns the browser WebSocket URL.
///
/// # Errors
/// [`CdpError::Discovery`] after `timeout`, or as soon as `alive()` says the browser exited.
pub async fn wait_devtools_active_port(
    profile_dir: &Path,
    timeout: Duration,
    mut alive: impl FnMut() -> bool,
) -> Result<String, CdpError> {
    let file = profile_dir.join("DevToolsActivePort");
    let started = Instant::now();
    loop {
        if let Some(url) = std::fs::read_to_string(&file)
            .ok()
            .and_then(|t| parse_devtools_active_port(&t))
        {
            return Ok(url);
        }
        if !alive() {
            return Err(CdpError::Discovery(
                "the browser exited before it opened its DevTools port".into(),
            ));
        }
        if started.elapsed() >= timeout {
            return Err(CdpError::Discovery(format!(
                "no {} after {} ms",
                file.display(),
                timeout.as_millis()
            )));
        }
        tokio::time::sleep(Duration::from_millis(POLL_MS)).await;
    }
}

/// `GET http://<host>:<port>/json/version` → `webSocketDebuggerUrl`.
///
/// # Errors
/// [`CdpError::Discovery`] when nothing answers there or the answer has no URL.
pub async fn browser_ws_url(host: &str, port: u16) -> Result<String, CdpError> {
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    let url = format!("http://{host}:{port}/json/version");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| CdpError::Discovery(e.to_string()))?;
    let body: Value = client
        .get(&url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| CdpError::Discovery(format!("{url}: {e}")))?
        .json()
        .await
        .map_err(|e| CdpError::Discovery(format!("{url}: {e}")))?;
    body.get("webSocketDebuggerUrl")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| CdpError::Discovery(format!("{url} has no webSocketDebuggerUrl")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devtools_active_port_parses() {
        assert_eq!(
            parse_devtools_active_port("40123\n/devtools/browser/abc-def\n").as_deref(),
            Some("ws://127.0.0.1:40123/devtools/browser/abc-def")
        );
        assert_eq!(parse_devtools_active_port("40123\n"), None);
        assert_eq!(parse_devtools_active_port("0\n/devtools/browser/x"), None);
        assert_eq!(parse_devtools_active_port("x\n/devtools/browser/x"), None);
    }
}
