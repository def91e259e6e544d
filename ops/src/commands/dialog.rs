//! `page.dialog {action, promptText?}` and the per-tab JavaScript dialog state built from `Page.javascriptDialogOpening`/`Closed` (PROTOCOL.md §3.5).

use odb_protocol::error::{ErrorCode, OpsErrorBody};

use serde_json::Value;

use crate::commands::Ctx;
use crate::errors::CmdResult;
use crate::host::{Debuggee, Host};
use crate::runtime::Runtime;

/// The wire names this module implements (empty until they are built).
pub const COMMANDS: &[&str] = &[];

/// Runs one of this module's commands.
///
/// # Errors
/// `not_supported` until the family is implemented.
pub async fn run<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    Err(OpsErrorBody::new(
        ErrorCode::NotSupported,
        format!("{} is not implemented in this build.", ctx.command),
    ))
}

/// The JavaScript dialog state of one tab (filled from `Page.javascriptDialogOpening`/`Closed`).
#[derive(Debug, Default)]
pub struct DialogState {}

/// A CDP event of `debuggee` (every event reaches every family hook; ignore the ones you do not use).
pub fn on_event<H: Host>(rt: &Runtime<H>, debuggee: &Debuggee, method: &str, params: &Value) {
    let _ = (rt, debuggee, method, params);
}
