//! `devtools.consolePoll`, `devtools.networkPoll`, `devtools.perf` and the bounded per-tab console/network
//! buffers fed by CDP events (PROTOCOL.md §3.5).
//!
//! **When a buffer starts.** A tab's buffers record events while the debugger is attached on behalf of a
//! session, from the moment the attach sequence (PROTOCOL.md §3.6, `attach.rs`) has finished. Events from
//! before that are not available: what the page logged before the session attached, requests sent before it,
//! and the earlier console messages V8 replays when `Runtime.enable` runs (measured on Chromium 156: the
//! replay comes before the `Runtime.enable` answer; a second `Runtime.enable` replays nothing). Two guards
//! drop the replay: events for a tab that is not (yet) marked attached are ignored, and events stamped before
//! the attach finished ([`TabLogs::arm`], called by `attach_tab`) are ignored, because `chrome.debugger` may
//! deliver an event after the answer of a later command. The same holds after a re-attach, so a replay never
//! duplicates events. Buffers live as long as some session uses the tab, across navigations and detaches;
//! `Log.*` entries (browser-generated messages such as "Failed to load resource") are not collected.
//!
//! **Polling.** `sinceSeq` is exclusive: a poll returns up to `max` events with `seq > sinceSeq`, oldest first,
//! and `nextSeq` is the `sinceSeq` of the next poll, so polling with it never repeats or skips an event that is
//! still buffered. `max` defaults to [`DEFAULT_POLL_MAX`] and is capped at the buffer's size ([`CONSOLE_CAPACITY`]
//! for the console, [`NETWORK_CAPACITY`] for the network); `max: 0` returns no events and the newest `seq`.
//! A `sinceSeq` beyond the newest `seq` reads as 0. Numbers are per target: switching targets means starting
//! from 0. The polls run on the session queue (PROTOCOL.md §3.4) and read the active target unless `targetId`
//! names another; a detached target's buffers can still be read.

mod buffers;
mod console_format;
mod feed;
mod net_url;
mod secrets;

pub use buffers::{
    ConsoleEvent, NetworkEvent, PollPage, Ring, Sequenced, TabLogs, CONSOLE_CAPACITY,
    NETWORK_CAPACITY, PENDING_CAPACITY,
};
pub use console_format::{console_call_text, exception_text, format_args, remote_object};
pub use net_url::{redact_url, MAX_URL_CHARS};
pub use secrets::{cap_chars, clean_console_text, MAX_CONSOLE_TEXT_CHARS};

use serde::Serialize;
use serde_json::{json, Value};

use crate::commands::Ctx;
use crate::errors::{invalid_request, CmdResult};
use crate::host::{Debuggee, Host, TabId};
use crate::runtime::Runtime;

/// `devtools.consolePoll`.
pub const CONSOLE_POLL: &str = "devtools.consolePoll";
/// `devtools.networkPoll`.
pub const NETWORK_POLL: &str = "devtools.networkPoll";
/// `devtools.perf`.
pub const PERF: &str = "devtools.perf";

/// The wire names this module implements.
pub const COMMANDS: &[&str] = &[CONSOLE_POLL, NETWORK_POLL, PERF];

/// The `max` of a poll that names none (PROTOCOL.md §3.5).
pub const DEFAULT_POLL_MAX: usize = 50;

/// Runs one of this module's commands.
///
/// # Errors
/// See [`console_poll`], [`network_poll`] and [`perf`].
pub async fn run<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    match ctx.command.as_str() {
        CONSOLE_POLL => console_poll(ctx),
        NETWORK_POLL => network_poll(ctx),
        PERF => perf(ctx).await,
        other => Err(invalid_request(format!("Unknown ops command: {other}"))),
    }
}

/// A CDP event of `debuggee`: console and network events (see [`feed::FED_BY`]) go into the buffers of the
/// debuggee's tab, if that tab is attached for some session; everything else is ignored.
pub fn on_event<H: Host>(rt: &Runtime<H>, debuggee: &Debuggee, method: &str, params: &Value) {
    if !feed::FED_BY.contains(&method) {
        return;
    }
    let now = rt.host().now_ms();
    rt.with_state(|st| {
        if let Some(tab) = st.tabs.get_mut(&debuggee.tab_id).filter(|t| t.attached) {
            feed::apply(
                &mut tab.logs,
                debuggee.session_id.as_deref(),
                method,
                params,
                now,
            );
        }
    });
}

/// `sinceSeq` and `max` of a poll, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollArgs {
    /// Events with a greater `seq` are returned (default 0).
    pub since: u64,
    /// At most this many (default [`DEFAULT_POLL_MAX`], capped).
    pub max: usize,
}

