//! `page.dialog {action, promptText?}` and the per-tab JavaScript dialog state built from
//! `Page.javascriptDialogOpening` / `Page.javascriptDialogClosed` (PROTOCOL.md §3.4, §3.5).
//!
//! `page.dialog` runs on its own FIFO per (session, target) (`QueueClass::Dialog`), so it answers while an
//! `interact.click` that opened the dialog is still waiting for its `mouseReleased` to be acknowledged.

use serde_json::{json, Value};

use crate::cdp::{with_timeout, CDP_TIMEOUT_MS};
use crate::commands::Ctx;
use crate::errors::{invalid_request, map_host_error, CmdResult, TabRef};
use crate::host::{Debuggee, Host, HostError, TabId};
use crate::runtime::Runtime;
use crate::session::target_id;

/// The wire name of the command this module implements.
pub const PAGE_DIALOG: &str = "page.dialog";

/// The wire names this module implements.
pub const COMMANDS: &[&str] = &[PAGE_DIALOG];

/// An open JavaScript dialog, as `Page.javascriptDialogOpening` described it.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenDialog {
    /// `alert`, `confirm`, `prompt` or `beforeunload`.
    pub kind: String,
    /// The dialog's message.
    pub message: String,
    /// The prompt's default text (`""` for other kinds).
    pub default_prompt: String,
    /// The URL of the frame that opened it.
    pub url: String,
    /// When the event arrived, ms since the epoch (host clock).
    pub opened_at: f64,
    /// The CDP session the event came from (`None`: the tab's root target); the answer goes there.
    pub session_id: Option<String>,
}

/// The JavaScript dialog state of one tab: the dialog showing now, if any.
#[derive(Debug, Default)]
pub struct DialogState {
    /// The open dialog; `None` once it closed or was answered.
    pub open: Option<OpenDialog>,
}

/// What `page.dialog` is asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogAction {
    /// Report the state only (the default).
    Status,
    /// `Page.handleJavaScriptDialog {accept:true, promptText?}`.
    Accept,
    /// `Page.handleJavaScriptDialog {accept:false}`.
    Dismiss,
}

/// Parses `payload.action`: absent or `null` is `status`.
///
/// # Errors
/// `invalid_request "Invalid dialog action: X. Use accept, dismiss or status."`.
pub fn parse_action(payload: &Value) -> CmdResult<DialogAction> {
    match payload.get("action") {
        None | Some(Value::Null) => Ok(DialogAction::Status),
        Some(Value::String(s)) => match s.trim() {
            "status" => Ok(DialogAction::Status),
            "accept" => Ok(DialogAction::Accept),
            "dismiss" => Ok(DialogAction::Dismiss),
            other => Err(invalid_request(format!(
                "Invalid dialog action: {other}. Use accept, dismiss or status."
            ))),
        },
        Some(other) => Err(invalid_request(format!(
            "Invalid dialog action: {other}. Use accept, dismiss or status."
        ))),
    }
}

/// The wire form of a tab's dialog state (PROTOCOL.md §3.5): `{open:true, targetId, type, message,
/// defaultPrompt, url, openedAt}` while one shows (`openedAt` in ms since the epoch), else
/// `{open:false, targetId}`.
pub fn dialog_json(tab: TabId, open: Option<&OpenDialog>) -> Value {
    match open {
        Some(d) => json!({
            "open": true,
            "targetId": target_id(tab),
            "type": d.kind,
            "message": d.message,
            "defaultPrompt": d.default_prompt,
            "url": d.url,
            "openedAt": d.opened_at,
        }),
        None => json!({ "open": false, "targetId": target_id(tab) }),
    }
}

/// The dialog state of `tab` in wire form (see [`dialog_json`]); also used by `session.status` and
/// `nav.review`.
pub fn dialog_status<H: Host>(rt: &Runtime<H>, tab: TabId) -> Value {
    let open = rt.with_state(|st| st.tabs.get(&tab).and_then(|t| t.dialog.open.clone()));
    dialog_json(tab, open.as_ref())
}

