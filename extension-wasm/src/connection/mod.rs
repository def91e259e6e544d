//! The background's relay connection (PROTOCOL.md §6): [`Background`] holds the ops runtime, the link and
//! the connection state; [`ensure`] runs one auto-connect attempt; `session` keeps a live socket healthy.
//!
//! Invariant (SECURITY.md D13): every attempt gets a new `generation`; a socket task whose generation is no
//! longer current only closes its own socket and never touches the shared state.

mod handshake;
mod native;
mod native_pair;
mod retry;
mod session;
mod socket;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use odb_ops::Runtime;
use serde_json::{json, Value};
use wasm_bindgen_futures::spawn_local;

use crate::backoff::{Backoff, RECONNECT};
use crate::chrome::storage::{self, Area};
use crate::host::ChromeHost;
use crate::link::Link;
use crate::native::NativeHealth;
use crate::pairing::{self, CloseAction};
use crate::settings::{Patch, Settings, ALL_KEYS};
use crate::status::{connected_note, health_note, LinkStatus, DEFAULT_NOTE};
use crate::wire::{self, TrackedTab};

pub use handshake::tracked_tab;
pub use retry::schedule_retry;

/// Why an attempt is being made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Worker start.
    Start,
    /// `runtime.onInstalled` / `onStartup`.
    Lifecycle,
    /// The backoff timer or an alarm.
    Retry,
    /// A user or page change of `autoConnect`, `pairingToken`, `relayPort` or `discoveryPort`.
    Storage,
    /// The popup's Connect button or the connect page: also lifts a manual disconnect and ignores
    /// `autoConnect: false`.
    Manual,
}

/// The relay link of a connected background.
#[derive(Clone, Debug, PartialEq)]
pub struct Connected {
    /// The relay port the socket is on.
    pub port: u16,
    /// The relay's `instanceId`.
    pub instance_id: String,
    /// The token sent in the handshake (re-sent on re-handshakes).
    pub token: Option<String>,
}

/// Mutable connection state (in memory; what must survive a worker restart is in chrome.storage).
pub struct State {
    /// Link status.
    pub status: LinkStatus,
    /// The popup note.
    pub note: String,
    /// The last relay health object seen.
    pub health: Option<Value>,
    /// Bumped by every attempt and every disconnect.
    pub generation: u64,
    /// An attempt is in flight.
    pub connecting: bool,
    /// A user change arrived during an attempt: run again after it.
    pub rerun: bool,
    /// Set while connected.
    pub connected: Option<Connected>,
    /// The tab named in the handshake.
    pub tracked: TrackedTab,
    /// In-worker reconnect backoff.
    pub backoff: Backoff,
    /// Failed attempts since the last success, for the alarm delay.
    pub alarm_attempt: u32,
    /// The pending backoff timer.
    pub retry_timer: Option<gloo_timers::callback::Timeout>,
    /// Relay-switch suppression (stored in `storage.session` as `reconnectSuppressed`).
    pub suppressed: bool,
    /// The user pressed Disconnect (stored in `storage.session` as `manualDisconnect`).
    pub manual_off: bool,
    /// Session state restored after a worker start; auto triggers wait for it.
    pub restored: bool,
    /// Values this background wrote to storage, so their `onChanged` echoes are not user changes.
    pub own_writes: HashMap<String, Value>,
    /// What the last native messaging attempt found (the popup's native line).
    pub native: NativeHealth,
    /// The relay `instanceId` that refused a token the native host gave: the next attempts for that
    /// instance pair with `POST /pair` instead (docs/NATIVE.md "Pairing over native messaging").
    pub native_pair_refused: Option<String>,
}

/// The background worker: ops runtime, outgoing link, connection state.
pub struct Background {
    /// The `/ops` runtime.
    pub runtime: Runtime<ChromeHost>,
    /// Outgoing messages to the relay.
    pub link: Rc<Link>,
    /// Connection state.
    pub state: RefCell<State>,
}

thread_local! {
    static BACKGROUND: RefCell<Option<Rc<Background>>> = const { RefCell::new(None) };
}

/// The background, once [`start`] ran.
pub fn background() -> Option<Rc<Background>> {
    BACKGROUND.with(|b| b.borrow().clone())
}

/// Session-storage keys of transient state.
const SUPPRESSED_KEY: &str = "reconnectSuppressed";
const MANUAL_OFF_KEY: &str = "manualDisconnect";

