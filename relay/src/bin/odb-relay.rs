//! `odb-relay [--port N] [--discovery-port N] [--token-file PATH | --no-pairing] [--compat-open-pair]`:
//! runs the relay in the foreground until Ctrl-C (development use).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use odb_relay::RelayConfig;

const USAGE: &str = "usage: odb-relay [--port N] [--discovery-port N] \
(--token-file PATH | --no-pairing) [--compat-open-pair]";

/// Command-line problems.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}\n{USAGE}")]
    Usage(String),
    #[error("token file {path}: {reason}")]
    TokenFile { path: PathBuf, reason: String },
}

fn parse_port(value: Option<String>, flag: &str) -> Result<u16, CliError> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| CliError::Usage(format!("{flag} needs a port number (0-65535)")))
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<RelayConfig, CliError> {
    let mut config = RelayConfig::default();
    let mut token_file: Option<PathBuf> = None;
    let mut no_pairing = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => config.port = parse_port(args.next(), "--port")?,
            "--discovery-port" => {
                config.discovery_port = Some(parse_port(args.next(), "--discovery-port")?)
            }
            "--token-file" => {
                let path = args
                    .next()
                    .ok_or_else(|| CliError::Usage("--token-file needs a path".into()))?;
                token_file = Some(PathBuf::from(path));
            }
            "--no-pairing" => no_pairing = true,
            "--compat-open-pair" => config.compat_open_pair = true,
            "-h" | "--help" => return Err(CliError::Usage("help".into())),
            other => return Err(CliError::Usage(format!("unknown argument {other:?}"))),
        }
    }
    match (token_file, no_pairing) {
        (Some(_), true) => Err(CliError::Usage(
            "--token-file and --no-pairing exclude each other".into(),
        )),
        (None, false) => Err(CliError::Usage(
            "pass --token-file PATH or --no-pairing".into(),
        )),
        (Some(path), false) => {
            config.token = Some(read_token(&path)?);
            Ok(config)
        }
        (None, true) => Ok(config),
    }
}

/// Reads a token file: a regular file (not a symlink), not readable by group or others, holding
/// 64 hex characters (PROTOCOL.md "Minimum faithful core" 2, SECURITY.md A15).
fn read_token(path: &Path) -> Result<String, CliError> {
    let fail = |reason: String| CliError::TokenFile {
        path: path.to_path_buf(),
        reason,
    };
    let meta = std::fs::symlink_metadata(path).map_err(|e| fail(e.to_string()))?;
    if !meta.file_type().is_file() {
        return Err(fail("not a regular file (symlinks are refused)".into()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(fail(
                "readable or writable by group/others; chmod 600 it".into(),
            ));
        }
    }
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let token = text.trim().to_string();
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(fail("expected 64 hex characters".into()));
    }
    Ok(token)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("odb-relay: {e}");
            return ExitCode::from(2);
        }
    };
    let relay = match odb_relay::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("odb-relay: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "odb-relay: listening on http://127.0.0.1:{} (instance {})",
        relay.port(),
        relay.instance_id()
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("odb-relay: cannot wait for Ctrl-C: {e}");
    }
    relay.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_flags() {
        let c = parse_args(args(&["--port", "0", "--no-pairing", "--compat-open-pair"])).unwrap();
        assert_eq!(c.port, 0);
        assert!(c.token.is_none());
        assert!(c.compat_open_pair);
        assert!(parse_args(args(&[])).is_err());
        assert!(parse_args(args(&["--port", "x", "--no-pairing"])).is_err());
        assert!(parse_args(args(&["--bogus"])).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn token_file_checks() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("odb-relay-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, format!("{}\n", "ab".repeat(32))).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(
            read_token(&file).is_err(),
            "group/other readable is refused"
        );
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_token(&file).unwrap(), "ab".repeat(32));
        let link = dir.join("link");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(read_token(&link).is_err(), "symlink is refused");
        std::fs::write(&file, "short").unwrap();
        assert!(read_token(&file).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
