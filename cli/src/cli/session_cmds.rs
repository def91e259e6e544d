//! `launch`, `connect`, `disconnect` (CLI.md "Sessions").
//!
//! - `launch` (extension mode, the default) drives the browser the extension runs in; without a connected
//!   extension it fails fast and names the exact alternative commands.
//! - `launch --no-extension [--headless] [--profile NAME] [--persist-profile] [--chrome-path P] [--flag F]...`
//!   (managed): the daemon starts Chromium with `--remote-debugging-port=0` and runs the ops runtime over CDP.
//! - `connect --ws-endpoint ws://…/devtools/browser/<id> | --host H --cdp-port P` (cdpConnect): the same over
//!   a browser someone else started; a relay URL (`ws://127.0.0.1:<relayPort>[/ops]`) goes through the
//!   extension instead.

use std::time::{Duration, Instant};

use clap::{ArgGroup, Args};
use odb_protocol::http::ExtensionTransport;
use odb_protocol::ErrorCode;
use serde_json::{json, Map, Value};

use super::args::{port, positive_u64, SessionArg};
use super::Ctx;
use crate::client::DaemonClient;
use crate::exit::CliError;
use crate::output::{key_values, Outcome};

/// How often `--wait-for-extension` polls the relay status, in ms.
pub const EXTENSION_POLL_MS: u64 = 250;

/// `launch [--start-url URL] [--headless] [--profile NAME] [--persist-profile] [--chrome-path PATH] [--flag F]...
/// [--no-extension | --extension-only] [--wait-for-extension] [--wait-timeout-ms N]`.
#[derive(Args, Debug)]
pub struct LaunchArgs {
    /// Open this http(s) URL in a new tab for the session (default: the active tab).
    #[arg(long = "start-url")]
    pub start_url: Option<String>,
    /// Headless (managed mode only; not supported with the extension).
    #[arg(long)]
    pub headless: bool,
    /// Managed mode: the daemon launches Chromium itself and drives it over CDP.
    #[arg(long = "no-extension", conflicts_with = "extension_only")]
    pub no_extension: bool,
    /// Managed mode: keep the browser profile under this name (in the config directory's `profiles/`).
    #[arg(long, requires = "no_extension")]
    pub profile: Option<String>,
    /// Managed mode: keep the profile after the session (`--profile`, or the `default` profile).
    #[arg(long = "persist-profile", requires = "no_extension")]
    pub persist_profile: bool,
    /// Managed mode: the Chromium/Chrome binary (default: `$CHROME_PATH`, then the usual places).
    #[arg(long = "chrome-path", requires = "no_extension")]
    pub chrome_path: Option<String>,
    /// Managed mode: an extra browser flag (repeatable), e.g. `--flag=--window-size=800,600`.
    #[arg(long = "flag", allow_hyphen_values = true, requires = "no_extension")]
    pub flags: Vec<String>,
    /// Fail unless the extension is connected (the default behaviour of this build).
    #[arg(long = "extension-only")]
    pub extension_only: bool,
    /// Wait for the extension to connect instead of failing fast.
    #[arg(long = "wait-for-extension")]
    pub wait_for_extension: bool,
    /// How long `--wait-for-extension` waits, in ms.
    #[arg(long = "wait-timeout-ms", value_parser = positive_u64, default_value = "30000")]
    pub wait_timeout_ms: u64,
}

/// `connect --ws-endpoint URL | --host H --cdp-port P`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("endpoint").required(true).args(["ws_endpoint", "host"])))]
pub struct ConnectArgs {
    /// A relay URL (`ws://127.0.0.1:<relayPort>` or `.../ops`) or a CDP WebSocket URL.
    #[arg(long = "ws-endpoint", conflicts_with_all = ["host", "cdp_port"])]
    pub ws_endpoint: Option<String>,
    /// CDP host (with `--cdp-port`).
    #[arg(long, requires = "cdp_port")]
    pub host: Option<String>,
    /// CDP port (with `--host`).
    #[arg(long = "cdp-port", value_parser = port, requires = "host")]
    pub cdp_port: Option<u16>,
}

