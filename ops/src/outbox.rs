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
/// followed by `ops_chunk`s of at most `chunk_chars` characters of that JSON text.
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
    let pieces = split_chars(&text, chunk_chars.max(1));
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

/// Splits `text` into pieces of at most `max_chars` characters (never inside a UTF-8 sequence).
fn split_chars(text: &str, max_chars: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut count = 0;
    for (i, _) in text.char_indices() {
        if count == max_chars {
            pieces.push(&text[start..i]);
            start = i;
            count = 0;
        }
        count += 1;
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
}
