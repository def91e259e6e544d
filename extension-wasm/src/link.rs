//! [`Link`]: the current relay link ([`Sink`]: WebSocket or native port) for outgoing messages, with a
//! queue while it is not ready.
//!
//! Messages from the ops runtime (`Host::send_to_relay`) are queued until the socket is open and
//! handshaken, then flushed in order. When the link drops, the queue is discarded: the relay closes every
//! `/ops` client when the extension socket closes, so nobody is left to receive them.

use std::cell::RefCell;
use std::collections::VecDeque;

use web_sys::WebSocket;

use crate::chrome::native::Port;

/// Where outgoing messages go: the relay WebSocket or the native messaging port (docs/NATIVE.md).
#[derive(Clone)]
pub enum Sink {
    /// `/extension` WebSocket.
    Ws(WebSocket),
    /// The `connectNative` port (the host forwards to the relay).
    Native(Port),
}

impl Sink {
    /// Sends one JSON text message; false when the link refused it.
    pub fn send(&self, text: &str) -> bool {
        match self {
            Sink::Ws(ws) => ws.send_with_str(text).is_ok(),
            Sink::Native(port) => match port.post_json(text) {
                Ok(()) => true,
                Err(e) => {
                    warn!("native postMessage failed: {e}");
                    false
                }
            },
        }
    }

    /// Closes the link: a WebSocket close with `code`/`reason`, or a port disconnect.
    pub fn close(&self, code: u16, reason: &str) {
        match self {
            Sink::Ws(ws) => {
                if let Err(e) = ws.close_with_code_and_reason(code, reason) {
                    warn!("close failed: {}", crate::js::error_text(&e));
                }
            }
            Sink::Native(port) => port.disconnect(),
        }
    }
}

/// Most messages kept while the link is not ready; older ones are dropped first.
const MAX_QUEUED: usize = 512;

/// The outgoing side of the relay connection.
#[derive(Default)]
pub struct Link {
    inner: RefCell<Inner>,
}

#[derive(Default)]
struct Inner {
    socket: Option<Sink>,
    queue: VecDeque<String>,
}

impl Link {
    /// Sends `text` now when the link is ready, else queues it.
    pub fn send(&self, text: String) {
        let mut inner = self.inner.borrow_mut();
        if let Some(sink) = &inner.socket {
            if sink.send(&text) {
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
    pub fn set_ready(&self, sink: Sink) {
        let mut inner = self.inner.borrow_mut();
        while let Some(text) = inner.queue.pop_front() {
            if !sink.send(&text) {
                warn!("flush failed");
                break;
            }
        }
        inner.socket = Some(sink);
    }

    /// The link dropped: stop sending and discard the queue. Returns the socket it held, if any.
    pub fn clear(&self) -> Option<Sink> {
        let mut inner = self.inner.borrow_mut();
        inner.queue.clear();
        inner.socket.take()
    }
}