/// `disconnect --session-id ID [--close-browser]`.
#[derive(Args, Debug)]
pub struct DisconnectArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArg,
    /// Also close the browser (ignored in extension mode, as in the original).
    #[arg(long = "close-browser")]
    pub close_browser: bool,
}

/// The guidance printed when the extension is not connected (names the exact alternatives).
pub fn not_connected_message(relay_port: u16, waited_ms: Option<u64>) -> String {
    let head = match waited_ms {
        Some(ms) => format!(
            "Extension did not connect to the relay (127.0.0.1:{relay_port}) within {ms} ms."
        ),
        None => format!("Extension not connected to relay (127.0.0.1:{relay_port})."),
    };
    format!(
        "[{}] {head} Do one of:\n  \
         - start Chrome with the OpenDevBrowser Relay extension (it pairs with the relay automatically), then retry\n  \
         - opendevbrowser launch --wait-for-extension   (waits up to --wait-timeout-ms for it)\n  \
         - opendevbrowser launch --no-extension   (managed: the daemon starts Chromium itself; add --headless)\n  \
         - opendevbrowser connect --host 127.0.0.1 --cdp-port <port>   (a browser started with --remote-debugging-port)\n  \
         - opendevbrowser connect --ws-endpoint <CDP WebSocket URL>   (ws://…/devtools/browser/<id>)",
        ErrorCode::OpsUnavailable.as_str()
    )
}

fn extension_ready(status: &Value) -> bool {
    let relay = &status["relay"];
    relay["extensionConnected"] == true && relay["extensionHandshakeComplete"] == true
}

/// The link the extension is on, from the daemon's status (`relay.extensionTransport`, D68).
fn linked_over(status: &Value) -> Option<ExtensionTransport> {
    serde_json::from_value(status["relay"]["extensionTransport"].clone()).ok()
}

/// Checks the relay for a connected, handshaken extension (on the `want` link when given); waits up to
/// `wait` (polling every 250 ms) if given.
///
/// # Errors
/// Exit 2 `[ops_unavailable]`: not connected (naming the alternatives), or linked over the other transport
/// (naming the fix).
async fn require_extension(
    client: &DaemonClient,
    wait: Option<Duration>,
    want: Option<ExtensionTransport>,
) -> Result<(), CliError> {
    let started = Instant::now();
    loop {
        let status = client.status().await?;
        let ready = extension_ready(&status);
        let linked = linked_over(&status);
        if ready && (want.is_none() || linked == want) {
            return Ok(());
        }
        match wait {
            Some(limit) if started.elapsed() < limit => {
                tokio::time::sleep(Duration::from_millis(EXTENSION_POLL_MS)).await;
                continue;
            }
            _ => {}
        }
        if let (true, Some(want), Some(actual)) = (ready, want, linked) {
            return Err(CliError::coded(
                ErrorCode::OpsUnavailable,
                crate::daemon::transport::mismatch_message(want, actual),
            ));
        }
        let waited = wait.map(|limit| limit.as_millis() as u64);
        return Err(CliError::execution(not_connected_message(
            client.relay_port,
            waited,
        )));
    }
}

fn session_text(data: &Value) -> String {
    let mut lines = Vec::new();
    for key in ["sessionId", "activeTargetId", "url"] {
        if let Some(v) = data.get(key).and_then(Value::as_str) {
            lines.push(format!("{key}: {v}"));
        }
    }
    lines.join("\n")
}

/// The daemon params of `launch --no-extension` (see `daemon::native_start`).
pub fn managed_params(args: &LaunchArgs) -> Value {
    let mut params = Map::new();
    params.insert("mode".into(), json!("managed"));
    params.insert("headless".into(), json!(args.headless));
    if let Some(url) = &args.start_url {
        params.insert("startUrl".into(), json!(url));
    }
    if let Some(profile) = &args.profile {
        params.insert("profile".into(), json!(profile));
    }
    if args.persist_profile {
        params.insert("persistProfile".into(), json!(true));
    }
    if let Some(path) = &args.chrome_path {
        params.insert("chromePath".into(), json!(path));
    }
    if !args.flags.is_empty() {
        params.insert("flags".into(), json!(args.flags));
    }
    Value::Object(params)
}

