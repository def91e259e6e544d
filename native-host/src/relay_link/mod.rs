//! The host's side of the local channel to the relay (`odb_relay::native_bridge`; docs/NATIVE.md).
//!
//! Before anything secret is sent the channel is checked (SECURITY.md checklist E8, qwen-code #11242):
//! - Unix (`unix`): the native directory is ours, a real directory and `0700`, the token file ours and
//!   `0600`-or-stricter, so an impostor cannot plant a socket or a token in a directory only we can write;
//!   on Linux the listening peer's uid (`SO_PEERCRED`) must be ours too.
//! - Windows (`windows`): the directory and token file are real (no links), and the named pipe's server
//!   process must run as our own user (`win_identity`), so a pipe squatted by another user is never sent
//!   the token.
//!
//! Then the first frame is `{"type":"auth","token","origin"}` (the origin is Chrome's `argv[1]`, so the
//! relay knows which extension the session belongs to; SECURITY.md E9) and the relay must answer
//! `{"type":"auth_ok"}` within [`AUTH_TIMEOUT`].
//!
//! Channel framing: a 4-byte little-endian length, then UTF-8 JSON (cap [`MAX_FROM_RELAY_BYTES`]).

#[cfg(windows)]
mod pipe;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod win_identity;
#[cfg(windows)]
mod windows;

#[cfg(not(any(unix, windows)))]
compile_error!(
    "the native host's relay channel exists for Unix (a socket) and Windows (a named pipe)"
);

use std::io::{self, Read, Write};
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

/// How long the relay has to answer `auth`.
pub const AUTH_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest frame accepted from the relay: a 12 MiB `/ops` message plus its envelope, rounded up (16 MiB).
pub const MAX_FROM_RELAY_BYTES: usize = 16 * 1024 * 1024;
/// Largest token file read, in bytes.
const MAX_TOKEN_BYTES: u64 = 1024;
/// Largest answer to `auth` read, in bytes.
const MAX_AUTH_ANSWER_BYTES: usize = 4096;

/// Why the relay could not be reached (each becomes a `relay_unavailable` error to the extension).
#[derive(Debug)]
pub enum LinkError {
    /// The directory, token file or peer failed a trust check: never dialled or dropped unread.
    Untrusted(String),
    /// No relay is listening, or I/O failed.
    Unreachable(String),
    /// The relay refused our token.
    Refused(String),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::Untrusted(m) => write!(f, "untrusted native channel: {m}"),
            LinkError::Unreachable(m) => write!(f, "relay not reachable: {m}"),
            LinkError::Refused(m) => write!(f, "relay refused the host: {m}"),
        }
    }
}

/// An authenticated channel to the relay: its two directions, usable from two threads.
pub struct Link {
    /// Frames from the relay ([`read_frame`]); blocks without a timeout.
    pub reader: Box<dyn Read + Send>,
    /// Frames to the relay ([`write_frame`]).
    pub writer: Box<dyn Write + Send>,
}

/// Dials the relay of native directory `dir`, checks the channel and authenticates with the token file's
/// secret and our caller `origin` (`chrome-extension://<id>/`, already checked against the allowed ids).
///
/// # Errors
/// [`LinkError`] for a failed trust check, no listener, a refused token or an I/O failure.
pub fn connect(dir: &Path, origin: &str) -> Result<Link, LinkError> {
    #[cfg(unix)]
    return unix::connect(dir, origin);
    #[cfg(windows)]
    return windows::connect(dir, origin);
}

/// Reads the token file at `path` (at most [`MAX_TOKEN_BYTES`]), trimmed.
fn read_token(path: &Path) -> Result<String, LinkError> {
    let mut token = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TOKEN_BYTES).read_to_string(&mut token))
        .map_err(|e| LinkError::Unreachable(format!("token file: {e}")))?;
    Ok(token.trim().to_string())
}

/// The first frame: `{"type":"auth","token","origin"}`.
fn auth_frame(token: &str, origin: &str) -> String {
    json!({"type": "auth", "token": token, "origin": origin}).to_string()
}

