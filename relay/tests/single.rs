//! `/annotation` and `/cdp`: single clients and routing (PROTOCOL.md §2, §8).

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn second_clients_are_refused_with_exact_reasons() {
    let r = relay().await;
    let port = r.port();
    let _a = client(port, "/annotation").await;
    let mut a2 = client(port, "/annotation").await;
    assert_eq!(
        expect_close(&mut a2).await,
        (1008, "Only one annotation client supported".into())
    );
    let _c = client(port, "/cdp").await;
    let mut c2 = client(port, "/cdp").await;
    assert_eq!(
        expect_close(&mut c2).await,
        (1008, "Only one CDP client supported".into())
    );
    let st = status(port).await;
    assert_eq!(st["annotationConnected"], true);
    assert_eq!(st["cdpConnected"], true);
    r.shutdown().await;
}

#[tokio::test]
async fn annotation_routing() {
    let r = relay().await;
    let port = r.port();
    let mut ann = client(port, "/annotation").await;
    let cmd = json!({"type":"annotationCommand","payload":{"version":1,"requestId":"a1","command":"start"}});
    send(&mut ann, cmd.clone()).await;
    let resp = recv(&mut ann).await;
    assert_eq!(resp["type"], "annotationResponse");
    assert_eq!(resp["payload"]["status"], "error");
    assert_eq!(resp["payload"]["error"]["code"], "relay_unavailable");
    send(&mut ann, json!({"type":"ping","id":"p"})).await;
    let pong = recv(&mut ann).await;
    assert_eq!(pong["type"], "pong");
    assert_eq!(pong["payload"]["reason"], "extension_disconnected");

    let mut ext = FakeExtension::connect(port).await;
    send(&mut ann, cmd.clone()).await;
    assert_eq!(ext.recv().await, cmd);
    let event =
        json!({"type":"annotationEvent","payload":{"version":1,"requestId":"a1","event":"ready"}});
    ext.send(event.clone()).await;
    assert_eq!(recv(&mut ann).await, event);
    let done =
        json!({"type":"annotationResponse","payload":{"version":1,"requestId":"a1","status":"ok"}});
    ext.send(done.clone()).await;
    assert_eq!(recv(&mut ann).await, done);
    r.shutdown().await;
}

#[tokio::test]
async fn cdp_forwarding_both_ways() {
    let r = relay().await;
    let port = r.port();
    let mut cdp = client(port, "/cdp").await;
    send(&mut cdp, json!({"id":1,"method":"Browser.getVersion"})).await;
    let err = recv(&mut cdp).await;
    assert_eq!(
        err,
        json!({"id":1,"error":{"message":"Extension not connected to relay"}})
    );

    let mut ext = FakeExtension::connect(port).await;
    send(&mut cdp, json!({"id":2,"method":"Runtime.evaluate","params":{"expression":"1"},"sessionId":"pw-tab-1"})).await;
    assert_eq!(
        ext.recv().await,
        json!({"id":2,"method":"forwardCDPCommand","params":{"method":"Runtime.evaluate",
            "params":{"expression":"1"},"sessionId":"pw-tab-1"}})
    );
    ext.send(json!({"id":2,"result":{"value":1},"sessionId":"pw-tab-1"}))
        .await;
    assert_eq!(
        recv(&mut cdp).await,
        json!({"id":2,"result":{"value":1},"sessionId":"pw-tab-1"})
    );
    ext.send(
        json!({"method":"forwardCDPEvent","params":{"method":"Page.loadEventFired",
        "params":{"timestamp":1},"sessionId":"pw-tab-1"}}),
    )
    .await;
    assert_eq!(
        recv(&mut cdp).await,
        json!({"method":"Page.loadEventFired","params":{"timestamp":1},"sessionId":"pw-tab-1"})
    );
    drop(cdp);
    assert_eq!(
        ext.recv().await,
        json!({"type":"cdp_control","action":"client_closed"})
    );
    assert_eq!(status(port).await["cdpConnected"], false);
    r.shutdown().await;
}
