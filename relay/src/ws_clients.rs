//! `/ops` and `/canvas` client sessions: one implementation parameterised by the envelope prefix
//! (PROTOCOL.md §3.1, §7).

use std::sync::Arc;

use axum::extract::ws::WebSocket;
use odb_protocol::limits::{self, close_code, MAX_OPS_PAYLOAD_BYTES};
use serde_json::{json, Map, Value};
use tokio::time::Instant;

use crate::envelope::{client_disconnected, client_error, error_body};
use crate::hub::{now_ms, Client, ClientKind, Hub};
use crate::outbound::{self, Outbound, CLIENT_QUEUE_MESSAGES};
use crate::socket::{self, Ending, Event, Flow};

/// Largest message an `/ops` or `/canvas` socket reads: 64 KiB over the protocol cap, so a
/// slightly oversize message gets `invalid_request` and a bigger one a 1009 close.
pub(crate) const CLIENT_MAX_MESSAGE_BYTES: usize = MAX_OPS_PAYLOAD_BYTES + 64 * 1024;

/// Message of the refusal sent when the extension is not ready (PROTOCOL.md §3.1).
const EXTENSION_NOT_CONNECTED: &str = "Extension not connected to relay.";

/// What the session does after handling one inbound message.
enum Step {
    Continue,
    Reply(String),
    ReplyThenClose(String, u16, &'static str),
}

/// Runs one client socket until it closes. `client_id` is fresh per connection.
pub(crate) async fn run(hub: Arc<Hub>, kind: ClientKind, mut ws: WebSocket) {
    let _live = hub.sessions.enter();
    let conn = hub.next_conn();
    let client_id = uuid::Uuid::new_v4().to_string();
    let (out, mut rx) = outbound::channel(conn, CLIENT_QUEUE_MESSAGES);
    if !hub.client_open(kind, &client_id, out.clone()) {
        socket::close(
            ws,
            close_code::NORMAL,
            limits::CLOSE_REASON_RELAY_STOPPED,
            hub.id.timings.send_timeout,
        )
        .await;
        return;
    }
    tracing::debug!(prefix = kind.prefix(), %client_id, "client connected");
    let send_limit = hub.id.timings.send_timeout;
    let mut hello_deadline: Option<Instant> = None;
    let ending = loop {
        let event = socket::next_event(&mut ws, &mut rx, hello_deadline).await;
        let event = match socket::shared_event(&mut ws, event, send_limit).await {
            Flow::Continue => continue,
            Flow::End(ending) => break ending,
            Flow::Own(event) => event,
        };
        match event {
            Event::Inbound(text) => {
                match handle(&hub, kind, &client_id, &text, &mut hello_deadline).await {
                    Step::Continue => {}
                    Step::Reply(reply) => {
                        if !socket::send_text(&mut ws, reply, send_limit).await {
                            break Ending::Gone;
                        }
                    }
                    Step::ReplyThenClose(reply, code, reason) => {
                        socket::send_text(&mut ws, reply, send_limit).await;
                        break Ending::Close(code, reason.to_string());
                    }
                }
            }
            Event::InboundInvalid => {
                let reply = invalid_message(kind, &client_id, None, None);
                if !socket::send_text(&mut ws, reply, send_limit).await {
                    break Ending::Gone;
                }
            }
            Event::Outbound(_) | Event::Close(_) | Event::TooBig | Event::Gone => {}
            Event::Deadline => {
                hello_deadline = None;
                if hub.hello_expired(kind, &client_id) {
                    let error = error_body(
                        "ops_unavailable",
                        "Extension did not acknowledge ops hello.",
                        true,
                        Some(json!({"reason": limits::CLOSE_REASON_OPS_HELLO_TIMEOUT})),
                    );
                    let reply = client_error("ops", "ops_hello", &client_id, None, error);
                    socket::send_text(&mut ws, reply, send_limit).await;
                    break Ending::Close(
                        close_code::INTERNAL,
                        limits::CLOSE_REASON_OPS_HELLO_TIMEOUT.to_string(),
                    );
                }
            }
        }
    };
    if let Some(ext) = hub.client_closed(kind, &client_id, conn) {
        ext.send(client_disconnected(kind.prefix(), &client_id, now_ms()))
            .await;
    }
    tracing::debug!(prefix = kind.prefix(), %client_id, "client disconnected");
    socket::finish(ws, &mut rx, ending, send_limit).await;
}

/// Handles one inbound text message (PROTOCOL.md §3.1 order: parse, readiness, shape, size,
/// duplicate requestId, forward with the relay's clientId).
async fn handle(
    hub: &Hub,
    kind: ClientKind,
    client_id: &str,
    text: &str,
    hello_deadline: &mut Option<Instant>,
) -> Step {
    let prefix = kind.prefix();
    let Ok(Value::Object(mut msg)) = serde_json::from_str::<Value>(text) else {
        return Step::Reply(invalid_message(kind, client_id, None, None));
    };
    let request_id = str_field(&msg, "requestId");
    let session_id = str_field(&msg, &format!("{prefix}SessionId"));
    let Some(extension) = hub.ready_extension() else {
        hub.client_remove(kind, client_id);
        let code = match kind {
            ClientKind::Ops => "ops_unavailable",
            ClientKind::Canvas => "canvas_unavailable",
        };
        let error = error_body(code, EXTENSION_NOT_CONNECTED, true, None);
        let rid = request_id.as_deref().unwrap_or("unknown");
        let reply = client_error(prefix, rid, client_id, session_id.as_deref(), error);
        return Step::ReplyThenClose(
            reply,
            close_code::INTERNAL,
            limits::CLOSE_REASON_EXTENSION_DISCONNECTED,
        );
    };
    let kind_str = str_field(&msg, "type").unwrap_or_default();
    let suffix = kind_str.strip_prefix(prefix).unwrap_or("");
    let valid = match suffix {
        "_hello" => msg.get("version").is_some_and(Value::is_string),
        "_ping" => msg.get("id").is_some_and(Value::is_string),
        "_request" => request_id.is_some() && msg.get("command").is_some_and(Value::is_string),
        _ => false,
    };
    if !valid {
        return Step::Reply(invalid_message(
            kind,
            client_id,
            request_id.as_deref(),
            session_id.as_deref(),
        ));
    }
    if text.len() > MAX_OPS_PAYLOAD_BYTES {
        let message = match kind {
            ClientKind::Ops => "Ops payload exceeded relay limits.",
            ClientKind::Canvas => "Canvas payload exceeded relay limits.",
        };
        let details = json!({"maxPayloadBytes": MAX_OPS_PAYLOAD_BYTES});
        let error = error_body("invalid_request", message, false, Some(details));
        let rid = request_id.as_deref().unwrap_or("unknown");
        return Step::Reply(client_error(
            prefix,
            rid,
            client_id,
            session_id.as_deref(),
            error,
        ));
    }
    if let (Some(rid), "_request") = (request_id.as_deref(), suffix) {
        if !hub.begin_request(kind, client_id, rid) {
            let error = error_body(
                "invalid_request",
                &format!("Duplicate requestId: {rid}"),
                false,
                None,
            );
            return Step::Reply(client_error(
                prefix,
                rid,
                client_id,
                session_id.as_deref(),
                error,
            ));
        }
    }
    if suffix == "_hello" && kind == ClientKind::Ops {
        hub.hello_sent(kind, client_id);
        *hello_deadline = Some(Instant::now() + hub.id.timings.ops_hello_timeout);
    }
    msg.insert("clientId".into(), Value::String(client_id.to_string()));
    forward(&extension, Value::Object(msg).to_string()).await;
    Step::Continue
}

async fn forward(extension: &Outbound, text: String) {
    if !extension.send(text).await {
        tracing::debug!("extension went away while forwarding a client message");
    }
}

fn str_field(msg: &Map<String, Value>, key: &str) -> Option<String> {
    msg.get(key).and_then(Value::as_str).map(str::to_string)
}

/// `<prefix>_error invalid_request "Invalid <prefix> message."` (PROTOCOL.md §3.1).
fn invalid_message(
    kind: ClientKind,
    client_id: &str,
    request_id: Option<&str>,
    session_id: Option<&str>,
) -> String {
    let prefix = kind.prefix();
    let error = error_body(
        "invalid_request",
        &format!("Invalid {prefix} message."),
        false,
        None,
    );
    client_error(
        prefix,
        request_id.unwrap_or("unknown"),
        client_id,
        session_id,
        error,
    )
}

impl Hub {
    /// Registers a client; false when the relay is stopping.
    fn client_open(&self, kind: ClientKind, client_id: &str, out: Outbound) -> bool {
        let mut s = self.lock();
        if !s.running {
            return false;
        }
        let client = Client {
            out,
            acked: false,
            hello_pending: false,
            in_flight: Default::default(),
        };
        s.clients(kind).insert(client_id.to_string(), client);
        true
    }

