//! HTTP endpoints `/config`, `/status`, `/pair` and their preflights, the Host guard middleware,
//! and the router (PROTOCOL.md §1 with the declared divergences).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use odb_protocol::http::{HttpError, PairResponse};
use odb_protocol::limits::HTTP_RATE_LIMIT;
use serde::Serialize;

use crate::guard::{check_host, classify_origin, is_loopback, HostCheck, OriginClass};
use crate::hub::Hub;
use crate::upgrade;

/// Facts about the TCP connection a request arrived on, inserted by the server per request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConnMeta {
    /// Remote address.
    pub peer: SocketAddr,
    /// Local port of the listener (the Host header must name it).
    pub local_port: u16,
    /// True on the main listener; the discovery listener serves only `/config` and `/status`.
    pub main: bool,
}

/// The full router. Every request first passes [`guard`].
pub(crate) fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .route("/config", get(get_config).options(preflight))
        .route("/status", get(get_status).options(preflight))
        .route("/pair", get(get_pair).post(post_pair).options(preflight))
        .route("/extension", get(upgrade::extension))
        .route("/ops", get(upgrade::ops))
        .route("/canvas", get(upgrade::canvas))
        .route("/annotation", get(upgrade::annotation))
        .route("/cdp", get(upgrade::cdp))
        .fallback(not_found)
        .layer(middleware::from_fn(guard))
        .with_state(hub)
}

/// Host allow-list on every request (403 / 400), and the discovery listener's path limit (404).
async fn guard(req: Request, next: Next) -> Response {
    let Some(meta) = req.extensions().get::<ConnMeta>().copied() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match check_host(req.headers(), req.uri(), meta.local_port) {
        HostCheck::Allowed => {}
        HostCheck::Missing => return json_error(StatusCode::BAD_REQUEST, "Bad Request: Host"),
        HostCheck::Forbidden => {
            tracing::warn!(path = req.uri().path(), "host not allowed");
            return json_error(StatusCode::FORBIDDEN, "Forbidden: host not allowed");
        }
    }
    if !meta.main && !matches!(req.uri().path(), "/config" | "/status") {
        return not_found().await;
    }
    next.run(req).await
}

async fn not_found() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

/// `{"error": message}` with `Content-Type: application/json` and `Cache-Control: no-store`.
pub(crate) fn json_error(status: StatusCode, message: &str) -> Response {
    json_response(
        status,
        &HttpError {
            error: message.to_string(),
        },
        None,
    )
}

fn json_response(
    status: StatusCode,
    body: &impl Serialize,
    allow_origin: Option<&str>,
) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    let mut resp = (status, text).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    add_allow_origin(h, allow_origin);
    resp
}

fn add_allow_origin(h: &mut HeaderMap, allow_origin: Option<&str>) {
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = allow_origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
}

/// PROTOCOL.md §1 "Authorization of GET requests", with exact extension origins. Ok carries the
/// allowed extension origin to echo, if the request had one.
fn authorize(
    hub: &Hub,
    meta: &ConnMeta,
    path: &str,
    headers: &HeaderMap,
) -> Result<Option<String>, (StatusCode, &'static str)> {
    let ip = meta.peer.ip();
    let no_origin_header = !headers.contains_key(header::ORIGIN);
    let exempt = path == "/config" && no_origin_header && is_loopback(ip);
    if !exempt && hub.http_limiter.hit(&ip.to_string(), HTTP_RATE_LIMIT) {
        tracing::warn!(path, "http rate limited");
        return Err((StatusCode::TOO_MANY_REQUESTS, "Too Many Requests"));
    }
    match classify_origin(headers, &hub.id.extension_origins) {
        OriginClass::Extension(origin) => Ok(Some(origin)),
        OriginClass::Other => Err((
            StatusCode::FORBIDDEN,
            "Forbidden: extension origin required",
        )),
        OriginClass::Absent if !is_loopback(ip) => {
            Err((StatusCode::FORBIDDEN, "Forbidden: local requests only"))
        }
        OriginClass::Absent => Ok(None),
    }
}

