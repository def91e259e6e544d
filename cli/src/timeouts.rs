//! Request time budgets shared by the daemon (per `/ops` request) and the CLI (per daemon request)
//! (PROTOCOL.md §2.2 "OpsClient (TS)").
//!
//! `click` gets 55 s per `/ops` attempt and 135 s in the CLI, above the 60 s CLI.md asks for so that a
//! dialog the click opens can be handled (`dialog --action accept` from another shell) before it times out.
//! `dialog` gets a short 10 s per attempt: `page.dialog` has its own queue (PROTOCOL.md §3.4), so a blocked
//! click never makes it wait.

use std::time::Duration;

use odb_protocol::commands::INTERACT_CLICK;
use odb_protocol::limits::{OPS_CLICK_TIMEOUT_MS, OPS_REQUEST_TIMEOUT_MS};
use serde_json::Value;

/// Slack added to a command's own `timeoutMs` so the extension's timeout fires before ours.
pub const TIMEOUT_SLACK_MS: u64 = 5_000;
/// How long recovery waits for the extension to be connected and handshaken (PROTOCOL.md §3.3).
pub const RECOVERY_WAIT_MS: u64 = 15_000;
/// Slack the CLI adds over the daemon's whole budget for a command.
pub const CLI_SLACK_MS: u64 = 10_000;
/// `/ops` request timeout of `page.dialog`, in ms (short: the dialog queue does not wait for the target's).
pub const OPS_DIALOG_TIMEOUT_MS: u64 = 10_000;
/// `page.dialog` (PROTOCOL.md §3.5).
const PAGE_DIALOG: &str = "page.dialog";

/// The `/ops` request timeout for `command` with `payload`: 30 s, 55 s for `interact.click`, 10 s for
/// `page.dialog`, or the payload's `timeoutMs` plus [`TIMEOUT_SLACK_MS`] when that is longer.
pub fn ops_timeout(command: &str, payload: &Value) -> Duration {
    let base = match command {
        INTERACT_CLICK => OPS_CLICK_TIMEOUT_MS,
        PAGE_DIALOG => OPS_DIALOG_TIMEOUT_MS,
        _ => OPS_REQUEST_TIMEOUT_MS,
    };
    let own = payload
        .get("timeoutMs")
        .and_then(Value::as_u64)
        .map(|t| t.saturating_add(TIMEOUT_SLACK_MS));
    Duration::from_millis(own.map_or(base, |own| own.max(base)))
}

/// The CLI's HTTP timeout for a daemon command: the daemon's worst case (a first attempt, the recovery wait
/// and one retry) plus [`CLI_SLACK_MS`].
pub fn cli_timeout(command: &str, payload: &Value) -> Duration {
    let ops = ops_timeout(command, payload);
    ops * 2 + Duration::from_millis(RECOVERY_WAIT_MS + CLI_SLACK_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_click_and_own_timeouts() {
        assert_eq!(
            ops_timeout("nav.snapshot", &json!({})),
            Duration::from_secs(30)
        );
        assert_eq!(
            ops_timeout("interact.click", &json!({})),
            Duration::from_secs(55)
        );
        assert_eq!(
            ops_timeout("nav.goto", &json!({"timeoutMs": 60000})),
            Duration::from_secs(65)
        );
        assert_eq!(
            ops_timeout("nav.goto", &json!({"timeoutMs": 1000})),
            Duration::from_secs(30)
        );
        assert_eq!(cli_timeout("nav.goto", &json!({})), Duration::from_secs(85));
    }

    #[test]
    fn click_outlasts_60_s_and_dialog_is_short() {
        // CLI.md: click has (at least) a 60 s client timeout, even with a short --timeout-ms of its own.
        for payload in [json!({}), json!({"timeoutMs": 1000})] {
            assert!(cli_timeout("interact.click", &payload) >= Duration::from_secs(60));
            assert_eq!(
                ops_timeout("interact.click", &payload),
                Duration::from_secs(55)
            );
        }
        assert_eq!(
            ops_timeout("page.dialog", &json!({"action":"accept"})),
            Duration::from_secs(10)
        );
        assert_eq!(
            cli_timeout("page.dialog", &json!({})),
            Duration::from_secs(45)
        );
        assert!(cli_timeout("page.dialog", &json!({})) < cli_timeout("nav.snapshot", &json!({})));
    }
}
