//! The live link: routes relay frames, sends the heartbeat `ping` every 20 s, and reports the end.
//!
//! Heartbeat: one `ping` per `EXTENSION_HEARTBEAT_MS` (20 s, not the spec's 25 s: Chrome stops a worker after
//! 30 s without data traffic); a pong must arrive within 2 s or the link is closed and reconnected (one miss
//! is enough). A pong showing `extensionConnected && !extensionHandshakeComplete` triggers a re-handshake.

use std::rc::Rc;

use odb_protocol::limits::{EXTENSION_HEARTBEAT_MS, EXTENSION_PING_TIMEOUT_MS};
use serde_json::Value;

use super::socket::{Socket, SocketEvent};
use super::{on_link_lost, Background};
use crate::js::{random_uuid, within};
use crate::pairing;
use crate::wire::{self, Incoming};

/// Why the loop ended.
enum End {
    /// The socket closed (or must be reconnected) with this code and reason.
    Lost(u16, String),
    /// A newer generation took over: leave the shared state alone.
    Stale,
}

/// Runs until the socket closes, a heartbeat is missed, or the generation is superseded.
pub async fn run(bg: Rc<Background>, generation: u64, mut socket: Socket) {
    let end = drive(&bg, generation, &mut socket).await;
    match end {
        End::Lost(code, reason) if bg.is_current(generation) => {
            on_link_lost(&bg, code, &reason);
        }
        _ => log!("stale connection (generation {generation}) closed"),
    }
    drop(socket);
}

async fn drive(bg: &Rc<Background>, generation: u64, socket: &mut Socket) -> End {
    let now = js_sys::Date::now;
    let mut next_ping = now() + f64::from(EXTENSION_HEARTBEAT_MS);
    let mut pending: Option<(String, f64)> = None;
    loop {
        let deadline = pending.as_ref().map_or(next_ping, |p| p.1);
        let wait_ms = (deadline - now()).max(0.0) as u32;
        let event = within(wait_ms, socket.next()).await;
        if !bg.is_current(generation) {
            return End::Stale;
        }
        match event {
            None => {
                if pending.is_some() {
                    socket.close(1000, "Heartbeat timeout");
                    return End::Lost(1000, "Heartbeat timeout".into());
                }
                let id = random_uuid();
                if !socket.send(&wire::ping(&id)) {
                    return End::Lost(1006, "Heartbeat send failed".into());
                }
                pending = Some((id, now() + f64::from(EXTENSION_PING_TIMEOUT_MS)));
                next_ping = now() + f64::from(EXTENSION_HEARTBEAT_MS);
            }
            Some(None) => return End::Lost(1006, "socket gone".into()),
            Some(Some(SocketEvent::Close { code, reason })) => return End::Lost(code, reason),
            Some(Some(SocketEvent::Open | SocketEvent::Error)) => {}
            Some(Some(SocketEvent::Text(text))) => match wire::classify(&text) {
                Incoming::Ops => bg.runtime.handle_relay_message(&text),
                Incoming::Pong { id, health } => {
                    if pending.as_ref().is_some_and(|p| p.0 == id) {
                        pending = None;
                    }
                    on_health(bg, health);
                }
                Incoming::HandshakeAck(payload) => {
                    if let Err(reason) = check_reack(bg, &payload) {
                        socket.close(1000, reason);
                        return End::Lost(1000, reason.into());
                    }
                }
                Incoming::ForwardCdpCommand(id) => {
                    socket.send(&wire::cdp_unsupported(&id));
                }
                Incoming::Canvas => warn!("canvas_* messages are not supported; dropped"),
                Incoming::Other(ty) => log!("ignored relay message type {ty:?}"),
                Incoming::Malformed => warn!("malformed relay message dropped"),
            },
        }
    }
}

/// A pong's health: record it; re-handshake when the relay lost our handshake.
fn on_health(bg: &Background, health: Value) {
    let connected = health.get("extensionConnected").and_then(Value::as_bool);
    let complete = health
        .get("extensionHandshakeComplete")
        .and_then(Value::as_bool);
    bg.set_health(health);
    if connected == Some(true) && complete == Some(false) {
        log!("relay reports an incomplete handshake; re-sending it");
        bg.rehandshake();
    }
}

/// An ack to a re-sent handshake must still be valid and name the same relay.
fn check_reack(bg: &Background, payload: &Value) -> Result<(), &'static str> {
    let ack = pairing::validate_ack(payload).map_err(|_| "Invalid handshake ack")?;
    let same = bg
        .state
        .borrow()
        .connected
        .as_ref()
        .is_none_or(|c| c.instance_id == ack.instance_id);
    if same {
        Ok(())
    } else {
        Err("Relay identity changed")
    }
}
