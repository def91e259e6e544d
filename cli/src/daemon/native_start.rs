//! Starting managed and cdpConnect sessions (CLI.md "Sessions"): the daemon command
//! `session.launch {mode:"managed", headless?, chromePath?, profile?, persistProfile?, flags?, startUrl?}` or
//! `session.connect {mode:"cdpConnect", wsEndpoint? | host + cdpPort, startUrl?}` starts a [`NativeBackend`],
//! then sends the ops runtime the ordinary `session.launch` (with `startUrl`, else the browser's first tab for
//! a managed browser; a cdpConnect browser gets the runtime's own choice: its active or first http(s) tab, else
//! its first tab).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use odb_protocol::commands::SESSION_LAUNCH;
use odb_protocol::{ErrorCode, OpsErrorBody};
use serde_json::{json, Map, Value};

use super::dispatch::Dispatcher;
use super::native::{ManagedOptions, NativeBackend, NativeMode};
use crate::timeouts::ops_timeout;

/// The profile `--persist-profile` uses when no `--profile` is given.
pub const DEFAULT_PROFILE: &str = "default";

fn invalid(message: impl Into<String>) -> OpsErrorBody {
    OpsErrorBody::new(ErrorCode::InvalidRequest, message)
}

/// Whether `name` is a safe profile directory name: 1–64 of `[A-Za-z0-9._-]`, not starting with `.`.
pub fn valid_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn str_field(payload: &Map<String, Value>, key: &str) -> Result<Option<String>, OpsErrorBody> {
    match payload.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
        Some(_) => Err(invalid(format!("{key} must be a non-empty string"))),
    }
}

/// The managed browser options of a `session.launch {mode:"managed", ...}` payload. `profile` (or
/// `persistProfile` alone, which means [`DEFAULT_PROFILE`]) keeps the profile under `profiles_dir/<name>`;
/// neither gives a throwaway profile.
///
/// # Errors
/// `invalid_request` for a bad field, a bad profile name, or a named profile without a profiles directory.
pub fn managed_options(
    payload: &Map<String, Value>,
    profiles_dir: Option<&Path>,
) -> Result<ManagedOptions, OpsErrorBody> {
    let flags = match payload.get("flags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|f| {
                f.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid("flags must be strings"))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(invalid("flags must be an array of strings")),
    };
    let persist = payload.get("persistProfile") == Some(&Value::Bool(true));
    let profile =
        str_field(payload, "profile")?.or_else(|| persist.then(|| DEFAULT_PROFILE.to_string()));
    let profile_dir = match profile {
        None => None,
        Some(name) if !valid_profile_name(&name) => {
            return Err(invalid(format!(
                "Invalid profile name {name:?}: use letters, digits, '.', '_' or '-'"
            )))
        }
        Some(name) => Some(
            profiles_dir
                .ok_or_else(|| invalid("Named profiles need the daemon's config directory"))?
                .join(name),
        ),
    };
    Ok(ManagedOptions {
        headless: payload.get("headless") == Some(&Value::Bool(true)),
        chrome_path: str_field(payload, "chromePath")?.map(PathBuf::from),
        profile_dir,
        flags,
    })
}

