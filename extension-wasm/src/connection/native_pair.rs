//! Pairing over native messaging, the port half (docs/NATIVE.md "Pairing over native messaging"): opens
//! a `connectNative` port, pings the host (answered by the host itself), sends `pair_request` and returns
//! the host's answer. The port is dropped, and so disconnected, before this returns: that host process
//! exits on stdin EOF. It never touches the relay link; it runs inside the WebSocket path of an attempt,
//! after that attempt's native link try (if any) has ended and dropped its own port.

use super::native::HOST_PING_TIMEOUT_MS;
use super::socket::{Socket, SocketEvent};
use crate::js::{random_uuid, within};
use crate::native::pair::{self, NativePair, PairFailure};
use crate::native::NativeHealth;
use crate::wire;

/// How long the host has to answer `pair_request` once it answered the ping (it reads one small file), ms.
pub const PAIR_REPLY_TIMEOUT_MS: u32 = 2_000;

/// Asks the native host for the relay's pairing facts.
///
/// # Errors
/// [`PairFailure`]: the host is not installed/forbidden/gone/silent, has no pairing facts, or answered
/// something else.
pub async fn request() -> Result<NativePair, PairFailure> {
    let mut socket =
        Socket::native().map_err(|e| PairFailure::Host(NativeHealth::HostDisconnect(e)))?;
    let ping_id = random_uuid();
    exchange(
        &mut socket,
        &wire::ping(&ping_id),
        &ping_id,
        HOST_PING_TIMEOUT_MS,
    )
    .await
    .map_err(|f| match f {
        PairFailure::NoReply => PairFailure::Host(NativeHealth::HostTimeout),
        other => other,
    })?;
    let id = random_uuid();
    let text = exchange(&mut socket, &pair::request(&id), &id, PAIR_REPLY_TIMEOUT_MS).await?;
    pair::parse_reply(&text)
}

/// Sends `message` and waits up to `ms` for the host message whose `id` is `id`.
async fn exchange(
    socket: &mut Socket,
    message: &str,
    id: &str,
    ms: u32,
) -> Result<String, PairFailure> {
    if !socket.send(message) {
        return Err(host_failure(socket, "postMessage failed".into()));
    }
    match within(ms, reply_to(socket, id)).await {
        Some(Ok(text)) => Ok(text),
        Some(Err(reason)) => Err(host_failure(socket, reason)),
        None => Err(PairFailure::NoReply),
    }
}

/// The next host message with `id`; `Err(reason)` when the port closed first.
async fn reply_to(socket: &mut Socket, id: &str) -> Result<String, String> {
    loop {
        match socket.next().await {
            Some(SocketEvent::Text(text)) if pair::reply_id(&text).as_deref() == Some(id) => {
                return Ok(text)
            }
            Some(SocketEvent::Text(_) | SocketEvent::Open | SocketEvent::Error) => {}
            Some(SocketEvent::Close { reason, .. }) => return Err(reason),
            None => return Err("port gone".into()),
        }
    }
}

/// The port's classified failure (e.g. `host_not_installed`), else a disconnect with `reason`.
fn host_failure(socket: &Socket, reason: String) -> PairFailure {
    PairFailure::Host(
        socket
            .native_health()
            .unwrap_or(NativeHealth::HostDisconnect(reason)),
    )
}
