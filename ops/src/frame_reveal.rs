//! Bringing an element of an out-of-process iframe into view without racing the browser (issue 4 follow-up).
//!
//! `scrollIntoView()` run inside an OOPIF scrolls the frame's own document at once, but the scroll it asks of
//! the ancestor documents is sent across processes and lands later. Measured on Chromium 156 headless with the
//! frame 1 600 px below the fold: a click measured right after it missed about one time in three. So for a ref
//! inside an OOPIF the runtime scrolls each `<iframe>` owner into view itself, outermost first, with
//! `DOM.scrollIntoViewIfNeeded` on the parent's session (synchronous in that renderer); the element is then
//! scrolled only as far as needed within its frame (no ancestor scroll left to happen), and the frame's offset
//! is read until two readings [`SETTLE_MS`] apart agree.

use serde_json::{json, Value};

use crate::commands::Ctx;
use crate::errors::{execution_failed, CmdResult};
use crate::frames::debuggee;
use crate::host::{Host, TabId};

/// The pause between two readings of a frame's offset, in ms.
pub const SETTLE_MS: u64 = 40;
/// At most this many readings of a frame's offset before the last one is used.
pub const SETTLE_READINGS: u32 = 10;

impl<H: Host> Ctx<H> {
    /// Scrolls the `<iframe>` owners of out-of-process frame `frame_id` into view, outermost first
    /// (`DOM.getFrameOwner` + `DOM.scrollIntoViewIfNeeded` on each parent's session).
    ///
    /// # Errors
    /// `execution_failed` when a frame of the chain is gone.
    pub(crate) async fn reveal_frame(&self, tab: TabId, frame_id: &str) -> CmdResult<()> {
        let mut chain: Vec<(String, Option<String>)> = Vec::new();
        let mut current = Some(frame_id.to_string());
        while let Some(frame) = current.take() {
            if chain.len() > 16 {
                break;
            }
            let parent = self.frame_parent(tab, &frame).ok_or_else(|| gone(&frame))?;
            chain.push((frame, parent.clone()));
            current = parent;
        }
        for (frame, parent) in chain.iter().rev() {
            let on = debuggee(&self.rt, tab, parent.as_deref()).ok_or_else(|| gone(frame))?;
            let owner = self
                .guarded_cdp_to(&on, "DOM.getFrameOwner", json!({ "frameId": frame }))
                .await
                .map_err(|_| gone(frame))?;
            let backend = owner
                .get("backendNodeId")
                .and_then(Value::as_i64)
                .ok_or_else(|| gone(frame))?;
            self.guarded_cdp_to(
                &on,
                "DOM.scrollIntoViewIfNeeded",
                json!({ "backendNodeId": backend }),
            )
            .await
            .map_err(|_| gone(frame))?;
        }
        Ok(())
    }

    /// Scrolls the element of `reference` into view by running `function` on it with the alignment as its one
    /// argument: `'center'` for an element of the tab's own renderer, `'nearest'` after [`Ctx::reveal_frame`]
    /// for one inside an out-of-process iframe. Returns the function's value and the ref's OOPIF frame id.
    ///
    /// # Errors
    /// The stale-ref error; `execution_failed` when a frame of the chain is gone or the function throws.
    pub(crate) async fn scroll_ref_into_view(
        &self,
        tab: TabId,
        reference: &str,
        function: &str,
    ) -> CmdResult<(Value, Option<String>)> {
        let frame = self.ref_frame(tab, reference);
        let block = match &frame {
            Some(frame) => {
                self.reveal_frame(tab, frame).await?;
                "nearest"
            }
            None => "center",
        };
        let value = self
            .call_on_ref(tab, reference, function, vec![json!(block)])
            .await?;
        Ok((value, frame))
    }

    /// [`Ctx::frame_offset`] once two readings [`SETTLE_MS`] apart agree within half a CSS px (at most
    /// [`SETTLE_READINGS`] readings; then the last).
    ///
    /// # Errors
    /// As [`Ctx::frame_offset`].
    pub(crate) async fn settled_frame_offset(
        &self,
        tab: TabId,
        frame_id: &str,
    ) -> CmdResult<(f64, f64)> {
        let mut last = self.frame_offset(tab, frame_id).await?;
        for _ in 1..SETTLE_READINGS {
            self.host().sleep_ms(SETTLE_MS).await;
            let now = self.frame_offset(tab, frame_id).await?;
            if (now.0 - last.0).abs() < 0.5 && (now.1 - last.1).abs() < 0.5 {
                return Ok(now);
            }
            last = now;
        }
        Ok(last)
    }
}

fn gone(frame: &str) -> crate::errors::CmdError {
    execution_failed(format!("Frame {frame} is gone; take a new snapshot."))
}
