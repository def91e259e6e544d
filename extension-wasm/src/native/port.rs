//! [`NativePort`]: the `connectNative` port as a stream of whole JSON messages (host `native_chunk`
//! frames joined) and one final disconnect, classified.

use std::cell::RefCell;
use std::rc::Rc;

use odb_protocol::limits::NATIVE_HOST_NAME;
use wasm_bindgen::prelude::*;

use super::reassemble::Reassembler;
use super::NativeHealth;
use crate::chrome::native::{self, Port};

/// What the port reported.
#[derive(Clone, Debug, PartialEq)]
pub enum PortEvent {
    /// One whole message from the host, as JSON text.
    Message(String),
    /// The port closed: why, classified.
    Disconnected(NativeHealth),
}

/// An open port and its listeners. Dropping it removes the listeners and disconnects.
pub struct NativePort {
    port: Port,
    on_message: Closure<dyn FnMut(JsValue)>,
    on_disconnect: Closure<dyn FnMut(JsValue)>,
}

impl NativePort {
    /// Connects to `com.opendevbrowser.native`; `emit` receives every event.
    ///
    /// # Errors
    /// The exception text when `connectNative` throws.
    pub fn open(emit: impl Fn(PortEvent) + 'static) -> Result<NativePort, String> {
        let port = native::connect(NATIVE_HOST_NAME)?;
        let emit = Rc::new(emit);
        let chunks = RefCell::new(Reassembler::default());
        let e = Rc::clone(&emit);
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |msg: JsValue| {
            if let Some(text) = whole_message(&msg, &chunks) {
                e(PortEvent::Message(text));
            }
        });
        let on_disconnect = Closure::<dyn FnMut(JsValue)>::new(move |_port: JsValue| {
            let text = native::last_error_message();
            emit(PortEvent::Disconnected(NativeHealth::from_disconnect(
                &text,
            )));
        });
        port.listen_message(on_message.as_ref().unchecked_ref(), true);
        port.listen_disconnect(on_disconnect.as_ref().unchecked_ref(), true);
        Ok(NativePort {
            port,
            on_message,
            on_disconnect,
        })
    }

    /// The port, for sending from the link.
    pub fn port(&self) -> Port {
        self.port.clone()
    }
}

/// The JSON text of `msg`, or `None` while a chunked message is incomplete (or a chunk was bad).
fn whole_message(msg: &JsValue, chunks: &RefCell<Reassembler>) -> Option<String> {
    let get = |k: &str| js_sys::Reflect::get(msg, &JsValue::from_str(k)).ok();
    if get("type").and_then(|t| t.as_string()).as_deref() != Some("native_chunk") {
        return js_sys::JSON::stringify(msg).ok().map(String::from);
    }
    let num = |k: &str| get(k).and_then(|v| v.as_f64());
    let (id, index, total) = (
        num("id")? as u64,
        num("index")? as usize,
        num("total")? as usize,
    );
    let data = get("data").and_then(|d| d.as_string())?;
    match chunks.borrow_mut().push(id, index, total, &data) {
        Ok(whole) => whole,
        Err(e) => {
            warn!("native chunk dropped: {}", e.0);
            None
        }
    }
}

impl Drop for NativePort {
    fn drop(&mut self) {
        self.port
            .listen_message(self.on_message.as_ref().unchecked_ref(), false);
        self.port
            .listen_disconnect(self.on_disconnect.as_ref().unchecked_ref(), false);
        self.port.disconnect();
    }
}
