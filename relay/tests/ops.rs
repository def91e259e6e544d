//! `/ops` and `/canvas` behaviour: gates, clientId routing, errors, timers, limits
//! (PROTOCOL.md §2, §3.1, §7).

mod common;

use std::time::Duration;

use common::*;
use futures::StreamExt;
use odb_protocol::limits::MAX_OPS_PAYLOAD_BYTES;
use serde_json::json;

#[tokio::test]
async fn ops_origin_and_token_gates() {
    let r = relay().await;
    let port = r.port();
    // A valid token does not help a hostile or foreign Origin.
    for origin in [
        "https://evil.example",
        OTHER_ORIGIN,
        "http://127.0.0.1:8787",
    ] {
        let got = ws_connect(port, &format!("/canvas?token={TOKEN}"), Some(origin)).await;
        assert_eq!(got.err(), Some(403), "{origin}");
    }
    let evil = ws_connect(
        port,
        &format!("/ops?token={TOKEN}"),
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(evil.err(), Some(403));
    for path in [
        "/ops",
        "/ops?token=",
        "/ops?token=x",
        &format!("/ops?token={TOKEN}0"),
    ] {
        assert_eq!(
            ws_connect(port, path, None).await.err(),
            Some(401),
            "{path}"
        );
    }
    // Five failures so far on /ops: the sixth attempt is throttled even with the right token.
    assert_eq!(
        ws_connect(port, &format!("/ops?token={TOKEN}"), None)
            .await
            .err(),
        Some(429)
    );
    // /annotation has its own counter; our extension's origin is accepted.
    let ours = ws_connect(
        port,
        &format!("/annotation?token={TOKEN}"),
        Some(OUR_ORIGIN),
    )
    .await;
    assert!(ours.is_ok());
    r.shutdown().await;
}

#[tokio::test]
async fn successful_upgrade_clears_the_counter() {
    let r = relay().await;
    let port = r.port();
    for _ in 0..4 {
        assert_eq!(
            ws_connect(port, "/cdp?token=x", None).await.err(),
            Some(401)
        );
    }
    let ok = client(port, "/cdp").await;
    drop(ok);
    for _ in 0..5 {
        assert_eq!(
            ws_connect(port, "/cdp?token=x", None).await.err(),
            Some(401)
        );
    }
    assert_eq!(
        ws_connect(port, "/cdp?token=x", None).await.err(),
        Some(429)
    );
    r.shutdown().await;
}

#[tokio::test]
async fn hello_is_routed_with_relay_client_id() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    let mut ops = client(port, "/ops").await;
    send(
        &mut ops,
        json!({"type":"ops_hello","version":"1","clientId":"spoofed","maxPayloadBytes":1}),
    )
    .await;
    let hello = ext.recv().await;
    let id = hello["clientId"].as_str().unwrap().to_string();
    assert_ne!(id, "spoofed");
    assert!(uuid_like(&id), "{id}");
    assert_eq!(hello["version"], "1");
    assert_eq!(status(port).await["opsConnected"], false);
    ext.send(
        json!({"type":"ops_hello_ack","version":"1","clientId":id,"capabilities":[],
        "maxPayloadBytes":MAX_OPS_PAYLOAD_BYTES}),
    )
    .await;
    let ack = recv(&mut ops).await;
    assert_eq!(ack["type"], "ops_hello_ack");
    assert_eq!(ack["clientId"], id.as_str());
    assert_eq!(status(port).await["opsConnected"], true);
    // Requests carry the relay's clientId too, whatever the client wrote.
    send(
        &mut ops,
        json!({"type":"ops_request","requestId":"r1","clientId":"other",
        "command":"session.status","opsSessionId":"s"}),
    )
    .await;
    let req = ext.recv().await;
    assert_eq!(req["clientId"], id.as_str());
    assert_eq!(req["command"], "session.status");
    send(&mut ops, json!({"type":"ops_ping","id":"pp"})).await;
    assert_eq!(ext.recv().await["clientId"], id.as_str());
    r.shutdown().await;
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

#[tokio::test]
async fn routing_by_client_id_without_cross_delivery() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    let (mut a, id_a) = acked_ops_client(port, &mut ext).await;
    let (mut b, id_b) = acked_ops_client(port, &mut ext).await;
    assert_ne!(id_a, id_b);
    ext.send(
        json!({"type":"ops_response","requestId":"x","clientId":id_b,"opsSessionId":"s",
        "payload":{"for":"b"}}),
    )
    .await;
    ext.send(
        json!({"type":"ops_response","requestId":"x","clientId":id_a,"opsSessionId":"s",
        "payload":{"for":"a"}}),
    )
    .await;
    ext.send(json!({"type":"ops_response","requestId":"x","clientId":"unknown","payload":{}}))
        .await;
    ext.send(json!({"type":"ops_response","requestId":"x","payload":{}}))
        .await;
    assert_eq!(recv(&mut a).await["payload"]["for"], "a");
    assert_eq!(recv(&mut b).await["payload"]["for"], "b");
    recv_none(&mut a, 200).await;
    recv_none(&mut b, 50).await;
    r.shutdown().await;
}

