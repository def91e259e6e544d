//! The `/extension` session: handshake and ack, ping/healthCheck, single-slot replacement, and
//! routing of the extension's messages to clients (PROTOCOL.md §2.1).

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::ws::WebSocket;
use odb_protocol::extension::{ControlMessage, Handshake, HandshakeAck};
use odb_protocol::limits::{self, close_code};
use odb_protocol::ops::event;
use serde_json::{json, Value};
use tokio::time::Instant;

use crate::envelope::Head;
use crate::guard::token_matches;
use crate::hub::{ClientKind, ExtSlot, Hub, SingleKind};
use crate::outbound::{self, Outbound, EXTENSION_QUEUE_MESSAGES};
use crate::socket::{self, Ending, Event, Flow};

/// Largest message the extension socket reads (16 MiB).
pub(crate) const EXTENSION_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Close reason for an extension socket that never completes a handshake (ours; see lib docs).
const CLOSE_REASON_HANDSHAKE_TIMEOUT: &str = "Handshake timeout";

/// What to do after one extension message (also used by `native_bridge`).
pub(crate) enum Step {
    Continue,
    Reply(String),
    Acked(String),
    Close(u16, &'static str),
}

/// Runs one `/extension` socket from `ip` until it closes.
pub(crate) async fn run(hub: Arc<Hub>, mut ws: WebSocket, ip: IpAddr) {
    let _live = hub.sessions.enter();
    let conn = hub.next_conn();
    let (out, mut rx) = outbound::channel(conn, EXTENSION_QUEUE_MESSAGES);
    if !hub.extension_open(out) {
        socket::close(
            ws,
            close_code::NORMAL,
            limits::CLOSE_REASON_RELAY_STOPPED,
            hub.id.timings.send_timeout,
        )
        .await;
        return;
    }
    tracing::info!(conn, "extension socket opened");
    let send_limit = hub.id.timings.send_timeout;
    let mut deadline = Some(Instant::now() + hub.id.timings.extension_handshake_timeout);
    let ending = loop {
        let event = socket::next_event(&mut ws, &mut rx, deadline).await;
        let event = match socket::shared_event(&mut ws, event, send_limit).await {
            Flow::Continue => continue,
            Flow::End(ending) => break ending,
            Flow::Own(event) => event,
        };
        match event {
            Event::Inbound(text) => match handle(&hub, conn, ip, &text) {
                Step::Continue => {}
                Step::Reply(reply) => {
                    if !socket::send_text(&mut ws, reply, send_limit).await {
                        break Ending::Gone;
                    }
                }
                Step::Acked(ack) => {
                    deadline = None;
                    if !socket::send_text(&mut ws, ack, send_limit).await {
                        break Ending::Gone;
                    }
                }
                Step::Close(code, reason) => break Ending::Close(code, reason.to_string()),
            },
            Event::InboundInvalid => tracing::debug!("ignored non-UTF-8 extension frame"),
            Event::Outbound(_) | Event::Close(_) | Event::TooBig | Event::Gone => {}
            Event::Deadline => {
                break Ending::Close(close_code::POLICY, CLOSE_REASON_HANDSHAKE_TIMEOUT.into());
            }
        }
    };
    hub.extension_closed(conn);
    tracing::info!(conn, "extension socket closed");
    socket::finish(ws, &mut rx, ending, send_limit).await;
}

/// Handles one message of the extension socket `conn` (shared with `native_bridge`).
pub(crate) fn handle(hub: &Hub, conn: u64, ip: IpAddr, text: &str) -> Step {
    let Some(head) = Head::parse(text) else {
        tracing::debug!(len = text.len(), "ignored unparseable extension message");
        return Step::Continue;
    };
    let id = head.id.as_ref().and_then(Value::as_str).map(str::to_string);
    match (head.kind(), id) {
        (Some("handshake"), _) => return handshake(hub, conn, ip, text),
        (Some("ping"), Some(id)) => {
            return Step::Reply(control(ControlMessage::Pong {
                id,
                payload: hub.health(),
            }))
        }
        (Some("healthCheck"), Some(id)) => {
            return Step::Reply(control(ControlMessage::HealthCheckResult {
                id,
                payload: hub.health(),
            }))
        }
        _ => {}
    }
    if !hub.is_extension(conn) {
        return Step::Continue;
    }
    match head.kind() {
        Some("annotationResponse" | "annotationEvent") => {
            hub.send_single(SingleKind::Annotation, text.to_string());
        }
        Some(k) if k.starts_with("ops_") => {
            let owned = if k == "ops_event" {
                owned_tab_change(text)
            } else {
                None
            };
            hub.route_client(ClientKind::Ops, &head, owned, text.to_string());
        }
        Some(k) if k.starts_with("canvas_") => {
            hub.route_client(ClientKind::Canvas, &head, None, text.to_string());
        }
        Some(_) => {}
        None => route_cdp(hub, &head, text),
    }
    Step::Continue
}

fn control(msg: ControlMessage) -> String {
    serde_json::to_string(&msg).unwrap_or_default()
}

/// Handshake: `tabId` must be a number (otherwise the message is ignored); the token is checked in
/// constant time; a bad one records `lastHandshakeError` and closes 1008.
fn handshake(hub: &Hub, conn: u64, ip: IpAddr, text: &str) -> Step {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return Step::Continue;
    };
    let payload = value.get("payload").cloned().unwrap_or(Value::Null);
    if !payload.get("tabId").is_some_and(Value::is_number) {
        tracing::debug!("ignored handshake without a numeric tabId");
        return Step::Continue;
    }
    if serde_json::from_value::<Handshake>(payload.clone()).is_err() {
        tracing::debug!("ignored handshake with malformed fields");
        return Step::Continue;
    }
    let given = payload.get("pairingToken").and_then(Value::as_str);
    let key = format!("/extension:{ip}");
    if !token_matches(hub.id.token.as_deref(), given) {
        let has_token = given.is_some_and(|t| !t.is_empty());
        let (code, message) = if has_token {
            ("pairing_invalid", "Invalid pairing token")
        } else {
            ("pairing_missing", "Missing pairing token")
        };
        hub.upgrade_limiter.record(&key);
        hub.set_handshake_error(code, message);
        tracing::warn!(code, "extension handshake refused");
        return Step::Close(close_code::POLICY, limits::CLOSE_REASON_INVALID_TOKEN);
    }
    hub.upgrade_limiter.clear(&key);
    if !hub.extension_handshake_ok(conn) {
        return Step::Close(close_code::NORMAL, limits::CLOSE_REASON_RELAY_STOPPED);
    }
    tracing::info!(conn, "extension handshake complete");
    Step::Acked(control(ControlMessage::HandshakeAck {
        payload: HandshakeAck {
            instance_id: hub.id.instance_id.clone(),
            relay_port: hub.id.port,
            pairing_required: hub.pairing_required(),
            epoch: hub.id.epoch,
        },
    }))
}

