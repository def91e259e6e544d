//! DOM read commands beyond `dom-text` (CLI.md "DOM", PROTOCOL.md §3.5): `dom-html`, `dom-attr`,
//! `dom-value`, `dom-visible`, `dom-enabled`, `dom-checked`.

use clap::Args;
use serde_json::{json, Value};

use super::args::{params, positive_u64};
use super::interact_cmds::{RefArgs, Request};
use super::page_cmds::Scope;
use super::Ctx;
use crate::exit::CliError;
use crate::output::{scalar, Outcome};

// Wire names missing from `odb_protocol::commands` (PROTOCOL.md §3.5).
/// `dom.getHtml {ref, maxChars=8000}` -> `{outerHTML, truncated}`.
pub const DOM_GET_HTML: &str = "dom.getHtml";
/// `dom.getAttr {ref, name}` -> `{value|null}`.
pub const DOM_GET_ATTR: &str = "dom.getAttr";
/// `dom.getValue {ref}` -> `{value|null}`.
pub const DOM_GET_VALUE: &str = "dom.getValue";
/// `dom.isVisible {ref}` -> `{value}` (boolean).
pub const DOM_IS_VISIBLE: &str = "dom.isVisible";
/// `dom.isEnabled {ref}` -> `{value}` (boolean).
pub const DOM_IS_ENABLED: &str = "dom.isEnabled";
/// `dom.isChecked {ref}` -> `{value}` (boolean).
pub const DOM_IS_CHECKED: &str = "dom.isChecked";

/// `dom-html --ref r12 [--max-chars N]`.
#[derive(Args, Debug)]
pub struct DomHtmlArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// The element ref from a snapshot.
    #[arg(long = "ref")]
    pub reference: String,
    /// Maximum characters of outerHTML (default 8000).
    #[arg(long = "max-chars", value_parser = positive_u64)]
    pub max_chars: Option<u64>,
}

impl DomHtmlArgs {
    /// `{sessionId, targetId?, ref, maxChars?}` (the extension defaults `maxChars` to 8000).
    pub fn params(&self) -> Value {
        params(
            &self.scope.session,
            Some(&self.scope.target),
            &[
                ("ref", Some(json!(self.reference))),
                ("maxChars", self.max_chars.map(Value::from)),
            ],
        )
    }
}

/// `dom-attr --ref r12 --attr NAME`.
#[derive(Args, Debug)]
pub struct DomAttrArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// The element ref from a snapshot.
    #[arg(long = "ref")]
    pub reference: String,
    /// The attribute name (e.g. `href`).
    #[arg(long)]
    pub attr: String,
}

impl DomAttrArgs {
    /// `{sessionId, targetId?, ref, name}`.
    pub fn params(&self) -> Value {
        params(
            &self.scope.session,
            Some(&self.scope.target),
            &[
                ("ref", Some(json!(self.reference))),
                ("name", Some(json!(self.attr))),
            ],
        )
    }
}

/// Text of a `{value}` result: a string bare, `null` when absent or null, `true`/`false` for booleans.
pub fn value_text(data: &Value) -> String {
    scalar(data.get("value").unwrap_or(&Value::Null))
}

/// Text of a `dom.getHtml` result: the outerHTML verbatim.
pub fn html_text(data: &Value) -> String {
    data["outerHTML"].as_str().unwrap_or_default().to_string()
}

/// `dom-html` -> `dom.getHtml {ref, maxChars?}`.
pub fn html(a: &DomHtmlArgs) -> Request {
    (DOM_GET_HTML, a.params())
}

/// `dom-attr` -> `dom.getAttr {ref, name}`.
pub fn attr(a: &DomAttrArgs) -> Request {
    (DOM_GET_ATTR, a.params())
}

/// `dom-value` -> `dom.getValue {ref}`.
pub fn value(a: &RefArgs) -> Request {
    (DOM_GET_VALUE, a.params())
}

/// `dom-visible` -> `dom.isVisible {ref}`.
pub fn visible(a: &RefArgs) -> Request {
    (DOM_IS_VISIBLE, a.params())
}

/// `dom-enabled` -> `dom.isEnabled {ref}`.
pub fn enabled(a: &RefArgs) -> Request {
    (DOM_IS_ENABLED, a.params())
}

/// `dom-checked` -> `dom.isChecked {ref}`.
pub fn checked(a: &RefArgs) -> Request {
    (DOM_IS_CHECKED, a.params())
}

/// Sends a `dom-html` request; text output is the outerHTML verbatim.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn send_html(request: Request, ctx: &Ctx) -> Result<Outcome, CliError> {
    let (name, params) = request;
    let data = ctx.client()?.command(name, params).await?;
    let text = html_text(&data);
    Ok(Outcome::data(data, text))
}

/// Sends a `{value}`-result request (`dom-attr`, `dom-value`, `dom-visible`, `dom-enabled`, `dom-checked`);
/// text output is the value itself (a string, `null`, `true` or `false`).
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn send_value(request: Request, ctx: &Ctx) -> Result<Outcome, CliError> {
    let (name, params) = request;
    let data = ctx.client()?.command(name, params).await?;
    let text = value_text(&data);
    Ok(Outcome::data(data, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_results_print_the_value_itself() {
        assert_eq!(value_text(&json!({"value":"https://a/"})), "https://a/");
        assert_eq!(value_text(&json!({"value":null})), "null");
        assert_eq!(value_text(&json!({})), "null");
        assert_eq!(value_text(&json!({"value":true})), "true");
        assert_eq!(value_text(&json!({"value":false})), "false");
    }

    #[test]
    fn html_results_print_the_outer_html() {
        let d = json!({"outerHTML":"<a href=\"/\">A</a>","truncated":false});
        assert_eq!(html_text(&d), "<a href=\"/\">A</a>");
    }
}
