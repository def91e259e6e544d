//! `interact.upload {ref, files}` (PROTOCOL.md §3.5): `DOM.setFileInputFiles` on an `<input type=file>`
//! (`mode:"direct_input"`), or a real click on any other element followed by `Page.fileChooserOpened` and
//! `DOM.setFileInputFiles` on the chooser's input (`mode:"file_chooser"`).
//!
//! File-chooser interception (`Page.setInterceptFileChooserDialog`) is switched on only for the duration of a
//! `file_chooser` upload and off again afterwards (the attach sequence leaves it off so pickers the user opens
//! keep working, attach.rs).

use futures::channel::oneshot;
use futures::future::{select, Either};
use odb_protocol::error::{ErrorCode, OpsErrorBody};
use serde_json::{json, Value};

use crate::commands::interact::required_ref;
use crate::commands::Ctx;
use crate::errors::{execution_failed, invalid_request, CmdResult};
use crate::host::{Debuggee, Host, TabId};
use crate::runtime::Runtime;
use crate::session::target_id;

/// The wire name of the command this module implements.
pub const INTERACT_UPLOAD: &str = "interact.upload";

/// The wire names this module implements.
pub const COMMANDS: &[&str] = &[INTERACT_UPLOAD];

/// How long a `file_chooser` upload waits for `Page.fileChooserOpened` after its click, in ms.
pub const CHOOSER_WAIT_MS: u64 = 8_000;

/// `mode` of a result: files set straight on the `<input type=file>`.
pub const MODE_DIRECT: &str = "direct_input";
/// `mode` of a result: files set on the input behind an intercepted file chooser.
pub const MODE_CHOOSER: &str = "file_chooser";

/// Whether the element is an `<input type=file>` (by tag name, not `instanceof`, so inputs of same-origin
/// iframes count too).
const IS_FILE_INPUT_FN: &str = "function() { return this.localName === 'input' \
    && (this.type || '').toLowerCase() === 'file'; }";

/// A `Page.fileChooserOpened` event: the input behind the chooser (absent for `showOpenFilePicker()`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChooserOpened {
    /// `backendNodeId` of the `<input type=file>`.
    pub backend_node_id: Option<i64>,
    /// `mode`: `selectSingle` or `selectMultiple`.
    pub mode: String,
}

/// File choosers intercepted in one tab: the upload waiting for the next `Page.fileChooserOpened`.
#[derive(Debug, Default)]
pub struct ChooserState {
    /// Fired by the next `Page.fileChooserOpened` of the tab's root target.
    pub waiter: Option<oneshot::Sender<ChooserOpened>>,
}

/// Reads `payload.files`: a non-empty array of absolute paths (`/…`, `C:\…`, `C:/…` or `\\server\…`).
///
/// # Errors
/// `invalid_request "Missing files: give at least one absolute file path."` when absent or empty;
/// `invalid_request "files must be an array of absolute paths."` for other shapes;
/// `invalid_request "File paths must be absolute: <path>"`.
pub fn parse_files(payload: &Value) -> CmdResult<Vec<String>> {
    let list = match payload.get("files") {
        None | Some(Value::Null) => {
            return Err(invalid_request(
                "Missing files: give at least one absolute file path.",
            ))
        }
        Some(Value::Array(list)) => list,
        Some(_) => return Err(invalid_request("files must be an array of absolute paths.")),
    };
    if list.is_empty() {
        return Err(invalid_request(
            "Missing files: give at least one absolute file path.",
        ));
    }
    list.iter()
        .map(|v| {
            let path = v
                .as_str()
                .ok_or_else(|| invalid_request("files must be an array of absolute paths."))?;
            if is_absolute(path) {
                Ok(path.to_string())
            } else {
                Err(invalid_request(format!(
                    "File paths must be absolute: {path}"
                )))
            }
        })
        .collect()
}

/// Whether `path` is absolute on Unix or Windows (checked by hand: this crate also runs in wasm).
pub fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/')
        || path.starts_with("\\\\")
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/'))
}

