//! Test support: a scripted [`FakeHost`] with a fake clock, and a [`Harness`] that drives a [`Runtime`] on a
//! single-threaded executor.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures::executor::{LocalPool, LocalSpawner};
use futures::future::LocalBoxFuture;
use futures::task::LocalSpawnExt;
use serde_json::{json, Value};

use crate::host::{Debuggee, Host, HostError, TabId, TabInfo};
use crate::runtime::Runtime;

/// A scripted CDP answer: `(tab, params) -> result`.
pub type Responder = Box<dyn Fn(TabId, &Value) -> Result<Value, HostError>>;

struct Timer {
    at: f64,
    waker: RefCell<Option<Waker>>,
    cancelled: Cell<bool>,
}

/// The shared state of a [`FakeHost`].
pub struct Fake {
    pub now: Cell<f64>,
    timers: RefCell<Vec<Rc<Timer>>>,
    spawner: LocalSpawner,
    /// Every message sent to the relay, parsed.
    pub sent: RefCell<Vec<Value>>,
    /// Every CDP command: (tab, method, params).
    pub calls: RefCell<Vec<(TabId, String, Value)>>,
    /// Host operations: `attach 5`, `detach 5`, `create <url> <active>`, `activate 5`, `close 5`.
    pub log: RefCell<Vec<String>>,
    pub tabs: RefCell<BTreeMap<TabId, TabInfo>>,
    pub active: Cell<Option<TabId>>,
    /// `attach` fails for these tabs with this message.
    pub attach_errors: RefCell<HashMap<TabId, String>>,
    /// Scripted CDP answers by method.
    pub responders: RefCell<HashMap<String, Responder>>,
    /// CDP methods answered only after this many fake ms.
    pub delays: RefCell<HashMap<String, u64>>,
    next_id: Cell<u64>,
    next_tab: Cell<TabId>,
}

/// A [`Host`] over [`Fake`]; clones share state.
#[derive(Clone)]
pub struct FakeHost(pub Rc<Fake>);

struct Sleep {
    fake: Rc<Fake>,
    timer: Rc<Timer>,
}

impl Future for Sleep {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.fake.now.get() >= self.timer.at {
            Poll::Ready(())
        } else {
            *self.timer.waker.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.timer.cancelled.set(true);
    }
}

fn tab(id: TabId, url: &str, active: bool) -> TabInfo {
    TabInfo {
        id,
        url: url.into(),
        title: format!("Tab {id}"),
        status: Some("complete".into()),
        active,
    }
}

impl FakeHost {
    fn sleep(&self, ms: u64) -> Sleep {
        let timer = Rc::new(Timer {
            at: self.0.now.get() + ms as f64,
            waker: RefCell::new(None),
            cancelled: Cell::new(false),
        });
        self.0.timers.borrow_mut().push(Rc::clone(&timer));
        Sleep {
            fake: Rc::clone(&self.0),
            timer,
        }
    }

    /// Adds a tab; `active` makes it the active tab.
    pub fn add_tab(&self, id: TabId, url: &str, active: bool) {
        self.0.tabs.borrow_mut().insert(id, tab(id, url, active));
        if active {
            self.0.active.set(Some(id));
        }
    }

    /// Scripts the answer of `method`.
    pub fn respond(
        &self,
        method: &str,
        f: impl Fn(TabId, &Value) -> Result<Value, HostError> + 'static,
    ) {
        self.0
            .responders
            .borrow_mut()
            .insert(method.to_string(), Box::new(f));
    }

    /// Methods of the CDP calls so far, in order.
    pub fn methods(&self) -> Vec<String> {
        self.0
            .calls
            .borrow()
            .iter()
            .map(|(_, m, _)| m.clone())
            .collect()
    }

    /// Params of the CDP calls of `method`, in order.
    pub fn params_of(&self, method: &str) -> Vec<Value> {
        self.0
            .calls
            .borrow()
            .iter()
            .filter(|(_, m, _)| m == method)
            .map(|(_, _, p)| p.clone())
            .collect()
    }

    fn default_answer(&self, tab_id: TabId, method: &str) -> Value {
        match method {
            "Runtime.evaluate" => {
                let url = self
                    .0
                    .tabs
                    .borrow()
                    .get(&tab_id)
                    .map(|t| t.url.clone())
                    .unwrap_or_default();
                json!({"result": {"type": "object", "value": {"s": "complete", "u": url}}})
            }
            "DOM.resolveNode" => json!({"object": {"type": "object", "objectId": "obj-1"}}),
            "Runtime.callFunctionOn" => {
                json!({"result": {"type": "object", "value": {"value": null}}})
            }
            "DOM.getBoxModel" => json!({"model": {"content": [10, 20, 110, 20, 110, 60, 10, 60]}}),
            "Page.navigate" => json!({"frameId": "F", "loaderId": "L"}),
            "DOMSnapshot.captureSnapshot" => crate::fake_dom::dom_page(&[]),
            "Page.captureScreenshot" => json!({"data": "UE5H"}),
            _ => json!({}),
        }
    }
}

