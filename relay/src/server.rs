//! Listeners on 127.0.0.1, per-connection HTTP/1 serving with a header-read timeout, and the
//! [`RelayHandle`] that reports status and shuts everything down.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use odb_protocol::http::StatusResponse;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::config::{RelayConfig, Timings};
use crate::http::{self, ConnMeta};
use crate::hub::{now_ms, Hub, Identity};
use crate::tasks::TaskCounter;

/// Largest HTTP/1 read buffer (request line + headers); bigger heads get 431/400 from hyper.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long shutdown waits for sockets to finish their close handshakes.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Startup failures.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// The main port could not be bound (for example it is in use); there is no fallback port.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The requested port.
        port: u16,
        /// The OS error.
        source: std::io::Error,
    },
}

/// A running relay. Dropping it stops the listeners and closes every socket; [`Self::shutdown`]
/// does the same and waits for the close handshakes.
pub struct RelayHandle {
    hub: Arc<Hub>,
    stop: watch::Sender<bool>,
    listeners: Vec<JoinHandle<()>>,
    connections: TaskCounter,
    main_addr: SocketAddr,
}

/// Starts the relay on `127.0.0.1:<config.port>` (PROTOCOL.md §1).
///
/// Errors: [`StartError::Bind`] when the port is taken (no fallback), [`StartError::Config`] for
/// a bad extension id or token. A failing discovery listener does not fail startup: it is
/// reported as `discoveryError` and the `discovery_unavailable` health reason.
pub async fn start(config: RelayConfig) -> anyhow::Result<RelayHandle> {
    start_with_timings(config, Timings::default()).await
}

/// [`start`] with internal timers replaced (tests).
#[doc(hidden)]
pub async fn start_with_timings(
    config: RelayConfig,
    timings: Timings,
) -> anyhow::Result<RelayHandle> {
    let token = config.effective_token().map_err(StartError::from)?;
    let extension_origins = config.extension_origins().map_err(StartError::from)?;
    let main = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
        .await
        .map_err(|source| StartError::Bind {
            port: config.port,
            source,
        })?;
    let main_addr = main.local_addr()?;
    let port = main_addr.port();
    let (discovery, discovery_port, discovery_error) = match config.discovery_port {
        Some(d) if d == 0 || d != port => match TcpListener::bind((Ipv4Addr::LOCALHOST, d)).await {
            Ok(l) => {
                let p = l.local_addr()?.port();
                (Some(l), Some(p), None)
            }
            Err(e) => {
                tracing::warn!(port = d, error = %e, "discovery listener failed");
                (None, None, Some(e.to_string()))
            }
        },
        _ => (None, Some(port), None),
    };
    let hub = Arc::new(Hub::new(Identity {
        instance_id: uuid::Uuid::new_v4().to_string(),
        epoch: now_ms(),
        port,
        discovery_port,
        discovery_error,
        token,
        extension_origins,
        compat_open_pair: config.compat_open_pair,
        http_pair: config.http_pair,
        timings,
    }));
    let (stop, _) = watch::channel(false);
    let connections = TaskCounter::default();
    let router = http::router(hub.clone());
    let mut listeners = vec![tokio::spawn(accept_loop(
        main,
        true,
        router.clone(),
        stop.subscribe(),
        connections.clone(),
        timings.header_read_timeout,
    ))];
    if let Some(l) = discovery {
        listeners.push(tokio::spawn(accept_loop(
            l,
            false,
            router,
            stop.subscribe(),
            connections.clone(),
            timings.header_read_timeout,
        )));
    }
    tracing::info!(
        port,
        ?discovery_port,
        pairing = hub.pairing_required(),
        "relay listening"
    );
    Ok(RelayHandle {
        hub,
        stop,
        listeners,
        connections,
        main_addr,
    })
}

async fn accept_loop(
    listener: TcpListener,
    main: bool,
    router: Router,
    mut stop: watch::Receiver<bool>,
    connections: TaskCounter,
    header_timeout: Duration,
) {
    let Ok(local) = listener.local_addr() else {
        return;
    };
    loop {
        tokio::select! {
            _ = async { let _ = stop.wait_for(|s| *s).await; } => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let meta = ConnMeta { peer, local_port: local.port(), main };
                    let guard = connections.enter();
                    let router = router.clone();
                    let stop = stop.clone();
                    tokio::spawn(async move {
                        serve_connection(stream, meta, router, stop, header_timeout).await;
                        drop(guard);
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
}

/// Serves HTTP/1 on one connection with hyper's header-read timeout backed by a real timer
/// (SECURITY.md B1: without a timer the timeout is inert).
async fn serve_connection(
    stream: TcpStream,
    meta: ConnMeta,
    router: Router,
    mut stop: watch::Receiver<bool>,
    header_timeout: Duration,
) {
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(meta);
        router.clone().oneshot(req.map(axum::body::Body::new))
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(MAX_HEAD_BYTES);
    let conn = builder
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        res = conn.as_mut() => {
            if let Err(e) = res {
                tracing::debug!(error = %e, "http connection ended with an error");
            }
        }
        _ = async { let _ = stop.wait_for(|s| *s).await; } => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(1), conn).await;
        }
    }
}

impl RelayHandle {
    /// The main listener's port (the real one when started with port 0).
    pub fn port(&self) -> u16 {
        self.hub.id.port
    }

    /// The main listener's local address; always `127.0.0.1:<port>`.
    pub fn local_addr(&self) -> SocketAddr {
        self.main_addr
    }

    /// This run's UUID (PROTOCOL.md §1 `instanceId`).
    pub fn instance_id(&self) -> &str {
        &self.hub.id.instance_id
    }

    /// Start time in ms since the Unix epoch (PROTOCOL.md §1 `epoch`).
    pub fn epoch(&self) -> u64 {
        self.hub.id.epoch
    }

    /// The same body `GET /status` returns.
    pub fn status(&self) -> StatusResponse {
        self.hub.status()
    }

    /// Starts the native messaging bridge for this relay (docs/NATIVE.md). Call from a Tokio runtime.
    ///
    /// # Errors
    /// See [`crate::native_bridge`]: a directory that is not private, another live relay, I/O.
    #[cfg(any(unix, windows))]
    pub fn serve_native(
        &self,
        config: crate::native_bridge::NativeBridgeConfig,
    ) -> std::io::Result<crate::native_bridge::NativeBridge> {
        crate::native_bridge::listen(self.hub.clone(), config)
    }

    /// Closes every socket 1000 "Relay stopped", stops the listeners, and waits (bounded) for the
    /// close handshakes to finish.
    pub async fn shutdown(mut self) {
        self.hub.stop();
        self.stop.send_replace(true);
        for l in std::mem::take(&mut self.listeners) {
            let _ = l.await;
        }
        self.hub.sessions.wait_idle(SHUTDOWN_GRACE).await;
        self.connections.wait_idle(SHUTDOWN_GRACE).await;
        tracing::info!("relay stopped");
    }
}

impl Drop for RelayHandle {
    fn drop(&mut self) {
        self.hub.stop();
        self.stop.send_replace(true);
    }
}
