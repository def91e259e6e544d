//! Bounded browser calls: every CDP command and `chrome.*` call the runtime awaits has a deadline, so a wedged
//! tab can never hang a queue (SECURITY.md D11).

use std::future::Future;
use std::pin::pin;

use futures::future::{select, Either};
use serde_json::Value;

use crate::host::{Debuggee, Host, HostError, TabId};

/// Default deadline of one CDP command, in ms.
pub const CDP_TIMEOUT_MS: u64 = 30_000;

/// Runs `fut`, giving up after `ms` milliseconds of host time (`None`).
pub async fn with_timeout<H: Host, T>(
    host: &H,
    ms: u64,
    fut: impl Future<Output = T>,
) -> Option<T> {
    let fut = pin!(fut);
    let sleep = pin!(host.sleep_ms(ms));
    match select(fut, sleep).await {
        Either::Left((value, _)) => Some(value),
        Either::Right(_) => None,
    }
}

/// Sends `method` to the root target of `tab` with a deadline of `timeout_ms`.
///
/// # Errors
/// The browser's error, or `"CDP <method> timed out after <ms> ms"`.
pub async fn send_with_timeout<H: Host>(
    host: &H,
    tab: TabId,
    method: &str,
    params: Value,
    timeout_ms: u64,
) -> Result<Value, HostError> {
    send_to(host, &Debuggee::tab(tab), method, params, timeout_ms).await
}

/// Sends `method` to `debuggee` (a tab's root target or a flat child session) with a deadline of `timeout_ms`.
///
/// # Errors
/// The browser's error, or `"CDP <method> timed out after <ms> ms"`.
pub async fn send_to<H: Host>(
    host: &H,
    debuggee: &Debuggee,
    method: &str,
    params: Value,
    timeout_ms: u64,
) -> Result<Value, HostError> {
    match with_timeout(
        host,
        timeout_ms,
        host.send_command(debuggee, method, params),
    )
    .await
    {
        Some(result) => result,
        None => Err(HostError::new(format!(
            "CDP {method} timed out after {timeout_ms} ms"
        ))),
    }
}

/// [`send_with_timeout`] with the default [`CDP_TIMEOUT_MS`].
///
/// # Errors
/// As [`send_with_timeout`].
pub async fn send<H: Host>(
    host: &H,
    tab: TabId,
    method: &str,
    params: Value,
) -> Result<Value, HostError> {
    send_with_timeout(host, tab, method, params, CDP_TIMEOUT_MS).await
}