    /// Forgets a client the relay is closing itself (no `*_client_disconnected` follows).
    fn client_remove(&self, kind: ClientKind, client_id: &str) {
        self.lock().clients(kind).remove(client_id);
    }

    /// Marks a forwarded hello: not acked until the extension answers.
    fn hello_sent(&self, kind: ClientKind, client_id: &str) {
        if let Some(c) = self.lock().clients(kind).get_mut(client_id) {
            c.acked = false;
            c.hello_pending = true;
        }
    }

    /// True (and clears the flag) when the hello of `client_id` is still unanswered.
    fn hello_expired(&self, kind: ClientKind, client_id: &str) -> bool {
        let mut s = self.lock();
        match s.clients(kind).get_mut(client_id) {
            Some(c) if c.hello_pending => {
                c.hello_pending = false;
                c.acked = false;
                true
            }
            _ => false,
        }
    }

    /// Records an in-flight requestId; false when the same client already has it in flight.
    fn begin_request(&self, kind: ClientKind, client_id: &str, request_id: &str) -> bool {
        let mut s = self.lock();
        match s.clients(kind).get_mut(client_id) {
            Some(c) => c.in_flight.insert(request_id.to_string()),
            None => true,
        }
    }

    /// Removes a client whose socket ended. Returns the extension queue when the client was
    /// still registered (it left on its own) and an extension socket exists, so the caller can
    /// send `*_client_disconnected`.
    fn client_closed(&self, kind: ClientKind, client_id: &str, conn: u64) -> Option<Outbound> {
        let mut s = self.lock();
        let clients = s.clients(kind);
        if clients.get(client_id).is_some_and(|c| c.out.conn == conn) {
            clients.remove(client_id);
            return s.extension.as_ref().map(|e| e.out.clone());
        }
        None
    }
}
