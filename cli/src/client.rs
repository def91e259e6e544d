//! The CLI's client for the daemon's control endpoint: finds the running daemon (`daemon.json`, then
//! `config.json`), and sends `POST /command`, `GET /status`, `POST /stop` with the bearer daemon token.
//!
//! Connection refused, or no config at all -> [`CliError::disconnected`] (exit 10).

use std::path::Path;
use std::time::Duration;

use odb_protocol::http::ExtensionTransport;
use odb_protocol::OpsErrorBody;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::config;
use crate::exit::CliError;
use crate::timeouts::cli_timeout;

/// Timeout of `GET /status` and `POST /stop`.
pub const CONTROL_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the daemon is and how to authenticate.
#[derive(Clone)]
pub struct DaemonClient {
    /// The daemon control port.
    pub daemon_port: u16,
    /// The relay port the daemon uses.
    pub relay_port: u16,
    /// `--transport`: the extension link every command must run over (`None` = either).
    pub transport: Option<ExtensionTransport>,
    token: String,
    http: reqwest::Client,
}

/// The daemon's answer envelope.
#[derive(Debug, Deserialize)]
struct Envelope {
    ok: bool,
    #[serde(default)]
    data: Value,
    error: Option<OpsErrorBody>,
}

impl DaemonClient {
    /// Locates the daemon from the config directory.
    ///
    /// # Errors
    /// Exit 10 when there is no config; exit 2 when a file is unsafe (A15) or invalid.
    pub fn locate(dir: &Path) -> Result<DaemonClient, CliError> {
        let config = config::read_config(dir)
            .map_err(|e| CliError::execution(e.to_string()))?
            .ok_or_else(CliError::disconnected)?;
        let info = config::read_daemon_info(dir).map_err(|e| CliError::execution(e.to_string()))?;
        let (daemon_port, relay_port) = match info {
            Some(info) => (info.daemon_port, info.relay_port),
            None => (config.daemon_port, config.relay_port),
        };
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .map_err(|e| CliError::execution(format!("http client: {e}")))?;
        Ok(DaemonClient {
            daemon_port,
            relay_port,
            transport: None,
            token: config.daemon_token,
            http,
        })
    }

    /// Runs `name` with `params` in the daemon; the `data` on success. With [`DaemonClient::transport`] set,
    /// the body carries `"transport":"websocket"|"native"` and the daemon refuses to run the command over
    /// the other extension link (`daemon::transport`).
    ///
    /// # Errors
    /// Exit 10 when the daemon is unreachable; exit 2 with `[<code>] <message>` for command errors.
    pub async fn command(&self, name: &str, params: Value) -> Result<Value, CliError> {
        let timeout = cli_timeout(name, &params);
        let mut body = json!({"name": name, "params": params});
        if let Some(transport) = self.transport {
            body["transport"] = json!(transport.as_str());
        }
        self.send(reqwest::Method::POST, "/command", Some(body), timeout)
            .await
    }

    /// `GET /status`: `{daemon:{...}, relay:{...}}`.
    ///
    /// # Errors
    /// As [`DaemonClient::command`].
    pub async fn status(&self) -> Result<Value, CliError> {
        self.send(reqwest::Method::GET, "/status", None, CONTROL_TIMEOUT)
            .await
    }

    /// `POST /stop`.
    ///
    /// # Errors
    /// As [`DaemonClient::command`].
    pub async fn stop(&self) -> Result<Value, CliError> {
        self.send(
            reqwest::Method::POST,
            "/stop",
            Some(json!({})),
            CONTROL_TIMEOUT,
        )
        .await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        timeout: Duration,
    ) -> Result<Value, CliError> {
        let url = format!("http://127.0.0.1:{}{path}", self.daemon_port);
        let mut req = self
            .http
            .request(method, url)
            .bearer_auth(&self.token)
            .timeout(timeout);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.map_err(|e| {
            if e.is_connect() {
                CliError::disconnected()
            } else if e.is_timeout() {
                CliError::execution(format!(
                    "[timeout] The daemon did not answer within {} s",
                    timeout.as_secs()
                ))
            } else {
                CliError::execution(format!("daemon request failed: {}", e.without_url()))
            }
        })?;
        let status = resp.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(CliError::execution(
                "The daemon refused our token: config.json changed since it started. Restart it: \
                 opendevbrowser serve --stop, then opendevbrowser serve",
            ));
        }
        let envelope: Envelope = resp.json().await.map_err(|e| {
            CliError::execution(format!("bad daemon answer ({status}): {}", e.without_url()))
        })?;
        match (envelope.ok, envelope.error) {
            (true, _) => Ok(envelope.data),
            (false, Some(error)) => Err(CliError::ops(&error)),
            (false, None) => Err(CliError::execution(format!(
                "daemon answered {status} without an error"
            ))),
        }
    }
}
