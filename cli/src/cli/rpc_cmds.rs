//! `rpc --name <command> [--params JSON] [--session-id ID]`: the power-user passthrough (CLI.md "Scripts and
//! power tools"). Sends any `/ops` wire name of PROTOCOL.md §3.5 with the given payload through the daemon,
//! which adds the session's `opsSessionId`/`leaseId` as for every other command.
//!
//! The name is not checked here: the daemon answers `[invalid_request] Unknown command: <name>` (exit 2) for a
//! name it does not know. `--params` must be a JSON object (exit 1 otherwise).

use clap::Args;
use serde_json::{Map, Value};

use super::args::non_empty;
use super::Ctx;
use crate::exit::CliError;
use crate::output::Outcome;

/// `rpc` flags.
#[derive(Args, Debug)]
pub struct RpcArgs {
    /// The `/ops` command name (e.g. `nav.snapshot`, `page.dialog`, `session.status`).
    #[arg(long, value_parser = non_empty)]
    pub name: String,
    /// The command's payload as a JSON object (default `{}`), e.g. `'{"mode":"actionables"}'`.
    #[arg(long, value_parser = json_object, default_value = "{}")]
    pub params: JsonObject,
    /// The session id `launch` or `connect` printed; sent as the payload's `sessionId` (every command but
    /// `session.launch`/`session.connect` needs one, here or inside `--params`).
    #[arg(long = "session-id")]
    pub session_id: Option<String>,
}

/// The parsed `--params` object.
#[derive(Clone, Debug, PartialEq)]
pub struct JsonObject(pub Map<String, Value>);

/// `--params`: a JSON object.
///
/// # Errors
/// A usage-error message for invalid JSON or a JSON value that is not an object.
pub fn json_object(raw: &str) -> Result<JsonObject, String> {
    let value: Value =
        serde_json::from_str(raw).map_err(|e| format!("--params is not valid JSON: {e}"))?;
    match value {
        Value::Object(map) => Ok(JsonObject(map)),
        other => Err(format!(
            "--params must be a JSON object such as {{\"mode\":\"outline\"}}, got {}",
            json_kind(&other)
        )),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl RpcArgs {
    /// The daemon request: `(name, params)`, with `sessionId` from `--session-id` added to the params.
    ///
    /// # Errors
    /// A usage error (exit 1) when `--session-id` and a `sessionId` inside `--params` disagree.
    pub fn request(&self) -> Result<(String, Value), CliError> {
        let mut map = self.params.0.clone();
        if let Some(id) = &self.session_id {
            match map.get("sessionId") {
                Some(Value::String(inner)) if inner == id => {}
                Some(other) => {
                    return Err(CliError::usage(format!(
                        "--session-id {id} disagrees with \"sessionId\": {other} in --params"
                    )))
                }
                None => {
                    map.insert("sessionId".into(), Value::String(id.clone()));
                }
            }
        }
        Ok((self.name.clone(), Value::Object(map)))
    }
}

/// Text of an `rpc` result: a string bare, anything else as pretty-printed JSON.
pub fn rpc_text(data: &Value) -> String {
    match data {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_else(|_| other.to_string()),
    }
}

/// Sends the command; JSON output is the command's result fields, text output is that result as pretty JSON.
///
/// # Errors
/// Exit 1 for conflicting session ids; exit 10 without a daemon; exit 2 for daemon or ops errors.
pub async fn rpc(a: RpcArgs, ctx: &Ctx) -> Result<Outcome, CliError> {
    let (name, params) = a.request()?;
    let data = ctx.client()?.command(&name, params).await?;
    let text = rpc_text(&data);
    Ok(Outcome::data(data, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_must_be_a_json_object() {
        assert_eq!(
            json_object(r#"{"a":1}"#),
            Ok(JsonObject(json!({"a":1}).as_object().unwrap().clone()))
        );
        for (bad, kind) in [
            ("[1]", "an array"),
            ("3", "a number"),
            ("\"x\"", "a string"),
            ("null", "null"),
            ("true", "a boolean"),
        ] {
            let err = json_object(bad).unwrap_err();
            assert!(
                err.contains("must be a JSON object") && err.contains(kind),
                "{err}"
            );
        }
        assert!(json_object("{oops").unwrap_err().contains("not valid JSON"));
    }

    #[test]
    fn text_is_pretty_json_or_a_bare_string() {
        assert_eq!(rpc_text(&json!("hi")), "hi");
        assert_eq!(rpc_text(&json!({"ok":true})), "{\n  \"ok\": true\n}");
    }
}
