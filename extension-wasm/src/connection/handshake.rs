//! One connection attempt (PROTOCOL.md §6 steps 2–4): suppression check, `/config`, the pairing token, the
//! socket, the handshake and its ack, and the post-connect health `ping`.
//!
//! Divergence (docs/NATIVE.md "Pairing over native messaging"): when a token is needed, it is first asked
//! of the native host (`pair_request`), whatever `nativeEnabled` says; `POST /pair` only when the host is
//! not installed, has no pairing facts for the relay `/config` described, or gave a token this relay
//! instance refused.
//!
//! Divergence: the debugger is NOT attached here (the original attaches the active tab at connect time,
//! which shows Chrome's debugging infobar with no session); the ops runtime attaches when a session needs it.

use std::rc::Rc;

use odb_protocol::limits::{
    EXTENSION_HANDSHAKE_ACK_TIMEOUT_MS, EXTENSION_PING_TIMEOUT_MS, EXTENSION_WS_OPEN_TIMEOUT_MS,
};
use serde_json::Value;

use super::socket::{Socket, SocketEvent};
use super::{after_close, load_settings, unsuppress, Background};
use crate::chrome::tabs;
use crate::errors::ConnectError;
use crate::js::{fetch_text, random_uuid, within};
use crate::native::pair as native_pair;
use crate::native::NativeHealth;
use crate::pairing::{self, CloseAction, RelayConfig};
use crate::settings::Settings;
use crate::wire::{self, Incoming, TrackedTab};

/// Close reason for an ack without a string `instanceId` or numeric `relayPort`. Sent with code 1000:
/// browsers only let scripts close with 1000 or 3000–4999, so the spec's 1002 cannot be sent.
const REASON_BAD_ACK: &str = "Invalid handshake ack";
/// Close reason when the ack names another relay than the stored identity.
const REASON_IDENTITY: &str = "Relay identity changed";
/// HTTP timeout for `/config`, `/pair`, `/status` on loopback, in ms.
const HTTP_TIMEOUT_MS: u32 = 3_000;

/// A handshaken, health-checked socket.
pub struct Established {
    /// The socket.
    pub socket: Socket,
    /// The relay port.
    pub port: u16,
    /// The relay's `instanceId`.
    pub instance_id: String,
    /// The token sent in the handshake.
    pub token: Option<String>,
    /// The tab named in the handshake.
    pub tab: TrackedTab,
    /// The health object of the post-connect pong.
    pub health: Value,
}

fn url(port: u16, path: &str) -> String {
    format!("http://127.0.0.1:{port}{path}")
}

/// Runs one attempt with the settings read at its start: over native messaging first when
/// `nativeEnabled` (falling back to the WebSocket on any failure), else over the WebSocket only
/// (preference rule: `crate::native`).
pub async fn establish(
    bg: &Rc<Background>,
    generation: u64,
    settings: Settings,
) -> Result<Established, ConnectError> {
    if !settings.native_enabled {
        bg.set_native(NativeHealth::Off);
        return establish_ws(bg, generation, settings).await;
    }
    match super::native::establish(bg, generation, &settings).await {
        Ok(est) => {
            bg.set_native(NativeHealth::Connected);
            return Ok(est);
        }
        Err(health) => {
            log!("{}; falling back to the relay WebSocket", health.line());
            bg.set_native(health);
        }
    }
    if !bg.is_current(generation) {
        return Err(ConnectError::Superseded);
    }
    establish_ws(bg, generation, settings).await
}

