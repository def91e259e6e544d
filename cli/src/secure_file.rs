//! Owner-only files for secrets: refuse symlinks, foreign owners and open modes; write atomically with 0600
//! (SECURITY.md §1.4 "Storage", checklist A15).

use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why a secret file or its directory was refused. Every message says how to fix it and names no token.
#[derive(Debug, thiserror::Error)]
pub enum SecureFileError {
    /// The path is a symbolic link.
    #[error("refusing to use {0}: it is a symbolic link. Fix: replace it with a regular file (or remove it to \
             generate a new one)")]
    Symlink(PathBuf),
    /// Someone else owns it.
    #[error("refusing to use {path}: it is owned by uid {owner}, not by you (uid {me}). Fix: remove it, or run \
             as its owner")]
    ForeignOwner {
        /// The path.
        path: PathBuf,
        /// Its owner.
        owner: u32,
        /// Our effective uid.
        me: u32,
    },
    /// Group or others may read or write the file.
    #[error("refusing to use {path}: it is readable or writable by group/others (mode {mode:04o}). Fix: \
             chmod 600 {path} (and delete it to rotate the tokens if others may have read it)")]
    OpenMode {
        /// The path.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Others may write the directory.
    #[error("refusing to use directory {path}: it is writable by others (mode {mode:04o}). Fix: chmod 700 {path}")]
    OpenDir {
        /// The directory.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The path exists but is not a regular file (or directory, for the directory check).
    #[error("refusing to use {0}: it is not a regular file")]
    NotRegular(PathBuf),
    /// The file changed between the check and the open.
    #[error("refusing to use {0}: it changed while being opened")]
    Raced(PathBuf),
    /// An I/O error.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SecureFileError + '_ {
    move |source| SecureFileError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Our effective uid: the owner of `/proc/self` on Linux, else the owner of a probe file we create.
pub fn current_uid() -> u32 {
    if let Ok(meta) = fs::metadata("/proc/self") {
        return meta.uid();
    }
    let probe = std::env::temp_dir().join(format!("odb-uid-probe-{}", uuid::Uuid::new_v4()));
    let uid = fs::File::create(&probe)
        .and_then(|f| f.metadata())
        .map(|m| m.uid())
        .unwrap_or(u32::MAX);
    let _ = fs::remove_file(&probe);
    uid
}

/// Creates `dir` (and parents) if needed, then checks it: not a symlink, owned by us, not writable by others.
/// Group/other permission bits on a directory we own are tightened to 0700.
///
/// # Errors
/// [`SecureFileError`] when the directory cannot be made safe.
pub fn ensure_private_dir(dir: &Path) -> Result<(), SecureFileError> {
    if fs::symlink_metadata(dir).is_err() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io(dir))?;
    }
    let meta = fs::symlink_metadata(dir).map_err(io(dir))?;
    if meta.file_type().is_symlink() {
        return Err(SecureFileError::Symlink(dir.to_path_buf()));
    }
    if !meta.is_dir() {
        return Err(SecureFileError::NotRegular(dir.to_path_buf()));
    }
    let me = current_uid();
    if meta.uid() != me {
        return Err(SecureFileError::ForeignOwner {
            path: dir.to_path_buf(),
            owner: meta.uid(),
            me,
        });
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o002 != 0 {
        return Err(SecureFileError::OpenDir {
            path: dir.to_path_buf(),
            mode,
        });
    }
    if mode & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io(dir))?;
    }
    Ok(())
}

/// Reads a secret file after checking it: regular, not a symlink, ours, mode without group/other bits.
/// Returns `Ok(None)` when it does not exist.
///
/// # Errors
/// [`SecureFileError`] for any refusal or I/O failure.
pub fn read_private(path: &Path) -> Result<Option<String>, SecureFileError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    check_file_meta(path, &meta)?;
    let mut file = fs::File::open(path).map_err(io(path))?;
    let opened = file.metadata().map_err(io(path))?;
    if opened.ino() != meta.ino() || opened.dev() != meta.dev() {
        return Err(SecureFileError::Raced(path.to_path_buf()));
    }
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(io(path))?;
    Ok(Some(text))
}

