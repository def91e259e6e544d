//! The Windows named pipe of a native directory: `\\.\pipe\opendevbrowser-native-<16 hex>`, where the hex
//! is the 64-bit FNV-1a hash of the directory path's text (lossy UTF-8, ASCII-lowercased because Windows
//! paths are case-insensitive). The native directory is per user (by default
//! `%USERPROFILE%\.config\opendevbrowser\native`), so the name is too, and a relay and a host that agree
//! on the directory (the same `ODB_NATIVE_DIR` or config directory) agree on the pipe. The host computes
//! the same name (`native-host/src/paths.rs`); both crates pin the same test vector.
//!
//! The name is not a secret and not a security boundary: an impostor can squat it, which is why the relay
//! creates it with `FILE_FLAG_FIRST_PIPE_INSTANCE` and the host checks the server's user (docs/NATIVE.md).
//! Compiled on every platform so the derivation is tested everywhere.

use std::path::Path;

/// The pipe-name prefix before the hash.
pub const PIPE_PREFIX: &str = r"\\.\pipe\opendevbrowser-native-";

/// The pipe path for native directory `dir`.
pub fn pipe_name(dir: &Path) -> String {
    format!("{PIPE_PREFIX}{:016x}", fnv1a64(&dir.to_string_lossy()))
}

/// 64-bit FNV-1a of `text`'s ASCII-lowercased bytes (stable across Rust versions, unlike `DefaultHasher`).
fn fnv1a64(text: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    text.bytes().fold(OFFSET, |hash, byte| {
        (hash ^ u64::from(byte.to_ascii_lowercase())).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_stable_per_directory_and_case_insensitive() {
        // FNV-1a reference vectors: "" and "a".
        assert_eq!(fnv1a64(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64("a"), 0xaf63_dc4c_8601_ec8c);
        // The test vector the host's `paths::pipe_name` test pins too.
        let dir = Path::new(r"C:\Users\Ada\.config\opendevbrowser\native");
        assert_eq!(
            pipe_name(dir),
            pipe_name(Path::new(r"c:\users\ada\.config\OpenDevBrowser\native"))
        );
        assert_eq!(pipe_name(dir), PIPE_VECTOR);
        assert_ne!(
            pipe_name(dir),
            pipe_name(Path::new(r"C:\Users\Bob\.config\opendevbrowser\native"))
        );
    }

    /// The expected name for `C:\Users\Ada\.config\opendevbrowser\native`.
    const PIPE_VECTOR: &str = r"\\.\pipe\opendevbrowser-native-bccb1e487b2401f8";
}
