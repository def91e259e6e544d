//! The relay end of native messaging (docs/NATIVE.md; PROTOCOL.md §5 and "Minimum faithful core" item 10).
//!
//! Chrome starts `opendevbrowser-native-host` for our extension; the host dials this listener over a
//! per-user local channel and from then on carries the extension's messages exactly as the `/extension`
//! WebSocket would. Each accepted connection becomes an extension session in the hub, through the same
//! slot, handshake and routing code as `/extension` (`ws_extension`), so `/ops` clients and the extension's
//! ops runtime cannot tell which transport is in use. One connection handler (`conn`) serves both
//! channels:
//! - Unix (`unix`): the socket [`SOCKET_FILE`] in the native directory;
//! - Windows (`windows`): the named pipe [`pipe_name::pipe_name`] of the native directory.
//!
//! Security (SECURITY.md §2, checklist E8):
//! - Unix: the socket lives in a directory that must be ours (same owner as a file we just created), not
//!   a symlink, and mode `0700` (group/other bits refused); the socket file is `0600`; a peer whose
//!   `SO_PEERCRED` uid differs from ours is dropped unread;
//! - Windows: the pipe is created with `FILE_FLAG_FIRST_PIPE_INSTANCE`, so when anyone (an impostor or
//!   another relay) already owns the name the bridge refuses to start, and it rejects remote clients; the
//!   host checks that the pipe's server process runs as its own user before it sends the token;
//! - the first frame must be `{"type":"auth","token":<the token file's content>}` (plus the caller
//!   `origin`, see `auth`), compared in constant time; anything else gets
//!   `{"type":"error","code":"unauthorized"}` and a close;
//! - on the channel the extension does not send the pairing token: an authenticated connection is as
//!   trusted as a paired one, and the bridge supplies the relay token to the shared handshake check.
//!
//! Files in the directory: [`SOCKET_FILE`] (Unix only) and [`TOKEN_FILE`].

mod auth;
mod conn;
mod frame;
pub mod pipe_name;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::task::JoinHandle;

use crate::hub::Hub;

/// The socket's file name inside the native directory (Unix).
pub const SOCKET_FILE: &str = odb_protocol::native::SOCKET_FILE;
/// The token file's name inside the native directory (64 hex characters; mode `0600` on Unix).
pub const TOKEN_FILE: &str = odb_protocol::native::TOKEN_FILE;
/// Largest frame read from the host, in bytes: the `/extension` socket's cap (16 MiB).
pub(crate) const MAX_FROM_HOST_BYTES: usize = crate::ws_extension::EXTENSION_MAX_MESSAGE_BYTES;

/// Where and with what secret to listen.
#[derive(Clone)]
pub struct NativeBridgeConfig {
    /// The per-user directory (created when missing; on Unix `0700`, refused when not ours or
    /// group/other-accessible).
    pub dir: PathBuf,
    /// The secret the host must present (written to [`TOKEN_FILE`], mode `0600` on Unix). Never logged.
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

/// A listening bridge. Dropping it stops accepting and removes the token file (and on Unix the socket
/// file); live connections end with the relay (its stop closes every extension session).
pub struct NativeBridge {
    endpoint: PathBuf,
    token_path: PathBuf,
    accept: JoinHandle<()>,
}

impl NativeBridge {
    /// What the host dials: the socket path on Unix, the pipe path (`\\.\pipe\...`) on Windows.
    pub fn socket_path(&self) -> &Path {
        &self.endpoint
    }
}

impl Drop for NativeBridge {
    fn drop(&mut self) {
        self.accept.abort();
        #[cfg(unix)]
        let _ = std::fs::remove_file(&self.endpoint);
        let _ = std::fs::remove_file(&self.token_path);
    }
}

/// Prepares the directory and token file, starts listening and accepting. Call from a Tokio runtime.
///
/// # Errors
/// `PermissionDenied` when the directory is not private to us (Unix) or is a link; `AddrInUse` when
/// another live relay answers on the socket (Unix) or anyone already owns the pipe name (Windows); any
/// I/O error of creating the files or listening.
pub(crate) fn listen(hub: Arc<Hub>, config: NativeBridgeConfig) -> io::Result<NativeBridge> {
    let token_path = config.dir.join(TOKEN_FILE);
    #[cfg(unix)]
    let (endpoint, accept) = unix::listen(hub, &config, &token_path)?;
    #[cfg(windows)]
    let (endpoint, accept) = windows::listen(hub, &config, &token_path)?;
    Ok(NativeBridge {
        endpoint,
        token_path,
        accept,
    })
}

/// The error for a native directory we refuse to use.
fn refused(dir: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("native directory {} {why}", dir.display()),
    )
}

#[cfg(all(test, unix))]
mod tests;
