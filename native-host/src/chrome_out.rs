//! [`ChromeOut`]: every host -> Chrome frame goes through here, so the 1 MB limit is enforced in one place
//! and counted: a message over [`MAX_TO_CHROME_BYTES`] is split into `native_chunk` frames
//! ([`crate::chunks`]), and a `stats` line in the host log records the largest frame written so far
//! (tests read it to assert that no frame ever exceeded the limit).

use std::io::Write;
use std::sync::Mutex;

use crate::chunks;
use crate::framing::{write_frame_text, FrameError, MAX_TO_CHROME_BYTES};
use crate::log::Log;

/// Counters of what was written to Chrome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Frames written.
    pub frames: u64,
    /// Messages that were split into chunk frames.
    pub chunked_messages: u64,
    /// The largest frame body written, in bytes.
    pub max_frame_bytes: usize,
}

impl Stats {
    /// The log line: `stats frames_to_chrome=N chunked_messages=N max_frame_bytes=N limit=1048576`.
    pub fn line(&self) -> String {
        format!(
            "stats frames_to_chrome={} chunked_messages={} max_frame_bytes={} limit={MAX_TO_CHROME_BYTES}",
            self.frames, self.chunked_messages, self.max_frame_bytes
        )
    }
}

/// The stdout side, shared by the stdin loop (pongs, errors) and the relay reader (forwarded messages).
pub struct ChromeOut<W: Write> {
    inner: Mutex<Inner<W>>,
    max: usize,
}

struct Inner<W> {
    out: W,
    stats: Stats,
    next_chunk_id: u64,
}

impl<W: Write> ChromeOut<W> {
    /// Frames to `out` with Chrome's limit.
    pub fn new(out: W) -> Self {
        Self::with_limit(out, MAX_TO_CHROME_BYTES)
    }

    /// Frames to `out` with a smaller limit (tests).
    pub fn with_limit(out: W, max: usize) -> Self {
        ChromeOut {
            inner: Mutex::new(Inner {
                out,
                stats: Stats::default(),
                next_chunk_id: 1,
            }),
            max,
        }
    }

    /// Sends one JSON message, chunked when it is over the limit. Logs a stats line when the message was
    /// chunked or set a new largest frame.
    ///
    /// # Errors
    /// The write error (Chrome went away), or `TooLarge` if a frame would still be over the limit.
    pub fn send(&self, text: &str, log: &Log) -> Result<(), FrameError> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let before = inner.stats;
        if text.len() <= self.max {
            write_counted(&mut inner, text, self.max)?;
        } else {
            let id = inner.next_chunk_id;
            inner.next_chunk_id += 1;
            for frame in chunks::split(text, id, self.max) {
                write_counted(&mut inner, &frame, self.max)?;
            }
            inner.stats.chunked_messages += 1;
        }
        let after = inner.stats;
        drop(inner);
        if after.chunked_messages != before.chunked_messages
            || after.max_frame_bytes != before.max_frame_bytes
        {
            log.line(&after.line());
        }
        Ok(())
    }

    /// The counters so far.
    pub fn stats(&self) -> Stats {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).stats
    }
}

fn write_counted<W: Write>(inner: &mut Inner<W>, text: &str, max: usize) -> Result<(), FrameError> {
    write_frame_text(&mut inner.out, text, max)?;
    inner.stats.frames += 1;
    inner.stats.max_frame_bytes = inner.stats.max_frame_bytes.max(text.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::{read_frame, MAX_FROM_CHROME_BYTES};
    use serde_json::{json, Value};

    /// Reads every frame of `wire` and joins chunk frames back into messages.
    fn messages(wire: &[u8]) -> Vec<Value> {
        let mut r = wire;
        let mut out = Vec::new();
        let mut pending = String::new();
        while let Ok(v) = read_frame(&mut r, MAX_FROM_CHROME_BYTES) {
            assert!(v.to_string().len() <= MAX_TO_CHROME_BYTES);
            if v["type"] == chunks::CHUNK_TYPE {
                pending.push_str(v["data"].as_str().unwrap());
                if v["index"].as_u64().unwrap() + 1 == v["total"].as_u64().unwrap() {
                    out.push(serde_json::from_str(&std::mem::take(&mut pending)).unwrap());
                }
            } else {
                out.push(v);
            }
        }
        out
    }

    #[test]
    fn the_one_megabyte_edge_plus_minus_one_in_multibyte_text() {
        let log = Log::open(None);
        // `{"type":"ops_request","payload":"<€...€><pad>"}`: pad to exactly LIMIT - 1, LIMIT, LIMIT + 1 bytes.
        let shell = json!({"type": "ops_request", "payload": ""})
            .to_string()
            .len();
        for target in [
            MAX_TO_CHROME_BYTES - 1,
            MAX_TO_CHROME_BYTES,
            MAX_TO_CHROME_BYTES + 1,
        ] {
            let room = target - shell;
            let text = format!("{}{}", "€".repeat(room / 3), "a".repeat(room % 3));
            let msg = json!({"type": "ops_request", "payload": text});
            let wire_text = msg.to_string();
            assert_eq!(wire_text.len(), target);
            let out = ChromeOut::new(Vec::new());
            out.send(&wire_text, &log).unwrap();
            let stats = out.stats();
            assert!(stats.max_frame_bytes <= MAX_TO_CHROME_BYTES, "{stats:?}");
            assert_eq!(
                stats.chunked_messages,
                u64::from(target > MAX_TO_CHROME_BYTES)
            );
            let wire = out.inner.into_inner().unwrap().out;
            assert_eq!(messages(&wire), vec![msg]);
        }
    }

    #[test]
    fn a_twelve_mebibyte_request_arrives_whole_in_frames_under_the_limit() {
        let log = Log::open(None);
        let msg =
            json!({"type": "ops_request", "payload": {"text": "é\n\"x".repeat(3 * 1024 * 1024)}});
        let out = ChromeOut::new(Vec::new());
        out.send(&msg.to_string(), &log).unwrap();
        assert!(out.stats().frames > 12);
        let wire = out.inner.into_inner().unwrap().out;
        assert_eq!(messages(&wire), vec![msg]);
    }
}
