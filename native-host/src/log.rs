//! The host's log: a file in the native directory, rotated at [`ROTATE_BYTES`], else stderr.
//! Never stdout: stdout carries frames only (SECURITY.md §2 rule 3, checklist E5).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Size at which `host.log` is renamed to `host.log.1` (5 MiB, as upstream's host log).
pub const ROTATE_BYTES: u64 = 5 * 1024 * 1024;

/// A line logger shared by the host's threads.
pub struct Log {
    inner: Mutex<Inner>,
}

struct Inner {
    path: Option<PathBuf>,
    file: Option<File>,
}

impl Log {
    /// Logs to `path` (appending, rotating when it is over [`ROTATE_BYTES`]); to stderr when `None` or
    /// when the file cannot be opened.
    pub fn open(path: Option<PathBuf>) -> Log {
        let file = path.as_deref().and_then(|p| open_rotated(p).ok());
        Log {
            inner: Mutex::new(Inner { path, file }),
        }
    }

    /// Writes one line, prefixed with the time (ms since the Unix epoch) and our pid.
    pub fn line(&self, text: &str) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let line = format!("{now} pid={} {text}\n", std::process::id());
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let rotate = inner
            .file
            .as_ref()
            .and_then(|f| f.metadata().ok())
            .map(|m| m.len())
            > Some(ROTATE_BYTES);
        if rotate {
            inner.file = inner.path.as_deref().and_then(|p| open_rotated(p).ok());
        }
        let written = inner
            .file
            .as_mut()
            .is_some_and(|f| f.write_all(line.as_bytes()).is_ok());
        if !written {
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
    }
}

/// Opens `path` for appending, first renaming it to `<path>.1` when it is over [`ROTATE_BYTES`].
fn open_rotated(path: &Path) -> std::io::Result<File> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() > ROTATE_BYTES) {
        let mut old = path.as_os_str().to_owned();
        old.push(".1");
        std::fs::rename(path, PathBuf::from(old))?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_a_full_log() {
        let dir = std::env::temp_dir().join(format!("odb-host-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("host.log");
        std::fs::write(&path, vec![b'x'; ROTATE_BYTES as usize + 1]).unwrap();
        Log::open(Some(path.clone())).line("fresh");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.ends_with("fresh\n") && text.len() < 100, "{text:?}");
        assert_eq!(
            std::fs::metadata(dir.join("host.log.1")).unwrap().len(),
            ROTATE_BYTES + 1
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