impl Dispatcher {
    /// Starts a native session in `mode` (`"managed"` or `"cdpConnect"`); see the module doc.
    ///
    /// # Errors
    /// `invalid_request` for an unknown mode or bad options; `execution_failed` when the browser cannot be
    /// started or reached; the runtime's `session.launch` error (the backend is shut down then).
    pub(crate) async fn start_native(
        &self,
        name: &str,
        mode: &Value,
        payload: Map<String, Value>,
    ) -> Result<Value, OpsErrorBody> {
        let hook = self.closed_hook();
        let start_url = str_field(&payload, "startUrl")?;
        let backend = match mode.as_str() {
            Some("managed") => {
                let opts = managed_options(&payload, self.profiles_dir())?;
                NativeBackend::launch(opts, hook).await?
            }
            Some("cdpConnect") => {
                let ws = str_field(&payload, "wsEndpoint")?;
                let host = str_field(&payload, "host")?;
                let port = payload
                    .get("cdpPort")
                    .and_then(Value::as_u64)
                    .and_then(|p| u16::try_from(p).ok());
                let host_port = match (&host, port) {
                    (Some(h), Some(p)) => Some((h.as_str(), p)),
                    _ => None,
                };
                NativeBackend::connect(ws.as_deref(), host_port, hook).await?
            }
            _ => return Err(invalid(format!("Unknown session mode: {mode} ({name})"))),
        };
        let backend = Arc::new(backend);
        let lease_id = uuid::Uuid::new_v4().to_string();
        let result = self
            .first_session(&backend, &lease_id, start_url.as_deref())
            .await;
        let reply = match result {
            Ok(reply) => reply,
            Err(e) => {
                backend.shutdown(false).await;
                return Err(e);
            }
        };
        let session_id = reply
            .get("opsSessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                OpsErrorBody::new(
                    ErrorCode::ExecutionFailed,
                    "session reply without opsSessionId",
                )
            })?
            .to_string();
        Ok(self.add_native(&session_id, lease_id, &reply, backend))
    }

    /// `session.launch` on the new runtime: `startUrl`, else (managed) the browser's first tab, else the
    /// runtime's own pick, falling back to the first tab when it finds no http(s) tab.
    async fn first_session(
        &self,
        backend: &NativeBackend,
        lease_id: &str,
        start_url: Option<&str>,
    ) -> Result<Value, OpsErrorBody> {
        let launch = |payload: Value| async move {
            let timeout = ops_timeout(SESSION_LAUNCH, &payload);
            backend
                .request(SESSION_LAUNCH, None, Some(lease_id), payload, timeout)
                .await
        };
        if let Some(url) = start_url {
            return launch(json!({ "startUrl": url })).await;
        }
        let first_tab = backend.initial_tab();
        if backend.mode() == NativeMode::Managed {
            if let Some(tab) = first_tab {
                return launch(json!({ "tabId": tab })).await;
            }
        }
        match launch(json!({})).await {
            Err(e) if e.code == ErrorCode::OpsUnavailable && first_tab.is_some() => {
                launch(json!({ "tabId": first_tab })).await
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn profile_names_are_checked() {
        assert!(valid_profile_name("work-1.a_b"));
        assert!(!valid_profile_name(""));
        assert!(!valid_profile_name(".hidden"));
        assert!(!valid_profile_name("../x"));
        assert!(!valid_profile_name("a/b"));
    }

    #[test]
    fn managed_options_map_the_flags() {
        let dir = Path::new("/cfg/profiles");
        let o = managed_options(
            &obj(json!({"headless": true, "chromePath": "/bin/c", "flags": ["--a", "--b=1"], "profile": "p1"})),
            Some(dir),
        )
        .unwrap();
        assert!(o.headless);
        assert_eq!(o.chrome_path, Some(PathBuf::from("/bin/c")));
        assert_eq!(o.flags, vec!["--a", "--b=1"]);
        assert_eq!(o.profile_dir, Some(dir.join("p1")));
        let persist = managed_options(&obj(json!({"persistProfile": true})), Some(dir)).unwrap();
        assert_eq!(persist.profile_dir, Some(dir.join(DEFAULT_PROFILE)));
        let fresh = managed_options(&obj(json!({})), Some(dir)).unwrap();
        assert_eq!(fresh, ManagedOptions::default());
    }

    #[test]
    fn bad_managed_options_are_invalid_requests() {
        for bad in [
            json!({"profile": "../etc"}),
            json!({"flags": "--x"}),
            json!({"flags": [1]}),
            json!({"chromePath": 3}),
        ] {
            let err = managed_options(&obj(bad.clone()), Some(Path::new("/p"))).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidRequest, "{bad}");
        }
        let err = managed_options(&obj(json!({"profile": "x"})), None).unwrap_err();
        assert!(err.message.contains("config directory"));
    }
}
