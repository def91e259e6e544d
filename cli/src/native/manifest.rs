//! The native messaging host manifest (PROTOCOL.md §5; SECURITY.md §2 "Manifest fields").

use std::path::{Path, PathBuf};

use odb_protocol::limits::{EXTENSION_ID, NATIVE_HOST_NAME};
use serde::{Deserialize, Serialize};

/// The host's `description`, as upstream writes it.
pub const DESCRIPTION: &str = "OpenDevBrowser native messaging host";
/// The host binary's file name (`.exe` on Windows).
pub const HOST_BINARY: &str = if cfg!(windows) {
    "opendevbrowser-native-host.exe"
} else {
    "opendevbrowser-native-host"
};

/// `<name>.json`: `{"name","description","path","type":"stdio","allowed_origins":["chrome-extension://<id>/"]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostManifest {
    /// `com.opendevbrowser.native`.
    pub name: String,
    /// [`DESCRIPTION`].
    pub description: String,
    /// The host binary's absolute path (so it does not depend on the user's `PATH`).
    pub path: PathBuf,
    /// Always `stdio`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Exactly `chrome-extension://<id>/` per id (trailing slash required; no wildcards).
    pub allowed_origins: Vec<String>,
}

/// Whether `id` is an extension id: 32 letters `a`..=`p` (PROTOCOL.md §5).
pub fn is_extension_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| (b'a'..=b'p').contains(&b))
}

/// The origin Chrome passes for `id`.
pub fn origin(id: &str) -> String {
    format!("chrome-extension://{id}/")
}

impl HostManifest {
    /// The manifest for `host_path` (must be absolute) allowing `ids` (our id when empty).
    pub fn new(host_path: &Path, ids: &[String]) -> HostManifest {
        let ids: Vec<String> = if ids.is_empty() {
            vec![EXTENSION_ID.to_string()]
        } else {
            ids.to_vec()
        };
        HostManifest {
            name: NATIVE_HOST_NAME.to_string(),
            description: DESCRIPTION.to_string(),
            path: host_path.to_path_buf(),
            kind: "stdio".to_string(),
            allowed_origins: ids.iter().map(|id| origin(id)).collect(),
        }
    }

    /// Pretty JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The file name: `com.opendevbrowser.native.json`.
    pub fn file_name() -> String {
        format!("{NATIVE_HOST_NAME}.json")
    }
}

/// Writes the manifest into `<user_data_dir>/NativeMessagingHosts/` (the only place Chromium reads when
/// started with `--user-data-dir`, spec/BUILD.md "Native messaging on Linux"). Returns the file's path.
///
/// # Errors
/// The I/O error of creating the directory or writing the file.
pub fn write_into_profile(
    user_data_dir: &Path,
    manifest: &HostManifest,
) -> std::io::Result<PathBuf> {
    let dir = user_data_dir.join("NativeMessagingHosts");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(HostManifest::file_name());
    std::fs::write(&path, manifest.to_json())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn fields_match_the_protocol() {
        let m = HostManifest::new(Path::new("/opt/odb/opendevbrowser-native-host"), &[]);
        let v: Value = serde_json::from_str(&m.to_json()).unwrap();
        assert_eq!(v["name"], "com.opendevbrowser.native");
        assert_eq!(v["description"], DESCRIPTION);
        assert_eq!(v["path"], "/opt/odb/opendevbrowser-native-host");
        assert_eq!(v["type"], "stdio");
        assert_eq!(
            v["allowed_origins"],
            serde_json::json!(["chrome-extension://hcflhckpnhnifknaopogmdlfdielgilk/"])
        );
        assert_eq!(v.as_object().unwrap().len(), 5);
    }

    #[test]
    fn extension_ids_are_checked() {
        assert!(is_extension_id(EXTENSION_ID));
        for bad in ["", "abc", &"q".repeat(32), &"A".repeat(32), &"a".repeat(33)] {
            assert!(!is_extension_id(bad), "{bad}");
        }
    }
}