#[tokio::test]
async fn no_extension_gives_ops_unavailable_then_1011() {
    let r = relay().await;
    let port = r.port();
    let mut ops = client(port, "/ops").await;
    send(
        &mut ops,
        json!({"type":"ops_request","requestId":"r9","command":"session.connect",
        "opsSessionId":"s9"}),
    )
    .await;
    let err = recv(&mut ops).await;
    assert_eq!(err["type"], "ops_error");
    assert_eq!(err["requestId"], "r9");
    assert_eq!(err["opsSessionId"], "s9");
    assert_eq!(
        err["error"],
        json!({"code":"ops_unavailable","message":"Extension not connected to relay.","retryable":true})
    );
    assert_eq!(
        expect_close(&mut ops).await,
        (1011, "Extension disconnected.".to_string())
    );

    let mut canvas = client(port, "/canvas").await;
    send(&mut canvas, json!({"type":"canvas_hello","version":"1"})).await;
    let err = recv(&mut canvas).await;
    assert_eq!(err["type"], "canvas_error");
    assert_eq!(err["requestId"], "unknown");
    assert_eq!(err["error"]["code"], "canvas_unavailable");
    assert_eq!(expect_close(&mut canvas).await.0, 1011);
    r.shutdown().await;
}

#[tokio::test]
async fn client_disconnect_is_reported_to_extension() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    let (ops, id) = acked_ops_client(port, &mut ext).await;
    drop(ops);
    let ev = ext.recv().await;
    assert_eq!(ev["type"], "ops_event");
    assert_eq!(ev["event"], "ops_client_disconnected");
    assert_eq!(ev["clientId"], id.as_str());
    assert!(ev["payload"]["at"].as_u64().unwrap() > 1_600_000_000_000);
    assert_eq!(status(port).await["opsConnected"], false);

    let mut canvas = client(port, "/canvas").await;
    send(&mut canvas, json!({"type":"canvas_hello","version":"1"})).await;
    let hello = ext.recv().await;
    let cid = hello["clientId"].as_str().unwrap().to_string();
    assert_eq!(hello["type"], "canvas_hello");
    assert_eq!(status(port).await["canvasConnected"], true);
    drop(canvas);
    let ev = ext.recv().await;
    assert_eq!(ev["type"], "canvas_event");
    assert_eq!(ev["event"], "canvas_client_disconnected");
    assert_eq!(ev["clientId"], cid.as_str());
    r.shutdown().await;
}

#[tokio::test]
async fn hello_timeout_errors_and_closes() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    let mut ops = client(port, "/ops").await;
    send(&mut ops, json!({"type":"ops_hello","version":"1"})).await;
    let hello = ext.recv().await;
    let err = recv(&mut ops).await;
    assert_eq!(err["type"], "ops_error");
    assert_eq!(err["requestId"], "ops_hello");
    assert_eq!(err["clientId"], hello["clientId"]);
    assert_eq!(err["error"]["code"], "ops_unavailable");
    assert_eq!(err["error"]["retryable"], true);
    assert_eq!(err["error"]["details"]["reason"], "ops_hello_timeout");
    assert_eq!(
        expect_close(&mut ops).await,
        (1011, "ops_hello_timeout".to_string())
    );
    assert_eq!(ext.recv().await["event"], "ops_client_disconnected");
    r.shutdown().await;
}

