//! `opendevbrowser status --transport native` (CLI.md "Daemon and relay"; docs/NATIVE.md): is the native
//! messaging host **installed**, is the relay's native bridge **reachable** for it, and is the extension
//! **paired** over it. Works without a daemon (then only `installed` can be true).
//!
//! - installed: at least one browser's per-user manifest names our host and its `path` exists
//!   ([`super::install::status`]).
//! - reachable: the daemon answers, its relay's native bridge listens on the socket in the native directory
//!   this CLI computes (the host computes the same one), and that directory and its token file pass the
//!   checks the host makes before dialling: ours, a real directory `0700`, a regular file with no
//!   group/other bits (SECURITY.md checklist E8).
//! - paired: the relay's extension slot is held over native messaging with a complete handshake
//!   (`/status` `extensionTransport: "native"`, D68).
//!
//! - httpPair: whether the relay still hands its token out over HTTP (`POST /pair`, the daemon's
//!   `daemon.httpPair`; `null` without a daemon). With the host installed, `serve --no-http-pair` leaves the
//!   host as the only way to it (SECURITY.md A11, docs/NATIVE.md "HTTP pairing off").
//!
//! JSON shape: `{transport:"native", installed, reachable, paired, browsers:[BrowserStatus], nativeDir,
//! socket, httpPair:bool|null, problems:[string], next:string|null}`.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use super::install::BrowserStatus;

/// The `status --transport native` answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NativeReport {
    /// Always `"native"`.
    pub transport: &'static str,
    /// A manifest names our host and the host binary exists, for at least one browser.
    pub installed: bool,
    /// The daemon's native bridge listens where the host will look, and the directory is trusted.
    pub reachable: bool,
    /// The extension is linked to the relay over native messaging.
    pub paired: bool,
    /// Per browser: manifest path, installed, host present, allowed origins.
    pub browsers: Vec<BrowserStatus>,
    /// The native directory (`$ODB_NATIVE_DIR`, else `<config dir>/native`).
    pub native_dir: PathBuf,
    /// The bridge socket the host dials.
    pub socket: PathBuf,
    /// The relay also hands its token out over `POST /pair` (`None` without a daemon).
    pub http_pair: Option<bool>,
    /// Each reason a check failed, in order.
    pub problems: Vec<String>,
    /// The next thing to do, when something is missing.
    pub next: Option<String>,
}

/// What the daemon said, for [`build`]: its `/status` data, or why it could not be asked.
pub type DaemonAnswer = Result<Value, String>;

/// Builds the report from the install state, the native directory and the daemon's answer.
pub fn build(
    browsers: Vec<BrowserStatus>,
    native_dir: &Path,
    daemon: &DaemonAnswer,
) -> NativeReport {
    let socket = native_dir.join(odb_relay::native_bridge::SOCKET_FILE);
    let mut problems = Vec::new();
    let installed = browsers.iter().any(|b| b.installed && b.host_exists);
    if !installed {
        problems.push(if browsers.iter().any(|b| b.installed) {
            "the host manifest is installed but its host binary is missing".to_string()
        } else {
            "the host manifest is not installed for any browser".to_string()
        });
    }
    let reachable = match daemon {
        Err(why) => {
            problems.push(format!("no daemon: {why}"));
            false
        }
        Ok(status) => match status["daemon"]["nativeBridge"]["socket"].as_str() {
            None => {
                problems.push(
                    "the daemon's native bridge is not listening (see the daemon log)".into(),
                );
                false
            }
            Some(listening) if Path::new(listening) != socket => {
                problems.push(format!(
                    "the daemon's bridge listens on {listening}, but the host will dial {} \
                     (ODB_NATIVE_DIR or the config directory differ)",
                    socket.display()
                ));
                false
            }
            Some(_) => match trusted(native_dir) {
                Ok(()) => true,
                Err(why) => {
                    problems.push(why);
                    false
                }
            },
        },
    };
    let relay = daemon.as_ref().map(|s| &s["relay"]).ok();
    let paired = relay.is_some_and(|r| {
        r["extensionConnected"] == true
            && r["extensionHandshakeComplete"] == true
            && r["extensionTransport"] == "native"
    });
    if !paired {
        let on = relay
            .and_then(|r| r["extensionTransport"].as_str())
            .filter(|_| relay.is_some_and(|r| r["extensionHandshakeComplete"] == true));
        problems.push(match on {
            Some(t) => format!("the extension is linked over {t}, not native messaging"),
            None => "the extension is not linked to the relay".into(),
        });
    }
    let next = next_step(installed, reachable, paired);
    NativeReport {
        transport: "native",
        installed,
        reachable,
        paired,
        browsers,
        native_dir: native_dir.to_path_buf(),
        socket,
        http_pair: daemon
            .as_ref()
            .ok()
            .and_then(|s| s["daemon"]["httpPair"].as_bool()),
        problems,
        next,
    }
}

fn next_step(installed: bool, reachable: bool, paired: bool) -> Option<String> {
    let step = if !installed {
        "opendevbrowser native install"
    } else if !reachable {
        "opendevbrowser serve   (the daemon starts the native bridge)"
    } else if !paired {
        "turn on \"Native messaging\" in the extension popup (nativeEnabled), then Connect"
    } else {
        return None;
    };
    Some(step.to_string())
}

/// The host's pre-dial checks on the native directory and its token file (native-host `relay_link`).
#[cfg(unix)]
fn trusted(dir: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let me = crate::secure_file::current_uid();
    let token = dir.join(odb_relay::native_bridge::TOKEN_FILE);
    for (path, want_dir) in [(dir, true), (token.as_path(), false)] {
        let meta =
            std::fs::symlink_metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let kind_ok = if want_dir {
            meta.is_dir()
        } else {
            meta.is_file()
        };
        if !kind_ok {
            return Err(format!(
                "{} has the wrong type (or is a symlink)",
                path.display()
            ));
        }
        if meta.uid() != me {
            return Err(format!(
                "{} belongs to uid {}, not to you (uid {me})",
                path.display(),
                meta.uid()
            ));
        }
        if meta.mode() & 0o077 != 0 {
            return Err(format!(
                "{} has mode {:o}: the host refuses group/other access",
                path.display(),
                meta.mode() & 0o777
            ));
        }
    }
    Ok(())
}

/// Windows: the directory is under the user's profile; the host checks the pipe server's user instead.
#[cfg(not(unix))]
fn trusted(_dir: &Path) -> Result<(), String> {
    Ok(())
}

/// Text lines: the three answers, the problems, the next step.
pub fn text(report: &NativeReport) -> String {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut lines = vec![
        format!("installed: {}", yes_no(report.installed)),
        format!("reachable: {}", yes_no(report.reachable)),
        format!("paired: {}", yes_no(report.paired)),
    ];
    for b in report.browsers.iter().filter(|b| b.installed) {
        lines.push(format!("  {}: {}", b.browser, b.manifest_path.display()));
    }
    lines.push(format!("socket: {}", report.socket.display()));
    match report.http_pair {
        Some(true) if report.installed => lines.push(
            "httpPair: true (the relay also hands its token to POST /pair; \
             opendevbrowser serve --no-http-pair leaves only the host)"
                .into(),
        ),
        Some(on) => lines.push(format!("httpPair: {on}")),
        None => {}
    }
    lines.extend(report.problems.iter().map(|p| format!("problem: {p}")));
    if let Some(next) = &report.next {
        lines.push(format!("next: {next}"));
    }
    lines.join("\n")
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
