//! [`Ctx`] helpers shared by the commands: payload fields, the session and target of a request, and bounded
//! browser calls with errors already mapped (PROTOCOL.md §3.2, §3.5).

use std::future::Future;
use std::pin::pin;

use futures::future::{select, Either};

use odb_protocol::error::{ErrorCode, OpsErrorBody};
use serde_json::Value;

use crate::cdp::{self, with_timeout, CDP_TIMEOUT_MS};
use crate::commands::Ctx;
use crate::errors::{execution_failed, invalid_request, map_host_error, CmdResult, TabRef};
use crate::host::{Debuggee, Host, HostError, TabId, TabInfo};
use crate::runtime::crashed_message;
use crate::session::{parse_target_id, target_id, Session};

/// CDP methods that do not need the blocked renderer while a JavaScript dialog shows: answering it, and the
/// browser-side cookie store.
const ALLOWED_UNDER_DIALOG: &[&str] = &[
    "Page.handleJavaScriptDialog",
    "Network.getCookies",
    "Network.setCookies",
];

impl<H: Host> Ctx<H> {
    /// The host.
    pub fn host(&self) -> &H {
        self.rt.host()
    }

    /// Milliseconds since the request arrived, rounded.
    pub fn elapsed_ms(&self) -> u64 {
        (self.host().now_ms() - self.started_ms).max(0.0).round() as u64
    }

    /// A string field of the payload, trimmed; `None` when absent, not a string, or blank.
    pub fn str_arg(&self, name: &str) -> Option<String> {
        self.payload
            .get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    /// A non-negative number field of the payload (fractions truncated); `None` when absent or invalid.
    pub fn u64_arg(&self, name: &str) -> Option<u64> {
        let v = self.payload.get(name)?;
        v.as_u64().or_else(|| {
            v.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| f as u64)
        })
    }

