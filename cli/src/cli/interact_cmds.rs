//! Interaction commands beyond click/type/press (CLI.md "Interaction", PROTOCOL.md §3.5):
//! `hover`, `check`, `uncheck`, `select`, `scroll`, `scroll-into-view`, `upload`.

use std::path::Path;

use clap::Args;
use serde_json::{json, Value};

use super::args::params;
use super::page_cmds::Scope;
use super::Ctx;
use crate::exit::CliError;
use crate::output::{key_values, Outcome};

// Wire names missing from `odb_protocol::commands` (PROTOCOL.md §3.5).
/// `interact.hover {ref}` -> `{timingMs}`.
pub const INTERACT_HOVER: &str = "interact.hover";
/// `interact.check {ref}` -> `{timingMs}`.
pub const INTERACT_CHECK: &str = "interact.check";
/// `interact.uncheck {ref}` -> `{timingMs}`.
pub const INTERACT_UNCHECK: &str = "interact.uncheck";
/// `interact.select {ref, values:[...]}` -> `{}`.
pub const INTERACT_SELECT: &str = "interact.select";
/// `interact.scroll {dy, ref?}` -> `{}`.
pub const INTERACT_SCROLL: &str = "interact.scroll";
/// `interact.scrollIntoView {ref}` -> `{timingMs}`.
pub const INTERACT_SCROLL_INTO_VIEW: &str = "interact.scrollIntoView";
/// `interact.upload {ref, files:[absolute paths]}` -> `{targetId, fileCount, mode}` (`mode` is
/// `direct_input` or `file_chooser`).
pub const INTERACT_UPLOAD: &str = "interact.upload";

/// Flags of a command that takes only an element: `--ref r12` (plus session and target).
#[derive(Args, Debug)]
pub struct RefArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// The element ref from a snapshot.
    #[arg(long = "ref")]
    pub reference: String,
}

impl RefArgs {
    /// `{sessionId, targetId?, ref}`.
    pub fn params(&self) -> Value {
        scoped(&self.scope, &[("ref", Some(json!(self.reference)))])
    }
}

/// `select --ref r12 --values a,b`.
#[derive(Args, Debug)]
pub struct SelectArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// The `<select>` element ref from a snapshot.
    #[arg(long = "ref")]
    pub reference: String,
    /// Option values to select, comma-separated (at least one; no empty items).
    #[arg(long, allow_hyphen_values = true, value_parser = comma_values)]
    pub values: Values,
}

/// The comma-separated items of `--values`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Values(pub Vec<String>);

impl SelectArgs {
    /// `{sessionId, targetId?, ref, values:[...]}`.
    pub fn params(&self) -> Value {
        scoped(
            &self.scope,
            &[
                ("ref", Some(json!(self.reference))),
                ("values", Some(json!(self.values.0))),
            ],
        )
    }
}

/// `scroll --dy N [--ref r12]`.
#[derive(Args, Debug)]
pub struct ScrollArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// Pixels to scroll down (negative scrolls up), in plain decimal digits.
    #[arg(long, allow_negative_numbers = true, value_parser = signed_i64)]
    pub dy: i64,
    /// Scroll this element instead of the page.
    #[arg(long = "ref")]
    pub reference: Option<String>,
}

impl ScrollArgs {
    /// `{sessionId, targetId?, dy, ref?}`.
    pub fn params(&self) -> Value {
        scoped(
            &self.scope,
            &[
                ("dy", Some(json!(self.dy))),
                ("ref", self.reference.clone().map(Value::from)),
            ],
        )
    }
}

/// `upload --ref r12 --files ./a.png,./b.png`.
#[derive(Args, Debug)]
pub struct UploadArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// The file input (or the element that opens a file chooser) ref from a snapshot.
    #[arg(long = "ref")]
    pub reference: String,
    /// Files to upload, comma-separated; relative paths are resolved against the current directory and
    /// every file must exist (the browser gets absolute paths).
    #[arg(long, allow_hyphen_values = true, value_parser = comma_values)]
    pub files: Values,
}

impl UploadArgs {
    /// `{sessionId, targetId?, ref, files:[absolute paths]}`, each file resolved against `cwd`.
    ///
    /// # Errors
    /// A usage error (exit 1) naming the first file that does not exist, is not a regular file, or whose
    /// path is not UTF-8.
    pub fn params(&self, cwd: &Path) -> Result<Value, CliError> {
        let files = self
            .files
            .0
            .iter()
            .map(|f| absolute_file(cwd, f))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(scoped(
            &self.scope,
            &[
                ("ref", Some(json!(self.reference))),
                ("files", Some(json!(files))),
            ],
        ))
    }
}

