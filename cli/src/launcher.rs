//! Browser launcher shared by the demo, the end-to-end tests and (later) managed mode: finds Chromium or Chrome,
//! starts it with a fresh profile and the unpacked extension, and points the extension at a relay port through
//! the extension's own `connect.html?relayPort=N&discoveryPort=N` page, so no human touches the popup.
//!
//! Flags come from spec/BUILD.md "Launching Chromium headless with the unpacked extension". Google-branded
//! Chrome 137+ ignores `--load-extension`; Debian's Chromium honours it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use odb_protocol::limits::EXTENSION_ID;

/// Where to look for a browser, in order, after `$CHROME_PATH`.
pub const CANDIDATES: &[&str] = &[
    "/usr/lib/chromium/chromium",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// What to start.
#[derive(Clone, Debug, Default)]
pub struct LaunchOptions {
    /// The browser binary; `None` = [`find_browser`].
    pub chrome_path: Option<PathBuf>,
    /// The unpacked extension directory (`dist/extension`); `None` = start without an extension.
    pub extension_dir: Option<PathBuf>,
    /// `--headless` (the new headless mode, which runs extensions).
    pub headless: bool,
    /// The profile directory; `None` = a fresh one under the temp dir, removed when the [`Browser`] drops.
    pub user_data_dir: Option<PathBuf>,
    /// More unpacked extensions to load beside `extension_dir` (tests load a second debugger extension).
    pub extra_extension_dirs: Vec<PathBuf>,
    /// The relay port the extension should pair with; opens `connect.html?relayPort=..` as the first tab.
    pub relay_port: Option<u16>,
    /// More tabs to open at start.
    pub start_urls: Vec<String>,
    /// Extra command-line flags.
    pub extra_flags: Vec<String>,
    /// `--remote-debugging-port` (0 = pick one; the port is then in `DevToolsActivePort` in the profile).
    pub remote_debugging_port: Option<u16>,
    /// Where Chromium's stderr goes (with `--enable-logging=stderr`, the worker's console lines); `None` = discarded.
    pub log_file: Option<PathBuf>,
    /// Install the native messaging host into the profile (`<udd>/NativeMessagingHosts/`, the only place
    /// Chromium reads with `--user-data-dir`) and point it at a native directory (docs/NATIVE.md).
    pub native_host: Option<NativeHostSetup>,
    /// The extension's `nativeEnabled` setting, passed on the connect page as `&nativeEnabled=1|0`.
    /// `None` = on exactly when [`Self::native_host`] is set. `Some(false)` with a host installed keeps the
    /// relay link on the `/extension` WebSocket while the host still hands over the pairing token
    /// (docs/NATIVE.md "Pairing over native messaging").
    pub native_enabled: Option<bool>,
}

/// The native messaging host for a launched profile.
#[derive(Clone, Debug, Default)]
pub struct NativeHostSetup {
    /// The host binary's absolute path (written as the manifest's `path`).
    pub host_path: PathBuf,
    /// Passed to the browser (and so to the host it starts) as `ODB_NATIVE_DIR`; `None` = the default.
    pub native_dir: Option<PathBuf>,
}

/// A running browser. Dropping it kills the process tree (SIGKILL after SIGTERM) and removes a fresh profile.
#[derive(Debug)]
pub struct Browser {
    child: Child,
    profile_dir: PathBuf,
    owns_profile: bool,
}

/// Launcher failures.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// No browser binary was found.
    #[error("no Chromium or Chrome found (set CHROME_PATH, or install Debian's `chromium` package); looked for: {0}")]
    NotFound(String),
    /// The extension directory has no manifest.json.
    #[error(
        "extension directory {0} has no manifest.json: build it with scripts/build-extension.sh"
    )]
    ExtensionMissing(PathBuf),
    /// Spawning or preparing the profile failed.
    #[error("could not start {path}: {source}")]
    Spawn {
        /// The binary.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Finds a browser: `$CHROME_PATH`, then [`CANDIDATES`] (absolute paths as-is, names on `$PATH`).
///
/// # Errors
/// [`LaunchError::NotFound`] when none exists.
pub fn find_browser() -> Result<PathBuf, LaunchError> {
    if let Some(path) = std::env::var_os("CHROME_PATH").map(PathBuf::from) {
        if path.is_file() {
            return Ok(path);
        }
    }
    for candidate in CANDIDATES {
        let candidate = Path::new(candidate);
        if candidate.is_absolute() {
            if candidate.is_file() {
                return Ok(candidate.to_path_buf());
            }
            continue;
        }
        if let Some(found) = on_path(candidate) {
            return Ok(found);
        }
    }
    Err(LaunchError::NotFound(CANDIDATES.join(", ")))
}

fn on_path(name: &Path) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// The page that points our extension at `relay_port` (see manifest/connect.html).
pub fn connect_url(relay_port: u16) -> String {
    format!("chrome-extension://{EXTENSION_ID}/connect.html?relayPort={relay_port}&discoveryPort={relay_port}")
}

/// The command-line flags for `opts` and `profile_dir` (without the binary).
pub fn browser_args(opts: &LaunchOptions, profile_dir: &Path) -> Vec<String> {
    let mut args: Vec<String> = [
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-dev-shm-usage",
        "--disable-features=Translate,MediaRouter,OptimizationHints",
        "--password-store=basic",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile_dir.display()));
    if is_root() {
        args.push("--no-sandbox".into());
    }
    if opts.headless {
        args.push("--headless".into());
        args.push("--disable-gpu".into());
        args.push("--window-size=1280,800".into());
    }
    if let Some(ext) = &opts.extension_dir {
        let all: Vec<String> = std::iter::once(ext)
            .chain(&opts.extra_extension_dirs)
            .map(|p| p.display().to_string())
            .collect();
        let list = all.join(",");
        args.push(format!("--load-extension={list}"));
        args.push(format!("--disable-extensions-except={list}"));
    }
    if let Some(port) = opts.remote_debugging_port {
        args.push(format!("--remote-debugging-port={port}"));
    }
    if opts.log_file.is_some() {
        args.push("--enable-logging=stderr".into());
        args.push("--v=0".into());
    }
    args.extend(opts.extra_flags.iter().cloned());
    if let (Some(port), Some(_)) = (opts.relay_port, &opts.extension_dir) {
        let mut url = connect_url(port);
        match opts.native_enabled {
            Some(false) => url.push_str("&nativeEnabled=0"),
            Some(true) => url.push_str("&nativeEnabled=1"),
            None if opts.native_host.is_some() => url.push_str("&nativeEnabled=1"),
            None => {}
        }
        args.push(url);
    }
    args.extend(opts.start_urls.iter().cloned());
    args
}

