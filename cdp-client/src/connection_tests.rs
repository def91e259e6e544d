//! [`CdpConnection`] against a fake CDP server (tokio-tungstenite on a loopback port).

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

use crate::{CdpConnection, CdpError};

/// A fake browser: for each request, `answer(request)` returns the frames to send back (answers and events).
async fn fake_browser(answer: fn(&Value) -> Vec<Value>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        while let Some(Ok(msg)) = ws.next().await {
            let Message::Text(text) = msg else { continue };
            let request: Value = serde_json::from_str(text.as_str()).unwrap();
            if request["method"] == "Test.hangUp" {
                let _ = ws.close(None).await;
                return;
            }
            for frame in answer(&request) {
                ws.send(Message::text(frame.to_string())).await.unwrap();
            }
        }
    });
    format!("ws://127.0.0.1:{port}/devtools/browser/fake")
}

fn echo(request: &Value) -> Vec<Value> {
    match request["method"].as_str().unwrap() {
        "Test.fail" => vec![
            json!({"id": request["id"], "error": {"code": -32000, "message": "No node with given id found"}}),
        ],
        "Test.silent" => vec![],
        "Test.event" => vec![
            json!({"method": "Page.loadEventFired", "params": {"timestamp": 1.5}, "sessionId": "S1"}),
            json!({"method": "Target.targetCreated", "params": {"targetInfo": {"targetId": "T", "type": "page"}}}),
            json!({"id": request["id"], "result": {}}),
        ],
        _ => vec![
            json!({"id": request["id"], "result": {"echo": request["params"], "session": request.get("sessionId")}}),
        ],
    }
}

#[tokio::test]
async fn answers_are_correlated_and_sessions_travel() {
    let url = fake_browser(echo).await;
    let (conn, _events) = CdpConnection::connect(&url).await.unwrap();
    let (a, b) = tokio::join!(
        conn.send(None, "Test.one", json!({"n": 1})),
        conn.send(Some("S9"), "Test.two", json!({"n": 2}))
    );
    assert_eq!(a.unwrap(), json!({"echo": {"n": 1}, "session": null}));
    assert_eq!(b.unwrap(), json!({"echo": {"n": 2}, "session": "S9"}));
}

#[tokio::test]
async fn protocol_errors_are_typed() {
    let url = fake_browser(echo).await;
    let (conn, _events) = CdpConnection::connect(&url).await.unwrap();
    let err = conn.send(None, "Test.fail", json!({})).await.unwrap_err();
    assert_eq!(
        err,
        CdpError::Protocol {
            code: -32000,
            message: "No node with given id found".into(),
            data: None
        }
    );
    assert_eq!(err.to_string(), "No node with given id found");
}

#[tokio::test]
async fn events_carry_their_session() {
    let url = fake_browser(echo).await;
    let (conn, mut events) = CdpConnection::connect(&url).await.unwrap();
    conn.send(None, "Test.event", json!({})).await.unwrap();
    let first = events.recv().await.unwrap();
    assert_eq!(first.session_id.as_deref(), Some("S1"));
    assert_eq!(first.method, "Page.loadEventFired");
    assert_eq!(first.params, json!({"timestamp": 1.5}));
    let second = events.recv().await.unwrap();
    assert_eq!(second.session_id, None);
    let info = crate::TargetInfo::from_event(&second.params).unwrap();
    assert!(info.is_page());
    assert_eq!(info.target_id, "T");
}

#[tokio::test]
async fn calls_time_out_and_the_connection_survives() {
    let url = fake_browser(echo).await;
    let (conn, _events) = CdpConnection::connect(&url).await.unwrap();
    let err = conn
        .send_with_timeout(None, "Test.silent", json!({}), Duration::from_millis(100))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        CdpError::Timeout {
            method: "Test.silent".into(),
            ms: 100
        }
    );
    assert!(conn.send(None, "Test.after", json!({})).await.is_ok());
}

#[tokio::test]
async fn a_closed_socket_fails_pending_calls_and_ends_events() {
    let url = fake_browser(echo).await;
    let (conn, mut events) = CdpConnection::connect(&url).await.unwrap();
    let pending = conn.send(None, "Test.silent", json!({}));
    let hang = conn.send(None, "Test.hangUp", json!({}));
    let (pending, hang) = tokio::join!(pending, hang);
    assert_eq!(pending.unwrap_err(), CdpError::Closed);
    assert_eq!(hang.unwrap_err(), CdpError::Closed);
    assert!(events.recv().await.is_none());
    tokio::time::timeout(Duration::from_secs(2), conn.closed())
        .await
        .unwrap();
    assert!(conn.is_closed());
    assert_eq!(
        conn.send(None, "Test.late", json!({})).await.unwrap_err(),
        CdpError::Closed
    );
}

#[tokio::test]
async fn connect_failure_names_the_url() {
    let err = CdpConnection::connect("ws://127.0.0.1:1/devtools/browser/x")
        .await
        .unwrap_err();
    assert!(matches!(err, CdpError::Connect { ref url, .. } if url.ends_with("/x")));
}
