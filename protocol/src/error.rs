//! `OpsErrorCode` and the `ops_error` body (PROTOCOL.md §3.2).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The error codes of `/ops` (PROTOCOL.md §3.2). Serialized as the exact snake_case wire strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// The relay has no ready extension, or the extension has no tab to attach. Retryable.
    OpsUnavailable,
    /// Missing or invalid fields, unknown command, unknown target or tab, stale or unknown ref.
    InvalidRequest,
    /// `Unknown ops session`.
    InvalidSession,
    /// `Client does not own session` or `Lease does not match session owner`.
    NotOwner,
    /// The URL is not http(s), or is a Chrome Web Store page, or the tab cannot be debugged.
    RestrictedUrl,
    /// A wait (`nav.wait`) or a request ran out of time. Retryable.
    Timeout,
    /// A wrong hello version, or a command this build does not implement.
    NotSupported,
    /// Snapshot content over `MAX_SNAPSHOT_BYTES`; `details {maxSnapshotBytes, actualBytes}`.
    SnapshotTooLarge,
    /// Any other failure during execution.
    ExecutionFailed,
    /// No parallel slot freed in time. Retryable.
    ParallelismBackpressure,
    /// `chrome.debugger` attach or domain enablement failed.
    CdpAttachFailed,
    /// Declared by the original, emitted by us when a debugger session is lost mid-command.
    CdpSessionLost,
    /// Declared by the original; a `/cdp` attach to an ops-owned tab.
    CdpAttachBlocked,
    /// Raised by the daemon, never by `/ops`: headless with the extension (PROTOCOL.md §3.2).
    UnsupportedMode,
}

impl ErrorCode {
    /// The wire string, e.g. `"invalid_request"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::OpsUnavailable => "ops_unavailable",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidSession => "invalid_session",
            ErrorCode::NotOwner => "not_owner",
            ErrorCode::RestrictedUrl => "restricted_url",
            ErrorCode::Timeout => "timeout",
            ErrorCode::NotSupported => "not_supported",
            ErrorCode::SnapshotTooLarge => "snapshot_too_large",
            ErrorCode::ExecutionFailed => "execution_failed",
            ErrorCode::ParallelismBackpressure => "parallelism_backpressure",
            ErrorCode::CdpAttachFailed => "cdp_attach_failed",
            ErrorCode::CdpSessionLost => "cdp_session_lost",
            ErrorCode::CdpAttachBlocked => "cdp_attach_blocked",
            ErrorCode::UnsupportedMode => "unsupported_mode",
        }
    }

    /// Whether a client may retry the same request unchanged (PROTOCOL.md §3.2).
    pub fn default_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::OpsUnavailable | ErrorCode::Timeout | ErrorCode::ParallelismBackpressure
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `error` object of an `ops_error` envelope:
///
/// ```text
/// {"code":"invalid_request","message":"Unknown ref: r12. Take a new snapshot first.","retryable":false}
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpsErrorBody {
    /// Stable code clients match on.
    pub code: ErrorCode,
    /// Human-readable message; some are matched by clients (PROTOCOL.md §11).
    pub message: String,
    /// Whether a retry may succeed.
    pub retryable: bool,
    /// Extra structured facts, e.g. `{maxSnapshotBytes, actualBytes}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

impl OpsErrorBody {
    /// An error with the code's default retryability and no details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        OpsErrorBody {
            code,
            message: message.into(),
            retryable: code.default_retryable(),
            details: None,
        }
    }

    /// The same error with `details` set.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// The message the CLI prints and clients match on: `[<code>] <message>` (PROTOCOL.md §3.1).
    pub fn display_line(&self) -> String {
        format!("[{}] {}", self.code.as_str(), self.message)
    }
}

/// Exact message for an unknown or stale ref (PROTOCOL.md §3.2, §11).
pub fn unknown_ref_message(reference: &str) -> String {
    format!("Unknown ref: {reference}. Take a new snapshot first.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_to_wire_strings() {
        for code in [
            ErrorCode::OpsUnavailable,
            ErrorCode::InvalidRequest,
            ErrorCode::InvalidSession,
            ErrorCode::NotOwner,
            ErrorCode::RestrictedUrl,
            ErrorCode::Timeout,
            ErrorCode::NotSupported,
            ErrorCode::SnapshotTooLarge,
            ErrorCode::ExecutionFailed,
            ErrorCode::ParallelismBackpressure,
            ErrorCode::CdpAttachFailed,
            ErrorCode::CdpSessionLost,
            ErrorCode::CdpAttachBlocked,
            ErrorCode::UnsupportedMode,
        ] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, code);
        }
    }

    #[test]
    fn display_line_matches_client_format() {
        let e = OpsErrorBody::new(ErrorCode::InvalidRequest, unknown_ref_message("r12"));
        assert_eq!(
            e.display_line(),
            "[invalid_request] Unknown ref: r12. Take a new snapshot first."
        );
        assert!(!e.retryable);
        assert!(OpsErrorBody::new(ErrorCode::Timeout, "x").retryable);
    }
}
