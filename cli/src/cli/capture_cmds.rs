//! `screenshot [--path FILE] [--full-page | --ref r12] [--timeout-ms N]` -> `page.screenshot` (CLI.md
//! "Capture"; PROTOCOL.md §3.5). The base64 PNG is decoded and written; output carries `path` and
//! `artifact_path`, never the image data.

use std::path::{Path, PathBuf};

use base64::Engine;
use clap::Args;
use serde_json::{json, Value};

use super::args::{params, positive_u64};
use super::page_cmds::Scope;
use super::Ctx;
use crate::exit::CliError;
use crate::output::Outcome;

/// `screenshot` flags.
#[derive(Args, Debug)]
pub struct ScreenshotArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// Where to write the PNG (default `.opendevbrowser/screenshot/<uuid>/capture.png`).
    #[arg(long)]
    pub path: Option<PathBuf>,
    /// Capture the whole page, beyond the viewport.
    #[arg(long = "full-page", conflicts_with = "reference")]
    pub full_page: bool,
    /// Capture only this element.
    #[arg(long = "ref")]
    pub reference: Option<String>,
    /// Timeout in ms.
    #[arg(long = "timeout-ms", value_parser = positive_u64)]
    pub timeout_ms: Option<u64>,
}

/// The default screenshot path, relative to the working directory.
pub fn default_path() -> PathBuf {
    Path::new(".opendevbrowser")
        .join("screenshot")
        .join(uuid::Uuid::new_v4().to_string())
        .join("capture.png")
}

/// Decodes `base64` and writes it to `path` (creating parent directories); returns the absolute path.
///
/// # Errors
/// Exit 2 when the data is not base64 or the file cannot be written.
pub fn write_png(path: &Path, base64: &str) -> Result<PathBuf, CliError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.trim())
        .map_err(|e| CliError::execution(format!("the screenshot is not valid base64: {e}")))?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| CliError::execution(format!("cannot create {}: {e}", parent.display())))?;
    }
    std::fs::write(path, &bytes)
        .map_err(|e| CliError::execution(format!("cannot write {}: {e}", path.display())))?;
    Ok(std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Captures and writes the PNG.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors or write failures.
pub async fn screenshot(a: ScreenshotArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let fields = [
        ("ref", a.reference.clone().map(Value::from)),
        ("fullPage", a.full_page.then_some(Value::Bool(true))),
        ("timeoutMs", a.timeout_ms.map(Value::from)),
    ];
    let p = params(&a.scope.session, Some(&a.scope.target), &fields);
    let data = ctx.client()?.command("page.screenshot", p).await?;
    let b64 = data["base64"]
        .as_str()
        .ok_or_else(|| CliError::execution("the screenshot reply has no image data"))?;
    let path = a.path.unwrap_or_else(default_path);
    let absolute = write_png(&path, b64)?;
    let mut out = json!({"path": path.display().to_string(), "artifact_path": absolute.display().to_string()});
    let mut text = path.display().to_string();
    if let Some(w) = data.get("warning").and_then(Value::as_str) {
        out["warning"] = json!(w);
        text.push_str(&format!("\nwarning: {w}"));
    }
    Ok(Outcome::data(out, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_path_shape() {
        let p = default_path();
        let parts: Vec<_> = p.iter().map(|s| s.to_string_lossy().to_string()).collect();
        assert_eq!(parts[0], ".opendevbrowser");
        assert_eq!(parts[1], "screenshot");
        assert_eq!(parts[2].len(), 36);
        assert_eq!(parts[3], "capture.png");
    }

    #[test]
    fn write_png_decodes_and_creates_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a/b/shot.png");
        let bytes = b"\x89PNG\r\n\x1a\nrest";
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        let abs = write_png(&path, &b64).unwrap();
        assert!(abs.is_absolute());
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        assert!(write_png(&path, "***").is_err());
    }
}
