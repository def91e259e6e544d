//! Request time budgets shared by the daemon (per `/ops` request) and the CLI (per daemon request)
//! (PROTOCOL.md §2.2 "OpsClient (TS)").

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

/// The `/ops` request timeout for `command` with `payload`: 30 s, 55 s for `interact.click`, or the payload's
/// `timeoutMs` plus [`TIMEOUT_SLACK_MS`] when that is longer.
pub fn ops_timeout(command: &str, payload: &Value) -> Duration {
    let base = if command == INTERACT_CLICK {
        OPS_CLICK_TIMEOUT_MS
    } else {
        OPS_REQUEST_TIMEOUT_MS
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
}
