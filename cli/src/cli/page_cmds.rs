//! Navigation, snapshot, interaction and DOM commands (CLI.md "Navigation", "Interaction", "DOM"):
//! `goto` -> `nav.goto`, `wait` -> `nav.wait`, `snapshot` -> `nav.snapshot`, `click` -> `interact.click`,
//! `type` -> `interact.type`, `press` -> `interact.press`, `dom-text` -> `dom.getText`, `review` ->
//! `nav.review` (PROTOCOL.md §3.5).

use clap::{ArgGroup, Args, ValueEnum};
use serde_json::{json, Value};

use super::args::{params, positive_u64, SessionArg, TargetArg};
use super::Ctx;
use crate::exit::CliError;
use crate::output::{key_values, Outcome};

/// Session and target flags of a target-scoped command.
#[derive(Args, Debug)]
pub struct Scope {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArg,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub target: TargetArg,
}

/// `goto --url URL [--wait-until load] [--timeout-ms N]`.
#[derive(Args, Debug)]
pub struct GotoArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// The URL (http or https).
    #[arg(long)]
    pub url: String,
    /// Load state to wait for (the extension waits for `load` either way).
    #[arg(long = "wait-until")]
    pub wait_until: Option<String>,
    /// Navigation timeout in ms (default 30000).
    #[arg(long = "timeout-ms", value_parser = positive_u64)]
    pub timeout_ms: Option<u64>,
}

/// Element states `wait --ref` can wait for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ElementState {
    /// In the DOM.
    Attached,
    /// Rendered and visible.
    Visible,
    /// Gone or invisible.
    Hidden,
}

impl ElementState {
    fn as_str(self) -> &'static str {
        match self {
            ElementState::Attached => "attached",
            ElementState::Visible => "visible",
            ElementState::Hidden => "hidden",
        }
    }
}

/// `wait (--until load | --ref r12 --state attached|visible|hidden) [--timeout-ms N]`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("what").required(true).args(["until", "reference"])))]
pub struct WaitArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// Wait for the page load state (`load`).
    #[arg(long, conflicts_with = "reference")]
    pub until: Option<String>,
    /// Wait for this element ref.
    #[arg(long = "ref")]
    pub reference: Option<String>,
    /// The element state to wait for (default attached).
    #[arg(long, value_enum, requires = "reference", conflicts_with = "until")]
    pub state: Option<ElementState>,
    /// Timeout in ms (default 30000).
    #[arg(long = "timeout-ms", value_parser = positive_u64)]
    pub timeout_ms: Option<u64>,
}

/// Snapshot modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SnapshotMode {
    /// Structure and actionable elements.
    Outline,
    /// Actionable elements only.
    Actionables,
}

/// `snapshot [--mode outline|actionables] [--max-chars N] [--cursor C] [--filter TEXT] [--scope-ref REF]
/// [--diff]`.
#[derive(Args, Debug)]
pub struct SnapshotArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// Snapshot mode (default outline).
    #[arg(long, value_enum)]
    pub mode: Option<SnapshotMode>,
    /// Maximum characters of content (default 16000).
    #[arg(long = "max-chars", value_parser = positive_u64)]
    pub max_chars: Option<u64>,
    /// Line index to continue from (`nextCursor` of the previous page).
    #[arg(long)]
    pub cursor: Option<String>,
    /// Keep only lines whose role, name or value contains this text (case-insensitive).
    #[arg(long)]
    pub filter: Option<String>,
    /// Snapshot only this element (a ref) and what is inside it.
    #[arg(long = "scope-ref")]
    pub scope_ref: Option<String>,
    /// Show only lines added (+), changed (~) or removed (-) since the previous full snapshot of the target.
    #[arg(long, conflicts_with_all = ["filter", "scope_ref"])]
    pub diff: bool,
}

/// `nav.review {maxChars, cursor?}` -> `{sessionId, targetId, mode, snapshotId, url, title, content, truncated,
/// nextCursor?, refCount, timingMs, dialog, warnings?}` (always an actionables snapshot).
pub const NAV_REVIEW: &str = "nav.review";
/// Default `--max-chars` of `review` (the snapshot default, CLI.md "Navigation").
pub const DEFAULT_REVIEW_MAX_CHARS: u64 = 16_000;

/// `review [--target-id T] [--max-chars N] [--cursor C]`.
#[derive(Args, Debug)]
pub struct ReviewArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// Maximum characters of content (default 16000).
    #[arg(long = "max-chars", value_parser = positive_u64, default_value_t = DEFAULT_REVIEW_MAX_CHARS)]
    pub max_chars: u64,
    /// Line index to continue from (`nextCursor` of the previous page).
    #[arg(long)]
    pub cursor: Option<String>,
}

