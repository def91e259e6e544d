//! Tests of [`super::OpsClient`] against a scripted fake relay on a loopback port.

use super::*;
use serde_json::json;
use tokio::net::TcpListener;

/// What the fake relay does with each `ops_request` (after acking the hello).
#[derive(Clone, Copy)]
enum Script {
    /// Echo the payload back as the result.
    Echo,
    /// Answer with 3 chunks of the JSON text of `{"big":"xyz..."}`.
    Chunked,
    /// Answer with an `ops_error`.
    Error,
    /// Close the socket 1011 without answering.
    Drop1011,
    /// Never answer.
    Silent,
}

async fn fake_relay(
    script: Script,
    connections: usize,
) -> (u16, tokio::task::JoinHandle<Vec<Value>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let mut seen = Vec::new();
        for _ in 0..connections {
            let Ok(Ok((tcp, _))) =
                tokio::time::timeout(Duration::from_secs(5), listener.accept()).await
            else {
                break;
            };
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            while let Some(Ok(Message::Text(text))) = ws.next().await {
                let msg: Value = serde_json::from_str(text.as_str()).unwrap();
                seen.push(msg.clone());
                let rid = msg["requestId"].as_str().unwrap_or_default().to_string();
                let reply = match (msg["type"].as_str().unwrap(), script) {
                    ("ops_hello", _) => {
                        vec![json!({"type":"ops_hello_ack","version":"1","clientId":"c1",
                        "capabilities":[],"maxPayloadBytes":MAX_OPS_PAYLOAD_BYTES})]
                    }
                    (_, Script::Echo) => vec![
                        json!({"type":"ops_response","requestId":rid,"clientId":"c1",
                        "opsSessionId":msg["opsSessionId"],"payload":msg["payload"]}),
                    ],
                    (_, Script::Chunked) => {
                        let text = json!({"big":"xyz".repeat(10)}).to_string();
                        let (a, rest) = text.split_at(5);
                        let (b, c) = rest.split_at(7);
                        vec![
                            json!({"type":"ops_response","requestId":rid,"clientId":"c1","chunked":true,
                                "payloadId":"p1","totalChunks":3}),
                            json!({"type":"ops_chunk","requestId":rid,"payloadId":"p1","chunkIndex":0,"totalChunks":3,"data":a}),
                            json!({"type":"ops_chunk","requestId":rid,"payloadId":"p1","chunkIndex":2,"totalChunks":3,"data":c}),
                            json!({"type":"ops_chunk","requestId":rid,"payloadId":"p1","chunkIndex":1,"totalChunks":3,"data":b}),
                        ]
                    }
                    (_, Script::Error) => {
                        vec![json!({"type":"ops_error","requestId":rid,"clientId":"c1",
                        "error":{"code":"invalid_request","message":"Unknown ref: r9. Take a new snapshot first.",
                        "retryable":false,"details":{"ref":"r9"}}})]
                    }
                    (_, Script::Drop1011) => {
                        let frame = CloseFrame {
                            code: CloseCode::from(1011),
                            reason: "Extension disconnected.".into(),
                        };
                        let _ = ws.send(Message::Close(Some(frame))).await;
                        break;
                    }
                    (_, Script::Silent) => vec![],
                };
                for r in reply {
                    ws.send(Message::text(r.to_string())).await.unwrap();
                }
            }
        }
        seen
    });
    (port, task)
}

fn client(port: u16) -> OpsClient {
    OpsClient::new(
        OpsTarget {
            port,
            token: Some("t0k".into()),
        },
        None,
    )
}

#[tokio::test]
async fn hello_then_request_carries_session_and_lease() {
    let (port, relay) = fake_relay(Script::Echo, 1).await;
    let ops = client(port);
    assert!(
        !ops.is_connected().await,
        "lazy: no connection before the first request"
    );
    let out = ops
        .request(
            "nav.goto",
            Some("s1"),
            Some("l1"),
            json!({"url":"http://x/"}),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(out, json!({"url":"http://x/"}));
    assert!(ops.is_connected().await);
    ops.close().await;
    let seen = relay.await.unwrap();
    assert_eq!(
        seen[0],
        json!({"type":"ops_hello","version":"1","maxPayloadBytes":MAX_OPS_PAYLOAD_BYTES})
    );
    assert_eq!(seen[1]["type"], "ops_request");
    assert_eq!(seen[1]["command"], "nav.goto");
    assert_eq!(seen[1]["opsSessionId"], "s1");
    assert_eq!(seen[1]["leaseId"], "l1");
    assert!(seen[1]["requestId"].as_str().unwrap().len() >= 32);
}

#[tokio::test]
async fn chunked_results_are_reassembled() {
    let (port, _relay) = fake_relay(Script::Chunked, 1).await;
    let out = client(port)
        .request(
            "nav.snapshot",
            None,
            None,
            json!({}),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert_eq!(out, json!({"big":"xyz".repeat(10)}));
}

#[tokio::test]
async fn ops_errors_are_typed() {
    let (port, _relay) = fake_relay(Script::Error, 1).await;
    let err = client(port)
        .request(
            "interact.click",
            None,
            None,
            json!({}),
            Duration::from_secs(5),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidRequest);
    assert_eq!(
        err.display_line(),
        "[invalid_request] Unknown ref: r9. Take a new snapshot first."
    );
    assert_eq!(err.details, Some(json!({"ref":"r9"})));
}

#[tokio::test]
async fn a_1011_close_fails_pending_at_once_and_the_next_request_reconnects() {
    let (port, relay) = fake_relay(Script::Drop1011, 2).await;
    let ops = client(port);
    let started = std::time::Instant::now();
    let err = ops
        .request("nav.wait", None, None, json!({}), Duration::from_secs(20))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "failed at once, not at the timeout"
    );
    assert_eq!(
        err.display_line(),
        "[ops_unavailable] Extension not connected to relay."
    );
    assert!(err.retryable);
    let _ = ops
        .request("nav.wait", None, None, json!({}), Duration::from_secs(20))
        .await;
    let seen = relay.await.unwrap();
    let hellos = seen.iter().filter(|m| m["type"] == "ops_hello").count();
    assert_eq!(hellos, 2, "reconnected with a fresh hello: {seen:?}");
}

#[tokio::test]
async fn silence_times_out_with_a_retryable_timeout() {
    let (port, _relay) = fake_relay(Script::Silent, 1).await;
    let err = client(port)
        .request(
            "nav.goto",
            None,
            None,
            json!({}),
            Duration::from_millis(300),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Timeout);
    assert!(err.retryable);
}

#[tokio::test]
async fn an_unreachable_relay_is_ops_unavailable() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = client(port)
        .request("nav.goto", None, None, json!({}), Duration::from_secs(2))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::OpsUnavailable);
    assert!(!err.message.contains("t0k"), "no token in {err:?}");
}

#[test]
fn unknown_error_codes_still_fail_the_request() {
    let shared = Shared {
        pending: Mutex::new(HashMap::new()),
        chunks: Mutex::new(Reassembler::default()),
        closed: AtomicBool::new(false),
        last_pong: Mutex::new(None),
    };
    let (tx, mut rx) = oneshot::channel();
    shared.pending.lock().unwrap().insert("r".into(), tx);
    handle_text(
        &shared,
        None,
        r#"{"type":"ops_error","requestId":"r","error":{"code":"brand_new","message":"m","retryable":true}}"#,
    );
    let err = rx.try_recv().unwrap().unwrap_err();
    assert_eq!(err.message, "(brand_new) m");
    assert!(err.retryable);
}
