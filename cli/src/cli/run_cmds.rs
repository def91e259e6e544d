//! `run --script FILE.json` (or the JSON on stdin): a list of steps executed in one process without a daemon
//! (CLI.md "Scripts and power tools"), in managed mode: this process starts Chromium, runs the ops runtime over
//! CDP in-process (the daemon's own [`Dispatcher`], with no relay), runs the steps in order, and stops the browser.
//!
//! Script: `[{"action":"goto","args":{"url":"https://example.com"}},{"action":"snapshot"},
//! {"action":"click","args":{"ref":"r1"}}]` (or `{"steps":[...]}`). `action` is a CLI verb (`goto`, `click`,
//! `dom-text`, ...) or an `/ops` wire name (`nav.goto`); `args` is that command's wire payload. The run stops
//! at the first failing step (exit 2, naming the step). Output: `{steps:[{action, command, data}]}`.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use odb_protocol::commands::{self, SESSION_CONNECT, SESSION_DISCONNECT, SESSION_LAUNCH};
use serde_json::{json, Map, Value};

use super::Ctx;
use crate::daemon::dispatch::{Dispatcher, StatusFn};
use crate::daemon::relay_host::down_status;
use crate::exit::CliError;
use crate::ops_client::OpsTarget;
use crate::output::Outcome;

/// `run --script FILE.json [--headless] [--profile NAME] [--persist-profile] [--chrome-path P] [--start-url U]
/// [--flag F]...`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The script file (JSON); `-` or absent reads stdin.
    #[arg(long)]
    pub script: Option<PathBuf>,
    /// Run the browser headless.
    #[arg(long)]
    pub headless: bool,
    /// Keep the browser profile under this name (in the config directory's `profiles/`).
    #[arg(long)]
    pub profile: Option<String>,
    /// Keep the profile after the run (`--profile`, or the `default` profile).
    #[arg(long = "persist-profile")]
    pub persist_profile: bool,
    /// The Chromium/Chrome binary.
    #[arg(long = "chrome-path")]
    pub chrome_path: Option<String>,
    /// The first page (http(s)); default: a blank tab.
    #[arg(long = "start-url")]
    pub start_url: Option<String>,
    /// An extra browser flag (repeatable).
    #[arg(long = "flag", allow_hyphen_values = true)]
    pub flags: Vec<String>,
}

/// CLI verbs and their `/ops` wire names (CLI.md; docs/COMMANDS.md).
pub const VERBS: &[(&str, &str)] = &[
    ("goto", "nav.goto"),
    ("wait", "nav.wait"),
    ("snapshot", "nav.snapshot"),
    ("review", "nav.review"),
    ("status", "session.status"),
    ("click", "interact.click"),
    ("hover", "interact.hover"),
    ("press", "interact.press"),
    ("check", "interact.check"),
    ("uncheck", "interact.uncheck"),
    ("type", "interact.type"),
    ("select", "interact.select"),
    ("scroll", "interact.scroll"),
    ("scroll-into-view", "interact.scrollIntoView"),
    ("upload", "interact.upload"),
    ("pointer-move", "pointer.move"),
    ("pointer-down", "pointer.down"),
    ("pointer-up", "pointer.up"),
    ("pointer-drag", "pointer.drag"),
    ("dom-html", "dom.getHtml"),
    ("dom-text", "dom.getText"),
    ("dom-attr", "dom.getAttr"),
    ("dom-value", "dom.getValue"),
    ("dom-visible", "dom.isVisible"),
    ("dom-enabled", "dom.isEnabled"),
    ("dom-checked", "dom.isChecked"),
    ("screenshot", "page.screenshot"),
    ("targets-list", "targets.list"),
    ("target-use", "targets.use"),
    ("target-new", "targets.new"),
    ("target-close", "targets.close"),
    ("page", "page.open"),
    ("pages", "page.list"),
    ("page-close", "page.close"),
    ("dialog", "page.dialog"),
    ("console-poll", "devtools.consolePoll"),
    ("network-poll", "devtools.networkPoll"),
    ("perf", "devtools.perf"),
    ("cookie-list", "storage.getCookies"),
    ("clone-page", "export.clonePage"),
    ("clone-component", "export.cloneComponent"),
];

/// The wire name of a step's `action` (a verb or a wire name; session start/stop are the run's own).
pub fn wire_name(action: &str) -> Option<&'static str> {
    if let Some((_, wire)) = VERBS.iter().find(|(verb, _)| *verb == action) {
        return Some(wire);
    }
    commands::ALL
        .iter()
        .copied()
        .find(|c| *c == action)
        .filter(|c| ![SESSION_LAUNCH, SESSION_CONNECT, SESSION_DISCONNECT].contains(c))
}

