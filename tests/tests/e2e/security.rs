//! SECURITY.md checklist A against the daemon's real relay: tokens, Origins, Host, `/pair`, loopback binds, and
//! no token in any log or output.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;

use odb_e2e::env::{ref_of, TestEnv};
use odb_protocol::limits::EXTENSION_ID;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, http::HeaderValue};

const EVIL: &str = "https://evil.example";

fn our_origin() -> String {
    format!("chrome-extension://{EXTENSION_ID}")
}

/// Tries a WebSocket upgrade; `Ok(())` when it was accepted, `Err(status)` when refused before 101.
fn upgrade(url: &str, origin: Option<&str>) -> Result<(), u16> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut req = url.into_client_request().unwrap();
        if let Some(origin) = origin {
            req.headers_mut()
                .insert("Origin", HeaderValue::from_str(origin).unwrap());
        }
        match tokio_tungstenite::connect_async(req).await {
            Ok((mut ws, _)) => {
                let _ = ws.close(None).await;
                Ok(())
            }
            Err(tungstenite::Error::Http(resp)) => Err(resp.status().as_u16()),
            Err(other) => panic!("unexpected upgrade error for {url}: {other}"),
        }
    })
}

/// A raw HTTP/1.1 request, returning the status code (lets us set any Host).
fn raw_status(port: u16, request: &str) -> u16 {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut buf = [0u8; 256];
    let n = stream.read(&mut buf).unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    head.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad response {head}"))
}

#[test]
fn hostile_requests_are_refused() {
    let env = TestEnv::daemon_only();
    let port = env.daemon.relay_port;
    let token = env.daemon.relay_token();
    let ops = format!("ws://127.0.0.1:{port}/ops");

    assert_eq!(upgrade(&format!("{ops}?token=wrong"), None), Err(401));
    assert_eq!(upgrade(&ops, None), Err(401));
    assert_eq!(upgrade(&format!("{ops}?token={token}x"), None), Err(401));
    assert_eq!(
        upgrade(&format!("{ops}?token={token}"), Some(EVIL)),
        Err(403)
    );
    assert_eq!(
        upgrade(&format!("ws://127.0.0.1:{port}/extension"), Some(EVIL)),
        Err(403)
    );
    assert_eq!(
        upgrade(&format!("ws://127.0.0.1:{port}/extension"), None),
        Err(403)
    );
    let other_ext = "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    assert_eq!(
        upgrade(&format!("ws://127.0.0.1:{port}/extension"), Some(other_ext)),
        Err(403)
    );

    // /pair: only our extension's Origin gets the token.
    let get_pair =
        format!("GET /pair HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    assert_eq!(raw_status(port, &get_pair), 403);
    let post = |origin: &str| {
        format!(
            "POST /pair HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {origin}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    };
    assert_eq!(raw_status(port, &post(other_ext)), 403);
    assert_eq!(raw_status(port, &post(EVIL)), 403);
    assert_eq!(raw_status(port, &post(&our_origin())), 200);

    // DNS rebinding: a foreign Host is refused.
    let rebind =
        format!("GET /config HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n");
    assert_eq!(raw_status(port, &rebind), 403);
    let good =
        format!("GET /config HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    assert_eq!(raw_status(port, &good), 200);
}

#[test]
fn binds_only_loopback_and_keeps_tokens_secret() {
    let env = TestEnv::paired();
    let sid = env.launch("login.html");
    let snap = env.snapshot(&sid, "outline");
    let email = ref_of(&snap, "textbox \"Email\"");
    env.session(&sid, &["type", "--ref", &email, "--text", "x@y.z"]);
    let failing = env
        .daemon
        .cli(&["click", "--session-id", &sid, "--ref", "r9999"]);
    let status = env.daemon.cli(&["status"]).ok();

    // Every listening socket of the relay and the daemon is on 127.0.0.1.
    for port in [env.daemon.relay_port, env.daemon.daemon_port] {
        let addrs = listening_addresses(port);
        assert!(!addrs.is_empty(), "nothing listens on {port}");
        assert!(
            addrs.iter().all(|a| a == "0100007F"),
            "port {port} bound to {addrs:?}"
        );
    }

    // Secrets: 0600 file in a 0700 dir, and in no log line or output.
    let config = env.daemon.config_dir.join("config.json");
    assert_eq!(
        std::fs::metadata(&config).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        std::fs::metadata(&env.daemon.config_dir)
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
    let cfg = env.daemon.config();
    let secrets = [
        cfg["relayToken"].as_str().unwrap(),
        cfg["daemonToken"].as_str().unwrap(),
    ];
    for secret in secrets {
        assert_eq!(secret.len(), 64);
        for (what, text) in [
            ("daemon log", env.daemon.log()),
            ("browser log", env.browser_log()),
            (
                "failing CLI output",
                format!("{}{}", failing.stdout, failing.stderr),
            ),
            (
                "status output",
                format!("{}{}", status.stdout, status.stderr),
            ),
        ] {
            assert!(!text.contains(secret), "a token appears in the {what}");
        }
    }
    assert!(
        env.daemon.log().len() > 100,
        "the daemon log is not empty (RUST_LOG=debug), so the grep means something"
    );
}

/// Local addresses (hex, as in /proc/net/tcp) of sockets listening on `port`.
fn listening_addresses(port: u16) -> Vec<String> {
    let mut out = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (cols.get(1), cols.get(3)) else {
                continue;
            };
            let Some((addr, p)) = local.split_once(':') else {
                continue;
            };
            if *state == "0A" && u16::from_str_radix(p, 16).ok() == Some(port) {
                out.push(addr.to_string());
            }
        }
    }
    out
}
