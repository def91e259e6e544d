//! Relay configuration: ports, pairing token, allowed extension ids, and internal timers.

use std::time::Duration;

use odb_protocol::limits;

/// How the relay is started (PROTOCOL.md §1, SECURITY.md §0).
///
/// The relay always binds `127.0.0.1`; there is no option to bind anything else.
#[derive(Clone, PartialEq, Eq)]
pub struct RelayConfig {
    /// Main listener port; `0` picks an ephemeral port (tests). Default 8787.
    pub port: u16,
    /// Second HTTP listener serving only `/config` and `/status`. `None`, or the main listener's
    /// own (non-zero) port, means no second listener. `Some(0)` picks an ephemeral port.
    pub discovery_port: Option<u16>,
    /// `Some(token)` turns pairing on (64 hex characters from the config file); `None` turns it off.
    /// A token that is empty after trimming also turns pairing off (as the original does).
    pub token: Option<String>,
    /// Allowed extension ids: only `chrome-extension://<id>` for these ids counts as an
    /// extension origin. Default `[odb_protocol::limits::EXTENSION_ID]`.
    pub extension_ids: Vec<String>,
    /// Re-open the original `GET /pair` (token for any loopback caller without Origin). Default false.
    pub compat_open_pair: bool,
    /// Hand the token out over HTTP at all (`POST /pair` for an extension Origin; `GET /pair` with
    /// [`RelayConfig::compat_open_pair`]). Default true. With `false` the only way to the token is the native
    /// host (docs/NATIVE.md "Pairing over native messaging"): a local process can forge an Origin, it cannot
    /// make Chrome start the host for our extension (SECURITY.md checklist A11).
    pub http_pair: bool,
}

impl Default for RelayConfig {
    fn default() -> Self {
        RelayConfig {
            port: limits::DEFAULT_RELAY_PORT,
            discovery_port: None,
            token: None,
            extension_ids: vec![limits::EXTENSION_ID.to_string()],
            compat_open_pair: false,
            http_pair: true,
        }
    }
}

impl std::fmt::Debug for RelayConfig {
    /// Never prints the token, only whether one is set.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayConfig")
            .field("port", &self.port)
            .field("discovery_port", &self.discovery_port)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("extension_ids", &self.extension_ids)
            .field("compat_open_pair", &self.compat_open_pair)
            .field("http_pair", &self.http_pair)
            .finish()
    }
}

/// Invalid [`RelayConfig`] values, reported by [`crate::start`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// An extension id is not 32 characters in `a`..=`p` (Chrome's id alphabet).
    #[error("invalid extension id {0:?}: expected 32 characters in a-p")]
    BadExtensionId(String),
    /// The token contains characters that cannot travel in `?token=` unescaped.
    #[error("invalid pairing token: only visible ASCII without '&', '#', '%', '+' is allowed")]
    BadToken,
}

impl RelayConfig {
    /// The token after trimming, or `None` when pairing is off.
    pub(crate) fn effective_token(&self) -> Result<Option<String>, ConfigError> {
        let Some(raw) = &self.token else {
            return Ok(None);
        };
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let ok = trimmed
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'&' | b'#' | b'%' | b'+'));
        if !ok {
            return Err(ConfigError::BadToken);
        }
        Ok(Some(trimmed.to_string()))
    }

    /// `chrome-extension://<id>` for every configured id, after validating each id.
    pub(crate) fn extension_origins(&self) -> Result<Vec<String>, ConfigError> {
        self.extension_ids
            .iter()
            .map(|id| {
                let valid = id.len() == 32 && id.bytes().all(|b| (b'a'..=b'p').contains(&b));
                if valid {
                    Ok(format!("chrome-extension://{id}"))
                } else {
                    Err(ConfigError::BadExtensionId(id.clone()))
                }
            })
            .collect()
    }
}

/// Internal timers, shortened by tests through [`crate::start_with_timings`].
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timings {
    /// How long an `/ops` client waits for `ops_hello_ack` (PROTOCOL.md §2.2: 10 s).
    pub ops_hello_timeout: Duration,
    /// How long an `/extension` socket may stay open without a good handshake (ours: 10 s).
    pub extension_handshake_timeout: Duration,
    /// hyper's HTTP/1 header read timeout (SECURITY.md B1: at most 30 s; ours 10 s).
    pub header_read_timeout: Duration,
    /// How long one WebSocket write may block before the peer is dropped.
    pub send_timeout: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            ops_hello_timeout: Duration::from_millis(limits::OPS_HELLO_TIMEOUT_MS),
            extension_handshake_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(10),
            send_timeout: Duration::from_secs(10),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_pins_our_extension_and_port() {
        let c = RelayConfig::default();
        assert_eq!(c.port, 8787);
        assert_eq!(
            c.extension_origins().unwrap(),
            vec!["chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk".to_string()]
        );
        assert_eq!(c.effective_token().unwrap(), None);
    }

    #[test]
    fn token_rules() {
        let mut c = RelayConfig {
            token: Some("  ".into()),
            ..RelayConfig::default()
        };
        assert_eq!(c.effective_token().unwrap(), None);
        c.token = Some(" abc123 ".into());
        assert_eq!(c.effective_token().unwrap().as_deref(), Some("abc123"));
        c.token = Some("a&b".into());
        assert_eq!(c.effective_token(), Err(ConfigError::BadToken));
    }

    #[test]
    fn bad_extension_id_rejected() {
        let c = RelayConfig {
            extension_ids: vec!["*".into()],
            ..RelayConfig::default()
        };
        assert!(matches!(
            c.extension_origins(),
            Err(ConfigError::BadExtensionId(_))
        ));
    }

    #[test]
    fn debug_hides_token() {
        let c = RelayConfig {
            token: Some("deadbeef".into()),
            ..RelayConfig::default()
        };
        assert!(!format!("{c:?}").contains("deadbeef"));
    }
}
