//! The trust rule for files in the native directory (SECURITY.md checklist E8): a path the host reads or dials
//! through must be owned by our user, be of the expected kind (a symlink never is) and give no access to group
//! or others. Used for the directory, `relay.token` (the relay link) and `relay.pairing.json` (pairing).

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Our effective uid.
pub fn my_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Checks `meta` (from `symlink_metadata` of `path`) against the rule, for owner `uid`.
///
/// # Errors
/// Why not, naming the path: the wrong kind, another owner, or group/other mode bits.
pub fn check(
    path: &Path,
    meta: &std::fs::Metadata,
    want_dir: bool,
    uid: u32,
) -> Result<(), String> {
    let kind_ok = if want_dir {
        meta.is_dir()
    } else {
        meta.is_file()
    };
    if !kind_ok {
        return Err(format!(
            "{} has the wrong type (or is a symlink)",
            path.display()
        ));
    }
    if meta.uid() != uid {
        return Err(format!("{} belongs to uid {}", path.display(), meta.uid()));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(format!(
            "{} has mode {:o} (group/other access)",
            path.display(),
            meta.mode() & 0o777
        ));
    }
    Ok(())
}
