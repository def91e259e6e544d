//! HTTP behaviour of the relay: /config, /pair, /status, preflights, Host guard, rate limits,
//! bind address, header timeout and the discovery listener (PROTOCOL.md §1, SECURITY.md A/B).

mod common;

use std::time::Duration;

use common::*;
use odb_relay::RelayConfig;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn config_fields_and_no_store() {
    let r = relay().await;
    let port = r.port();
    let resp = reqwest::get(format!("http://127.0.0.1:{port}/config"))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["relayPort"], port);
    assert_eq!(body["pairingRequired"], true);
    assert_eq!(body["instanceId"], r.instance_id());
    assert_eq!(body["epoch"], r.epoch());
    assert_eq!(body["discoveryPort"], port);
    assert_eq!(body.as_object().unwrap().len(), 5);
    r.shutdown().await;
}

#[tokio::test]
async fn status_body_matches_handle() {
    let r = relay().await;
    let resp = reqwest::get(format!("http://127.0.0.1:{}/status", r.port()))
        .await
        .unwrap();
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body, serde_json::to_value(r.status()).unwrap());
    assert_eq!(body["health"]["reason"], "extension_disconnected");
    assert_eq!(body["running"], true);
    r.shutdown().await;
}

#[tokio::test]
async fn pair_only_by_post_from_our_extension() {
    let r = relay().await;
    let url = format!("http://127.0.0.1:{}/pair", r.port());
    let http = reqwest::Client::new();

    let get = http.get(&url).send().await.unwrap();
    assert_eq!(get.status(), 403);
    let body: Value = get.json().await.unwrap();
    assert_eq!(
        body["error"],
        "Forbidden: use POST /pair from the extension"
    );

    let ours = http
        .post(&url)
        .header("Origin", OUR_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(ours.status(), 200);
    assert_eq!(ours.headers()["cache-control"], "no-store");
    assert_eq!(ours.headers()["access-control-allow-origin"], OUR_ORIGIN);
    let body: Value = ours.json().await.unwrap();
    assert_eq!(body["token"], TOKEN);
    assert_eq!(body["instanceId"], r.instance_id());
    assert_eq!(body["epoch"], r.epoch());

    for origin in [
        Some(OTHER_ORIGIN),
        Some("https://evil.example"),
        Some("null"),
        None,
    ] {
        let mut req = http.post(&url);
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 403, "{origin:?}");
        assert!(resp.headers().get("access-control-allow-origin").is_none());
        let body = resp.text().await.unwrap();
        assert!(!body.contains(TOKEN));
    }
    // GET with our origin is refused too: the token only travels on POST.
    let get_ours = http
        .get(&url)
        .header("Origin", OUR_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(get_ours.status(), 403);
    r.shutdown().await;
}

#[tokio::test]
async fn compat_open_pair_reopens_get() {
    let r = relay_with(RelayConfig {
        port: 0,
        token: Some(TOKEN.into()),
        compat_open_pair: true,
        ..RelayConfig::default()
    })
    .await;
    let body: Value = reqwest::get(format!("http://127.0.0.1:{}/pair", r.port()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["token"], TOKEN);
    r.shutdown().await;
}

/// SECURITY.md checklist A11: with `http_pair` off, a forged extension Origin gets nothing over HTTP (POST,
/// and GET even in compat mode); the rest of the relay keeps working.
#[tokio::test]
async fn http_pair_off_hands_the_token_to_no_http_caller() {
    let r = relay_with(RelayConfig {
        port: 0,
        token: Some(TOKEN.into()),
        compat_open_pair: true,
        http_pair: false,
        ..RelayConfig::default()
    })
    .await;
    let base = format!("http://127.0.0.1:{}", r.port());
    let http = reqwest::Client::new();
    let forged = http
        .post(format!("{base}/pair"))
        .header("Origin", OUR_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let body = forged.text().await.unwrap();
    assert!(!body.contains(TOKEN));
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"], odb_relay::HTTP_PAIR_OFF);
    let get = http.get(format!("{base}/pair")).send().await.unwrap();
    assert_eq!(get.status(), 403);
    assert!(!get.text().await.unwrap().contains(TOKEN));
    let config = http.get(format!("{base}/config")).send().await.unwrap();
    assert_eq!(config.status(), 200);
    r.shutdown().await;
}

#[tokio::test]
async fn host_allow_list_on_http_and_ws() {
    let r = relay().await;
    let port = r.port();
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost@evil:{port}"),
        format!("2130706433:{port}"),
        "127.0.0.1".to_string(),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
    ] {
        for path in ["/config", "/status", "/pair", "/nope"] {
            let (status, _, body) = get_with_host(port, path, &host, "").await;
            assert_eq!(status, 403, "{host} {path}");
            assert_eq!(body, r#"{"error":"Forbidden: host not allowed"}"#);
        }
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        let (status, head, _) = get_with_host(port, "/config", &host, "").await;
        assert_eq!(status, 200, "{host}");
        assert!(head.contains("cache-control: no-store"));
    }
    // HTTP/1.0 without Host.
    let (status, _, _) = raw_http(port, "GET /config HTTP/1.0\r\n\r\n").await;
    assert_eq!(status, 400);
    // WebSocket upgrade with a rebinding Host, even with a valid token.
    let upgrade = format!(
        "GET /ops?token={TOKEN} HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: Upgrade\r\n\
         Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    );
    let (status, _, _) = raw_http(port, &upgrade).await;
    assert_eq!(status, 403);
    let upgrade = upgrade.replace("/ops?token=", "/extension?x=").replace(
        "Connection: Upgrade",
        &format!("Origin: {OUR_ORIGIN}\r\nConnection: Upgrade"),
    );
    let (status, _, _) = raw_http(port, &upgrade).await;
    assert_eq!(status, 403);
    r.shutdown().await;
}

#[tokio::test]
async fn get_origin_rules() {
    let r = relay().await;
    let url = format!("http://127.0.0.1:{}/status", r.port());
    let http = reqwest::Client::new();
    for bad in [
        OTHER_ORIGIN,
        "https://evil.example",
        "http://127.0.0.1:8787",
    ] {
        let resp = http.get(&url).header("Origin", bad).send().await.unwrap();
        assert_eq!(resp.status(), 403, "{bad}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"], "Forbidden: extension origin required");
    }
    let ok = http
        .get(&url)
        .header("Origin", OUR_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["access-control-allow-origin"], OUR_ORIGIN);
    let null = http
        .get(&url)
        .header("Origin", "null")
        .send()
        .await
        .unwrap();
    assert_eq!(null.status(), 200, "Origin: null counts as absent");
    assert!(null.headers().get("access-control-allow-origin").is_none());
    r.shutdown().await;
}

#[tokio::test]
async fn options_preflight_headers() {
    let r = relay().await;
    let port = r.port();
    for path in ["/config", "/status", "/pair"] {
        let extra = format!(
            "Origin: {OUR_ORIGIN}\r\nAccess-Control-Request-Method: POST\r\n\
             Access-Control-Request-Private-Network: true\r\n"
        );
        let req = format!(
            "OPTIONS {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}Connection: close\r\n\r\n"
        );
        let (status, head, _) = raw_http(port, &req).await;
        assert_eq!(status, 204, "{path}");
        assert!(head.contains(&format!("access-control-allow-origin: {OUR_ORIGIN}")));
        assert!(head.contains("access-control-allow-methods: get, post, options"));
        assert!(head.contains("access-control-allow-headers: content-type, authorization"));
        assert!(head.contains("access-control-allow-private-network: true"));
        // Without the PNA request header, no PNA answer.
        let req = format!(
            "OPTIONS {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {OUR_ORIGIN}\r\nConnection: close\r\n\r\n"
        );
        let (_, head, _) = raw_http(port, &req).await;
        assert!(!head.contains("access-control-allow-private-network"));
        for other in ["null", "https://evil.example", OTHER_ORIGIN] {
            let req = format!(
                "OPTIONS {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {other}\r\n\
                 Access-Control-Request-Private-Network: true\r\nConnection: close\r\n\r\n"
            );
            let (status, head, _) = raw_http(port, &req).await;
            assert_eq!(status, 204);
            assert!(!head.contains("access-control-allow"), "{other}: {head}");
        }
    }
    r.shutdown().await;
}

#[tokio::test]
async fn unknown_path_is_404_empty() {
    let r = relay().await;
    let resp = reqwest::get(format!("http://127.0.0.1:{}/json/version", r.port()))
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.text().await.unwrap(), "");
    r.shutdown().await;
}

#[tokio::test]
async fn http_rate_limit_429_and_config_exemption() {
    let r = relay().await;
    let port = r.port();
    let http = reqwest::Client::new();
    for i in 0..60 {
        let resp = http
            .get(format!("http://127.0.0.1:{port}/status"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "request {i}");
    }
    let resp = http
        .get(format!("http://127.0.0.1:{port}/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "Too Many Requests");
    let pair = http
        .post(format!("http://127.0.0.1:{port}/pair"))
        .header("Origin", OUR_ORIGIN);
    assert_eq!(
        pair.send().await.unwrap().status(),
        429,
        "the limit spans paths"
    );
    let config = http
        .get(format!("http://127.0.0.1:{port}/config"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        config.status(),
        200,
        "loopback /config without Origin is exempt"
    );
    let config_o = http
        .get(format!("http://127.0.0.1:{port}/config"))
        .header("Origin", OUR_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(config_o.status(), 429, "with an Origin it counts");
    r.shutdown().await;
}

#[tokio::test]
async fn binds_loopback_only_and_port_in_use_fails() {
    let r = relay().await;
    assert_eq!(r.local_addr().ip().to_string(), "127.0.0.1");
    let taken = odb_relay::start(RelayConfig {
        port: r.port(),
        ..RelayConfig::default()
    })
    .await;
    assert!(taken.is_err(), "no fallback port");
    let msg = format!("{:#}", taken.err().unwrap());
    assert!(msg.contains(&r.port().to_string()), "{msg}");
    r.shutdown().await;
}

#[tokio::test]
async fn slow_headers_are_cut_off() {
    let r = relay().await;
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", r.port()))
        .await
        .unwrap();
    s.write_all(b"GET /config HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "connection closed by the header read timeout");
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "closed by the timer, not at once"
    );
    r.shutdown().await;
}

#[tokio::test]
async fn discovery_listener_serves_config_and_status_only() {
    let r = relay_with(RelayConfig {
        port: 0,
        discovery_port: Some(0),
        token: Some(TOKEN.into()),
        ..RelayConfig::default()
    })
    .await;
    let st = r.status();
    let dport = st.discovery_port.expect("discovery listener bound");
    assert_ne!(dport, r.port());
    let cfg: Value = reqwest::get(format!("http://127.0.0.1:{dport}/config"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cfg["relayPort"], r.port());
    assert_eq!(cfg["discoveryPort"], dport);
    let (status, _, _) = get_with_host(dport, "/status", &format!("localhost:{dport}"), "").await;
    assert_eq!(status, 200);
    let (status, _, _) =
        get_with_host(dport, "/config", &format!("localhost:{}", r.port()), "").await;
    assert_eq!(
        status, 403,
        "Host must name the port the request arrived on"
    );
    let pair = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{dport}/pair"))
        .header("Origin", OUR_ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(pair.status(), 404);
    r.shutdown().await;
}

#[tokio::test]
async fn discovery_bind_failure_is_reported_not_fatal() {
    let blocker = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let taken = blocker.local_addr().unwrap().port();
    let r = relay_with(RelayConfig {
        port: 0,
        discovery_port: Some(taken),
        ..RelayConfig::default()
    })
    .await;
    let st = r.status();
    assert!(st.discovery_error.is_some());
    assert_eq!(st.discovery_port, None);
    assert_eq!(
        serde_json::to_value(st.health.reason).unwrap(),
        "discovery_unavailable"
    );
    r.shutdown().await;
}
