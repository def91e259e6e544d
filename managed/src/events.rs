//! Routes the browser's CDP events to the ops runtime, playing the part of `chrome.debugger.onEvent`,
//! `onDetach`, `chrome.tabs.onCreated` and `onRemoved` in the extension (extension-wasm/src/events.rs).
//!
//! - An event on a root session → `on_cdp_event(Debuggee {tab, None})`; on a child session (auto-attached
//!   OOPIF or worker) → `Debuggee {tab, Some(session)}`; `Target.attachedToTarget` on either registers the child.
//! - Browser-level `Target.targetCreated` (page) → `on_tab_created(tab, opener)`; `targetDestroyed` →
//!   `on_tab_removed`; `detachedFromTarget` of a root the host did not detach itself → `on_detach(tab,
//!   "target_closed")`; `targetCrashed` → `Inspector.targetCrashed` on the tab.
//! - The end of the stream (browser gone): every tab is detached and removed.

use std::cell::RefCell;
use std::rc::Rc;

use odb_cdp::{CdpEvent, TargetInfo};
use odb_ops::{Debuggee, Runtime, TabId, TabInfo};
use serde_json::{json, Value};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::host::CdpHost;
use crate::tabs::{Route, TabMap};

/// Feeds every event of `events` to `rt` until the stream ends, then reports every tab gone.
pub async fn route_events(
    rt: Runtime<CdpHost>,
    tabs: Rc<RefCell<TabMap>>,
    mut events: UnboundedReceiver<CdpEvent>,
) {
    while let Some(ev) = events.recv().await {
        route_one(&rt, &tabs, ev);
    }
    let all = tabs.borrow().tabs();
    for tab in all {
        rt.on_detach(tab, "target_closed");
        rt.on_tab_removed(tab);
    }
}

fn route_one(rt: &Runtime<CdpHost>, tabs: &Rc<RefCell<TabMap>>, ev: CdpEvent) {
    match ev.session_id.as_deref() {
        Some(session) => session_event(rt, tabs, session, ev.method.as_str(), ev.params),
        None => browser_event(rt, tabs, ev.method.as_str(), &ev.params),
    }
}

fn session_event(
    rt: &Runtime<CdpHost>,
    tabs: &Rc<RefCell<TabMap>>,
    session: &str,
    method: &str,
    params: Value,
) {
    let route = tabs.borrow().route(session);
    let (tab, debuggee) = match route {
        Some(Route::Root(tab)) => (tab, Debuggee::tab(tab)),
        Some(Route::Child(tab)) => (
            tab,
            Debuggee {
                tab_id: tab,
                session_id: Some(session.to_string()),
            },
        ),
        Some(Route::Watcher(_)) | None => return,
    };
    if debuggee.session_id.is_none() {
        track_navigation(tabs, tab, method, &params);
    }
    let child = params.get("sessionId").and_then(Value::as_str);
    match (method, child) {
        ("Target.attachedToTarget", Some(child)) => {
            tabs.borrow_mut().add_session(child, Route::Child(tab));
        }
        ("Target.detachedFromTarget", Some(child)) => {
            tabs.borrow_mut().remove_session(child);
        }
        _ => {}
    }
    rt.on_cdp_event(debuggee, method, params);
}

/// Keeps the tab's pending URL (chrome.tabs `pendingUrl`): set when its main frame starts navigating
/// (`Page.frameRequestedNavigation` for renderer-initiated ones such as link clicks, `Page.frameStartedNavigating`
/// for all), cleared when it commits (`frameNavigated`, `navigatedWithinDocument`) or stops loading. The main
/// frame's id is the page's target id.
fn track_navigation(tabs: &Rc<RefCell<TabMap>>, tab: TabId, method: &str, params: &Value) {
    let frame = params.get("frameId").and_then(Value::as_str);
    let main =
        |frame: Option<&str>| frame.is_some() && frame == tabs.borrow().target_of(tab).as_deref();
    match method {
        "Page.frameRequestedNavigation" | "Page.frameStartedNavigating" if main(frame) => {
            if let Some(url) = params.get("url").and_then(Value::as_str) {
                tabs.borrow_mut().set_pending(tab, url);
            }
        }
        "Page.frameNavigated" => {
            let main_frame = params.pointer("/frame/parentId").is_none_or(Value::is_null);
            if main_frame {
                tabs.borrow_mut().clear_pending(tab);
            }
        }
        "Page.navigatedWithinDocument" | "Page.frameStoppedLoading" if main(frame) => {
            tabs.borrow_mut().clear_pending(tab);
        }
        _ => {}
    }
}

fn browser_event(rt: &Runtime<CdpHost>, tabs: &Rc<RefCell<TabMap>>, method: &str, params: &Value) {
    let target_id = params
        .get("targetId")
        .and_then(Value::as_str)
        .map(str::to_string);
    match method {
        "Target.targetCreated" => {
            let Ok(info) = TargetInfo::from_event(params) else {
                return;
            };
            if !info.is_page() {
                return;
            }
            let (tab, opener) = {
                let mut map = tabs.borrow_mut();
                let tab = map.register(&info.target_id);
                let opener = info.opener_id.as_deref().and_then(|o| map.tab_of(o));
                (tab, opener)
            };
            let tab_info = TabInfo {
                id: tab,
                url: info.url.clone(),
                title: info.title.clone(),
                status: None,
                active: false,
            };
            rt.on_tab_created(tab_info, opener);
        }
        "Target.targetDestroyed" => {
            let removed = target_id.and_then(|t| tabs.borrow_mut().remove_target(&t));
            if let Some(tab) = removed {
                rt.on_tab_removed(tab);
            }
        }
        "Target.detachedFromTarget" => {
            let Some(session) = params.get("sessionId").and_then(Value::as_str) else {
                return;
            };
            let (route, ours) = {
                let mut map = tabs.borrow_mut();
                let ours = map.take_detaching(session);
                (map.remove_session(session), ours)
            };
            if let (Some(Route::Root(tab)), false) = (route, ours) {
                rt.on_detach(tab, "target_closed");
            }
        }
        "Target.targetCrashed" => {
            let tab = target_id.and_then(|t| tabs.borrow().tab_of(&t));
            if let Some(tab) = tab {
                if tabs.borrow().root(tab).is_some() {
                    rt.on_cdp_event(Debuggee::tab(tab), "Inspector.targetCrashed", json!({}));
                }
            }
        }
        _ => {}
    }
}
