//! [`Link`]: the current relay socket for outgoing messages, with a queue while it is not ready.
//!
//! Messages from the ops runtime (`Host::send_to_relay`) are queued until the socket is open and
//! handshaken, then flushed in order. When the link drops, the queue is discarded: the relay closes every
//! `/ops` client when the extension socket closes, so nobody is left to receive them.

use std::cell::RefCell;
use std::collections::VecDeque;

use web_sys::WebSocket;

/// Most messages kept while the link is not ready; older ones are dropped first.
const MAX_QUEUED: usize = 512;

/// The outgoing side of the relay connection.
#[derive(Default)]
pub struct Link {
    inner: RefCell<Inner>,
}

#[derive(Default)]
struct Inner {
    socket: Option<WebSocket>,
    queue: VecDeque<String>,
}

impl Link {
    /// Sends `text` now when the link is ready, else queues it.
    pub fn send(&self, text: String) {
        let mut inner = self.inner.borrow_mut();
        if let Some(ws) = &inner.socket {
            if ws.send_with_str(&text).is_ok() {
                return;
            }
        }
        if inner.queue.len() >= MAX_QUEUED {
            inner.queue.pop_front();
            warn!("outgoing queue full; dropped the oldest message");
        }
        inner.queue.push_back(text);
    }

    /// The socket is open and handshaken: send through it from now on, flushing the queue first.
    pub fn set_ready(&self, ws: WebSocket) {
        let mut inner = self.inner.borrow_mut();
        while let Some(text) = inner.queue.pop_front() {
            if let Err(e) = ws.send_with_str(&text) {
                warn!("flush failed: {}", crate::js::error_text(&e));
                break;
            }
        }
        inner.socket = Some(ws);
    }

    /// The link dropped: stop sending and discard the queue. Returns the socket it held, if any.
    pub fn clear(&self) -> Option<WebSocket> {
        let mut inner = self.inner.borrow_mut();
        inner.queue.clear();
        inner.socket.take()
    }
}
