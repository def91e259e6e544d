//! `connect.html?relayPort=N&discoveryPort=N`: stores the ports, asks the background to connect, closes its
//! own tab. The launcher (tests, demo) uses it to point the extension at a relay on a non-default port. The
//! background half reloads a connect tab whose page never ran ([`reload_pending_tabs`], [`on_tab_loaded`]).

use std::cell::RefCell;

use serde_json::{json, Map, Value};
use wasm_bindgen_futures::spawn_local;

use crate::chrome::storage::{self, Area};
use crate::chrome::tabs::Tab;
use crate::chrome::{runtime, tabs};
use crate::connect_params::parse_query;
use crate::connect_watch::{Watch, CHECK_IN_MS};
use crate::settings::keys;

/// Runs the connect page.
pub fn start() {
    spawn_local(async {
        match run().await {
            Ok(()) => {}
            Err(e) => {
                warn!("connect page: {e}");
                show(&e);
            }
        }
    });
}

fn show(text: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("message"))
    {
        el.set_text_content(Some(text));
    }
}

async fn run() -> Result<(), String> {
    let search = web_sys::window()
        .ok_or("no window")?
        .location()
        .search()
        .map_err(|e| crate::js::error_text(&e))?;
    let params = parse_query(&search);
    if !params.errors.is_empty() {
        return Err(format!("Invalid parameters: {}.", params.errors.join("; ")));
    }
    let mut items = Map::new();
    if let Some(p) = params.relay_port {
        items.insert(keys::RELAY_PORT.into(), json!(p));
    }
    if let Some(p) = params.discovery_port {
        items.insert(keys::DISCOVERY_PORT.into(), json!(p));
    }
    if let Some(on) = params.native_enabled {
        items.insert(keys::NATIVE_ENABLED.into(), json!(on));
    }
    if !items.is_empty() {
        storage::set(Area::Local, &Value::Object(items)).await?;
    }
    log!(
        "connect page: relayPort={:?} discoveryPort={:?}",
        params.relay_port,
        params.discovery_port
    );
    show("Connecting…");
    let reply = runtime::send_message(&json!({"type": "connect"})).await?;
    let status = reply
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    let note = reply.get("note").and_then(Value::as_str).unwrap_or("");
    log!("connect page: background status {status}: {note}");
    show(&format!("{status}: {note}"));
    if let Some(tab) = tabs::get_current().await? {
        if let Some(id) = tab.id {
            // Headless Chromium opens exactly one start URL, this page; closing the last tab leaves a browser
            // with no tabs in which the worker's requests stall. Become a blank tab instead in that case.
            let others = tabs::query(&json!({})).await?.len() > 1;
            if others {
                tabs::remove(id).await?;
            } else {
                tabs::navigate(id, "about:blank").await?;
            }
        }
    }
    Ok(())
}

/// Background start: reloads tabs showing `connect.html`. A launcher that passes the connect URL as the
/// browser's start URL races extension loading, and Chromium then shows `ERR_BLOCKED_BY_CLIENT` for it;
/// reloading once the worker runs makes the page load. Reloading a page that did load is harmless (the page
/// is idempotent and closes itself). Tabs that load later are covered by [`on_tab_loaded`].
pub fn reload_pending_tabs() {
    spawn_local(async {
        let all = match tabs::query(&json!({})).await {
            Ok(all) => all,
            Err(e) => {
                warn!("tab query failed: {e}");
                return;
            }
        };
        log!("worker start: {} tab(s) open", all.len());
        for tab in all {
            let url = tab.url.as_deref().or(tab.pending_url.as_deref());
            if let (true, Some(id)) = (is_connect_page(url), tab.id) {
                reload(id, "at worker start").await;
            }
        }
    });
}

thread_local! {
    static WATCH: RefCell<Watch> = RefCell::new(Watch::default());
}

/// `tabs.onUpdated` with `status: "complete"`: when `tab` shows `connect.html`, gives its page
/// [`CHECK_IN_MS`] to send its `connect` message, then reloads the tab (the navigation was blocked before the
/// extension was ready; see `crate::connect_watch`).
pub fn on_tab_loaded(tab: &Tab) {
    let Some(id) = tab.id else {
        return;
    };
    if !is_connect_page(tab.url.as_deref()) || !WATCH.with(|w| w.borrow_mut().loaded(id)) {
        return;
    }
    spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(CHECK_IN_MS).await;
        if !WATCH.with(|w| w.borrow_mut().expired(id)) {
            return;
        }
        let still_there =
            matches!(tabs::get(id).await, Ok(Some(t)) if is_connect_page(t.url.as_deref()));
        if still_there {
            reload(id, "its page did not run").await;
        }
    });
}

/// The connect page in tab `id` sent its `connect` message: it ran.
pub fn checked_in(id: i64) {
    WATCH.with(|w| w.borrow_mut().check_in(id));
}

/// Tab `id` closed.
pub fn on_tab_removed(id: i64) {
    WATCH.with(|w| w.borrow_mut().removed(id));
}

/// Whether `url` is this extension's connect page (any query).
fn is_connect_page(url: Option<&str>) -> bool {
    url.is_some_and(|u| u.starts_with(&runtime::get_url("connect.html")))
}

async fn reload(id: i64, why: &str) {
    log!("reloading connect page in tab {id} ({why})");
    if let Err(e) = tabs::reload(id).await {
        warn!("reload of tab {id} failed: {e}");
    }
}
