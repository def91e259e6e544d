//! Named pages and popup adoption: `page.open`, `page.list`, `page.close` (PROTOCOL.md §3.5, §3.6).

use odb_protocol::error::{ErrorCode, OpsErrorBody};

use crate::commands::Ctx;
use crate::errors::CmdResult;
use crate::host::{Host, TabId, TabInfo};
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

/// A tab was created (`chrome.tabs.onCreated`, `webNavigation.onCreatedNavigationTarget`); `opener` is the tab
/// that opened it, when known. Popups of a session tab are adopted as session targets (PROTOCOL.md §3.6).
pub fn on_tab_created<H: Host>(rt: &Runtime<H>, tab: &TabInfo, opener: Option<TabId>) {
    let _ = (rt, tab, opener);
}
