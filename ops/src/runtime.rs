//! [`Runtime`]: the entry point of the ops runtime. The embedder feeds it relay messages and browser
//! events; it answers through [`Host::send_to_relay`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::oneshot;
use odb_protocol::commands::{queue_class, QueueClass};
use odb_protocol::error::{ErrorCode, OpsErrorBody};
use odb_protocol::limits::{
    MAX_OPS_PAYLOAD_BYTES, OPS_CHUNK_CHARS, OPS_PROTOCOL_VERSION, SESSION_TTL_MS,
};
use odb_protocol::ops::{event, OpsError, OpsEvent, OpsHelloAck, OpsMessage, OpsPong, OpsRequest};
use serde_json::{json, Value};

use crate::attach_log::{AttachEvent, AttachEventKind};
use crate::cdp::with_timeout;
use crate::commands::{self, Ctx};
use crate::errors::{invalid_request, CmdResult};
use crate::governor::{GovernorState, Governors, Policy};
use crate::host::{Debuggee, Host, TabId, TabInfo};
use crate::outbox::{encode, response_messages};
use crate::queue::{acquire, Queues};
use crate::session::{target_id, Ownership, SessionState, State};

/// Overall cap on detaching a session's tabs during cleanup, in ms (PROTOCOL.md §3.3).
const CLEANUP_TIMEOUT_MS: u64 = 3_000;

/// The ops runtime: a cheap-to-clone handle (`Rc`) over its state and its [`Host`].
pub struct Runtime<H: Host> {
    inner: Rc<Inner<H>>,
}

impl<H: Host> Clone for Runtime<H> {
    fn clone(&self) -> Self {
        Runtime {
            inner: Rc::clone(&self.inner),
        }
    }
}

struct Inner<H> {
    host: H,
    state: RefCell<State>,
    queues: Rc<RefCell<Queues>>,
    governors: Governors,
    /// Per tab, the in-flight browser calls to abort when the tab crashes, closes or loses the debugger.
    faults: RefCell<HashMap<TabId, Vec<oneshot::Sender<String>>>>,
}

/// The error text of a call on a crashed tab: mapped to `execution_failed`.
pub(crate) fn crashed_message(tab: TabId) -> String {
    format!(
        "The page crashed ({}). Navigate it (goto) to load a page again.",
        target_id(tab)
    )
}

/// How a session ends, and which event says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EndReason {
    /// `session.disconnect` or closing the root target: `ops_session_closed`.
    Closed,
    /// The closing TTL ran out: `ops_session_expired`.
    Expired,
    /// The relay socket is gone: no event can be sent.
    Silent,
}

impl<H: Host> Runtime<H> {
    /// A runtime with no sessions, driving `host`.
    pub fn new(host: H) -> Self {
        Runtime {
            inner: Rc::new(Inner {
                host,
                state: RefCell::new(State::default()),
                queues: Rc::new(RefCell::new(Queues::default())),
                governors: Governors::default(),
                faults: RefCell::new(HashMap::new()),
            }),
        }
    }

    /// The host this runtime drives.
    pub fn host(&self) -> &H {
        &self.inner.host
    }

    /// Tabs the debugger is attached to on behalf of some session, ascending (diagnostics).
    pub fn attached_tabs(&self) -> Vec<TabId> {
        let mut tabs: Vec<TabId> = self.with_state(|st| {
            st.tabs
                .iter()
                .filter(|(_, t)| t.attached)
                .map(|(id, _)| *id)
                .collect()
        });
        tabs.sort_unstable();
        tabs
    }

