//! [`CdpError`]: every way a CDP call can fail.

/// A failed CDP call or connection.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CdpError {
    /// The WebSocket could not be opened (`url` has no secrets: CDP URLs carry none).
    #[error("cannot connect to the browser at {url}: {reason}")]
    Connect {
        /// The endpoint tried.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The endpoint could not be discovered (`/json/version`, `DevToolsActivePort`).
    #[error("cannot find the browser's DevTools endpoint: {0}")]
    Discovery(String),
    /// The browser answered with a CDP error object `{code, message, data?}`.
    #[error("{message}")]
    Protocol {
        /// The CDP error code (e.g. -32000 server error, -32601 method not found).
        code: i64,
        /// The CDP error message, verbatim (e.g. "No node with given id found").
        message: String,
        /// `error.data`, when present.
        data: Option<String>,
    },
    /// No answer within the call's deadline.
    #[error("CDP {method} timed out after {ms} ms")]
    Timeout {
        /// The method that timed out.
        method: String,
        /// The deadline, in ms.
        ms: u64,
    },
    /// The socket closed (browser exited, or [`crate::CdpConnection::close`]) before the answer came.
    #[error("the browser connection closed")]
    Closed,
    /// The browser sent something that is not a CDP message.
    #[error("malformed CDP message: {0}")]
    Malformed(String),
}

impl CdpError {
    /// Whether this is the browser's "session not found" answer for a flat session that is gone.
    pub fn is_session_gone(&self) -> bool {
        matches!(self, CdpError::Protocol { message, .. }
            if message.contains("Session with given id not found"))
    }
}
