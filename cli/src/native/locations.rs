//! Where each browser reads per-user native messaging host manifests, for Linux, macOS and Windows
//! (SECURITY.md §2 "Manifest locations"; vendor documentation for Edge and Brave). Pure: the OS and the
//! user's directories are inputs, so every browser × OS row is tested under a temporary home.

use std::path::{Path, PathBuf};

use odb_protocol::limits::NATIVE_HOST_NAME;

/// A Chromium-based browser we install for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Browser {
    /// Google Chrome.
    Chrome,
    /// Chromium.
    Chromium,
    /// Microsoft Edge.
    Edge,
    /// Brave.
    Brave,
}

impl Browser {
    /// Every browser, in display order.
    pub const ALL: [Browser; 4] = [
        Browser::Chrome,
        Browser::Chromium,
        Browser::Edge,
        Browser::Brave,
    ];

    /// The CLI name: `chrome`, `chromium`, `edge`, `brave`.
    pub fn name(self) -> &'static str {
        match self {
            Browser::Chrome => "chrome",
            Browser::Chromium => "chromium",
            Browser::Edge => "edge",
            Browser::Brave => "brave",
        }
    }
}

/// An operating system's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Os {
    /// Linux and other XDG desktops.
    Linux,
    /// macOS.
    MacOs,
    /// Windows.
    Windows,
}

impl Os {
    /// The OS this binary runs on.
    pub fn current() -> Os {
        if cfg!(windows) {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::MacOs
        } else {
            Os::Linux
        }
    }
}

/// The user's directories the tables depend on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserDirs {
    /// `$HOME` (Linux, macOS).
    pub home: PathBuf,
    /// `$XDG_CONFIG_HOME` (Linux; `~/.config` when unset).
    pub xdg_config: Option<PathBuf>,
    /// `%LOCALAPPDATA%` (Windows).
    pub local_app_data: Option<PathBuf>,
}

impl UserDirs {
    /// From the environment (`HOME`, `XDG_CONFIG_HOME`, `LOCALAPPDATA`).
    pub fn from_env() -> Option<UserDirs> {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Some(UserDirs {
            home: dirs::home_dir()?,
            xdg_config: var("XDG_CONFIG_HOME"),
            local_app_data: var("LOCALAPPDATA"),
        })
    }
}

/// Where one browser finds our host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The browser's per-user data root (its presence means the browser has been used).
    pub user_data_root: PathBuf,
    /// The manifest file to write.
    pub manifest_path: PathBuf,
    /// Windows only: the `HKCU` key whose default value must be the manifest path.
    pub registry_key: Option<String>,
}

/// Path segments of the browser's user-data root below the OS base directory.
fn vendor_segments(os: Os, browser: Browser) -> &'static [&'static str] {
    match (os, browser) {
        (Os::Linux, Browser::Chrome) => &["google-chrome"],
        (Os::Linux, Browser::Chromium) => &["chromium"],
        (Os::Linux, Browser::Edge) => &["microsoft-edge"],
        (Os::Linux, Browser::Brave) => &["BraveSoftware", "Brave-Browser"],
        (Os::MacOs, Browser::Chrome) => &["Google", "Chrome"],
        (Os::MacOs, Browser::Chromium) => &["Chromium"],
        (Os::MacOs, Browser::Edge) => &["Microsoft Edge"],
        (Os::MacOs, Browser::Brave) => &["BraveSoftware", "Brave-Browser"],
        (Os::Windows, Browser::Chrome) => &["Google", "Chrome", "User Data"],
        (Os::Windows, Browser::Chromium) => &["Chromium", "User Data"],
        (Os::Windows, Browser::Edge) => &["Microsoft", "Edge", "User Data"],
        (Os::Windows, Browser::Brave) => &["BraveSoftware", "Brave-Browser", "User Data"],
    }
}

/// The `HKCU` registry key for `browser` on Windows.
fn registry_key(browser: Browser) -> String {
    let vendor = match browser {
        Browser::Chrome => r"Google\Chrome",
        Browser::Chromium => "Chromium",
        Browser::Edge => r"Microsoft\Edge",
        Browser::Brave => r"BraveSoftware\Brave-Browser",
    };
    format!(r"HKCU\Software\{vendor}\NativeMessagingHosts\{NATIVE_HOST_NAME}")
}

/// Where `browser` on `os` reads our manifest for the user `dirs`. `None` on Windows without
/// `%LOCALAPPDATA%`.
pub fn location(os: Os, browser: Browser, dirs: &UserDirs) -> Option<Location> {
    let base: PathBuf = match os {
        Os::Linux => dirs
            .xdg_config
            .clone()
            .unwrap_or_else(|| dirs.home.join(".config")),
        Os::MacOs => dirs.home.join("Library").join("Application Support"),
        Os::Windows => dirs.local_app_data.clone()?,
    };
    let root = vendor_segments(os, browser)
        .iter()
        .fold(base, |p, s| p.join(s));
    let manifest_path = root
        .join("NativeMessagingHosts")
        .join(format!("{NATIVE_HOST_NAME}.json"));
    Some(Location {
        user_data_root: root,
        manifest_path,
        registry_key: (os == Os::Windows).then(|| registry_key(browser)),
    })
}

/// `path` relative to `base`, with `/` separators (for test tables).
pub fn display_relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