impl ReviewArgs {
    /// `{sessionId, targetId?, maxChars, cursor?}`.
    pub fn params(&self) -> Value {
        params(
            &self.scope.session,
            Some(&self.scope.target),
            &[
                ("maxChars", Some(json!(self.max_chars))),
                ("cursor", self.cursor.clone().map(Value::from)),
            ],
        )
    }
}

/// `click --ref r12 [--timeout-ms N]`.
#[derive(Args, Debug)]
pub struct ClickArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// The element ref from a snapshot.
    #[arg(long = "ref")]
    pub reference: String,
    /// Timeout in ms.
    #[arg(long = "timeout-ms", value_parser = positive_u64)]
    pub timeout_ms: Option<u64>,
}

/// `type --ref r12 --text T [--clear] [--submit]`.
#[derive(Args, Debug)]
pub struct TypeArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// The element ref from a snapshot.
    #[arg(long = "ref")]
    pub reference: String,
    /// The text to type.
    #[arg(long, allow_hyphen_values = true)]
    pub text: String,
    /// Replace the current value.
    #[arg(long)]
    pub clear: bool,
    /// Submit the form afterwards.
    #[arg(long)]
    pub submit: bool,
}

/// `press --key K [--ref r12]`.
#[derive(Args, Debug)]
pub struct PressArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// The key (e.g. `Enter`, `a`, `Tab`).
    #[arg(long)]
    pub key: String,
    /// Focus this element first.
    #[arg(long = "ref")]
    pub reference: Option<String>,
}

/// `dom-text --ref r12 [--max-chars N]`.
#[derive(Args, Debug)]
pub struct DomTextArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// The element ref from a snapshot.
    #[arg(long = "ref")]
    pub reference: String,
    /// Maximum characters (default 8000).
    #[arg(long = "max-chars", value_parser = positive_u64)]
    pub max_chars: Option<u64>,
}

async fn run(
    ctx: &Ctx,
    command: &str,
    scope: &Scope,
    fields: &[(&str, Option<Value>)],
) -> Result<Value, CliError> {
    ctx.client()?
        .command(command, params(&scope.session, Some(&scope.target), fields))
        .await
}

/// `goto` -> `nav.goto {url, waitUntil?, timeoutMs?}`.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn goto(a: GotoArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let fields = [
        ("url", Some(json!(a.url))),
        ("waitUntil", a.wait_until.map(Value::from)),
        ("timeoutMs", a.timeout_ms.map(Value::from)),
    ];
    let data = run(ctx, "nav.goto", &a.scope, &fields).await?;
    Ok(Outcome::ack(data.clone(), key_values(&data)))
}

/// `wait` -> `nav.wait {until?} | {ref, state, timeoutMs?}`.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors (`[timeout] ...` when the wait runs out).
pub async fn wait(a: WaitArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let state = a
        .reference
        .as_ref()
        .map(|_| json!(a.state.unwrap_or(ElementState::Attached).as_str()));
    let fields = [
        ("until", a.until.map(Value::from)),
        ("ref", a.reference.map(Value::from)),
        ("state", state),
        ("timeoutMs", a.timeout_ms.map(Value::from)),
    ];
    let data = run(ctx, "nav.wait", &a.scope, &fields).await?;
    Ok(Outcome::ack(data.clone(), key_values(&data)))
}

/// Text of a snapshot: the content verbatim, then `nextCursor: N` when truncated and the content does not end
/// with the extension's own truncation marker (`[truncated: ...]`).
pub fn snapshot_text(data: &Value) -> String {
    let mut text = data["content"]
        .as_str()
        .unwrap_or_default()
        .trim_end_matches('\n')
        .to_string();
    let marked = text
        .lines()
        .last()
        .is_some_and(|l| l.starts_with("[truncated: "));
    if data["truncated"] == true && !marked {
        if let Some(next) = data.get("nextCursor").filter(|v| !v.is_null()) {
            text.push_str(&format!("\nnextCursor: {}", crate::output::scalar(next)));
        }
    }
    text
}

