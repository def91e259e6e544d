//! The host's side of the local channel to the relay (`odb_relay::native_bridge`; docs/NATIVE.md).
//!
//! Before dialling, the host checks that the native directory is ours, a real directory and `0700`, and
//! that the token file is ours and `0600`-or-stricter: an impostor cannot plant a socket or a token in a
//! directory only we can write (SECURITY.md checklist E8, qwen-code #11242). On Linux the listening peer's
//! uid (`SO_PEERCRED`) must be ours too. Then the first frame is `{"type":"auth","token"}` and the relay
//! must answer `{"type":"auth_ok"}` within [`AUTH_TIMEOUT`].
//!
//! Channel framing: a 4-byte little-endian length, then UTF-8 JSON (cap [`MAX_FROM_RELAY_BYTES`]).

use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};

use crate::paths::{SOCKET_FILE, TOKEN_FILE};

/// How long the relay has to answer `auth`.
pub const AUTH_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest frame accepted from the relay: a 12 MiB `/ops` message plus its envelope, rounded up (16 MiB).
pub const MAX_FROM_RELAY_BYTES: usize = 16 * 1024 * 1024;
/// Largest token file read, in bytes.
const MAX_TOKEN_BYTES: u64 = 1024;

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

/// Our effective uid.
fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Checks that `path` is ours, of the right kind, with no group/other permission bits.
fn check_private(path: &Path, want_dir: bool) -> Result<(), LinkError> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| LinkError::Unreachable(format!("{}: {e}", path.display())))?;
    let kind_ok = if want_dir {
        meta.is_dir()
    } else {
        meta.is_file()
    };
    if !kind_ok {
        return Err(LinkError::Untrusted(format!(
            "{} has the wrong type (or is a symlink)",
            path.display()
        )));
    }
    if meta.uid() != my_uid() {
        return Err(LinkError::Untrusted(format!(
            "{} belongs to uid {}",
            path.display(),
            meta.uid()
        )));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(LinkError::Untrusted(format!(
            "{} has mode {:o} (group/other access)",
            path.display(),
            meta.mode() & 0o777
        )));
    }
    Ok(())
}

/// Dials the relay in `dir` and authenticates. Returns the connected stream.
///
/// # Errors
/// [`LinkError`] for a failed trust check, no listener, a refused token or an I/O failure.
pub fn connect(dir: &Path) -> Result<UnixStream, LinkError> {
    check_private(dir, true)?;
    let token_path = dir.join(TOKEN_FILE);
    check_private(&token_path, false)?;
    let mut token = String::new();
    std::fs::File::open(&token_path)
        .and_then(|f| f.take(MAX_TOKEN_BYTES).read_to_string(&mut token))
        .map_err(|e| LinkError::Unreachable(format!("token file: {e}")))?;
    let mut stream = UnixStream::connect(dir.join(SOCKET_FILE))
        .map_err(|e| LinkError::Unreachable(format!("{}: {e}", dir.join(SOCKET_FILE).display())))?;
    check_peer(&stream)?;
    let io_err = |e: io::Error| LinkError::Unreachable(e.to_string());
    write_frame(
        &mut stream,
        &json!({"type": "auth", "token": token.trim()}).to_string(),
    )
    .map_err(io_err)?;
    stream
        .set_read_timeout(Some(AUTH_TIMEOUT))
        .map_err(io_err)?;
    let answer = read_frame(&mut stream, 4096).map_err(io_err)?;
    stream.set_read_timeout(None).map_err(io_err)?;
    let value: Value = serde_json::from_str(&answer).unwrap_or(Value::Null);
    if value.get("type").and_then(Value::as_str) == Some("auth_ok") {
        Ok(stream)
    } else {
        Err(LinkError::Refused(answer))
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn check_peer(stream: &UnixStream) -> Result<(), LinkError> {
    let cred = rustix::net::sockopt::socket_peercred(stream)
        .map_err(|e| LinkError::Untrusted(format!("peer credentials unavailable: {e}")))?;
    if cred.uid.as_raw() == my_uid() {
        Ok(())
    } else {
        Err(LinkError::Untrusted(format!(
            "the listener runs as uid {}",
            cred.uid.as_raw()
        )))
    }
}

/// Without `SO_PEERCRED` the private-directory check is what keeps impostors out.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn check_peer(_stream: &UnixStream) -> Result<(), LinkError> {
    Ok(())
}

/// Writes one channel frame (little-endian length).
///
/// # Errors
/// `InvalidInput` over 4 GiB, or the write error.
pub fn write_frame(out: &mut impl Write, text: &str) -> io::Result<()> {
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
pub fn read_frame(input: &mut impl Read, max: usize) -> io::Result<String> {
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
