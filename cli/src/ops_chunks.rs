//! Reassembly of chunked `/ops` results: an `ops_response {chunked:true, payloadId, totalChunks}` header and
//! `ops_chunk` pieces of the result's JSON text, joined in `chunkIndex` order then parsed; an empty string is
//! `null` (PROTOCOL.md §3.1 "Chunking").

use std::collections::HashMap;

use serde_json::Value;

/// Upper bound on `totalChunks` we accept (12 MiB each: far beyond anything a command returns).
pub const MAX_TOTAL_CHUNKS: u32 = 64;

/// Pieces of one result.
#[derive(Debug)]
struct Pending {
    request_id: String,
    total: u32,
    parts: HashMap<u32, String>,
}

/// Chunked results in progress, by `payloadId`.
#[derive(Debug, Default)]
pub struct Reassembler {
    pending: HashMap<String, Pending>,
}

/// A finished (or failed) chunked result.
#[derive(Debug, PartialEq)]
pub enum Assembled {
    /// Not complete yet.
    Incomplete,
    /// Complete: the request it answers and the parsed payload.
    Done {
        /// The request's id.
        request_id: String,
        /// The parsed JSON (`null` for an empty string).
        payload: Value,
    },
    /// The pieces did not form valid JSON, or the chunk was inconsistent.
    Failed {
        /// The request's id.
        request_id: String,
        /// What went wrong.
        reason: String,
    },
}

impl Reassembler {
    /// Registers a chunked header. Chunks that arrived before it are kept.
    pub fn start(&mut self, request_id: &str, payload_id: &str, total: u32) -> Assembled {
        if total == 0 || total > MAX_TOTAL_CHUNKS {
            self.pending.remove(payload_id);
            return Assembled::Failed {
                request_id: request_id.to_string(),
                reason: format!("invalid totalChunks {total}"),
            };
        }
        let entry = self
            .pending
            .entry(payload_id.to_string())
            .or_insert_with(|| Pending {
                request_id: request_id.to_string(),
                total,
                parts: HashMap::new(),
            });
        entry.total = total;
        entry.request_id = request_id.to_string();
        self.finish_if_complete(payload_id)
    }

    /// Adds one `ops_chunk`.
    pub fn add(
        &mut self,
        request_id: &str,
        payload_id: &str,
        index: u32,
        total: u32,
        data: String,
    ) -> Assembled {
        if total == 0 || total > MAX_TOTAL_CHUNKS || index >= total {
            self.pending.remove(payload_id);
            return Assembled::Failed {
                request_id: request_id.to_string(),
                reason: format!("invalid chunk {index} of {total}"),
            };
        }
        let entry = self
            .pending
            .entry(payload_id.to_string())
            .or_insert_with(|| Pending {
                request_id: request_id.to_string(),
                total,
                parts: HashMap::new(),
            });
        entry.parts.insert(index, data);
        self.finish_if_complete(payload_id)
    }

    /// Drops every partial result of `request_id` (it timed out or was answered otherwise).
    pub fn forget_request(&mut self, request_id: &str) {
        self.pending.retain(|_, p| p.request_id != request_id);
    }

    /// Number of results in progress.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether nothing is in progress.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    fn finish_if_complete(&mut self, payload_id: &str) -> Assembled {
        let complete = self
            .pending
            .get(payload_id)
            .is_some_and(|p| (0..p.total).all(|i| p.parts.contains_key(&i)));
        if !complete {
            return Assembled::Incomplete;
        }
        let pending = self.pending.remove(payload_id).expect("checked above");
        let text: String = (0..pending.total)
            .map(|i| pending.parts[&i].as_str())
            .collect();
        if text.is_empty() {
            return Assembled::Done {
                request_id: pending.request_id,
                payload: Value::Null,
            };
        }
        match serde_json::from_str(&text) {
            Ok(payload) => Assembled::Done {
                request_id: pending.request_id,
                payload,
            },
            Err(e) => Assembled::Failed {
                request_id: pending.request_id,
                reason: format!("chunked payload is not JSON: {e}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn joins_chunks_in_index_order_even_when_out_of_order() {
        let mut r = Reassembler::default();
        assert_eq!(r.start("q1", "p1", 3), Assembled::Incomplete);
        assert_eq!(r.add("q1", "p1", 2, 3, "2]}".into()), Assembled::Incomplete);
        assert_eq!(
            r.add("q1", "p1", 0, 3, "{\"a\":".into()),
            Assembled::Incomplete
        );
        let done = r.add("q1", "p1", 1, 3, "[1,".into());
        assert_eq!(
            done,
            Assembled::Done {
                request_id: "q1".into(),
                payload: json!({"a":[1,2]})
            }
        );
        assert!(r.is_empty());
    }

    #[test]
    fn chunks_before_the_header_are_kept() {
        let mut r = Reassembler::default();
        assert_eq!(
            r.add("q", "p", 0, 1, "true".into()),
            Assembled::Done {
                request_id: "q".into(),
                payload: json!(true)
            }
        );
        let mut r = Reassembler::default();
        assert_eq!(r.add("q", "p", 1, 2, "2".into()), Assembled::Incomplete);
        assert_eq!(
            r.add("q", "p", 0, 2, "1".into()),
            Assembled::Done {
                request_id: "q".into(),
                payload: json!(12)
            }
        );
    }

    #[test]
    fn empty_text_is_null() {
        let mut r = Reassembler::default();
        r.start("q", "p", 2);
        r.add("q", "p", 0, 2, String::new());
        let done = r.add("q", "p", 1, 2, String::new());
        assert_eq!(
            done,
            Assembled::Done {
                request_id: "q".into(),
                payload: Value::Null
            }
        );
    }

    #[test]
    fn bad_json_and_bad_indexes_fail() {
        let mut r = Reassembler::default();
        r.start("q", "p", 2);
        r.add("q", "p", 0, 2, "{".into());
        assert!(matches!(
            r.add("q", "p", 1, 2, "x".into()),
            Assembled::Failed { .. }
        ));
        assert!(matches!(
            r.add("q", "p2", 5, 2, "x".into()),
            Assembled::Failed { .. }
        ));
        assert!(matches!(r.start("q", "p3", 0), Assembled::Failed { .. }));
        assert!(matches!(
            r.start("q", "p4", MAX_TOTAL_CHUNKS + 1),
            Assembled::Failed { .. }
        ));
        assert!(r.is_empty());
    }

    #[test]
    fn forget_request_drops_partials() {
        let mut r = Reassembler::default();
        r.start("q", "p", 2);
        r.start("other", "p2", 2);
        assert_eq!(r.len(), 2);
        r.forget_request("q");
        assert_eq!(r.len(), 1);
    }
}
