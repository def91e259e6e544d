//! [`NativeRuntime`]: the ops runtime on its own thread (a current-thread tokio runtime with a `LocalSet`,
//! because ops futures are `!Send`), driving a browser over [`CdpHost`]. The embedder talks to it with the
//! same `/ops` envelopes the relay carries to the extension: `ops_request` text in, `ops_response` /
//! `ops_chunk` / `ops_error` / `ops_event` text out.

use std::cell::RefCell;
use std::rc::Rc;

use odb_cdp::{target, CdpConnection, CdpError};
use odb_ops::{Host, Runtime, TabId};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::oneshot;

use crate::events::route_events;
use crate::host::CdpHost;
use crate::tabs::TabMap;

/// A running native ops runtime. Dropping [`NativeRuntime::input`] (or the whole value) stops the thread.
pub struct NativeRuntime {
    /// `/ops` envelopes to the runtime (`ops_request`, `ops_event ops_client_disconnected`).
    pub input: UnboundedSender<String>,
    /// `/ops` envelopes from the runtime; `None` once the thread ended.
    pub output: UnboundedReceiver<String>,
    /// The browser connection (to close it, or `Browser.close`).
    pub conn: CdpConnection,
    /// The first page tab when the runtime started (`session.launch {tabId}` for a browser with no http page).
    pub initial_tab: Option<TabId>,
    /// The runtime thread.
    pub thread: std::thread::JoinHandle<()>,
}

/// What the thread reports once it is ready.
type Ready = Result<(CdpConnection, Option<TabId>), CdpError>;

/// Connects to the browser at `ws_url` (a `/devtools/browser/<id>` WebSocket) on a new thread named
/// `odb-native-ops`, turns on target discovery, and starts the runtime there; `mode` (`"managed"` or
/// `"cdpConnect"`) is the session mode the runtime reports.
///
/// # Errors
/// [`CdpError`] when the connection or `Target.setDiscoverTargets` fails, or the thread cannot start.
pub async fn start(ws_url: &str, mode: &'static str) -> Result<NativeRuntime, CdpError> {
    let (input, input_rx) = unbounded_channel::<String>();
    let (out_tx, output) = unbounded_channel::<String>();
    let (ready_tx, ready_rx) = oneshot::channel::<Ready>();
    let url = ws_url.to_string();
    let thread = std::thread::Builder::new()
        .name("odb-native-ops".into())
        .spawn(move || run(url, mode, input_rx, out_tx, ready_tx))
        .map_err(|e| CdpError::Connect {
            url: ws_url.to_string(),
            reason: format!("cannot start the runtime thread: {e}"),
        })?;
    let (conn, initial_tab) = ready_rx.await.map_err(|_| CdpError::Closed)??;
    Ok(NativeRuntime {
        input,
        output,
        conn,
        initial_tab,
        thread,
    })
}

fn run(
    url: String,
    mode: &'static str,
    mut input: UnboundedReceiver<String>,
    out: UnboundedSender<String>,
    ready: oneshot::Sender<Ready>,
) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = ready.send(Err(CdpError::Connect {
                url,
                reason: format!("cannot build the runtime: {e}"),
            }));
            return;
        }
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let (conn, events) = match connect(&url).await {
            Ok(pair) => pair,
            Err(e) => {
                let _ = ready.send(Err(e));
                return;
            }
        };
        let tabs = Rc::new(RefCell::new(TabMap::default()));
        let host = CdpHost::new(conn.clone(), tabs.clone(), out, mode);
        let runtime = Runtime::new(host);
        let initial = runtime
            .host()
            .list_tabs()
            .await
            .ok()
            .and_then(|t| t.first().map(|t| t.id));
        tokio::task::spawn_local(route_events(runtime.clone(), tabs, events));
        if ready.send(Ok((conn.clone(), initial))).is_err() {
            return;
        }
        while let Some(text) = input.recv().await {
            runtime.handle_relay_message(&text);
        }
        conn.close();
    });
}

async fn connect(
    url: &str,
) -> Result<(CdpConnection, UnboundedReceiver<odb_cdp::CdpEvent>), CdpError> {
    let (conn, events) = CdpConnection::connect(url).await?;
    target::set_discover_targets(&conn, true).await?;
    Ok((conn, events))
}