/// One attempt over the `/extension` WebSocket: discovery, pairing, open, then [`finish`].
async fn establish_ws(
    bg: &Rc<Background>,
    generation: u64,
    mut settings: Settings,
) -> Result<Established, ConnectError> {
    if bg.state.borrow().suppressed {
        match fetch_text(&url(settings.relay_port, "/status"), "GET", HTTP_TIMEOUT_MS).await {
            Ok(body) if pairing::status_shows_handshake(&body) => {
                return Err(ConnectError::Suppressed)
            }
            _ => unsuppress(bg),
        }
    }
    let mut native_token_for = None;
    if settings.auto_pair && settings.pairing_enabled {
        let config = discover(&settings).await?;
        write(bg, &pairing::after_config(&settings, &config)).await?;
        settings = load_settings().await.map_err(ConnectError::Storage)?;
        if pairing::needs_pair(&config, settings.pairing_token.as_deref()) {
            if obtain_token(bg, &config).await? == TokenSource::Native {
                native_token_for = Some(config.instance_id.clone());
            }
            settings = load_settings().await.map_err(ConnectError::Storage)?;
        }
    }
    if !bg.is_current(generation) {
        return Err(ConnectError::Superseded);
    }
    let tab = tracked_tab().await;
    let token = settings
        .pairing_token
        .clone()
        .filter(|_| settings.pairing_enabled);
    let port = settings.relay_port;
    let mut socket = Socket::open(&format!("ws://127.0.0.1:{port}/extension"))
        .map_err(ConnectError::SocketOpen)?;
    match within(EXTENSION_WS_OPEN_TIMEOUT_MS, wait_open(&mut socket)).await {
        Some(Ok(())) => {}
        Some(Err(e)) => return Err(e),
        None => return Err(ConnectError::SocketOpen("open timeout".into())),
    }
    let result = finish(bg, socket, tab, token, &settings).await;
    if let (Some(instance), Err(ConnectError::Closed { code, reason })) =
        (native_token_for, &result)
    {
        if pairing::classify_close(*code, reason) == CloseAction::ClearToken {
            warn!("the relay refused the token from the native host; the next attempt uses POST /pair");
            bg.state.borrow_mut().native_pair_refused = Some(instance);
        }
    }
    result
}

/// Where this attempt's token came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokenSource {
    /// The native host's `pair` reply.
    Native,
    /// `POST /pair`.
    PairEndpoint,
}

/// §6 step 3's token for the relay `config` describes: from the native host when it can give one
/// ([`native_token`]), else from `POST /pair`. Writes `pairingToken`/`tokenEpoch`.
async fn obtain_token(
    bg: &Rc<Background>,
    config: &RelayConfig,
) -> Result<TokenSource, ConnectError> {
    match native_token(bg, config).await {
        Ok(patch) => {
            write(bg, &patch).await?;
            log!(
                "pairing token obtained over native messaging for relay {}",
                short(&config.instance_id)
            );
            return Ok(TokenSource::Native);
        }
        Err(why) => log!("native pairing not used ({why}); asking POST /pair"),
    }
    let body = fetch_text(&url(config.relay_port, "/pair"), "POST", HTTP_TIMEOUT_MS)
        .await
        .map_err(ConnectError::PairFailed)?;
    let pair = pairing::parse_pair(&body)?;
    write(bg, &pairing::accept_pair(config, &pair)?).await?;
    log!(
        "pairing token obtained from relay {}",
        short(&config.instance_id)
    );
    Ok(TokenSource::PairEndpoint)
}

/// The storage writes of the native host's answer, or why it is not used ([`native_pair::skip_reason`], or
/// [`super::native_pair::request`] / [`native_pair::accept`] failed).
async fn native_token(
    bg: &Rc<Background>,
    config: &RelayConfig,
) -> Result<crate::settings::Patch, String> {
    let skip = {
        let st = bg.state.borrow();
        native_pair::skip_reason(
            &st.native,
            st.native_pair_refused.as_deref(),
            &config.instance_id,
        )
    };
    if let Some(why) = skip {
        return Err(why);
    }
    let pair = super::native_pair::request()
        .await
        .map_err(|f| f.to_string())?;
    native_pair::accept(config, &pair).map_err(|f| f.to_string())
}