impl Host for FakeHost {
    async fn active_tab(&self) -> Result<Option<TabInfo>, HostError> {
        Ok(self
            .0
            .active
            .get()
            .and_then(|id| self.0.tabs.borrow().get(&id).cloned()))
    }
    async fn list_tabs(&self) -> Result<Vec<TabInfo>, HostError> {
        Ok(self.0.tabs.borrow().values().cloned().collect())
    }
    async fn get_tab(&self, tab_id: TabId) -> Result<Option<TabInfo>, HostError> {
        Ok(self.0.tabs.borrow().get(&tab_id).cloned())
    }
    async fn create_tab(&self, url: &str, active: bool) -> Result<TabInfo, HostError> {
        let id = self.0.next_tab.get();
        self.0.next_tab.set(id + 1);
        self.add_tab(id, url, active);
        self.0
            .log
            .borrow_mut()
            .push(format!("create {url} {active}"));
        Ok(tab(id, url, active))
    }
    async fn activate_tab(&self, tab_id: TabId) -> Result<(), HostError> {
        if !self.0.tabs.borrow().contains_key(&tab_id) {
            return Err(HostError::new(format!("No tab with id: {tab_id}.")));
        }
        self.0.active.set(Some(tab_id));
        self.0.log.borrow_mut().push(format!("activate {tab_id}"));
        Ok(())
    }
    async fn close_tab(&self, tab_id: TabId) -> Result<(), HostError> {
        self.0.tabs.borrow_mut().remove(&tab_id);
        self.0.log.borrow_mut().push(format!("close {tab_id}"));
        Ok(())
    }
    async fn attach(&self, tab_id: TabId) -> Result<(), HostError> {
        self.0.log.borrow_mut().push(format!("attach {tab_id}"));
        if let Some(msg) = self.0.attach_errors.borrow().get(&tab_id) {
            return Err(HostError::new(msg.clone()));
        }
        if !self.0.tabs.borrow().contains_key(&tab_id) {
            return Err(HostError::new(format!("No tab with id: {tab_id}.")));
        }
        Ok(())
    }
    async fn detach(&self, tab_id: TabId) -> Result<(), HostError> {
        self.0.log.borrow_mut().push(format!("detach {tab_id}"));
        Ok(())
    }
    async fn send_command(
        &self,
        debuggee: &Debuggee,
        method: &str,
        params: Value,
    ) -> Result<Value, HostError> {
        self.0
            .calls
            .borrow_mut()
            .push((debuggee.tab_id, method.to_string(), params.clone()));
        let delay = self.0.delays.borrow().get(method).copied();
        if let Some(ms) = delay {
            self.sleep(ms).await;
        }
        if let Some(f) = self.0.responders.borrow().get(method) {
            return f(debuggee.tab_id, &params);
        }
        Ok(self.default_answer(debuggee.tab_id, method))
    }
    async fn capture_visible_tab(&self, _tab_id: TabId) -> Result<String, HostError> {
        Ok("data:image/png;base64,VklT".to_string())
    }
    async fn sleep_ms(&self, ms: u64) {
        self.sleep(ms).await
    }
    fn now_ms(&self) -> f64 {
        self.0.now.get()
    }
    fn spawn(&self, fut: LocalBoxFuture<'static, ()>) {
        self.0.spawner.spawn_local(fut).expect("spawn");
    }
    fn send_to_relay(&self, message: String) {
        self.0
            .sent
            .borrow_mut()
            .push(serde_json::from_str(&message).expect("valid JSON"));
    }
    fn new_id(&self) -> String {
        let n = self.0.next_id.get() + 1;
        self.0.next_id.set(n);
        format!("id-{n}")
    }
}

/// An `ops_request` envelope.
fn request_msg(
    client: &str,
    id: &str,
    sid: Option<&str>,
    lease: Option<&str>,
    cmd: &str,
    payload: Value,
) -> Value {
    let mut msg = json!({"type": "ops_request", "requestId": id, "clientId": client, "command": cmd, "payload": payload});
    if let Some(s) = sid {
        msg["opsSessionId"] = json!(s);
    }
    if let Some(l) = lease {
        msg["leaseId"] = json!(l);
    }
    msg
}

/// A runtime over a fake host on a local executor.
pub struct Harness {
    pub pool: LocalPool,
    pub host: FakeHost,
    pub rt: Runtime<FakeHost>,
}

