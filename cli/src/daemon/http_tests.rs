//! The control endpoint's guards: bearer token (401), Host allow-list (403), bad bodies (400), and routing.

use super::*;
use odb_protocol::http::StatusResponse;

use crate::ops_client::OpsTarget;

fn fake_status() -> StatusFn {
    Arc::new(|| {
        Box::pin(async {
            serde_json::from_value::<StatusResponse>(json!({"instanceId":"i","running":true,"port":1,
                "discoveryPort":1,"extensionConnected":false,"extensionHandshakeComplete":false,
                "cdpConnected":false,"annotationConnected":false,"opsConnected":false,"opsOwnedTargetCount":0,
                "canvasConnected":false,"pairingRequired":true,"health":{"ok":false,"reason":"extension_disconnected",
                "extensionConnected":false,"extensionHandshakeComplete":false,"cdpConnected":false,
                "annotationConnected":false,"opsConnected":false,"opsOwnedTargetCount":0,"canvasConnected":false,
                "pairingRequired":true}}))
            .expect("status JSON")
        })
    })
}

async fn serve() -> (u16, Arc<Notify>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = Arc::new(Notify::new());
    let state = Arc::new(ControlState {
        token: "a".repeat(64),
        daemon_port: port,
        relay_port: 1,
        dispatcher: Dispatcher::new(
            OpsTarget {
                port: 1,
                token: None,
            },
            fake_status(),
        ),
        relay_status: fake_status(),
        native_socket: None,
        http_pair: true,
        stop: stop.clone(),
    });
    tokio::spawn(async move { axum::serve(listener, router(state)).await });
    (port, stop)
}

#[tokio::test]
async fn token_and_host_are_checked_on_every_route() {
    let (port, _) = serve().await;
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let good = "a".repeat(64);
    for (method, path) in [("GET", "/status"), ("POST", "/command"), ("POST", "/stop")] {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let none = http
            .request(m.clone(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(none.status(), 401, "{path} without a token");
        let wrong = http
            .request(m.clone(), format!("{base}{path}"))
            .bearer_auth("b".repeat(64))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401, "{path} with a wrong token");
        let short = http
            .request(m.clone(), format!("{base}{path}"))
            .bearer_auth("a")
            .send()
            .await
            .unwrap();
        assert_eq!(short.status(), 401, "{path} with a prefix of the token");
        let rebind = http
            .request(m, format!("{base}{path}"))
            .bearer_auth(&good)
            .header("Host", format!("evil.example:{port}"))
            .send()
            .await
            .unwrap();
        assert_eq!(rebind.status(), 403, "{path} with a foreign Host");
    }
}

#[tokio::test]
async fn status_command_and_stop_answer_with_the_envelope() {
    let (port, stop) = serve().await;
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let token = "a".repeat(64);
    let status: Value = http
        .get(format!("{base}/status"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["ok"], true);
    assert_eq!(status["data"]["relay"]["extensionConnected"], false);
    assert_eq!(status["data"]["daemon"]["sessions"], 0);
    let localhost: Value = http
        .get(format!("{base}/status"))
        .bearer_auth(&token)
        .header("Host", format!("localhost:{port}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(localhost["ok"], true);

    let bad = http
        .post(format!("{base}/command"))
        .bearer_auth(&token)
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let unknown: Value = http
        .post(format!("{base}/command"))
        .bearer_auth(&token)
        .json(&json!({"name":"bogus","params":{}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        unknown,
        json!({"ok":false,"error":{"code":"invalid_request","message":"Unknown command: bogus","retryable":false}})
    );

    let notified = stop.clone();
    let waiter = tokio::spawn(async move { notified.notified().await });
    let stopped: Value = http
        .post(format!("{base}/stop"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stopped, json!({"ok":true,"data":{"stopping":true}}));
    tokio::time::timeout(std::time::Duration::from_secs(2), waiter)
        .await
        .unwrap()
        .unwrap();
}
