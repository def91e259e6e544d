//! Diagnostics (CLI.md "Capture and diagnostics", PROTOCOL.md §3.5): `dialog` -> `page.dialog`,
//! `console-poll` -> `devtools.consolePoll`, `network-poll` -> `devtools.networkPoll`, `perf` ->
//! `devtools.perf`. Text output is one line per event or metric; `stream-json` prints one object per line.

use clap::{Args, ValueEnum};
use serde_json::{json, Value};

use super::args::{non_negative_u64, params, positive_u64, SessionArg};
use super::interact_cmds::Request;
use super::page_cmds::Scope;
use super::Ctx;
use crate::exit::CliError;
use crate::output::{scalar, Outcome};

/// `page.dialog {action, promptText?}` -> `{dialog:{open, targetId, type, message, defaultPrompt, url,
/// openedAt}, handled?}`.
pub const PAGE_DIALOG: &str = "page.dialog";
/// `devtools.consolePoll {sinceSeq, max}` -> `{events:[{seq, level, text, ts}], nextSeq}`.
pub const DEVTOOLS_CONSOLE_POLL: &str = "devtools.consolePoll";
/// `devtools.networkPoll {sinceSeq, max}` -> `{events:[{seq, method, url, status?, resourceType?, ts}],
/// nextSeq}`.
pub const DEVTOOLS_NETWORK_POLL: &str = "devtools.networkPoll";
/// `devtools.perf {}` -> `{metrics:[{name, value}]}` (CDP `Performance.getMetrics`).
pub const DEVTOOLS_PERF: &str = "devtools.perf";
/// Default `--max` of the poll commands (PROTOCOL.md §3.5).
pub const DEFAULT_POLL_MAX: u64 = 50;

/// What `dialog` does with the open JavaScript dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DialogAction {
    /// Report the dialog state only.
    Status,
    /// Accept (OK), with `--prompt-text` for a `prompt()`.
    Accept,
    /// Dismiss (Cancel).
    Dismiss,
}

impl DialogAction {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            DialogAction::Status => "status",
            DialogAction::Accept => "accept",
            DialogAction::Dismiss => "dismiss",
        }
    }
}

/// `dialog [--action status|accept|dismiss] [--prompt-text TEXT]`.
#[derive(Args, Debug)]
pub struct DialogArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// What to do with the open dialog (default status).
    #[arg(long, value_enum, default_value_t = DialogAction::Status)]
    pub action: DialogAction,
    /// The answer to a `prompt()` dialog; only with `--action accept`.
    #[arg(long = "prompt-text", allow_hyphen_values = true)]
    pub prompt_text: Option<String>,
}

impl DialogArgs {
    /// `{sessionId, targetId?, action, promptText?}`.
    ///
    /// # Errors
    /// A usage error (exit 1) for `--prompt-text` without `--action accept`.
    pub fn params(&self) -> Result<Value, CliError> {
        if self.prompt_text.is_some() && self.action != DialogAction::Accept {
            return Err(CliError::usage(format!(
                "--prompt-text only goes with --action accept (got --action {})",
                self.action.as_str()
            )));
        }
        Ok(params(
            &self.scope.session,
            Some(&self.scope.target),
            &[
                ("action", Some(json!(self.action.as_str()))),
                ("promptText", self.prompt_text.clone().map(Value::from)),
            ],
        ))
    }
}

/// `console-poll|network-poll [--since-seq 0] [--max 50]`.
#[derive(Args, Debug)]
pub struct PollArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArg,
    /// Where to resume: pass the previous poll's `nextSeq` (default 0: from the oldest kept event).
    #[arg(long = "since-seq", value_parser = non_negative_u64, default_value_t = 0)]
    pub since_seq: u64,
    /// At most this many events (default 50).
    #[arg(long, value_parser = positive_u64, default_value_t = DEFAULT_POLL_MAX)]
    pub max: u64,
}

impl PollArgs {
    /// `{sessionId, sinceSeq, max}`.
    pub fn params(&self) -> Value {
        params(
            &self.session,
            None,
            &[
                ("sinceSeq", Some(json!(self.since_seq))),
                ("max", Some(json!(self.max))),
            ],
        )
    }
}

/// `perf`.
#[derive(Args, Debug)]
pub struct PerfArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
}

impl PerfArgs {
    /// `{sessionId, targetId?}`.
    pub fn params(&self) -> Value {
        params(&self.scope.session, Some(&self.scope.target), &[])
    }
}

/// `dialog` -> `page.dialog {action, promptText?}`.
///
/// # Errors
/// See [`DialogArgs::params`].
pub fn dialog(a: &DialogArgs) -> Result<Request, CliError> {
    Ok((PAGE_DIALOG, a.params()?))
}

/// `console-poll` -> `devtools.consolePoll {sinceSeq, max}`.
pub fn console_poll(a: &PollArgs) -> Request {
    (DEVTOOLS_CONSOLE_POLL, a.params())
}

