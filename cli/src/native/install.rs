//! `opendevbrowser native install [<extension-id>] [--browser ...]`, `uninstall`, `status` (PROTOCOL.md §5).
//!
//! For each browser: the manifest file at its per-user location ([`super::locations`]) and, on Windows, the
//! `HKCU` key whose default value is the manifest's path, written through [`Registry`] (a test double in
//! tests, `reg.exe` in the real [`SystemRegistry`]). The manifest's `path` is the host binary's absolute path.
//! An id other than ours is also appended to the host's allowed-id file so the host accepts that origin.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::locations::{location, Browser, Os, UserDirs};
use super::manifest::{is_extension_id, HostManifest};

/// Writes and removes the Windows registry keys (`HKCU\...\NativeMessagingHosts\<name>`).
pub trait Registry {
    /// Sets the key's default value to `value`.
    ///
    /// # Errors
    /// A readable message.
    fn set_default(&mut self, key: &str, value: &str) -> Result<(), String>;
    /// The key's default value, if the key exists.
    fn get_default(&self, key: &str) -> Option<String>;
    /// Deletes the key (missing is fine).
    ///
    /// # Errors
    /// A readable message.
    fn delete(&mut self, key: &str) -> Result<(), String>;
}

/// The real registry through `reg.exe` (Windows only; elsewhere every call fails).
#[derive(Debug, Default)]
pub struct SystemRegistry;

impl Registry for SystemRegistry {
    fn set_default(&mut self, key: &str, value: &str) -> Result<(), String> {
        reg(&["add", key, "/ve", "/t", "REG_SZ", "/d", value, "/f"]).map(drop)
    }

    fn get_default(&self, key: &str) -> Option<String> {
        let out = reg(&["query", key, "/ve"]).ok()?;
        out.lines()
            .find(|l| l.contains("REG_SZ"))
            .and_then(|l| l.split("REG_SZ").nth(1))
            .map(|v| v.trim().to_string())
    }

    fn delete(&mut self, key: &str) -> Result<(), String> {
        if self.get_default(key).is_none() {
            return Ok(());
        }
        reg(&["delete", key, "/f"]).map(drop)
    }
}

