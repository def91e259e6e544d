//! `pointer.move/down/up/drag` (PROTOCOL.md §3.5): raw `Input.dispatchMouseEvent` input in viewport CSS px,
//! each answered `{timingMs}`.
//!
//! Declared divergence: `steps` **interpolates** linearly from the tab's last known pointer position to the
//! target (the original repeated `mouseMoved` to the same point `steps` times). The last position and the
//! pressed buttons are remembered per tab (set by `pointer.*` only; `interact.click`/`hover` do not update
//! it); when unknown, moves start at the target point. Moves made while a button is down carry that button
//! and the `buttons` mask, so pages see a real drag.

use serde_json::{json, Value};

use crate::commands::Ctx;
use crate::errors::{invalid_request, CmdResult};
use crate::host::{Host, TabId};
use crate::runtime::Runtime;

/// `pointer.move`.
pub const POINTER_MOVE: &str = "pointer.move";
/// `pointer.down`.
pub const POINTER_DOWN: &str = "pointer.down";
/// `pointer.up`.
pub const POINTER_UP: &str = "pointer.up";
/// `pointer.drag`.
pub const POINTER_DRAG: &str = "pointer.drag";

/// The wire names this module implements.
pub const COMMANDS: &[&str] = &[POINTER_MOVE, POINTER_DOWN, POINTER_UP, POINTER_DRAG];

/// The largest `steps` accepted (each step is one CDP round trip).
pub const MAX_STEPS: u64 = 1_000;
/// The largest `clickCount` accepted.
pub const MAX_CLICK_COUNT: u64 = 3;

/// A point in viewport CSS px.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Horizontal, from the viewport's left edge.
    pub x: f64,
    /// Vertical, from the viewport's top edge.
    pub y: f64,
}

/// A mouse button of `pointer.down`/`up` (`button`, default `left`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Button {
    /// `left` (mask 1).
    Left,
    /// `right` (mask 2).
    Right,
    /// `middle` (mask 4).
    Middle,
}

impl Button {
    /// The CDP `MouseButton` name.
    pub fn name(self) -> &'static str {
        match self {
            Button::Left => "left",
            Button::Right => "right",
            Button::Middle => "middle",
        }
    }

    /// Its bit in the DOM/CDP `buttons` mask.
    pub fn mask(self) -> u32 {
        match self {
            Button::Left => 1,
            Button::Right => 2,
            Button::Middle => 4,
        }
    }
}

/// What the runtime knows about a tab's mouse: where it last was and which buttons are down.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PointerState {
    /// The last position sent, `None` before the first `pointer.*` command.
    pub last: Option<Point>,
    /// The `buttons` mask of the buttons held down.
    pub buttons: u32,
}

impl PointerState {
    /// The button moves report while buttons are held (CDP wants one in `button`): left, then right, then
    /// middle; `none` when nothing is down.
    pub fn held_button(&self) -> &'static str {
        [Button::Left, Button::Right, Button::Middle]
            .into_iter()
            .find(|b| self.buttons & b.mask() != 0)
            .map_or("none", Button::name)
    }
}

/// The pointer state of `tab` (default when unknown).
pub fn load<H: Host>(rt: &Runtime<H>, tab: TabId) -> PointerState {
    rt.with_state(|st| st.tabs.get(&tab).map(|t| t.pointer).unwrap_or_default())
}

/// Records the pointer state of `tab` (dropped with the tab's state).
pub fn store<H: Host>(rt: &Runtime<H>, tab: TabId, state: PointerState) {
    rt.with_state(|st| {
        if let Some(t) = st.tabs.get_mut(&tab) {
            t.pointer = state;
        }
    });
}

/// `count` points from `from` (excluded) to `to` (included), evenly spaced on the segment.
pub fn interpolate(from: Point, to: Point, count: u64) -> Vec<Point> {
    let count = count.max(1);
    (1..=count)
        .map(|i| {
            let t = i as f64 / count as f64;
            Point {
                x: from.x + (to.x - from.x) * t,
                y: from.y + (to.y - from.y) * t,
            }
        })
        .collect()
}

/// A finite number field `key` of `obj`, named `label` in errors.
fn coord(obj: &Value, key: &str, label: &str) -> CmdResult<f64> {
    obj.get(key)
        .and_then(Value::as_f64)
        .filter(|v| v.is_finite())
        .ok_or_else(|| invalid_request(format!("{label} must be a finite number.")))
}

/// `{x, y}` of `obj`, named `label` in errors (`""` for the payload itself).
///
/// # Errors
/// `invalid_request "<label>x must be a finite number."`.
pub fn parse_point(obj: &Value, label: &str) -> CmdResult<Point> {
    Ok(Point {
        x: coord(obj, "x", &format!("{label}x"))?,
        y: coord(obj, "y", &format!("{label}y"))?,
    })
}

/// An optional positive integer field `key` of `payload` at most `max`, else `default`.
///
/// # Errors
/// `invalid_request "<key> must be an integer from 1 to <max>."`.
pub fn parse_count(payload: &Value, key: &str, default: u64, max: u64) -> CmdResult<u64> {
    match payload.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .or_else(|| {
                v.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 1.0)
                    .map(|f| f as u64)
            })
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| invalid_request(format!("{key} must be an integer from 1 to {max}."))),
    }
}

