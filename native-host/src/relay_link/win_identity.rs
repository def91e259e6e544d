//! Windows' answer to `SO_PEERCRED` (SECURITY.md checklist E8): the named pipe's server process must run
//! as our own user before the host sends it the token.
//!
//! `GetNamedPipeServerProcessId` gives the server's pid; `OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION)`
//! and `OpenProcessToken(TOKEN_QUERY)` give its access token, and `GetTokenInformation(TokenUser)` its
//! user SID, which must equal our own process token's user SID (a SID's binary form is canonical, so
//! comparing bytes is `EqualSid`). Anything that cannot be verified is refused: an impostor that created
//! the pipe name before the relay, as another user, never learns the token. A relay of the same user
//! running elevated while the host is not may fail `OpenProcessToken`; that is refused too (run both at
//! the same elevation).

#![allow(unsafe_code)]

use std::io;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};

use windows_sys::Win32::Foundation::HANDLE;
use windows_sys::Win32::Security::{
    GetLengthSid, GetTokenInformation, TokenUser, TOKEN_QUERY, TOKEN_USER,
};
use windows_sys::Win32::System::Pipes::GetNamedPipeServerProcessId;
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, OpenProcess, OpenProcessToken, PROCESS_QUERY_LIMITED_INFORMATION,
};

use super::LinkError;

/// Refuses unless the server end of `pipe` belongs to a process of our user.
///
/// # Errors
/// [`LinkError::Untrusted`] when the server runs as another user or cannot be identified.
pub(super) fn check_server_user(pipe: HANDLE) -> Result<(), LinkError> {
    let untrusted = |what: &str, e: io::Error| LinkError::Untrusted(format!("{what}: {e}"));
    let pid = server_pid(pipe).map_err(|e| untrusted("the pipe's server process is unknown", e))?;
    let theirs = process_user_sid(pid).map_err(|e| {
        untrusted(
            &format!("cannot read the user of the pipe's server (pid {pid})"),
            e,
        )
    })?;
    let ours = current_user_sid().map_err(|e| untrusted("cannot read our own user", e))?;
    if theirs == ours {
        Ok(())
    } else {
        Err(LinkError::Untrusted(format!(
            "the pipe's server (pid {pid}) runs as another user"
        )))
    }
}

/// The process id of the server end of `pipe`.
fn server_pid(pipe: HANDLE) -> io::Result<u32> {
    let mut pid = 0u32;
    // SAFETY: `pipe` is an open pipe handle; `pid` is a valid out pointer.
    if unsafe { GetNamedPipeServerProcessId(pipe, &mut pid) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(pid)
}

/// The user SID of process `pid`, as bytes.
fn process_user_sid(pid: u32) -> io::Result<Vec<u8>> {
    // SAFETY: plain call; a null return is an error, checked below.
    let process = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    if process.is_null() {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `process` is a fresh handle that nothing else owns; it is closed on drop.
    let process = unsafe { OwnedHandle::from_raw_handle(process) };
    token_user_sid(process.as_raw_handle())
}

/// Our own process's user SID, as bytes.
fn current_user_sid() -> io::Result<Vec<u8>> {
    // SAFETY: returns a pseudo-handle that needs no closing.
    token_user_sid(unsafe { GetCurrentProcess() })
}

/// The user SID in the access token of `process`, as bytes.
fn token_user_sid(process: HANDLE) -> io::Result<Vec<u8>> {
    let mut token: HANDLE = std::ptr::null_mut();
    // SAFETY: `process` is a valid process handle; `token` is a valid out pointer.
    if unsafe { OpenProcessToken(process, TOKEN_QUERY, &mut token) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `token` is a fresh handle that nothing else owns; it is closed on drop.
    let token = unsafe { OwnedHandle::from_raw_handle(token) };
    let mut len = 0u32;
    // SAFETY: a size query (null buffer, length 0); it fails with ERROR_INSUFFICIENT_BUFFER and sets `len`.
    unsafe {
        GetTokenInformation(
            token.as_raw_handle(),
            TokenUser,
            std::ptr::null_mut(),
            0,
            &mut len,
        )
    };
    if (len as usize) < std::mem::size_of::<TOKEN_USER>() {
        return Err(io::Error::last_os_error());
    }
    // u64 words: TOKEN_USER holds a pointer, so the buffer must be pointer-aligned.
    let mut buf = vec![0u64; (len as usize).div_ceil(8)];
    // SAFETY: `buf` has at least `len` writable bytes.
    let ok = unsafe {
        GetTokenInformation(
            token.as_raw_handle(),
            TokenUser,
            buf.as_mut_ptr().cast(),
            len,
            &mut len,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: on success `buf` starts with a TOKEN_USER (aligned, see above) whose `Sid` points into
    // `buf`, at a valid SID of `GetLengthSid` bytes; the bytes are copied out while `buf` is alive.
    let sid = unsafe {
        let user = &*buf.as_ptr().cast::<TOKEN_USER>();
        let sid = user.User.Sid;
        std::slice::from_raw_parts(sid.cast::<u8>(), GetLengthSid(sid) as usize).to_vec()
    };
    Ok(sid)
}
