//! Exit codes users know (CLI.md "Conventions") and the one error type every command returns.

use odb_protocol::{ErrorCode, OpsErrorBody};

/// Success.
pub const OK: i32 = 0;
/// Usage error: invalid, conflicting or missing flags.
pub const USAGE: i32 = 1;
/// Execution error: runtime or daemon failure, ops errors.
pub const EXECUTION: i32 = 2;
/// Disconnected: the daemon is not running or unreachable.
pub const DISCONNECTED: i32 = 10;

/// The message printed when no daemon answers (exit code [`DISCONNECTED`]).
pub const DAEMON_NOT_RUNNING: &str = "Daemon not running. Start it with: opendevbrowser serve";

/// A failed command: the message printed to stderr (or in the JSON error object) and the exit code.
///
/// Messages never contain a token (SECURITY.md A14).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    /// One of [`USAGE`], [`EXECUTION`], [`DISCONNECTED`].
    pub exit_code: i32,
    /// Human-readable; ops errors are `[<code>] <message>`.
    pub message: String,
}

impl CliError {
    /// A usage error (exit 1).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            exit_code: USAGE,
            message: message.into(),
        }
    }

    /// An execution error (exit 2) with a plain message.
    pub fn execution(message: impl Into<String>) -> Self {
        CliError {
            exit_code: EXECUTION,
            message: message.into(),
        }
    }

    /// An execution error (exit 2) printed as `[<code>] <message>`.
    pub fn coded(code: ErrorCode, message: impl AsRef<str>) -> Self {
        CliError::execution(format!("[{}] {}", code.as_str(), message.as_ref()))
    }

    /// An ops (or daemon) error body, printed as `[<code>] <message>` with exit 2.
    pub fn ops(body: &OpsErrorBody) -> Self {
        CliError::execution(body.display_line())
    }

    /// "Daemon not running" (exit 10).
    pub fn disconnected() -> Self {
        CliError {
            exit_code: DISCONNECTED,
            message: DAEMON_NOT_RUNNING.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_map_to_exit_codes() {
        assert_eq!(CliError::usage("x").exit_code, 1);
        assert_eq!(CliError::execution("x").exit_code, 2);
        assert_eq!(CliError::disconnected().exit_code, 10);
        assert!(CliError::disconnected()
            .message
            .contains("opendevbrowser serve"));
        let e = CliError::coded(ErrorCode::NotSupported, "nope");
        assert_eq!(e.message, "[not_supported] nope");
        let body = OpsErrorBody::new(
            ErrorCode::InvalidRequest,
            "Unknown ref: r1. Take a new snapshot first.",
        );
        assert_eq!(CliError::ops(&body).message, body.display_line());
        assert_eq!(CliError::ops(&body).exit_code, 2);
    }
}
