//! The bridge's Unix socket: a `0700` directory of ours, a `0600` token file, a `0600` socket, and
//! `SO_PEERCRED` on every accepted peer (SECURITY.md checklist E8).

use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::UnixListener;
use tokio::task::JoinHandle;

use super::{conn, refused, NativeBridgeConfig, SOCKET_FILE};
use crate::hub::Hub;

/// Refuses when another relay answers on [`SOCKET_FILE`], prepares the directory and token file, binds the
/// socket (replacing a stale one) and starts accepting. Returns the socket path and the accept task.
pub(super) fn listen(
    hub: Arc<Hub>,
    config: &NativeBridgeConfig,
    token_path: &Path,
) -> io::Result<(PathBuf, JoinHandle<()>)> {
    let socket_path = config.dir.join(SOCKET_FILE);
    // Before the token file is touched: a live relay keeps its token.
    if std::os::unix::net::UnixStream::connect(&socket_path).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!("another relay is listening on {}", socket_path.display()),
        ));
    }
    let uid = prepare_dir(&config.dir, token_path, &config.auth_token)?;
    match std::fs::remove_file(&socket_path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(&socket_path)?;
    std::fs::set_permissions(&socket_path, std::fs::Permissions::from_mode(0o600))?;
    tracing::info!(path = %socket_path.display(), "native bridge listening");
    let token = Arc::new(config.auth_token.clone());
    let accept = tokio::spawn(accept_loop(hub, listener, uid, token));
    Ok((socket_path, accept))
}

/// Creates `dir` (0700) if missing, writes the token file (0600, replacing an old one) and checks that
/// the directory belongs to the token file's owner (us), is a real directory and has no group/other
/// bits. Returns our uid.
fn prepare_dir(dir: &Path, token_path: &Path, token: &str) -> io::Result<u32> {
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = std::fs::symlink_metadata(dir)?;
    if !meta.is_dir() {
        return Err(refused(dir, "is not a directory (or is a symlink)"));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(refused(dir, "is accessible by group or others (need 0700)"));
    }
    match std::fs::remove_file(token_path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(token_path)?;
    io::Write::write_all(&mut file, token.as_bytes())?;
    let uid = file.metadata()?.uid();
    if meta.uid() != uid {
        let _ = std::fs::remove_file(token_path);
        return Err(refused(dir, "belongs to another user"));
    }
    Ok(uid)
}

async fn accept_loop(hub: Arc<Hub>, listener: UnixListener, uid: u32, token: Arc<String>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "native bridge accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        match stream.peer_cred() {
            Ok(cred) if cred.uid() == uid => {
                let (rd, wr) = stream.into_split();
                tokio::spawn(conn::run(hub.clone(), rd, wr, token.clone()));
            }
            Ok(cred) => {
                tracing::warn!(
                    peer_uid = cred.uid(),
                    "native bridge refused a peer of another user"
                );
            }
            Err(e) => tracing::warn!(error = %e, "native bridge peer credentials unavailable"),
        }
    }
}