async fn get_config(
    State(hub): State<Arc<Hub>>,
    Extension(meta): Extension<ConnMeta>,
    headers: HeaderMap,
) -> Response {
    match authorize(&hub, &meta, "/config", &headers) {
        Ok(origin) => json_response(StatusCode::OK, &hub.config_body(), origin.as_deref()),
        Err((status, message)) => json_error(status, message),
    }
}

async fn get_status(
    State(hub): State<Arc<Hub>>,
    Extension(meta): Extension<ConnMeta>,
    headers: HeaderMap,
) -> Response {
    match authorize(&hub, &meta, "/status", &headers) {
        Ok(origin) => json_response(StatusCode::OK, &hub.status(), origin.as_deref()),
        Err((status, message)) => json_error(status, message),
    }
}

fn pair_body(hub: &Hub) -> PairResponse {
    PairResponse {
        token: hub.id.token.clone(),
        instance_id: hub.id.instance_id.clone(),
        epoch: hub.id.epoch,
    }
}

/// `GET /pair`: refused unless `compat_open_pair` and `http_pair` (then the original behaviour). No side
/// effects.
async fn get_pair(
    State(hub): State<Arc<Hub>>,
    Extension(meta): Extension<ConnMeta>,
    headers: HeaderMap,
) -> Response {
    let origin = match authorize(&hub, &meta, "/pair", &headers) {
        Ok(origin) => origin,
        Err((status, message)) => return json_error(status, message),
    };
    if !hub.id.http_pair {
        return http_pair_off();
    }
    if !hub.id.compat_open_pair {
        return json_error(
            StatusCode::FORBIDDEN,
            "Forbidden: use POST /pair from the extension",
        );
    }
    tracing::info!(
        origin = origin.as_deref().unwrap_or("-"),
        "token handed out: GET /pair"
    );
    json_response(StatusCode::OK, &pair_body(&hub), origin.as_deref())
}

/// The answer of `/pair` when [`RelayConfig::http_pair`](crate::RelayConfig) is off: 403, nothing handed out.
fn http_pair_off() -> Response {
    json_error(StatusCode::FORBIDDEN, HTTP_PAIR_OFF)
}

/// The `error` of [`http_pair_off`]: what is off, and the way that works instead.
pub const HTTP_PAIR_OFF: &str =
    "Forbidden: this relay hands its token only to the native host (http pairing is off); \
install it with `opendevbrowser native install`";

/// `POST /pair`: the token, only for an allowed extension origin, and only while `http_pair` is on (else
/// [`HTTP_PAIR_OFF`]). Every token handed out is logged with the Origin (never the token).
async fn post_pair(
    State(hub): State<Arc<Hub>>,
    Extension(meta): Extension<ConnMeta>,
    headers: HeaderMap,
) -> Response {
    match authorize(&hub, &meta, "/pair", &headers) {
        Ok(Some(_)) if !hub.id.http_pair => http_pair_off(),
        Ok(Some(origin)) => {
            tracing::info!(origin, "token handed out: POST /pair");
            json_response(StatusCode::OK, &pair_body(&hub), Some(&origin))
        }
        Ok(None) => json_error(
            StatusCode::FORBIDDEN,
            "Forbidden: extension origin required",
        ),
        Err((status, message)) => json_error(status, message),
    }
}

/// `OPTIONS`: always 204; CORS/PNA headers only for an allowed extension origin.
async fn preflight(State(hub): State<Arc<Hub>>, headers: HeaderMap) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let OriginClass::Extension(origin) = classify_origin(&headers, &hub.id.extension_origins)
    else {
        return resp;
    };
    add_allow_origin(h, Some(&origin));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type, Authorization"),
    );
    let pna = headers
        .get("access-control-request-private-network")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if pna {
        h.insert(
            "access-control-allow-private-network",
            HeaderValue::from_static("true"),
        );
    }
    resp
}