/// Text of a review: a status header (`url:`, `title:`, and `dialog:` when a JavaScript dialog is open), a
/// blank line, then the actionables as [`snapshot_text`] prints them.
pub fn review_text(data: &Value) -> String {
    let mut header = Vec::new();
    for key in ["url", "title"] {
        if let Some(v) = data.get(key).filter(|v| !v.is_null()) {
            header.push(format!("{key}: {}", crate::output::scalar(v)));
        }
    }
    if let Some(dialog) = super::diag_cmds::dialog_summary(&data["dialog"]) {
        header.push(format!("dialog: {dialog}"));
    }
    let body = snapshot_text(data);
    match (header.is_empty(), body.is_empty()) {
        (_, true) => header.join("\n"),
        (true, false) => body,
        (false, false) => format!("{}\n\n{body}", header.join("\n")),
    }
}

/// `review` -> `nav.review {maxChars, cursor?}`; text output per [`review_text`].
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn review(a: ReviewArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let data = ctx.client()?.command(NAV_REVIEW, a.params()).await?;
    let text = review_text(&data);
    Ok(Outcome::data(data, text))
}

/// `snapshot` -> `nav.snapshot {mode, maxChars?, cursor?, filter?, scopeRef?, diff?}`.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn snapshot(a: SnapshotArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let mode = match a.mode.unwrap_or(SnapshotMode::Outline) {
        SnapshotMode::Outline => "outline",
        SnapshotMode::Actionables => "actionables",
    };
    let fields = [
        ("mode", Some(json!(mode))),
        ("maxChars", a.max_chars.map(Value::from)),
        ("cursor", a.cursor.map(Value::from)),
        ("filter", a.filter.map(Value::from)),
        ("scopeRef", a.scope_ref.map(Value::from)),
        ("diff", a.diff.then_some(Value::Bool(true))),
    ];
    let data = run(ctx, "nav.snapshot", &a.scope, &fields).await?;
    Ok(Outcome::data(data.clone(), snapshot_text(&data)))
}

/// `click` -> `interact.click {ref, timeoutMs?}`.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors (e.g. the stale-ref error).
pub async fn click(a: ClickArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let fields = [
        ("ref", Some(json!(a.reference))),
        ("timeoutMs", a.timeout_ms.map(Value::from)),
    ];
    let data = run(ctx, "interact.click", &a.scope, &fields).await?;
    Ok(Outcome::ack(data.clone(), key_values(&data)))
}

/// `type` -> `interact.type {ref, text, clear, submit}`.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn type_text(a: TypeArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let fields = [
        ("ref", Some(json!(a.reference))),
        ("text", Some(json!(a.text))),
        ("clear", a.clear.then_some(Value::Bool(true))),
        ("submit", a.submit.then_some(Value::Bool(true))),
    ];
    let data = run(ctx, "interact.type", &a.scope, &fields).await?;
    Ok(Outcome::ack(data.clone(), key_values(&data)))
}

/// `press` -> `interact.press {key, ref?}`.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn press(a: PressArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let fields = [
        ("key", Some(json!(a.key))),
        ("ref", a.reference.map(Value::from)),
    ];
    let data = run(ctx, "interact.press", &a.scope, &fields).await?;
    Ok(Outcome::ack(data.clone(), key_values(&data)))
}

/// `dom-text` -> `dom.getText {ref, maxChars?}`; text output is the element's text.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn dom_text(a: DomTextArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let fields = [
        ("ref", Some(json!(a.reference))),
        ("maxChars", a.max_chars.map(Value::from)),
    ];
    let data = run(ctx, "dom.getText", &a.scope, &fields).await?;
    let text = data["text"].as_str().unwrap_or_default().to_string();
    Ok(Outcome::data(data, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_text_appends_the_cursor_when_truncated() {
        let d = json!({"content":"[r1] link \"A\"\n","truncated":true,"nextCursor":"40"});
        assert_eq!(snapshot_text(&d), "[r1] link \"A\"\nnextCursor: 40");
        let d = json!({"content":"[r1] link \"A\"","truncated":false});
        assert_eq!(snapshot_text(&d), "[r1] link \"A\"");
    }

    #[test]
    fn review_text_has_a_status_header() {
        let d = json!({"url":"http://a/","title":"A","content":"[r1] button \"Go\"\n",
            "truncated":true,"nextCursor":"1","dialog":{"open":false}});
        assert_eq!(
            review_text(&d),
            "url: http://a/\ntitle: A\n\n[r1] button \"Go\"\nnextCursor: 1"
        );
        let d = json!({"url":"http://a/","title":"A","content":"","truncated":false,
            "dialog":{"open":true,"type":"confirm","message":"Sure?","targetId":"tab-1"}});
        assert_eq!(
            review_text(&d),
            "url: http://a/\ntitle: A\ndialog: confirm \"Sure?\""
        );
    }
}
