//! Ref resolution (PROTOCOL.md §4 "Resolution", §3.6): a ref names a backend DOM node of its target; functions run
//! on it with `DOM.resolveNode` + `Runtime.callFunctionOn`. Vanished nodes become the stale-ref error.

use serde_json::{json, Value};

use crate::cdp;
use crate::commands::Ctx;
use crate::errors::{
    execution_failed, is_stale_message, map_host_error, stale_ref, CmdError, CmdResult, TabRef,
};
use crate::host::{Debuggee, Host, HostError, TabId};

/// The object group of every remote object the runtime creates.
pub const OBJECT_GROUP: &str = "odb-ops";

/// Wraps a page function so that a disconnected element is reported, and the value comes back in `{value}`.
fn wrap(function: &str) -> String {
    format!(
        "async function(...args) {{ if (!this.isConnected) return {{ __odbStale: true }}; \
         const f = ({function}); return {{ value: await f.apply(this, args) }}; }}"
    )
}

impl<H: Host> Ctx<H> {
    /// The backend node id of `reference` on `tab`.
    ///
    /// # Errors
    /// `invalid_request "Unknown ref: rN. Take a new snapshot first."`; `execution_failed` when the tab's renderer
    /// crashed (its refs died with it).
    pub fn ref_node(&self, tab: TabId, reference: &str) -> CmdResult<i64> {
        if self
            .rt
            .with_state(|st| st.tabs.get(&tab).is_some_and(|t| t.crashed))
        {
            return Err(crate::errors::execution_failed(
                crate::runtime::crashed_message(tab),
            ));
        }
        self.rt
            .with_state(|st| {
                st.tabs
                    .get(&tab)
                    .and_then(|t| t.refs.get(reference))
                    .map(|e| e.backend_node_id)
            })
            .ok_or_else(|| stale_ref(reference))
    }

    /// Where CDP calls about `reference` go: the tab's root session, or the child session of the out-of-process
    /// iframe the element lives in.
    ///
    /// # Errors
    /// The stale-ref error for an unknown ref or one whose frame is gone.
    pub fn ref_debuggee(&self, tab: TabId, reference: &str) -> CmdResult<Debuggee> {
        let frame = self.rt.with_state(|st| {
            st.tabs
                .get(&tab)
                .and_then(|t| t.refs.get(reference))
                .map(|e| e.frame_id.clone())
        });
        let Some(frame) = frame else {
            return Err(stale_ref(reference));
        };
        crate::frames::debuggee(&self.rt, tab, frame.as_deref()).ok_or_else(|| stale_ref(reference))
    }

    /// The out-of-process iframe (frame id) of `reference`, `None` for the tab's own session.
    pub fn ref_frame(&self, tab: TabId, reference: &str) -> Option<String> {
        self.rt.with_state(|st| {
            st.tabs
                .get(&tab)
                .and_then(|t| t.refs.get(reference))
                .and_then(|e| e.frame_id.clone())
        })
    }

    /// A failure while working on `reference`: stale-node messages become the stale-ref error.
    pub fn ref_error(&self, tab: TabId, reference: &str, err: &HostError) -> CmdError {
        if is_stale_message(&err.message) {
            stale_ref(reference)
        } else {
            map_host_error(err, TabRef::Target(tab))
        }
    }

    /// A CDP command about `reference` on `tab` (sent to the session of the ref's frame), with stale-node
    /// errors mapped to the stale-ref error.
    ///
    /// # Errors
    /// The stale-ref error or the mapped browser error.
    pub async fn cdp_ref(
        &self,
        tab: TabId,
        reference: &str,
        method: &str,
        params: Value,
    ) -> CmdResult {
        let debuggee = self.ref_debuggee(tab, reference)?;
        self.guarded_cdp_to(&debuggee, method, params)
            .await
            .map_err(|e| self.ref_error(tab, reference, &e))
    }

    /// Calls `function` (a JS function expression, `this` = the element) with `args` on the element of
    /// `reference`, awaiting promises, and returns its JSON value (`null` for `undefined`). The remote object
    /// is released afterwards.
    ///
    /// # Errors
    /// The stale-ref error (unknown ref, vanished or disconnected node); `execution_failed` with the page's
    /// exception text.
    pub async fn call_on_ref(
        &self,
        tab: TabId,
        reference: &str,
        function: &str,
        args: Vec<Value>,
    ) -> CmdResult {
        let backend = self.ref_node(tab, reference)?;
        let resolved = self
            .cdp_ref(
                tab,
                reference,
                "DOM.resolveNode",
                json!({"backendNodeId": backend, "objectGroup": OBJECT_GROUP}),
            )
            .await?;
        let Some(object_id) = resolved
            .pointer("/object/objectId")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return Err(stale_ref(reference));
        };
        let arguments: Vec<Value> = args.into_iter().map(|v| json!({ "value": v })).collect();
        let called = self
            .cdp_ref(
                tab,
                reference,
                "Runtime.callFunctionOn",
                json!({
                    "objectId": object_id,
                    "functionDeclaration": wrap(function),
                    "arguments": arguments,
                    "returnByValue": true,
                    "awaitPromise": true,
                }),
            )
            .await;
        if let Ok(debuggee) = self.ref_debuggee(tab, reference) {
            let _ = cdp::send_to(
                self.host(),
                &debuggee,
                "Runtime.releaseObject",
                json!({ "objectId": object_id }),
                cdp::CDP_TIMEOUT_MS,
            )
            .await;
        }
        let called = called?;
        if let Some(ex) = called.get("exceptionDetails") {
            let text = ex
                .pointer("/exception/description")
                .and_then(Value::as_str)
                .or_else(|| ex.get("text").and_then(Value::as_str))
                .unwrap_or("Page function threw");
            return Err(execution_failed(text.to_string()));
        }
        let value = called
            .pointer("/result/value")
            .cloned()
            .unwrap_or(Value::Null);
        if value.get("__odbStale").and_then(Value::as_bool) == Some(true) {
            return Err(stale_ref(reference));
        }
        Ok(value.get("value").cloned().unwrap_or(Value::Null))
    }
}