/// Sends the `auth` frame on `writer` and reads the answer from `reader` (whose read timeout the caller
/// set to [`AUTH_TIMEOUT`]).
///
/// # Errors
/// `Unreachable` on I/O failure or a timeout, `Refused` for any answer but `{"type":"auth_ok"}`.
fn authenticate(
    reader: &mut impl Read,
    writer: &mut impl Write,
    token: &str,
    origin: &str,
) -> Result<(), LinkError> {
    let io_err = |e: io::Error| LinkError::Unreachable(e.to_string());
    write_frame(writer, &auth_frame(token, origin)).map_err(io_err)?;
    let answer = read_frame(reader, MAX_AUTH_ANSWER_BYTES).map_err(io_err)?;
    let value: Value = serde_json::from_str(&answer).unwrap_or(Value::Null);
    if value.get("type").and_then(Value::as_str) == Some("auth_ok") {
        Ok(())
    } else {
        Err(LinkError::Refused(answer))
    }
}

/// Writes one channel frame (little-endian length).
///
/// # Errors
/// `InvalidInput` over 4 GiB, or the write error.
pub fn write_frame(out: &mut (impl Write + ?Sized), text: &str) -> io::Result<()> {
    let len = u32::try_from(text.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame over 4 GiB"))?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Reads one channel frame of at most `max` bytes as UTF-8 text (allocating only after the cap check).
///
/// # Errors
/// `UnexpectedEof` at the end, `InvalidData` for a zero or over-cap length or non-UTF-8, or the read error.
pub fn read_frame(input: &mut (impl Read + ?Sized), max: usize) -> io::Result<String> {
    let mut header = [0u8; 4];
    input.read_exact(&mut header)?;
    let len = u32::from_le_bytes(header) as usize;
    if len == 0 || len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("frame length {len} outside 1..={max}"),
        ));
    }
    let mut body = vec![0u8; len];
    input.read_exact(&mut body)?;
    String::from_utf8(body).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk/";

    fn wire(frames: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for f in frames {
            write_frame(&mut out, f).unwrap();
        }
        out
    }

    #[test]
    fn auth_carries_the_token_and_our_origin_and_needs_auth_ok() {
        let mut sent = Vec::new();
        let mut answer = &wire(&[r#"{"type":"auth_ok"}"#])[..];
        authenticate(&mut answer, &mut sent, "s3cret", ORIGIN).unwrap();
        let frame: Value =
            serde_json::from_str(&read_frame(&mut &sent[..], 1024).unwrap()).unwrap();
        assert_eq!(
            frame,
            json!({"type": "auth", "token": "s3cret", "origin": ORIGIN})
        );
        let refusal = r#"{"type":"error","code":"unauthorized"}"#;
        let mut answer = &wire(&[refusal])[..];
        let err = authenticate(&mut answer, &mut Vec::new(), "x", ORIGIN).unwrap_err();
        assert!(
            matches!(&err, LinkError::Refused(a) if a == refusal),
            "{err}"
        );
        let err = authenticate(&mut &[][..], &mut Vec::new(), "x", ORIGIN).unwrap_err();
        assert!(matches!(err, LinkError::Unreachable(_)), "{err}");
    }

    #[test]
    fn frames_round_trip_and_bad_lengths_are_refused() {
        let bytes = wire(&["{\"a\":\"é\\n\"}", "{}"]);
        let mut r = &bytes[..];
        assert_eq!(read_frame(&mut r, 100).unwrap(), "{\"a\":\"é\\n\"}");
        assert_eq!(read_frame(&mut r, 100).unwrap(), "{}");
        assert_eq!(
            read_frame(&mut r, 100).unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
        for bad in [
            &[0u8, 0, 0, 0][..],
            &[101, 0, 0, 0][..],
            &[1, 0, 0, 0, 0xff][..],
        ] {
            let err = read_frame(&mut &bad[..], 100).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{bad:?}");
        }
    }
}
