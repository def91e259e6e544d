//! WebSocket upgrade gates: rate limit, Origin, loopback and token checks before `101`, then the
//! per-path message caps (PROTOCOL.md §2, SECURITY.md A4-A8, B4).

use std::sync::Arc;

use axum::extract::ws::{rejection::WebSocketUpgradeRejection, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use odb_protocol::limits::UPGRADE_RATE_LIMIT;

use crate::guard::{classify_origin, is_loopback, query_token, token_matches, OriginClass};
use crate::http::ConnMeta;
use crate::hub::{ClientKind, Hub, SingleKind};
use crate::ws_clients::CLIENT_MAX_MESSAGE_BYTES;
use crate::ws_extension::EXTENSION_MAX_MESSAGE_BYTES;
use crate::ws_single::CDP_MAX_MESSAGE_BYTES;
use crate::{ws_clients, ws_extension, ws_single};

type Upgrade = Result<WebSocketUpgrade, WebSocketUpgradeRejection>;

/// A refusal before `101`: bare status line, empty body (as the original writes them).
fn refuse(status: StatusCode) -> Response {
    status.into_response()
}

/// `/extension`: Origin must be an allowed extension origin; throttled after 5 failed handshakes.
pub(crate) async fn extension(
    State(hub): State<Arc<Hub>>,
    Extension(meta): Extension<ConnMeta>,
    headers: HeaderMap,
    ws: Upgrade,
) -> Response {
    let ip = meta.peer.ip();
    if !matches!(
        classify_origin(&headers, &hub.id.extension_origins),
        OriginClass::Extension(_)
    ) {
        tracing::warn!(path = "/extension", "origin blocked");
        return refuse(StatusCode::FORBIDDEN);
    }
    if hub.upgrade_limiter.count(&format!("/extension:{ip}")) >= UPGRADE_RATE_LIMIT {
        tracing::warn!(path = "/extension", "rate limited");
        return refuse(StatusCode::TOO_MANY_REQUESTS);
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    ws.max_message_size(EXTENSION_MAX_MESSAGE_BYTES)
        .max_frame_size(EXTENSION_MAX_MESSAGE_BYTES)
        .on_failed_upgrade(|_| tracing::debug!("extension upgrade failed"))
        .on_upgrade(move |socket| ws_extension::run(hub, socket, ip))
}

/// The shared gate of `/ops`, `/canvas`, `/annotation` and `/cdp`: every attempt counts toward
/// the `path:ip` limit (429 above 5 per window); Origin absent needs a loopback peer, present
/// needs an allowed extension origin (403); `?token=` must match when pairing is on (401).
/// An authorized attempt clears the counter.
fn gate(
    hub: &Hub,
    meta: &ConnMeta,
    path: &'static str,
    headers: &HeaderMap,
    uri: &Uri,
) -> Result<(), StatusCode> {
    let ip = meta.peer.ip();
    let key = format!("{path}:{ip}");
    if hub.upgrade_limiter.hit(&key, UPGRADE_RATE_LIMIT) {
        tracing::warn!(path, "rate limited");
        return Err(StatusCode::TOO_MANY_REQUESTS);
    }
    let origin_ok = match classify_origin(headers, &hub.id.extension_origins) {
        OriginClass::Extension(_) => true,
        OriginClass::Absent => is_loopback(ip),
        OriginClass::Other => false,
    };
    if !origin_ok {
        tracing::warn!(path, "origin blocked");
        return Err(StatusCode::FORBIDDEN);
    }
    if !token_matches(hub.id.token.as_deref(), query_token(uri).as_deref()) {
        tracing::warn!(path, "unauthorized");
        return Err(StatusCode::UNAUTHORIZED);
    }
    hub.upgrade_limiter.clear(&key);
    Ok(())
}

fn accept<F, Fut>(ws: Upgrade, max: usize, run: F) -> Response
where
    F: FnOnce(axum::extract::ws::WebSocket) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    match ws {
        Ok(ws) => ws
            .max_message_size(max)
            .max_frame_size(max)
            .on_failed_upgrade(|_| tracing::debug!("client upgrade failed"))
            .on_upgrade(run),
        Err(rejection) => rejection.into_response(),
    }
}

async fn client(
    hub: Arc<Hub>,
    meta: ConnMeta,
    headers: HeaderMap,
    uri: Uri,
    ws: Upgrade,
    kind: ClientKind,
) -> Response {
    let path = match kind {
        ClientKind::Ops => "/ops",
        ClientKind::Canvas => "/canvas",
    };
    if let Err(status) = gate(&hub, &meta, path, &headers, &uri) {
        return refuse(status);
    }
    accept(ws, CLIENT_MAX_MESSAGE_BYTES, move |s| {
        ws_clients::run(hub, kind, s)
    })
}

async fn single(
    hub: Arc<Hub>,
    meta: ConnMeta,
    headers: HeaderMap,
    uri: Uri,
    ws: Upgrade,
    kind: SingleKind,
) -> Response {
    let (path, max) = match kind {
        SingleKind::Annotation => ("/annotation", CLIENT_MAX_MESSAGE_BYTES),
        SingleKind::Cdp => ("/cdp", CDP_MAX_MESSAGE_BYTES),
    };
    if let Err(status) = gate(&hub, &meta, path, &headers, &uri) {
        return refuse(status);
    }
    accept(ws, max, move |s| ws_single::run(hub, kind, s))
}

/// `GET /ops` upgrade.
pub(crate) async fn ops(
    State(hub): State<Arc<Hub>>,
    Extension(meta): Extension<ConnMeta>,
    headers: HeaderMap,
    uri: Uri,
    ws: Upgrade,
) -> Response {
    client(hub, meta, headers, uri, ws, ClientKind::Ops).await
}

/// `GET /canvas` upgrade.
pub(crate) async fn canvas(
    State(hub): State<Arc<Hub>>,
    Extension(meta): Extension<ConnMeta>,
    headers: HeaderMap,
    uri: Uri,
    ws: Upgrade,
) -> Response {
    client(hub, meta, headers, uri, ws, ClientKind::Canvas).await
}

/// `GET /annotation` upgrade.
pub(crate) async fn annotation(
    State(hub): State<Arc<Hub>>,
    Extension(meta): Extension<ConnMeta>,
    headers: HeaderMap,
    uri: Uri,
    ws: Upgrade,
) -> Response {
    single(hub, meta, headers, uri, ws, SingleKind::Annotation).await
}

/// `GET /cdp` upgrade.
pub(crate) async fn cdp(
    State(hub): State<Arc<Hub>>,
    Extension(meta): Extension<ConnMeta>,
    headers: HeaderMap,
    uri: Uri,
    ws: Upgrade,
) -> Response {
    single(hub, meta, headers, uri, ws, SingleKind::Cdp).await
}
