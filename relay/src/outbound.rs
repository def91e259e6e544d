//! Per-socket outbound handle: a bounded text queue plus a one-shot close request.
//!
//! Every WebSocket session owns one [`OutboundRx`]; the hub keeps the matching [`Outbound`] and
//! uses it to deliver routed messages or to ask the session to close with a code and reason.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use odb_protocol::limits::close_code;
use tokio::sync::{mpsc, watch};

/// Messages a client queue may hold before the client counts as too slow.
pub(crate) const CLIENT_QUEUE_MESSAGES: usize = 256;
/// Messages the extension queue may hold; senders wait (backpressure) when it is full.
pub(crate) const EXTENSION_QUEUE_MESSAGES: usize = 1024;
/// Bytes a client queue may hold before the client counts as too slow.
pub(crate) const CLIENT_QUEUE_BYTES: usize = 64 * 1024 * 1024;
/// Close reason for a client that does not read its messages fast enough.
pub(crate) const CLOSE_REASON_TOO_SLOW: &str = "Client too slow";

/// A close request: WebSocket close code and reason text.
pub(crate) type CloseRequest = (u16, String);

/// The sending half, cheap to clone. `conn` identifies the socket (a generation counter).
#[derive(Clone)]
pub(crate) struct Outbound {
    pub conn: u64,
    tx: mpsc::Sender<String>,
    close: Arc<watch::Sender<Option<CloseRequest>>>,
    bytes: Arc<AtomicUsize>,
}

/// The receiving half, owned by the socket's session task.
pub(crate) struct OutboundRx {
    pub rx: mpsc::Receiver<String>,
    pub close: watch::Receiver<Option<CloseRequest>>,
    bytes: Arc<AtomicUsize>,
}

/// Creates a handle pair with room for `capacity` queued messages.
pub(crate) fn channel(conn: u64, capacity: usize) -> (Outbound, OutboundRx) {
    let (tx, rx) = mpsc::channel(capacity);
    let (close_tx, close_rx) = watch::channel(None);
    let bytes = Arc::new(AtomicUsize::new(0));
    (
        Outbound {
            conn,
            tx,
            close: Arc::new(close_tx),
            bytes: bytes.clone(),
        },
        OutboundRx {
            rx,
            close: close_rx,
            bytes,
        },
    )
}

impl Outbound {
    /// Queues `text` without waiting. A full queue (by count or bytes) closes the socket with
    /// 1008 "Client too slow" and returns false; so does a socket that is already gone.
    pub(crate) fn try_send(&self, text: String) -> bool {
        let len = text.len();
        if self.bytes.load(Ordering::Relaxed).saturating_add(len) > CLIENT_QUEUE_BYTES {
            self.close(close_code::POLICY, CLOSE_REASON_TOO_SLOW);
            return false;
        }
        match self.tx.try_send(text) {
            Ok(()) => {
                self.bytes.fetch_add(len, Ordering::Relaxed);
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.close(close_code::POLICY, CLOSE_REASON_TOO_SLOW);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Queues `text`, waiting for room (backpressure). False when the socket is gone.
    pub(crate) async fn send(&self, text: String) -> bool {
        let len = text.len();
        if self.tx.send(text).await.is_ok() {
            self.bytes.fetch_add(len, Ordering::Relaxed);
            true
        } else {
            false
        }
    }

    /// Asks the session to close with `code` and `reason`. The first request wins.
    pub(crate) fn close(&self, code: u16, reason: &str) {
        self.close.send_if_modified(|slot| {
            if slot.is_some() {
                return false;
            }
            *slot = Some((code, reason.to_string()));
            true
        });
    }
}

impl OutboundRx {
    /// Accounts for a dequeued message of `len` bytes.
    pub(crate) fn dequeued(&self, len: usize) {
        self.bytes.fetch_sub(len, Ordering::Relaxed);
    }

    /// The pending close request, if any.
    pub(crate) fn close_request(&self) -> Option<CloseRequest> {
        self.close.borrow().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_closes_with_policy_code() {
        let (out, mut rx) = channel(1, 2);
        assert!(out.try_send("a".into()));
        assert!(out.try_send("b".into()));
        assert!(rx.close_request().is_none());
        assert!(!out.try_send("c".into()));
        assert_eq!(
            rx.close_request(),
            Some((close_code::POLICY, CLOSE_REASON_TOO_SLOW.to_string()))
        );
        let first = rx.rx.try_recv().unwrap();
        rx.dequeued(first.len());
        assert_eq!(first, "a");
    }

    #[test]
    fn first_close_wins() {
        let (out, rx) = channel(1, 2);
        out.close(1000, "Relay stopped");
        out.close(1011, "Extension disconnected.");
        assert_eq!(
            rx.close_request(),
            Some((1000, "Relay stopped".to_string()))
        );
    }
}
