//! `storage.setCookies`, `storage.getCookies` over `Network.setCookies`/`Network.getCookies` (PROTOCOL.md §3.5).
//! Both are target-queued (§3.4) and act on the cookie store of the target's browser profile through the
//! target's debugger session; `requestId` in the payload is echoed, or a new id is made.

mod cookie_input;
mod cookie_list;

pub use cookie_input::{validate_cookie, CookieParam};
pub use cookie_list::{cookie_record, url_filters};

use serde_json::{json, Value};

use crate::cdp;
use crate::commands::Ctx;
use crate::errors::{invalid_request, map_host_error, CmdResult, TabRef};
use crate::host::{Host, HostError, TabId};

/// `storage.setCookies`.
pub const SET_COOKIES: &str = "storage.setCookies";
/// `storage.getCookies`.
pub const GET_COOKIES: &str = "storage.getCookies";

/// The wire names this module implements.
pub const COMMANDS: &[&str] = &[SET_COOKIES, GET_COOKIES];

/// The most cookies one `storage.setCookies` accepts (Chrome keeps at most 180 per domain and 3300 in all).
pub const MAX_COOKIES_PER_CALL: usize = 1_000;

/// Runs one of this module's commands.
///
/// # Errors
/// See [`set_cookies`] and [`get_cookies`].
pub async fn run<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    match ctx.command.as_str() {
        SET_COOKIES => set_cookies(ctx).await,
        GET_COOKIES => get_cookies(ctx).await,
        other => Err(invalid_request(format!("Unknown ops command: {other}"))),
    }
}

/// `payload.requestId` (trimmed) or a fresh id.
fn request_id<H: Host>(ctx: &Ctx<H>) -> String {
    ctx.str_arg("requestId")
        .unwrap_or_else(|| ctx.host().new_id())
}

/// One rejected entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    /// Its index in `cookies`.
    pub index: usize,
    /// Why (a sentence naming the cookie, never its value).
    pub reason: String,
}

/// Splits `entries` into the valid CDP cookie params (with their index) and the rejections.
pub fn validate_all(entries: &[Value]) -> (Vec<(usize, CookieParam)>, Vec<Rejection>) {
    let mut valid = Vec::new();
    let mut rejected = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        match validate_cookie(entry) {
            Ok(param) => valid.push((index, param)),
            Err(reason) => rejected.push(Rejection { index, reason }),
        }
    }
    (valid, rejected)
}

fn rejected_json(rejected: &[Rejection]) -> Value {
    Value::Array(
        rejected
            .iter()
            .map(|r| json!({ "index": r.index, "reason": r.reason }))
            .collect(),
    )
}

/// `payload.strict`: `true` when absent.
fn strict_arg(payload: &Value) -> CmdResult<bool> {
    match payload.get("strict") {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid_request("Invalid strict: expected a boolean")),
    }
}

/// Whether a failed `Network.setCookies` means the browser refused some cookie (so each can be tried alone),
/// rather than that the tab or debugger is gone.
fn is_cookie_refusal(err: &HostError) -> bool {
    let m = err.message.as_str();
    ![
        "attached",
        "Detached",
        "No tab",
        "No target",
        "timed out",
        "closed",
    ]
    .iter()
    .any(|s| m.contains(s))
}

