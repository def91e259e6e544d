//! `opendevbrowser serve`: the daemon in the foreground. It hosts the relay in-process, runs the `/ops` client
//! and serves the CLI's control endpoint on 127.0.0.1:<daemonPort> (PROTOCOL.md "Process topology").
//!
//! - [`dispatch`]: CLI command -> `/ops` request, sessions and leases, recovery (§3.3).
//! - [`http`]: `POST /command`, `GET /status`, `POST /stop` with bearer auth and a Host allow-list.
//! - [`relay_host`]: the in-process relay.
//! - [`native`] and [`native_start`]: managed and cdpConnect sessions, the same ops runtime run natively over
//!   CDP (issue 6).
//! - [`transport`]: `--transport relay|native`, checked against the relay's `extensionTransport`.

pub mod dispatch;
pub mod http;
pub mod native;
pub mod native_start;
pub mod relay_host;
pub mod transport;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::config::{self, DaemonInfo};
use crate::exit::CliError;
use crate::ops_client::OpsTarget;

/// The line printed once the daemon accepts commands (tests and scripts wait for it).
pub fn ready_line(relay_port: u16, daemon_port: u16) -> String {
    format!(
        "opendevbrowser daemon ready: relay 127.0.0.1:{relay_port}, daemon 127.0.0.1:{daemon_port}"
    )
}

/// `serve` overrides for this run.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    /// `--port`: the relay port.
    pub relay_port: Option<u16>,
    /// `--daemon-port`.
    pub daemon_port: Option<u16>,
    /// `--token`: the relay token for this run.
    pub token: Option<String>,
    /// `--no-http-pair`: the relay refuses `/pair` for this run (else `httpPair` from config.json).
    pub no_http_pair: bool,
}

/// Runs the daemon until SIGINT, SIGTERM or `POST /stop`, then shuts down gracefully.
///
/// # Errors
/// Exit 2 for an unsafe config, a daemon already running on the port, or a relay that cannot start.
pub async fn serve(dir: &Path, opts: ServeOptions) -> Result<(), CliError> {
    let config = config::load_or_create(dir).map_err(|e| CliError::execution(e.to_string()))?;
    let relay_port = opts.relay_port.unwrap_or(config.relay_port);
    let daemon_port = opts.daemon_port.unwrap_or(config.daemon_port);
    let relay_token = opts
        .token
        .clone()
        .unwrap_or_else(|| config.relay_token.clone());

    let listener = match TcpListener::bind(("127.0.0.1", daemon_port)).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return Err(CliError::execution(format!(
                "daemon already running on port {daemon_port} (stop it with: opendevbrowser serve --stop)"
            )))
        }
        Err(e) => return Err(CliError::execution(format!("cannot listen on 127.0.0.1:{daemon_port}: {e}"))),
    };
    let http_pair = config.http_pair && !opts.no_http_pair;
    let relay = relay_host::HostedRelay::start(relay_port, relay_token.clone(), http_pair)
        .await
        .map_err(CliError::execution)?;
    let relay_port = relay.port();
    let pid = std::process::id();
    config::write_daemon_info(
        dir,
        &DaemonInfo {
            pid,
            relay_port,
            daemon_port,
        },
    )
    .map_err(|e| CliError::execution(e.to_string()))?;

    let status = relay.status_fn();
    let target = OpsTarget {
        port: relay_port,
        token: Some(relay_token),
    };
    let stop = Arc::new(Notify::new());
    let state = Arc::new(http::ControlState {
        token: config.daemon_token.clone(),
        daemon_port,
        relay_port,
        dispatcher: dispatch::Dispatcher::new(target, status.clone())
            .with_profiles_dir(dir.join("profiles")),
        relay_status: status,
        native_socket: relay.native_socket(),
        http_pair,
        stop: stop.clone(),
    });
    let app = http::router(state.clone());
    let shutdown = async move {
        wait_for_stop(stop).await;
    };
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
    });

    println!("{}", ready_line(relay_port, daemon_port));
    let _ = std::io::stdout().flush();
    tracing::info!(relay_port, daemon_port, pid, http_pair, "daemon ready");

    let served = server.await;
    tracing::info!("daemon stopping");
    state.dispatcher.close().await;
    relay.shutdown().await;
    config::remove_daemon_info(dir, pid);
    match served {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(CliError::execution(format!("daemon endpoint failed: {e}"))),
        Err(e) => Err(CliError::execution(format!("daemon endpoint failed: {e}"))),
    }
}

/// Resolves on SIGINT, SIGTERM or a `POST /stop`.
async fn wait_for_stop(stop: Arc<Notify>) {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let sigterm = async {
        match term.as_mut() {
            Some(t) => {
                t.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT"),
        _ = sigterm => tracing::info!("SIGTERM"),
        _ = stop.notified() => {}
    }
}
