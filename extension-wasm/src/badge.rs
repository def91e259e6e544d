//! The toolbar badge: `●` in green, amber or red (PROTOCOL.md §6 "Badge").

use serde_json::Value;
use wasm_bindgen_futures::spawn_local;

use crate::chrome::action;
use crate::status::{badge_for, LinkStatus, BADGE_TEXT};

/// Paints the badge for `status` and the last relay `health` (asynchronously; failures are logged).
pub fn show(status: LinkStatus, health: Option<&Value>) {
    let color = badge_for(status, health).color();
    spawn_local(async move {
        let result = async {
            action::set_badge_text(BADGE_TEXT).await?;
            action::set_badge_background_color(color).await
        }
        .await;
        if let Err(e) = result {
            warn!("badge update failed: {e}");
        }
    });
}
