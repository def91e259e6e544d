//! `serve` (the daemon in the foreground, or `--stop`) and `status` (CLI.md "Daemon and relay").

use std::time::Duration;

use clap::Args;
use odb_protocol::http::ExtensionTransport;
use serde_json::{json, Value};

use super::args::port;
use super::Ctx;
use crate::daemon::{self, ServeOptions};
use crate::exit::CliError;
use crate::output::{key_values, scalar, Outcome};

/// `serve [--port P] [--daemon-port D] [--token T] [--stop]`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Relay port for this run (default: relayPort from config.json, 8787).
    #[arg(long, value_parser = port)]
    pub port: Option<u16>,
    /// Daemon control port for this run (default: daemonPort from config.json, 8788).
    #[arg(long = "daemon-port", value_parser = port)]
    pub daemon_port: Option<u16>,
    /// Relay pairing token for this run (default: relayToken from config.json).
    #[arg(long)]
    pub token: Option<String>,
    /// Hand the relay token to the native host only: `/pair` refuses every HTTP caller for this run
    /// (default: httpPair from config.json, true). See docs/NATIVE.md.
    #[arg(long = "no-http-pair")]
    pub no_http_pair: bool,
    /// Stop the running daemon instead.
    #[arg(long, conflicts_with_all = ["port", "daemon_port", "token", "no_http_pair"])]
    pub stop: bool,
}

/// `status [--session-id ID]`; with the global `--transport native`, the native host report instead.
#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Show this session's status (`session.status`) instead of the daemon's.
    #[arg(long = "session-id")]
    pub session_id: Option<String>,
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs the daemon until stopped, or stops the running one with `--stop`.
///
/// # Errors
/// Exit 2 for startup failures (see [`daemon::serve`]); exit 10 for `--stop` without a daemon.
pub async fn serve(args: ServeArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    if args.stop {
        let client = ctx.client()?;
        client.stop().await?;
        for _ in 0..100 {
            if matches!(client.status().await, Err(e) if e.exit_code == crate::exit::DISCONNECTED) {
                return Ok(Outcome::ack(json!({"stopped": true}), "daemon stopped"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        return Err(CliError::execution(
            "the daemon accepted /stop but is still answering after 5 s",
        ));
    }
    init_logging();
    let opts = ServeOptions {
        relay_port: args.port,
        daemon_port: args.daemon_port,
        token: args.token,
        no_http_pair: args.no_http_pair,
    };
    daemon::serve(&ctx.dir, opts).await?;
    Ok(Outcome::ack(json!({"stopped": true}), ""))
}

/// Daemon + relay facts, or a session's status.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for daemon/ops errors.
pub async fn status(args: StatusArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    if args.session_id.is_none() && ctx.transport == Some(ExtensionTransport::Native) {
        return native_status(ctx).await;
    }
    let client = ctx.client()?;
    if let Some(session_id) = args.session_id {
        let data = client
            .command("session.status", json!({"sessionId": session_id}))
            .await?;
        return Ok(Outcome::data(data.clone(), key_values(&data)));
    }
    let data = client.status().await?;
    Ok(Outcome::data(data.clone(), status_text(&data)))
}

/// `status --transport native`: installed / reachable / paired ([`crate::native::report`]). Exit 0 with the
/// report whatever it says (it is a diagnosis), also without a daemon.
///
/// # Errors
/// Exit 2 without a home or config directory.
pub async fn native_status(ctx: &Ctx) -> Result<Outcome, CliError> {
    use crate::native::{bridge, install, locations, report};
    let dirs =
        locations::UserDirs::from_env().ok_or_else(|| CliError::execution("no home directory"))?;
    let browsers = install::status(locations::Os::current(), &dirs, &install::SystemRegistry);
    let native_dir = bridge::native_dir().map_err(|e| CliError::execution(e.to_string()))?;
    let daemon = match ctx.client() {
        Ok(client) => client.status().await.map_err(|e| e.message),
        Err(e) => Err(e.message),
    };
    let report = report::build(browsers, &native_dir, &daemon);
    let data = serde_json::to_value(&report).map_err(|e| CliError::execution(e.to_string()))?;
    Ok(Outcome::data(data, report::text(&report)))
}

/// Text lines for `status`.
pub fn status_text(data: &Value) -> String {
    let d = &data["daemon"];
    let r = &data["relay"];
    let mut lines = vec![
        format!(
            "daemon: running (pid {}) on 127.0.0.1:{}",
            scalar(&d["pid"]),
            scalar(&d["daemonPort"])
        ),
        format!(
            "relay: 127.0.0.1:{} (running: {})",
            scalar(&d["relayPort"]),
            scalar(&r["running"])
        ),
    ];
    for key in [
        "extensionConnected",
        "extensionHandshakeComplete",
        "opsConnected",
        "pairingRequired",
    ] {
        lines.push(format!("{key}: {}", scalar(&r[key])));
    }
    if let Some(t) = r["extensionTransport"].as_str() {
        lines.push(format!("extensionTransport: {t}"));
    }
    if let Some(on) = d["httpPair"].as_bool() {
        lines.push(format!("httpPair: {on}"));
    }
    lines.push(format!("health: {}", scalar(&r["health"]["reason"])));
    lines.push(format!("sessions: {}", scalar(&d["sessions"])));
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_text_lists_the_relay_facts() {
        let data = json!({"daemon":{"pid":1,"relayPort":8787,"daemonPort":8788,"sessions":0},
            "relay":{"running":true,"extensionConnected":false,"extensionHandshakeComplete":false,
            "opsConnected":false,"pairingRequired":true,"health":{"reason":"extension_disconnected"}}});
        let text = status_text(&data);
        assert!(
            text.contains("daemon: running (pid 1) on 127.0.0.1:8788"),
            "{text}"
        );
        assert!(text.contains("extensionConnected: false"));
        assert!(text.contains("pairingRequired: true"));
        assert!(text.contains("health: extension_disconnected"));
    }
}
