//! Command dispatch: one file per command family (PROTOCOL.md §3.5). [`execute`] runs a command whose
//! ownership was already checked, inside its queue.

pub mod devtools;
pub mod dialog;
pub mod dom;
pub mod export;
pub mod forms;
pub mod interact;
pub mod keys;
pub mod nav;
pub mod page;
pub mod pointer;
pub mod review;
pub mod screenshot;
pub mod session;
pub mod snapshot;
pub mod storage;
pub mod targets;
pub mod upload;

use serde_json::Value;

use crate::errors::{invalid_request, CmdResult};
use crate::host::Host;
use crate::runtime::Runtime;

/// The commands this build implements; every other name of `odb_protocol::commands::ALL` answers
/// `not_supported "<cmd> is not implemented in this build."`.
pub const IMPLEMENTED: [&str; 29] = [
    "session.launch",
    "session.connect",
    "session.status",
    "session.disconnect",
    "targets.list",
    "targets.use",
    "targets.new",
    "targets.close",
    "nav.goto",
    "nav.wait",
    "nav.snapshot",
    "interact.click",
    "interact.type",
    "interact.press",
    "interact.hover",
    "interact.check",
    "interact.uncheck",
    "interact.select",
    "interact.scroll",
    "interact.scrollIntoView",
    "dom.getText",
    "dom.getHtml",
    "dom.getAttr",
    "dom.getValue",
    "dom.isVisible",
    "dom.isEnabled",
    "dom.isChecked",
    "dom.refPoint",
    "page.screenshot",
];

/// The command lists of the family modules that own their own dispatch (each module's `COMMANDS`).
const FAMILIES: [&[&str]; 8] = [
    page::COMMANDS,
    review::COMMANDS,
    dialog::COMMANDS,
    upload::COMMANDS,
    pointer::COMMANDS,
    devtools::COMMANDS,
    storage::COMMANDS,
    export::COMMANDS,
];

/// Whether `command` is implemented by this build.
pub fn is_implemented(command: &str) -> bool {
    IMPLEMENTED.contains(&command) || FAMILIES.iter().any(|f| f.contains(&command))
}

/// One request being executed: who sent it, for which session, and its payload.
pub struct Ctx<H: Host> {
    /// The runtime (state and host).
    pub rt: Runtime<H>,
    /// `requestId`, echoed in the answer.
    pub request_id: String,
    /// The sender's relay `clientId`.
    pub client_id: String,
    /// `opsSessionId` of the envelope (absent on launch/connect).
    pub session_id: Option<String>,
    /// `leaseId` of the envelope, trimmed; `None` when absent or blank.
    pub lease_id: Option<String>,
    /// The command name.
    pub command: String,
    /// The command's payload (`null` when absent).
    pub payload: Value,
    /// Host time when the request arrived, ms since the epoch.
    pub started_ms: f64,
}

/// Runs an owned-session command (everything but launch/connect).
///
/// # Errors
/// The command's `ops_error` body.
pub async fn execute<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    match ctx.command.as_str() {
        "session.status" => session::status(ctx).await,
        "session.disconnect" => session::disconnect(ctx),
        "targets.list" => targets::list(ctx).await,
        "targets.use" => targets::use_target(ctx).await,
        "targets.new" => targets::new_target(ctx).await,
        "targets.close" => targets::close(ctx).await,
        "nav.goto" => nav::goto(ctx).await,
        "nav.wait" => nav::wait(ctx).await,
        "nav.snapshot" => snapshot::snapshot(ctx).await,
        "interact.click" => interact::click(ctx).await,
        "interact.type" => interact::type_text(ctx).await,
        "interact.press" => interact::press(ctx).await,
        "interact.hover" => interact::hover(ctx).await,
        "interact.check" => forms::check(ctx).await,
        "interact.uncheck" => forms::uncheck(ctx).await,
        "interact.select" => forms::select(ctx).await,
        "interact.scroll" => interact::scroll(ctx).await,
        "interact.scrollIntoView" => interact::scroll_into_view(ctx).await,
        "dom.getText" => dom::get_text(ctx).await,
        "dom.getHtml" => dom::get_html(ctx).await,
        "dom.getAttr" => dom::get_attr(ctx).await,
        "dom.getValue" => dom::get_value(ctx).await,
        "dom.isVisible" => dom::is_visible(ctx).await,
        "dom.isEnabled" => dom::is_enabled(ctx).await,
        "dom.isChecked" => dom::is_checked(ctx).await,
        "dom.refPoint" => dom::ref_point(ctx).await,
        "page.screenshot" => screenshot::screenshot(ctx).await,
        c if page::COMMANDS.contains(&c) => page::run(ctx).await,
        c if review::COMMANDS.contains(&c) => review::run(ctx).await,
        c if dialog::COMMANDS.contains(&c) => dialog::run(ctx).await,
        c if upload::COMMANDS.contains(&c) => upload::run(ctx).await,
        c if pointer::COMMANDS.contains(&c) => pointer::run(ctx).await,
        c if devtools::COMMANDS.contains(&c) => devtools::run(ctx).await,
        c if storage::COMMANDS.contains(&c) => storage::run(ctx).await,
        c if export::COMMANDS.contains(&c) => export::run(ctx).await,
        other => Err(invalid_request(format!("Unknown ops command: {other}"))),
    }
}
