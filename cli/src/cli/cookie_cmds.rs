//! Cookies (CLI.md "Capture and diagnostics", PROTOCOL.md §3.5): `cookie-import --cookies-file FILE` ->
//! `storage.setCookies {cookies, strict}`, `cookie-list [--url URL]...` -> `storage.getCookies {urls?}`.
//!
//! The cookies file is read and checked here, before the daemon is contacted: a missing, unreadable or
//! malformed file is a usage error (exit 1) naming the file.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{json, Value};

use super::args::params;
use super::interact_cmds::Request;
use super::page_cmds::Scope;
use super::Ctx;
use crate::exit::CliError;
use crate::output::{scalar, Outcome};

/// `storage.setCookies {cookies:[{name, value, url|domain, path?, expires?, httpOnly?, secure?, sameSite?}],
/// strict}` -> `{requestId, imported, rejected:[{index, reason}]}` (CDP `Network.setCookies`).
pub const STORAGE_SET_COOKIES: &str = "storage.setCookies";
/// `storage.getCookies {urls?}` -> `{requestId, cookies:[{name, value, domain, path, expires, httpOnly, secure,
/// sameSite?}], count}`.
pub const STORAGE_GET_COOKIES: &str = "storage.getCookies";

/// `cookie-import --cookies-file FILE [--strict | --no-strict]`.
#[derive(Args, Debug)]
pub struct CookieImportArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// A JSON file holding an array of cookie objects (`{name, value, url|domain, path?, expires?, httpOnly?,
    /// secure?, sameSite?}`), or an object `{"cookies": [...]}`.
    #[arg(long = "cookies-file")]
    pub cookies_file: PathBuf,
    /// Import in strict mode: sends `strict: true`, which is also the default without either flag
    /// (PROTOCOL.md §3.5); cookies the extension refuses are listed under `rejected`.
    #[arg(long, overrides_with = "no_strict")]
    pub strict: bool,
    /// Turn strict mode off: sends `strict: false` (the last of --strict/--no-strict wins).
    #[arg(long = "no-strict", overrides_with = "strict")]
    pub no_strict: bool,
}

impl CookieImportArgs {
    /// The wire `strict` flag: true unless `--no-strict` came last.
    pub fn strict(&self) -> bool {
        !self.no_strict
    }

    /// `{sessionId, targetId?, cookies:[...], strict}` with the cookies read from `--cookies-file`.
    ///
    /// # Errors
    /// A usage error (exit 1) per [`load_cookies`].
    pub fn params(&self) -> Result<Value, CliError> {
        let cookies = load_cookies(&self.cookies_file)?;
        Ok(params(
            &self.scope.session,
            Some(&self.scope.target),
            &[
                ("cookies", Some(Value::Array(cookies))),
                ("strict", Some(json!(self.strict()))),
            ],
        ))
    }
}

/// `cookie-list [--url URL]...`.
#[derive(Args, Debug)]
pub struct CookieListArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// Only cookies that would be sent to this http(s) URL; repeat the flag for several (default: the
    /// cookies of the page's URL).
    #[arg(long = "url", value_parser = http_url)]
    pub urls: Vec<String>,
}

impl CookieListArgs {
    /// `{sessionId, targetId?, urls?}` (`urls` only when at least one `--url` was given; duplicates dropped).
    pub fn params(&self) -> Value {
        let mut urls: Vec<&String> = Vec::new();
        for url in &self.urls {
            if !urls.contains(&url) {
                urls.push(url);
            }
        }
        let urls = (!urls.is_empty()).then(|| json!(urls));
        params(
            &self.scope.session,
            Some(&self.scope.target),
            &[("urls", urls)],
        )
    }
}

/// `--url`: an `http://` or `https://` URL with something after the scheme.
///
/// # Errors
/// A usage-error message for any other value.
pub fn http_url(raw: &str) -> Result<String, String> {
    let url = raw.trim();
    let lower = url.to_ascii_lowercase();
    let rest = ["http://", "https://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => Ok(url.to_string()),
        _ => Err(format!("expected an http(s) URL, got {raw:?}")),
    }
}

