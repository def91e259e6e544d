//! [`NativeHealth`]: what the last native messaging attempt found, classified from Chrome's
//! `runtime.lastError` text and the host's own error messages (PROTOCOL.md §5 "Disconnect and error
//! messages are classified as ...").

/// The native transport's state, shown as the popup's native line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NativeHealth {
    /// `nativeEnabled` is off.
    Off,
    /// Connected: the extension's relay link runs over native messaging.
    Connected,
    /// Chrome found no host manifest for `com.opendevbrowser.native` ("Specified native messaging host not
    /// found.").
    HostNotInstalled,
    /// The manifest's `allowed_origins` does not list this extension ("Access to the specified native
    /// messaging host is forbidden.").
    HostForbidden,
    /// The host exited or broke the protocol ("Native host has exited.", "Error when communicating with
    /// the native messaging host."); the text is kept.
    HostDisconnect(String),
    /// The host did not answer `ping` in time.
    HostTimeout,
    /// The host runs but could not reach the relay (`{"type":"error","code":"relay_unavailable"}`).
    RelayUnavailable(String),
}

impl NativeHealth {
    /// Classifies a port disconnect's `chrome.runtime.lastError.message` (empty when none).
    pub fn from_disconnect(last_error: &str) -> NativeHealth {
        let lower = last_error.to_ascii_lowercase();
        if lower.contains("not found") {
            NativeHealth::HostNotInstalled
        } else if lower.contains("forbidden") {
            NativeHealth::HostForbidden
        } else if last_error.is_empty() {
            NativeHealth::HostDisconnect("Native host disconnected.".into())
        } else {
            NativeHealth::HostDisconnect(last_error.to_string())
        }
    }

    /// The machine code: `off`, `connected`, `host_not_installed`, `host_forbidden`, `host_disconnect`,
    /// `host_timeout`, `relay_unavailable`.
    pub fn code(&self) -> &'static str {
        match self {
            NativeHealth::Off => "off",
            NativeHealth::Connected => "connected",
            NativeHealth::HostNotInstalled => "host_not_installed",
            NativeHealth::HostForbidden => "host_forbidden",
            NativeHealth::HostDisconnect(_) => "host_disconnect",
            NativeHealth::HostTimeout => "host_timeout",
            NativeHealth::RelayUnavailable(_) => "relay_unavailable",
        }
    }

    /// The popup's line, e.g. `Native host: not installed (run: opendevbrowser native install)`.
    pub fn line(&self) -> String {
        let detail = match self {
            NativeHealth::Off => "off".to_string(),
            NativeHealth::Connected => "connected (relay link over native messaging)".to_string(),
            NativeHealth::HostNotInstalled => {
                "not installed (run: opendevbrowser native install)".to_string()
            }
            NativeHealth::HostForbidden => {
                "forbidden (installed for another extension id)".to_string()
            }
            NativeHealth::HostDisconnect(m) => format!("disconnected ({m})"),
            NativeHealth::HostTimeout => "no answer to ping".to_string(),
            NativeHealth::RelayUnavailable(m) => format!("relay unavailable ({m})"),
        };
        format!("Native host: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chrome_errors_are_classified() {
        let cases = [
            (
                "Specified native messaging host not found.",
                "host_not_installed",
            ),
            (
                "Access to the specified native messaging host is forbidden.",
                "host_forbidden",
            ),
            ("Native host has exited.", "host_disconnect"),
            (
                "Error when communicating with the native messaging host.",
                "host_disconnect",
            ),
            ("", "host_disconnect"),
        ];
        for (text, code) in cases {
            assert_eq!(NativeHealth::from_disconnect(text).code(), code, "{text}");
        }
        assert!(NativeHealth::HostNotInstalled
            .line()
            .contains("native install"));
    }
}
