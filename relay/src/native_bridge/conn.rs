//! One host connection: `auth` first, then an extension session through `ws_extension`'s handler.
//!
//! The handler works on any byte stream's read and write halves, so the Unix socket and the Windows named
//! pipe share it. Messages on the channel are the `/extension` protocol's text frames, plus three of the
//! channel's own: `{"type":"auth","token","origin"?}` (host -> relay, first frame; see [`super::auth`]),
//! `{"type":"auth_ok"}` / `{"type":"error","code":"unauthorized"}` (the answer), and
//! `{"type":"relay_close","code","reason"}` (relay -> host, last frame: what a WebSocket close frame would
//! have said).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::auth;
use super::frame::{self, ReadEnd};
use super::MAX_FROM_HOST_BYTES;
use crate::envelope::Head;
use crate::hub::Hub;
use crate::outbound::{self, EXTENSION_QUEUE_MESSAGES};
use crate::ws_extension::{self, Step};

/// How long the host has to send `auth`.
const AUTH_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest `auth` frame, in bytes.
const AUTH_MAX_BYTES: usize = 1024;
/// Close code and reason for a frame that breaks the channel's framing (WebSocket 1008 equivalent).
const CLOSE_BAD_FRAME: (u16, &str) = (1008, "Invalid frame");

/// Runs one authenticated-or-refused connection, read from `rd` and written to `wr` (the two halves of
/// one accepted stream), until either side ends it.
pub(super) async fn run<R, W>(hub: Arc<Hub>, mut rd: R, mut wr: W, token: Arc<String>)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send,
{
    let _live = hub.sessions.enter();
    let auth = tokio::time::timeout(AUTH_TIMEOUT, frame::read_text(&mut rd, AUTH_MAX_BYTES)).await;
    let Some(auth) = auth
        .ok()
        .and_then(Result::ok)
        .and_then(|text| auth::parse(&text, &token))
    else {
        tracing::warn!("native bridge: host failed to authenticate");
        let refusal = json!({"type": "error", "code": "unauthorized", "message": "Invalid native bridge token."});
        let _ = frame::write_text(&mut wr, &refusal.to_string()).await;
        let _ = wr.shutdown().await;
        return;
    };
    if frame::write_text(&mut wr, r#"{"type":"auth_ok"}"#)
        .await
        .is_err()
    {
        return;
    }
    let conn = hub.next_conn();
    let (out, mut rx) = outbound::channel(conn, EXTENSION_QUEUE_MESSAGES);
    if !hub.extension_open_native(out) {
        close(
            &mut wr,
            1000,
            odb_protocol::limits::CLOSE_REASON_RELAY_STOPPED,
        )
        .await;
        return;
    }
    tracing::info!(
        conn,
        origin = auth.origin_label(),
        "native bridge: extension connected over native messaging"
    );
    let (in_tx, mut in_rx) = mpsc::channel::<Result<String, ReadEnd>>(8);
    let reader = tokio::spawn(async move {
        loop {
            let item = frame::read_text(&mut rd, MAX_FROM_HOST_BYTES).await;
            let last = item.is_err();
            if in_tx.send(item).await.is_err() || last {
                break;
            }
        }
    });
    let ending: Option<(u16, String)> = loop {
        tokio::select! {
            inbound = in_rx.recv() => match inbound {
                Some(Ok(text)) => match on_inbound(&hub, conn, &text) {
                    Step::Continue => {}
                    Step::Reply(reply) | Step::Acked(reply) => {
                        if frame::write_text(&mut wr, &reply).await.is_err() {
                            break None;
                        }
                    }
                    Step::Close(code, reason) => break Some((code, reason.to_string())),
                },
                Some(Err(ReadEnd::Bad(why))) => {
                    tracing::warn!(%why, "native bridge: bad frame from the host");
                    break Some((CLOSE_BAD_FRAME.0, CLOSE_BAD_FRAME.1.to_string()));
                }
                Some(Err(ReadEnd::Io(e))) => {
                    tracing::debug!(error = %e, "native bridge: host channel failed");
                    break None;
                }
                Some(Err(ReadEnd::Eof)) | None => break None,
            },
            routed = rx.rx.recv() => match routed {
                Some(text) => {
                    rx.dequeued(text.len());
                    if frame::write_text(&mut wr, &text).await.is_err() {
                        break None;
                    }
                }
                None => break rx.close_request(),
            },
            changed = rx.close.changed() => match (changed, rx.close_request()) {
                (Ok(()), Some(request)) => {
                    while let Ok(text) = rx.rx.try_recv() {
                        rx.dequeued(text.len());
                        if frame::write_text(&mut wr, &text).await.is_err() {
                            break;
                        }
                    }
                    break Some(request);
                }
                (Ok(()), None) => {}
                (Err(_), request) => break request,
            },
        }
    };
    hub.extension_closed(conn);
    reader.abort();
    if let Some((code, reason)) = ending {
        close(&mut wr, code, &reason).await;
    }
    tracing::info!(
        conn,
        origin = auth.origin_label(),
        "native bridge: extension disconnected"
    );
}

/// Hands one extension message to the `/extension` handler. A `handshake` gets the relay's own token
/// put in (the channel is authenticated; see the module docs of `native_bridge`).
fn on_inbound(hub: &Hub, conn: u64, text: &str) -> Step {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    if Head::parse(text).is_some_and(|h| h.kind() == Some("handshake")) {
        if let Some(with_token) = with_relay_token(text, hub.id.token.as_deref()) {
            return ws_extension::handle(hub, conn, loopback, &with_token);
        }
    }
    ws_extension::handle(hub, conn, loopback, text)
}

/// `text` (a handshake) with `payload.pairingToken` set to `token`; `None` when it has no object payload.
fn with_relay_token(text: &str, token: Option<&str>) -> Option<String> {
    let mut value: Value = serde_json::from_str(text).ok()?;
    let payload = value.get_mut("payload")?.as_object_mut()?;
    match token {
        Some(t) => payload.insert("pairingToken".into(), Value::String(t.to_string())),
        None => payload.remove("pairingToken"),
    };
    Some(value.to_string())
}

/// Sends `relay_close` and shuts the write side.
async fn close(wr: &mut (impl AsyncWrite + Unpin), code: u16, reason: &str) {
    let msg = json!({"type": "relay_close", "code": code, "reason": reason});
    let _ = frame::write_text(wr, &msg.to_string()).await;
    let _ = wr.shutdown().await;
}
