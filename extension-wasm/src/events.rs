//! Routes the events `background.js` forwards (`on_event(name, args)`) to the connection and ops runtime.

use std::rc::Rc;

use js_sys::{Array, Function};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;

use crate::chrome::{alarms, debugger, tabs};
use crate::connection::{self, background, ensure, Background, Trigger};
use crate::js::js_to_json;
use crate::settings::keys;
use crate::wire::TrackedTab;

/// Handles one chrome event. `args` are the listener's arguments.
pub fn route(name: &str, args: &Array) {
    let Some(bg) = background() else {
        warn!("event {name} before start_background; dropped");
        return;
    };
    let arg = |i: u32| args.get(i);
    match name {
        "runtime.onInstalled" | "runtime.onStartup" => {
            spawn_local(ensure(bg, Trigger::Lifecycle));
        }
        "alarms.onAlarm" => {
            let alarm = js_to_json(&arg(0));
            let which = alarm.get("name").and_then(Value::as_str).unwrap_or("");
            if which == alarms::RETRY || which == alarms::WATCHDOG {
                spawn_local(ensure(bg, Trigger::Retry));
            }
        }
        "runtime.onMessage" => on_message(bg, js_to_json(&arg(0)), &js_to_json(&arg(1)), arg(2)),
        "storage.onChanged" => on_storage_changed(&bg, &js_to_json(&arg(0)), arg(1).as_string()),
        "debugger.onEvent" => {
            if let Some(debuggee) = debugger::debuggee_from_js(&arg(0)) {
                let method = arg(1).as_string().unwrap_or_default();
                bg.runtime
                    .on_cdp_event(debuggee, &method, js_to_json(&arg(2)));
            }
        }
        "debugger.onDetach" => {
            if let Some(debuggee) = debugger::debuggee_from_js(&arg(0)) {
                let reason = arg(1).as_string().unwrap_or_default();
                log!("debugger detached from tab {} ({reason})", debuggee.tab_id);
                bg.runtime.on_detach(debuggee.tab_id, &reason);
            }
        }
        "tabs.onRemoved" => {
            if let Some(id) = arg(0).as_f64() {
                let id = id as i64;
                bg.runtime.on_tab_removed(id);
                crate::connect_page::on_tab_removed(id);
                if bg.state.borrow().tracked.id == id {
                    spawn_local(retrack(bg));
                }
            }
        }
        "tabs.onUpdated" => on_tab_updated(&bg, &js_to_json(&arg(1)), &arg(2)),
        "tabs.onActivated" | "tabs.onCreated" => {
            if name == "tabs.onCreated" {
                if let Some(tab) = tabs::Tab::from_js(&arg(0)) {
                    bg.runtime.on_tab_created(tab.info(), tab.opener_tab_id);
                }
            }
            let untracked = bg.state.borrow().tracked.id < 0;
            if name == "tabs.onActivated" || untracked {
                spawn_local(retrack(bg));
            }
        }
        "commands.onCommand" => log!("command {:?} is not supported yet", arg(0).as_string()),
        "webNavigation.onCreatedNavigationTarget" => {
            on_navigation_target(&bg, &js_to_json(&arg(0)))
        }
        "runtime.onConnect" => {}
        other => warn!("unknown event {other}"),
    }
}

/// `webNavigation.onCreatedNavigationTarget {sourceTabId, tabId, url}`: a page opened a new tab (`window.open`,
/// `target=_blank`). Reported to the ops runtime, which adopts popups of session tabs.
fn on_navigation_target(bg: &Rc<Background>, details: &Value) {
    let (Some(tab_id), Some(source)) = (
        details.get("tabId").and_then(Value::as_i64),
        details.get("sourceTabId").and_then(Value::as_i64),
    ) else {
        return;
    };
    let info = odb_ops::TabInfo {
        id: tab_id,
        url: details
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        title: String::new(),
        status: None,
        active: false,
    };
    bg.runtime.on_tab_created(info, Some(source));
}

/// Follows the active tab and re-sends the handshake when it changed.
async fn retrack(bg: Rc<Background>) {
    let tab = connection::tracked_tab().await;
    let changed = {
        let mut st = bg.state.borrow_mut();
        let changed = st.tracked != tab;
        st.tracked = tab;
        changed
    };
    if changed {
        bg.rehandshake();
    }
}

fn on_tab_updated(bg: &Rc<Background>, change: &Value, tab: &JsValue) {
    let Some(tab) = tabs::Tab::from_js(tab) else {
        return;
    };
    if change.get("status").and_then(Value::as_str) == Some("complete") {
        crate::connect_page::on_tab_loaded(&tab);
    }
    let info = tab.info();
    let touches = change.get("url").is_some() || change.get("title").is_some();
    let rehandshake = {
        let mut st = bg.state.borrow_mut();
        if touches && st.tracked.id == info.id {
            let next = TrackedTab {
                id: info.id,
                url: info.url.clone(),
                title: info.title.clone(),
            };
            let changed = st.tracked != next;
            st.tracked = next;
            changed
        } else {
            false
        }
    };
    bg.runtime.on_tab_updated(info);
    if rehandshake {
        bg.rehandshake();
    }
}

/// `storage.onChanged` in `local`: user changes to the connection keys trigger an attempt.
fn on_storage_changed(bg: &Rc<Background>, changes: &Value, area: Option<String>) {
    if area.as_deref() != Some("local") {
        return;
    }
    let mut trigger = false;
    for key in [
        keys::AUTO_CONNECT,
        keys::PAIRING_TOKEN,
        keys::RELAY_PORT,
        keys::DISCOVERY_PORT,
    ] {
        let Some(change) = changes.get(key) else {
            continue;
        };
        let new = change.get("newValue").cloned().unwrap_or(Value::Null);
        if bg.is_own_write(key, &new) {
            continue;
        }
        trigger |= match key {
            keys::AUTO_CONNECT => new == Value::Bool(true),
            keys::PAIRING_TOKEN => new.as_str().is_some_and(|t| !t.is_empty()),
            _ => true,
        };
    }
    if trigger {
        spawn_local(ensure(Rc::clone(bg), Trigger::Storage));
    }
}

/// Popup / connect page messages: `{type:"status"|"connect"|"disconnect"}`; the reply goes to `reply`. A
/// `connect` from a tab (`sender.tab.id`: the connect page) checks that page in with the connect-page watch.
fn on_message(bg: Rc<Background>, message: Value, sender: &Value, reply: JsValue) {
    let Ok(reply) = reply.dyn_into::<Function>() else {
        return;
    };
    let kind = message
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let (true, Some(tab)) = (kind == "connect", sender["tab"]["id"].as_i64()) {
        crate::connect_page::checked_in(tab);
    }
    spawn_local(async move {
        let answer = match kind.as_str() {
            "status" => bg.status_reply().await,
            "connect" => {
                ensure(Rc::clone(&bg), Trigger::Manual).await;
                bg.status_reply().await
            }
            "disconnect" => {
                connection::disconnect_by_user(&bg);
                bg.status_reply().await
            }
            other => json!({"type": "error", "error": format!("unknown message type {other:?}")}),
        };
        if let Err(e) = reply.call1(&JsValue::NULL, &crate::js::to_js(&answer)) {
            warn!("reply failed: {}", crate::js::error_text(&e));
        }
    });
}
