//! Native messaging set-ups (issue 5): a daemon, then Chromium with the real `opendevbrowser-native-host`
//! installed in its fresh profile and `nativeEnabled` on, linked to the relay over native messaging.

use std::path::PathBuf;
use std::time::Duration;

use opendevbrowser::launcher::NativeHostSetup;

use crate::env::TestEnv;
use crate::paths::target_dir;

/// The host binary `cargo build -p odb-native-host` made (panics with that command when it is missing).
pub fn host_binary() -> PathBuf {
    let path = target_dir()
        .join("debug")
        .join("opendevbrowser-native-host");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p odb-native-host`",
        path.display()
    );
    path
}

/// A daemon, then Chromium with the host installed in its profile and `nativeEnabled` on; waits (45 s) for
/// the link and returns the env and the native directory (`<config dir>/native`: socket, token, host log).
/// On a timeout it panics with the daemon, host and browser logs.
pub fn native_env() -> (TestEnv, PathBuf) {
    let mut env = TestEnv::daemon_only();
    let native_dir = env.daemon.config_dir.join("native");
    let dir = native_dir.clone();
    env.start_browser_with(move |opts| {
        opts.native_host = Some(NativeHostSetup {
            host_path: host_binary(),
            native_dir: Some(dir),
        });
    });
    if env.wait_paired(Duration::from_secs(45)).is_none() {
        panic!(
            "extension not linked over native messaging within 45 s\n--- daemon log\n{}\n--- host log\n{}\n--- browser log (tail)\n{}",
            env.daemon.log(),
            std::fs::read_to_string(native_dir.join("host.log")).unwrap_or_default(),
            env.browser_log().lines().rev().take(60).collect::<Vec<_>>().join("\n")
        );
    }
    (env, native_dir)
}
