//! The bridge's Windows named pipe, [`pipe_name`] of the native directory (docs/NATIVE.md "Windows").
//!
//! - The first instance is created with `FILE_FLAG_FIRST_PIPE_INSTANCE`: when the name already exists
//!   (another relay, or an impostor that created it first to collect tokens), creation fails and the bridge
//!   refuses to start (`AddrInUse`) instead of sharing a name someone else controls (SECURITY.md E8).
//! - Every instance rejects remote clients (`PIPE_REJECT_REMOTE_CLIENTS`): only processes on this machine
//!   connect. The pipe keeps the default security descriptor (full control for our user, SYSTEM and
//!   administrators; read-only for others, which cannot send the `auth` frame).
//! - The token file is written in the native directory only after the pipe is ours; the directory sits in
//!   the user's profile, whose inherited ACL keeps other users out. The host checks that the pipe's server
//!   process runs as its own user before it sends the token (`native-host/src/relay_link/win_identity.rs`).
//! - A new instance is always created before the connected one is handed off, so the name never lapses
//!   while the relay runs.

use std::io;
use std::os::windows::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::windows::named_pipe::{NamedPipeServer, ServerOptions};
use tokio::task::JoinHandle;

use super::pipe_name::pipe_name;
use super::{conn, refused, NativeBridgeConfig};
use crate::hub::Hub;

/// `FILE_ATTRIBUTE_REPARSE_POINT`: a symlink or junction.
const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x400;
/// `ERROR_ACCESS_DENIED`: what `CreateNamedPipeW` returns for a first instance of an existing name.
const ERROR_ACCESS_DENIED: i32 = 5;
/// `ERROR_PIPE_BUSY`: the existing pipe has no instance left for us.
const ERROR_PIPE_BUSY: i32 = 231;
/// Pause before retrying a failed instance creation or connect.
const RETRY_PAUSE: Duration = Duration::from_millis(100);

/// Checks the directory, creates the pipe's first instance, writes the token file and starts accepting.
/// Returns the pipe path and the accept task.
pub(super) fn listen(
    hub: Arc<Hub>,
    config: &NativeBridgeConfig,
    token_path: &Path,
) -> io::Result<(PathBuf, JoinHandle<()>)> {
    prepare_dir(&config.dir)?;
    let name = pipe_name(&config.dir);
    let first = ServerOptions::new()
        .first_pipe_instance(true)
        .reject_remote_clients(true)
        .create(&name)
        .map_err(|e| match e.raw_os_error() {
            Some(ERROR_ACCESS_DENIED | ERROR_PIPE_BUSY) => io::Error::new(
                io::ErrorKind::AddrInUse,
                format!("the pipe {name} already exists (another relay, or another program holds the name)"),
            ),
            _ => e,
        })?;
    write_token(token_path, &config.auth_token)?;
    tracing::info!(pipe = %name, "native bridge listening");
    let token = Arc::new(config.auth_token.clone());
    let accept = tokio::spawn(accept_loop(hub, name.clone(), first, token));
    Ok((PathBuf::from(name), accept))
}

/// Creates `dir` (and its parents) when missing and refuses a path that is not a real directory (a file,
/// a symlink or a junction).
fn prepare_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let meta = std::fs::symlink_metadata(dir)?;
    if !meta.is_dir() || meta.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0 {
        return Err(refused(dir, "is not a directory (or is a link)"));
    }
    Ok(())
}

/// Writes `token` to a fresh `token_path` (an old file is removed first, so no handle to it survives).
fn write_token(token_path: &Path, token: &str) -> io::Result<()> {
    match std::fs::remove_file(token_path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(token_path)?;
    io::Write::write_all(&mut file, token.as_bytes())
}

/// A further instance of our pipe (the name already exists, so no first-instance flag).
fn next_instance(name: &str) -> io::Result<NamedPipeServer> {
    ServerOptions::new()
        .reject_remote_clients(true)
        .create(name)
}

/// Puts a new instance in `server`'s place (retrying until one can be created) and returns the old one,
/// so the pipe name is never without an instance of ours.
async fn replace_instance(name: &str, server: &mut NamedPipeServer) -> NamedPipeServer {
    loop {
        match next_instance(name) {
            Ok(next) => return std::mem::replace(server, next),
            Err(e) => {
                tracing::warn!(error = %e, "native bridge could not create a pipe instance");
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    }
}

async fn accept_loop(hub: Arc<Hub>, name: String, mut server: NamedPipeServer, token: Arc<String>) {
    loop {
        let connected = server.connect().await;
        let instance = replace_instance(&name, &mut server).await;
        match connected {
            Ok(()) => {
                let (rd, wr) = tokio::io::split(instance);
                tokio::spawn(conn::run(hub.clone(), rd, wr, token.clone()));
            }
            Err(e) => {
                tracing::warn!(error = %e, "native bridge pipe connect failed");
                tokio::time::sleep(RETRY_PAUSE).await;
            }
        }
    }
}
