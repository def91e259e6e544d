//! The popup (`popup.html`): status pill and note, the settings of PROTOCOL.md §10 written straight to
//! `chrome.storage.local` (the same keys the background reads), and Connect/Disconnect.

use std::cell::RefCell;

use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{Document, Element, Event, HtmlButtonElement, HtmlInputElement};

use crate::chrome::runtime;
use crate::chrome::storage::{self, Area};
use crate::settings::{keys, parse_port, Settings};
use crate::status::{badge_for, Badge, LinkStatus, DEFAULT_NOTE};

/// How often the popup refreshes the status while open, in ms.
const REFRESH_MS: u32 = 1_500;

/// A DOM event listener kept alive for the page's lifetime.
type Listener = Closure<dyn FnMut(Event)>;

thread_local! {
    /// Listeners live as long as the popup page.
    static LISTENERS: RefCell<Vec<Listener>> = const { RefCell::new(Vec::new()) };
    /// The last status string from the background.
    static LAST_STATUS: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Wires the popup's controls and starts the status refresh.
pub fn start() {
    spawn_local(async {
        if let Err(e) = init().await {
            warn!("popup init failed: {e}");
        }
    });
}

fn document() -> Result<Document, String> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "no document".to_string())
}

fn by_id<T: JsCast>(doc: &Document, id: &str) -> Result<T, String> {
    doc.get_element_by_id(id)
        .and_then(|e| e.dyn_into::<T>().ok())
        .ok_or_else(|| format!("popup element #{id} missing"))
}

fn listen(target: &Element, event: &str, f: impl FnMut(Event) + 'static) {
    let closure: Listener = Closure::new(f);
    if target
        .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())
        .is_ok()
    {
        LISTENERS.with(|l| l.borrow_mut().push(closure));
    }
}

fn write(items: Value) {
    spawn_local(async move {
        if let Err(e) = storage::set(Area::Local, &items).await {
            warn!("settings write failed: {e}");
        }
    });
}

async fn init() -> Result<(), String> {
    let doc = document()?;
    let settings =
        Settings::from_storage(&storage::get(Area::Local, &crate::settings::ALL_KEYS).await?);
    let port: HtmlInputElement = by_id(&doc, keys::RELAY_PORT)?;
    let token: HtmlInputElement = by_id(&doc, keys::PAIRING_TOKEN)?;
    port.set_value(&settings.relay_port.to_string());
    token.set_value(settings.pairing_token.as_deref().unwrap_or(""));
    token.set_disabled(settings.auto_pair);

    for (key, value) in [
        (keys::AUTO_CONNECT, settings.auto_connect),
        (keys::AUTO_PAIR, settings.auto_pair),
        (keys::PAIRING_ENABLED, settings.pairing_enabled),
    ] {
        let input: HtmlInputElement = by_id(&doc, key)?;
        input.set_checked(value);
        let this = input.clone();
        let token = token.clone();
        listen(&input, "change", move |_| {
            let checked = this.checked();
            if key == keys::AUTO_PAIR {
                token.set_disabled(checked);
            }
            write(json!({ key: checked }));
        });
    }

    let this = port.clone();
    listen(&port, "change", move |_| {
        match parse_port(&Value::String(this.value())) {
            Some(p) => write(json!({ keys::RELAY_PORT: p })),
            None => set_text("note", "Relay port must be an integer between 1 and 65535."),
        }
    });
    let this = token.clone();
    listen(&token, "change", move |_| {
        let value = this.value();
        let value = value.trim();
        write(
            json!({ keys::PAIRING_TOKEN: if value.is_empty() { Value::Null } else { json!(value) } }),
        );
    });

    let button: HtmlButtonElement = by_id(&doc, "toggle")?;
    listen(&button, "click", move |_| {
        let connected = LAST_STATUS.with(|s| s.borrow().as_str() == LinkStatus::Connected.as_str());
        let kind = if connected { "disconnect" } else { "connect" };
        set_text(
            "note",
            if connected {
                "Disconnecting…"
            } else {
                "Connecting…"
            },
        );
        spawn_local(request(kind));
    });

    spawn_local(async {
        loop {
            request("status").await;
            crate::js::sleep_ms(REFRESH_MS).await;
        }
    });
    Ok(())
}

async fn request(kind: &'static str) {
    match runtime::send_message(&json!({ "type": kind })).await {
        Ok(reply) => render(&reply),
        Err(e) => set_text("note", &format!("Background unavailable: {e}")),
    }
}

fn set_text(id: &str, text: &str) {
    if let Some(el) = document().ok().and_then(|d| d.get_element_by_id(id)) {
        el.set_text_content(Some(text));
    }
}

/// Renders a `{type:"status", status, note, relayHealth, nativeLine}` reply.
fn render(reply: &Value) {
    let status = match reply.get("status").and_then(Value::as_str) {
        Some("connected") => LinkStatus::Connected,
        Some("connecting") => LinkStatus::Connecting,
        _ => LinkStatus::Disconnected,
    };
    LAST_STATUS.with(|s| *s.borrow_mut() = status.as_str().to_string());
    let health = reply.get("relayHealth").filter(|h| !h.is_null());
    let badge = badge_for(status, health);
    let label = if status == LinkStatus::Connecting {
        "Connecting…"
    } else {
        badge.label()
    };
    set_text("status", label);
    if let Some(el) = document().ok().and_then(|d| d.get_element_by_id("status")) {
        let class = match badge {
            Badge::Connected => "pill ok",
            Badge::Warning => "pill warn",
            Badge::Disconnected => "pill off",
        };
        let _ = el.set_attribute("class", class);
    }
    set_text(
        "note",
        reply
            .get("note")
            .and_then(Value::as_str)
            .unwrap_or(DEFAULT_NOTE),
    );
    set_text(
        "native",
        reply
            .get("nativeLine")
            .and_then(Value::as_str)
            .unwrap_or_default(),
    );
    set_text(
        "toggle",
        if status == LinkStatus::Connected {
            "Disconnect"
        } else {
            "Connect"
        },
    );
}
