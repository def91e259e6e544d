//! A real `opendevbrowser serve` in a private config dir, and a runner for CLI commands against it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::paths::cli_binary;

/// A daemon process; killed when dropped.
pub struct Daemon {
    child: Option<Child>,
    /// The private config dir (`OPENDEVBROWSER_CONFIG_DIR`).
    pub config_dir: PathBuf,
    /// The relay port.
    pub relay_port: u16,
    /// The daemon's control port.
    pub daemon_port: u16,
    /// Where its stdout and stderr go (appended across restarts).
    pub log_path: PathBuf,
    /// More `serve` flags (kept across restarts), e.g. `--no-http-pair`.
    serve_flags: Vec<String>,
}

/// One CLI run.
#[derive(Debug)]
pub struct CliRun {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl CliRun {
    /// Stdout parsed as JSON (for `--output-format json`).
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    /// Panics with both streams unless the exit code is 0.
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "command failed\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

impl Daemon {
    /// Starts `serve` on the given ports with `config_dir`, waiting (up to 20 s) for its ready line.
    pub fn start(config_dir: &Path, relay_port: u16, daemon_port: u16) -> Daemon {
        Daemon::start_with(config_dir, relay_port, daemon_port, &[])
    }

    /// [`Daemon::start`] with more `serve` flags.
    pub fn start_with(
        config_dir: &Path,
        relay_port: u16,
        daemon_port: u16,
        serve_flags: &[&str],
    ) -> Daemon {
        std::fs::create_dir_all(config_dir).expect("config dir");
        let log_path = config_dir.join("daemon-test.log");
        let mut daemon = Daemon {
            child: None,
            config_dir: config_dir.to_path_buf(),
            relay_port,
            daemon_port,
            log_path,
            serve_flags: serve_flags.iter().map(|f| f.to_string()).collect(),
        };
        daemon.spawn();
        daemon
    }

    fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .expect("daemon log");
        let before = std::fs::metadata(&self.log_path)
            .map(|m| m.len())
            .unwrap_or(0);
        let child = Command::new(cli_binary())
            .args([
                "serve",
                "--port",
                &self.relay_port.to_string(),
                "--daemon-port",
                &self.daemon_port.to_string(),
            ])
            .args(&self.serve_flags)
            .env("OPENDEVBROWSER_CONFIG_DIR", &self.config_dir)
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log clone"))
            .stderr(log)
            .spawn()
            .expect("spawn opendevbrowser serve");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = std::fs::read(&self.log_path).unwrap_or_default();
            let fresh = String::from_utf8_lossy(&text[before as usize..]).to_string();
            if fresh.contains("daemon ready") {
                return;
            }
            if let Some(Some(status)) = self.child.as_mut().map(|c| c.try_wait().ok().flatten()) {
                panic!("daemon exited early ({status}):\n{fresh}");
            }
            assert!(
                Instant::now() < deadline,
                "daemon not ready after 20 s:\n{fresh}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILLs the daemon (a crash, not a clean stop).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same ports and config dir.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// Runs `opendevbrowser <args>` against this daemon.
    pub fn cli(&self, args: &[&str]) -> CliRun {
        run_cli(&self.config_dir, args)
    }

    /// Runs a session command with `--output-format json` and returns the parsed output, panicking on failure.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--output-format", "json"];
        all.extend_from_slice(args);
        self.cli(&all).ok().json()
    }

    /// The daemon's log so far (stdout + stderr).
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log_path).unwrap_or_default()).to_string()
    }

    /// `config.json` parsed.
    pub fn config(&self) -> Value {
        let text =
            std::fs::read_to_string(self.config_dir.join("config.json")).expect("config.json");
        serde_json::from_str(&text).expect("config.json is JSON")
    }

    /// The relay token from `config.json`.
    pub fn relay_token(&self) -> String {
        self.config()["relayToken"]
            .as_str()
            .expect("relayToken")
            .to_string()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.child.is_some() {
            let _ = self.cli(&["serve", "--stop"]);
        }
        if let Some(mut child) = self.child.take() {
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs `opendevbrowser <args>` with `OPENDEVBROWSER_CONFIG_DIR=config_dir`, no stdin, 120 s at most.
pub fn run_cli(config_dir: &Path, args: &[&str]) -> CliRun {
    run_cli_env(config_dir, args, &[])
}

/// [`run_cli`] with more environment variables (e.g. a temporary `HOME` for `native install`); an empty value
/// removes the variable.
pub fn run_cli_env(config_dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> CliRun {
    let mut command = Command::new(cli_binary());
    command
        .args(args)
        .env("OPENDEVBROWSER_CONFIG_DIR", config_dir);
    for (key, value) in env {
        if value.as_os_str().is_empty() {
            command.env_remove(key);
        } else {
            command.env(key, value);
        }
    }
    let out = command
        .stdin(Stdio::null())
        .output()
        .expect("run opendevbrowser");
    CliRun {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}
