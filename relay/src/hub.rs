//! Shared relay state: the extension slot, the clients, `opsOwnedTabIds`, health and status.
//!
//! All state sits behind one `std::sync::Mutex` that is never held across an `.await`; sockets are
//! reached only through their [`Outbound`] handles (queue + close request).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use odb_protocol::extension::{HandshakeError, RelayHealth};
use odb_protocol::http::{ConfigResponse, ExtensionTransport, StatusResponse};
use odb_protocol::limits::{self, close_code};

use crate::config::Timings;
use crate::health::{self, HealthFacts};
use crate::outbound::Outbound;
use crate::rate_limit::RateLimiter;
use crate::tasks::TaskCounter;

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The two many-client endpoints, which share one implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientKind {
    /// `/ops` (PROTOCOL.md §3).
    Ops,
    /// `/canvas` (PROTOCOL.md §7).
    Canvas,
}

impl ClientKind {
    /// Envelope prefix: `ops` or `canvas`.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            ClientKind::Ops => "ops",
            ClientKind::Canvas => "canvas",
        }
    }
}

/// The two single-client endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SingleKind {
    /// `/annotation` (PROTOCOL.md §8).
    Annotation,
    /// `/cdp` (PROTOCOL.md §8).
    Cdp,
}

/// Fixed facts of one relay run, set at start.
pub(crate) struct Identity {
    pub instance_id: String,
    pub epoch: u64,
    pub port: u16,
    pub discovery_port: Option<u16>,
    pub discovery_error: Option<String>,
    pub token: Option<String>,
    pub extension_origins: Vec<String>,
    pub compat_open_pair: bool,
    /// `RelayConfig::http_pair`: `/pair` hands out the token at all.
    pub http_pair: bool,
    pub timings: Timings,
}

/// The relay's shared state.
pub(crate) struct Hub {
    pub id: Identity,
    /// HTTP GETs per IP (PROTOCOL.md §1).
    pub http_limiter: RateLimiter,
    /// Upgrade attempts / failed extension handshakes per `path:ip` (PROTOCOL.md §2).
    pub upgrade_limiter: RateLimiter,
    /// Live WebSocket sessions, awaited by shutdown.
    pub sessions: TaskCounter,
    next_conn: AtomicU64,
    state: Mutex<State>,
}

pub(crate) struct State {
    pub running: bool,
    pub extension: Option<ExtSlot>,
    pub pending_ext: HashMap<u64, Outbound>,
    pub ops: HashMap<String, Client>,
    pub canvas: HashMap<String, Client>,
    pub annotation: Option<Outbound>,
    pub cdp: Option<Outbound>,
    pub owned_tabs: HashSet<i64>,
    pub last_handshake_error: Option<HandshakeError>,
    /// Extension connections (slot holder or pending) that arrived through the native bridge.
    pub native_conns: HashSet<u64>,
}

/// The socket holding the single extension slot.
pub(crate) struct ExtSlot {
    pub out: Outbound,
    pub handshake_complete: bool,
}

/// One `/ops` or `/canvas` client.
pub(crate) struct Client {
    pub out: Outbound,
    /// Received `<prefix>_hello_ack`.
    pub acked: bool,
    /// Sent `ops_hello`, no ack or hello error yet.
    pub hello_pending: bool,
    /// requestIds forwarded and not yet answered by a final response/error/chunk.
    pub in_flight: HashSet<String>,
}

impl State {
    pub(crate) fn clients(&mut self, kind: ClientKind) -> &mut HashMap<String, Client> {
        match kind {
            ClientKind::Ops => &mut self.ops,
            ClientKind::Canvas => &mut self.canvas,
        }
    }

    pub(crate) fn single(&mut self, kind: SingleKind) -> &mut Option<Outbound> {
        match kind {
            SingleKind::Annotation => &mut self.annotation,
            SingleKind::Cdp => &mut self.cdp,
        }
    }

    /// The extension's queue when it holds the slot and has a good handshake.
    pub(crate) fn ready_extension(&self) -> Option<Outbound> {
        self.extension
            .as_ref()
            .filter(|e| e.handshake_complete)
            .map(|e| e.out.clone())
    }

    /// Clears extension-dependent state and closes every dependent client 1011 `reason`
    /// (PROTOCOL.md §2.1). Removed clients send no `*_client_disconnected`.
    pub(crate) fn drop_dependents(&mut self, reason: &str) {
        self.owned_tabs.clear();
        for (_, c) in self.ops.drain().chain(self.canvas.drain()) {
            c.out.close(close_code::INTERNAL, reason);
        }
        for out in [self.annotation.take(), self.cdp.take()]
            .into_iter()
            .flatten()
        {
            out.close(close_code::INTERNAL, reason);
        }
    }
}

