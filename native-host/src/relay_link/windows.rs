//! The named pipe to the relay (docs/NATIVE.md "Windows"): real directory and token file, the pipe's
//! server must run as our user (`win_identity`), then `auth`.

use std::io;
use std::os::windows::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

use super::pipe::Pipe;
use super::{authenticate, read_token, win_identity, Link, LinkError, AUTH_TIMEOUT};
use crate::paths::{pipe_name, TOKEN_FILE};

/// `FILE_ATTRIBUTE_REPARSE_POINT`: a symlink or junction.
const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x400;
/// `ERROR_PIPE_BUSY`: every instance is connected; the relay makes a new one right after each connect.
const ERROR_PIPE_BUSY: i32 = 231;
/// Attempts and pause while the pipe is busy (about 1 s in all).
const BUSY_RETRIES: u32 = 20;
const BUSY_PAUSE: Duration = Duration::from_millis(50);

/// Checks that `path` is a real directory (`want_dir`) or a real file: no symlink, no junction.
fn check_real(path: &Path, want_dir: bool) -> Result<(), LinkError> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| LinkError::Unreachable(format!("{}: {e}", path.display())))?;
    let kind_ok = if want_dir {
        meta.is_dir()
    } else {
        meta.is_file()
    };
    if !kind_ok || meta.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0 {
        return Err(LinkError::Untrusted(format!(
            "{} has the wrong type (or is a link)",
            path.display()
        )));
    }
    Ok(())
}

/// Opens the pipe, retrying while all its instances are busy.
fn open_pipe(name: &str) -> Result<Pipe, LinkError> {
    let mut attempt = 0;
    loop {
        match Pipe::open(name) {
            Ok(pipe) => return Ok(pipe),
            Err(e) if e.raw_os_error() == Some(ERROR_PIPE_BUSY) && attempt < BUSY_RETRIES => {
                attempt += 1;
                std::thread::sleep(BUSY_PAUSE);
            }
            Err(e) => return Err(LinkError::Unreachable(format!("{name}: {e}"))),
        }
    }
}

/// Dials the pipe of `dir` after the checks and authenticates (see the module docs).
pub(super) fn connect(dir: &Path, origin: &str) -> Result<Link, LinkError> {
    check_real(dir, true)?;
    let token_path = dir.join(TOKEN_FILE);
    check_real(&token_path, false)?;
    let token = read_token(&token_path)?;
    let pipe = open_pipe(&pipe_name(dir))?;
    win_identity::check_server_user(pipe.raw())?;
    let io_err = |e: io::Error| LinkError::Unreachable(e.to_string());
    let (mut reader, mut writer) = pipe.split().map_err(io_err)?;
    reader.set_timeout(Some(AUTH_TIMEOUT));
    authenticate(&mut reader, &mut writer, &token, origin)?;
    reader.set_timeout(None);
    Ok(Link {
        reader: Box::new(reader),
        writer: Box::new(writer),
    })
}