    /// A boolean field of the payload; `false` when absent.
    pub fn bool_arg(&self, name: &str) -> bool {
        self.payload
            .get(name)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// A copy of the request's session.
    ///
    /// # Errors
    /// `invalid_session "Unknown ops session"` when it ended meanwhile.
    pub fn session(&self) -> CmdResult<Session> {
        let id = self.session_id.clone().unwrap_or_default();
        self.rt
            .with_state(|st| st.sessions.get(&id).cloned())
            .ok_or_else(|| OpsErrorBody::new(ErrorCode::InvalidSession, "Unknown ops session"))
    }

    /// The tab named by `payload.targetId`, or the session's active target, checked to belong to the
    /// session and to be attached.
    ///
    /// # Errors
    /// `invalid_request "Unknown targetId: X"`; `execution_failed "Debugger detached: <reason>"`.
    pub fn target(&self) -> CmdResult<TabId> {
        let session = self.session()?;
        let tab = match self.str_arg("targetId") {
            Some(t) => self.session_target(&session, &t)?,
            None => session.active,
        };
        self.ensure_attached(tab)?;
        Ok(tab)
    }

    /// The tab of target id `target` in `session`.
    ///
    /// # Errors
    /// `invalid_request "Unknown targetId: X"`.
    pub fn session_target(&self, session: &Session, target: &str) -> CmdResult<TabId> {
        parse_target_id(target)
            .filter(|tab| session.targets.contains(tab))
            .ok_or_else(|| invalid_request(format!("Unknown targetId: {target}")))
    }

    /// Fails when the debugger left `tab` (user cancel, crash): commands name the reason.
    ///
    /// # Errors
    /// `execution_failed "Debugger detached: <reason>"`; the retryable `execution_failed "Popup target has not
    /// finished attaching yet…"` for an adopted popup still attaching.
    pub fn ensure_attached(&self, tab: TabId) -> CmdResult<()> {
        if let Some(err) = crate::commands::page::attaching_error(&self.rt, tab) {
            return Err(err);
        }
        let reason = self.rt.with_state(|st| match st.tabs.get(&tab) {
            Some(t) if t.attached => None,
            Some(t) => Some(
                t.detached_reason
                    .clone()
                    .unwrap_or_else(|| "unknown".to_string()),
            ),
            None => Some("not attached".to_string()),
        });
        match reason {
            None => Ok(()),
            Some(reason) => Err(execution_failed(format!(
                "Debugger detached: {reason} ({}). Reconnect the session to attach again.",
                target_id(tab)
            ))),
        }
    }

    /// Sends a CDP command to `tab` (30 s deadline), mapping failures (errors.rs).
    ///
    /// # Errors
    /// The mapped browser error.
    pub async fn cdp(&self, tab: TabId, method: &str, params: Value) -> CmdResult {
        self.guarded_cdp(tab, method, params)
            .await
            .map_err(|e| map_host_error(&e, TabRef::Target(tab)))
    }

    /// Sends a CDP command to `tab` (30 s deadline) that fails at once when the tab crashes, closes or loses the
    /// debugger meanwhile (or had crashed already), instead of waiting for a browser that will never answer.
    ///
    /// # Errors
    /// The browser's error, the timeout message, or the fault's reason.
    pub async fn guarded_cdp(
        &self,
        tab: TabId,
        method: &str,
        params: Value,
    ) -> Result<Value, HostError> {
        self.guarded_cdp_to(&Debuggee::tab(tab), method, params)
            .await
    }

    /// [`Ctx::guarded_cdp`] to any session of a tab: its root or a flat child session (an out-of-process iframe).
    ///
    /// # Errors
    /// As [`Ctx::guarded_cdp`].
    pub async fn guarded_cdp_to(
        &self,
        debuggee: &Debuggee,
        method: &str,
        params: Value,
    ) -> Result<Value, HostError> {
        let tab = debuggee.tab_id;
        let (crashed, dialog) = self.rt.with_state(|st| {
            st.tabs.get(&tab).map_or((false, None), |t| {
                (t.crashed, t.dialog.open.as_ref().map(|d| d.kind.clone()))
            })
        });
        if crashed {
            return Err(HostError::new(crashed_message(tab)));
        }
        if let Some(kind) = dialog.filter(|_| !ALLOWED_UNDER_DIALOG.contains(&method)) {
            // Measured on Chromium 156: page-side calls (AX tree, Runtime, DOM, Input) block until the dialog
            // closes, so a command started now would hang to its deadline.
            return Err(HostError::new(format!(
                "A JavaScript {kind} dialog is open on {}; answer it with page.dialog (accept or dismiss) first.",
                target_id(tab)
            )));
        }
        let fault = self.rt.tab_fault(tab);
        let call = pin!(cdp::send_to(
            self.host(),
            debuggee,
            method,
            params,
            cdp::CDP_TIMEOUT_MS
        ));
        match select(call, fault).await {
            Either::Left((result, _)) => result,
            Either::Right((Ok(reason), _)) => Err(HostError::new(reason)),
            Either::Right((Err(_), call)) => call.await,
        }
    }

    /// Runs a `chrome.*`-style host call with the default deadline.
    ///
    /// # Errors
    /// The browser's error, or a timeout message.
    pub async fn bounded<T>(
        &self,
        fut: impl Future<Output = Result<T, HostError>>,
    ) -> Result<T, HostError> {
        with_timeout(self.host(), CDP_TIMEOUT_MS, fut)
            .await
            .unwrap_or_else(|| {
                Err(HostError::new(format!(
                    "Browser call timed out after {CDP_TIMEOUT_MS} ms"
                )))
            })
    }

    /// The tab's current info.
    ///
    /// # Errors
    /// `invalid_request "Unknown targetId: tab-N"` when it is gone; mapped browser errors.
    pub async fn tab_info(&self, tab: TabId) -> CmdResult<TabInfo> {
        self.bounded(self.host().get_tab(tab))
            .await
            .map_err(|e| map_host_error(&e, TabRef::Target(tab)))?
            .ok_or_else(|| invalid_request(format!("Unknown targetId: {}", target_id(tab))))
    }

    /// Polls the tab until its status is `complete`, every 100 ms, for at most `timeout_ms`; `false` on timeout
    /// or when the tab is gone.
    pub async fn wait_tab_complete(&self, tab: TabId, timeout_ms: u64) -> bool {
        let deadline = self.host().now_ms() + timeout_ms as f64;
        loop {
            match self.bounded(self.host().get_tab(tab)).await {
                Ok(Some(info)) if info.status.as_deref() == Some("complete") => return true,
                Ok(Some(_)) => {}
                _ => return false,
            }
            if self.host().now_ms() >= deadline {
                return false;
            }
            self.host().sleep_ms(100).await;
        }
    }
}