impl Hub {
    pub(crate) fn new(id: Identity) -> Self {
        let window = Duration::from_millis(limits::RATE_WINDOW_MS);
        Hub {
            id,
            http_limiter: RateLimiter::new(window),
            upgrade_limiter: RateLimiter::new(window),
            sessions: TaskCounter::default(),
            next_conn: AtomicU64::new(1),
            state: Mutex::new(State {
                running: true,
                extension: None,
                pending_ext: HashMap::new(),
                ops: HashMap::new(),
                canvas: HashMap::new(),
                annotation: None,
                cdp: None,
                owned_tabs: HashSet::new(),
                last_handshake_error: None,
                native_conns: HashSet::new(),
            }),
        }
    }

    /// Locks the state (poisoning is ignored: every critical section leaves it consistent).
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh socket generation number.
    pub(crate) fn next_conn(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// Whether a token is configured.
    pub(crate) fn pairing_required(&self) -> bool {
        self.id.token.is_some()
    }

    /// The extension's queue when it is connected and handshaken.
    pub(crate) fn ready_extension(&self) -> Option<Outbound> {
        self.lock().ready_extension()
    }

    /// Records `lastHandshakeError` (PROTOCOL.md §1).
    pub(crate) fn set_handshake_error(&self, code: &str, message: &str) {
        self.lock().last_handshake_error = Some(HandshakeError {
            code: code.to_string(),
            message: message.to_string(),
            at: now_ms(),
        });
    }

    fn facts(&self, s: &State) -> HealthFacts {
        let ext = s.extension.as_ref();
        HealthFacts {
            running: s.running,
            discovery_error: self.id.discovery_error.clone(),
            extension_connected: ext.is_some(),
            extension_handshake_complete: ext.is_some_and(|e| e.handshake_complete),
            cdp_connected: s.cdp.is_some(),
            annotation_connected: s.annotation.is_some(),
            ops_connected: s.ops.values().any(|c| c.acked),
            ops_owned_target_count: s.owned_tabs.len(),
            canvas_connected: !s.canvas.is_empty(),
            pairing_required: self.pairing_required(),
            last_handshake_error: s.last_handshake_error.clone(),
        }
    }

    /// The health object (PROTOCOL.md §1).
    pub(crate) fn health(&self) -> RelayHealth {
        let s = self.lock();
        health::compute(&self.facts(&s))
    }

    /// The `/status` body (PROTOCOL.md §1).
    pub(crate) fn status(&self) -> StatusResponse {
        let s = self.lock();
        let h = health::compute(&self.facts(&s));
        StatusResponse {
            instance_id: self.id.instance_id.clone(),
            running: s.running,
            port: self.id.port,
            discovery_port: self.id.discovery_port,
            discovery_error: self.id.discovery_error.clone(),
            extension_connected: h.extension_connected,
            extension_handshake_complete: h.extension_handshake_complete,
            cdp_connected: h.cdp_connected,
            annotation_connected: h.annotation_connected,
            ops_connected: h.ops_connected,
            ops_owned_target_count: h.ops_owned_target_count,
            canvas_connected: h.canvas_connected,
            pairing_required: h.pairing_required,
            last_handshake_error: h.last_handshake_error.clone(),
            health: h,
            extension_transport: s.extension.as_ref().map(|e| {
                if s.native_conns.contains(&e.out.conn) {
                    ExtensionTransport::Native
                } else {
                    ExtensionTransport::Websocket
                }
            }),
        }
    }

    /// The `/config` body (PROTOCOL.md §1).
    pub(crate) fn config_body(&self) -> ConfigResponse {
        ConfigResponse {
            relay_port: self.id.port,
            pairing_required: self.pairing_required(),
            instance_id: self.id.instance_id.clone(),
            epoch: self.id.epoch,
            discovery_port: self.id.discovery_port,
        }
    }

    /// Stops routing and closes every socket 1000 "Relay stopped" (PROTOCOL.md §2.1).
    pub(crate) fn stop(&self) {
        let mut guard = self.lock();
        let s = &mut *guard;
        s.running = false;
        let reason = limits::CLOSE_REASON_RELAY_STOPPED;
        let mut all: Vec<Outbound> = s.pending_ext.drain().map(|(_, o)| o).collect();
        all.extend(s.extension.take().map(|e| e.out));
        all.extend(s.ops.drain().chain(s.canvas.drain()).map(|(_, c)| c.out));
        all.extend(s.annotation.take());
        all.extend(s.cdp.take());
        s.owned_tabs.clear();
        for out in all {
            out.close(close_code::NORMAL, reason);
        }
    }
}