/// The steps of a script: a JSON array, or `{steps:[...]}`; each `{action, args?}` becomes `(action, wire, args)`.
///
/// # Errors
/// A usage error naming the bad step.
pub fn parse_script(text: &str) -> Result<Vec<(String, &'static str, Value)>, CliError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| CliError::usage(format!("the script is not JSON: {e}")))?;
    let steps = match &value {
        Value::Array(items) => items.clone(),
        Value::Object(map) => match map.get("steps") {
            Some(Value::Array(items)) => items.clone(),
            _ => return Err(CliError::usage("the script must be an array of steps")),
        },
        _ => return Err(CliError::usage("the script must be an array of steps")),
    };
    steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let action = step.get("action").and_then(Value::as_str).unwrap_or("");
            let wire = wire_name(action).ok_or_else(|| {
                CliError::usage(format!("step {}: unknown action {action:?}", i + 1))
            })?;
            let args = match step.get("args") {
                None | Some(Value::Null) => json!({}),
                Some(Value::Object(m)) => Value::Object(m.clone()),
                Some(_) => {
                    return Err(CliError::usage(format!(
                        "step {}: args must be an object",
                        i + 1
                    )))
                }
            };
            Ok((action.to_string(), wire, args))
        })
        .collect()
}

fn read_script(path: Option<&PathBuf>) -> Result<String, CliError> {
    match path.filter(|p| p.as_os_str() != "-") {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| CliError::usage(format!("cannot read {}: {e}", p.display()))),
        None => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| CliError::usage(format!("cannot read the script from stdin: {e}")))?;
            Ok(text)
        }
    }
}

fn launch_params(args: &RunArgs) -> Value {
    let mut p = Map::new();
    p.insert("mode".into(), json!("managed"));
    p.insert("headless".into(), json!(args.headless));
    if let Some(v) = &args.start_url {
        p.insert("startUrl".into(), json!(v));
    }
    if let Some(v) = &args.profile {
        p.insert("profile".into(), json!(v));
    }
    if args.persist_profile {
        p.insert("persistProfile".into(), json!(true));
    }
    if let Some(v) = &args.chrome_path {
        p.insert("chromePath".into(), json!(v));
    }
    if !args.flags.is_empty() {
        p.insert("flags".into(), json!(args.flags));
    }
    Value::Object(p)
}

/// `run`: see the module doc.
///
/// # Errors
/// Exit 1 for a bad script; exit 2 when the browser cannot start or a step fails (`step N (action): [code] …`).
pub async fn run(args: RunArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let steps = parse_script(&read_script(args.script.as_ref())?)?;
    let status: StatusFn = Arc::new(|| Box::pin(async { down_status(0) }));
    let target = OpsTarget {
        port: 0,
        token: None,
    };
    let dispatcher = Dispatcher::new(target, status).with_profiles_dir(ctx.dir.join("profiles"));
    let started = dispatcher
        .handle(SESSION_LAUNCH, launch_params(&args))
        .await
        .map_err(|e| CliError::ops(&e))?;
    let session_id = started["sessionId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut results = Vec::new();
    let mut failure = None;
    for (i, (action, wire, mut payload)) in steps.into_iter().enumerate() {
        payload["sessionId"] = json!(session_id);
        match dispatcher.handle(wire, payload).await {
            Ok(data) => results.push(json!({"action": action, "command": wire, "data": data})),
            Err(e) => {
                failure = Some(CliError::execution(format!(
                    "step {} ({action}): [{}] {}",
                    i + 1,
                    e.code.as_str(),
                    e.message
                )));
                break;
            }
        }
    }
    dispatcher.close().await;
    if let Some(err) = failure {
        return Err(err);
    }
    let text = results
        .iter()
        .map(|r| format!("{} ok", r["action"].as_str().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Outcome::data(json!({"steps": results}), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_and_wire_names_resolve() {
        assert_eq!(wire_name("goto"), Some("nav.goto"));
        assert_eq!(wire_name("dom-text"), Some("dom.getText"));
        assert_eq!(wire_name("nav.snapshot"), Some("nav.snapshot"));
        assert_eq!(wire_name("session.launch"), None);
        assert_eq!(wire_name("nope"), None);
        for (_, wire) in VERBS {
            assert!(commands::ALL.contains(wire), "{wire}");
        }
    }

    #[test]
    fn scripts_parse_as_arrays_or_steps_objects() {
        let steps =
            parse_script(r#"[{"action":"goto","args":{"url":"http://x/"}},{"action":"snapshot"}]"#)
                .unwrap();
        assert_eq!(steps[0].1, "nav.goto");
        assert_eq!(steps[0].2, json!({"url": "http://x/"}));
        assert_eq!(steps[1].2, json!({}));
        assert_eq!(
            parse_script(r#"{"steps":[{"action":"click","args":{"ref":"r1"}}]}"#).unwrap()[0].1,
            "interact.click"
        );
        for bad in [
            "{}",
            "3",
            r#"[{"action":"fly"}]"#,
            r#"[{"action":"goto","args":1}]"#,
            "nope",
        ] {
            assert_eq!(parse_script(bad).unwrap_err().exit_code, 1, "{bad}");
        }
    }
}
