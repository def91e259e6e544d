//! `opendevbrowser-native-host`: the native messaging host Chrome starts for our extension.
//!
//! - [`framing`]: 4-byte length-prefixed JSON on stdin/stdout, with Chrome's size caps.
//!
//! This build checks the caller origin, answers `{"type":"ping","id"}` with `{"type":"pong","id"}` itself, and
//! exits on stdin EOF. Carrying `ops_*` envelopes to the daemon (`--transport native`) is issue 5's work; until
//! then any other message gets `{"type":"error","code":"not_supported"}`. Logs go to stderr only: stdout carries
//! frames and nothing else.

mod framing;

use std::io::{self, BufReader, BufWriter};

use framing::{read_frame, write_frame, FrameError, MAX_FROM_CHROME_BYTES, MAX_TO_CHROME_BYTES};
use odb_protocol::limits::EXTENSION_ID;
use serde_json::{json, Value};

fn main() {
    let allowed = format!("chrome-extension://{EXTENSION_ID}/");
    let origin = std::env::args().nth(1).unwrap_or_default();
    if origin != allowed {
        eprintln!("opendevbrowser-native-host: refusing caller origin {origin:?}; only {allowed} may start this host");
        std::process::exit(2);
    }
    let mut input = BufReader::new(io::stdin().lock());
    let mut output = BufWriter::new(io::stdout().lock());
    loop {
        let message = match read_frame(&mut input, MAX_FROM_CHROME_BYTES) {
            Ok(message) => message,
            Err(FrameError::Eof) => return,
            Err(err) => {
                eprintln!("opendevbrowser-native-host: {err}; exiting");
                std::process::exit(1);
            }
        };
        let reply = answer(&message);
        if let Err(err) = write_frame(&mut output, &reply, MAX_TO_CHROME_BYTES) {
            eprintln!("opendevbrowser-native-host: cannot write a reply: {err}; exiting");
            std::process::exit(1);
        }
    }
}

/// The reply to one message from Chrome.
fn answer(message: &Value) -> Value {
    match message.get("type").and_then(Value::as_str) {
        Some("ping") => {
            json!({"type": "pong", "id": message.get("id").cloned().unwrap_or(Value::Null)})
        }
        other => json!({
            "type": "error",
            "code": "not_supported",
            "message": format!("message type {:?} is not handled by this host build", other.unwrap_or("")),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_ping_and_refuses_the_rest() {
        assert_eq!(
            answer(&json!({"type":"ping","id":"7"})),
            json!({"type":"pong","id":"7"})
        );
        assert_eq!(
            answer(&json!({"type":"ops_request"}))["code"],
            "not_supported"
        );
    }
}