/// For a session `ops_event` with a numeric `payload.tabId`: `Some((add, tabId))`.
fn owned_tab_change(text: &str) -> Option<(bool, i64)> {
    let value: Value = serde_json::from_str(text).ok()?;
    let tab = value.get("payload")?.get("tabId")?.as_i64()?;
    match value.get("event")?.as_str()? {
        event::SESSION_CREATED | event::SESSION_RECLAIMED => Some((true, tab)),
        event::SESSION_CLOSED | event::SESSION_EXPIRED | event::TAB_CLOSED => Some((false, tab)),
        _ => None,
    }
}

/// `forwardCDPEvent` becomes `{method, params, sessionId?}`; `{id, result|error}` goes as is.
fn route_cdp(hub: &Hub, head: &Head, text: &str) {
    if head.method.as_ref().and_then(Value::as_str) == Some("forwardCDPEvent") {
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            return;
        };
        let Some(params) = value.get("params").filter(|p| p.is_object()) else {
            return;
        };
        let mut event = json!({
            "method": params.get("method").cloned().unwrap_or(Value::Null),
            "params": params.get("params").cloned().unwrap_or_else(|| json!({})),
        });
        if let Some(sid) = params.get("sessionId").filter(|s| s.is_string()) {
            event["sessionId"] = sid.clone();
        }
        hub.send_single(SingleKind::Cdp, event.to_string());
        return;
    }
    let id_ok = head
        .id
        .as_ref()
        .is_some_and(|i| i.is_string() || i.is_number());
    if id_ok && (head.result.is_some() || head.error.is_some()) {
        hub.send_single(SingleKind::Cdp, text.to_string());
    }
}

