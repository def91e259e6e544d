//! Shared helpers for the relay integration tests: a relay on 127.0.0.1:0, raw HTTP, WebSocket
//! clients with chosen headers, and a tiny fake extension.
#![allow(dead_code)]

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use odb_relay::{RelayConfig, RelayHandle, Timings};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub const TOKEN: &str = "abababababababababababababababababababababababababababababababab";
pub const OUR_ORIGIN: &str = "chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk";
pub const OTHER_ORIGIN: &str = "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const STEP: Duration = Duration::from_secs(5);

pub fn fast_timings() -> Timings {
    Timings {
        ops_hello_timeout: Duration::from_millis(300),
        extension_handshake_timeout: Duration::from_secs(5),
        header_read_timeout: Duration::from_millis(500),
        send_timeout: Duration::from_secs(5),
    }
}

pub async fn relay_with(config: RelayConfig) -> RelayHandle {
    odb_relay::start_with_timings(config, fast_timings())
        .await
        .expect("relay starts")
}

/// A relay on an ephemeral port with pairing on (token [`TOKEN`]).
pub async fn relay() -> RelayHandle {
    relay_with(RelayConfig {
        port: 0,
        token: Some(TOKEN.into()),
        ..RelayConfig::default()
    })
    .await
}

/// Raw HTTP/1.1 exchange: returns (status, lower-cased head, body).
pub async fn raw_http(port: u16, request: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    tokio::time::timeout(STEP, s.read_to_end(&mut buf))
        .await
        .expect("response in time")
        .unwrap();
    let text = String::from_utf8_lossy(&buf).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_string())
}

/// `GET path` with the given Host and extra header lines, `Connection: close`.
pub async fn get_with_host(
    port: u16,
    path: &str,
    host: &str,
    extra: &str,
) -> (u16, String, String) {
    let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n");
    raw_http(port, &req).await
}

/// Opens `ws://127.0.0.1:<port><path_and_query>` with an optional Origin.
pub async fn ws_connect(port: u16, path: &str, origin: Option<&str>) -> Result<Ws, u16> {
    let mut req = format!("ws://127.0.0.1:{port}{path}")
        .into_client_request()
        .unwrap();
    if let Some(o) = origin {
        req.headers_mut()
            .insert("Origin", HeaderValue::from_str(o).unwrap());
    }
    match connect_async(req).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
        Err(e) => panic!("unexpected connect error: {e}"),
    }
}

/// An `/ops` (or other client path) socket with the right token and no Origin.
pub async fn client(port: u16, path: &str) -> Ws {
    ws_connect(port, &format!("{path}?token={TOKEN}"), None)
        .await
        .expect("client connects")
}

pub async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

pub async fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::Text(text.to_string().into()))
        .await
        .unwrap();
}

/// Next JSON text message (skipping pings); panics on close or timeout.
pub async fn recv(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(STEP, ws.next())
            .await
            .expect("message in time");
        match msg {
            Some(Ok(Message::Text(t))) => return serde_json::from_str(&t).unwrap(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("expected a text message, got {other:?}"),
        }
    }
}

/// Asserts nothing arrives within `ms`.
pub async fn recv_none(ws: &mut Ws, ms: u64) {
    match tokio::time::timeout(Duration::from_millis(ms), ws.next()).await {
        Err(_) => {}
        Ok(other) => panic!("expected silence, got {other:?}"),
    }
}

/// Reads until a Close frame (skipping other messages): returns (code, reason).
pub async fn expect_close(ws: &mut Ws) -> (u16, String) {
    loop {
        let msg = tokio::time::timeout(STEP, ws.next())
            .await
            .expect("close in time");
        match msg {
            Some(Ok(Message::Close(Some(f)))) => return (u16::from(f.code), f.reason.to_string()),
            Some(Ok(Message::Close(None))) => return (1005, String::new()),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// A fake extension: connects `/extension` with our Origin and handshakes.
pub struct FakeExtension {
    pub ws: Ws,
}

impl FakeExtension {
    /// Connects and sends a handshake with `token`; returns the raw socket (ack not read).
    pub async fn connect_with(port: u16, token: Option<&str>) -> Ws {
        let mut ws = ws_connect(port, "/extension", Some(OUR_ORIGIN))
            .await
            .expect("ext connects");
        let mut payload = json!({"tabId": 7, "url": "https://example.com/", "title": "Example"});
        if let Some(t) = token {
            payload["pairingToken"] = json!(t);
        }
        send(&mut ws, json!({"type":"handshake","payload":payload})).await;
        ws
    }

    /// Connects with the right token and waits for `handshakeAck`.
    pub async fn connect(port: u16) -> FakeExtension {
        let mut ws = Self::connect_with(port, Some(TOKEN)).await;
        let ack = recv(&mut ws).await;
        assert_eq!(ack["type"], "handshakeAck", "{ack}");
        FakeExtension { ws }
    }

    /// Reads the next message, which must be `ops_hello`, and acks it; returns the clientId.
    pub async fn ack_hello(&mut self) -> String {
        let hello = recv(&mut self.ws).await;
        assert_eq!(hello["type"], "ops_hello", "{hello}");
        let client_id = hello["clientId"]
            .as_str()
            .expect("relay sets clientId")
            .to_string();
        send(
            &mut self.ws,
            json!({"type":"ops_hello_ack","version":"1","clientId":client_id,
                "capabilities":[],"maxPayloadBytes":12582912}),
        )
        .await;
        client_id
    }

    pub async fn recv(&mut self) -> Value {
        recv(&mut self.ws).await
    }

    pub async fn send(&mut self, v: Value) {
        send(&mut self.ws, v).await
    }
}

/// An ops client that completed hello/ack through `ext`; returns (socket, clientId).
pub async fn acked_ops_client(port: u16, ext: &mut FakeExtension) -> (Ws, String) {
    let mut ws = client(port, "/ops").await;
    send(
        &mut ws,
        json!({"type":"ops_hello","version":"1","maxPayloadBytes":12582912}),
    )
    .await;
    let id = ext.ack_hello().await;
    let ack = recv(&mut ws).await;
    assert_eq!(ack["type"], "ops_hello_ack");
    assert_eq!(ack["clientId"], id.as_str());
    (ws, id)
}

/// `GET /status` through reqwest.
pub async fn status(port: u16) -> Value {
    reqwest::get(format!("http://127.0.0.1:{port}/status"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
