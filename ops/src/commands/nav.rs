//! `nav.goto` and `nav.wait` (PROTOCOL.md §3.5), with CDP navigation and a `document.readyState` poll.

use odb_protocol::error::{ErrorCode, OpsErrorBody};
use serde_json::{json, Value};

use crate::cdp;
use crate::commands::session::restricted_url;
use crate::commands::Ctx;
use crate::errors::{
    execution_failed, invalid_request, map_host_error, stale_ref, CmdResult, TabRef,
};
use crate::host::{Host, TabId};
use crate::url::{check_url, UrlCheck};

/// Default `timeoutMs` of `nav.goto` and `nav.wait`.
pub const DEFAULT_NAV_TIMEOUT_MS: u64 = 30_000;
/// Poll interval of the readyState wait, in ms.
const READY_POLL_MS: u64 = 50;
/// Poll interval of `nav.wait {ref}`, in ms.
const REF_POLL_MS: u64 = 200;

/// Whether the element is visible: not `display:none`, not `visibility:hidden`, not `opacity:0`, non-zero rect
/// (the `dom.isVisible` rule of PROTOCOL.md §3.5).
pub const IS_VISIBLE_FN: &str = "function() { const s = getComputedStyle(this); const r = this.getBoundingClientRect(); \
    return s.display !== 'none' && s.visibility !== 'hidden' && s.opacity !== '0' && r.width > 0 && r.height > 0; }";

impl<H: Host> Ctx<H> {
    /// Polls `document.readyState` of `tab` every 50 ms until it is `complete`; returns `location.href` then,
    /// `None` after `timeout_ms`. Evaluation errors during a navigation (context destroyed) just keep polling.
    pub async fn wait_ready(&self, tab: TabId, timeout_ms: u64) -> Option<String> {
        let deadline = self.host().now_ms() + timeout_ms as f64;
        loop {
            let remaining = (deadline - self.host().now_ms()).max(0.0) as u64;
            let params = json!({
                "expression": "({ s: document.readyState, u: location.href })",
                "returnByValue": true,
            });
            if let Ok(r) = cdp::send_with_timeout(
                self.host(),
                tab,
                "Runtime.evaluate",
                params,
                remaining.max(READY_POLL_MS),
            )
            .await
            {
                let value = r.pointer("/result/value");
                if value.and_then(|v| v.get("s")).and_then(Value::as_str) == Some("complete") {
                    return Some(
                        value
                            .and_then(|v| v.get("u"))
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                    );
                }
            }
            if self.host().now_ms() >= deadline {
                return None;
            }
            self.host().sleep_ms(READY_POLL_MS).await;
        }
    }

    fn clear_refs(&self, tab: TabId) {
        self.rt.with_state(|st| {
            if let Some(t) = st.tabs.get_mut(&tab) {
                t.refs.clear();
            }
        });
    }
}

/// `nav.goto {url, waitUntil?, timeoutMs=30000}` → `{finalUrl, timingMs}`. `Page.navigate`, then a readyState
/// wait whose timeout is swallowed; the target's refs are cleared. `waitUntil` is ignored.
///
/// # Errors
/// `restricted_url` (not http(s), or the Web Store); `invalid_request "Invalid url"`; `execution_failed` with
/// CDP's `errorText` (e.g. `net::ERR_CONNECTION_REFUSED`).
pub async fn goto<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let url = ctx
        .str_arg("url")
        .ok_or_else(|| invalid_request("Missing url"))?;
    match check_url(&url) {
        UrlCheck::Allowed => {}
        UrlCheck::Restricted => return Err(restricted_url()),
        UrlCheck::Invalid => return Err(invalid_request("Invalid url")),
    }
    let tab = ctx.target()?;
    let timeout = ctx.u64_arg("timeoutMs").unwrap_or(DEFAULT_NAV_TIMEOUT_MS);
    let nav = cdp::send_with_timeout(
        ctx.host(),
        tab,
        "Page.navigate",
        json!({ "url": url }),
        timeout.max(1_000),
    )
    .await
    .map_err(|e| map_host_error(&e, TabRef::Target(tab)))?;
    ctx.clear_refs(tab);
    if let Some(error_text) = nav
        .get("errorText")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    {
        return Err(execution_failed(error_text.to_string()));
    }
    let remaining = timeout.saturating_sub(ctx.elapsed_ms());
    let final_url = match ctx.wait_ready(tab, remaining).await {
        Some(u) if !u.is_empty() => u,
        _ => ctx.tab_info(tab).await.map(|i| i.url).unwrap_or(url),
    };
    Ok(json!({ "finalUrl": final_url, "timingMs": ctx.elapsed_ms() }))
}

fn wait_timeout(ms: u64) -> OpsErrorBody {
    OpsErrorBody::new(ErrorCode::Timeout, format!("Wait timed out after {ms} ms"))
}

/// `nav.wait {ref, state:"attached"|"visible"|"hidden" (default attached), timeoutMs=30000}` polls the element every
/// 200 ms; without `ref` it waits for `document.readyState == "complete"`. → `{timingMs}`.
///
/// # Errors
/// `timeout "Wait timed out after N ms"` (retryable); `invalid_request` for an unknown ref or state, and the
/// stale-ref error as soon as the element is gone while waiting for `attached`/`visible`.
pub async fn wait<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let tab = ctx.target()?;
    let timeout = ctx.u64_arg("timeoutMs").unwrap_or(DEFAULT_NAV_TIMEOUT_MS);
    let Some(reference) = ctx.str_arg("ref") else {
        return match ctx.wait_ready(tab, timeout).await {
            Some(_) => Ok(json!({ "timingMs": ctx.elapsed_ms() })),
            None => Err(wait_timeout(timeout)),
        };
    };
    let state = ctx
        .str_arg("state")
        .unwrap_or_else(|| "attached".to_string());
    if !matches!(state.as_str(), "attached" | "visible" | "hidden") {
        return Err(invalid_request(format!("Invalid state: {state}")));
    }
    ctx.ref_node(tab, &reference)?;
    let stale = stale_ref(&reference);
    let deadline = ctx.host().now_ms() + timeout as f64;
    loop {
        let (attached, visible) = match ctx
            .call_on_ref(tab, &reference, IS_VISIBLE_FN, Vec::new())
            .await
        {
            Ok(v) => (true, v.as_bool() == Some(true)),
            // Gone for good (removed, or the page navigated): that is "hidden", and it can never become
            // attached or visible again, so other states fail now instead of at the deadline.
            Err(e) if e.message == stale.message && state == "hidden" => (false, false),
            Err(e) => return Err(e),
        };
        let done = match state.as_str() {
            "attached" => attached,
            "visible" => visible,
            _ => !visible,
        };
        if done {
            return Ok(json!({ "timingMs": ctx.elapsed_ms() }));
        }
        if ctx.host().now_ms() >= deadline {
            return Err(wait_timeout(timeout));
        }
        ctx.host().sleep_ms(REF_POLL_MS).await;
    }
}
