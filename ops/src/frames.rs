//! Out-of-process iframes (OOPIFs) of attached tabs: the flat child sessions `Target.setAutoAttach {flatten: true}`
//! reports (`Target.attachedToTarget` with `targetInfo.type == "iframe"`), so snapshots can capture them and refs
//! inside them can be resolved and clicked (issue 4). `chrome.debugger` does not auto-attach grandchildren, so
//! each new child session gets its own `Target.setAutoAttach` (spec/PEERS.md §5.6).

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::cdp;
use crate::host::{Debuggee, Host, TabId};
use crate::runtime::Runtime;

/// One OOPIF of a tab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildFrame {
    /// The CDP session id of the frame's target (`Target.attachedToTarget` `sessionId`).
    pub session_id: String,
    /// The frame whose session reported it: `None` for the tab's own session, else a parent OOPIF's frame id.
    pub parent: Option<String>,
}

/// The OOPIFs of one tab, by frame id (the iframe target's `targetId`, which is its `Page.FrameId`).
#[derive(Clone, Debug, Default)]
pub struct TabFrames {
    by_frame: HashMap<String, ChildFrame>,
}

impl TabFrames {
    /// The frame `frame_id`, if it is a live OOPIF.
    pub fn get(&self, frame_id: &str) -> Option<&ChildFrame> {
        self.by_frame.get(frame_id)
    }

    /// Every live OOPIF as `(frame id, frame)`, parents before children.
    pub fn all(&self) -> Vec<(String, ChildFrame)> {
        let mut out: Vec<(String, ChildFrame)> = Vec::with_capacity(self.by_frame.len());
        let mut pending: Vec<(String, ChildFrame)> = self
            .by_frame
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        pending.sort_by(|a, b| a.0.cmp(&b.0));
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|(id, f)| {
                let ready = f
                    .parent
                    .as_ref()
                    .is_none_or(|p| out.iter().any(|(o, _)| o == p));
                if ready {
                    out.push((id.clone(), f.clone()));
                }
                !ready
            });
            if pending.len() == before {
                out.append(&mut pending);
            }
        }
        out
    }

    /// The frame id of a child session.
    fn frame_of_session(&self, session_id: &str) -> Option<String> {
        self.by_frame
            .iter()
            .find(|(_, f)| f.session_id == session_id)
            .map(|(k, _)| k.clone())
    }

    /// Forgets every frame (the tab detached or its renderer went away).
    pub fn clear(&mut self) {
        self.by_frame.clear();
    }
}

/// The debuggee of `frame_id` on `tab`: the tab's root for `None`, else the OOPIF's child session (`None` when
/// that frame is gone).
pub fn debuggee<H: Host>(rt: &Runtime<H>, tab: TabId, frame_id: Option<&str>) -> Option<Debuggee> {
    let Some(frame) = frame_id else {
        return Some(Debuggee::tab(tab));
    };
    rt.with_state(|st| {
        st.tabs
            .get(&tab)
            .and_then(|t| t.frames.get(frame))
            .map(|f| Debuggee {
                tab_id: tab,
                session_id: Some(f.session_id.clone()),
            })
    })
}

