//! A named-pipe client with overlapped I/O, so one thread can block reading the relay's frames while
//! another writes Chrome's (docs/NATIVE.md "Windows").
//!
//! Why not a plain `std::fs::File`: a handle opened for synchronous I/O serializes every operation on its
//! file object, so a `ReadFile` waiting for the relay would block the `WriteFile` of the next message from
//! Chrome until the relay happened to send something (a duplicated handle shares the file object, so
//! `try_clone` does not help). The pipe is therefore opened with `FILE_FLAG_OVERLAPPED` and each direction
//! runs its operations with its own event and waits for their completion (optionally with a timeout,
//! which cancels the operation). std's `Read`/`Write` for `File` are never used on this handle: they
//! require a synchronous handle.
//!
//! The pipe is opened with `SECURITY_IDENTIFICATION`, so the server can identify us but not impersonate
//! us.

#![allow(unsafe_code)]

use std::io::{self, Read, Write};
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
use std::sync::Arc;
use std::time::Duration;

use windows_sys::Win32::Foundation::{
    GetLastError, ERROR_BROKEN_PIPE, ERROR_IO_PENDING, ERROR_OPERATION_ABORTED,
    ERROR_PIPE_NOT_CONNECTED, HANDLE, WAIT_TIMEOUT,
};
use windows_sys::Win32::Storage::FileSystem::{
    ReadFile, WriteFile, FILE_FLAG_OVERLAPPED, SECURITY_IDENTIFICATION,
};
use windows_sys::Win32::System::Threading::{CreateEventW, INFINITE};
use windows_sys::Win32::System::IO::{
    CancelIoEx, GetOverlappedResult, GetOverlappedResultEx, OVERLAPPED,
};

/// One client connection to a named pipe, opened for overlapped I/O.
pub struct Pipe {
    handle: OwnedHandle,
}

impl Pipe {
    /// Opens the client end of the pipe at `path` (`\\.\pipe\...`) for reading and writing.
    ///
    /// # Errors
    /// The open error: `NotFound` when no server exists, `ERROR_PIPE_BUSY` (231) when every instance is
    /// taken.
    pub fn open(path: &str) -> io::Result<Pipe> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(FILE_FLAG_OVERLAPPED)
            .security_qos_flags(SECURITY_IDENTIFICATION)
            .open(path)?;
        Ok(Pipe {
            handle: OwnedHandle::from(file),
        })
    }

    /// The raw handle, for queries such as the server's process id.
    pub fn raw(&self) -> HANDLE {
        self.handle.as_raw_handle()
    }

    /// The two directions, each with its own completion event. The reader starts without a timeout.
    ///
    /// # Errors
    /// When an event cannot be created.
    pub fn split(self) -> io::Result<(PipeReader, PipeWriter)> {
        let pipe = Arc::new(self);
        let reader = PipeReader {
            pipe: pipe.clone(),
            event: Event::new()?,
            timeout: None,
        };
        let writer = PipeWriter {
            pipe,
            event: Event::new()?,
        };
        Ok((reader, writer))
    }
}

/// A manual-reset event that an overlapped operation signals when it completes.
struct Event(OwnedHandle);

impl Event {
    fn new() -> io::Result<Event> {
        // SAFETY: no security attributes, no name; a null return is an error, checked below.
        let handle = unsafe { CreateEventW(std::ptr::null(), 1, 0, std::ptr::null()) };
        if handle.is_null() {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `handle` is a fresh, valid event handle that nothing else owns.
        Ok(Event(unsafe { OwnedHandle::from_raw_handle(handle) }))
    }
}

/// Which operation [`run_overlapped`] starts.
enum Op<'a> {
    Read(&'a mut [u8]),
    Write(&'a [u8]),
}

/// Starts `op` on `pipe` with `event` and waits for it to complete, at most `timeout` (then it is
/// cancelled and `TimedOut` returned). Returns the bytes transferred.
fn run_overlapped(
    pipe: &Pipe,
    event: &Event,
    op: Op<'_>,
    timeout: Option<Duration>,
) -> io::Result<usize> {
    let handle = pipe.raw();
    let mut overlapped = OVERLAPPED {
        hEvent: event.0.as_raw_handle(),
        ..Default::default()
    };
    // SAFETY: `handle` is our open pipe; the buffer and `overlapped` live on this frame, and this function
    // does not return before the operation has completed (waited for below, or cancelled and then waited
    // for), so the kernel never touches them after they are gone. Lengths are clamped to u32.
    let started = unsafe {
        match op {
            Op::Read(buf) => ReadFile(
                handle,
                buf.as_mut_ptr(),
                clamp_len(buf.len()),
                std::ptr::null_mut(),
                &mut overlapped,
            ),
            Op::Write(buf) => WriteFile(
                handle,
                buf.as_ptr(),
                clamp_len(buf.len()),
                std::ptr::null_mut(),
                &mut overlapped,
            ),
        }
    };
    if started == 0 {
        // SAFETY: reads the calling thread's last-error value.
        let err = unsafe { GetLastError() };
        if err != ERROR_IO_PENDING {
            return Err(io::Error::from_raw_os_error(err as i32));
        }
    }
    let wait_ms = timeout.map_or(INFINITE, |t| {
        u32::try_from(t.as_millis()).map_or(INFINITE - 1, |ms| ms.min(INFINITE - 1))
    });
    let mut transferred = 0u32;
    // SAFETY: `overlapped` is the structure the operation above was started with; not alertable.
    let done = unsafe { GetOverlappedResultEx(handle, &overlapped, &mut transferred, wait_ms, 0) };
    if done != 0 {
        return Ok(transferred as usize);
    }
    // SAFETY: as above.
    let err = unsafe { GetLastError() };
    if err != WAIT_TIMEOUT {
        return Err(io::Error::from_raw_os_error(err as i32));
    }
    // SAFETY: cancels only the operation started with `overlapped`, then waits (bWait = TRUE) until it
    // has really ended, so the buffer and `overlapped` may be released afterwards.
    let done = unsafe {
        CancelIoEx(handle, &overlapped);
        GetOverlappedResult(handle, &overlapped, &mut transferred, 1)
    };
    if done != 0 {
        return Ok(transferred as usize);
    }
    // SAFETY: as above.
    match unsafe { GetLastError() } {
        ERROR_OPERATION_ABORTED => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the relay did not answer in time",
        )),
        err => Err(io::Error::from_raw_os_error(err as i32)),
    }
}

fn clamp_len(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// The read direction. `Read` returns `Ok(0)` when the relay closed the pipe.
pub struct PipeReader {
    pipe: Arc<Pipe>,
    event: Event,
    timeout: Option<Duration>,
}

impl PipeReader {
    /// Sets how long one `read` may wait (`None`: forever); an expired wait is `TimedOut`.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }
}

impl Read for PipeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        match run_overlapped(&self.pipe, &self.event, Op::Read(buf), self.timeout) {
            Err(e)
                if e.raw_os_error() == Some(ERROR_BROKEN_PIPE as i32)
                    || e.raw_os_error() == Some(ERROR_PIPE_NOT_CONNECTED as i32) =>
            {
                Ok(0)
            }
            other => other,
        }
    }
}

/// The write direction.
pub struct PipeWriter {
    pipe: Arc<Pipe>,
    event: Event,
}

impl Write for PipeWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        run_overlapped(&self.pipe, &self.event, Op::Write(buf), None)
    }

    /// Nothing to do: a completed write is in the pipe (`FlushFileBuffers` would wait for the relay to
    /// read it).
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