/// `launch`: a new session, in extension mode or (with `--no-extension`) managed mode.
///
/// # Errors
/// Exit 2 for `--headless` with the extension, a missing extension, a browser that cannot start, or ops
/// errors; exit 10 without a daemon.
pub async fn launch(args: LaunchArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    if args.no_extension {
        if let Some(t) = ctx.transport {
            return Err(CliError::usage(format!(
                "--transport {} is for extension sessions; --no-extension drives the browser over CDP directly",
                crate::daemon::transport::flag_word(t)
            )));
        }
        let client = ctx.client()?;
        let data = client
            .command("session.launch", managed_params(&args))
            .await?;
        return Ok(Outcome::data(data.clone(), session_text(&data)));
    }
    if args.headless {
        return Err(CliError::coded(
            ErrorCode::UnsupportedMode,
            "Extension mode does not support headless. For a headless browser use managed mode: \
             opendevbrowser launch --no-extension --headless",
        ));
    }
    let client = ctx.client()?;
    let wait = args
        .wait_for_extension
        .then(|| Duration::from_millis(args.wait_timeout_ms));
    require_extension(&client, wait, ctx.transport).await?;
    let mut params = Map::new();
    if let Some(url) = args.start_url {
        params.insert("startUrl".into(), Value::String(url));
    }
    let data = client
        .command("session.launch", Value::Object(params))
        .await?;
    Ok(Outcome::data(data.clone(), session_text(&data)))
}

/// Whether `url` is `ws://127.0.0.1:<port>` or `ws://localhost:<port>`, optionally with `/` or `/ops`;
/// returns the port.
pub fn relay_url_port(url: &str) -> Option<u16> {
    let rest = url.strip_prefix("ws://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if !matches!(path, "" | "/" | "/ops" | "/ops/") {
        return None;
    }
    let (host, port) = authority.rsplit_once(':')?;
    if host != "127.0.0.1" && !host.eq_ignore_ascii_case("localhost") {
        return None;
    }
    port.parse()
        .ok()
        .filter(|p| *p != 0 && port.bytes().all(|b| b.is_ascii_digit()))
}

/// The daemon params of a cdpConnect `connect` (`None` for a relay URL, which goes through the extension).
pub fn cdp_connect_params(args: &ConnectArgs) -> Option<Value> {
    match (&args.ws_endpoint, &args.host, args.cdp_port) {
        (Some(url), _, _) if relay_url_port(url).is_some() => None,
        (Some(url), _, _) => Some(json!({"mode": "cdpConnect", "wsEndpoint": url})),
        (None, Some(host), Some(port)) => {
            Some(json!({"mode": "cdpConnect", "host": host, "cdpPort": port}))
        }
        _ => None,
    }
}

/// `connect`: cdpConnect for a CDP endpoint; through the extension for a relay URL.
///
/// # Errors
/// Exit 2 for an unreachable browser, another relay, a missing extension, or ops errors; exit 10 without a
/// daemon.
pub async fn connect(args: ConnectArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let client = ctx.client()?;
    if let Some(params) = cdp_connect_params(&args) {
        let data = client.command("session.connect", params).await?;
        return Ok(Outcome::data(data.clone(), session_text(&data)));
    }
    let Some(url) = args.ws_endpoint else {
        return Err(CliError::usage(
            "connect needs --ws-endpoint, or --host with --cdp-port",
        ));
    };
    let Some(port) = relay_url_port(&url) else {
        return Err(CliError::usage(format!("not a relay or CDP URL: {url}")));
    };
    if port != client.relay_port {
        return Err(CliError::coded(
            ErrorCode::NotSupported,
            format!(
                "Only this daemon's own relay (127.0.0.1:{}) can be used; {url} is another relay.",
                client.relay_port
            ),
        ));
    }
    require_extension(&client, None, ctx.transport).await?;
    let data = client.command("session.connect", json!({})).await?;
    Ok(Outcome::data(data.clone(), session_text(&data)))
}