impl Harness {
    /// A harness at fake time 1 000 000 ms with no tabs.
    pub fn new() -> Self {
        let pool = LocalPool::new();
        let fake = Fake {
            now: Cell::new(1_000_000.0),
            timers: RefCell::new(Vec::new()),
            spawner: pool.spawner(),
            sent: RefCell::new(Vec::new()),
            calls: RefCell::new(Vec::new()),
            log: RefCell::new(Vec::new()),
            tabs: RefCell::new(BTreeMap::new()),
            active: Cell::new(None),
            attach_errors: RefCell::new(HashMap::new()),
            responders: RefCell::new(HashMap::new()),
            delays: RefCell::new(HashMap::new()),
            next_id: Cell::new(0),
            next_tab: Cell::new(100),
        };
        let host = FakeHost(Rc::new(fake));
        let rt = Runtime::new(host.clone());
        Harness { pool, host, rt }
    }

    /// Runs every task as far as it goes without moving the clock.
    pub fn settle(&mut self) {
        self.pool.run_until_stalled();
    }

    /// Fires the earliest live timer due at or before `limit`; false when there is none.
    fn fire_next(&mut self, limit: f64) -> bool {
        let next = {
            let mut timers = self.host.0.timers.borrow_mut();
            timers.retain(|t| !t.cancelled.get());
            timers
                .iter()
                .map(|t| t.at)
                .fold(None, |m: Option<f64>, at| Some(m.map_or(at, |m| m.min(at))))
        };
        let Some(at) = next.filter(|at| *at <= limit) else {
            return false;
        };
        self.host.0.now.set(self.host.0.now.get().max(at));
        let due: Vec<Rc<Timer>> = {
            let mut timers = self.host.0.timers.borrow_mut();
            let now = self.host.0.now.get();
            let due = timers.iter().filter(|t| t.at <= now).cloned().collect();
            timers.retain(|t| t.at > now);
            due
        };
        for t in due {
            if let Some(w) = t.waker.borrow_mut().take() {
                w.wake();
            }
        }
        true
    }

    /// Moves the clock forward by `ms`, firing timers in order and running tasks in between.
    pub fn run_for(&mut self, ms: u64) {
        let end = self.host.0.now.get() + ms as f64;
        self.settle();
        while self.fire_next(end) {
            self.settle();
        }
        self.host.0.now.set(end);
        self.settle();
    }

    /// Runs until no timer is due within 15 s of fake time from now (commands finish; session TTLs do not).
    pub fn drain(&mut self) {
        let end = self.host.0.now.get() + 15_000.0;
        self.settle();
        while self.fire_next(end) {
            self.settle();
        }
    }

    /// Feeds one relay message and drains.
    pub fn feed(&mut self, msg: Value) {
        self.rt.handle_relay_message(&msg.to_string());
        self.drain();
    }

    /// Messages sent so far, emptying the record.
    pub fn take_sent(&self) -> Vec<Value> {
        std::mem::take(&mut *self.host.0.sent.borrow_mut())
    }

    /// Sends an `ops_request` from `client` and returns the answer (response payload or error envelope).
    pub fn request(
        &mut self,
        client: &str,
        id: &str,
        sid: Option<&str>,
        lease: Option<&str>,
        cmd: &str,
        payload: Value,
    ) -> Value {
        self.feed(request_msg(client, id, sid, lease, cmd, payload));
        self.answer(id)
    }

    /// Sends an `ops_request` from client `c1` with lease `L` and runs tasks without moving the clock, so the
    /// command can still be pending (read its answer later with [`Harness::answer`]).
    pub fn submit(&mut self, id: &str, sid: &str, cmd: &str, payload: Value) {
        let msg = request_msg("c1", id, Some(sid), Some("L"), cmd, payload);
        self.rt.handle_relay_message(&msg.to_string());
        self.settle();
    }

    /// The answer to request `id` among the messages sent so far.
    pub fn answer(&self, id: &str) -> Value {
        self.host
            .0
            .sent
            .borrow()
            .iter()
            .find(|m| {
                m["requestId"] == id && (m["type"] == "ops_response" || m["type"] == "ops_error")
            })
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// Events sent so far, as (event name, clientId).
    pub fn events(&self) -> Vec<(String, String)> {
        self.host
            .0
            .sent
            .borrow()
            .iter()
            .filter(|m| m["type"] == "ops_event")
            .map(|m| {
                (
                    m["event"].as_str().unwrap_or("").into(),
                    m["clientId"].as_str().unwrap_or("").into(),
                )
            })
            .collect()
    }

    /// Starts a session for `client` on tab 5 (`https://example.com/`) with lease `L`; returns its id.
    pub fn launch(&mut self, client: &str) -> String {
        if !self.host.0.tabs.borrow().contains_key(&5) {
            self.host.add_tab(5, "https://example.com/", true);
        }
        let r = self.request(
            client,
            "launch",
            None,
            Some("L"),
            "session.connect",
            json!({"tabId": 5}),
        );
        r["payload"]["opsSessionId"]
            .as_str()
            .expect("launch ok")
            .to_string()
    }
}
