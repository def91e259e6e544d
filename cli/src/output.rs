//! Output formats (CLI.md "Conventions"):
//!
//! - `text` (default): human lines; `--quiet` drops acknowledgements but keeps requested data.
//! - `json`: one object, `{"success":true, ...data}` (the command's result fields at the top level; a
//!   non-object result goes under `"data"`). Failures: `{"success":false,"error":"<message>","exitCode":n}`
//!   on stdout.
//! - `stream-json`: one JSON object per line; list results (`targets-list`) print one line per item, every
//!   other result prints the same object as `json`.

use serde_json::{json, Map, Value};

use crate::exit::CliError;

/// `--output-format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Human-friendly text.
    #[default]
    Text,
    /// One JSON object.
    Json,
    /// One JSON object per line.
    StreamJson,
}

/// What a command produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The result fields (JSON modes).
    pub data: Value,
    /// The text rendering (text mode).
    pub text: String,
    /// Whether the text is the data the user asked for (kept with `--quiet`) or an acknowledgement.
    pub essential: bool,
    /// Items to print one per line in `stream-json` mode.
    pub items: Option<Vec<Value>>,
}

impl Outcome {
    /// An acknowledgement: `text` is dropped with `--quiet`.
    pub fn ack(data: Value, text: impl Into<String>) -> Self {
        Outcome {
            data,
            text: text.into(),
            essential: false,
            items: None,
        }
    }

    /// Requested data: printed even with `--quiet`.
    pub fn data(data: Value, text: impl Into<String>) -> Self {
        Outcome {
            data,
            text: text.into(),
            essential: true,
            items: None,
        }
    }

    /// The same outcome with per-line items for `stream-json`.
    pub fn with_items(mut self, items: Vec<Value>) -> Self {
        self.items = Some(items);
        self
    }
}

/// `{"success":true, ...data}`.
pub fn success_object(data: &Value) -> Value {
    let mut out = Map::new();
    out.insert("success".into(), Value::Bool(true));
    match data {
        Value::Object(map) => out.extend(map.iter().map(|(k, v)| (k.clone(), v.clone()))),
        Value::Null => {}
        other => {
            out.insert("data".into(), other.clone());
        }
    }
    Value::Object(out)
}

/// What to print on stdout for a success (may be empty).
pub fn render_success(outcome: &Outcome, format: OutputFormat, quiet: bool) -> String {
    match format {
        OutputFormat::Text if quiet && !outcome.essential => String::new(),
        OutputFormat::Text => outcome.text.clone(),
        OutputFormat::Json => success_object(&outcome.data).to_string(),
        OutputFormat::StreamJson => match &outcome.items {
            Some(items) => items
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            None => success_object(&outcome.data).to_string(),
        },
    }
}

/// `(stdout, stderr)` for a failure: text on stderr, or the JSON error object on stdout.
pub fn render_error(err: &CliError, format: OutputFormat) -> (String, String) {
    match format {
        OutputFormat::Text => (String::new(), err.message.clone()),
        OutputFormat::Json | OutputFormat::StreamJson => {
            let obj = json!({"success": false, "error": err.message, "exitCode": err.exit_code});
            (obj.to_string(), String::new())
        }
    }
}

/// Generic text: `key: value` per field (strings bare, other values as compact JSON).
pub fn key_values(data: &Value) -> String {
    match data {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", scalar(v)))
            .collect::<Vec<_>>()
            .join("\n"),
        other => scalar(other),
    }
}

/// A value as text: strings bare, other values as compact JSON.
pub fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_success_flattens_object_data() {
        let o = Outcome::data(json!({"sessionId":"s","url":"u"}), "sessionId: s");
        let v: Value =
            serde_json::from_str(&render_success(&o, OutputFormat::Json, false)).unwrap();
        assert_eq!(v, json!({"success":true,"sessionId":"s","url":"u"}));
        let o = Outcome::data(json!([1, 2]), "");
        let v: Value =
            serde_json::from_str(&render_success(&o, OutputFormat::Json, false)).unwrap();
        assert_eq!(v, json!({"success":true,"data":[1,2]}));
    }

    #[test]
    fn quiet_drops_acks_only() {
        let ack = Outcome::ack(json!({"ok":true}), "ok");
        assert_eq!(render_success(&ack, OutputFormat::Text, true), "");
        assert_eq!(render_success(&ack, OutputFormat::Text, false), "ok");
        assert!(render_success(&ack, OutputFormat::Json, true).contains("\"success\":true"));
        let data = Outcome::data(json!({"text":"hi"}), "hi");
        assert_eq!(render_success(&data, OutputFormat::Text, true), "hi");
    }

    #[test]
    fn stream_json_prints_items_one_per_line() {
        let o = Outcome::data(json!({"targets":[{"a":1},{"a":2}]}), "")
            .with_items(vec![json!({"a":1}), json!({"a":2})]);
        assert_eq!(
            render_success(&o, OutputFormat::StreamJson, false),
            "{\"a\":1}\n{\"a\":2}"
        );
        let single = Outcome::ack(json!({"ok":true}), "");
        let v: Value =
            serde_json::from_str(&render_success(&single, OutputFormat::StreamJson, false))
                .unwrap();
        assert_eq!(v, json!({"success":true,"ok":true}));
    }

    #[test]
    fn errors_go_to_stderr_in_text_and_stdout_in_json() {
        let e =
            CliError::execution("[invalid_request] Unknown ref: r9. Take a new snapshot first.");
        assert_eq!(
            render_error(&e, OutputFormat::Text),
            (String::new(), e.message.clone())
        );
        let (out, err) = render_error(&e, OutputFormat::Json);
        assert!(err.is_empty());
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v, json!({"success":false,"error":e.message,"exitCode":2}));
        let (out, _) = render_error(&CliError::disconnected(), OutputFormat::StreamJson);
        assert!(out.contains("\"exitCode\":10"));
    }

    #[test]
    fn key_values_text() {
        assert_eq!(
            key_values(&json!({"a":"x","b":1,"c":{"d":true}})),
            "a: x\nb: 1\nc: {\"d\":true}"
        );
    }
}
