//! Serializing `/ops` envelopes to the relay, chunking large results (PROTOCOL.md §3.1 "Chunking").

use odb_protocol::limits::{MAX_OPS_PAYLOAD_BYTES, OPS_CHUNK_CHARS};
use odb_protocol::ops::{OpsChunk, OpsMessage, OpsResponse};
use serde_json::Value;

/// Serializes `msg` to JSON text. Serialization of our own types cannot fail; a failure would be a bug,
/// so it degrades to an empty object rather than panicking in the service worker.
pub fn encode(msg: &OpsMessage) -> String {
    serde_json::to_string(msg).unwrap_or_else(|_| "{}".to_string())
}

/// The messages that carry one `ops_response`: the response itself when its payload's JSON text is at
/// most `MAX_OPS_PAYLOAD_BYTES` UTF-8 bytes; otherwise a header `{chunked:true, payloadId, totalChunks}`
/// followed by `ops_chunk`s, each holding a slice of that JSON text whose JSON-escaped form is at most
/// `chunk_chars` bytes. (The original counts characters; bounding the escaped bytes keeps every chunk message under
/// the relay's frame cap even for quote-heavy or multibyte text. Fewer characters per chunk is still a valid
/// chunking for any client, which only joins the pieces.)
pub fn response_messages(
    request_id: &str,
    client_id: Option<&str>,
    ops_session_id: Option<&str>,
    payload: Value,
    payload_id: impl FnOnce() -> String,
    chunk_chars: usize,
) -> Vec<String> {
    let text = serde_json::to_string(&payload).unwrap_or_else(|_| "null".to_string());
    if text.len() <= MAX_OPS_PAYLOAD_BYTES && chunk_chars >= OPS_CHUNK_CHARS {
        return vec![encode(&OpsMessage::OpsResponse(OpsResponse {
            request_id: request_id.to_string(),
            client_id: client_id.map(str::to_string),
            ops_session_id: ops_session_id.map(str::to_string),
            payload: Some(payload),
            chunked: None,
            payload_id: None,
            total_chunks: None,
        }))];
    }
    let pieces = split_escaped(&text, chunk_chars.max(8));
    let payload_id = payload_id();
    let total = pieces.len() as u32;
    let mut out = Vec::with_capacity(pieces.len() + 1);
    out.push(encode(&OpsMessage::OpsResponse(OpsResponse {
        request_id: request_id.to_string(),
        client_id: client_id.map(str::to_string),
        ops_session_id: ops_session_id.map(str::to_string),
        payload: None,
        chunked: Some(true),
        payload_id: Some(payload_id.clone()),
        total_chunks: Some(total),
    })));
    for (index, data) in pieces.into_iter().enumerate() {
        out.push(encode(&OpsMessage::OpsChunk(OpsChunk {
            request_id: request_id.to_string(),
            client_id: client_id.map(str::to_string),
            ops_session_id: ops_session_id.map(str::to_string),
            payload_id: payload_id.clone(),
            chunk_index: index as u32,
            total_chunks: total,
            data: data.to_string(),
        })));
    }
    out
}

/// Splits `text` into pieces whose JSON-string-escaped size is at most `max_bytes` (never inside a UTF-8 sequence).
fn split_escaped(text: &str, max_bytes: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut used = 0;
    for (i, c) in text.char_indices() {
        let cost = match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            c => c.len_utf8(),
        };
        if used + cost > max_bytes && i > start {
            pieces.push(&text[start..i]);
            start = i;
            used = 0;
        }
        used += cost;
    }
    pieces.push(&text[start..]);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn small_payload_is_one_response() {
        let msgs = response_messages(
            "r",
            Some("c"),
            Some("s"),
            json!({"a":1}),
            || "p".into(),
            OPS_CHUNK_CHARS,
        );
        assert_eq!(msgs.len(), 1);
        let v: Value = serde_json::from_str(&msgs[0]).unwrap();
        assert_eq!(v["payload"]["a"], 1);
    }

    #[test]
    fn chunks_reassemble_to_the_payload() {
        let payload = json!({"text": "héllo wörld ".repeat(50)});
        let msgs = response_messages("r", Some("c"), None, payload.clone(), || "p".into(), 64);
        let header: Value = serde_json::from_str(&msgs[0]).unwrap();
        assert_eq!(header["chunked"], true);
        let total = header["totalChunks"].as_u64().unwrap() as usize;
        assert_eq!(total, msgs.len() - 1);
        let joined: String = msgs[1..]
            .iter()
            .map(|m| {
                serde_json::from_str::<Value>(m).unwrap()["data"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(serde_json::from_str::<Value>(&joined).unwrap(), payload);
    }

    #[test]
    fn escaped_chunks_stay_under_the_budget() {
        let payload = json!({"q": "\"\\".repeat(500), "u": "€".repeat(300)});
        let msgs = response_messages("r", None, None, payload.clone(), || "p".into(), 64);
        let mut joined = String::new();
        for m in &msgs[1..] {
            let data = serde_json::from_str::<Value>(m).unwrap()["data"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(
                serde_json::to_string(&data).unwrap().len() <= 64 + 2,
                "chunk over budget"
            );
            joined.push_str(&data);
        }
        assert_eq!(serde_json::from_str::<Value>(&joined).unwrap(), payload);
    }
}
