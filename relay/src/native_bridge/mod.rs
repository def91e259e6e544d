//! The relay end of native messaging (docs/NATIVE.md; PROTOCOL.md §5 and "Minimum faithful core" item 10).
//!
//! Chrome starts `opendevbrowser-native-host` for our extension; the host dials this listener over a
//! per-user Unix socket and from then on carries the extension's messages exactly as the `/extension`
//! WebSocket would. Each accepted connection becomes an extension session in the hub, through the same
//! slot, handshake and routing code as `/extension` (`ws_extension`), so `/ops` clients and the extension's
//! ops runtime cannot tell which transport is in use.
//!
//! Security (SECURITY.md §2, checklist E8):
//! - the socket lives in a directory that must be ours (same owner as a file we just created), not a
//!   symlink, and mode `0700` (group/other bits refused);
//! - the socket file is `0600`; a peer whose `SO_PEERCRED` uid differs from ours is dropped unread;
//! - the first frame must be `{"type":"auth","token":<the 0600 token file's content>}`, compared in
//!   constant time; anything else gets `{"type":"error","code":"unauthorized"}` and a close;
//! - on the channel the extension does not send the pairing token: an authenticated connection is as
//!   trusted as a paired one, and the bridge supplies the relay token to the shared handshake check.
//!
//! Files in the directory: [`SOCKET_FILE`] and [`TOKEN_FILE`].

mod conn;
mod frame;

use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::net::UnixListener;
use tokio::task::JoinHandle;

use crate::hub::Hub;

/// The socket's file name inside the native directory.
pub const SOCKET_FILE: &str = "relay.sock";
/// The 0600 token file's name inside the native directory (64 hex characters).
pub const TOKEN_FILE: &str = "relay.token";
/// Largest frame read from the host, in bytes: the `/extension` socket's cap (16 MiB).
pub(crate) const MAX_FROM_HOST_BYTES: usize = crate::ws_extension::EXTENSION_MAX_MESSAGE_BYTES;

/// Where and with what secret to listen.
#[derive(Clone)]
pub struct NativeBridgeConfig {
    /// The per-user directory (created `0700` when missing; refused when not ours or group/other-accessible).
    pub dir: PathBuf,
    /// The secret the host must present (written to [`TOKEN_FILE`], mode `0600`). Never logged.
    pub auth_token: String,
}

impl std::fmt::Debug for NativeBridgeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeBridgeConfig")
            .field("dir", &self.dir)
            .field("auth_token", &"<redacted>")
            .finish()
    }
}

/// A listening bridge. Dropping it stops accepting and removes the socket and token files; live
/// connections end with the relay (its stop closes every extension session).
pub struct NativeBridge {
    socket_path: PathBuf,
    token_path: PathBuf,
    accept: JoinHandle<()>,
}

impl NativeBridge {
    /// The socket path the host dials.
    pub fn socket_path(&self) -> &Path {
        &self.socket_path
    }
}

impl Drop for NativeBridge {
    fn drop(&mut self) {
        self.accept.abort();
        let _ = std::fs::remove_file(&self.socket_path);
        let _ = std::fs::remove_file(&self.token_path);
    }
}

/// Prepares the directory and token file, binds the socket and starts accepting.
///
/// # Errors
/// `PermissionDenied` when the directory is not private to us; `AddrInUse` when another live relay
/// answers on the socket; any I/O error of creating the files or binding.
pub(crate) fn listen(hub: Arc<Hub>, config: NativeBridgeConfig) -> io::Result<NativeBridge> {
    let token_path = config.dir.join(TOKEN_FILE);
    let uid = prepare_dir(&config.dir, &token_path, &config.auth_token)?;
    let socket_path = config.dir.join(SOCKET_FILE);
    if socket_path.exists() {
        if std::os::unix::net::UnixStream::connect(&socket_path).is_ok() {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!("another relay is listening on {}", socket_path.display()),
            ));
        }
        std::fs::remove_file(&socket_path)?;
    }
    let listener = UnixListener::bind(&socket_path)?;
    std::fs::set_permissions(&socket_path, std::fs::Permissions::from_mode(0o600))?;
    tracing::info!(path = %socket_path.display(), "native bridge listening");
    let token = Arc::new(config.auth_token);
    let accept = tokio::spawn(accept_loop(hub, listener, uid, token));
    Ok(NativeBridge {
        socket_path,
        token_path,
        accept,
    })
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

fn refused(dir: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("native directory {} {why}", dir.display()),
    )
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
                tokio::spawn(conn::run(hub.clone(), stream, token.clone()));
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

#[cfg(test)]
mod tests;
