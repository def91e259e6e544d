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
