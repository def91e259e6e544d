//! The snapshot built from `DOMSnapshot.captureSnapshot` (one CDP call per renderer process) instead of
//! `Accessibility.getFullAXTree` (8-12x slower on big pages, measured: docs/SNAPSHOT.md): roles, accessible names,
//! values and states are computed here from the DOM, following HTML-AAM and a subset of accname 1.2.
//!
//! - [`raw`]: the CDP result shape.
//! - [`doc`]: an indexed view of one document.
//! - [`roles`]: explicit and implicit roles, and the `clickable`/`focusable` pseudo-roles.
//! - [`names`]: accessible names and composed-tree text.
//! - [`walk`]: the composed-tree walk across shadow roots and frames, producing [`Element`]s.

pub mod doc;
pub mod names;
pub mod raw;
pub mod roles;
pub mod walk;

pub use walk::{collect, Collected, Element, FrameCapture, FrameOwner, PageCapture, Scope};

/// The computed styles requested from `DOMSnapshot.captureSnapshot` (`computedStyles`), in this order.
pub const COMPUTED_STYLES: &[&str] = &["display", "visibility", "cursor"];

#[cfg(test)]
pub(crate) mod tests;
