//! `storage.setCookies`, `storage.getCookies` over `Network.setCookies`/`Network.getCookies` (PROTOCOL.md §3.5).

use odb_protocol::error::{ErrorCode, OpsErrorBody};

use crate::commands::Ctx;
use crate::errors::CmdResult;
use crate::host::Host;

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