/// `button` of `payload`: `left` (default), `middle` or `right`.
///
/// # Errors
/// `invalid_request "Invalid button: X. Use left, middle or right."`.
pub fn parse_button(payload: &Value) -> CmdResult<Button> {
    match payload.get("button") {
        None | Some(Value::Null) => Ok(Button::Left),
        Some(Value::String(s)) if s == "left" => Ok(Button::Left),
        Some(Value::String(s)) if s == "middle" => Ok(Button::Middle),
        Some(Value::String(s)) if s == "right" => Ok(Button::Right),
        Some(other) => {
            let shown = other
                .as_str()
                .map_or_else(|| other.to_string(), str::to_string);
            Err(invalid_request(format!(
                "Invalid button: {shown}. Use left, middle or right."
            )))
        }
    }
}

/// Sends the mouse events of one command on one tab, keeping its [`PointerState`] up to date.
struct Mouse<'a, H: Host> {
    ctx: &'a Ctx<H>,
    tab: TabId,
    state: PointerState,
}

impl<'a, H: Host> Mouse<'a, H> {
    fn new(ctx: &'a Ctx<H>, tab: TabId) -> Self {
        let state = load(&ctx.rt, tab);
        Mouse { ctx, tab, state }
    }

    async fn dispatch(&mut self, params: Value) -> CmdResult<()> {
        let sent = self
            .ctx
            .cdp(self.tab, "Input.dispatchMouseEvent", params)
            .await;
        store(&self.ctx.rt, self.tab, self.state);
        sent.map(|_| ())
    }

    /// `steps` interpolated `mouseMoved` events from the last position (or `to` when unknown) to `to`.
    async fn move_to(&mut self, to: Point, steps: u64) -> CmdResult<()> {
        let from = self.state.last.unwrap_or(to);
        for p in interpolate(from, to, steps) {
            self.state.last = Some(p);
            let params = json!({
                "type": "mouseMoved", "x": p.x, "y": p.y,
                "button": self.state.held_button(), "buttons": self.state.buttons,
            });
            self.dispatch(params).await?;
        }
        Ok(())
    }

    /// `mousePressed` (`down`) or `mouseReleased` at the current position; `buttons` is the mask after it.
    async fn button(&mut self, button: Button, down: bool, click_count: u64) -> CmdResult<()> {
        let at = self.state.last.unwrap_or(Point { x: 0.0, y: 0.0 });
        if down {
            self.state.buttons |= button.mask();
        } else {
            self.state.buttons &= !button.mask();
        }
        let params = json!({
            "type": if down { "mousePressed" } else { "mouseReleased" },
            "x": at.x, "y": at.y, "button": button.name(),
            "buttons": self.state.buttons, "clickCount": click_count,
        });
        self.dispatch(params).await
    }
}

/// Runs `pointer.move {x, y, steps?=1}`, `pointer.down|up {x, y, button?=left, clickCount?=1}` or
/// `pointer.drag {from:{x,y}, to:{x,y}, steps?=1}` (all with `targetId?`) → `{timingMs}`.
///
/// `down`/`up` move to the point first (one event), then press or release. `drag` moves to `from`, presses
/// left, moves to `to` in `steps` interpolated events and releases there.
///
/// # Errors
/// `invalid_request` for non-finite coordinates, a bad `steps`/`clickCount` (integers from 1 to
/// [`MAX_STEPS`] / [`MAX_CLICK_COUNT`]) or an unknown button; the target errors; CDP failures.
pub async fn run<H: Host>(ctx: &Ctx<H>) -> CmdResult {
    let p = &ctx.payload;
    match ctx.command.as_str() {
        POINTER_MOVE => {
            let to = parse_point(p, "")?;
            let steps = parse_count(p, "steps", 1, MAX_STEPS)?;
            let mut mouse = Mouse::new(ctx, ctx.target()?);
            mouse.move_to(to, steps).await?;
        }
        POINTER_DOWN | POINTER_UP => {
            let at = parse_point(p, "")?;
            let button = parse_button(p)?;
            let clicks = parse_count(p, "clickCount", 1, MAX_CLICK_COUNT)?;
            let mut mouse = Mouse::new(ctx, ctx.target()?);
            mouse.move_to(at, 1).await?;
            mouse
                .button(button, ctx.command == POINTER_DOWN, clicks)
                .await?;
        }
        POINTER_DRAG => {
            let from = parse_point(p.get("from").unwrap_or(&Value::Null), "from.")?;
            let to = parse_point(p.get("to").unwrap_or(&Value::Null), "to.")?;
            let steps = parse_count(p, "steps", 1, MAX_STEPS)?;
            let mut mouse = Mouse::new(ctx, ctx.target()?);
            mouse.move_to(from, 1).await?;
            mouse.button(Button::Left, true, 1).await?;
            mouse.move_to(to, steps).await?;
            mouse.button(Button::Left, false, 1).await?;
        }
        other => return Err(invalid_request(format!("Unknown ops command: {other}"))),
    }
    Ok(json!({ "timingMs": ctx.elapsed_ms() }))
}