/// Reads a cookies file: a JSON array of cookie objects, or `{"cookies": [...]}`. Each cookie needs string
/// `name` and `value`; `sameSite`, when present, is `Strict`, `Lax` or `None`. Other fields pass through for
/// the extension to check.
///
/// # Errors
/// A usage error (exit 1) naming the file when it cannot be read, is not JSON, has another shape, holds no
/// cookies, or holds a cookie without a string name and value.
pub fn load_cookies(path: &Path) -> Result<Vec<Value>, CliError> {
    let shown = path.display();
    let raw = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read --cookies-file {shown}: {e}")))?;
    let value: Value = serde_json::from_str(&raw)
        .map_err(|e| CliError::usage(format!("--cookies-file {shown} is not valid JSON: {e}")))?;
    let cookies = match value {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("cookies") {
            Some(Value::Array(items)) => items,
            _ => return Err(shape_error(path)),
        },
        _ => return Err(shape_error(path)),
    };
    if cookies.is_empty() {
        return Err(CliError::usage(format!(
            "--cookies-file {shown} holds no cookies"
        )));
    }
    for (index, cookie) in cookies.iter().enumerate() {
        check_cookie(cookie).map_err(|why| {
            CliError::usage(format!("--cookies-file {shown}: cookie #{index} {why}"))
        })?;
    }
    Ok(cookies)
}

fn shape_error(path: &Path) -> CliError {
    CliError::usage(format!(
        "--cookies-file {} must hold a JSON array of cookie objects or {{\"cookies\": [...]}}",
        path.display()
    ))
}

fn check_cookie(cookie: &Value) -> Result<(), String> {
    let Value::Object(map) = cookie else {
        return Err("is not an object".into());
    };
    for key in ["name", "value"] {
        if !map.get(key).is_some_and(Value::is_string) {
            return Err(format!("needs a string \"{key}\""));
        }
    }
    match map.get("sameSite") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) if ["Strict", "Lax", "None"].contains(&s.as_str()) => Ok(()),
        Some(other) => Err(format!(
            "has sameSite {other}; expected Strict, Lax or None"
        )),
    }
}

/// `cookie-import` -> `storage.setCookies {cookies, strict}`.
///
/// # Errors
/// See [`CookieImportArgs::params`].
pub fn import(a: &CookieImportArgs) -> Result<Request, CliError> {
    Ok((STORAGE_SET_COOKIES, a.params()?))
}

/// `cookie-list` -> `storage.getCookies {urls?}`.
pub fn list(a: &CookieListArgs) -> Request {
    (STORAGE_GET_COOKIES, a.params())
}

/// Text of a `storage.setCookies` result: `imported: N`, then `rejected #i: reason` per rejected cookie.
pub fn import_text(data: &Value) -> String {
    let mut lines = vec![format!("imported: {}", scalar(&data["imported"]))];
    for r in data["rejected"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        lines.push(format!(
            "rejected #{}: {}",
            scalar(&r["index"]),
            scalar(&r["reason"])
        ));
    }
    lines.join("\n")
}

/// Text of a `storage.getCookies` result: `name=value  domain path` plus the set flags (`httpOnly`, `secure`,
/// `sameSite=X`, `expires=N` for a persistent cookie) per cookie; `(no cookies)` when empty.
pub fn cookies_text(data: &Value) -> String {
    let cookies = data["cookies"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if cookies.is_empty() {
        return "(no cookies)".into();
    }
    cookies
        .iter()
        .map(cookie_line)
        .collect::<Vec<_>>()
        .join("\n")
}

fn cookie_line(c: &Value) -> String {
    let mut line = format!(
        "{}={}  {} {}",
        scalar(&c["name"]),
        scalar(&c["value"]),
        scalar(&c["domain"]),
        scalar(&c["path"])
    );
    for flag in ["httpOnly", "secure"] {
        if c[flag] == true {
            line.push(' ');
            line.push_str(flag);
        }
    }
    if let Some(same_site) = c.get("sameSite").and_then(Value::as_str) {
        line.push_str(&format!(" sameSite={same_site}"));
    }
    // CDP reports session cookies with expires -1.
    if c["expires"].as_f64().is_some_and(|e| e > 0.0) {
        line.push_str(&format!(" expires={}", scalar(&c["expires"])));
    }
    line
}

/// Sends `cookie-import`; text output per [`import_text`].
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn send_import(request: Request, ctx: &Ctx) -> Result<Outcome, CliError> {
    let (name, params) = request;
    let data = ctx.client()?.command(name, params).await?;
    Ok(Outcome::data(data.clone(), import_text(&data)))
}

/// Sends `cookie-list`; text output per [`cookies_text`], `stream-json` prints one cookie per line.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn send_list(request: Request, ctx: &Ctx) -> Result<Outcome, CliError> {
    let (name, params) = request;
    let data = ctx.client()?.command(name, params).await?;
    let items = data["cookies"].as_array().cloned().unwrap_or_default();
    Ok(Outcome::data(data.clone(), cookies_text(&data)).with_items(items))
}