/// The absolute, canonical path of the existing regular file `raw` (relative to `cwd` unless absolute).
///
/// # Errors
/// A usage error (exit 1) naming `raw` when it does not exist, cannot be resolved, is not a regular file, or
/// is not valid UTF-8.
pub fn absolute_file(cwd: &Path, raw: &str) -> Result<String, CliError> {
    // `components()` drops inner `.` segments, so the message shows `/dir/a.png`, not `/dir/./a.png`.
    let joined: std::path::PathBuf = cwd.join(raw).components().collect();
    let canonical = std::fs::canonicalize(&joined).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            CliError::usage(format!(
                "--files: {raw} does not exist (looked for {})",
                joined.display()
            ))
        } else {
            CliError::usage(format!("--files: cannot resolve {raw}: {e}"))
        }
    })?;
    if !canonical.is_file() {
        return Err(CliError::usage(format!(
            "--files: {raw} is not a regular file"
        )));
    }
    canonical
        .to_str()
        .map(str::to_string)
        .ok_or_else(|| CliError::usage(format!("--files: the path of {raw} is not valid UTF-8")))
}

/// `--values a,b`: split on commas.
///
/// # Errors
/// A usage-error message when the flag or one of its items is empty.
pub fn comma_values(raw: &str) -> Result<Values, String> {
    if raw.is_empty() {
        return Err("expected at least one value (a,b,...)".into());
    }
    let items: Vec<String> = raw.split(',').map(str::to_string).collect();
    if items.iter().any(String::is_empty) {
        return Err(format!("empty item in {raw:?}"));
    }
    Ok(Values(items))
}

/// A signed whole number in plain decimal digits with an optional leading `-` (`+5`, `0x10`, `1e3` refused).
///
/// # Errors
/// A usage-error message for anything else or a value outside `i64`.
pub fn signed_i64(raw: &str) -> Result<i64, String> {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "expected a whole number in plain digits (e.g. 500 or -500), got {raw:?}"
        ));
    }
    raw.parse::<i64>()
        .map_err(|_| format!("{raw} is out of range"))
}

fn scoped(scope: &Scope, fields: &[(&str, Option<Value>)]) -> Value {
    params(&scope.session, Some(&scope.target), fields)
}

/// A daemon request: the `/ops` command name and its params.
pub type Request = (&'static str, Value);

/// `hover` -> `interact.hover {ref}`.
pub fn hover(a: &RefArgs) -> Request {
    (INTERACT_HOVER, a.params())
}

/// `check` -> `interact.check {ref}`.
pub fn check(a: &RefArgs) -> Request {
    (INTERACT_CHECK, a.params())
}

/// `uncheck` -> `interact.uncheck {ref}`.
pub fn uncheck(a: &RefArgs) -> Request {
    (INTERACT_UNCHECK, a.params())
}

/// `select` -> `interact.select {ref, values}`.
pub fn select(a: &SelectArgs) -> Request {
    (INTERACT_SELECT, a.params())
}

/// `scroll` -> `interact.scroll {dy, ref?}`.
pub fn scroll(a: &ScrollArgs) -> Request {
    (INTERACT_SCROLL, a.params())
}

/// `scroll-into-view` -> `interact.scrollIntoView {ref}`.
pub fn scroll_into_view(a: &RefArgs) -> Request {
    (INTERACT_SCROLL_INTO_VIEW, a.params())
}

/// `upload` -> `interact.upload {ref, files}` with the files made absolute against `cwd`.
///
/// # Errors
/// See [`UploadArgs::params`].
pub fn upload(a: &UploadArgs, cwd: &Path) -> Result<Request, CliError> {
    Ok((INTERACT_UPLOAD, a.params(cwd)?))
}

/// Sends an interaction request; text output is the result fields (`key: value` lines, like `click`).
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors (e.g. the stale-ref error).
pub async fn send(request: Request, ctx: &Ctx) -> Result<Outcome, CliError> {
    let (name, params) = request;
    let data = ctx.client()?.command(name, params).await?;
    Ok(Outcome::ack(data.clone(), key_values(&data)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_numbers_are_plain_digits() {
        assert_eq!(signed_i64("500"), Ok(500));
        assert_eq!(signed_i64("-500"), Ok(-500));
        assert_eq!(signed_i64("0"), Ok(0));
        for bad in [
            "1e3",
            "0x10",
            "+5",
            "-",
            "",
            "--5",
            " 5",
            "5.0",
            "-0x1",
            "99999999999999999999",
        ] {
            assert!(signed_i64(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn values_split_on_commas() {
        assert_eq!(comma_values("a"), Ok(Values(vec!["a".into()])));
        assert_eq!(
            comma_values("a,b c,-d"),
            Ok(Values(vec!["a".into(), "b c".into(), "-d".into()]))
        );
        for bad in ["", ",", "a,", ",a", "a,,b"] {
            assert!(comma_values(bad).is_err(), "{bad:?} accepted");
        }
    }
}
