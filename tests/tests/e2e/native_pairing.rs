//! Pairing over native messaging end to end (issue 5, docs/NATIVE.md "Pairing over native messaging"): the
//! native host is installed in the profile but `nativeEnabled` is off, and the connect page gives the
//! extension only the relay port, so the extension must fetch the token itself. It asks the host
//! (`pair_request`), never `POST /pair`, then links over the `/extension` WebSocket and drives a page.
//! Chromium's net log (`--log-net-log`) is the browser's own record that no `/pair` request was made.

use std::path::{Path, PathBuf};
use std::time::Duration;

use odb_e2e::env::{relay_facts, TestEnv};
use odb_e2e::http::post_pair;
use odb_e2e::native::host_binary;
use odb_e2e::wait_for;
use odb_protocol::limits::EXTENSION_ID;
use opendevbrowser::launcher::NativeHostSetup;
use serde_json::Value;

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).to_string()
}

/// A daemon and Chromium with the host installed, `nativeEnabled` off, and a net log.
struct Setup {
    env: TestEnv,
    native_dir: PathBuf,
    net_log: PathBuf,
}

impl Setup {
    /// Starts both and waits until the extension is linked.
    fn start() -> Setup {
        Setup::start_with(&[])
    }

    /// [`Setup::start`] with more `serve` flags.
    fn start_with(serve_flags: &[&str]) -> Setup {
        let mut env = TestEnv::daemon_only_with(serve_flags);
        let native_dir = env.daemon.config_dir.join("native");
        let net_log = env.dir.path().join("netlog.json");
        let dir = native_dir.clone();
        let flag = format!("--log-net-log={}", net_log.display());
        env.start_browser_with(move |opts| {
            opts.native_host = Some(NativeHostSetup {
                host_path: host_binary(),
                native_dir: Some(dir),
            });
            opts.native_enabled = Some(false);
            opts.extra_flags.push(flag);
        });
        let setup = Setup {
            env,
            native_dir,
            net_log,
        };
        let Some(took) = setup.env.wait_paired(Duration::from_secs(45)) else {
            setup.fail("extension not linked within 45 s");
        };
        println!("linked {took:?} after the browser started");
        setup
    }

    fn host_log(&self) -> String {
        read(&self.native_dir.join("host.log"))
    }

    /// The pairing file the daemon published.
    fn facts(&self) -> Value {
        serde_json::from_str(&read(&self.native_dir.join("relay.pairing.json")))
            .unwrap_or_else(|e| self.fail(&format!("no pairing file: {e}")))
    }

    /// The extension's own log lines (`[odb] ...`).
    fn extension_lines(&self) -> String {
        self.env.extension_log()
    }

    /// Panics with the daemon, host and extension logs.
    fn fail(&self, what: &str) -> ! {
        panic!(
            "{what}\n--- daemon log\n{}\n--- host log\n{}\n--- extension log\n{}",
            self.env.daemon.log(),
            self.host_log(),
            self.extension_lines()
        )
    }

    /// The link is the `/extension` WebSocket with the handshake complete, never native messaging.
    fn assert_websocket_link(&self) {
        let daemon_log = self.env.daemon.log();
        assert!(
            daemon_log.contains("extension socket opened"),
            "no /extension WebSocket:\n{daemon_log}"
        );
        assert!(
            !daemon_log.contains("extension connected over native messaging"),
            "nativeEnabled is off, yet the link went native:\n{daemon_log}"
        );
        let status = self.env.status().expect("status");
        let relay = relay_facts(&status);
        assert_eq!(relay["extensionHandshakeComplete"], true, "{status}");
        if let Some(transport) = relay.get("extensionTransport").and_then(Value::as_str) {
            assert_eq!(transport, "websocket", "{status}");
        }
    }

    /// The extension took every token from the host and never fell back to `POST /pair`.
    fn assert_no_pair_fallback(&self) {
        let lines = self.extension_lines();
        assert!(
            lines.contains("pairing token obtained over native messaging"),
            "{lines}"
        );
        assert!(
            !lines.contains("asking POST /pair")
                && !lines.contains("pairing token obtained from relay"),
            "the extension used POST /pair:\n{lines}"
        );
    }

    /// Stops the browser (which completes the net log) and checks that it saw `/config` on `port` and no
    /// `/pair` request at all.
    fn assert_net_log_has_no_pair(&mut self, port: u16) {
        self.env.browser.take();
        let log = read(&self.net_log);
        println!("net log: {} bytes", log.len());
        assert!(
            log.contains(&format!("http://127.0.0.1:{port}/config")),
            "the net log does not show the /config request ({} bytes)",
            log.len()
        );
        assert!(
            !log.contains(&format!("127.0.0.1:{port}/pair")),
            "a /pair request was made"
        );
    }

    /// The `answered pair_request` lines of the host log.
    fn answered(&self) -> Vec<String> {
        self.host_log()
            .lines()
            .filter(|l| l.contains("answered pair_request"))
            .map(str::to_string)
            .collect()
    }
}