/// The handshake on an open link (WebSocket or native port): handshake and ack, identity check, the
/// post-connect health `ping`.
pub(super) async fn finish(
    bg: &Rc<Background>,
    mut socket: Socket,
    tab: TrackedTab,
    token: Option<String>,
    settings: &Settings,
) -> Result<Established, ConnectError> {
    if !socket.send(&wire::handshake(&tab, token.as_deref())) {
        return Err(ConnectError::SocketOpen("send failed".into()));
    }
    let ack = within(
        EXTENSION_HANDSHAKE_ACK_TIMEOUT_MS,
        wait_for(bg, &mut socket, |m| match m {
            Incoming::HandshakeAck(p) => Some(p.clone()),
            _ => None,
        }),
    )
    .await;
    let payload = match ack {
        Some(r) => r?,
        None => {
            socket.close(1000, "Handshake ack timeout");
            return Err(ConnectError::HandshakeTimeout);
        }
    };
    let ack =
        pairing::validate_ack(&payload).inspect_err(|_| socket.close(1000, REASON_BAD_ACK))?;
    if pairing::identity_changed(settings, &ack) {
        socket.close(1000, REASON_IDENTITY);
        write(bg, &pairing::forget_identity()).await?;
        return Err(ConnectError::IdentityChanged);
    }
    write(bg, &pairing::persist_ack(settings, &ack)).await?;
    let ping_id = random_uuid();
    socket.send(&wire::ping(&ping_id));
    let health = within(
        EXTENSION_PING_TIMEOUT_MS,
        wait_for(bg, &mut socket, |m| match m {
            Incoming::Pong { id, health } if *id == ping_id => Some(health.clone()),
            _ => None,
        }),
    )
    .await
    .ok_or(ConnectError::HealthCheckFailed)??;
    if !pairing::pong_ready(&health) {
        socket.close(1000, "Health check failed");
        return Err(ConnectError::HealthCheckFailed);
    }
    Ok(Established {
        socket,
        port: ack.relay_port,
        instance_id: ack.instance_id,
        token,
        tab,
        health,
    })
}

/// `GET /config` on the discovery port, then on the relay port.
async fn discover(settings: &Settings) -> Result<RelayConfig, ConnectError> {
    let mut ports = vec![settings.discovery_port];
    if settings.relay_port != settings.discovery_port {
        ports.push(settings.relay_port);
    }
    let mut last = String::new();
    for port in ports {
        match fetch_text(&url(port, "/config"), "GET", HTTP_TIMEOUT_MS).await {
            Ok(body) => return pairing::parse_config(&body),
            Err(e) => {
                log!("GET /config on {port} failed: {e}");
                last = format!("port {port}: {e}");
            }
        }
    }
    Err(ConnectError::ConfigUnreachable(last))
}

async fn write(bg: &Background, patch: &crate::settings::Patch) -> Result<(), ConnectError> {
    bg.write(patch).await.map_err(ConnectError::Storage)
}

fn short(id: &str) -> String {
    id.chars().take(8).collect()
}

/// The active tab for the handshake, or `tabId: -1`.
pub async fn tracked_tab() -> TrackedTab {
    match tabs::active().await {
        Ok(Some(tab)) => {
            let info = tab.info();
            TrackedTab {
                id: info.id,
                url: info.url,
                title: info.title,
            }
        }
        Ok(None) => TrackedTab::none(),
        Err(e) => {
            warn!("active tab unavailable: {e}");
            TrackedTab::none()
        }
    }
}

async fn wait_open(socket: &mut Socket) -> Result<(), ConnectError> {
    loop {
        match socket.next().await {
            Some(SocketEvent::Open) => return Ok(()),
            Some(SocketEvent::Error) => {}
            Some(SocketEvent::Close { code, reason }) => {
                return Err(ConnectError::SocketOpen(format!("closed {code} {reason}")))
            }
            Some(SocketEvent::Text(_)) => {}
            None => return Err(ConnectError::SocketOpen("socket gone".into())),
        }
    }
}

/// Reads frames until `pick` accepts one. `ops_*` frames are handed to the runtime (its answers queue in
/// the link until the socket is ready); a close fails the attempt and applies what the close means.
pub(super) async fn wait_for<T>(
    bg: &Rc<Background>,
    socket: &mut Socket,
    pick: impl Fn(&Incoming) -> Option<T>,
) -> Result<T, ConnectError> {
    loop {
        match socket.next().await {
            Some(SocketEvent::Text(text)) => {
                let msg = wire::classify(&text);
                if let Some(v) = pick(&msg) {
                    return Ok(v);
                }
                if msg == Incoming::Ops {
                    bg.runtime.handle_relay_message(&text);
                }
            }
            Some(SocketEvent::Close { code, reason }) => {
                after_close(bg, code, &reason);
                return Err(ConnectError::Closed { code, reason });
            }
            Some(SocketEvent::Open | SocketEvent::Error) => {}
            None => {
                return Err(ConnectError::Closed {
                    code: 1006,
                    reason: "socket gone".into(),
                })
            }
        }
    }
}
