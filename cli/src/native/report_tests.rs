//! `status --transport native` report: each of installed / reachable / paired, and why not.

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde_json::json;

use super::*;

fn browser(installed: bool, host_exists: bool) -> BrowserStatus {
    BrowserStatus {
        browser: "chromium".into(),
        manifest_path: PathBuf::from(
            "/h/.config/chromium/NativeMessagingHosts/com.opendevbrowser.native.json",
        ),
        installed,
        host_exists,
        allowed_origins: vec![],
        registry_ok: None,
    }
}

/// A native directory as the relay leaves it: 0700 directory, 0600 token file.
fn native_dir(tmp: &Path) -> PathBuf {
    let dir = tmp.join("native");
    std::fs::DirBuilder::new().mode(0o700).create(&dir).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(dir.join("relay.token"))
        .unwrap();
    dir
}

fn daemon(socket: &Path, transport: Option<&str>) -> DaemonAnswer {
    Ok(json!({
        "daemon": {"nativeBridge": {"socket": socket}, "httpPair": true},
        "relay": {"extensionConnected": transport.is_some(), "extensionHandshakeComplete": transport.is_some(),
                  "extensionTransport": transport},
    }))
}

#[test]
fn all_three_hold_when_installed_listening_trusted_and_linked_over_native() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = native_dir(tmp.path());
    let r = build(
        vec![browser(true, true)],
        &dir,
        &daemon(&dir.join("relay.sock"), Some("native")),
    );
    assert!(r.installed && r.reachable && r.paired, "{r:?}");
    assert!(r.problems.is_empty(), "{r:?}");
    assert_eq!(r.next, None);
    assert!(
        text(&r).starts_with("installed: yes\nreachable: yes\npaired: yes"),
        "{}",
        text(&r)
    );
    assert_eq!(r.http_pair, Some(true));
    assert!(
        text(&r).contains("opendevbrowser serve --no-http-pair leaves only the host"),
        "{}",
        text(&r)
    );
}

#[test]
fn no_daemon_leaves_only_installed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = native_dir(tmp.path());
    let r = build(
        vec![browser(true, true)],
        &dir,
        &Err("daemon not running".into()),
    );
    assert!(r.installed && !r.reachable && !r.paired, "{r:?}");
    assert_eq!(r.http_pair, None);
    assert!(!text(&r).contains("httpPair"), "{}", text(&r));
    assert!(
        r.problems[0].contains("no daemon: daemon not running"),
        "{r:?}"
    );
    assert_eq!(
        r.next.as_deref(),
        Some("opendevbrowser serve   (the daemon starts the native bridge)")
    );
}

#[test]
fn a_missing_manifest_or_host_binary_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = native_dir(tmp.path());
    let r = build(
        vec![browser(false, false)],
        &dir,
        &daemon(&dir.join("relay.sock"), None),
    );
    assert!(!r.installed && r.reachable && !r.paired, "{r:?}");
    assert!(
        r.problems[0].contains("not installed for any browser"),
        "{r:?}"
    );
    assert_eq!(r.next.as_deref(), Some("opendevbrowser native install"));
    let r = build(
        vec![browser(true, false)],
        &dir,
        &daemon(&dir.join("relay.sock"), None),
    );
    assert!(r.problems[0].contains("host binary is missing"), "{r:?}");
}

#[test]
fn a_bridge_elsewhere_or_an_open_directory_is_not_reachable() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = native_dir(tmp.path());
    let r = build(
        vec![browser(true, true)],
        &dir,
        &daemon(Path::new("/elsewhere/relay.sock"), None),
    );
    assert!(!r.reachable, "{r:?}");
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("/elsewhere/relay.sock")),
        "{r:?}"
    );
    let no_bridge = Ok(json!({"daemon": {"nativeBridge": null}, "relay": {}}));
    let r = build(vec![browser(true, true)], &dir, &no_bridge);
    assert!(
        r.problems.iter().any(|p| p.contains("not listening")),
        "{r:?}"
    );
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = build(
        vec![browser(true, true)],
        &dir,
        &daemon(&dir.join("relay.sock"), None),
    );
    assert!(!r.reachable, "{r:?}");
    assert!(r.problems.iter().any(|p| p.contains("mode 755")), "{r:?}");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::set_permissions(
        dir.join("relay.token"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let r = build(
        vec![browser(true, true)],
        &dir,
        &daemon(&dir.join("relay.sock"), None),
    );
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("relay.token has mode 644")),
        "{r:?}"
    );
}

#[test]
fn an_extension_on_the_websocket_is_not_paired_over_native() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = native_dir(tmp.path());
    let r = build(
        vec![browser(true, true)],
        &dir,
        &daemon(&dir.join("relay.sock"), Some("websocket")),
    );
    assert!(r.installed && r.reachable && !r.paired, "{r:?}");
    assert!(
        r.problems
            .iter()
            .any(|p| p.contains("linked over websocket, not native messaging")),
        "{r:?}"
    );
    assert!(
        r.next.as_deref().unwrap().contains("nativeEnabled"),
        "{r:?}"
    );
}
