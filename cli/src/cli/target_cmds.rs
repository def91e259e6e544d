//! `targets-list`, `target-use`, `target-new`, `target-close` -> `targets.list/use/new/close` (CLI.md "Targets";
//! PROTOCOL.md §3.5).

use clap::Args;
use serde_json::{json, Value};

use super::args::{params, SessionArg};
use super::Ctx;
use crate::exit::CliError;
use crate::output::{key_values, scalar, Outcome};

/// `targets-list [--include-urls]`.
#[derive(Args, Debug)]
pub struct TargetsListArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArg,
    /// Include each target's URL.
    #[arg(long = "include-urls")]
    pub include_urls: bool,
}

/// `target-use --target-id T`.
#[derive(Args, Debug)]
pub struct TargetUseArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArg,
    /// The target to activate.
    #[arg(long = "target-id")]
    pub target_id: String,
}

/// `target-new [--url URL]`.
#[derive(Args, Debug)]
pub struct TargetNewArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArg,
    /// The URL to open (default about:blank).
    #[arg(long)]
    pub url: Option<String>,
}

/// `target-close --target-id T`.
#[derive(Args, Debug)]
pub struct TargetCloseArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArg,
    /// The target to close.
    #[arg(long = "target-id")]
    pub target_id: String,
}

/// One line per target: `* tab-12  Title  url` (`*` marks the active target).
pub fn targets_text(data: &Value) -> String {
    let active = data["activeTargetId"].as_str().unwrap_or_default();
    let targets = data["targets"].as_array().cloned().unwrap_or_default();
    targets
        .iter()
        .map(|t| {
            let id = t["targetId"].as_str().unwrap_or_default();
            let mark = if id == active { "*" } else { " " };
            let mut line = format!("{mark} {id}  {}", scalar(&t["title"]));
            if let Some(url) = t.get("url").and_then(Value::as_str) {
                line.push_str("  ");
                line.push_str(url);
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `targets.list`.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn list(a: TargetsListArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let fields = [("includeUrls", a.include_urls.then_some(Value::Bool(true)))];
    let data = ctx
        .client()?
        .command("targets.list", params(&a.session, None, &fields))
        .await?;
    let items = data["targets"].as_array().cloned().unwrap_or_default();
    Ok(Outcome::data(data.clone(), targets_text(&data)).with_items(items))
}

/// `targets.use`.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn use_target(a: TargetUseArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let p = params(&a.session, None, &[("targetId", Some(json!(a.target_id)))]);
    let data = ctx.client()?.command("targets.use", p).await?;
    Ok(Outcome::ack(data.clone(), key_values(&data)))
}

/// `targets.new`.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn new_target(a: TargetNewArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let p = params(&a.session, None, &[("url", a.url.map(Value::from))]);
    let data = ctx.client()?.command("targets.new", p).await?;
    Ok(Outcome::data(data.clone(), key_values(&data)))
}

/// `targets.close`.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn close(a: TargetCloseArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let p = params(&a.session, None, &[("targetId", Some(json!(a.target_id)))]);
    let data = ctx.client()?.command("targets.close", p).await?;
    Ok(Outcome::ack(data.clone(), key_values(&data)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_active_target() {
        let d = json!({"activeTargetId":"tab-2","targets":[
            {"targetId":"tab-1","type":"page","title":"A"},
            {"targetId":"tab-2","type":"page","title":"B","url":"http://b/"}]});
        assert_eq!(targets_text(&d), "  tab-1  A\n* tab-2  B  http://b/");
    }
}