/// Builds the background and starts auto-connect (called once per worker start).
pub fn start() {
    if background().is_some() {
        return;
    }
    let link = Rc::new(Link::default());
    let bg = Rc::new(Background {
        runtime: Runtime::new(ChromeHost::new(Rc::clone(&link))),
        link,
        state: RefCell::new(State {
            status: LinkStatus::Disconnected,
            note: DEFAULT_NOTE.to_string(),
            health: None,
            generation: 0,
            connecting: false,
            rerun: false,
            connected: None,
            tracked: TrackedTab::none(),
            backoff: RECONNECT,
            alarm_attempt: 0,
            retry_timer: None,
            suppressed: false,
            manual_off: false,
            restored: false,
            own_writes: HashMap::new(),
            native: NativeHealth::Off,
            native_pair_refused: None,
        }),
    });
    BACKGROUND.with(|b| *b.borrow_mut() = Some(Rc::clone(&bg)));
    log!("background started");
    crate::connect_page::reload_pending_tabs();
    crate::badge::show(LinkStatus::Disconnected, None);
    spawn_local(async move {
        match storage::get(Area::Session, &[SUPPRESSED_KEY, MANUAL_OFF_KEY]).await {
            Ok(v) => {
                let mut st = bg.state.borrow_mut();
                st.suppressed = v.get(SUPPRESSED_KEY).and_then(Value::as_bool) == Some(true);
                st.manual_off = v.get(MANUAL_OFF_KEY).and_then(Value::as_bool) == Some(true);
            }
            Err(e) => warn!("session state unavailable: {e}"),
        }
        bg.state.borrow_mut().restored = true;
        ensure(bg, Trigger::Start).await;
    });
}

impl Background {
    /// Whether `generation` is still the live one.
    pub fn is_current(&self, generation: u64) -> bool {
        self.state.borrow().generation == generation
    }

    /// Updates status, note and health together, and repaints the badge.
    fn set_status(&self, status: LinkStatus, note: String) {
        let health = {
            let mut st = self.state.borrow_mut();
            st.status = status;
            st.note = note;
            st.health.clone()
        };
        crate::badge::show(status, health.as_ref());
    }

    /// Records what the last native messaging attempt found.
    pub fn set_native(&self, health: NativeHealth) {
        self.state.borrow_mut().native = health;
    }

    /// Records a relay health object (from a pong) and repaints the badge.
    pub fn set_health(&self, health: Value) {
        let status = {
            let mut st = self.state.borrow_mut();
            st.health = Some(health.clone());
            st.status
        };
        crate::badge::show(status, Some(&health));
    }

    /// Writes a patch to `chrome.storage.local`, remembering the values as our own.
    pub async fn write(&self, patch: &Patch) -> Result<(), String> {
        if patch.is_empty() {
            return Ok(());
        }
        {
            let mut st = self.state.borrow_mut();
            for (k, v) in &patch.set {
                st.own_writes.insert(k.clone(), v.clone());
            }
            for k in &patch.remove {
                st.own_writes.insert((*k).to_string(), Value::Null);
            }
        }
        storage::apply_local(patch).await
    }

    /// Whether a `storage.onChanged` new value of `key` is the echo of our own write (consumed once).
    pub fn is_own_write(&self, key: &str, new_value: &Value) -> bool {
        let mut st = self.state.borrow_mut();
        match st.own_writes.get(key) {
            Some(v) if v == new_value => {
                st.own_writes.remove(key);
                true
            }
            _ => false,
        }
    }

    /// Re-sends the handshake with the tracked tab (when the tab changed) while connected.
    pub fn rehandshake(&self) {
        let msg = {
            let st = self.state.borrow();
            match &st.connected {
                Some(c) => wire::handshake(&st.tracked, c.token.as_deref()),
                None => return,
            }
        };
        self.link.send(msg);
    }

    /// `{type:"status", status, note, relayHealth, native, nativeLine}` for the popup; when not connected, asks `/status`
    /// on the stored relay port for fresh health.
    pub async fn status_reply(&self) -> Value {
        let (status, mut note, mut health) = {
            let st = self.state.borrow();
            (st.status, st.note.clone(), st.health.clone())
        };
        if status != LinkStatus::Connected {
            health = None;
            if let Ok(settings) = load_settings().await {
                let url = format!("http://127.0.0.1:{}/status", settings.relay_port);
                if let Ok(body) = crate::js::fetch_text(&url, "GET", 1_000).await {
                    health = serde_json::from_str::<Value>(&body)
                        .ok()
                        .and_then(|v| v.get("health").cloned());
                }
            }
            if let Some(h) = health.as_ref().and_then(health_note) {
                if note == DEFAULT_NOTE {
                    note = h.to_string();
                }
            }
        }
        let native = self.state.borrow().native.clone();
        json!({"type": "status", "status": status.as_str(), "note": note, "relayHealth": health,
               "native": native.code(), "nativeLine": native.line()})
    }
}

/// Reads every setting from `chrome.storage.local`.
pub async fn load_settings() -> Result<Settings, String> {
    Ok(Settings::from_storage(
        &storage::get(Area::Local, &ALL_KEYS).await?,
    ))
}

/// Persists a transient flag in `chrome.storage.session`.
fn persist_flag(key: &'static str, value: bool) {
    spawn_local(async move {
        if let Err(e) = storage::set(Area::Session, &json!({ key: value })).await {
            warn!("storage.session write failed: {e}");
        }
    });
}

