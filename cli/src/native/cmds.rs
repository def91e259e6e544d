//! `opendevbrowser native install [<extension-id>] [--browser ...] [--host-path ...]`, `native uninstall
//! [--browser ...]`, `native status` (docs/NATIVE.md; PROTOCOL.md §5). No daemon needed.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use odb_protocol::limits::EXTENSION_ID;
use serde_json::json;

use super::install::{self, InstallPlan, SystemRegistry};
use super::locations::{Browser, Os, UserDirs};
use crate::exit::CliError;
use crate::output::Outcome;

/// `native ...`.
#[derive(Debug, Args)]
pub struct NativeArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: NativeAction,
}

/// The `native` subcommands.
#[derive(Debug, Subcommand)]
pub enum NativeAction {
    /// Install the native messaging host manifest for the current user.
    Install {
        /// The extension id allowed to start the host (default: ours, from the manifest key).
        extension_id: Option<String>,
        /// Which browser(s); default: Chrome, Chromium, and Edge/Brave when their profile directory exists.
        #[arg(long, value_enum)]
        browser: Option<BrowserArg>,
        /// The host binary (default: `opendevbrowser-native-host` beside this executable).
        #[arg(long)]
        host_path: Option<PathBuf>,
    },
    /// Remove the manifest (and the Windows registry key).
    Uninstall {
        /// Which browser(s); default: all.
        #[arg(long, value_enum)]
        browser: Option<BrowserArg>,
    },
    /// Where the host is installed, per browser.
    Status,
}

/// `--browser`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BrowserArg {
    /// Google Chrome.
    Chrome,
    /// Chromium.
    Chromium,
    /// Microsoft Edge.
    Edge,
    /// Brave.
    Brave,
    /// All four.
    All,
}

impl BrowserArg {
    fn browsers(self) -> Vec<Browser> {
        match self {
            BrowserArg::Chrome => vec![Browser::Chrome],
            BrowserArg::Chromium => vec![Browser::Chromium],
            BrowserArg::Edge => vec![Browser::Edge],
            BrowserArg::Brave => vec![Browser::Brave],
            BrowserArg::All => Browser::ALL.to_vec(),
        }
    }
}

fn user_dirs() -> Result<UserDirs, CliError> {
    UserDirs::from_env().ok_or_else(|| CliError::execution("no home directory"))
}

/// Runs one `native` action.
///
/// # Errors
/// Usage errors (bad id), execution errors (I/O, registry, host binary missing).
pub fn run(args: NativeArgs) -> Result<Outcome, CliError> {
    let os = Os::current();
    let dirs = user_dirs()?;
    let mut registry = SystemRegistry;
    match args.action {
        NativeAction::Install {
            extension_id,
            browser,
            host_path,
        } => {
            let extension_id = extension_id.unwrap_or_else(|| EXTENSION_ID.to_string());
            let host_path = match host_path {
                Some(p) => std::path::absolute(&p).map_err(|e| CliError::usage(e.to_string()))?,
                None => install::default_host_path().map_err(CliError::execution)?,
            };
            let plan = InstallPlan {
                extension_id: extension_id.clone(),
                browsers: browser.map(BrowserArg::browsers),
                host_path,
            };
            let written =
                install::install(os, &dirs, &plan, &mut registry).map_err(CliError::usage)?;
            if extension_id != EXTENSION_ID {
                allow_id(&extension_id)?;
            }
            let text = written
                .iter()
                .map(|p| format!("installed {}", p.display()))
                .collect::<Vec<_>>()
                .join("\n");
            Ok(Outcome::ack(json!({"installed": written}), text))
        }
        NativeAction::Uninstall { browser } => {
            let list = browser.map(BrowserArg::browsers);
            let removed = install::uninstall(os, &dirs, list.as_deref(), &mut registry)
                .map_err(CliError::execution)?;
            let text = format!("removed {} manifest(s)", removed.len());
            Ok(Outcome::ack(json!({"removed": removed}), text))
        }
        NativeAction::Status => {
            let all = install::status(os, &dirs, &registry);
            let text = all
                .iter()
                .map(|s| {
                    format!(
                        "{}: {} {}",
                        s.browser,
                        if s.installed && s.host_exists {
                            "installed"
                        } else if s.installed {
                            "installed (host binary missing)"
                        } else {
                            "not installed"
                        },
                        s.manifest_path.display()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            Ok(Outcome::data(json!({"browsers": all}), text))
        }
    }
}

/// Appends `id` to the host's allowed-id file in the native directory (0700).
fn allow_id(id: &str) -> Result<(), CliError> {
    let dir = super::bridge::native_dir().map_err(|e| CliError::execution(e.to_string()))?;
    let io = |e: std::io::Error| CliError::execution(format!("{}: {e}", dir.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(io)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(&dir).map_err(io)?;
    let path = dir.join("allowed-extension-ids");
    let mut ids = std::fs::read_to_string(&path).unwrap_or_default();
    if !ids.lines().any(|l| l.trim() == id) {
        ids.push_str(id);
        ids.push('\n');
        std::fs::write(&path, ids).map_err(io)?;
    }
    Ok(())
}