/// Reads `sinceSeq` (non-negative number, default 0) and `max` (non-negative number, default
/// [`DEFAULT_POLL_MAX`], capped at `cap`) from `payload`; fractions are truncated.
///
/// # Errors
/// `invalid_request "Invalid sinceSeq: expected a non-negative number"` (or `max`).
pub fn poll_args(payload: &Value, cap: usize) -> CmdResult<PollArgs> {
    let number = |name: &str| -> CmdResult<Option<u64>> {
        match payload.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| Some(f as u64))
                .ok_or_else(|| {
                    invalid_request(format!("Invalid {name}: expected a non-negative number"))
                }),
        }
    };
    let since = number("sinceSeq")?.unwrap_or(0);
    let max = number("max")?
        .map_or(DEFAULT_POLL_MAX, |m| {
            usize::try_from(m).unwrap_or(usize::MAX)
        })
        .min(cap);
    Ok(PollArgs { since, max })
}

/// The tab a poll reads: `payload.targetId` (a target of the session) or the active target. Unlike
/// target-queued commands it does not require the debugger to be attached.
fn poll_tab<H: Host>(ctx: &Ctx<H>) -> CmdResult<TabId> {
    let session = ctx.session()?;
    match ctx.str_arg("targetId") {
        Some(target) => ctx.session_target(&session, &target),
        None => Ok(session.active),
    }
}

/// `{events, nextSeq}` out of a page.
fn page_json<T: Serialize>(page: PollPage<T>) -> CmdResult {
    let events = serde_json::to_value(&page.events)
        .map_err(|e| invalid_request(format!("Unserializable events: {e}")))?;
    Ok(json!({ "events": events, "nextSeq": page.next_seq }))
}

/// `devtools.consolePoll {sinceSeq=0, max=50, targetId?}` → `{events:[{seq, level, text, ts}], nextSeq}` (module
/// doc; `max` ≤ 200; text redacted and capped at [`MAX_CONSOLE_TEXT_CHARS`]).
///
/// # Errors
/// `invalid_request` for a bad `sinceSeq`/`max` or an unknown `targetId`; `invalid_session`.
pub fn console_poll<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let args = poll_args(&ctx.payload, CONSOLE_CAPACITY)?;
    let tab = poll_tab(ctx)?;
    let page = ctx.rt.with_state(|st| match st.tabs.get(&tab) {
        Some(t) => t.logs.console.poll(args.since, args.max),
        None => Ring::<ConsoleEvent>::new(1).poll(args.since, args.max),
    });
    page_json(page)
}

/// `devtools.networkPoll {sinceSeq=0, max=50, targetId?}` → `{events:[{seq, method, url, status?, resourceType?,
/// ts, errorText?}], nextSeq}` (module doc; `max` ≤ 300; URLs redacted by [`redact_url`]).
///
/// # Errors
/// `invalid_request` for a bad `sinceSeq`/`max` or an unknown `targetId`; `invalid_session`.
pub fn network_poll<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let args = poll_args(&ctx.payload, NETWORK_CAPACITY)?;
    let tab = poll_tab(ctx)?;
    let page = ctx.rt.with_state(|st| match st.tabs.get(&tab) {
        Some(t) => t.logs.network.poll(args.since, args.max),
        None => Ring::<NetworkEvent>::new(1).poll(args.since, args.max),
    });
    page_json(page)
}

/// `devtools.perf {targetId?}` → `{metrics:[{name, value}]}` from CDP `Performance.getMetrics` on the target
/// (`Performance.enable` is part of the attach sequence). Metrics are Chrome's, unchanged: `Timestamp`,
/// `Documents`, `Nodes`, `JSHeapUsedSize` (bytes), `TaskDuration` (seconds), …
///
/// # Errors
/// `invalid_request` for an unknown `targetId`; `execution_failed` when detached or when CDP fails.
pub async fn perf<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let tab = ctx.target()?;
    let raw = ctx.cdp(tab, "Performance.getMetrics", json!({})).await?;
    Ok(json!({ "metrics": metrics_of(&raw) }))
}

/// `[{name, value}]` out of a `Performance.getMetrics` result, skipping malformed entries.
pub fn metrics_of(raw: &Value) -> Vec<Value> {
    raw.get("metrics")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .filter_map(|m| {
            let name = m.get("name").and_then(Value::as_str)?;
            let value = m.get("value").and_then(Value::as_f64)?;
            Some(json!({ "name": name, "value": value }))
        })
        .collect()
}
