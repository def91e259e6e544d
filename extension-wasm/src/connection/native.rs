//! One attempt over native messaging (docs/NATIVE.md): open the `connectNative` port, `ping` the host
//! (answered by the host itself within [`HOST_PING_TIMEOUT_MS`]), then the same handshake as on the
//! WebSocket. The host supplies the relay's authentication, so no pairing token is sent and the stored
//! relay identity is not checked (a new relay instance is simply adopted).

use std::rc::Rc;

use super::handshake::{finish, tracked_tab, wait_for, Established};
use super::socket::Socket;
use super::Background;
use crate::errors::ConnectError;
use crate::js::{random_uuid, within};
use crate::native::NativeHealth;
use crate::settings::Settings;
use crate::wire::{self, Incoming};

/// How long the host has to answer the first `ping`. PROTOCOL.md §5 gives 1000–1500 ms for the answer, but Chrome
/// starts the host process for this port, and a cold start on a busy 2-core machine was seen to miss 1.5 s (the
/// attempt then waits for the next backoff), so the start is given room too (declared with D65).
pub const HOST_PING_TIMEOUT_MS: u32 = 5_000;

/// Connects over native messaging, or says why not.
pub async fn establish(
    bg: &Rc<Background>,
    generation: u64,
    settings: &Settings,
) -> Result<Established, NativeHealth> {
    let mut socket = Socket::native().map_err(NativeHealth::HostDisconnect)?;
    let failed = |socket: &Socket, e: ConnectError| {
        socket
            .native_health()
            .unwrap_or_else(|| NativeHealth::HostDisconnect(e.to_string()))
    };
    let id = random_uuid();
    if !socket.send(&wire::ping(&id)) {
        return Err(failed(
            &socket,
            ConnectError::SocketOpen("send failed".into()),
        ));
    }
    let pong = within(
        HOST_PING_TIMEOUT_MS,
        wait_for(bg, &mut socket, |m| match m {
            Incoming::Pong { id: got, .. } if *got == id => Some(()),
            _ => None,
        }),
    )
    .await;
    match pong {
        Some(Ok(())) => {}
        Some(Err(e)) => return Err(failed(&socket, e)),
        None => return Err(NativeHealth::HostTimeout),
    }
    if !bg.is_current(generation) {
        return Err(NativeHealth::HostDisconnect("attempt superseded".into()));
    }
    let health = socket.native_health_cell();
    let tab = tracked_tab().await;
    let mut adopted = settings.clone();
    adopted.relay_instance_id = None;
    adopted.relay_epoch = None;
    finish(bg, socket, tab, None, &adopted).await.map_err(|e| {
        health
            .and_then(|h| h.borrow().clone())
            .unwrap_or_else(|| NativeHealth::HostDisconnect(e.to_string()))
    })
}
