//! Page export (CLI.md "Capture and diagnostics", PROTOCOL.md §3.5): `clone-page` -> `export.clonePage {}`,
//! `clone-component --ref r12` -> `export.cloneComponent {ref}`. Both answer `{capture:{html, styles, warnings,
//! inlineStyles}}`.
//!
//! Output: JSON carries the whole result (`capture`); text prints `capture.html` verbatim and nothing else, so
//! `opendevbrowser clone-page ... > page.html` gives a usable file (styles and warnings are in the JSON).

use clap::Args;
use serde_json::Value;

use super::args::params;
use super::interact_cmds::{RefArgs, Request};
use super::page_cmds::Scope;
use super::Ctx;
use crate::exit::CliError;
use crate::output::Outcome;

/// `export.clonePage {}` -> `{capture:{html, styles, warnings, inlineStyles}}`.
pub const EXPORT_CLONE_PAGE: &str = "export.clonePage";
/// `export.cloneComponent {ref}` -> `{capture:{html, styles, warnings, inlineStyles}}`.
pub const EXPORT_CLONE_COMPONENT: &str = "export.cloneComponent";

/// `clone-page`.
#[derive(Args, Debug)]
pub struct ClonePageArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
}

impl ClonePageArgs {
    /// `{sessionId, targetId?}`.
    pub fn params(&self) -> Value {
        params(&self.scope.session, Some(&self.scope.target), &[])
    }
}

/// `clone-page` -> `export.clonePage {}`.
pub fn clone_page(a: &ClonePageArgs) -> Request {
    (EXPORT_CLONE_PAGE, a.params())
}

/// `clone-component` -> `export.cloneComponent {ref}`.
pub fn clone_component(a: &RefArgs) -> Request {
    (EXPORT_CLONE_COMPONENT, a.params())
}

/// Text of an export result: `capture.html` verbatim (empty when absent).
pub fn capture_text(data: &Value) -> String {
    data["capture"]["html"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Sends an export request; text output per [`capture_text`].
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors (e.g. the stale-ref error).
pub async fn send(request: Request, ctx: &Ctx) -> Result<Outcome, CliError> {
    let (name, params) = request;
    let data = ctx.client()?.command(name, params).await?;
    let text = capture_text(&data);
    Ok(Outcome::data(data, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_is_the_captured_html() {
        let d = json!({"capture":{"html":"<div>A</div>","styles":"","warnings":["x"],"inlineStyles":true}});
        assert_eq!(capture_text(&d), "<div>A</div>");
        assert_eq!(capture_text(&json!({})), "");
    }
}
