//! The fixture site (`tests/fixtures/*.html`) served on a loopback port by axum on a background thread, plus
//! a few JSON endpoints the fixtures fetch:
//!
//! - `GET /api/echo?<query>` → `200 {"method":"GET","path":"/api/echo","query":{<name>:<value>,…}}`;
//! - `GET /api/status/{code}` → that status (100-599, else 400) with `{"status":<code>}`;
//! - `GET /api/set-cookie?name=N&value=V[&httpOnly=1]` → `200 {"set":N}` and
//!   `Set-Cookie: N=V; Path=/; SameSite=Lax[; HttpOnly]` (defaults: `server_cookie=from-server`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

/// A running fixture server; stops when dropped.
pub struct FixtureServer {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FixtureServer {
    /// Serves `dir` on `127.0.0.1:<free port>`.
    pub fn start(dir: PathBuf) -> Self {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind fixtures");
                addr_tx
                    .send(listener.local_addr().expect("addr"))
                    .expect("send addr");
                let app = Router::new()
                    .route(
                        "/",
                        get(|| async { axum::response::Redirect::to("/index.html") }),
                    )
                    .route("/api/echo", get(api_echo))
                    .route("/api/status/{code}", get(api_status))
                    .route("/api/set-cookie", get(api_set_cookie))
                    .route("/{*path}", get(serve_file))
                    .with_state(dir);
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = shutdown_rx.await;
                    })
                    .await
                    .expect("fixture server");
            });
        });
        let addr = addr_rx.recv().expect("fixture server address");
        FixtureServer {
            addr,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>/<path>`.
    pub fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.addr.port(),
            path.trim_start_matches('/')
        )
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve_file(State(dir): State<PathBuf>, Path(path): Path<String>) -> Response {
    if path.split('/').any(|seg| seg == ".." || seg.is_empty()) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let file = dir.join(&path);
    match tokio::fs::read(&file).await {
        Ok(bytes) => {
            let mime = match file.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                Some("png") => "image/png",
                Some("json") => "application/json",
                _ => "application/octet-stream",
            };
            (
                [
                    (header::CONTENT_TYPE, mime),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                bytes,
            )
                .into_response()
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `/api/echo`: the query back as JSON.
async fn api_echo(Query(query): Query<BTreeMap<String, String>>) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "method": "GET", "path": "/api/echo", "query": query })),
    )
        .into_response()
}

/// `/api/status/{code}`: answers with that status.
async fn api_status(Path(code): Path<u16>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({ "status": status.as_u16() })),
    )
        .into_response()
}

/// `/api/set-cookie`: sets one cookie with `Set-Cookie` (name and value must be cookie-safe tokens).
async fn api_set_cookie(Query(query): Query<BTreeMap<String, String>>) -> Response {
    let safe = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    };
    let name = query.get("name").map_or("server_cookie", String::as_str);
    let value = query.get("value").map_or("from-server", String::as_str);
    if !safe(name) || !safe(value) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "bad cookie" })),
        )
            .into_response();
    }
    let http_only = if query.get("httpOnly").is_some_and(|v| v == "1") {
        "; HttpOnly"
    } else {
        ""
    };
    let cookie = format!("{name}={value}; Path=/; SameSite=Lax{http_only}");
    (
        [
            (header::SET_COOKIE, cookie),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Json(json!({ "set": name })),
    )
        .into_response()
}
