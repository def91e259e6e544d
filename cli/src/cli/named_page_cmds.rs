//! Named pages (CLI.md "Targets and named pages", PROTOCOL.md §3.5): `page --name N [--url URL]` ->
//! `page.open`, `pages` -> `page.list`, `page-close --name N` -> `page.close`. A named page is a target the
//! session remembers under a name; these are session commands (no `--target-id`).

use clap::Args;
use serde_json::{json, Value};

use super::args::{non_empty, params, SessionArg};
use super::interact_cmds::Request;
use super::Ctx;
use crate::exit::CliError;
use crate::output::{key_values, scalar, Outcome};

/// `page.open {name, url?}` -> `{targetId, created, url?, title?}` (`created:false` for an existing name).
pub const PAGE_OPEN: &str = "page.open";
/// `page.list {}` -> `{pages:[{name, targetId, url, title}]}`.
pub const PAGE_LIST: &str = "page.list";
/// `page.close {name}` -> `{ok:true}`.
pub const PAGE_CLOSE: &str = "page.close";

/// `page --name main [--url URL]`.
#[derive(Args, Debug)]
pub struct PageArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArg,
    /// The page name; an existing name returns its target (`created: false`).
    #[arg(long, value_parser = non_empty)]
    pub name: String,
    /// The URL to open a new page at (http or https).
    #[arg(long)]
    pub url: Option<String>,
}

impl PageArgs {
    /// `{sessionId, name, url?}`.
    pub fn params(&self) -> Value {
        params(
            &self.session,
            None,
            &[
                ("name", Some(json!(self.name))),
                ("url", self.url.clone().map(Value::from)),
            ],
        )
    }
}

/// `pages`.
#[derive(Args, Debug)]
pub struct PagesArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArg,
}

impl PagesArgs {
    /// `{sessionId}`.
    pub fn params(&self) -> Value {
        params(&self.session, None, &[])
    }
}

/// `page-close --name main`.
#[derive(Args, Debug)]
pub struct PageCloseArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub session: SessionArg,
    /// The page name to close.
    #[arg(long, value_parser = non_empty)]
    pub name: String,
}

impl PageCloseArgs {
    /// `{sessionId, name}`.
    pub fn params(&self) -> Value {
        params(&self.session, None, &[("name", Some(json!(self.name)))])
    }
}

/// `page` -> `page.open {name, url?}`.
pub fn open(a: &PageArgs) -> Request {
    (PAGE_OPEN, a.params())
}

/// `pages` -> `page.list {}`.
pub fn list(a: &PagesArgs) -> Request {
    (PAGE_LIST, a.params())
}

/// `page-close` -> `page.close {name}`.
pub fn close(a: &PageCloseArgs) -> Request {
    (PAGE_CLOSE, a.params())
}

/// One line per named page: `name  targetId  title  url` (`(no named pages)` when there are none).
pub fn pages_text(data: &Value) -> String {
    let pages = data["pages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if pages.is_empty() {
        return "(no named pages)".into();
    }
    pages
        .iter()
        .map(|p| {
            let mut line = format!("{}  {}", scalar(&p["name"]), scalar(&p["targetId"]));
            for key in ["title", "url"] {
                if let Some(v) = p.get(key).filter(|v| !v.is_null()) {
                    line.push_str("  ");
                    line.push_str(&scalar(v));
                }
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Sends `page`: text output is the result fields (`targetId: tab-12`, `created: true`, ...).
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors (e.g. `restricted_url`).
pub async fn send_open(request: Request, ctx: &Ctx) -> Result<Outcome, CliError> {
    let (name, params) = request;
    let data = ctx.client()?.command(name, params).await?;
    Ok(Outcome::data(data.clone(), key_values(&data)))
}

/// Sends `pages`: text output is one line per page; `stream-json` prints one page object per line.
///
/// # Errors
/// Exit 10 without a daemon; exit 2 for ops errors.
pub async fn send_list(request: Request, ctx: &Ctx) -> Result<Outcome, CliError> {
    let (name, params) = request;
    let data = ctx.client()?.command(name, params).await?;
    let items = data["pages"].as_array().cloned().unwrap_or_default();
    Ok(Outcome::data(data.clone(), pages_text(&data)).with_items(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_print_one_line_each() {
        let d = json!({"pages":[
            {"name":"main","targetId":"tab-1","url":"http://a/","title":"A"},
            {"name":"docs","targetId":"tab-2","url":"http://b/","title":""}]});
        assert_eq!(
            pages_text(&d),
            "main  tab-1  A  http://a/\ndocs  tab-2    http://b/"
        );
        assert_eq!(pages_text(&json!({"pages":[]})), "(no named pages)");
        assert_eq!(pages_text(&json!({})), "(no named pages)");
    }
}
