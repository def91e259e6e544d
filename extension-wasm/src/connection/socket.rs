//! [`Socket`]: the relay link as a stream of [`SocketEvent`]s, over a `web_sys::WebSocket` or over the
//! native messaging port ([`Socket::native`]; docs/NATIVE.md). The connection code above does not care which.
//!
//! Over native messaging: `Open` is reported at once (Chrome reports failures as a disconnect); the host's
//! `{"type":"relay_close","code","reason"}` becomes `Close` with that code and reason; its
//! `{"type":"error","code":"relay_unavailable"}` and a port disconnect become `Close` 1006 with the
//! [`NativeHealth`] line as the reason, and [`Socket::native_health`] keeps the classification.

use futures::channel::mpsc::{unbounded, UnboundedReceiver};
use futures::StreamExt;
use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use std::cell::RefCell;
use std::rc::Rc;

use crate::link::Sink;
use crate::native::port::{NativePort, PortEvent};
use crate::native::NativeHealth;

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

/// One relay link and its event handlers. Dropping it detaches the handlers and closes the link.
pub struct Socket {
    rx: UnboundedReceiver<SocketEvent>,
    backend: Backend,
}

enum Backend {
    Ws(WsParts),
    Native {
        port: NativePort,
        health: Rc<RefCell<Option<NativeHealth>>>,
    },
}

struct WsParts {
    ws: WebSocket,
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
            rx,
            backend: Backend::Ws(WsParts {
                ws,
                _on_open: on_open,
                _on_message: on_message,
                _on_close: on_close,
                _on_error: on_error,
            }),
        })
    }

    /// Opens the native messaging port to `com.opendevbrowser.native`.
    ///
    /// # Errors
    /// The exception text when `connectNative` throws.
    pub fn native() -> Result<Socket, String> {
        let (tx, rx) = unbounded();
        let health = Rc::new(RefCell::new(None));
        let seen = Rc::clone(&health);
        let open_tx = tx.clone();
        let port = NativePort::open(move |event| {
            let out = match event {
                PortEvent::Message(text) => native_message(text, &seen),
                PortEvent::Disconnected(h) => Some(native_close(h, &seen)),
            };
            if let Some(ev) = out {
                let _ = tx.unbounded_send(ev);
            }
        })?;
        let _ = open_tx.unbounded_send(SocketEvent::Open);
        Ok(Socket {
            rx,
            backend: Backend::Native { port, health },
        })
    }

    /// Over native messaging: the classified failure, once the port failed.
    pub fn native_health(&self) -> Option<NativeHealth> {
        match &self.backend {
            Backend::Native { health, .. } => health.borrow().clone(),
            Backend::Ws(_) => None,
        }
    }

    /// Over native messaging: the shared cell the failure is recorded in (readable after the socket moved).
    pub fn native_health_cell(&self) -> Option<Rc<RefCell<Option<NativeHealth>>>> {
        match &self.backend {
            Backend::Native { health, .. } => Some(Rc::clone(health)),
            Backend::Ws(_) => None,
        }
    }

    /// The next event; `None` only if the handlers are gone.
    pub async fn next(&mut self) -> Option<SocketEvent> {
        self.rx.next().await
    }

    /// Sends a text message; `false` when the link is not open.
    pub fn send(&self, text: &str) -> bool {
        self.handle().send(text)
    }

    /// Closes with `code` (1000 or 3000-4999) and `reason` (a native port just disconnects).
    pub fn close(&self, code: u16, reason: &str) {
        self.handle().close(code, reason);
    }

    /// A handle for sending from elsewhere (the [`crate::link::Link`]).
    pub fn handle(&self) -> Sink {
        match &self.backend {
            Backend::Ws(w) => Sink::Ws(w.ws.clone()),
            Backend::Native { port, .. } => Sink::Native(port.port()),
        }
    }
}

/// Maps one host message to a socket event (see the module docs).
fn native_message(text: String, health: &Rc<RefCell<Option<NativeHealth>>>) -> Option<SocketEvent> {
    if !text.contains("\"type\":\"relay_close\"") && !text.contains("\"relay_unavailable\"") {
        return Some(SocketEvent::Text(text));
    }
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let field = |k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
    };
    match (field("type"), field("code")) {
        ("relay_close", _) => Some(SocketEvent::Close {
            code: v
                .get("code")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(1006) as u16,
            reason: field("reason").to_string(),
        }),
        ("error", "relay_unavailable") => Some(native_close(
            NativeHealth::RelayUnavailable(field("message").to_string()),
            health,
        )),
        _ => Some(SocketEvent::Text(text)),
    }
}

/// Records `h` and turns it into a 1006 close whose reason is the popup line.
fn native_close(h: NativeHealth, health: &Rc<RefCell<Option<NativeHealth>>>) -> SocketEvent {
    let reason = h.line();
    *health.borrow_mut() = Some(h);
    SocketEvent::Close { code: 1006, reason }
}

impl Drop for WsParts {
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