/// Runs `page.dialog {action?:"accept"|"dismiss"|"status", promptText?, targetId?}` → `{dialog}` for
/// `status`, `{dialog:{open:false, targetId}, handled:true}` after `accept` / `dismiss`.
///
/// # Errors
/// - `invalid_request` for a bad `action` or a non-string `promptText`;
/// - `invalid_request "No dialog is open on tab-N."` for accept/dismiss with no dialog showing (also when
///   Chrome answers that none is showing: the dialog closed meanwhile);
/// - the usual target errors, and `execution_failed` for other CDP failures.
pub async fn run<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let action = parse_action(&ctx.payload)?;
    let prompt_text = match ctx.payload.get("promptText") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(invalid_request("promptText must be a string.")),
    };
    let tab = ctx.target()?;
    let accept = match action {
        DialogAction::Status => return Ok(json!({ "dialog": dialog_status(&ctx.rt, tab) })),
        DialogAction::Accept => true,
        DialogAction::Dismiss => false,
    };
    let open = ctx
        .rt
        .with_state(|st| st.tabs.get(&tab).and_then(|t| t.dialog.open.clone()))
        .ok_or_else(|| no_dialog(tab))?;
    let mut params = json!({ "accept": accept });
    if let Some(text) = prompt_text.filter(|_| accept) {
        params["promptText"] = json!(text);
    }
    let sent = answer(ctx, tab, open.session_id.as_deref(), params).await;
    match sent {
        Ok(_) => {}
        Err(e) if e.message.contains("No dialog is showing") => {
            clear_if_same(&ctx.rt, tab, &open);
            return Err(no_dialog(tab));
        }
        Err(e) => return Err(map_host_error(&e, TabRef::Target(tab))),
    }
    clear_if_same(&ctx.rt, tab, &open);
    Ok(json!({ "dialog": dialog_status(&ctx.rt, tab), "handled": true }))
}

/// Sends `Page.handleJavaScriptDialog` where the dialog opened: the tab's root target through the guarded call
/// (it fails at once if the tab crashes or closes meanwhile), or the child CDP session (30 s deadline).
async fn answer<H: Host>(
    ctx: &Ctx<H>,
    tab: TabId,
    session_id: Option<&str>,
    params: Value,
) -> Result<Value, HostError> {
    let Some(session_id) = session_id else {
        return ctx
            .guarded_cdp(tab, "Page.handleJavaScriptDialog", params)
            .await;
    };
    let debuggee = Debuggee {
        tab_id: tab,
        session_id: Some(session_id.to_string()),
    };
    let call = ctx
        .host()
        .send_command(&debuggee, "Page.handleJavaScriptDialog", params);
    with_timeout(ctx.host(), CDP_TIMEOUT_MS, call)
        .await
        .unwrap_or_else(|| {
            Err(HostError::new(format!(
                "CDP Page.handleJavaScriptDialog timed out after {CDP_TIMEOUT_MS} ms"
            )))
        })
}

/// `invalid_request "No dialog is open on tab-N."`.
fn no_dialog(tab: TabId) -> crate::errors::CmdError {
    invalid_request(format!("No dialog is open on {}.", target_id(tab)))
}

/// Forgets `answered` as the open dialog of `tab`, unless another dialog replaced it meanwhile.
fn clear_if_same<H: Host>(rt: &Runtime<H>, tab: TabId, answered: &OpenDialog) {
    rt.with_state(|st| {
        if let Some(t) = st.tabs.get_mut(&tab) {
            if t.dialog.open.as_ref() == Some(answered) {
                t.dialog.open = None;
            }
        }
    });
}

/// The dialog described by a `Page.javascriptDialogOpening` event's `params`.
fn opening(params: &Value, session_id: Option<String>, now_ms: f64) -> OpenDialog {
    let text = |k: &str| {
        params
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    OpenDialog {
        kind: params
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("alert")
            .to_string(),
        message: text("message"),
        default_prompt: text("defaultPrompt"),
        url: text("url"),
        opened_at: now_ms,
        session_id,
    }
}

/// A CDP event of `debuggee`: `Page.javascriptDialogOpening` records the tab's open dialog,
/// `Page.javascriptDialogClosed` (from the same CDP session) forgets it. Tabs no session uses are ignored.
pub fn on_event<H: Host>(rt: &Runtime<H>, debuggee: &Debuggee, method: &str, params: &Value) {
    match method {
        "Page.javascriptDialogOpening" => {
            let dialog = opening(params, debuggee.session_id.clone(), rt.host().now_ms());
            rt.with_state(|st| {
                if let Some(t) = st.tabs.get_mut(&debuggee.tab_id) {
                    t.dialog.open = Some(dialog);
                }
            });
        }
        "Page.javascriptDialogClosed" => rt.with_state(|st| {
            if let Some(t) = st.tabs.get_mut(&debuggee.tab_id) {
                if t.dialog
                    .open
                    .as_ref()
                    .is_some_and(|d| d.session_id == debuggee.session_id)
                {
                    t.dialog.open = None;
                }
            }
        }),
        _ => {}
    }
}