/// Runs `reg.exe` with `args`; its stdout on success.
fn reg(args: &[&str]) -> Result<String, String> {
    if !cfg!(windows) {
        return Err("the Windows registry is only available on Windows".into());
    }
    let out = std::process::Command::new("reg")
        .args(args)
        .output()
        .map_err(|e| format!("reg.exe: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// What to install.
#[derive(Clone, Debug)]
pub struct InstallPlan {
    /// The extension id (ours by default).
    pub extension_id: String,
    /// The browsers; `None` = every browser whose user-data directory exists (Chrome and Chromium always).
    pub browsers: Option<Vec<Browser>>,
    /// The host binary's absolute path.
    pub host_path: PathBuf,
}

/// One browser's state, as `status` reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BrowserStatus {
    /// `chrome`, `chromium`, `edge`, `brave`.
    pub browser: String,
    /// The manifest path.
    pub manifest_path: PathBuf,
    /// The manifest exists, parses, and names our host.
    pub installed: bool,
    /// The manifest's `path` is an existing file.
    pub host_exists: bool,
    /// The manifest's `allowed_origins`.
    pub allowed_origins: Vec<String>,
    /// Windows: the registry key points at the manifest (`None` elsewhere).
    pub registry_ok: Option<bool>,
}

fn targets(
    os: Os,
    dirs: &UserDirs,
    browsers: Option<&[Browser]>,
) -> Vec<(Browser, super::locations::Location)> {
    Browser::ALL
        .iter()
        .filter_map(|b| Some((*b, location(os, *b, dirs)?)))
        .filter(|(b, loc)| match browsers {
            Some(list) => list.contains(b),
            None => matches!(b, Browser::Chrome | Browser::Chromium) || loc.user_data_root.is_dir(),
        })
        .collect()
}

/// Writes the manifest (and registry key) for each browser of `plan`. Returns the manifest paths written.
///
/// # Errors
/// A bad extension id, a relative host path, or the first I/O / registry failure.
pub fn install(
    os: Os,
    dirs: &UserDirs,
    plan: &InstallPlan,
    registry: &mut dyn Registry,
) -> Result<Vec<PathBuf>, String> {
    if !is_extension_id(&plan.extension_id) {
        return Err(format!(
            "invalid extension id {:?}: need 32 letters a-p",
            plan.extension_id
        ));
    }
    if !plan.host_path.is_absolute() {
        return Err(format!(
            "host path {} is not absolute",
            plan.host_path.display()
        ));
    }
    let manifest = HostManifest::new(&plan.host_path, std::slice::from_ref(&plan.extension_id));
    let mut written = Vec::new();
    for (_, loc) in targets(os, dirs, plan.browsers.as_deref()) {
        let parent = loc
            .manifest_path
            .parent()
            .ok_or("manifest path has no parent")?;
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        std::fs::write(&loc.manifest_path, manifest.to_json())
            .map_err(|e| format!("{}: {e}", loc.manifest_path.display()))?;
        if let Some(key) = &loc.registry_key {
            registry.set_default(key, &loc.manifest_path.to_string_lossy())?;
        }
        written.push(loc.manifest_path);
    }
    Ok(written)
}

/// Removes our manifest (and registry key) for each browser (all when `browsers` is `None`).
/// Returns the manifest paths removed.
///
/// # Errors
/// The first I/O or registry failure other than "not found".
pub fn uninstall(
    os: Os,
    dirs: &UserDirs,
    browsers: Option<&[Browser]>,
    registry: &mut dyn Registry,
) -> Result<Vec<PathBuf>, String> {
    let mut removed = Vec::new();
    let all = browsers.unwrap_or(&Browser::ALL);
    for (_, loc) in targets(os, dirs, Some(all)) {
        match std::fs::remove_file(&loc.manifest_path) {
            Ok(()) => removed.push(loc.manifest_path.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("{}: {e}", loc.manifest_path.display())),
        }
        if let Some(key) = &loc.registry_key {
            registry.delete(key)?;
        }
    }
    Ok(removed)
}

/// The state of every browser's installation.
pub fn status(os: Os, dirs: &UserDirs, registry: &dyn Registry) -> Vec<BrowserStatus> {
    targets(os, dirs, Some(&Browser::ALL))
        .into_iter()
        .map(|(browser, loc)| {
            let manifest = std::fs::read_to_string(&loc.manifest_path)
                .ok()
                .and_then(|t| serde_json::from_str::<HostManifest>(&t).ok())
                .filter(|m| m.name == odb_protocol::limits::NATIVE_HOST_NAME);
            let registry_ok = loc.registry_key.as_ref().map(|k| {
                registry.get_default(k).as_deref().map(Path::new)
                    == Some(loc.manifest_path.as_path())
            });
            BrowserStatus {
                browser: browser.name().to_string(),
                installed: manifest.is_some(),
                host_exists: manifest.as_ref().is_some_and(|m| m.path.is_file()),
                allowed_origins: manifest.map(|m| m.allowed_origins).unwrap_or_default(),
                manifest_path: loc.manifest_path,
                registry_ok,
            }
        })
        .collect()
}

/// The host binary beside the running `opendevbrowser` (absolute, so it survives the user's `PATH`).
///
/// # Errors
/// When the current executable cannot be found or the host is not beside it.
pub fn default_host_path() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current executable: {e}"))?;
    let exe = exe.canonicalize().unwrap_or(exe);
    let host = exe
        .parent()
        .ok_or("the executable has no directory")?
        .join(super::manifest::HOST_BINARY);
    if host.is_file() {
        Ok(host)
    } else {
        Err(format!(
            "{} not found (build it with `cargo build -p odb-native-host`, or pass --host-path)",
            host.display()
        ))
    }
}
