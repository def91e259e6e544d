//! The Unix socket to the relay: a private directory and token file, `SO_PEERCRED` on Linux, then `auth`.

use std::os::unix::net::UnixStream;
use std::path::Path;

use super::{authenticate, read_token, Link, LinkError, AUTH_TIMEOUT};
use crate::paths::{SOCKET_FILE, TOKEN_FILE};
use crate::private::my_uid;

/// Checks that `path` is ours, of the right kind, with no group/other permission bits (`crate::private`).
fn check_private(path: &Path, want_dir: bool) -> Result<(), LinkError> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| LinkError::Unreachable(format!("{}: {e}", path.display())))?;
    crate::private::check(path, &meta, want_dir, my_uid()).map_err(LinkError::Untrusted)
}

/// Dials [`SOCKET_FILE`] in `dir` after the trust checks and authenticates (see the module docs).
pub(super) fn connect(dir: &Path, origin: &str) -> Result<Link, LinkError> {
    check_private(dir, true)?;
    let token_path = dir.join(TOKEN_FILE);
    check_private(&token_path, false)?;
    let token = read_token(&token_path)?;
    let socket = dir.join(SOCKET_FILE);
    let stream = UnixStream::connect(&socket)
        .map_err(|e| LinkError::Unreachable(format!("{}: {e}", socket.display())))?;
    check_peer(&stream)?;
    let io_err = |e: std::io::Error| LinkError::Unreachable(e.to_string());
    stream
        .set_read_timeout(Some(AUTH_TIMEOUT))
        .map_err(io_err)?;
    authenticate(&mut &stream, &mut &stream, &token, origin)?;
    stream.set_read_timeout(None).map_err(io_err)?;
    let reader = stream.try_clone().map_err(io_err)?;
    Ok(Link {
        reader: Box::new(reader),
        writer: Box::new(stream),
    })
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn check_peer(stream: &UnixStream) -> Result<(), LinkError> {
    let cred = rustix::net::sockopt::socket_peercred(stream)
        .map_err(|e| LinkError::Untrusted(format!("peer credentials unavailable: {e}")))?;
    if cred.uid.as_raw() == my_uid() {
        Ok(())
    } else {
        Err(LinkError::Untrusted(format!(
            "the listener runs as uid {}",
            cred.uid.as_raw()
        )))
    }
}

/// Without `SO_PEERCRED` the private-directory check is what keeps impostors out.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn check_peer(_stream: &UnixStream) -> Result<(), LinkError> {
    Ok(())
}