impl Hub {
    /// Registers a new extension socket: it takes the empty slot, or waits as pending until a good
    /// handshake replaces the current holder. False when the relay is stopping.
    pub(crate) fn extension_open(&self, out: Outbound) -> bool {
        let mut s = self.lock();
        if !s.running {
            return false;
        }
        if s.extension.is_none() {
            s.extension = Some(ExtSlot {
                out,
                handshake_complete: false,
            });
        } else {
            s.pending_ext.insert(out.conn, out);
        }
        true
    }

    /// [`Hub::extension_open`] for a connection of the native bridge: `/status` then reports
    /// `extensionTransport: "native"` while it holds the slot.
    pub(crate) fn extension_open_native(&self, out: Outbound) -> bool {
        let conn = out.conn;
        self.lock().native_conns.insert(conn);
        let opened = self.extension_open(out);
        if !opened {
            self.lock().native_conns.remove(&conn);
        }
        opened
    }

    /// Whether socket `conn` holds the extension slot.
    fn is_extension(&self, conn: u64) -> bool {
        self.lock()
            .extension
            .as_ref()
            .is_some_and(|e| e.out.conn == conn)
    }

    /// A good handshake on `conn`: completes it, replacing a previous holder (closed 1000
    /// "Replaced by a new extension client", dependents closed 1011 "Extension replaced.").
    fn extension_handshake_ok(&self, conn: u64) -> bool {
        let mut s = self.lock();
        if !s.running {
            return false;
        }
        s.last_handshake_error = None;
        if let Some(slot) = s.extension.as_mut().filter(|e| e.out.conn == conn) {
            slot.handshake_complete = true;
            return true;
        }
        let Some(out) = s.pending_ext.remove(&conn) else {
            return false;
        };
        if let Some(old) = s.extension.take() {
            old.out
                .close(close_code::NORMAL, limits::CLOSE_REASON_REPLACED);
            s.drop_dependents(limits::CLOSE_REASON_EXTENSION_REPLACED);
            tracing::info!(old = old.out.conn, new = conn, "extension replaced");
        }
        s.extension = Some(ExtSlot {
            out,
            handshake_complete: true,
        });
        true
    }

    /// Socket `conn` ended: if it held the slot, clear extension state and close dependents 1011
    /// "Extension disconnected.".
    pub(crate) fn extension_closed(&self, conn: u64) {
        let mut s = self.lock();
        s.native_conns.remove(&conn);
        if s.extension.as_ref().is_some_and(|e| e.out.conn == conn) {
            s.extension = None;
            s.drop_dependents(limits::CLOSE_REASON_EXTENSION_DISCONNECTED);
        } else {
            s.pending_ext.remove(&conn);
        }
    }

    /// Routes an `ops_*`/`canvas_*` message to the client named by `clientId`, updating hello
    /// state, in-flight requestIds and `opsOwnedTabIds` on the way (even when it is then dropped).
    fn route_client(
        &self,
        kind: ClientKind,
        head: &Head,
        owned: Option<(bool, i64)>,
        text: String,
    ) {
        let prefix = kind.prefix();
        let mut s = self.lock();
        match owned {
            Some((true, tab)) => {
                s.owned_tabs.insert(tab);
            }
            Some((false, tab)) => {
                s.owned_tabs.remove(&tab);
            }
            None => {}
        }
        let clients = s.clients(kind);
        let ack_type = format!("{prefix}_hello_ack");
        let is_ack = head.kind() == Some(ack_type.as_str());
        if is_ack && clients.is_empty() {
            return;
        }
        let Some(client) = head.client_id().and_then(|id| clients.get_mut(id)) else {
            return;
        };
        if is_ack {
            client.acked = true;
            client.hello_pending = false;
        }
        let kind_str = head.kind().unwrap_or_default();
        if kind_str == format!("{prefix}_error") && head.request_id() == Some("ops_hello") {
            client.acked = false;
            client.hello_pending = false;
        }
        if head.ends_request(prefix) {
            if let Some(rid) = head.request_id() {
                client.in_flight.remove(rid);
            }
        }
        client.out.try_send(text);
    }

    /// Delivers `text` to the annotation or CDP client, if one is connected.
    fn send_single(&self, kind: SingleKind, text: String) {
        if let Some(out) = self.lock().single(kind).as_ref() {
            out.try_send(text);
        }
    }
}
