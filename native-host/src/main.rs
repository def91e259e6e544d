//! `opendevbrowser-native-host`: the native messaging host Chrome starts for our extension (docs/NATIVE.md).
//!
//! - [`framing`]: 4-byte length-prefixed JSON on stdin/stdout, with Chrome's size caps.
//! - [`origin`]: the caller-origin check on `argv[1]`; [`paths`]: the native directory.
//! - [`chrome_out`] + [`chunks`]: every frame to Chrome, split under 1 MB and counted.
//! - `relay_link`: the authenticated per-user Unix socket or Windows named pipe to the relay
//!   (`odb_relay::native_bridge`).
//! - [`log`]: a rotated log file (stderr as the fallback). Nothing but frames ever goes to stdout.
//!
//! Behaviour: until the relay is dialled, `{"type":"ping","id"}` is answered here with
//! `{"type":"pong","id"}` (the extension's "is the host installed and alive" probe). Any other message
//! makes the host dial the relay (once) and forward it; from then on every message is forwarded both ways,
//! pings included (the relay answers them with its health, as on the `/extension` socket).
//! When the relay cannot be reached the message is answered with
//! `{"type":"error","code":"relay_unavailable","message"}` and the host stays up (so pings still work).
//! The host exits on stdin EOF (Chrome closed the port), when the relay closes the channel, on a bad frame,
//! and when a frame from Chrome stalls for [`FRAME_DEADLINE`].

#![deny(clippy::print_stdout)]

mod chrome_out;
mod chunks;
mod framing;
mod log;
mod origin;
mod pairing;
mod paths;
#[cfg(unix)]
mod private;
mod relay_link;

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrome_out::ChromeOut;
use framing::{read_frame_text, FrameError, MAX_FROM_CHROME_BYTES};
use log::Log;
use serde_json::{json, Value};

/// A frame from Chrome that started arriving must be complete within this time (checklist E3).
const FRAME_DEADLINE: Duration = Duration::from_secs(15);

type Out = ChromeOut<io::Stdout>;

fn main() {
    let dir = paths::native_dir();
    let log = Arc::new(Log::open(
        dir.as_ref()
            .filter(|d| d.is_dir())
            .map(|d| d.join(paths::LOG_FILE)),
    ));
    let caller = std::env::args().nth(1).unwrap_or_default();
    let allowed = origin::allowed_ids(dir.as_deref());
    if origin::check(&caller, &allowed).is_none() {
        let msg = format!("refusing caller origin {caller:?}; allowed: {allowed:?}");
        log.line(&msg);
        eprintln!("opendevbrowser-native-host: {msg}");
        std::process::exit(2);
    }
    log.line(&format!("started origin={caller}"));
    let out: Arc<Out> = Arc::new(ChromeOut::new(io::stdout()));
    let busy_since = Arc::new(AtomicU64::new(0));
    start_watchdog(busy_since.clone(), log.clone());
    let mut input = Watched {
        inner: io::stdin(),
        busy_since: busy_since.clone(),
    };
    let mut relay: Option<RelayWriter> = None;
    loop {
        let text = match read_frame_text(&mut input, MAX_FROM_CHROME_BYTES) {
            Ok(text) => text,
            Err(FrameError::Eof) => finish(&log, &out, 0, "stdin closed"),
            Err(err) => finish(&log, &out, 1, &format!("bad frame from Chrome: {err}")),
        };
        busy_since.store(0, Ordering::SeqCst);
        let head: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if pairing::is_request(&head) {
            // Answered here before and after the relay link, never forwarded (docs/NATIVE.md).
            send(&out, &pairing::answer(dir.as_deref(), &head, &log), &log);
            continue;
        }
        if relay.is_none() && head.get("type").and_then(Value::as_str) == Some("ping") {
            let pong =
                json!({"type": "pong", "id": head.get("id").cloned().unwrap_or(Value::Null)});
            send(&out, &pong.to_string(), &log);
            continue;
        }
        if relay.is_none() {
            match dial(dir.as_deref(), out.clone(), log.clone()) {
                Ok(writer) => relay = Some(writer),
                Err(message) => {
                    log.line(&format!("relay unavailable: {message}"));
                    let err =
                        json!({"type": "error", "code": "relay_unavailable", "message": message});
                    send(&out, &err.to_string(), &log);
                    continue;
                }
            }
        }
        if let Some(writer) = relay.as_mut() {
            if let Err(e) = writer.send(&text) {
                finish(&log, &out, 1, &format!("writing to the relay failed: {e}"));
            }
        }
    }
}

/// Sends to Chrome; Chrome gone is the end of the host.
fn send(out: &Out, text: &str, log: &Log) {
    if let Err(e) = out.send(text, log) {
        finish(log, out, 1, &format!("cannot write to Chrome: {e}"));
    }
}

/// Logs why and the final stats, then exits with `code`.
fn finish(log: &Log, out: &Out, code: i32, why: &str) -> ! {
    log.line(&format!("exiting ({why})"));
    log.line(&out.stats().line());
    std::process::exit(code);
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Stdin that records when a frame started arriving (cleared by the main loop after each frame).
struct Watched<R> {
    inner: R,
    busy_since: Arc<AtomicU64>,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            let _ =
                self.busy_since
                    .compare_exchange(0, now_ms(), Ordering::SeqCst, Ordering::SeqCst);
        }
        Ok(n)
    }
}

/// Exits when a frame from Chrome has been arriving for longer than [`FRAME_DEADLINE`].
fn start_watchdog(busy_since: Arc<AtomicU64>, log: Arc<Log>) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(250));
        let since = busy_since.load(Ordering::SeqCst);
        if since != 0 && now_ms().saturating_sub(since) > FRAME_DEADLINE.as_millis() as u64 {
            log.line("a frame from Chrome stalled past the deadline; exiting");
            std::process::exit(1);
        }
    });
}

/// The write half of the relay channel (a Unix socket or a Windows named pipe).
struct RelayWriter(Box<dyn io::Write + Send>);

impl RelayWriter {
    fn send(&mut self, text: &str) -> io::Result<()> {
        relay_link::write_frame(&mut self.0, text)
    }
}

/// Dials the relay, authenticates with our caller origin (`argv[1]`, which `main` checked before the
/// first frame was read) and starts the thread forwarding the relay's messages to Chrome.
fn dial(dir: Option<&Path>, out: Arc<Out>, log: Arc<Log>) -> Result<RelayWriter, String> {
    let dir: PathBuf = dir
        .ok_or("no native directory (set ODB_NATIVE_DIR or HOME)")?
        .to_path_buf();
    let origin = std::env::args().nth(1).unwrap_or_default();
    let link = relay_link::connect(&dir, &origin).map_err(|e| e.to_string())?;
    let mut reader = link.reader;
    log.line(&format!(
        "connected to the relay at {} as {origin}",
        dir.display()
    ));
    std::thread::spawn(move || loop {
        match relay_link::read_frame(&mut reader, relay_link::MAX_FROM_RELAY_BYTES) {
            Ok(text) => send(&out, &text, &log),
            Err(e) => finish(&log, &out, 0, &format!("relay channel ended: {e}")),
        }
    });
    Ok(RelayWriter(link.writer))
}
