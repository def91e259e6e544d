//! Raw pointer commands (CLI.md "Interaction", PROTOCOL.md §3.5): `pointer-move` -> `pointer.move`,
//! `pointer-down`/`pointer-up` -> `pointer.down`/`pointer.up`, `pointer-drag` -> `pointer.drag`.
//! Coordinates are CSS pixels in the viewport; every result is `{timingMs}`.

use clap::{Args, ValueEnum};
use serde_json::{json, Value};

use super::args::{params, positive_u64};
use super::interact_cmds::Request;
use super::page_cmds::Scope;

/// `pointer.move {x, y, steps?}` -> `{timingMs}`.
pub const POINTER_MOVE: &str = "pointer.move";
/// `pointer.down {x, y, button?, clickCount?}` -> `{timingMs}`.
pub const POINTER_DOWN: &str = "pointer.down";
/// `pointer.up {x, y, button?, clickCount?}` -> `{timingMs}`.
pub const POINTER_UP: &str = "pointer.up";
/// `pointer.drag {from:{x,y}, to:{x,y}, steps?}` -> `{timingMs}`.
pub const POINTER_DRAG: &str = "pointer.drag";

/// A viewport coordinate in CSS pixels (finite; fractions and 0 allowed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coord(pub f64);

impl Coord {
    /// The JSON number: a whole value goes out as an integer (`5`, not `5.0`), anything else as a float.
    pub fn to_json(self) -> Value {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact in f64
        if self.0.fract() == 0.0 && self.0.abs() < EXACT {
            // The guard above makes the cast exact.
            json!(self.0 as i64)
        } else {
            json!(self.0)
        }
    }
}

/// A coordinate in plain decimal notation: an optional `-`, digits, an optional `.digits` (`12`, `0`,
/// `10.5`, `-3`). `1e3`, `0x10`, `+5`, `.5`, `NaN` and `inf` are refused.
///
/// # Errors
/// A usage-error message for anything else.
pub fn coord(raw: &str) -> Result<Coord, String> {
    let unsigned = raw.strip_prefix('-').unwrap_or(raw);
    let (whole, frac) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || frac.is_some_and(|f| !digits(f)) {
        return Err(format!(
            "expected a number of CSS pixels in plain decimal notation (e.g. 120 or 80.5), got {raw:?}"
        ));
    }
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Coord(v)),
        _ => Err(format!("{raw} is out of range")),
    }
}

/// Mouse buttons of `pointer-down`/`pointer-up`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Button {
    /// The primary button.
    Left,
    /// The wheel button.
    Middle,
    /// The secondary button.
    Right,
}

impl Button {
    /// The wire value (CDP `Input.MouseButton`).
    pub fn as_str(self) -> &'static str {
        match self {
            Button::Left => "left",
            Button::Middle => "middle",
            Button::Right => "right",
        }
    }
}

/// `pointer-move --x X --y Y [--steps N]`.
#[derive(Args, Debug)]
pub struct PointerMoveArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// X in CSS pixels from the viewport's left edge.
    #[arg(long, allow_negative_numbers = true, value_parser = coord)]
    pub x: Coord,
    /// Y in CSS pixels from the viewport's top edge.
    #[arg(long, allow_negative_numbers = true, value_parser = coord)]
    pub y: Coord,
    /// How many `mouseMoved` events to send (to the same point; default 1).
    #[arg(long, value_parser = positive_u64)]
    pub steps: Option<u64>,
}

impl PointerMoveArgs {
    /// `{sessionId, targetId?, x, y, steps?}`.
    pub fn params(&self) -> Value {
        params(
            &self.scope.session,
            Some(&self.scope.target),
            &[
                ("x", Some(self.x.to_json())),
                ("y", Some(self.y.to_json())),
                ("steps", self.steps.map(Value::from)),
            ],
        )
    }
}

