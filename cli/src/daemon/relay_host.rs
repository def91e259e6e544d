//! Starts the relay in-process through the `odb-relay` crate, paired with our extension id, and exposes its
//! status as a [`StatusFn`] (PROTOCOL.md "Process topology": the daemon hosts the relay).

use std::sync::{Arc, Mutex};

use odb_protocol::extension::{HealthReason, RelayHealth};
use odb_protocol::http::StatusResponse;
use odb_protocol::limits::EXTENSION_ID;

use super::dispatch::StatusFn;

/// The running in-process relay (`None` once shut down).
pub struct HostedRelay {
    handle: Arc<Mutex<Option<odb_relay::RelayHandle>>>,
    port: u16,
    /// The native messaging bridge (docs/NATIVE.md); `None` when it could not start (logged).
    #[cfg(unix)]
    native: Option<crate::native::bridge::NativeLink>,
}

impl HostedRelay {
    /// Starts the relay on 127.0.0.1:`port` with `token` (discovery on the same port); `http_pair` false makes
    /// `/pair` refuse everyone, leaving the native host's `relay.pairing.json` as the only way to the token.
    ///
    /// # Errors
    /// A message naming the port when the relay cannot start (e.g. the port is taken); never the token.
    pub async fn start(port: u16, token: String, http_pair: bool) -> Result<HostedRelay, String> {
        let config = odb_relay::RelayConfig {
            port,
            discovery_port: None,
            token: Some(token.clone()),
            extension_ids: vec![EXTENSION_ID.to_string()],
            compat_open_pair: false,
            http_pair,
        };
        let handle = odb_relay::start(config)
            .await
            .map_err(|e| format!("could not start the relay on 127.0.0.1:{port}: {e:#}"))?;
        let port = handle.port();
        #[cfg(unix)]
        let native = crate::native::bridge::start_paired(&handle, Some(&token));
        Ok(HostedRelay {
            handle: Arc::new(Mutex::new(Some(handle))),
            port,
            #[cfg(unix)]
            native,
        })
    }

    /// The port the relay listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The native bridge's socket path while it listens (`None` when it could not start).
    pub fn native_socket(&self) -> Option<std::path::PathBuf> {
        #[cfg(unix)]
        return self
            .native
            .as_ref()
            .map(|b| b.bridge().socket_path().to_path_buf());
        #[cfg(not(unix))]
        None
    }

    /// A [`StatusFn`] reading the relay's `/status` facts (`running:false`, `relay_down` once stopped).
    pub fn status_fn(&self) -> StatusFn {
        let handle = self.handle.clone();
        let port = self.port;
        Arc::new(move || {
            let status = match handle.lock().expect("relay lock").as_ref() {
                Some(h) => h.status(),
                None => down_status(port),
            };
            Box::pin(async move { status })
        })
    }

    /// Stops the relay (every socket closed `1000 "Relay stopped"`).
    pub async fn shutdown(self) {
        let handle = self.handle.lock().expect("relay lock").take();
        if let Some(handle) = handle {
            handle.shutdown().await;
        }
    }
}

/// The status of a stopped relay (PROTOCOL.md §1 health reason `relay_down`).
pub(crate) fn down_status(port: u16) -> StatusResponse {
    StatusResponse {
        instance_id: String::new(),
        running: false,
        port,
        discovery_port: None,
        discovery_error: None,
        extension_connected: false,
        extension_handshake_complete: false,
        cdp_connected: false,
        annotation_connected: false,
        ops_connected: false,
        ops_owned_target_count: 0,
        canvas_connected: false,
        pairing_required: true,
        health: RelayHealth {
            ok: false,
            reason: HealthReason::RelayDown,
            detail: None,
            extension_connected: false,
            extension_handshake_complete: false,
            cdp_connected: false,
            annotation_connected: false,
            ops_connected: false,
            ops_owned_target_count: 0,
            canvas_connected: false,
            pairing_required: true,
            last_handshake_error: None,
        },
        last_handshake_error: None,
        extension_transport: None,
    }
}
