//! Native messaging framing: a 4-byte native-endian (little-endian on x86_64/arm64) length, then that many bytes
//! of UTF-8 JSON (spec/BUILD.md "Native messaging"; Chrome docs "Native messaging").
//!
//! Limits: Chrome accepts at most 1 MB per message from the host ([`MAX_TO_CHROME_BYTES`]) and sends at most
//! 64 MiB ([`MAX_FROM_CHROME_BYTES`]). A claimed length is checked against the cap before anything is allocated.

use std::io::{self, Read, Write};

/// Chrome's limit for one host -> Chrome message, in bytes (`kMaximumNativeMessageSize`, 1024 * 1024).
pub const MAX_TO_CHROME_BYTES: usize = 1024 * 1024;
/// Chrome's limit for one Chrome -> host message, in bytes (64 MiB).
pub const MAX_FROM_CHROME_BYTES: usize = 64 * 1024 * 1024;

/// Why a frame could not be read or written.
#[derive(Debug)]
pub enum FrameError {
    /// Clean end of input at a frame boundary (Chrome closed the port).
    Eof,
    /// Input ended inside a header or body.
    Truncated,
    /// A zero length.
    Empty,
    /// A length over the cap (never allocated).
    TooLarge {
        /// The claimed or actual length, in bytes.
        len: usize,
        /// The cap, in bytes.
        max: usize,
    },
    /// The body is not UTF-8 JSON.
    InvalidJson(String),
    /// Any other I/O failure.
    Io(io::Error),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::Eof => write!(f, "end of input"),
            FrameError::Truncated => write!(f, "input ended inside a frame"),
            FrameError::Empty => write!(f, "zero-length frame"),
            FrameError::TooLarge { len, max } => {
                write!(f, "frame of {len} bytes is over the {max}-byte cap")
            }
            FrameError::InvalidJson(e) => write!(f, "frame is not UTF-8 JSON: {e}"),
            FrameError::Io(e) => write!(f, "i/o error: {e}"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Reads one frame and parses its JSON. Allocates only after the length passed the cap.
///
/// # Errors
/// [`FrameError`]: `Eof` at a clean boundary, `Truncated`, `Empty`, `TooLarge`, `InvalidJson`, `Io`.
#[cfg(test)]
pub fn read_frame(input: &mut impl Read, max: usize) -> Result<serde_json::Value, FrameError> {
    let text = read_frame_text(input, max)?;
    serde_json::from_str(&text).map_err(|e| FrameError::InvalidJson(e.to_string()))
}

/// Reads one frame and returns its text once it is known to be UTF-8 JSON (checked without building a
/// value, so a large message is forwarded as the original text). Allocates only after the length passed
/// the cap.
///
/// # Errors
/// As [`read_frame`].
pub fn read_frame_text(input: &mut impl Read, max: usize) -> Result<String, FrameError> {
    let mut header = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match input.read(&mut header[got..]) {
            Ok(0) if got == 0 => return Err(FrameError::Eof),
            Ok(0) => return Err(FrameError::Truncated),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FrameError::Io(e)),
        }
    }
    let len = u32::from_ne_bytes(header) as usize;
    if len == 0 {
        return Err(FrameError::Empty);
    }
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    let mut body = vec![0u8; len];
    input.read_exact(&mut body).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => FrameError::Truncated,
        _ => FrameError::Io(e),
    })?;
    let text = String::from_utf8(body).map_err(|e| FrameError::InvalidJson(e.to_string()))?;
    serde_json::from_str::<serde::de::IgnoredAny>(&text)
        .map_err(|e| FrameError::InvalidJson(e.to_string()))?;
    Ok(text)
}

/// Writes `text` (already JSON) as one frame and flushes.
///
/// # Errors
/// `TooLarge` when `text` is over `max` bytes (nothing is written), or `Io`.
pub fn write_frame_text(output: &mut impl Write, text: &str, max: usize) -> Result<(), FrameError> {
    let too_large = || FrameError::TooLarge {
        len: text.len(),
        max,
    };
    if text.len() > max {
        return Err(too_large());
    }
    let len = u32::try_from(text.len()).map_err(|_| too_large())?;
    output
        .write_all(&len.to_ne_bytes())
        .map_err(FrameError::Io)?;
    output.write_all(text.as_bytes()).map_err(FrameError::Io)?;
    output.flush().map_err(FrameError::Io)
}

/// Writes one frame holding `message`'s JSON text and flushes.
///
/// # Errors
/// `TooLarge` when the JSON is over `max` bytes (nothing is written), or `Io`.
#[cfg(test)]
pub fn write_frame(
    output: &mut impl Write,
    message: &serde_json::Value,
    max: usize,
) -> Result<(), FrameError> {
    write_frame_text(output, &message.to_string(), max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// A reader that hands out at most `step` bytes per read, to exercise split points.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn bad_headers_are_rejected_without_allocating() {
        let cases: [(&[u8], &str); 4] = [
            (&[], "Eof"),
            (&[1, 0, 0], "Truncated"),
            (&[0, 0, 0, 0], "Empty"),
            (&[0xff, 0xff, 0xff, 0xff], "TooLarge"),
        ];
        for (bytes, want) in cases {
            let err = read_frame(&mut &bytes[..], MAX_FROM_CHROME_BYTES).unwrap_err();
            assert!(format!("{err:?}").starts_with(want), "{bytes:?}: {err:?}");
        }
        let short_body = [5u8, 0, 0, 0, b'{'];
        assert!(matches!(
            read_frame(&mut &short_body[..], 100),
            Err(FrameError::Truncated)
        ));
        let not_json = [3u8, 0, 0, 0, b'a', b'b', b'c'];
        assert!(matches!(
            read_frame(&mut &not_json[..], 100),
            Err(FrameError::InvalidJson(_))
        ));
    }

    #[test]
    fn the_one_megabyte_edge_is_measured_in_bytes() {
        // A JSON string of multibyte characters: 2 quotes + 3 bytes per char.
        let fits = json!("€".repeat((MAX_TO_CHROME_BYTES - 2) / 3));
        let mut out = Vec::new();
        write_frame(&mut out, &fits, MAX_TO_CHROME_BYTES).unwrap();
        assert!(out.len() - 4 <= MAX_TO_CHROME_BYTES);
        let over = json!("€".repeat((MAX_TO_CHROME_BYTES - 2) / 3 + 1));
        let mut out = Vec::new();
        assert!(matches!(
            write_frame(&mut out, &over, MAX_TO_CHROME_BYTES),
            Err(FrameError::TooLarge { .. })
        ));
        assert!(out.is_empty(), "nothing is written for an oversize message");
    }

    proptest! {
        #[test]
        fn round_trips_at_any_split(text in "\\PC{0,200}", step in 1usize..9) {
            let msg = json!({"type": "ping", "id": text});
            let mut wire = Vec::new();
            write_frame(&mut wire, &msg, MAX_TO_CHROME_BYTES).unwrap();
            write_frame(&mut wire, &msg, MAX_TO_CHROME_BYTES).unwrap();
            let mut reader = Trickle { data: &wire, step };
            prop_assert_eq!(read_frame(&mut reader, MAX_FROM_CHROME_BYTES).unwrap(), msg.clone());
            prop_assert_eq!(read_frame(&mut reader, MAX_FROM_CHROME_BYTES).unwrap(), msg);
            prop_assert!(matches!(read_frame(&mut reader, MAX_FROM_CHROME_BYTES), Err(FrameError::Eof)));
        }
    }
}
