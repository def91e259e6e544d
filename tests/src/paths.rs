//! Where the built artefacts are: the workspace root, the `opendevbrowser` binary and `dist/extension`.

use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The cargo target directory (`$CARGO_TARGET_DIR` or `<root>/target`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The `opendevbrowser` binary: `$ODB_BIN`, else `target/debug/opendevbrowser` (built by `cargo build -p
/// opendevbrowser`, which `scripts/test.sh` runs first).
pub fn cli_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("ODB_BIN") {
        return PathBuf::from(p);
    }
    let path = target_dir().join("debug").join("opendevbrowser");
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build -p opendevbrowser` first",
        path.display()
    );
    path
}

/// The built extension: `$ODB_EXTENSION_DIR`, else `<root>/dist/extension` (scripts/build-extension.sh).
pub fn extension_dir() -> PathBuf {
    let dir = std::env::var_os("ODB_EXTENSION_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("dist").join("extension"));
    assert!(
        dir.join("manifest.json").is_file(),
        "{} is missing: run scripts/build-extension.sh",
        dir.display()
    );
    dir
}

/// The fixture pages.
pub fn fixtures_dir() -> PathBuf {
    workspace_root().join("tests").join("fixtures")
}