fn is_root() -> bool {
    // `id -u` avoids libc and unsafe code; Chromium refuses to run as root without --no-sandbox.
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Starts the browser.
///
/// # Errors
/// [`LaunchError`] when no browser is found, the extension is not built, or the spawn fails.
pub fn launch(opts: &LaunchOptions) -> Result<Browser, LaunchError> {
    let path = match &opts.chrome_path {
        Some(p) => p.clone(),
        None => find_browser()?,
    };
    if let Some(ext) = &opts.extension_dir {
        if !ext.join("manifest.json").is_file() {
            return Err(LaunchError::ExtensionMissing(ext.clone()));
        }
    }
    let (profile_dir, owns_profile) = match &opts.user_data_dir {
        Some(dir) => (dir.clone(), false),
        None => (
            std::env::temp_dir().join(format!("odb-profile-{}", uuid::Uuid::new_v4())),
            true,
        ),
    };
    std::fs::create_dir_all(&profile_dir).map_err(|source| LaunchError::Spawn {
        path: profile_dir.clone(),
        source,
    })?;
    let stderr = match &opts.log_file {
        Some(file) => {
            Stdio::from(
                std::fs::File::create(file).map_err(|source| LaunchError::Spawn {
                    path: file.clone(),
                    source,
                })?,
            )
        }
        None => Stdio::null(),
    };
    let mut command = Command::new(&path);
    if let Some(native) = &opts.native_host {
        let manifest = crate::native::manifest::HostManifest::new(&native.host_path, &[]);
        crate::native::manifest::write_into_profile(&profile_dir, &manifest).map_err(|source| {
            LaunchError::Spawn {
                path: profile_dir.clone(),
                source,
            }
        })?;
        if let Some(dir) = &native.native_dir {
            command.env(crate::native::bridge::NATIVE_DIR_ENV, dir);
        }
    }
    let child = command
        .args(browser_args(opts, &profile_dir))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .map_err(|source| LaunchError::Spawn {
            path: path.clone(),
            source,
        })?;
    Ok(Browser {
        child,
        profile_dir,
        owns_profile,
    })
}

impl Browser {
    /// The browser's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The profile directory in use.
    pub fn profile_dir(&self) -> &Path {
        &self.profile_dir
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Stops the browser: SIGTERM (which ends the whole tree cleanly, BUILD.md), then SIGKILL after 3 s.
    pub fn stop(&mut self) {
        if !self.is_running() {
            return;
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        for _ in 0..30 {
            if !self.is_running() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.stop();
        if self.owns_profile {
            let _ = std::fs::remove_dir_all(&self.profile_dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_point_the_extension_at_the_relay() {
        let opts = LaunchOptions {
            extension_dir: Some(PathBuf::from("/x/dist/extension")),
            headless: true,
            relay_port: Some(9123),
            start_urls: vec!["http://127.0.0.1:1/".into()],
            ..LaunchOptions::default()
        };
        let args = browser_args(&opts, Path::new("/tmp/p"));
        assert!(args.contains(&"--headless".to_string()));
        assert!(args.contains(&"--load-extension=/x/dist/extension".to_string()));
        assert!(args.contains(&"--user-data-dir=/tmp/p".to_string()));
        let connect = args
            .iter()
            .position(|a| a.contains("connect.html?relayPort=9123"))
            .unwrap();
        assert!(
            connect < args.len() - 1,
            "connect page opens before the start URLs"
        );
        assert!(args[connect].starts_with("chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk/"));
    }

    #[test]
    fn native_enabled_follows_the_host_unless_set() {
        let connect = |native_host: bool, native_enabled: Option<bool>| {
            let opts = LaunchOptions {
                extension_dir: Some(PathBuf::from("/x/dist/extension")),
                relay_port: Some(9123),
                native_host: native_host.then(NativeHostSetup::default),
                native_enabled,
                ..LaunchOptions::default()
            };
            browser_args(&opts, Path::new("/tmp/p"))
                .into_iter()
                .find(|a| a.contains("connect.html?"))
                .unwrap()
        };
        assert!(!connect(false, None).contains("nativeEnabled"));
        assert!(connect(true, None).ends_with("&nativeEnabled=1"));
        assert!(connect(true, Some(false)).ends_with("&nativeEnabled=0"));
        assert!(connect(false, Some(true)).ends_with("&nativeEnabled=1"));
    }

    #[test]
    fn missing_extension_is_a_clear_error() {
        let opts = LaunchOptions {
            chrome_path: Some(PathBuf::from("/bin/true")),
            extension_dir: Some(PathBuf::from("/nonexistent")),
            ..LaunchOptions::default()
        };
        assert!(matches!(
            launch(&opts),
            Err(LaunchError::ExtensionMissing(_))
        ));
    }
}
