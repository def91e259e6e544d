//! Every browser × OS row of the manifest location table, under a temporary home.

use std::path::PathBuf;

use super::locations::{display_relative, location, Browser, Os, UserDirs};

fn dirs(home: &str) -> UserDirs {
    UserDirs {
        home: PathBuf::from(home),
        xdg_config: None,
        local_app_data: Some(PathBuf::from(home).join("AppData").join("Local")),
    }
}

#[test]
fn the_table() {
    let home = "/tmp/odb-home";
    let d = dirs(home);
    let rows: [(Os, Browser, &str, Option<&str>); 12] = [
        (Os::Linux, Browser::Chrome, ".config/google-chrome/NativeMessagingHosts/com.opendevbrowser.native.json", None),
        (Os::Linux, Browser::Chromium, ".config/chromium/NativeMessagingHosts/com.opendevbrowser.native.json", None),
        (Os::Linux, Browser::Edge, ".config/microsoft-edge/NativeMessagingHosts/com.opendevbrowser.native.json", None),
        (Os::Linux, Browser::Brave, ".config/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.opendevbrowser.native.json", None),
        (Os::MacOs, Browser::Chrome, "Library/Application Support/Google/Chrome/NativeMessagingHosts/com.opendevbrowser.native.json", None),
        (Os::MacOs, Browser::Chromium, "Library/Application Support/Chromium/NativeMessagingHosts/com.opendevbrowser.native.json", None),
        (Os::MacOs, Browser::Edge, "Library/Application Support/Microsoft Edge/NativeMessagingHosts/com.opendevbrowser.native.json", None),
        (Os::MacOs, Browser::Brave, "Library/Application Support/BraveSoftware/Brave-Browser/NativeMessagingHosts/com.opendevbrowser.native.json", None),
        (Os::Windows, Browser::Chrome, "AppData/Local/Google/Chrome/User Data/NativeMessagingHosts/com.opendevbrowser.native.json", Some(r"HKCU\Software\Google\Chrome\NativeMessagingHosts\com.opendevbrowser.native")),
        (Os::Windows, Browser::Chromium, "AppData/Local/Chromium/User Data/NativeMessagingHosts/com.opendevbrowser.native.json", Some(r"HKCU\Software\Chromium\NativeMessagingHosts\com.opendevbrowser.native")),
        (Os::Windows, Browser::Edge, "AppData/Local/Microsoft/Edge/User Data/NativeMessagingHosts/com.opendevbrowser.native.json", Some(r"HKCU\Software\Microsoft\Edge\NativeMessagingHosts\com.opendevbrowser.native")),
        (Os::Windows, Browser::Brave, "AppData/Local/BraveSoftware/Brave-Browser/User Data/NativeMessagingHosts/com.opendevbrowser.native.json", Some(r"HKCU\Software\BraveSoftware\Brave-Browser\NativeMessagingHosts\com.opendevbrowser.native")),
    ];
    for (os, browser, want, key) in rows {
        let loc = location(os, browser, &d).unwrap();
        assert_eq!(
            display_relative(&loc.manifest_path, std::path::Path::new(home)),
            want,
            "{os:?} {browser:?}"
        );
        assert_eq!(loc.registry_key.as_deref(), key, "{os:?} {browser:?}");
        assert!(loc.manifest_path.starts_with(&loc.user_data_root));
    }
}

#[test]
fn xdg_config_home_moves_the_linux_rows_and_windows_needs_localappdata() {
    let mut d = dirs("/h");
    d.xdg_config = Some(PathBuf::from("/x/cfg"));
    let loc = location(Os::Linux, Browser::Chromium, &d).unwrap();
    assert_eq!(
        loc.manifest_path,
        PathBuf::from("/x/cfg/chromium/NativeMessagingHosts/com.opendevbrowser.native.json")
    );
    d.local_app_data = None;
    assert!(location(Os::Windows, Browser::Chrome, &d).is_none());
}
