//! Installer tests for Chrome, Chromium, Edge and Brave on the Linux, macOS and Windows path tables, under a
//! temporary home, with a registry double.

use std::collections::HashMap;
use std::path::PathBuf;

use super::install::{install, status, uninstall, InstallPlan, Registry};
use super::locations::{Browser, Os, UserDirs};
use odb_protocol::limits::EXTENSION_ID;

#[derive(Default)]
struct FakeRegistry(HashMap<String, String>);

impl Registry for FakeRegistry {
    fn set_default(&mut self, key: &str, value: &str) -> Result<(), String> {
        self.0.insert(key.to_string(), value.to_string());
        Ok(())
    }
    fn get_default(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn delete(&mut self, key: &str) -> Result<(), String> {
        self.0.remove(key);
        Ok(())
    }
}

fn home() -> (tempfile::TempDir, UserDirs) {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = UserDirs {
        home: tmp.path().to_path_buf(),
        xdg_config: None,
        local_app_data: Some(tmp.path().join("AppData").join("Local")),
    };
    (tmp, dirs)
}

fn host(dirs: &UserDirs) -> PathBuf {
    let p = dirs.home.join("bin").join("opendevbrowser-native-host");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, b"#!/bin/sh\n").unwrap();
    p
}

#[test]
fn install_status_uninstall_for_every_browser_and_os() {
    for os in [Os::Linux, Os::MacOs, Os::Windows] {
        let (_tmp, dirs) = home();
        let mut reg = FakeRegistry::default();
        let plan = InstallPlan {
            extension_id: EXTENSION_ID.into(),
            browsers: Some(Browser::ALL.to_vec()),
            host_path: host(&dirs),
        };
        let written = install(os, &dirs, &plan, &mut reg).unwrap();
        assert_eq!(written.len(), 4, "{os:?}");
        let st = status(os, &dirs, &reg);
        for s in &st {
            assert!(s.installed && s.host_exists, "{os:?} {s:?}");
            assert_eq!(
                s.allowed_origins,
                vec![format!("chrome-extension://{EXTENSION_ID}/")]
            );
            assert_eq!(
                s.registry_ok,
                (os == Os::Windows).then_some(true),
                "{os:?} {s:?}"
            );
            let text = std::fs::read_to_string(&s.manifest_path).unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["path"], plan.host_path.to_str().unwrap());
            assert_eq!(v["type"], "stdio");
        }
        assert_eq!(reg.0.len(), if os == Os::Windows { 4 } else { 0 });
        let removed = uninstall(os, &dirs, None, &mut reg).unwrap();
        assert_eq!(removed.len(), 4);
        assert!(reg.0.is_empty());
        assert!(status(os, &dirs, &reg)
            .iter()
            .all(|s| !s.installed && s.registry_ok != Some(true)));
    }
}

#[test]
fn default_browsers_are_chrome_chromium_and_those_present() {
    let (_tmp, dirs) = home();
    std::fs::create_dir_all(
        dirs.home
            .join(".config")
            .join("BraveSoftware")
            .join("Brave-Browser"),
    )
    .unwrap();
    let plan = InstallPlan {
        extension_id: EXTENSION_ID.into(),
        browsers: None,
        host_path: host(&dirs),
    };
    let written = install(Os::Linux, &dirs, &plan, &mut FakeRegistry::default()).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 3, "{names:?}");
    assert!(!names.iter().any(|n| n.contains("microsoft-edge")));
}

#[test]
fn bad_ids_and_relative_paths_are_refused() {
    let (_tmp, dirs) = home();
    let mut plan = InstallPlan {
        extension_id: "not-an-id".into(),
        browsers: None,
        host_path: host(&dirs),
    };
    assert!(install(Os::Linux, &dirs, &plan, &mut FakeRegistry::default()).is_err());
    plan.extension_id = EXTENSION_ID.into();
    plan.host_path = PathBuf::from("opendevbrowser-native-host");
    assert!(install(Os::Linux, &dirs, &plan, &mut FakeRegistry::default()).is_err());
}