/// `disconnect`: ends the session and forgets it.
///
/// # Errors
/// Exit 2 for ops errors; exit 10 without a daemon.
pub async fn disconnect(args: DisconnectArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let client = ctx.client()?;
    let mut params = json!({"sessionId": args.session.session_id});
    if args.close_browser {
        params["closeBrowser"] = Value::Bool(true);
    }
    let data = client.command("session.disconnect", params).await?;
    let text = format!(
        "disconnected: {}\n{}",
        args.session.session_id,
        key_values(&data)
    );
    Ok(Outcome::ack(data, text.trim_end().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_urls_are_recognised() {
        assert_eq!(relay_url_port("ws://127.0.0.1:8787"), Some(8787));
        assert_eq!(relay_url_port("ws://127.0.0.1:8787/ops"), Some(8787));
        assert_eq!(relay_url_port("ws://localhost:9000/"), Some(9000));
        assert_eq!(
            relay_url_port("ws://127.0.0.1:9222/devtools/browser/abc"),
            None
        );
        assert_eq!(relay_url_port("ws://example.com:8787/ops"), None);
        assert_eq!(relay_url_port("http://127.0.0.1:8787"), None);
        assert_eq!(relay_url_port("ws://127.0.0.1:+1/ops"), None);
    }

    #[test]
    fn guidance_names_the_alternatives() {
        let m = not_connected_message(8787, None);
        assert!(m.starts_with("[ops_unavailable] Extension not connected to relay"));
        assert!(m.contains("opendevbrowser launch --wait-for-extension"));
        assert!(m.contains("opendevbrowser connect --ws-endpoint"));
        assert!(m.contains("opendevbrowser launch --no-extension"));
        assert!(m.contains("opendevbrowser connect --host 127.0.0.1 --cdp-port"));
        assert!(m.contains("start Chrome with the OpenDevBrowser Relay extension"));
        assert!(not_connected_message(1, Some(500)).contains("within 500 ms"));
    }

    #[test]
    fn connect_picks_cdp_or_the_relay() {
        let args = |ws: Option<&str>, host: Option<&str>, port: Option<u16>| ConnectArgs {
            ws_endpoint: ws.map(str::to_string),
            host: host.map(str::to_string),
            cdp_port: port,
        };
        assert_eq!(
            cdp_connect_params(&args(None, Some("127.0.0.1"), Some(9222))),
            Some(json!({"mode": "cdpConnect", "host": "127.0.0.1", "cdpPort": 9222}))
        );
        let ws = "ws://127.0.0.1:9222/devtools/browser/abc";
        assert_eq!(
            cdp_connect_params(&args(Some(ws), None, None)),
            Some(json!({"mode": "cdpConnect", "wsEndpoint": ws}))
        );
        assert_eq!(
            cdp_connect_params(&args(Some("ws://127.0.0.1:8787/ops"), None, None)),
            None
        );
    }

    #[test]
    fn managed_params_carry_the_launch_flags() {
        let a = LaunchArgs {
            start_url: Some("http://x/".into()),
            headless: true,
            no_extension: true,
            profile: Some("p".into()),
            persist_profile: true,
            chrome_path: Some("/c".into()),
            flags: vec!["--a".into()],
            extension_only: false,
            wait_for_extension: false,
            wait_timeout_ms: 1,
        };
        assert_eq!(
            managed_params(&a),
            json!({"mode": "managed", "headless": true, "startUrl": "http://x/", "profile": "p",
                   "persistProfile": true, "chromePath": "/c", "flags": ["--a"]})
        );
    }

    #[test]
    fn session_text_prints_id_target_and_url() {
        let d =
            json!({"sessionId":"S","activeTargetId":"tab-1","url":"http://a/","mode":"extension"});
        assert_eq!(
            session_text(&d),
            "sessionId: S\nactiveTargetId: tab-1\nurl: http://a/"
        );
    }
}
