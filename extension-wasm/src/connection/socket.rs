//! [`Socket`]: a `web_sys::WebSocket` turned into a stream of [`SocketEvent`]s.

use futures::channel::mpsc::{unbounded, UnboundedReceiver};
use futures::StreamExt;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// What the socket reported.
#[derive(Clone, Debug, PartialEq)]
pub enum SocketEvent {
    /// `open`.
    Open,
    /// A text frame.
    Text(String),
    /// `close`, with its code and reason (1006 when the connection broke).
    Close {
        /// WebSocket close code.
        code: u16,
        /// Close reason text.
        reason: String,
    },
    /// `error` (a `close` follows).
    Error,
}

/// One WebSocket and its event handlers. Dropping it detaches the handlers and closes the socket.
pub struct Socket {
    ws: WebSocket,
    rx: UnboundedReceiver<SocketEvent>,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl Socket {
    /// Starts connecting to `url`.
    ///
    /// # Errors
    /// The constructor's exception text (e.g. a malformed URL).
    pub fn open(url: &str) -> Result<Socket, String> {
        let ws = WebSocket::new(url).map_err(|e| crate::js::error_text(&e))?;
        let (tx, rx) = unbounded();
        let t = tx.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_| {
            let _ = t.unbounded_send(SocketEvent::Open);
        });
        let t = tx.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                let _ = t.unbounded_send(SocketEvent::Text(text));
            }
        });
        let t = tx.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
            let _ = t.unbounded_send(SocketEvent::Close {
                code: ev.code(),
                reason: ev.reason(),
            });
        });
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_| {
            let _ = tx.unbounded_send(SocketEvent::Error);
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            rx,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
            _on_error: on_error,
        })
    }

    /// The next event; `None` only if the handlers are gone.
    pub async fn next(&mut self) -> Option<SocketEvent> {
        self.rx.next().await
    }

    /// Sends a text frame; `false` when the socket is not open.
    pub fn send(&self, text: &str) -> bool {
        self.ws.send_with_str(text).is_ok()
    }

    /// Closes with `code` (1000 or 3000-4999) and `reason`.
    pub fn close(&self, code: u16, reason: &str) {
        if let Err(e) = self.ws.close_with_code_and_reason(code, reason) {
            warn!("close failed: {}", crate::js::error_text(&e));
        }
    }

    /// A handle for sending from elsewhere (the [`crate::link::Link`]).
    pub fn handle(&self) -> WebSocket {
        self.ws.clone()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        if self.ws.ready_state() <= WebSocket::OPEN {
            let _ = self.ws.close();
        }
    }
}
