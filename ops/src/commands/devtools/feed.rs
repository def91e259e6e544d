//! Feeding a tab's [`TabLogs`] from CDP events (PROTOCOL.md §3.5, §3.6):
//!
//! - `Runtime.consoleAPICalled` → a console event, `level` = the call's `type`;
//! - `Runtime.exceptionThrown` → a console event with `level:"error"`;
//! - `Network.requestWillBeSent` → a request event `{method, url, resourceType}` (and, for a redirect, first a
//!   response event with the redirect's status for the previous URL);
//! - `Network.responseReceived` → a response event `{method, url, status, resourceType}`;
//! - `Network.loadingFailed` → a failure event `{method, url, resourceType, errorText}`;
//! - `Network.loadingFinished` → nothing (the request is forgotten).
//!
//! Console events and requests stamped before the buffers were armed ([`TabLogs::arm`], at the end of each
//! attach) are dropped. Responses and failures of requests whose `requestWillBeSent` was not recorded (sent
//! before the buffer started) are not recorded either: their method is unknown. Times are ms since the Unix epoch: the console `timestamp`, the
//! request's `wallTime`, and for responses the request's wall/monotonic offset applied to their monotonic
//! `timestamp`; the host clock when an event carries none.

use serde_json::Value;

use super::buffers::{ConsoleEvent, NetworkEvent, PendingRequest, TabLogs};
use super::console_format::{console_call_text, exception_text};
use super::net_url::redact_url;
use super::secrets::clean_console_text;

/// The CDP events [`apply`] uses; every other method is ignored without touching the state.
pub const FED_BY: [&str; 6] = [
    "Runtime.consoleAPICalled",
    "Runtime.exceptionThrown",
    "Network.requestWillBeSent",
    "Network.responseReceived",
    "Network.loadingFailed",
    "Network.loadingFinished",
];

/// Records CDP event `method` (from the flat child session `session`, `None` for the tab itself) into `logs`.
/// `now_ms` dates events that carry no usable time.
pub fn apply(logs: &mut TabLogs, session: Option<&str>, method: &str, params: &Value, now_ms: f64) {
    match method {
        "Runtime.consoleAPICalled" => {
            let level = str_field(params, "type").unwrap_or("log").to_string();
            push_console(logs, level, &console_call_text(params), params, now_ms);
        }
        "Runtime.exceptionThrown" => {
            push_console(
                logs,
                "error".to_string(),
                &exception_text(params),
                params,
                now_ms,
            );
        }
        "Network.requestWillBeSent" => request_sent(logs, session, params, now_ms),
        "Network.responseReceived" => response_received(logs, session, params, now_ms),
        "Network.loadingFailed" => loading_failed(logs, session, params, now_ms),
        "Network.loadingFinished" => {
            logs.forget(&request_key(session, params));
        }
        _ => {}
    }
}

fn str_field<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

fn finite(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64)
        .filter(|f| f.is_finite() && *f >= 0.0)
}

/// Rounds ms to the wire's integer `ts`.
fn to_ts(ms: f64) -> u64 {
    ms.max(0.0).round() as u64
}

fn push_console(logs: &mut TabLogs, level: String, raw: &str, params: &Value, now_ms: f64) {
    let stamped = finite(params.get("timestamp"));
    if !logs.accepts(stamped) {
        return;
    }
    let text = clean_console_text(raw);
    let ts = to_ts(stamped.unwrap_or(now_ms));
    logs.console.push_with(|seq| ConsoleEvent {
        seq,
        level,
        text,
        ts,
    });
}

/// The pending-request key: requestIds are unique per CDP session, not per tab.
fn request_key(session: Option<&str>, params: &Value) -> String {
    format!(
        "{}|{}",
        session.unwrap_or(""),
        str_field(params, "requestId").unwrap_or("")
    )
}

/// The epoch ms of a later event of `pending`, from its monotonic `timestamp` (seconds).
fn later_ts(pending: &PendingRequest, params: &Value, now_ms: f64) -> u64 {
    let ms = match (pending.wall_offset_ms, finite(params.get("timestamp"))) {
        (Some(offset), Some(mono_s)) => mono_s * 1000.0 + offset,
        _ => now_ms,
    };
    to_ts(ms)
}

fn status_of(response: &Value) -> Option<u16> {
    response
        .get("status")
        .and_then(Value::as_f64)
        .filter(|s| s.is_finite() && (0.0..=999.0).contains(s))
        .map(|s| s as u16)
}

fn request_sent(logs: &mut TabLogs, session: Option<&str>, params: &Value, now_ms: f64) {
    let key = request_key(session, params);
    let wall_ms = finite(params.get("wallTime")).map(|s| s * 1000.0);
    if !logs.accepts(wall_ms) {
        return;
    }
    let wall_offset_ms = match (wall_ms, finite(params.get("timestamp"))) {
        (Some(wall), Some(mono_s)) => Some(wall - mono_s * 1000.0),
        _ => None,
    };
    let ts = to_ts(wall_ms.unwrap_or(now_ms));
    if let Some(redirect) = params.get("redirectResponse").filter(|r| r.is_object()) {
        if let Some(previous) = logs.forget(&key) {
            let url = str_field(redirect, "url").map_or(previous.url.clone(), redact_url);
            logs.network.push_with(|seq| NetworkEvent {
                seq,
                method: previous.method,
                url,
                status: status_of(redirect),
                resource_type: previous.resource_type,
                ts,
                error_text: None,
            });
        }
    }
    let request = params.get("request").unwrap_or(&Value::Null);
    let method = str_field(request, "method").unwrap_or("GET").to_string();
    let url = redact_url(str_field(request, "url").unwrap_or(""));
    let resource_type = str_field(params, "type").map(str::to_string);
    logs.remember(PendingRequest {
        key,
        method: method.clone(),
        url: url.clone(),
        resource_type: resource_type.clone(),
        wall_offset_ms,
    });
    logs.network.push_with(|seq| NetworkEvent {
        seq,
        method,
        url,
        status: None,
        resource_type,
        ts,
        error_text: None,
    });
}

fn response_received(logs: &mut TabLogs, session: Option<&str>, params: &Value, now_ms: f64) {
    let Some(pending) = logs.pending(&request_key(session, params)).cloned() else {
        return;
    };
    let response = params.get("response").unwrap_or(&Value::Null);
    let url = str_field(response, "url").map_or(pending.url.clone(), redact_url);
    let resource_type = str_field(params, "type")
        .map(str::to_string)
        .or(pending.resource_type.clone());
    let ts = later_ts(&pending, params, now_ms);
    logs.network.push_with(|seq| NetworkEvent {
        seq,
        method: pending.method,
        url,
        status: status_of(response),
        resource_type,
        ts,
        error_text: None,
    });
}

fn loading_failed(logs: &mut TabLogs, session: Option<&str>, params: &Value, now_ms: f64) {
    let Some(pending) = logs.forget(&request_key(session, params)) else {
        return;
    };
    let resource_type = str_field(params, "type")
        .map(str::to_string)
        .or(pending.resource_type.clone());
    let error_text = str_field(params, "errorText")
        .filter(|e| !e.is_empty())
        .unwrap_or("failed")
        .to_string();
    let ts = later_ts(&pending, params, now_ms);
    logs.network.push_with(|seq| NetworkEvent {
        seq,
        method: pending.method,
        url: pending.url,
        status: None,
        resource_type,
        ts,
        error_text: Some(error_text),
    });
}