/// Tracks `Target.attachedToTarget` / `Target.detachedFromTarget` of iframe targets on any session of a tab.
pub fn on_event<H: Host>(rt: &Runtime<H>, debuggee: &Debuggee, method: &str, params: &Value) {
    match method {
        "Target.attachedToTarget" => {
            if params.pointer("/targetInfo/type").and_then(Value::as_str) != Some("iframe") {
                return;
            }
            let (Some(frame_id), Some(session_id)) = (
                params
                    .pointer("/targetInfo/targetId")
                    .and_then(Value::as_str),
                params.get("sessionId").and_then(Value::as_str),
            ) else {
                return;
            };
            let tab = debuggee.tab_id;
            rt.with_state(|st| {
                let state = st.tabs.entry(tab).or_default();
                let parent = debuggee
                    .session_id
                    .as_deref()
                    .and_then(|s| state.frames.frame_of_session(s));
                state.frames.by_frame.insert(
                    frame_id.to_string(),
                    ChildFrame {
                        session_id: session_id.to_string(),
                        parent,
                    },
                );
            });
            let owner = rt.clone();
            let child = Debuggee {
                tab_id: tab,
                session_id: Some(session_id.to_string()),
            };
            rt.host().spawn(Box::pin(async move {
                let _ = cdp::send_to(
                    owner.host(),
                    &child,
                    "Target.setAutoAttach",
                    json!({"autoAttach": true, "waitForDebuggerOnStart": false, "flatten": true}),
                    cdp::CDP_TIMEOUT_MS,
                )
                .await;
            }));
        }
        "Target.detachedFromTarget" => {
            let Some(session_id) = params.get("sessionId").and_then(Value::as_str) else {
                return;
            };
            rt.with_state(|st| {
                if let Some(state) = st.tabs.get_mut(&debuggee.tab_id) {
                    state
                        .frames
                        .by_frame
                        .retain(|_, f| f.session_id != session_id);
                }
            });
        }
        _ => {}
    }
}

impl<H: Host> crate::commands::Ctx<H> {
    /// The parent of live out-of-process frame `frame_id` (`Some(None)`: the tab itself); `None` when the frame
    /// is gone.
    pub(crate) fn frame_parent(&self, tab: TabId, frame_id: &str) -> Option<Option<String>> {
        self.rt.with_state(|st| {
            st.tabs
                .get(&tab)
                .and_then(|t| t.frames.get(frame_id))
                .map(|f| f.parent.clone())
        })
    }

    /// Where the viewport of out-of-process frame `frame_id` sits in the tab's viewport, in CSS px: the
    /// top-left of its `<iframe>` content box (`DOM.getFrameOwner` + `DOM.getBoxModel` on the parent's session),
    /// summed up the chain of nested frames. Input events go to the tab's root with these offsets added.
    ///
    /// # Errors
    /// `execution_failed` when a frame or its owner element is gone or has no box.
    pub(crate) async fn frame_offset(
        &self,
        tab: TabId,
        frame_id: &str,
    ) -> crate::errors::CmdResult<(f64, f64)> {
        let (mut dx, mut dy) = (0.0, 0.0);
        let mut current = Some(frame_id.to_string());
        let mut hops = 0;
        while let Some(frame) = current {
            hops += 1;
            let gone = || {
                crate::errors::execution_failed(format!(
                    "Frame {frame} is gone; take a new snapshot."
                ))
            };
            let parent = self.frame_parent(tab, &frame).ok_or_else(gone)?;
            let parent_debuggee = debuggee(&self.rt, tab, parent.as_deref()).ok_or_else(gone)?;
            let owner = self
                .guarded_cdp_to(
                    &parent_debuggee,
                    "DOM.getFrameOwner",
                    json!({ "frameId": frame }),
                )
                .await
                .map_err(|_| gone())?;
            let backend = owner
                .get("backendNodeId")
                .and_then(Value::as_i64)
                .ok_or_else(gone)?;
            let model = self
                .guarded_cdp_to(
                    &parent_debuggee,
                    "DOM.getBoxModel",
                    json!({ "backendNodeId": backend }),
                )
                .await
                .map_err(|_| gone())?;
            let quad: Vec<f64> = model
                .pointer("/model/content")
                .and_then(Value::as_array)
                .map(|q| q.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default();
            if quad.len() != 8 {
                return Err(gone());
            }
            dx += quad
                .iter()
                .step_by(2)
                .copied()
                .fold(f64::INFINITY, f64::min);
            dy += quad
                .iter()
                .skip(1)
                .step_by(2)
                .copied()
                .fold(f64::INFINITY, f64::min);
            current = if hops > 16 { None } else { parent };
        }
        Ok((dx, dy))
    }
}
