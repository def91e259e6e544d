//! The event loop shared by every WebSocket session: inbound frames, queued outbound text, close
//! requests and one optional deadline, plus bounded writes and a clean close handshake.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use odb_protocol::limits::close_code;
use tokio::time::Instant;

use crate::outbound::{CloseRequest, OutboundRx};

/// How long to wait for the peer's Close after sending ours.
const CLOSE_LINGER: Duration = Duration::from_secs(1);

/// What woke the session.
pub(crate) enum Event {
    /// A text frame, or a binary frame holding valid UTF-8.
    Inbound(String),
    /// A binary frame that is not UTF-8.
    InboundInvalid,
    /// A message routed to this socket by the hub.
    Outbound(String),
    /// The hub asked this socket to close.
    Close(CloseRequest),
    /// The peer sent a message over the size cap; the session must close 1009.
    TooBig,
    /// The peer closed, or the connection failed.
    Gone,
    /// The session's deadline passed.
    Deadline,
}

/// How a session's event loop ended, and so how its socket is closed by [`finish`].
pub(crate) enum Ending {
    /// The peer is gone or a send failed: nothing more to send.
    Gone,
    /// The peer sent a message over the cap: close 1009.
    TooBig,
    /// The hub asked for a close: flush queued output, then close.
    Drain(CloseRequest),
    /// The session decided to close with this code and reason.
    Close(u16, String),
}

/// What a session does with an event: most are handled the same way by every session.
pub(crate) enum Flow {
    /// Handled; wait for the next event.
    Continue,
    /// The loop ends.
    End(Ending),
    /// Inbound input or a deadline: the session's own business.
    Own(Event),
}

/// Handles the events every session treats alike: routed output is sent, a hub close request drains,
/// an oversize message and a vanished peer end the loop. Inbound input and deadlines come back as
/// [`Flow::Own`].
pub(crate) async fn shared_event(ws: &mut WebSocket, event: Event, limit: Duration) -> Flow {
    match event {
        Event::Outbound(text) => {
            if send_text(ws, text, limit).await {
                Flow::Continue
            } else {
                Flow::End(Ending::Gone)
            }
        }
        Event::Close(req) => Flow::End(Ending::Drain(req)),
        Event::TooBig => Flow::End(Ending::TooBig),
        Event::Gone => Flow::End(Ending::Gone),
        own => Flow::Own(own),
    }
}

/// Closes the socket as `ending` says.
pub(crate) async fn finish(ws: WebSocket, rx: &mut OutboundRx, ending: Ending, limit: Duration) {
    match ending {
        Ending::Gone => {}
        Ending::TooBig => close_too_big(ws, limit).await,
        Ending::Drain(req) => drain_and_close(ws, rx, req, limit).await,
        Ending::Close(code, reason) => close(ws, code, &reason, limit).await,
    }
}

/// Waits for the next event. Close requests win over queued output, which wins over input.
pub(crate) async fn next_event(
    ws: &mut WebSocket,
    rx: &mut OutboundRx,
    deadline: Option<Instant>,
) -> Event {
    loop {
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        let event = tokio::select! {
            biased;
            changed = rx.close.changed() => match (changed, rx.close_request()) {
                (Ok(()), Some(req)) => Some(Event::Close(req)),
                (Ok(()), None) => None,
                (Err(_), _) => Some(Event::Gone),
            },
            msg = rx.rx.recv() => match msg {
                Some(text) => {
                    rx.dequeued(text.len());
                    Some(Event::Outbound(text))
                }
                None => Some(Event::Gone),
            },
            frame = ws.recv() => match frame {
                Some(Ok(Message::Text(t))) => Some(Event::Inbound(t.as_str().to_owned())),
                Some(Ok(Message::Binary(b))) => Some(match String::from_utf8(b.to_vec()) {
                    Ok(s) => Event::Inbound(s),
                    Err(_) => Event::InboundInvalid,
                }),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
                Some(Ok(Message::Close(_))) | None => Some(Event::Gone),
                Some(Err(e)) if is_too_big(&e) => Some(Event::TooBig),
                Some(Err(_)) => Some(Event::Gone),
            },
            _ = sleep => Some(Event::Deadline),
        };
        if let Some(event) = event {
            return event;
        }
    }
}

/// tungstenite reports an over-cap frame or message as `Space limit exceeded: Message too long`;
/// it does not send a Close itself, so the session sends 1009.
fn is_too_big(e: &axum::Error) -> bool {
    let text = e.to_string();
    text.contains("Message too long") || text.contains("Space limit exceeded")
}

/// Sends one text message, giving up after `limit`. False when the socket is unusable.
pub(crate) async fn send_text(ws: &mut WebSocket, text: String, limit: Duration) -> bool {
    matches!(
        tokio::time::timeout(limit, ws.send(Message::Text(text.into()))).await,
        Ok(Ok(()))
    )
}

/// Sends a Close frame with `code`/`reason` (waiting at most `limit` for the write) and then
/// waits briefly for the peer's Close.
pub(crate) async fn close(mut ws: WebSocket, code: u16, reason: &str, limit: Duration) {
    if !send_close(&mut ws, code, reason, limit).await {
        return;
    }
    let linger = async {
        while let Some(Ok(msg)) = ws.recv().await {
            if matches!(msg, Message::Close(_)) {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(CLOSE_LINGER, linger).await;
}

/// Sends a Close frame and drops the socket without reading again: after an over-cap frame the
/// reader must not be polled (it would buffer the announced payload).
pub(crate) async fn close_too_big(mut ws: WebSocket, limit: Duration) {
    send_close(&mut ws, close_code::TOO_BIG, "Message too big", limit).await;
}

async fn send_close(ws: &mut WebSocket, code: u16, reason: &str, limit: Duration) -> bool {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let sent = tokio::time::timeout(limit, ws.send(Message::Close(Some(frame)))).await;
    matches!(sent, Ok(Ok(())))
}

/// Sends what is still queued (best effort, bounded), then closes with `req`.
pub(crate) async fn drain_and_close(
    mut ws: WebSocket,
    rx: &mut OutboundRx,
    req: CloseRequest,
    limit: Duration,
) {
    if req.0 != close_code::POLICY {
        while let Ok(text) = rx.rx.try_recv() {
            rx.dequeued(text.len());
            if !send_text(&mut ws, text, limit).await {
                return;
            }
        }
    }
    close(ws, req.0, &req.1, limit).await;
}
