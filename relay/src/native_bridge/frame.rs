//! Framing on the local channel between the native host and the relay: a 4-byte little-endian length,
//! then that many bytes of UTF-8 JSON (the same shape Chrome uses on the host's stdio, so one message
//! never needs a delimiter; PROTOCOL.md §5 item 10 "fix framing ... or a length prefix").

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Why reading a frame stopped.
#[derive(Debug)]
pub(crate) enum ReadEnd {
    /// Clean end of input at a frame boundary.
    Eof,
    /// A zero length, a length over the cap (never allocated), a short body or non-UTF-8 bytes.
    Bad(String),
    /// Any other I/O failure.
    Io(io::Error),
}

/// Reads one frame of at most `max` bytes as text. Allocates only after the length passed the cap.
pub(crate) async fn read_text(
    input: &mut (impl AsyncRead + Unpin),
    max: usize,
) -> Result<String, ReadEnd> {
    let mut header = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match input.read(&mut header[got..]).await {
            Ok(0) if got == 0 => return Err(ReadEnd::Eof),
            Ok(0) => return Err(ReadEnd::Bad("input ended inside a header".into())),
            Ok(n) => got += n,
            Err(e) => return Err(ReadEnd::Io(e)),
        }
    }
    let len = u32::from_le_bytes(header) as usize;
    if len == 0 || len > max {
        return Err(ReadEnd::Bad(format!(
            "frame length {len} outside 1..={max}"
        )));
    }
    let mut body = vec![0u8; len];
    input
        .read_exact(&mut body)
        .await
        .map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => ReadEnd::Bad("input ended inside a body".into()),
            _ => ReadEnd::Io(e),
        })?;
    String::from_utf8(body).map_err(|_| ReadEnd::Bad("frame is not UTF-8".into()))
}

/// Writes `text` as one frame and flushes.
///
/// # Errors
/// `InvalidInput` for a text over `u32::MAX` bytes, or the write's I/O error.
pub(crate) async fn write_text(
    output: &mut (impl AsyncWrite + Unpin),
    text: &str,
) -> io::Result<()> {
    let len = u32::try_from(text.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "frame over 4 GiB"))?;
    output.write_all(&len.to_le_bytes()).await?;
    output.write_all(text.as_bytes()).await?;
    output.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn round_trip_and_bad_headers() {
        let mut wire = Vec::new();
        write_text(&mut wire, "{\"a\":\"é\\n\"}").await.unwrap();
        let mut r = &wire[..];
        assert_eq!(read_text(&mut r, 100).await.unwrap(), "{\"a\":\"é\\n\"}");
        assert!(matches!(read_text(&mut r, 100).await, Err(ReadEnd::Eof)));
        for bad in [
            &[0u8, 0, 0, 0][..],
            &[1, 0][..],
            &[0xff, 0xff, 0xff, 0xff][..],
            &[3, 0, 0, 0, b'{'][..],
        ] {
            let mut r = bad;
            assert!(
                matches!(read_text(&mut r, 100).await, Err(ReadEnd::Bad(_))),
                "{bad:?}"
            );
        }
        let mut r = &[2u8, 0, 0, 0, 0xff, 0xfe][..];
        assert!(matches!(read_text(&mut r, 100).await, Err(ReadEnd::Bad(_))));
    }
}
