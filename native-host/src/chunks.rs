//! Splitting one host -> Chrome message that is over Chrome's 1 MB limit into `native_chunk` frames.
//!
//! `{"type":"native_chunk","id":<n>,"index":<i>,"total":<count>,"data":<piece>}`: the pieces, in order,
//! concatenate to the original JSON text; the extension joins them and handles the whole message as if it
//! had come in one frame. This is transport framing below the `/ops` protocol (a relay message of any type,
//! typically a large `ops_request`, may need it), so it is not `ops_chunk` (docs/NATIVE.md; declared
//! divergence). Sizes are counted in bytes of the serialized frame, including JSON escapes.

use serde_json::json;

/// The `type` of a chunk frame.
pub const CHUNK_TYPE: &str = "native_chunk";
/// Bytes kept for the envelope around `data` (type, id, index, total, quotes, braces).
const ENVELOPE_ROOM: usize = 160;

/// Bytes `c` takes inside a JSON string as serde_json writes it.
fn escaped_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\u{08}' | '\u{0c}' | '\n' | '\r' | '\t' => 2,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

/// Splits `text` (one JSON message) into chunk frames of at most `max` bytes each. Cuts only at char
/// boundaries. `max` must be well above [`ENVELOPE_ROOM`] plus 6 bytes.
pub fn split(text: &str, id: u64, max: usize) -> Vec<String> {
    let budget = max.saturating_sub(ENVELOPE_ROOM).max(6);
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut used = 0;
    for (at, c) in text.char_indices() {
        let len = escaped_len(c);
        if used + len > budget {
            pieces.push(&text[start..at]);
            start = at;
            used = 0;
        }
        used += len;
    }
    pieces.push(&text[start..]);
    let total = pieces.len();
    pieces
        .into_iter()
        .enumerate()
        .map(|(index, data)| {
            json!({"type": CHUNK_TYPE, "id": id, "index": index, "total": total, "data": data})
                .to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn join(frames: &[String]) -> String {
        let mut out = String::new();
        for (i, f) in frames.iter().enumerate() {
            let v: Value = serde_json::from_str(f).unwrap();
            assert_eq!(v["type"], CHUNK_TYPE);
            assert_eq!(v["index"], i);
            assert_eq!(v["total"], frames.len());
            out.push_str(v["data"].as_str().unwrap());
        }
        out
    }

    #[test]
    fn escapes_count_toward_the_limit() {
        let text = format!("\"{}\"", "\u{01}\"\\\n€😀a".repeat(40_000));
        let frames = split(&text, 7, 64 * 1024);
        assert!(frames.len() > 10);
        assert!(frames.iter().all(|f| f.len() <= 64 * 1024));
        assert_eq!(join(&frames), text);
    }

    proptest! {
        #[test]
        fn pieces_rejoin_and_fit(text in "(\\PC|[\\u{0}-\\u{1f}\"\\\\]){0,3000}", max in 200usize..2000) {
            let frames = split(&text, 1, max);
            for f in &frames {
                prop_assert!(f.len() <= max, "{} > {}", f.len(), max);
            }
            prop_assert_eq!(join(&frames), text);
        }
    }
}