fn check_file_meta(path: &Path, meta: &fs::Metadata) -> Result<(), SecureFileError> {
    if meta.file_type().is_symlink() {
        return Err(SecureFileError::Symlink(path.to_path_buf()));
    }
    if !meta.is_file() {
        return Err(SecureFileError::NotRegular(path.to_path_buf()));
    }
    let me = current_uid();
    if meta.uid() != me {
        return Err(SecureFileError::ForeignOwner {
            path: path.to_path_buf(),
            owner: meta.uid(),
            me,
        });
    }
    let mode = meta.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        return Err(SecureFileError::OpenMode {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

/// Writes `text` to `path` atomically: a fresh 0600 temp file in the same directory, fsync, rename.
///
/// # Errors
/// [`SecureFileError::Io`] on failure (the temp file is removed).
pub fn write_private(path: &Path, text: &str) -> Result<(), SecureFileError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.{}.tmp", uuid::Uuid::new_v4()));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_private_dir_and_tightens_group_bits() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        ensure_private_dir(&dir).unwrap();
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o750)).unwrap();
        ensure_private_dir(&dir).unwrap();
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
    }

    #[test]
    fn refuses_world_writable_and_symlinked_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("open");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        let err = ensure_private_dir(&dir).unwrap_err();
        assert!(matches!(err, SecureFileError::OpenDir { .. }), "{err}");
        assert!(err.to_string().contains("chmod 700"));
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(tmp.path(), &link).unwrap();
        assert!(matches!(
            ensure_private_dir(&link),
            Err(SecureFileError::Symlink(_))
        ));
    }

    #[test]
    fn write_then_read_round_trips_with_0600() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("secret.json");
        assert!(read_private(&path).unwrap().is_none());
        write_private(&path, "{\"a\":1}").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(read_private(&path).unwrap().as_deref(), Some("{\"a\":1}"));
        write_private(&path, "{}").unwrap();
        assert_eq!(read_private(&path).unwrap().as_deref(), Some("{}"));
        let leftovers = fs::read_dir(tmp.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temp files left behind");
    }

    #[test]
    fn refuses_open_modes_and_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("secret.json");
        write_private(&path, "{}").unwrap();
        for mode in [0o640, 0o604, 0o620, 0o666] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            let err = read_private(&path).unwrap_err();
            assert!(
                matches!(err, SecureFileError::OpenMode { .. }),
                "mode {mode:o}: {err}"
            );
            assert!(err.to_string().contains("chmod 600"));
        }
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let link = tmp.path().join("link.json");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(matches!(
            read_private(&link),
            Err(SecureFileError::Symlink(_))
        ));
        fs::create_dir(tmp.path().join("dir.json")).unwrap();
        assert!(matches!(
            read_private(&tmp.path().join("dir.json")),
            Err(SecureFileError::NotRegular(_))
        ));
    }

    #[test]
    fn refuses_files_owned_by_someone_else() {
        if current_uid() != 0 {
            eprintln!("skipped: only root can chown a file to another user");
            return;
        }
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("secret.json");
        write_private(&path, "{}").unwrap();
        std::os::unix::fs::chown(&path, Some(65534), None).unwrap();
        let err = read_private(&path).unwrap_err();
        assert!(
            matches!(err, SecureFileError::ForeignOwner { owner: 65534, .. }),
            "{err}"
        );
        let dir = tmp.path().join("theirs");
        fs::create_dir(&dir).unwrap();
        std::os::unix::fs::chown(&dir, Some(65534), None).unwrap();
        assert!(matches!(
            ensure_private_dir(&dir),
            Err(SecureFileError::ForeignOwner { .. })
        ));
    }

    #[test]
    fn current_uid_owns_new_files() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("f");
        fs::write(&path, "x").unwrap();
        assert_eq!(fs::metadata(&path).unwrap().uid(), current_uid());
    }
}