/// `pointer-down|pointer-up --x X --y Y [--button left|middle|right] [--click-count N]`.
#[derive(Args, Debug)]
pub struct PointerButtonArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// X in CSS pixels from the viewport's left edge.
    #[arg(long, allow_negative_numbers = true, value_parser = coord)]
    pub x: Coord,
    /// Y in CSS pixels from the viewport's top edge.
    #[arg(long, allow_negative_numbers = true, value_parser = coord)]
    pub y: Coord,
    /// The mouse button (default left).
    #[arg(long, value_enum)]
    pub button: Option<Button>,
    /// The click count of the event (default 1; 2 for the second press of a double click).
    #[arg(long = "click-count", value_parser = positive_u64)]
    pub click_count: Option<u64>,
}

impl PointerButtonArgs {
    /// `{sessionId, targetId?, x, y, button?, clickCount?}`.
    pub fn params(&self) -> Value {
        params(
            &self.scope.session,
            Some(&self.scope.target),
            &[
                ("x", Some(self.x.to_json())),
                ("y", Some(self.y.to_json())),
                ("button", self.button.map(|b| json!(b.as_str()))),
                ("clickCount", self.click_count.map(Value::from)),
            ],
        )
    }
}

/// `pointer-drag --from-x X --from-y Y --to-x X --to-y Y [--steps N]`.
#[derive(Args, Debug)]
pub struct PointerDragArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub scope: Scope,
    /// Start X in CSS pixels.
    #[arg(long = "from-x", allow_negative_numbers = true, value_parser = coord)]
    pub from_x: Coord,
    /// Start Y in CSS pixels.
    #[arg(long = "from-y", allow_negative_numbers = true, value_parser = coord)]
    pub from_y: Coord,
    /// End X in CSS pixels.
    #[arg(long = "to-x", allow_negative_numbers = true, value_parser = coord)]
    pub to_x: Coord,
    /// End Y in CSS pixels.
    #[arg(long = "to-y", allow_negative_numbers = true, value_parser = coord)]
    pub to_y: Coord,
    /// How many moves between press and release (default: the extension's).
    #[arg(long, value_parser = positive_u64)]
    pub steps: Option<u64>,
}

impl PointerDragArgs {
    /// `{sessionId, targetId?, from:{x,y}, to:{x,y}, steps?}`.
    pub fn params(&self) -> Value {
        params(
            &self.scope.session,
            Some(&self.scope.target),
            &[
                (
                    "from",
                    Some(json!({"x": self.from_x.to_json(), "y": self.from_y.to_json()})),
                ),
                (
                    "to",
                    Some(json!({"x": self.to_x.to_json(), "y": self.to_y.to_json()})),
                ),
                ("steps", self.steps.map(Value::from)),
            ],
        )
    }
}

/// `pointer-move` -> `pointer.move {x, y, steps?}`.
pub fn pointer_move(a: &PointerMoveArgs) -> Request {
    (POINTER_MOVE, a.params())
}

/// `pointer-down` -> `pointer.down {x, y, button?, clickCount?}`.
pub fn pointer_down(a: &PointerButtonArgs) -> Request {
    (POINTER_DOWN, a.params())
}

/// `pointer-up` -> `pointer.up {x, y, button?, clickCount?}`.
pub fn pointer_up(a: &PointerButtonArgs) -> Request {
    (POINTER_UP, a.params())
}

/// `pointer-drag` -> `pointer.drag {from, to, steps?}`.
pub fn pointer_drag(a: &PointerDragArgs) -> Request {
    (POINTER_DRAG, a.params())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_plain_decimals() {
        assert_eq!(coord("0"), Ok(Coord(0.0)));
        assert_eq!(coord("120"), Ok(Coord(120.0)));
        assert_eq!(coord("80.5"), Ok(Coord(80.5)));
        assert_eq!(coord("-3"), Ok(Coord(-3.0)));
        for bad in [
            "", "-", "1e3", "0x10", "+5", ".5", "5.", "NaN", "inf", " 1", "1,5", "--1",
        ] {
            assert!(coord(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn whole_coordinates_go_out_as_integers() {
        assert_eq!(Coord(5.0).to_json(), json!(5));
        assert_eq!(Coord(0.0).to_json(), json!(0));
        assert_eq!(Coord(-2.0).to_json(), json!(-2));
        assert_eq!(Coord(10.25).to_json(), json!(10.25));
        assert_eq!(Coord(1e300).to_json(), json!(1e300));
    }
}
