//! `/extension` behaviour: origin gate, handshake/ack, bad tokens, replacement, ping/health,
//! disconnect fan-out, opsOwnedTargetCount, shutdown (PROTOCOL.md §2, §2.1).

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn extension_origin_is_exact() {
    let r = relay().await;
    let port = r.port();
    for origin in [
        Some("https://evil.example"),
        Some(OTHER_ORIGIN),
        Some("null"),
        None,
    ] {
        assert_eq!(
            ws_connect(port, "/extension", origin).await.err(),
            Some(403),
            "{origin:?}"
        );
    }
    r.shutdown().await;
}

#[tokio::test]
async fn handshake_ack_fields_and_health() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect_with(port, Some(TOKEN)).await;
    let ack = recv(&mut ext).await;
    assert_eq!(
        ack,
        json!({"type":"handshakeAck","payload":{"instanceId":r.instance_id(),"relayPort":port,
            "pairingRequired":true,"epoch":r.epoch()}})
    );
    send(&mut ext, json!({"type":"ping","id":"p1"})).await;
    let pong = recv(&mut ext).await;
    assert_eq!(pong["type"], "pong");
    assert_eq!(pong["id"], "p1");
    assert_eq!(pong["payload"]["ok"], true);
    assert_eq!(pong["payload"]["reason"], "ok");
    assert_eq!(pong["payload"]["extensionHandshakeComplete"], true);
    send(&mut ext, json!({"type":"healthCheck","id":"h1"})).await;
    let hc = recv(&mut ext).await;
    assert_eq!(hc["type"], "healthCheckResult");
    assert_eq!(hc["id"], "h1");
    assert_eq!(hc["payload"]["extensionConnected"], true);
    // Re-sent handshake is acked again.
    send(
        &mut ext,
        json!({"type":"handshake","payload":{"tabId":9,"pairingToken":TOKEN}}),
    )
    .await;
    assert_eq!(recv(&mut ext).await["type"], "handshakeAck");
    // A handshake whose tabId is not a number is ignored.
    send(
        &mut ext,
        json!({"type":"handshake","payload":{"tabId":"9","pairingToken":TOKEN}}),
    )
    .await;
    recv_none(&mut ext, 200).await;
    // Unparseable input is ignored, the socket stays.
    send_text(&mut ext, "{nope").await;
    send(&mut ext, json!({"type":"ping","id":"p2"})).await;
    assert_eq!(recv(&mut ext).await["id"], "p2");
    let st = status(port).await;
    assert_eq!(st["extensionConnected"], true);
    assert_eq!(st["extensionHandshakeComplete"], true);
    assert_eq!(st["health"]["reason"], "ok");
    r.shutdown().await;
}

#[tokio::test]
async fn bad_and_missing_token_close_1008_and_record_error() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect_with(port, Some(&format!("{TOKEN}0"))).await;
    assert_eq!(
        expect_close(&mut ext).await,
        (1008, "Invalid pairing token".to_string())
    );
    let st = status(port).await;
    assert_eq!(st["lastHandshakeError"]["code"], "pairing_invalid");
    assert_eq!(st["health"]["reason"], "pairing_invalid");
    assert_eq!(st["extensionConnected"], false);

    let mut ext = FakeExtension::connect_with(port, None).await;
    assert_eq!(
        expect_close(&mut ext).await,
        (1008, "Invalid pairing token".to_string())
    );
    let st = status(port).await;
    assert_eq!(st["lastHandshakeError"]["code"], "pairing_missing");
    assert_eq!(st["health"]["reason"], "pairing_required");
    assert!(
        !st.to_string().contains(TOKEN),
        "status never carries the token"
    );

    // A good handshake clears the error.
    let _good = FakeExtension::connect(port).await;
    let st = status(port).await;
    assert!(st.get("lastHandshakeError").is_none());
    assert_eq!(st["health"]["reason"], "ok");
    r.shutdown().await;
}

#[tokio::test]
async fn extension_throttled_after_five_failed_handshakes() {
    let r = relay().await;
    let port = r.port();
    for _ in 0..5 {
        let mut ext = FakeExtension::connect_with(port, Some("x")).await;
        assert_eq!(expect_close(&mut ext).await.0, 1008);
    }
    assert_eq!(
        ws_connect(port, "/extension", Some(OUR_ORIGIN)).await.err(),
        Some(429)
    );
    r.shutdown().await;
}