/// `storage.setCookies {cookies:[{name, value, url|domain, path?, expires?, httpOnly?, secure?, sameSite?}],
/// strict=true, requestId?, targetId?}` → `{requestId, imported, rejected:[{index, reason}]}`.
///
/// Every entry is validated first (see `cookie_input`). With `strict` (the default) one invalid entry rejects
/// the whole batch and nothing is imported; without it the valid entries are imported and the others listed in
/// `rejected`. The valid ones go to the browser in one `Network.setCookies`. If the browser refuses that batch
/// (it sets none then), a strict call fails; a non-strict one retries each cookie alone with
/// `Network.setCookie` and lists the refused ones as `Browser rejected cookie <name>: <message>`.
///
/// # Errors
/// `invalid_request "Missing cookies"`, `"Too many cookies: …"`, `"Invalid strict: …"`; with `strict`,
/// `invalid_request "Cookie import rejected N entries: [i] reason; …"` with `details.rejected`; an unknown
/// `targetId`; `execution_failed` for a detached target or a browser failure.
pub async fn set_cookies<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let request_id = request_id(ctx);
    let Some(entries) = ctx.payload.get("cookies").and_then(Value::as_array) else {
        return Err(invalid_request("Missing cookies"));
    };
    if entries.len() > MAX_COOKIES_PER_CALL {
        return Err(invalid_request(format!(
            "Too many cookies: {} (at most {MAX_COOKIES_PER_CALL} per call)",
            entries.len()
        )));
    }
    let strict = strict_arg(&ctx.payload)?;
    let (valid, mut rejected) = validate_all(entries);
    if strict && !rejected.is_empty() {
        return Err(strict_rejection(&rejected));
    }
    let imported = if valid.is_empty() {
        0
    } else {
        let tab = ctx.target()?;
        import(ctx, tab, &valid, strict, &mut rejected).await?
    };
    rejected.sort_by_key(|r| r.index);
    Ok(json!({
        "requestId": request_id,
        "imported": imported,
        "rejected": rejected_json(&rejected),
    }))
}

/// The strict-mode error listing every reason.
fn strict_rejection(rejected: &[Rejection]) -> crate::errors::CmdError {
    let reasons: Vec<String> = rejected
        .iter()
        .map(|r| format!("[{}] {}", r.index, r.reason))
        .collect();
    invalid_request(format!(
        "Cookie import rejected {} entries: {}",
        rejected.len(),
        reasons.join("; ")
    ))
    .with_details(json!({ "rejected": rejected_json(rejected) }))
}

/// Sends the valid cookies; returns how many the browser took (see [`set_cookies`]).
async fn import<H: Host>(
    ctx: &Ctx<H>,
    tab: TabId,
    valid: &[(usize, CookieParam)],
    strict: bool,
    rejected: &mut Vec<Rejection>,
) -> CmdResult<usize> {
    let params: Vec<&CookieParam> = valid.iter().map(|(_, p)| p).collect();
    let batch = cdp::send(
        ctx.host(),
        tab,
        "Network.setCookies",
        json!({ "cookies": params }),
    )
    .await;
    let err = match batch {
        Ok(_) => return Ok(valid.len()),
        Err(err) => err,
    };
    if strict || !is_cookie_refusal(&err) {
        return Err(map_host_error(&err, TabRef::Target(tab)));
    }
    let mut imported = 0;
    for (index, param) in valid {
        match cdp::send(ctx.host(), tab, "Network.setCookie", param.clone()).await {
            Ok(_) => imported += 1,
            Err(e) => rejected.push(Rejection {
                index: *index,
                reason: format!(
                    "Browser rejected cookie {}: {}",
                    param["name"].as_str().unwrap_or(""),
                    e.message
                ),
            }),
        }
    }
    Ok(imported)
}

/// `storage.getCookies {urls?, requestId?, targetId?}` → `{requestId, cookies:[{name, value, domain, path,
/// expires, httpOnly, secure, sameSite?}], count}` from CDP `Network.getCookies` (without `urls`: the cookies
/// the target's current URL and its frames would send).
///
/// # Errors
/// `invalid_request` for a bad `urls` filter or an unknown `targetId`; `execution_failed` for a detached target
/// or a browser failure.
pub async fn get_cookies<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let request_id = request_id(ctx);
    let urls = url_filters(ctx.payload.get("urls"))?;
    let tab = ctx.target()?;
    let params = match urls {
        Some(urls) => json!({ "urls": urls }),
        None => json!({}),
    };
    let raw = ctx.cdp(tab, "Network.getCookies", params).await?;
    let cookies: Vec<Value> = raw
        .get("cookies")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .filter_map(cookie_record)
        .collect();
    Ok(json!({
        "requestId": request_id,
        "count": cookies.len(),
        "cookies": cookies,
    }))
}
