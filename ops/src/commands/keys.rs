//! The key table of `interact.press` / `interact.type`: `Input.dispatchKeyEvent` parameters for named keys and
//! single characters (US layout), as Chromium expects them (`key`, `code`, `windowsVirtualKeyCode`, `text`).

use serde_json::{json, Value};

/// One key as CDP `Input.dispatchKeyEvent` needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyDef {
    /// DOM `KeyboardEvent.key`, e.g. `"Enter"`, `"a"`, `" "`.
    pub key: String,
    /// DOM `KeyboardEvent.code`, e.g. `"Enter"`, `"KeyA"`; empty when unknown.
    pub code: String,
    /// Windows virtual key code, e.g. 13; 0 when unknown.
    pub vk: u32,
    /// The text the key inserts (`"\r"` for Enter, the character for printable keys), if any.
    pub text: Option<String>,
}

/// Named, non-printing keys: (name, code, virtual key code, text).
const NAMED: [(&str, &str, u32, Option<&str>); 13] = [
    ("Enter", "Enter", 13, Some("\r")),
    ("Tab", "Tab", 9, None),
    ("Escape", "Escape", 27, None),
    ("Backspace", "Backspace", 8, None),
    ("Delete", "Delete", 46, None),
    ("ArrowUp", "ArrowUp", 38, None),
    ("ArrowDown", "ArrowDown", 40, None),
    ("ArrowLeft", "ArrowLeft", 37, None),
    ("ArrowRight", "ArrowRight", 39, None),
    ("Home", "Home", 36, None),
    ("End", "End", 35, None),
    ("PageUp", "PageUp", 33, None),
    ("PageDown", "PageDown", 34, None),
];

/// US-layout punctuation: (unshifted, shifted, code, virtual key code).
const PUNCT: [(char, char, &str, u32); 11] = [
    ('-', '_', "Minus", 189),
    ('=', '+', "Equal", 187),
    ('[', '{', "BracketLeft", 219),
    (']', '}', "BracketRight", 221),
    ('\\', '|', "Backslash", 220),
    (';', ':', "Semicolon", 186),
    ('\'', '"', "Quote", 222),
    (',', '<', "Comma", 188),
    ('.', '>', "Period", 190),
    ('/', '?', "Slash", 191),
    ('`', '~', "Backquote", 192),
];

/// Shifted digits on a US layout, `!` is Shift+1 and so on.
const SHIFTED_DIGITS: &str = ")!@#$%^&*(";

/// The definition of `key`: a named key (`Enter`, `Tab`, `Escape`, `Backspace`, `Delete`, arrows, `Home`, `End`,
/// `PageUp`, `PageDown`, `Space`), or one character. Any other name passes through with only `key` set
/// (no code, no text), as the original does.
pub fn key_def(key: &str) -> KeyDef {
    if let Some((name, code, vk, text)) = NAMED.iter().find(|(n, ..)| *n == key) {
        return KeyDef {
            key: name.to_string(),
            code: code.to_string(),
            vk: *vk,
            text: text.map(str::to_string),
        };
    }
    if key == "Space" || key == " " {
        return KeyDef {
            key: " ".into(),
            code: "Space".into(),
            vk: 32,
            text: Some(" ".into()),
        };
    }
    let mut chars = key.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return KeyDef {
            key: key.to_string(),
            code: String::new(),
            vk: 0,
            text: None,
        };
    };
    let (code, vk) = char_code(c);
    KeyDef {
        key: c.to_string(),
        code,
        vk,
        text: Some(c.to_string()),
    }
}

/// `code` and virtual key code of one character on a US layout; `("", 0)` when it has no key.
fn char_code(c: char) -> (String, u32) {
    if c.is_ascii_alphabetic() {
        let up = c.to_ascii_uppercase();
        return (format!("Key{up}"), up as u32);
    }
    if c.is_ascii_digit() {
        return (format!("Digit{c}"), c as u32);
    }
    if let Some(i) = SHIFTED_DIGITS.find(c) {
        return (format!("Digit{i}"), 0x30 + i as u32);
    }
    if let Some((_, _, code, vk)) = PUNCT.iter().find(|(a, b, ..)| *a == c || *b == c) {
        return (code.to_string(), *vk);
    }
    (String::new(), 0)
}

/// The `keyDown` (or `rawKeyDown` when the key inserts no text) and `keyUp` parameters for `def`.
pub fn key_events(def: &KeyDef) -> [Value; 2] {
    let mut down = json!({
        "type": if def.text.is_some() { "keyDown" } else { "rawKeyDown" },
        "key": def.key,
    });
    let mut up = json!({ "type": "keyUp", "key": def.key });
    for v in [&mut down, &mut up] {
        if !def.code.is_empty() {
            v["code"] = json!(def.code);
        }
        if def.vk != 0 {
            v["windowsVirtualKeyCode"] = json!(def.vk);
            v["nativeVirtualKeyCode"] = json!(def.vk);
        }
    }
    if let Some(text) = &def.text {
        down["text"] = json!(text);
        down["unmodifiedText"] = json!(text);
    }
    [down, up]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_keys() {
        let enter = key_def("Enter");
        assert_eq!(
            (enter.code.as_str(), enter.vk, enter.text.as_deref()),
            ("Enter", 13, Some("\r"))
        );
        let bs = key_def("Backspace");
        assert_eq!((bs.code.as_str(), bs.vk, bs.text), ("Backspace", 8, None));
        assert_eq!(key_def("ArrowLeft").vk, 37);
        assert_eq!(key_def("PageDown").vk, 34);
        assert_eq!(key_def("Escape").vk, 27);
        assert_eq!(key_def("Tab").text, None);
        let space = key_def("Space");
        assert_eq!(
            (space.key.as_str(), space.code.as_str(), space.vk),
            (" ", "Space", 32)
        );
    }

    #[test]
    fn characters() {
        let a = key_def("a");
        assert_eq!(
            (a.code.as_str(), a.vk, a.text.as_deref()),
            ("KeyA", 65, Some("a"))
        );
        assert_eq!(key_def("Z").code, "KeyZ");
        assert_eq!(
            (key_def("7").code, key_def("7").vk),
            ("Digit7".to_string(), 55)
        );
        assert_eq!(
            (key_def("!").code, key_def("!").vk),
            ("Digit1".to_string(), 49)
        );
        assert_eq!(
            (key_def("?").code, key_def("?").vk),
            ("Slash".to_string(), 191)
        );
        let e = key_def("é");
        assert_eq!(
            (e.code.as_str(), e.vk, e.text.as_deref()),
            ("", 0, Some("é"))
        );
    }

    #[test]
    fn unknown_names_pass_through() {
        let f = key_def("F5");
        assert_eq!(
            (f.key.as_str(), f.code.as_str(), f.vk, f.text),
            ("F5", "", 0, None)
        );
    }

    #[test]
    fn events_shape() {
        let [down, up] = key_events(&key_def("Enter"));
        assert_eq!(down["type"], "keyDown");
        assert_eq!(down["text"], "\r");
        assert_eq!(down["windowsVirtualKeyCode"], 13);
        assert_eq!(up["type"], "keyUp");
        assert!(up.get("text").is_none());
        let [down, _] = key_events(&key_def("Backspace"));
        assert_eq!(down["type"], "rawKeyDown");
        assert_eq!(down["code"], "Backspace");
    }
}