#[test]
fn the_host_hands_the_token_to_the_websocket_path_instead_of_pair() {
    let mut setup = Setup::start();
    let port = setup.env.daemon.relay_port;
    let token = setup.env.daemon.relay_token();

    // The daemon published the relay's pairing facts beside its native bridge.
    let facts = setup.facts();
    assert_eq!(facts["relayPort"], port, "{facts:?}");
    assert!(
        facts["pairingToken"] == token.as_str(),
        "the file holds the relay token"
    );

    setup.assert_websocket_link();

    // The token came over native messaging: the host answered pair_request (without logging the token).
    let host_log = setup.host_log();
    assert!(
        host_log.contains(&format!(
            "answered pair_request (relay port {port}, instance {}",
            facts["instanceId"].as_str().unwrap()
        )),
        "the host answered no pair_request:\n{host_log}"
    );
    assert!(!host_log.contains(&token), "the host logged the token");
    setup.assert_no_pair_fallback();

    // Drive a page through the WebSocket link, checked on the page.
    let env = &setup.env;
    let sid = env.launch("index.html");
    let out = env.session(&sid, &["goto", "--url", &env.fixtures.url("login.html")]);
    assert!(
        out["finalUrl"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/login.html"),
        "{out}"
    );
    let snap = env.snapshot(&sid, "outline");
    assert!(snap.contains("heading \"Sign in\""), "{snap}");
    assert!(snap.contains("textbox \"Email\""), "{snap}");

    setup.assert_net_log_has_no_pair(port);
}

/// A killed daemon leaves its pairing file behind; the restarted one replaces it, and the extension, which
/// drops its token for the new relay instance, pairs again through the host.
#[test]
fn after_a_daemon_restart_the_extension_pairs_again_through_the_host() {
    let mut setup = Setup::start();
    let port = setup.env.daemon.relay_port;
    let first = setup.facts()["instanceId"].as_str().unwrap().to_string();

    setup.env.daemon.kill();
    assert!(
        setup.native_dir.join("relay.pairing.json").exists(),
        "SIGKILL leaves the file (no drop ran)"
    );
    setup.env.daemon.restart();
    let second = setup.facts()["instanceId"].as_str().unwrap().to_string();
    assert_ne!(first, second, "the new daemon replaced the pairing file");

    let linked = wait_for(Duration::from_secs(30), || {
        let status = setup.env.status()?;
        let relay = relay_facts(&status);
        (relay["extensionHandshakeComplete"] == true).then_some(())
    });
    if linked.is_none() {
        setup.fail("no link to the restarted daemon within 30 s");
    }
    let answered = setup.answered();
    assert!(
        answered.iter().any(|l| l.contains(&first)) && answered.iter().any(|l| l.contains(&second)),
        "the host answered for both relay instances: {answered:#?}"
    );
    setup.assert_websocket_link();
    setup.assert_no_pair_fallback();

    let sid = setup.env.launch("links.html");
    let snap = setup.env.snapshot(&sid, "outline");
    assert!(snap.contains("link \"Dune\""), "{snap}");
    setup.assert_net_log_has_no_pair(port);
}

/// SECURITY.md checklist A11 with `serve --no-http-pair`: a local process that forges our extension's Origin
/// gets no token over HTTP, while the extension, whose token comes from the host Chrome starts only for our
/// origin, pairs and drives a page. `status` says pairing over HTTP is off.
#[test]
fn with_http_pairing_off_a_forged_origin_gets_nothing_and_the_host_still_pairs() {
    let mut setup = Setup::start_with(&["--no-http-pair"]);
    let port = setup.env.daemon.relay_port;
    let token = setup.env.daemon.relay_token();
    setup.assert_websocket_link();
    setup.assert_no_pair_fallback();

    let (status, body) = post_pair(port, &format!("chrome-extension://{EXTENSION_ID}"));
    assert_eq!(status, 403, "{body}");
    assert!(!body.contains(&token), "the refusal carries the token");
    let error: Value = serde_json::from_str(&body).expect("JSON refusal");
    assert_eq!(error["error"], odb_relay::HTTP_PAIR_OFF);
    let log = setup.env.daemon.log();
    assert!(
        !log.contains("token handed out"),
        "the relay handed a token out over HTTP:\n{log}"
    );

    let status = setup.env.status().expect("status");
    assert_eq!(status["daemon"]["httpPair"], false, "{status}");
    let text = setup.env.daemon.cli(&["status"]).ok().stdout;
    assert!(text.contains("httpPair: false"), "{text}");
    let native = setup.env.daemon.json(&["status", "--transport", "native"]);
    assert_eq!(native["httpPair"], false, "{native}");

    let env = &setup.env;
    let sid = env.launch("login.html");
    let snap = env.snapshot(&sid, "outline");
    assert!(snap.contains("textbox \"Email\""), "{snap}");
    setup.assert_net_log_has_no_pair(port);
}

/// Without the host, an extension facing a `--no-http-pair` relay cannot pair, and says why in its popup
/// note (the relay's own words, which name the fix) instead of a bare status code.
#[test]
fn with_http_pairing_off_and_no_host_the_extension_says_why() {
    let mut env = TestEnv::daemon_only_with(&["--no-http-pair"]);
    env.start_browser();
    let said = wait_for(Duration::from_secs(20), || {
        env.extension_log()
            .lines()
            .find(|l| l.contains("Pairing request failed (HTTP 403: "))
            .map(str::to_string)
    })
    .unwrap_or_else(|| panic!("{}", env.pairing_report("no pairing refusal logged")));
    println!(
        "extension: {}",
        said.split("[odb] ").nth(1).unwrap_or(&said)
    );
    assert!(said.contains("opendevbrowser native install"), "{said}");
    let status = env.status().expect("status");
    assert_eq!(
        relay_facts(&status)["extensionHandshakeComplete"],
        false,
        "{status}"
    );
    let log = env.daemon.log();
    assert!(!log.contains("token handed out"), "{log}");
}
