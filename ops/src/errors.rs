//! Turning browser failures ([`HostError`]) into `/ops` error bodies, in one place (PROTOCOL.md §3.2).

use odb_protocol::error::{unknown_ref_message, ErrorCode, OpsErrorBody};

use crate::host::{HostError, TabId};

/// The error type of every command: the exact `ops_error.error` body sent to the client.
pub type CmdError = OpsErrorBody;

/// A command result: the `ops_response.payload`, or the error.
pub type CmdResult<T = serde_json::Value> = Result<T, CmdError>;

/// `invalid_request` with `message`.
pub fn invalid_request(message: impl Into<String>) -> CmdError {
    OpsErrorBody::new(ErrorCode::InvalidRequest, message)
}

/// `execution_failed` with `message`.
pub fn execution_failed(message: impl Into<String>) -> CmdError {
    OpsErrorBody::new(ErrorCode::ExecutionFailed, message)
}

/// `invalid_request "Unknown ref: rN. Take a new snapshot first."` (PROTOCOL.md §3.2, §11).
pub fn stale_ref(reference: &str) -> CmdError {
    invalid_request(unknown_ref_message(reference))
}

/// How the failing tab was named by the client, so "No tab with id" can be reported in its terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TabRef {
    /// Named by `tabId` (`session.connect {tabId}`): `Unknown tabId: N`.
    TabId(TabId),
    /// Named by a `targetId` (`tab-N`), or implied by the active target: `Unknown targetId: tab-N`.
    Target(TabId),
    /// No client-visible name.
    None,
}

/// Substrings of browser messages meaning "this page cannot be debugged" (SECURITY.md D9).
const RESTRICTED: [&str; 6] = [
    "Cannot access",
    "chrome://",
    "chrome-extension://",
    "Cannot attach to this target",
    "The extensions gallery cannot be scripted",
    "Host access is restricted by policy",
];

/// Substrings of CDP messages meaning "the node behind this ref is gone" (checked on Chromium 156).
const STALE: [&str; 8] = [
    "No node with given id",
    "Could not find node with given id",
    "No node found for given backend id",
    "Node with given id does not belong to the document",
    "Cannot find context",
    "Could not find object with given id",
    "Inspected target navigated or closed",
    "Execution context was destroyed",
];

/// Whether a CDP failure while working on a ref means the ref is stale (PROTOCOL.md §3.6).
pub fn is_stale_message(message: &str) -> bool {
    STALE.iter().any(|s| message.contains(s))
}

/// Maps a browser failure to its `/ops` error (PROTOCOL.md §3.2; SECURITY.md D6-D10):
/// - `No tab with id` -> `invalid_request "Unknown tabId: N"` or `"Unknown targetId: tab-N"`;
/// - restricted pages -> `restricted_url` (the browser's message);
/// - `Another debugger is already attached` -> `cdp_attach_failed` (never retried);
/// - detached or closed tabs -> `execution_failed` saying so;
/// - anything else -> `execution_failed` with the browser's message.
pub fn map_host_error(err: &HostError, tab: TabRef) -> CmdError {
    let msg = err.message.as_str();
    if msg.contains("No tab with id") {
        return match tab {
            TabRef::TabId(id) => invalid_request(format!("Unknown tabId: {id}")),
            TabRef::Target(id) => invalid_request(format!("Unknown targetId: tab-{id}")),
            TabRef::None => invalid_request(msg.to_string()),
        };
    }
    if RESTRICTED.iter().any(|s| msg.contains(s)) {
        return OpsErrorBody::new(ErrorCode::RestrictedUrl, msg.to_string());
    }
    if msg.contains("Another debugger is already attached") {
        return OpsErrorBody::new(ErrorCode::CdpAttachFailed, msg.to_string())
            .with_details(serde_json::json!({ "stage": "attach", "message": msg }));
    }
    if msg.contains("Detached while handling command")
        || msg.contains("Debugger is not attached")
        || msg.contains("No target with given id")
    {
        let which = match tab {
            TabRef::TabId(id) | TabRef::Target(id) => format!("tab-{id}"),
            TabRef::None => "the tab".to_string(),
        };
        return execution_failed(format!(
            "The debugger lost {which}: the tab closed or was detached ({msg})"
        ));
    }
    execution_failed(msg.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(msg: &str) -> ErrorCode {
        map_host_error(&HostError::new(msg), TabRef::Target(5)).code
    }

    #[test]
    fn maps_each_family() {
        assert_eq!(
            code("Cannot access a chrome:// URL"),
            ErrorCode::RestrictedUrl
        );
        assert_eq!(
            code("Cannot attach to this target."),
            ErrorCode::RestrictedUrl
        );
        assert_eq!(
            code("The extensions gallery cannot be scripted."),
            ErrorCode::RestrictedUrl
        );
        assert_eq!(
            code("Another debugger is already attached to the tab with id: 5."),
            ErrorCode::CdpAttachFailed
        );
        assert_eq!(
            code("Detached while handling command."),
            ErrorCode::ExecutionFailed
        );
        assert_eq!(code("boom"), ErrorCode::ExecutionFailed);
    }

    #[test]
    fn unknown_tab_names_the_callers_form() {
        let e = HostError::new("No tab with id: 7.");
        assert_eq!(
            map_host_error(&e, TabRef::TabId(7)).message,
            "Unknown tabId: 7"
        );
        assert_eq!(
            map_host_error(&e, TabRef::Target(7)).message,
            "Unknown targetId: tab-7"
        );
    }

    #[test]
    fn detach_message_names_the_tab() {
        let e = map_host_error(
            &HostError::new("Debugger is not attached to the tab with id: 3."),
            TabRef::Target(3),
        );
        assert!(e.message.contains("tab-3"), "{}", e.message);
        assert!(e.message.contains("closed or was detached"));
    }

    #[test]
    fn stale_messages() {
        assert!(is_stale_message("No node with given id found"));
        assert!(is_stale_message("Cannot find context with specified id"));
        assert!(!is_stale_message("Internal error"));
        assert_eq!(
            stale_ref("r3").message,
            "Unknown ref: r3. Take a new snapshot first."
        );
    }
}
