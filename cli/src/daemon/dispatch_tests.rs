//! Tests of [`super::Dispatcher`] against a fake relay+extension that answers `/ops` with a closure.

use super::*;
use futures::{SinkExt, StreamExt};
use odb_protocol::extension::{HealthReason, RelayHealth};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

type Answer = Arc<dyn Fn(&Value) -> Value + Send + Sync>;

/// A fake relay on a loopback port; every request is recorded, and answered with `answer(request)`, which
/// returns either a full `ops_response`/`ops_error` envelope body.
async fn fake(answer: Answer) -> (u16, Arc<Mutex<Vec<Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let answer = answer.clone();
            let log = log.clone();
            tokio::spawn(async move {
                let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
                while let Some(Ok(Message::Text(text))) = ws.next().await {
                    let msg: Value = serde_json::from_str(text.as_str()).unwrap();
                    let reply = if msg["type"] == "ops_hello" {
                        json!({"type":"ops_hello_ack","version":"1","clientId":"c","capabilities":[],"maxPayloadBytes":1})
                    } else {
                        log.lock().unwrap().push(msg.clone());
                        let mut r = answer(&msg);
                        r["requestId"] = msg["requestId"].clone();
                        r
                    };
                    ws.send(Message::text(reply.to_string())).await.unwrap();
                }
            });
        }
    });
    (port, seen)
}

fn ok(payload: Value) -> Value {
    json!({"type":"ops_response","payload":payload})
}

fn error(code: &str, message: &str) -> Value {
    json!({"type":"ops_error","error":{"code":code,"message":message,"retryable":false}})
}

fn status(ready: bool) -> StatusFn {
    status_on(ready, ready.then_some(ExtensionTransport::Websocket))
}

/// A relay status whose extension is `ready` (connected and handshaken) over `transport`.
fn status_on(ready: bool, transport: Option<ExtensionTransport>) -> StatusFn {
    Arc::new(move || {
        Box::pin(async move {
            StatusResponse {
                instance_id: "i".into(),
                running: true,
                port: 1,
                discovery_port: Some(1),
                discovery_error: None,
                extension_connected: ready,
                extension_handshake_complete: ready,
                cdp_connected: false,
                annotation_connected: false,
                ops_connected: true,
                ops_owned_target_count: 0,
                canvas_connected: false,
                pairing_required: true,
                health: RelayHealth {
                    ok: ready,
                    reason: if ready {
                        HealthReason::Ok
                    } else {
                        HealthReason::ExtensionDisconnected
                    },
                    detail: None,
                    extension_connected: ready,
                    extension_handshake_complete: ready,
                    cdp_connected: false,
                    annotation_connected: false,
                    ops_connected: true,
                    ops_owned_target_count: 0,
                    canvas_connected: false,
                    pairing_required: true,
                    last_handshake_error: None,
                },
                last_handshake_error: None,
                extension_transport: transport,
            }
        })
    })
}

fn launch_reply() -> Value {
    ok(
        json!({"opsSessionId":"S1","activeTargetId":"tab-7","url":"http://a/","title":"A","leaseId":"ignored"}),
    )
}

async fn dispatcher(answer: Answer, ready: bool) -> (Dispatcher, Arc<Mutex<Vec<Value>>>) {
    let (port, seen) = fake(answer).await;
    let d = Dispatcher::new(OpsTarget { port, token: None }, status(ready))
        .with_recovery_wait(Duration::from_millis(400));
    (d, seen)
}

#[tokio::test]
async fn launch_records_the_lease_and_commands_carry_it() {
    let answer: Answer = Arc::new(|m| match m["command"].as_str().unwrap() {
        "session.launch" => launch_reply(),
        _ => ok(json!({"finalUrl":"http://b/"})),
    });
    let (d, seen) = dispatcher(answer, true).await;
    let out = d
        .handle("session.launch", json!({"startUrl":"http://a/"}))
        .await
        .unwrap();
    assert_eq!(
        out,
        json!({"sessionId":"S1","mode":"extension","activeTargetId":"tab-7","url":"http://a/","title":"A"})
    );
    let goto = d
        .handle("nav.goto", json!({"sessionId":"S1","url":"http://b/"}))
        .await
        .unwrap();
    assert_eq!(goto["finalUrl"], "http://b/");
    let seen = seen.lock().unwrap().clone();
    let lease = seen[0]["leaseId"].as_str().unwrap().to_string();
    assert!(seen[0].get("opsSessionId").is_none());
    assert_eq!(seen[0]["payload"], json!({"startUrl":"http://a/"}));
    assert_eq!(seen[1]["opsSessionId"], "S1");
    assert_eq!(seen[1]["leaseId"], lease.as_str());
    assert_eq!(
        seen[1]["payload"],
        json!({"url":"http://b/"}),
        "sessionId is not in the payload"
    );
    assert_eq!(d.session_count(), 1);
}