/// `network-poll` -> `devtools.networkPoll {sinceSeq, max}`.
pub fn network_poll(a: &PollArgs) -> Request {
    (DEVTOOLS_NETWORK_POLL, a.params())
}

/// `perf` -> `devtools.perf {}`.
pub fn perf(a: &PerfArgs) -> Request {
    (DEVTOOLS_PERF, a.params())
}

/// One line for an open dialog, `confirm "Delete it?"` (plus ` default "x"` for a prompt with a default;
/// both JSON-quoted),
/// or `None` when `dialog` is absent or not open.
pub fn dialog_summary(dialog: &Value) -> Option<String> {
    if dialog["open"] != true {
        return None;
    }
    let kind = dialog["type"].as_str().unwrap_or("dialog");
    // JSON string quoting keeps the line on one line (`\n` for a newline) and shows the message's bounds.
    let message = dialog["message"].as_str().unwrap_or_default();
    let mut line = format!("{kind} {}", json!(message));
    if let Some(default) = dialog["defaultPrompt"].as_str().filter(|d| !d.is_empty()) {
        line.push_str(&format!(" default {}", json!(default)));
    }
    Some(line)
}

/// Text of a `page.dialog` result: `dialog: none` or `dialog: <summary>` with `url:` and `targetId:` lines,
/// then `handled: <bool>` when the result has it.
pub fn dialog_text(data: &Value) -> String {
    let dialog = &data["dialog"];
    let mut lines = match dialog_summary(dialog) {
        None => vec!["dialog: none".to_string()],
        Some(summary) => {
            let mut l = vec![format!("dialog: {summary}")];
            for key in ["url", "targetId"] {
                if let Some(v) = dialog.get(key).filter(|v| !v.is_null()) {
                    l.push(format!("{key}: {}", scalar(v)));
                }
            }
            l
        }
    };
    if let Some(handled) = data.get("handled").filter(|v| !v.is_null()) {
        lines.push(format!("handled: {}", scalar(handled)));
    }
    lines.join("\n")
}

/// Text of a console poll: `<seq> <level> <text>` per event (newlines in the text shown as `\n`), then
/// `nextSeq: N`.
pub fn console_text(data: &Value) -> String {
    let mut lines: Vec<String> = events(data)
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                scalar(&e["seq"]),
                e["level"].as_str().unwrap_or("log"),
                one_line(e["text"].as_str().unwrap_or_default())
            )
        })
        .collect();
    lines.push(next_seq_line(data));
    lines.join("\n")
}

/// Text of a network poll: `<seq> <method> <status|-> <url> [<resourceType>]` per event, then `nextSeq: N`.
pub fn network_text(data: &Value) -> String {
    let mut lines: Vec<String> = events(data)
        .iter()
        .map(|e| {
            let status = e
                .get("status")
                .filter(|s| !s.is_null())
                .map_or("-".into(), scalar);
            let mut line = format!(
                "{} {} {status} {}",
                scalar(&e["seq"]),
                e["method"].as_str().unwrap_or("?"),
                e["url"].as_str().unwrap_or_default()
            );
            if let Some(kind) = e.get("resourceType").and_then(Value::as_str) {
                line.push(' ');
                line.push_str(kind);
            }
            line
        })
        .collect();
    lines.push(next_seq_line(data));
    lines.join("\n")
}

/// Text of `devtools.perf`: `<name>: <value>` per metric.
pub fn perf_text(data: &Value) -> String {
    data["metrics"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|m| format!("{}: {}", scalar(&m["name"]), scalar(&m["value"])))
        .collect::<Vec<_>>()
        .join("\n")
}

fn events(data: &Value) -> &[Value] {
    data["events"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn next_seq_line(data: &Value) -> String {
    format!("nextSeq: {}", scalar(&data["nextSeq"]))
}

fn one_line(text: &str) -> String {
    text.replace('\r', "\\r").replace('\n', "\\n")
}

/// Sends `dialog`; text output per [`dialog_text`].
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn send_dialog(request: Request, ctx: &Ctx) -> Result<Outcome, CliError> {
    let (name, params) = request;
    let data = ctx.client()?.command(name, params).await?;
    Ok(Outcome::data(data.clone(), dialog_text(&data)))
}

/// Sends a poll; `render` gives the text, `stream-json` prints one event per line.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn send_poll(
    request: Request,
    render: fn(&Value) -> String,
    ctx: &Ctx,
) -> Result<Outcome, CliError> {
    let (name, params) = request;
    let data = ctx.client()?.command(name, params).await?;
    let items = events(&data).to_vec();
    Ok(Outcome::data(data.clone(), render(&data)).with_items(items))
}

/// Sends `perf`; text output per [`perf_text`], `stream-json` prints one metric per line.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn send_perf(request: Request, ctx: &Ctx) -> Result<Outcome, CliError> {
    let (name, params) = request;
    let data = ctx.client()?.command(name, params).await?;
    let items = data["metrics"].as_array().cloned().unwrap_or_default();
    Ok(Outcome::data(data.clone(), perf_text(&data)).with_items(items))
}