/// Runs `interact.upload {ref, files, targetId?}` → `{targetId, fileCount, mode}`.
///
/// # Errors
/// - `invalid_request` for a missing ref or bad `files` (see [`parse_files`]); the stale-ref error;
/// - `timeout "No file chooser opened within 8000 ms after clicking rN."` (retryable);
/// - `execution_failed` when the chooser has no input element (`showOpenFilePicker()`), or Chrome refuses the
///   files (e.g. `Not allowed` when the extension may not read local files).
pub async fn run<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let reference = required_ref(ctx)?;
    let files = parse_files(&ctx.payload)?;
    let tab = ctx.target()?;
    let is_input = ctx
        .call_on_ref(tab, &reference, IS_FILE_INPUT_FN, Vec::new())
        .await?
        .as_bool()
        == Some(true);
    let mode = if is_input {
        let backend = ctx.ref_node(tab, &reference)?;
        set_files(ctx, tab, &reference, backend, &files).await?;
        MODE_DIRECT
    } else {
        upload_through_chooser(ctx, tab, &reference, &files).await?;
        MODE_CHOOSER
    };
    Ok(json!({ "targetId": target_id(tab), "fileCount": files.len(), "mode": mode }))
}

/// `DOM.setFileInputFiles {files, backendNodeId}` on the ref's own input: Chrome sets the files and fires
/// `input` and `change` (a vanished node is the stale-ref error).
async fn set_files<H: Host>(
    ctx: &Ctx<H>,
    tab: TabId,
    reference: &str,
    backend: i64,
    files: &[String],
) -> CmdResult<()> {
    ctx.cdp_ref(
        tab,
        reference,
        "DOM.setFileInputFiles",
        json!({ "files": files, "backendNodeId": backend }),
    )
    .await
    .map(|_| ())
}

/// Intercepts file choosers, clicks the element, waits for the chooser and sets the files on its input.
/// Interception is switched off again whatever happens.
async fn upload_through_chooser<H: Host>(
    ctx: &Ctx<H>,
    tab: TabId,
    reference: &str,
    files: &[String],
) -> CmdResult<()> {
    let (tx, rx) = oneshot::channel();
    ctx.rt.with_state(|st| {
        if let Some(t) = st.tabs.get_mut(&tab) {
            t.chooser.waiter = Some(tx);
        }
    });
    let intercept = |enabled: bool| {
        ctx.cdp(
            tab,
            "Page.setInterceptFileChooserDialog",
            json!({ "enabled": enabled }),
        )
    };
    let result = async {
        intercept(true).await?;
        let point = ctx.locate_ref(tab, reference).await?;
        ctx.mouse_click(tab, point.x, point.y).await?;
        let opened = wait_chooser(ctx, rx).await.ok_or_else(|| {
            OpsErrorBody::new(
                ErrorCode::Timeout,
                format!("No file chooser opened within {CHOOSER_WAIT_MS} ms after clicking {reference}."),
            )
        })?;
        let backend = opened.backend_node_id.ok_or_else(|| {
            execution_failed(
                "The file chooser has no <input type=file> behind it (showOpenFilePicker is not supported).",
            )
        })?;
        let params = json!({ "files": files, "backendNodeId": backend });
        ctx.cdp(tab, "DOM.setFileInputFiles", params).await.map(|_| ())
    }
    .await;
    ctx.rt.with_state(|st| {
        if let Some(t) = st.tabs.get_mut(&tab) {
            t.chooser.waiter = None;
        }
    });
    let _ = intercept(false).await;
    result
}

/// Waits up to [`CHOOSER_WAIT_MS`] for the chooser event; `None` on timeout.
async fn wait_chooser<H: Host>(
    ctx: &Ctx<H>,
    rx: oneshot::Receiver<ChooserOpened>,
) -> Option<ChooserOpened> {
    let sleep = std::pin::pin!(ctx.host().sleep_ms(CHOOSER_WAIT_MS));
    match select(rx, sleep).await {
        Either::Left((Ok(opened), _)) => Some(opened),
        Either::Left((Err(_), _)) | Either::Right(_) => None,
    }
}

/// A CDP event of `debuggee`: `Page.fileChooserOpened` of a tab's root target goes to the upload waiting
/// for it (other events, and choosers nobody waits for, are ignored).
pub fn on_event<H: Host>(rt: &Runtime<H>, debuggee: &Debuggee, method: &str, params: &Value) {
    if method != "Page.fileChooserOpened" || debuggee.session_id.is_some() {
        return;
    }
    let opened = ChooserOpened {
        backend_node_id: params.get("backendNodeId").and_then(Value::as_i64),
        mode: params
            .get("mode")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    };
    let waiter = rt.with_state(|st| {
        st.tabs
            .get_mut(&debuggee.tab_id)
            .and_then(|t| t.chooser.waiter.take())
    });
    if let Some(tx) = waiter {
        let _ = tx.send(opened);
    }
}
