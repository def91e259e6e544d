//! `--transport relay|native` in the daemon (CLI.md "Transport flags"; docs/NATIVE.md): a command that asks
//! for one extension link runs only while the extension is linked that way.
//!
//! The extension reaches the relay either over the `/extension` WebSocket or over native messaging (the
//! host and the native bridge); `/ops` requests and their answers are the same on both, so the relay
//! routes them to whichever link holds the extension slot. `--transport` makes that choice explicit: the
//! daemon reads the relay's `extensionTransport` (`/status`, D68) before the command and refuses a mismatch
//! with `ops_unavailable` naming the fix.
//!
//! Only extension sessions have a link to choose: a managed or cdpConnect session (which talks CDP directly)
//! with `--transport` is an `invalid_request`. While the extension is not linked at all the command runs
//! as without the flag (it fails, or recovery waits for the extension, PROTOCOL.md §3.3).

use odb_protocol::commands::{SESSION_CONNECT, SESSION_LAUNCH};
use odb_protocol::http::{ExtensionTransport, StatusResponse};
use odb_protocol::{ErrorCode, OpsErrorBody};
use serde_json::Value;

/// The CLI word for `transport` (`--transport relay|native`).
pub fn flag_word(transport: ExtensionTransport) -> &'static str {
    match transport {
        ExtensionTransport::Websocket => "relay",
        ExtensionTransport::Native => "native",
    }
}

/// The session mode a command runs in: `params.mode` for `session.launch`/`session.connect` (absent =
/// `"extension"`), else the recorded mode of `params.sessionId` (`None` for an unknown session, which the
/// dispatcher then refuses on its own).
pub fn command_mode<'a>(
    name: &str,
    params: &'a Value,
    recorded: impl FnOnce(&str) -> Option<&'static str>,
) -> Option<&'a str> {
    if name == SESSION_LAUNCH || name == SESSION_CONNECT {
        return Some(
            params
                .get("mode")
                .and_then(Value::as_str)
                .unwrap_or("extension"),
        );
    }
    let session = params.get("sessionId").and_then(Value::as_str)?;
    recorded(session)
}

/// Checks a command that asked for `want` against its session `mode` and the relay's `status`.
///
/// # Errors
/// `invalid_request` when the session is not an extension session; `ops_unavailable` when the extension is
/// linked over the other transport (the message says how to switch).
pub fn check(
    want: ExtensionTransport,
    mode: Option<&str>,
    status: &StatusResponse,
) -> Result<(), OpsErrorBody> {
    if let Some(mode) = mode.filter(|m| *m != "extension") {
        return Err(OpsErrorBody::new(
            ErrorCode::InvalidRequest,
            format!(
                "--transport {} picks how the extension reaches the relay, but this is a {mode} session, \
                 which drives the browser over CDP directly: drop --transport",
                flag_word(want)
            ),
        ));
    }
    let linked = status.extension_connected && status.extension_handshake_complete;
    match status.extension_transport {
        Some(actual) if linked && actual != want => Err(OpsErrorBody::new(
            ErrorCode::OpsUnavailable,
            mismatch_message(want, actual),
        )),
        _ => Ok(()),
    }
}

/// What to tell a user whose extension is linked over `actual` when `want` was asked for.
pub fn mismatch_message(want: ExtensionTransport, actual: ExtensionTransport) -> String {
    let how = match want {
        ExtensionTransport::Native => {
            "Install the native host (opendevbrowser native install), turn on \"Native messaging\" in the \
             extension popup (nativeEnabled) and reconnect; check with: opendevbrowser status --transport native"
        }
        ExtensionTransport::Websocket => {
            "Turn off \"Native messaging\" in the extension popup (nativeEnabled) and reconnect"
        }
    };
    format!(
        "The extension is linked over {}, not {} (--transport {}). {how}; or drop --transport.",
        describe(actual),
        describe(want),
        flag_word(want)
    )
}

fn describe(transport: ExtensionTransport) -> &'static str {
    match transport {
        ExtensionTransport::Websocket => "the relay WebSocket",
        ExtensionTransport::Native => "native messaging",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn status(linked: bool, transport: Option<ExtensionTransport>) -> StatusResponse {
        let mut s = crate::daemon::relay_host::down_status(1);
        s.running = true;
        s.extension_connected = linked;
        s.extension_handshake_complete = linked;
        s.extension_transport = transport;
        s
    }

    #[test]
    fn a_linked_extension_on_the_other_transport_is_refused_with_the_fix() {
        let ws = status(true, Some(ExtensionTransport::Websocket));
        let err = check(ExtensionTransport::Native, Some("extension"), &ws).unwrap_err();
        assert_eq!(err.code, ErrorCode::OpsUnavailable);
        assert!(
            err.message
                .contains("linked over the relay WebSocket, not native messaging"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("opendevbrowser native install"),
            "{}",
            err.message
        );
        let native = status(true, Some(ExtensionTransport::Native));
        let err = check(ExtensionTransport::Websocket, None, &native).unwrap_err();
        assert!(err.message.contains("--transport relay"), "{}", err.message);
    }

    #[test]
    fn a_matching_or_absent_link_passes() {
        let native = status(true, Some(ExtensionTransport::Native));
        assert!(check(ExtensionTransport::Native, Some("extension"), &native).is_ok());
        let ws = status(true, Some(ExtensionTransport::Websocket));
        assert!(check(ExtensionTransport::Websocket, Some("extension"), &ws).is_ok());
        // Not linked: the command runs as without the flag (it fails or recovers on its own).
        let none = status(false, None);
        assert!(check(ExtensionTransport::Native, Some("extension"), &none).is_ok());
    }

    #[test]
    fn managed_and_cdp_connect_sessions_refuse_the_flag() {
        let ws = status(true, Some(ExtensionTransport::Websocket));
        for mode in ["managed", "cdpConnect"] {
            let err = check(ExtensionTransport::Native, Some(mode), &ws).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidRequest);
            assert!(err.message.contains(mode), "{}", err.message);
        }
    }

    #[test]
    fn the_mode_comes_from_params_or_the_session_record() {
        let launch = json!({"mode": "managed"});
        assert_eq!(
            command_mode(SESSION_LAUNCH, &launch, |_| None),
            Some("managed")
        );
        assert_eq!(
            command_mode(SESSION_LAUNCH, &json!({}), |_| None),
            Some("extension")
        );
        let goto = json!({"sessionId": "S1"});
        assert_eq!(
            command_mode("nav.goto", &goto, |s| (s == "S1").then_some("cdpConnect")),
            Some("cdpConnect")
        );
        assert_eq!(
            command_mode("nav.goto", &json!({}), |_| Some("managed")),
            None
        );
    }
}
