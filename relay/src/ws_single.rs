//! `/annotation` and `/cdp`: single-client sessions (PROTOCOL.md §2, §8).

use std::sync::Arc;

use axum::extract::ws::WebSocket;
use odb_protocol::extension::ControlMessage;
use odb_protocol::limits::{self, close_code};
use serde_json::{json, Value};

use crate::envelope::{annotation_error, cdp_client_closed};
use crate::hub::{Hub, SingleKind};
use crate::outbound::{self, Outbound, CLIENT_QUEUE_MESSAGES};
use crate::socket::{self, Ending, Event, Flow};

/// Largest message `/cdp` reads (16 MiB).
pub(crate) const CDP_MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// Runs one `/annotation` or `/cdp` socket. A second concurrent client is closed 1008 with the
/// protocol's reason text.
pub(crate) async fn run(hub: Arc<Hub>, kind: SingleKind, mut ws: WebSocket) {
    let _live = hub.sessions.enter();
    let conn = hub.next_conn();
    let (out, mut rx) = outbound::channel(conn, CLIENT_QUEUE_MESSAGES);
    match hub.single_open(kind, out) {
        Open::Ok => {}
        Open::Busy => {
            let reason = match kind {
                SingleKind::Annotation => limits::CLOSE_REASON_ONE_ANNOTATION,
                SingleKind::Cdp => limits::CLOSE_REASON_ONE_CDP,
            };
            socket::close(ws, close_code::POLICY, reason, hub.id.timings.send_timeout).await;
            return;
        }
        Open::Stopped => {
            socket::close(
                ws,
                close_code::NORMAL,
                limits::CLOSE_REASON_RELAY_STOPPED,
                hub.id.timings.send_timeout,
            )
            .await;
            return;
        }
    }
    let send_limit = hub.id.timings.send_timeout;
    let ending = loop {
        let event = socket::next_event(&mut ws, &mut rx, None).await;
        let text = match socket::shared_event(&mut ws, event, send_limit).await {
            Flow::Own(Event::Inbound(text)) => text,
            Flow::Own(_) | Flow::Continue => continue,
            Flow::End(ending) => break ending,
        };
        let reply = match kind {
            SingleKind::Annotation => annotation_message(&hub, &text).await,
            SingleKind::Cdp => cdp_message(&hub, &text).await,
        };
        if let Some(reply) = reply {
            if !socket::send_text(&mut ws, reply, send_limit).await {
                break Ending::Gone;
            }
        }
    };
    if hub.single_closed(kind, conn) && kind == SingleKind::Cdp {
        if let Some(ext) = hub.ready_extension() {
            ext.send(cdp_client_closed()).await;
        }
    }
    socket::finish(ws, &mut rx, ending, send_limit).await;
}

/// `/annotation` input: ping/healthCheck answered here; `annotationCommand` forwarded to a ready
/// extension, or answered with a `relay_unavailable` error.
async fn annotation_message(hub: &Hub, text: &str) -> Option<String> {
    let Ok(Value::Object(msg)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    let id = msg.get("id").and_then(Value::as_str).map(str::to_string);
    match (msg.get("type").and_then(Value::as_str), id) {
        (Some("ping"), Some(id)) => Some(control(ControlMessage::Pong {
            id,
            payload: hub.health(),
        })),
        (Some("healthCheck"), Some(id)) => Some(control(ControlMessage::HealthCheckResult {
            id,
            payload: hub.health(),
        })),
        (Some("annotationCommand"), _) => {
            let payload = msg.get("payload").filter(|p| p.is_object())?;
            let rid = payload.get("requestId").and_then(Value::as_str);
            let command = payload.get("command").and_then(Value::as_str);
            let (Some(rid), Some(command)) = (rid, command) else {
                let rid = rid.unwrap_or("unknown");
                let message = "Invalid annotation command payload.";
                return Some(annotation_error(rid, "invalid_request", message));
            };
            if command == "store_agent_payload" {
                let message = "Agent inbox unavailable.";
                return Some(annotation_error(rid, "relay_unavailable", message));
            }
            match hub.ready_extension() {
                Some(ext) => {
                    ext.send(text.to_string()).await;
                    None
                }
                None => Some(annotation_error(
                    rid,
                    "relay_unavailable",
                    "Extension not connected to relay.",
                )),
            }
        }
        _ => None,
    }
}

/// `/cdp` input `{id, method, params?, sessionId?}` becomes `forwardCDPCommand`; an attach to an
/// ops-owned `tab-N` is refused with `cdp_attach_blocked` (PROTOCOL.md §8).
async fn cdp_message(hub: &Hub, text: &str) -> Option<String> {
    let Ok(Value::Object(msg)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    let id = msg
        .get("id")
        .filter(|i| i.is_string() || i.is_number())?
        .clone();
    let method = msg.get("method").and_then(Value::as_str)?;
    let Some(ext) = hub.ready_extension() else {
        return Some(
            json!({"id": id, "error": {"message": "Extension not connected to relay"}}).to_string(),
        );
    };
    let params = msg.get("params").cloned();
    if method == "Target.attachToTarget" {
        let target = params
            .as_ref()
            .and_then(|p| p.get("targetId"))
            .and_then(Value::as_str);
        if target.is_some_and(|t| hub.is_ops_owned_target(t)) {
            let message = "cdp_attach_blocked: target is owned by an ops session";
            return Some(json!({"id": id, "error": {"message": message}}).to_string());
        }
    }
    let mut inner = json!({"method": method});
    if let Some(p) = params {
        inner["params"] = p;
    }
    if let Some(sid) = msg.get("sessionId").filter(|s| s.is_string()) {
        inner["sessionId"] = sid.clone();
    }
    let command = json!({"id": id, "method": "forwardCDPCommand", "params": inner});
    ext.send(command.to_string()).await;
    None
}

fn control(msg: ControlMessage) -> String {
    serde_json::to_string(&msg).unwrap_or_default()
}

/// Result of claiming a single-client slot.
enum Open {
    Ok,
    Busy,
    Stopped,
}

impl Hub {
    fn single_open(&self, kind: SingleKind, out: Outbound) -> Open {
        let mut s = self.lock();
        if !s.running {
            return Open::Stopped;
        }
        let slot = s.single(kind);
        if slot.is_some() {
            return Open::Busy;
        }
        *slot = Some(out);
        Open::Ok
    }

    /// Frees the slot if socket `conn` still holds it; true when it did.
    fn single_closed(&self, kind: SingleKind, conn: u64) -> bool {
        let mut s = self.lock();
        let slot = s.single(kind);
        if slot.as_ref().is_some_and(|o| o.conn == conn) {
            *slot = None;
            return true;
        }
        false
    }

    /// `tab-N` where N is in `opsOwnedTabIds`.
    fn is_ops_owned_target(&self, target_id: &str) -> bool {
        let Some(tab) = target_id
            .strip_prefix("tab-")
            .and_then(|n| n.parse::<i64>().ok())
        else {
            return false;
        };
        self.lock().owned_tabs.contains(&tab)
    }
}
