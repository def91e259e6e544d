//! The host binary as Chrome runs it: origin check (SECURITY.md E1), ping, exit on EOF (E7), bad frames (E2).

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_opendevbrowser-native-host");
const ORIGIN: &str = "chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk/";

fn run(args: &[&str], stdin: &[u8]) -> (i32, Vec<u8>, Duration) {
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The host may exit before reading (a refused origin): a broken pipe is expected then.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), out.stdout, start.elapsed())
}

fn frame(json: &str) -> Vec<u8> {
    let mut v = (json.len() as u32).to_ne_bytes().to_vec();
    v.extend_from_slice(json.as_bytes());
    v
}

#[test]
fn wrong_or_missing_origin_exits_with_no_output() {
    for args in [
        &[][..],
        &["chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"][..],
    ] {
        let (code, stdout, _) = run(args, &frame(r#"{"type":"ping","id":"1"}"#));
        assert_ne!(code, 0);
        assert!(stdout.is_empty(), "nothing on stdout for a refused origin");
    }
}

#[test]
fn answers_ping_then_exits_on_eof() {
    let (code, stdout, took) = run(&[ORIGIN], &frame(r#"{"type":"ping","id":"abc"}"#));
    assert_eq!(code, 0);
    assert_eq!(stdout, frame(r#"{"id":"abc","type":"pong"}"#));
    assert!(took < Duration::from_secs(2), "exits promptly on EOF");
}

#[test]
fn oversize_header_exits_nonzero_without_reply() {
    let (code, stdout, _) = run(&[ORIGIN], &[0xff, 0xff, 0xff, 0xff]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
}

fn run_in(dir: &std::path::Path, stdin: &[u8]) -> (i32, Vec<u8>) {
    let mut child = Command::new(BIN)
        .arg(ORIGIN)
        .env("ODB_NATIVE_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin);
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), out.stdout)
}

#[test]
fn zero_and_short_headers_and_bad_bodies_exit_without_reply() {
    for input in [
        &[0u8, 0, 0, 0][..],
        &[1, 0, 0][..],
        &[5, 0, 0, 0, b'{'][..],
        &[2, 0, 0, 0, 0xff, 0xfe][..],
        &[3, 0, 0, 0, b'a', b'b', b'c'][..],
    ] {
        let (code, stdout, took) = run(&[ORIGIN], input);
        assert_eq!(code, 1, "{input:?}");
        assert!(stdout.is_empty(), "{input:?}");
        assert!(took < Duration::from_secs(2));
    }
}

/// SECURITY.md E8: a native directory open to group/other is never dialled; the extension hears
/// `relay_unavailable` and the host keeps answering pings. Also: logs never reach stdout (E5).
#[test]
fn an_untrusted_native_dir_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("odb-host-e8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.join("relay.token"), "x").unwrap();
    let mut input = frame(r#"{"type":"handshake","payload":{"tabId":-1}}"#);
    input.extend(frame(r#"{"type":"ping","id":"after"}"#));
    let (code, stdout) = run_in(&dir, &input);
    assert_eq!(code, 0);
    let mut r = &stdout[..];
    let mut frames = Vec::new();
    while r.len() >= 4 {
        let len = u32::from_ne_bytes(r[..4].try_into().unwrap()) as usize;
        frames.push(serde_json::from_slice::<serde_json::Value>(&r[4..4 + len]).unwrap());
        r = &r[4 + len..];
    }
    assert!(r.is_empty(), "stdout holds frames only");
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert_eq!(frames[0]["code"], "relay_unavailable");
    assert!(
        frames[0]["message"]
            .as_str()
            .unwrap()
            .contains("group/other"),
        "{}",
        frames[0]
    );
    assert_eq!(frames[1], serde_json::json!({"type":"pong","id":"after"}));
    let log = std::fs::read_to_string(dir.join("host.log")).unwrap();
    assert!(log.contains("relay unavailable"), "{log}");
    std::fs::remove_dir_all(dir).unwrap();
}
