//! The host binary as Chrome runs it: origin check (SECURITY.md E1), ping, exit on EOF (E7), bad frames (E2),
//! a stalled frame with the port still open (E3), binary-mode stdio (E6), an untrusted directory (E8).

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

/// Runs the host with `ODB_NATIVE_DIR=dir`, feeding `stdin` then EOF; returns its code and stdout.
#[cfg(unix)]
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
#[cfg(unix)]
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

/// Waits up to `limit` for `child` to exit; kills it and panics when it does not.
fn wait_at_most(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the host was still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// SECURITY.md E3 with the port still open: a header claiming 100 bytes followed by 1 byte, and then
/// nothing, while stdin is NOT closed (Chrome alive but stuck). The host must not wait forever: its read
/// deadline (`FRAME_DEADLINE`, 15 s from the frame's first byte) ends it with a non-zero code and nothing on
/// stdout. (Short bodies with EOF, non-UTF-8 and non-JSON bodies are in
/// `zero_and_short_headers_and_bad_bodies_exit_without_reply`.)
#[test]
fn a_stalled_body_with_stdin_open_ends_the_host_at_the_read_deadline() {
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .arg(ORIGIN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&[100, 0, 0, 0, b'{']).unwrap();
    stdin.flush().unwrap();
    let status = wait_at_most(&mut child, Duration::from_secs(25));
    let took = start.elapsed();
    drop(stdin);
    let mut stdout = Vec::new();
    std::io::Read::read_to_end(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    assert!(!status.success(), "{status:?}");
    assert!(stdout.is_empty(), "nothing on stdout: {stdout:?}");
    assert!(
        took >= Duration::from_secs(15) && took < Duration::from_secs(20),
        "exited after {took:?}; the deadline is 15 s"
    );
}

/// A ping whose JSON text is exactly `in_len` bytes and whose pong is exactly `out_len` bytes: the id
/// holds escaped `\n` and `\r\n` (plus padding), and `in_len - out_len` bytes of raw `\r\n` whitespace sit
/// between the tokens. Returns (the ping's text, the pong's exact text).
fn padded_ping(in_len: usize, out_len: usize) -> (String, String) {
    let shell = r#"{"id":"","type":"pong"}"#.len();
    let base = r"line1\nline2\r\nend-é-";
    let escaped_id = format!("{base}{}", "x".repeat(out_len - shell - base.len()));
    let pong = format!(r#"{{"id":"{escaped_id}","type":"pong"}}"#);
    assert_eq!(pong.len(), out_len);
    let tokens = [
        "{".to_string(),
        r#""type""#.into(),
        ":".into(),
        r#""ping""#.into(),
        ",".into(),
        r#""id""#.into(),
        ":".into(),
        format!(r#""{escaped_id}""#),
        "}".into(),
    ];
    let mut spare = in_len - out_len;
    let mut ping = String::new();
    for (i, token) in tokens.iter().enumerate() {
        ping.push_str(token);
        let gaps_left = tokens.len() - 1 - i;
        if gaps_left == 0 {
            break;
        }
        // Whitespace pairs spread over the gaps; an odd byte count ends with a lone `\n`.
        let here = if gaps_left == 1 { spare } else { spare.min(2) };
        ping.push_str(&"\r\n".repeat(here / 2));
        if here % 2 == 1 {
            ping.push('\n');
        }
        spare -= here;
    }
    assert_eq!(ping.len(), in_len);
    (ping, pong)
}

/// SECURITY.md E6, the binary-mode check. Length headers made of `0x0A` / `0x0D` bytes (`0x0D0A` = 3338,
/// `0x0A0A` = 2570, `0x0D0D` = 3341 bytes in; pongs of `0x0A0A` and `0x0D0A` bytes out) and JSON with raw
/// `\r\n` between tokens and escaped `\n` in strings must pass through the real host byte for byte.
///
/// Why this is the Windows text-mode check: a C program's stdio in text mode turns `\n` into `\r\n` on
/// write and `\r\n` into `\n` on read (hence `_setmode(_fileno(stdout), O_BINARY)` in C hosts), which would
/// corrupt exactly these headers and bodies. Rust's std never goes through the CRT: on Windows
/// `Stdin`/`Stdout` call `ReadFile`/`WriteFile` on the raw handles when they are pipes, which is what Chrome
/// gives a native host, so there is no translation to switch off. (Console handles are different: std
/// converts UTF-8 to UTF-16 for `WriteConsoleW` and refuses non-UTF-8 bytes such as most length headers,
/// but Chrome never attaches a host to a console.) On Linux this test pins the byte-exact framing; run on
/// Windows it is the text-mode test itself.
#[test]
fn crlf_bytes_in_headers_and_bodies_round_trip_byte_for_byte() {
    let cases = [(0x0D0A, 0x0A0A), (0x0A0A, 0x0A0A - 16), (0x0D0D, 0x0D0A)];
    let mut input = Vec::new();
    let mut want = Vec::new();
    for (in_len, out_len) in cases {
        let (ping, pong) = padded_ping(in_len, out_len);
        assert!(ping.contains("\r\n") && ping.contains(r"\n"));
        input.extend(frame(&ping));
        want.extend(frame(&pong));
    }
    assert_eq!(&input[..4], &[0x0A, 0x0D, 0, 0], "header bytes of 0x0D0A");
    let (code, stdout, _) = run(&[ORIGIN], &input);
    assert_eq!(code, 0);
    assert_eq!(&stdout[..4], &[0x0A, 0x0A, 0, 0], "header bytes of 0x0A0A");
    let last = 4 + 0x0A0A + 4 + 0x0A0A - 16;
    assert_eq!(&stdout[last..last + 4], &[0x0A, 0x0D, 0, 0], "0x0D0A");
    assert!(stdout == want, "stdout differs from the expected pongs");
}