#[tokio::test]
async fn replacement_closes_old_extension_and_dependents() {
    let r = relay().await;
    let port = r.port();
    let mut old = FakeExtension::connect(port).await;
    let (mut ops, _) = acked_ops_client(port, &mut old).await;
    let mut canvas = client(port, "/canvas").await;
    let mut cdp = client(port, "/cdp").await;
    // A new socket that never handshakes does not displace the old one.
    let _idle = ws_connect(port, "/extension", Some(OUR_ORIGIN))
        .await
        .unwrap();
    send(&mut old.ws, json!({"type":"ping","id":"still"})).await;
    assert_eq!(old.recv().await["id"], "still");

    let _new = FakeExtension::connect(port).await;
    assert_eq!(
        expect_close(&mut old.ws).await,
        (1000, "Replaced by a new extension client".to_string())
    );
    for ws in [&mut ops, &mut canvas, &mut cdp] {
        assert_eq!(
            expect_close(ws).await,
            (1011, "Extension replaced.".to_string())
        );
    }
    let st = status(port).await;
    assert_eq!(st["extensionHandshakeComplete"], true);
    assert_eq!(st["opsConnected"], false);
    r.shutdown().await;
}

#[tokio::test]
async fn extension_drop_closes_every_client_1011() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    let (mut ops1, _) = acked_ops_client(port, &mut ext).await;
    let (mut ops2, _) = acked_ops_client(port, &mut ext).await;
    let mut canvas = client(port, "/canvas").await;
    let mut annotation = client(port, "/annotation").await;
    let mut cdp = client(port, "/cdp").await;
    ext.send(
        json!({"type":"ops_event","clientId":"nobody","opsSessionId":"s",
        "event":"ops_session_created","payload":{"tabId":3,"targetId":"tab-3"}}),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(status(port).await["opsOwnedTargetCount"], 1);
    drop(ext);
    for ws in [&mut ops1, &mut ops2, &mut canvas, &mut annotation, &mut cdp] {
        assert_eq!(
            expect_close(ws).await,
            (1011, "Extension disconnected.".to_string())
        );
    }
    let st = status(port).await;
    assert_eq!(st["extensionConnected"], false);
    assert_eq!(st["opsOwnedTargetCount"], 0);
    assert_eq!(st["health"]["reason"], "extension_disconnected");
    r.shutdown().await;
}

#[tokio::test]
async fn ops_owned_target_count_follows_session_events() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    let (mut ops, id) = acked_ops_client(port, &mut ext).await;
    let ev = |event: &str, tab: i64| {
        json!({"type":"ops_event","clientId":id,"opsSessionId":"s","event":event,
            "payload":{"tabId":tab,"targetId":format!("tab-{tab}")}})
    };
    ext.send(ev("ops_session_created", 1)).await;
    ext.send(ev("ops_session_created", 2)).await;
    ext.send(ev("ops_session_released", 2)).await;
    for expected in [
        "ops_session_created",
        "ops_session_created",
        "ops_session_released",
    ] {
        assert_eq!(recv(&mut ops).await["event"], expected);
    }
    let st = status(port).await;
    assert_eq!(st["opsOwnedTargetCount"], 2);
    assert_eq!(st["health"]["reason"], "relay_dirty");
    // /cdp attach to an ops-owned tab is blocked by the relay.
    let mut cdp = client(port, "/cdp").await;
    send(
        &mut cdp,
        json!({"id":1,"method":"Target.attachToTarget","params":{"targetId":"tab-1"}}),
    )
    .await;
    let blocked = recv(&mut cdp).await;
    assert_eq!(
        blocked["error"]["message"],
        "cdp_attach_blocked: target is owned by an ops session"
    );
    drop(cdp);
    ext.send(ev("ops_session_closed", 1)).await;
    ext.send(ev("ops_tab_closed", 2)).await;
    recv(&mut ops).await;
    recv(&mut ops).await;
    let cc = ext.recv().await;
    assert_eq!(cc, json!({"type":"cdp_control","action":"client_closed"}));
    assert_eq!(status(port).await["opsOwnedTargetCount"], 0);
    r.shutdown().await;
}

#[tokio::test]
async fn shutdown_closes_everything_1000() {
    let r = relay().await;
    let port = r.port();
    let mut ext = FakeExtension::connect(port).await;
    let (mut ops, _) = acked_ops_client(port, &mut ext).await;
    let mut annotation = client(port, "/annotation").await;
    let stopping = tokio::spawn(r.shutdown());
    for ws in [&mut ext.ws, &mut ops, &mut annotation] {
        assert_eq!(expect_close(ws).await, (1000, "Relay stopped".to_string()));
    }
    stopping.await.unwrap();
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "listener gone"
    );
}

#[tokio::test]
async fn pairing_off_accepts_any_handshake() {
    let r = relay_with(odb_relay::RelayConfig {
        port: 0,
        ..Default::default()
    })
    .await;
    let port = r.port();
    let mut ext = FakeExtension::connect_with(port, None).await;
    let ack = recv(&mut ext).await;
    assert_eq!(ack["payload"]["pairingRequired"], false);
    // /ops needs no token.
    assert!(ws_connect(port, "/ops", None).await.is_ok());
    r.shutdown().await;
}