#[tokio::test]
async fn acked_hello_does_not_time_out() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    let (mut ops, _) = acked_ops_client(port, &mut ext).await;
    recv_none(&mut ops, 600).await;
    r.shutdown().await;
}

#[tokio::test]
async fn oversize_message_gets_invalid_request_and_stays_open() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    let (mut ops, _) = acked_ops_client(port, &mut ext).await;
    let big = "x".repeat(MAX_OPS_PAYLOAD_BYTES);
    send(
        &mut ops,
        json!({"type":"ops_request","requestId":"big","command":"nav.goto",
        "payload":{"url":big}}),
    )
    .await;
    let err = recv(&mut ops).await;
    assert_eq!(err["requestId"], "big");
    assert_eq!(err["error"]["code"], "invalid_request");
    assert_eq!(
        err["error"]["details"]["maxPayloadBytes"],
        MAX_OPS_PAYLOAD_BYTES
    );
    // Still open, and nothing reached the extension.
    send(&mut ops, json!({"type":"ops_ping","id":"after"})).await;
    assert_eq!(ext.recv().await["id"], "after");
    r.shutdown().await;
}

/// A frame header announcing more than the cap (here 2^40 bytes) is refused with 1009 before any
/// payload is buffered; the relay keeps serving.
#[tokio::test]
async fn frame_over_cap_closes_1009() {
    use tokio::io::AsyncWriteExt;
    let r = relay().await;
    let port = r.port();
    let _ext = FakeExtension::connect(port).await;
    for path in ["/ops", "/canvas", "/annotation", "/cdp"] {
        let mut ws = client(port, path).await;
        let mut header = vec![0x81u8, 0xff];
        header.extend_from_slice(&(1u64 << 40).to_be_bytes());
        header.extend_from_slice(&[1, 2, 3, 4]);
        match ws.get_mut() {
            tokio_tungstenite::MaybeTlsStream::Plain(tcp) => tcp.write_all(&header).await.unwrap(),
            _ => unreachable!("plain ws"),
        }
        assert_eq!(
            expect_close(&mut ws).await,
            (1009, "Message too big".to_string()),
            "{path}"
        );
    }
    let st = status(port).await;
    assert_eq!(st["extensionHandshakeComplete"], true);
    r.shutdown().await;
}

#[tokio::test]
async fn duplicate_in_flight_request_id_is_refused() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    let (mut ops, id) = acked_ops_client(port, &mut ext).await;
    let req = json!({"type":"ops_request","requestId":"r1","command":"session.status","opsSessionId":"s"});
    send(&mut ops, req.clone()).await;
    assert_eq!(ext.recv().await["requestId"], "r1");
    send(&mut ops, req.clone()).await;
    let err = recv(&mut ops).await;
    assert_eq!(err["error"]["code"], "invalid_request");
    assert_eq!(err["error"]["message"], "Duplicate requestId: r1");
    recv_none(&mut ext.ws, 200).await;
    // Chunked answer: the id stays in flight until the last chunk.
    ext.send(
        json!({"type":"ops_response","requestId":"r1","clientId":id,"chunked":true,
        "payloadId":"p","totalChunks":2}),
    )
    .await;
    ext.send(
        json!({"type":"ops_chunk","requestId":"r1","clientId":id,"payloadId":"p",
        "chunkIndex":0,"totalChunks":2,"data":"{\"a\":"}),
    )
    .await;
    recv(&mut ops).await;
    recv(&mut ops).await;
    send(&mut ops, req.clone()).await;
    assert_eq!(
        recv(&mut ops).await["error"]["message"],
        "Duplicate requestId: r1"
    );
    ext.send(
        json!({"type":"ops_chunk","requestId":"r1","clientId":id,"payloadId":"p",
        "chunkIndex":1,"totalChunks":2,"data":"1}"}),
    )
    .await;
    recv(&mut ops).await;
    send(&mut ops, req).await;
    assert_eq!(
        ext.recv().await["requestId"],
        "r1",
        "forwarded again once answered"
    );
    r.shutdown().await;
}

