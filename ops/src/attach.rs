//! Attaching the debugger to a session tab and enabling its domains in the PROTOCOL.md §3.6 order.
//! Failures are `cdp_attach_failed` with `details {stage, message}` (restricted pages: `restricted_url`;
//! a vanished tab: `invalid_request "Unknown tabId: N"`). A conflict with another debugger is never retried
//! (SECURITY.md D10).

use odb_protocol::error::{ErrorCode, OpsErrorBody};
use serde_json::{json, Value};

use crate::attach_log::AttachEventKind;
use crate::cdp;
use crate::commands::Ctx;
use crate::errors::{map_host_error, CmdResult, TabRef};
use crate::host::{Host, HostError, TabId};
use crate::session::TabState;

/// The domain enablement sequence of PROTOCOL.md §3.6, without `Page.setInterceptFileChooserDialog` (it would
/// block file pickers the user opens; uploads come with `interact.upload`). Methods in [`BEST_EFFORT`] may fail
/// without failing the attach.
pub fn enable_sequence() -> Vec<(&'static str, Value)> {
    vec![
        (
            "Target.setAutoAttach",
            json!({"autoAttach": true, "waitForDebuggerOnStart": false, "flatten": true}),
        ),
        ("Page.enable", json!({})),
        ("Runtime.enable", json!({})),
        ("Network.enable", json!({})),
        ("Performance.enable", json!({})),
        ("Target.setDiscoverTargets", json!({"discover": true})),
    ]
}

/// Enablement steps whose failure is ignored: `chrome.debugger` answers `Target.setDiscoverTargets` with
/// "Not allowed" (measured on Chromium 156), while plain CDP (managed mode) accepts it.
pub const BEST_EFFORT: &[&str] = &["Target.setDiscoverTargets"];

/// The error of a failed attach `stage`.
fn attach_error(err: &HostError, stage: &str, tab: TabRef) -> OpsErrorBody {
    let mapped = map_host_error(err, tab);
    let details = json!({ "stage": stage, "message": err.message });
    match mapped.code {
        ErrorCode::InvalidRequest => mapped,
        ErrorCode::RestrictedUrl => mapped.with_details(details),
        _ => OpsErrorBody::new(
            ErrorCode::CdpAttachFailed,
            format!("Debugger attach failed at {stage}: {}", err.message),
        )
        .with_details(details),
    }
}

impl<H: Host> Ctx<H> {
    /// Attaches the debugger to `tab` (unless this runtime already holds it) and enables the domains. On
    /// success the tab's state is attached; its refs survive a re-enable.
    ///
    /// # Errors
    /// See the module doc.
    pub async fn attach_tab(&self, tab: TabId, named: TabRef) -> CmdResult<()> {
        let already = self
            .rt
            .with_state(|st| st.tabs.get(&tab).is_some_and(|t| t.attached));
        if !already {
            self.bounded(self.host().attach(tab))
                .await
                .map_err(|e| attach_error(&e, "attach", named))?;
            self.rt.log_attach(tab, AttachEventKind::Attach);
        }
        for (method, params) in enable_sequence() {
            if let Err(err) = cdp::send(self.host(), tab, method, params).await {
                if BEST_EFFORT.contains(&method) {
                    continue;
                }
                if !already {
                    let _ = self.bounded(self.host().detach(tab)).await;
                    self.rt.log_attach(tab, AttachEventKind::Detach);
                }
                return Err(attach_error(&err, method, named));
            }
        }
        let now = self.host().now_ms();
        self.rt.with_state(|st| {
            let state = st.tabs.entry(tab).or_insert_with(TabState::default);
            state.attached = true;
            state.detached_reason = None;
            if !already {
                // `Runtime.enable` replays earlier console messages, possibly after later answers: drop
                // anything stamped before this attach.
                state.logs.arm(now);
            }
        });
        Ok(())
    }
}