#[tokio::test]
async fn unknown_sessions_commands_and_params_are_refused() {
    let (d, seen) = dispatcher(Arc::new(|_| ok(json!({}))), true).await;
    let e = d
        .handle("nav.goto", json!({"sessionId":"nope"}))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidSession);
    assert!(e.message.contains("opendevbrowser launch"));
    let e = d.handle("nav.goto", json!({"url":"x"})).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidRequest);
    let e = d.handle("bogus.cmd", json!({})).await.unwrap_err();
    assert_eq!(e.message, "Unknown command: bogus.cmd");
    let e = d.handle("nav.goto", json!([1])).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidRequest);
    assert!(seen.lock().unwrap().is_empty(), "nothing reached /ops");
}

#[tokio::test]
async fn invalid_session_reconnects_with_the_same_lease_and_retries_once() {
    let snapshots = Arc::new(Mutex::new(0));
    let count = snapshots.clone();
    let answer: Answer = Arc::new(move |m| match m["command"].as_str().unwrap() {
        "session.launch" => launch_reply(),
        "session.connect" => ok(json!({"opsSessionId":"S1","activeTargetId":"tab-7"})),
        _ => {
            let mut n = count.lock().unwrap();
            *n += 1;
            if *n == 1 {
                error("invalid_session", "Unknown ops session")
            } else {
                ok(json!({"content":"x"}))
            }
        }
    });
    let (d, seen) = dispatcher(answer, true).await;
    d.handle("session.launch", json!({})).await.unwrap();
    let out = d
        .handle("nav.snapshot", json!({"sessionId":"S1"}))
        .await
        .unwrap();
    assert_eq!(out, json!({"content":"x"}));
    let seen = seen.lock().unwrap().clone();
    let commands: Vec<&str> = seen
        .iter()
        .map(|m| m["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        [
            "session.launch",
            "nav.snapshot",
            "session.connect",
            "nav.snapshot"
        ]
    );
    assert_eq!(seen[2]["payload"], json!({"sessionId":"S1","tabId":7}));
    assert_eq!(seen[2]["leaseId"], seen[0]["leaseId"]);
}

#[tokio::test]
async fn recovery_gives_up_when_the_extension_stays_away() {
    let answer: Answer = Arc::new(|m| match m["command"].as_str().unwrap() {
        "session.launch" => launch_reply(),
        _ => error("invalid_session", "Unknown ops session"),
    });
    let (d, seen) = dispatcher(answer, false).await;
    d.handle("session.launch", json!({})).await.unwrap();
    let e = d
        .handle("nav.snapshot", json!({"sessionId":"S1"}))
        .await
        .unwrap_err();
    assert_eq!(e.display_line(), "[invalid_session] Unknown ops session");
    assert_eq!(
        seen.lock().unwrap().len(),
        2,
        "no reconnect without the extension"
    );
}

#[tokio::test]
async fn other_errors_are_not_retried_and_disconnect_forgets() {
    let answer: Answer = Arc::new(|m| match m["command"].as_str().unwrap() {
        "session.launch" => launch_reply(),
        "session.disconnect" => ok(json!({"ok":true})),
        _ => error(
            "invalid_request",
            "Unknown ref: r1. Take a new snapshot first.",
        ),
    });
    let (d, seen) = dispatcher(answer, true).await;
    d.handle("session.launch", json!({})).await.unwrap();
    let e = d
        .handle("interact.click", json!({"sessionId":"S1","ref":"r1"}))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidRequest);
    assert_eq!(seen.lock().unwrap().len(), 2);
    assert_eq!(
        d.handle("session.disconnect", json!({"sessionId":"S1"}))
            .await
            .unwrap(),
        json!({"ok":true})
    );
    assert_eq!(d.session_count(), 0);
    let e = d
        .handle("nav.wait", json!({"sessionId":"S1"}))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidSession);
}

#[test]
fn tab_ids_parse_from_target_ids() {
    assert_eq!(tab_id_of("tab-12"), Some(12));
    assert_eq!(tab_id_of("ABCDEF"), None);
    assert_eq!(tab_id_of("tab-x"), None);
}

#[tokio::test]
async fn a_transport_mismatch_is_refused_before_anything_reaches_the_extension() {
    let answer: Answer = Arc::new(|m| match m["command"].as_str().unwrap() {
        "session.launch" => launch_reply(),
        _ => ok(json!({"finalUrl":"http://b/"})),
    });
    let (port, seen) = fake(answer).await;
    let d = Dispatcher::new(
        OpsTarget { port, token: None },
        status_on(true, Some(ExtensionTransport::Native)),
    );
    let native = Some(ExtensionTransport::Native);
    let websocket = Some(ExtensionTransport::Websocket);
    let err = d
        .handle_on("session.launch", json!({}), websocket)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::OpsUnavailable);
    assert!(seen.lock().unwrap().is_empty(), "nothing was sent");
    d.handle_on("session.launch", json!({}), native)
        .await
        .unwrap();
    let goto = json!({"sessionId":"S1","url":"http://b/"});
    assert!(d
        .handle_on("nav.goto", goto.clone(), websocket)
        .await
        .is_err());
    assert_eq!(
        d.handle_on("nav.goto", goto, native).await.unwrap()["finalUrl"],
        "http://b/"
    );
    let managed = d
        .handle_on("session.launch", json!({"mode":"managed"}), native)
        .await
        .unwrap_err();
    assert_eq!(managed.code, ErrorCode::InvalidRequest);
    assert_eq!(seen.lock().unwrap().len(), 2, "launch and one goto");
}