#[tokio::test]
async fn malformed_and_invalid_messages_keep_the_socket_open() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    let (mut ops, _) = acked_ops_client(port, &mut ext).await;
    // SECURITY.md C1/C2: truncated, BOM, NaN, 10k-deep nesting, a 1M-element array, wrong shapes.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let wide = format!("[{}0]", "0,".repeat(999_999));
    for bad in [
        "{",
        "[1,2]",
        "\u{feff}{}",
        r#"{"type":"ops_request","requestId":"q","command":"nav.goto","payload":NaN}"#,
        deep.as_str(),
        wide.as_str(),
        r#"{"type":"ops_response","requestId":"q"}"#,
        r#"{"type":"ops_request","requestId":"q"}"#,
        r#"{"type":"ops_request","requestId":{"x":1},"command":"nav.goto"}"#,
    ] {
        send_text(&mut ops, bad).await;
        let err = recv(&mut ops).await;
        let shown: String = bad.chars().take(60).collect();
        assert_eq!(err["type"], "ops_error", "{shown}");
        assert_eq!(err["error"]["code"], "invalid_request");
        assert_eq!(err["error"]["message"], "Invalid ops message.");
    }
    ops.send_binary_garbage().await;
    assert_eq!(
        recv(&mut ops).await["error"]["message"],
        "Invalid ops message."
    );
    send(&mut ops, json!({"type":"ops_ping","id":"alive"})).await;
    assert_eq!(ext.recv().await["id"], "alive");
    recv_none(&mut ext.ws, 100).await;
    r.shutdown().await;
}

trait BinaryGarbage {
    async fn send_binary_garbage(&mut self);
}

impl BinaryGarbage for Ws {
    async fn send_binary_garbage(&mut self) {
        use futures::SinkExt;
        use tokio_tungstenite::tungstenite::Message;
        self.send(Message::Binary(vec![0xff, 0xfe, 0x00].into()))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn hello_ack_dropped_when_no_clients() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    ext.send(
        json!({"type":"ops_hello_ack","version":"1","clientId":"ghost","capabilities":[],
        "maxPayloadBytes":1}),
    )
    .await;
    send(&mut ext.ws, json!({"type":"ping","id":"p"})).await;
    assert_eq!(ext.recv().await["type"], "pong");
    assert_eq!(status(port).await["opsConnected"], false);
    r.shutdown().await;
}

#[tokio::test]
async fn slow_client_is_closed_not_buffered() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    let (mut ops, id) = acked_ops_client(port, &mut ext).await;
    // The client stops reading; the extension floods it with 1 MiB events (more than the
    // relay's per-client queue bound plus socket buffers).
    let blob = "z".repeat(1024 * 1024);
    for _ in 0..100 {
        ext.send(json!({"type":"ops_event","clientId":id,"event":"x","payload":{"b":blob}}))
            .await;
    }
    send(&mut ext.ws, json!({"type":"ping","id":"after-flood"})).await;
    assert_eq!(
        ext.recv().await["id"],
        "after-flood",
        "the extension is not blocked"
    );
    let mut closed = None;
    let mut received = 0;
    while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_secs(10), ops.next()).await {
        received += 1;
        if let Ok(tokio_tungstenite::tungstenite::Message::Close(Some(f))) = msg {
            closed = Some((u16::from(f.code), f.reason.to_string()));
            break;
        }
    }
    assert_eq!(
        closed,
        Some((1008, "Client too slow".to_string())),
        "after {received} messages"
    );
    assert!(received < 100, "the backlog was cut, not delivered in full");
    r.shutdown().await;
}
