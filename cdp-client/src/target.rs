//! The `Target` domain methods the native host uses, hand-written and typed (CDP `Target.*`, tip-of-tree).
//! All of them go to the browser target (no `sessionId`).

use serde::Deserialize;
use serde_json::{json, Value};

use crate::connection::CdpConnection;
use crate::error::CdpError;

/// `Target.TargetInfo` (the fields we read).
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetInfo {
    /// `targetId`: Chrome's opaque id (32 hex characters for pages).
    pub target_id: String,
    /// `type`: `"page"`, `"iframe"`, `"worker"`, `"browser"`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The document title.
    #[serde(default)]
    pub title: String,
    /// The document URL.
    #[serde(default)]
    pub url: String,
    /// Whether some client is attached.
    #[serde(default)]
    pub attached: bool,
    /// `openerId`: the target that opened this one (`window.open`, `target=_blank`).
    #[serde(default)]
    pub opener_id: Option<String>,
}

impl TargetInfo {
    /// Reads `targetInfo` from a `Target.targetCreated` / `targetInfoChanged` / `attachedToTarget` params object.
    ///
    /// # Errors
    /// [`CdpError::Malformed`] when `params.targetInfo` is missing or has no `targetId`/`type`.
    pub fn from_event(params: &Value) -> Result<TargetInfo, CdpError> {
        serde_json::from_value(params.get("targetInfo").cloned().unwrap_or(Value::Null))
            .map_err(|e| CdpError::Malformed(format!("targetInfo: {e}")))
    }

    /// Whether this is a tab (`type == "page"`).
    pub fn is_page(&self) -> bool {
        self.kind == "page"
    }
}

/// `Target.setDiscoverTargets {discover}`: `targetCreated` / `targetInfoChanged` / `targetDestroyed` events.
///
/// # Errors
/// As [`CdpConnection::send`].
pub async fn set_discover_targets(conn: &CdpConnection, discover: bool) -> Result<(), CdpError> {
    conn.send(
        None,
        "Target.setDiscoverTargets",
        json!({ "discover": discover }),
    )
    .await
    .map(drop)
}

/// `Target.getTargets` → every target.
///
/// # Errors
/// As [`CdpConnection::send`]; [`CdpError::Malformed`] for an unexpected answer.
pub async fn get_targets(conn: &CdpConnection) -> Result<Vec<TargetInfo>, CdpError> {
    let r = conn.send(None, "Target.getTargets", json!({})).await?;
    serde_json::from_value(r.get("targetInfos").cloned().unwrap_or(Value::Null))
        .map_err(|e| CdpError::Malformed(format!("targetInfos: {e}")))
}

/// `Target.getTargetInfo {targetId}`.
///
/// # Errors
/// [`CdpError::Protocol`] "No target with given id found" when it is gone.
pub async fn get_target_info(
    conn: &CdpConnection,
    target_id: &str,
) -> Result<TargetInfo, CdpError> {
    let r = conn
        .send(
            None,
            "Target.getTargetInfo",
            json!({ "targetId": target_id }),
        )
        .await?;
    TargetInfo::from_event(&r)
}

/// `Target.createTarget {url, background}` → the new target's id (a new tab; `background` = not focused).
///
/// # Errors
/// As [`CdpConnection::send`].
pub async fn create_target(
    conn: &CdpConnection,
    url: &str,
    background: bool,
) -> Result<String, CdpError> {
    let r = conn
        .send(
            None,
            "Target.createTarget",
            json!({ "url": url, "background": background }),
        )
        .await?;
    r.get("targetId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| CdpError::Malformed("createTarget without targetId".into()))
}

/// `Target.closeTarget {targetId}`.
///
/// # Errors
/// As [`CdpConnection::send`].
pub async fn close_target(conn: &CdpConnection, target_id: &str) -> Result<(), CdpError> {
    conn.send(None, "Target.closeTarget", json!({ "targetId": target_id }))
        .await
        .map(drop)
}

/// `Target.activateTarget {targetId}` (brings the tab to the front).
///
/// # Errors
/// As [`CdpConnection::send`].
pub async fn activate_target(conn: &CdpConnection, target_id: &str) -> Result<(), CdpError> {
    conn.send(
        None,
        "Target.activateTarget",
        json!({ "targetId": target_id }),
    )
    .await
    .map(drop)
}

/// `Target.attachToTarget {targetId, flatten:true}` → the flat session id.
///
/// # Errors
/// As [`CdpConnection::send`].
pub async fn attach_to_target(conn: &CdpConnection, target_id: &str) -> Result<String, CdpError> {
    let r = conn
        .send(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        )
        .await?;
    r.get("sessionId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| CdpError::Malformed("attachToTarget without sessionId".into()))
}

/// `Target.detachFromTarget {sessionId}`.
///
/// # Errors
/// As [`CdpConnection::send`].
pub async fn detach_from_target(conn: &CdpConnection, session_id: &str) -> Result<(), CdpError> {
    conn.send(
        None,
        "Target.detachFromTarget",
        json!({ "sessionId": session_id }),
    )
    .await
    .map(drop)
}