    /// Ids of the live sessions (active or closing), sorted (diagnostics).
    pub fn session_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.with_state(|st| st.sessions.keys().cloned().collect());
        ids.sort();
        ids
    }

    /// A receiver that fires with a reason when `tab` crashes, closes or loses the debugger; in-flight browser
    /// calls race it so they fail at once instead of at their deadline (chrome.debugger never answers a call to a
    /// crashed renderer).
    pub(crate) fn tab_fault(&self, tab: TabId) -> oneshot::Receiver<String> {
        let (tx, rx) = oneshot::channel();
        let mut faults = self.inner.faults.borrow_mut();
        let waiting = faults.entry(tab).or_default();
        waiting.retain(|s| !s.is_canceled());
        waiting.push(tx);
        rx
    }

    /// Fails every in-flight browser call on `tab` with `reason`.
    fn signal_fault(&self, tab: TabId, reason: &str) {
        let waiting = self.inner.faults.borrow_mut().remove(&tab);
        for tx in waiting.into_iter().flatten() {
            let _ = tx.send(reason.to_string());
        }
    }

    /// Appends to the attach log at the host's current time.
    pub(crate) fn log_attach(&self, tab: TabId, event: AttachEventKind) {
        let now = self.host().now_ms();
        self.with_state(|st| st.attach_log.record(tab, event, now));
    }

    /// The attach log entries of `tabs`, oldest first (diagnostics, `session.status`).
    pub fn attach_log(&self, tabs: &[TabId]) -> Vec<AttachEvent> {
        self.with_state(|st| st.attach_log.for_tabs(tabs))
    }

    /// The parallelism governor state of session `id` (diagnostics, `session.status`).
    pub fn governor_state(&self, id: &str) -> Option<GovernorState> {
        self.inner.governors.state(id)
    }

    /// Runs `f` on the state. Never call it across an `.await` (the borrow ends when `f` returns).
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.inner.state.borrow_mut())
    }

    /// Handles one text message from the relay (`ops_hello`, `ops_ping`, `ops_request`, `ops_event`).
    /// Never blocks: commands run in tasks spawned on the host; every answer goes out through
    /// [`Host::send_to_relay`]. Malformed input gets an `ops_error invalid_request`.
    pub fn handle_relay_message(&self, text: &str) {
        let msg: OpsMessage = match serde_json::from_str(text) {
            Ok(msg) => msg,
            Err(err) => {
                let raw = serde_json::from_str::<Value>(text).ok();
                let field = |name: &str| {
                    raw.as_ref()
                        .and_then(|v| v.get(name))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                };
                self.send_error(
                    field("requestId").as_deref().unwrap_or("unknown"),
                    field("clientId").as_deref(),
                    None,
                    OpsErrorBody::new(ErrorCode::InvalidRequest, "Invalid ops message.")
                        .with_details(json!({ "parseError": err.to_string() })),
                );
                return;
            }
        };
        match msg {
            OpsMessage::OpsHello(hello) => {
                let client_id = hello.client_id.unwrap_or_default();
                if hello.version != OPS_PROTOCOL_VERSION {
                    self.send_error(
                        "ops_hello",
                        Some(&client_id),
                        None,
                        OpsErrorBody::new(ErrorCode::NotSupported, "Unsupported ops protocol version.")
                            .with_details(json!({ "supported": [OPS_PROTOCOL_VERSION], "received": hello.version })),
                    );
                    return;
                }
                self.send(&OpsMessage::OpsHelloAck(OpsHelloAck {
                    version: OPS_PROTOCOL_VERSION.to_string(),
                    client_id,
                    capabilities: Vec::new(),
                    max_payload_bytes: MAX_OPS_PAYLOAD_BYTES as u64,
                }));
            }
            OpsMessage::OpsPing(ping) => {
                self.send(&OpsMessage::OpsPong(OpsPong {
                    id: ping.id,
                    client_id: ping.client_id,
                }));
            }
            OpsMessage::OpsRequest(request) => self.dispatch(request),
            OpsMessage::OpsEvent(ev) => {
                if ev.event == event::CLIENT_DISCONNECTED {
                    if let Some(client) = ev.client_id {
                        self.release_client(&client);
                    }
                }
            }
            _ => {
                self.send_error(
                    "unknown",
                    None,
                    None,
                    OpsErrorBody::new(ErrorCode::InvalidRequest, "Invalid ops message."),
                );
            }
        }
    }

    /// A CDP event from a debuggee (`chrome.debugger.onEvent`). A main-frame `Page.frameNavigated` clears the
    /// tab's refs: a new document (or renderer) may reuse backend node ids.
    pub fn on_cdp_event(&self, debuggee: Debuggee, method: &str, params: Value) {
        commands::dialog::on_event(self, &debuggee, method, &params);
        commands::devtools::on_event(self, &debuggee, method, &params);
        commands::upload::on_event(self, &debuggee, method, &params);
        crate::frames::on_event(self, &debuggee, method, &params);
        if debuggee.session_id.is_some() {
            return;
        }
        let tab_id = debuggee.tab_id;
        match method {
            "Page.frameNavigated" => {
                let main_frame = params.pointer("/frame/parentId").is_none_or(Value::is_null);
                if main_frame {
                    self.with_state(|st| {
                        if let Some(tab) = st.tabs.get_mut(&tab_id) {
                            tab.refs.clear();
                            tab.crashed = false;
                        }
                    });
                }
            }
            "Inspector.targetCrashed" => {
                self.with_state(|st| {
                    if let Some(tab) = st.tabs.get_mut(&tab_id) {
                        tab.refs.clear();
                        tab.frames.clear();
                        tab.crashed = true;
                    }
                });
                self.signal_fault(tab_id, &crashed_message(tab_id));
            }
            _ => {}
        }
    }

    /// The debugger detached from a tab (`chrome.debugger.onDetach`); `reason` is `"target_closed"` or
    /// `"canceled_by_user"`. The tab is marked detached and never re-attached automatically (SECURITY.md D6):
    /// the next command on it fails with `execution_failed "Debugger detached: <reason>"`; a new
    /// `session.connect {tabId}` attaches it again.
    pub fn on_detach(&self, tab_id: TabId, reason: &str) {
        self.log_attach(tab_id, AttachEventKind::Detached(reason.to_string()));
        self.signal_fault(
            tab_id,
            &format!(
                "Debugger detached: {reason} ({}). Reconnect the session to attach again.",
                target_id(tab_id)
            ),
        );
        self.with_state(|st| {
            if let Some(tab) = st.tabs.get_mut(&tab_id) {
                tab.attached = false;
                tab.detached_reason = Some(reason.to_string());
                tab.refs.clear();
                tab.frames.clear();
            }
        });
    }

    /// A tab was closed (`chrome.tabs.onRemoved`). A session whose root it was emits `ops_tab_closed` and
    /// ends; other sessions drop that target (their active target falls back to the root).
    pub fn on_tab_removed(&self, tab_id: TabId) {
        self.signal_fault(tab_id, &format!("No tab with id: {tab_id}."));
        commands::page::on_tab_removed(self, tab_id);
        let (ended, freed) = self.with_state(|st| {
            st.tabs.remove(&tab_id);
            let roots: Vec<String> = st
                .sessions
                .values()
                .filter(|s| s.root == tab_id)
                .map(|s| s.id.clone())
                .collect();
            let mut ended = Vec::new();
            let mut freed = Vec::new();
            for id in roots {
                if let Some((session, tabs)) = st.remove_session(&id) {
                    ended.push(session);
                    freed.extend(tabs);
                }
            }
            for session in st.sessions.values_mut() {
                session.targets.retain(|t| *t != tab_id);
                if session.active == tab_id {
                    session.active = session.root;
                }
            }
            (ended, freed)
        });
        for session in ended {
            self.emit(&session.owner, &session.id, event::TAB_CLOSED, session.root);
        }
        if !freed.is_empty() {
            let rt = self.clone();
            self.host()
                .spawn(Box::pin(async move { rt.detach_tabs(freed).await }));
        }
    }

    /// A tab changed (`chrome.tabs.onUpdated`). The runtime reads tab state on demand (`Host::get_tab`), so it
    /// keeps nothing from these; the method exists so embedders can forward the event unconditionally.
    pub fn on_tab_updated(&self, tab: TabInfo) {
        let _ = tab;
    }

    /// A tab was created (`chrome.tabs.onCreated` with `openerTabId`, or
    /// `webNavigation.onCreatedNavigationTarget` with `sourceTabId`). Popups opened by a session tab are adopted
    /// as targets of that session (PROTOCOL.md §3.6).
    pub fn on_tab_created(&self, tab: TabInfo, opener: Option<TabId>) {
        commands::page::on_tab_created(self, &tab, opener);
    }

    /// The relay socket closed: every session is cleaned up as expired; no event can be sent
    /// (PROTOCOL.md §3.3 "Relay WS loss").
    pub fn on_relay_disconnected(&self) {
        let ids = self.session_ids();
        for id in ids {
            let rt = self.clone();
            self.host().spawn(Box::pin(async move {
                rt.end_session(&id, EndReason::Silent).await
            }));
        }
    }

    /// `ops_client_disconnected`: each session of `client` becomes closing for `SESSION_TTL_MS`, emits
    /// `ops_session_released`, and expires unless reclaimed in time.
    fn release_client(&self, client: &str) {
        let now = self.host().now_ms();
        let released = self.with_state(|st| {
            let mut out = Vec::new();
            for s in st
                .sessions
                .values_mut()
                .filter(|s| s.owner == client && s.state == SessionState::Active)
            {
                s.state = SessionState::Closing;
                s.expires_at = Some(now + SESSION_TTL_MS as f64);
                s.generation += 1;
                out.push((s.id.clone(), s.root, s.generation));
            }
            out
        });
        for (id, root, generation) in released {
            self.emit(client, &id, event::SESSION_RELEASED, root);
            let rt = self.clone();
            self.host().spawn(Box::pin(async move {
                rt.host().sleep_ms(SESSION_TTL_MS).await;
                let due = rt.with_state(|st| {
                    st.sessions.get(&id).is_some_and(|s| {
                        s.state == SessionState::Closing && s.generation == generation
                    })
                });
                if due {
                    rt.end_session(&id, EndReason::Expired).await;
                }
            }));
        }
    }

    /// Ends session `id`: forgets it, detaches the tabs no other session uses (3 s cap), then emits the event
    /// of `reason` to its last owner. Does not close tabs.
    pub(crate) async fn end_session(&self, id: &str, reason: EndReason) {
        let Some((session, freed)) = self.with_state(|st| st.remove_session(id)) else {
            return;
        };
        self.inner.governors.remove(id);
        self.detach_tabs(freed).await;
        let name = match reason {
            EndReason::Closed => event::SESSION_CLOSED,
            EndReason::Expired => event::SESSION_EXPIRED,
            EndReason::Silent => return,
        };
        self.emit(&session.owner, &session.id, name, session.root);
    }

    /// Detaches the debugger from `tabs`, best effort, within [`CLEANUP_TIMEOUT_MS`] overall.
    pub(crate) async fn detach_tabs(&self, tabs: Vec<TabId>) {
        if tabs.is_empty() {
            return;
        }
        for &tab in &tabs {
            self.log_attach(tab, AttachEventKind::Detach);
        }
        let host = self.host();
        let all = futures::future::join_all(tabs.iter().map(|&t| host.detach(t)));
        let _ = with_timeout(host, CLEANUP_TIMEOUT_MS, all).await;
    }

    fn dispatch(&self, request: OpsRequest) {
        let request_id = request.request_id.clone();
        let session_id = request
            .ops_session_id
            .as_deref()
            .map(str::trim)
            .map(str::to_string);
        let Some(client_id) = request.client_id.clone().filter(|c| !c.is_empty()) else {
            self.send_error(
                &request_id,
                None,
                session_id.as_deref(),
                invalid_request("Missing clientId"),
            );
            return;
        };
        let fail =
            |error| self.send_error(&request_id, Some(&client_id), session_id.as_deref(), error);
        let Some(class) = queue_class(&request.command) else {
            fail(invalid_request(format!(
                "Unknown ops command: {}",
                request.command
            )));
            return;
        };
        if !commands::is_implemented(&request.command) {
            fail(OpsErrorBody::new(
                ErrorCode::NotSupported,
                format!("{} is not implemented in this build.", request.command),
            ));
            return;
        }
        let key = (client_id.clone(), request_id.clone());
        if !self.with_state(|st| st.in_flight.insert(key.clone())) {
            fail(invalid_request(format!(
                "Duplicate requestId: {request_id}"
            )));
            return;
        }
        let ctx = Ctx {
            rt: self.clone(),
            request_id: request_id.clone(),
            client_id: client_id.clone(),
            session_id: session_id.clone(),
            lease_id: request
                .lease_id
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string),
            command: request.command.clone(),
            payload: request.payload.clone().unwrap_or(Value::Null),
            started_ms: self.host().now_ms(),
        };
        if class == QueueClass::SessionStart {
            self.host().spawn(Box::pin(async move {
                let (result, sid) = commands::session::launch(&ctx).await;
                if let Some(id) = &sid {
                    let policy = Policy::from_payload(ctx.payload.get("parallelismPolicy"));
                    ctx.rt.inner.governors.configure(id, policy);
                }
                ctx.rt.finish(&ctx, sid.as_deref(), result);
            }));
            return;
        }
        let checked = self.with_state(|st| {
            st.check_owner(session_id.as_deref(), &client_id, ctx.lease_id.as_deref())
        });
        match checked {
            Err(error) => {
                self.with_state(|st| st.in_flight.remove(&key));
                fail(error);
                return;
            }
            Ok(Ownership::Reclaimed { was_closing: true }) => {
                let root = self.with_state(|st| {
                    ctx.session_id
                        .as_ref()
                        .and_then(|id| st.sessions.get(id))
                        .map(|s| s.root)
                });
                if let (Some(root), Some(sid)) = (root, ctx.session_id.as_deref()) {
                    self.emit(&client_id, sid, event::SESSION_RECLAIMED, root);
                }
            }
            Ok(_) => {}
        }
        let (queue_key, target) = self.queue_key(&ctx, class);
        let ticket = self.inner.queues.borrow_mut().enqueue(&queue_key);
        let queues = Rc::clone(&self.inner.queues);
        self.host().spawn(Box::pin(async move {
            let permit = acquire(queues, queue_key, ticket).await;
            // Target-scoped commands also need one of the session's parallel slots (PROTOCOL.md §3.4).
            let slot = if class == QueueClass::Target {
                let sid = ctx.session_id.clone().unwrap_or_default();
                let governors = ctx.rt.inner.governors.clone();
                match governors.acquire(ctx.rt.host(), &sid, &target).await {
                    Ok(slot) => Some(slot),
                    Err(error) => {
                        ctx.rt.finish(&ctx, ctx.session_id.as_deref(), Err(error));
                        return;
                    }
                }
            } else {
                None
            };
            let result = commands::execute(&ctx).await;
            drop(slot);
            let sid = ctx.session_id.clone();
            let ok = result.is_ok();
            ctx.rt.finish(&ctx, sid.as_deref(), result);
            if ok && ctx.command == odb_protocol::commands::SESSION_DISCONNECT {
                if let Some(id) = sid {
                    ctx.rt.end_session(&id, EndReason::Closed).await;
                }
            }
            drop(permit);
        }));
    }

    /// The queue of a command and the target it is keyed on, evaluated when it is received (PROTOCOL.md §3.4).
    fn queue_key(&self, ctx: &Ctx<H>, class: QueueClass) -> (String, String) {
        let sid = ctx.session_id.clone().unwrap_or_default();
        let target = ctx
            .payload
            .get("targetId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| {
                self.with_state(|st| {
                    st.sessions
                        .get(&sid)
                        .map(|s| target_id(s.active))
                        .unwrap_or_default()
                })
            });
        let key = match class {
            QueueClass::Target => format!("t|{sid}|{target}"),
            QueueClass::Dialog => format!("d|{sid}|{target}"),
            QueueClass::Session | QueueClass::SessionStart => format!("s|{sid}"),
        };
        (key, target)
    }

    /// Sends the answer of `ctx`'s request and forgets it as in flight.
    fn finish(&self, ctx: &Ctx<H>, session_id: Option<&str>, result: CmdResult) {
        self.with_state(|st| {
            st.in_flight
                .remove(&(ctx.client_id.clone(), ctx.request_id.clone()))
        });
        match result {
            Ok(payload) => {
                let host = self.host();
                for msg in response_messages(
                    &ctx.request_id,
                    Some(&ctx.client_id),
                    session_id,
                    payload,
                    || host.new_id(),
                    OPS_CHUNK_CHARS,
                ) {
                    host.send_to_relay(msg);
                }
            }
            Err(error) => self.send_error(&ctx.request_id, Some(&ctx.client_id), session_id, error),
        }
    }

    /// Emits a session event `{tabId, targetId}` to `client` (PROTOCOL.md §3.1).
    pub(crate) fn emit(&self, client: &str, session_id: &str, name: &str, tab: TabId) {
        self.send(&OpsMessage::OpsEvent(OpsEvent {
            client_id: Some(client.to_string()),
            ops_session_id: Some(session_id.to_string()),
            event: name.to_string(),
            payload: json!({ "tabId": tab, "targetId": target_id(tab) }),
        }));
    }

    fn send(&self, msg: &OpsMessage) {
        self.inner.host.send_to_relay(encode(msg));
    }

    fn send_error(
        &self,
        request_id: &str,
        client_id: Option<&str>,
        ops_session_id: Option<&str>,
        error: OpsErrorBody,
    ) {
        self.send(&OpsMessage::OpsError(OpsError {
            request_id: request_id.to_string(),
            client_id: client_id.map(str::to_string),
            ops_session_id: ops_session_id.map(str::to_string),
            error,
        }));
    }
}