/// One auto-connect pass (PROTOCOL.md §6 `attemptAutoConnect`): returns when connected, failed (a retry
/// is scheduled) or skipped.
pub async fn ensure(bg: Rc<Background>, trigger: Trigger) {
    {
        let mut st = bg.state.borrow_mut();
        if trigger == Trigger::Manual {
            if st.manual_off {
                st.manual_off = false;
                persist_flag(MANUAL_OFF_KEY, false);
            }
        } else if st.manual_off || !st.restored {
            return;
        }
        if st.connecting {
            st.rerun |= matches!(trigger, Trigger::Manual | Trigger::Storage);
            return;
        }
    }
    let settings = match load_settings().await {
        Ok(s) => s,
        Err(e) => {
            warn!("settings unavailable: {e}");
            return;
        }
    };
    if !settings.auto_connect && trigger != Trigger::Manual {
        retry::stop_alarms();
        return;
    }
    let connected_port = bg.state.borrow().connected.as_ref().map(|c| c.port);
    match connected_port {
        Some(port) if port == settings.relay_port => {
            retry::ensure_watchdog();
            return;
        }
        Some(_) => drop_link(&bg, "Relay port changed"),
        None => {}
    }
    let generation = {
        let mut st = bg.state.borrow_mut();
        st.connecting = true;
        st.generation += 1;
        st.retry_timer = None;
        st.generation
    };
    bg.set_status(LinkStatus::Connecting, "Connecting…".into());
    let result = handshake::establish(&bg, generation, settings).await;
    bg.state.borrow_mut().connecting = false;
    if !bg.is_current(generation) {
        log!("attempt superseded");
    } else {
        match result {
            Ok(est) => on_established(&bg, generation, est),
            Err(e) => {
                warn!("connect failed: {e}");
                bg.set_status(LinkStatus::Disconnected, e.to_string());
                schedule_retry(&bg);
            }
        }
    }
    let rerun = std::mem::take(&mut bg.state.borrow_mut().rerun);
    if rerun {
        spawn_local(ensure(bg, Trigger::Storage));
    }
}

fn on_established(bg: &Rc<Background>, generation: u64, est: handshake::Established) {
    let note = connected_note(est.port, &est.instance_id);
    {
        let mut st = bg.state.borrow_mut();
        st.connected = Some(Connected {
            port: est.port,
            instance_id: est.instance_id.clone(),
            token: est.token.clone(),
        });
        st.tracked = est.tab.clone();
        st.health = Some(est.health.clone());
        st.backoff.reset();
        st.alarm_attempt = 0;
        st.retry_timer = None;
    }
    bg.link.set_ready(est.socket.handle());
    bg.set_status(LinkStatus::Connected, note.clone());
    log!("paired: {note}");
    retry::on_connected();
    spawn_local(session::run(Rc::clone(bg), generation, est.socket));
}

/// Ends the current link without a retry: closes the socket, drops queued messages, tells the runtime.
fn drop_link(bg: &Background, reason: &str) {
    bg.state.borrow_mut().connected = None;
    if let Some(sink) = bg.link.clear() {
        sink.close(1000, reason);
    }
    bg.runtime.on_relay_disconnected();
}

/// The live socket closed (code/reason) or missed a heartbeat: clean up and schedule a reconnect.
fn on_link_lost(bg: &Rc<Background>, code: u16, reason: &str) {
    warn!("relay link lost ({code} {reason})");
    drop_link(bg, reason);
    bg.state.borrow_mut().generation += 1;
    bg.set_status(
        LinkStatus::Disconnected,
        format!("Relay connection closed ({code} {reason})."),
    );
    after_close(bg, code, reason);
    schedule_retry(bg);
}

/// Applies what a close means (§2.1): clear the token, or suppress reconnects after a takeover.
fn after_close(bg: &Rc<Background>, code: u16, reason: &str) {
    match pairing::classify_close(code, reason) {
        CloseAction::ClearToken => {
            log!("pairing token rejected; clearing it");
            let bg = Rc::clone(bg);
            spawn_local(async move {
                if let Err(e) = bg.write(&pairing::clear_token()).await {
                    warn!("clearing the token failed: {e}");
                }
            });
        }
        CloseAction::Suppress => {
            log!("replaced by another extension client; suppressing auto-reconnect");
            bg.state.borrow_mut().suppressed = true;
            persist_flag(SUPPRESSED_KEY, true);
        }
        CloseAction::Retry => {}
    }
}

/// The popup's Disconnect: closes the link and stops auto-reconnect until the next Connect.
pub fn disconnect_by_user(bg: &Rc<Background>) {
    {
        let mut st = bg.state.borrow_mut();
        st.generation += 1;
        st.manual_off = true;
        st.retry_timer = None;
    }
    persist_flag(MANUAL_OFF_KEY, true);
    drop_link(bg, "Disconnected by user");
    retry::stop_alarms();
    bg.set_status(LinkStatus::Disconnected, "Disconnected by user.".into());
    log!("disconnected by user");
}

/// Lifts relay-switch suppression (the relay no longer shows another extension's handshake).
fn unsuppress(bg: &Background) {
    let mut st = bg.state.borrow_mut();
    if st.suppressed {
        st.suppressed = false;
        persist_flag(SUPPRESSED_KEY, false);
    }
}
