//! Joining `native_chunk` frames (`{"type":"native_chunk","id","index","total","data"}`, written by the
//! host for any relay message over Chrome's 1 MB host-to-extension limit) back into the original JSON text.

/// Most bytes one reassembled message may reach (the relay's 16 MiB extension cap).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// One message being reassembled.
#[derive(Debug, Default)]
pub struct Reassembler {
    current: Option<(u64, usize, String)>,
}

/// A chunk that cannot continue the current message.
#[derive(Debug, PartialEq, Eq)]
pub struct ChunkError(pub String);

impl Reassembler {
    /// Adds chunk `index` of `total` of message `id`. Returns the whole text after the last chunk.
    /// Chunks arrive in order on one port; a gap, a foreign id or an oversize total drops the partial
    /// message and reports why.
    ///
    /// # Errors
    /// [`ChunkError`] for an out-of-order chunk, `total` 0, or a message over [`MAX_MESSAGE_BYTES`].
    pub fn push(
        &mut self,
        id: u64,
        index: usize,
        total: usize,
        data: &str,
    ) -> Result<Option<String>, ChunkError> {
        if total == 0 || index >= total {
            self.current = None;
            return Err(ChunkError(format!("chunk {index} of {total}")));
        }
        let (cur_id, next, mut text) = match self.current.take() {
            None if index == 0 => (id, 0, String::new()),
            Some((cur_id, next, text)) if cur_id == id && next == index => (cur_id, next, text),
            _ => {
                return Err(ChunkError(format!(
                    "unexpected chunk {index} of message {id}"
                )))
            }
        };
        if text.len() + data.len() > MAX_MESSAGE_BYTES {
            return Err(ChunkError(format!(
                "message {id} over {MAX_MESSAGE_BYTES} bytes"
            )));
        }
        text.push_str(data);
        if next + 1 == total {
            Ok(Some(text))
        } else {
            self.current = Some((cur_id, next + 1, text));
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_in_order_and_rejects_gaps() {
        let mut r = Reassembler::default();
        assert_eq!(r.push(1, 0, 3, "{\"a\":"), Ok(None));
        assert_eq!(r.push(1, 1, 3, "\"é"), Ok(None));
        assert_eq!(r.push(1, 2, 3, "\"}"), Ok(Some("{\"a\":\"é\"}".into())));
        assert_eq!(r.push(2, 0, 1, "{}"), Ok(Some("{}".into())));
        assert_eq!(r.push(3, 0, 3, "x"), Ok(None));
        assert!(r.push(3, 2, 3, "x").is_err());
        assert!(
            r.push(4, 1, 2, "x").is_err(),
            "a message cannot start mid-way"
        );
        assert!(r.push(5, 0, 0, "").is_err());
    }
}
