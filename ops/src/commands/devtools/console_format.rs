//! Console messages as DevTools shows them, from CDP `Runtime.RemoteObject`s (`Runtime.consoleAPICalled`
//! `args`, `Runtime.exceptionThrown` `exceptionDetails`).
//!
//! - strings raw; numbers, booleans, `undefined`, `null`; `NaN`/`Infinity`/`-0`/bigints (`5n`) from
//!   `unserializableValue`; symbols, functions, DOM nodes and errors (with their stack) by `description`;
//! - objects by their preview: `{a: 1, b: 'x'}`, `(3) [1, 2, 3]`, `Map(1) {'k' => 1}`, `Foo {x: 1}`, with `…`
//!   when the preview overflowed, nested objects as `{…}` or their description (`Array(2)`);
//! - a first string argument's `%s %d %i %f %o %O %c %%` are substituted like `console.log` does.
//!
//! The text here is raw; the caller redacts and caps it.

use serde_json::Value;

/// The text of a `Runtime.consoleAPICalled` event: its `args` formatted and joined with spaces. `assert`
/// messages start with `Assertion failed:` as in DevTools.
pub fn console_call_text(params: &Value) -> String {
    let args = params
        .get("args")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let text = format_args(args);
    if params.get("type").and_then(Value::as_str) == Some("assert") {
        return if text.is_empty() {
            "Assertion failed: console.assert".to_string()
        } else {
            format!("Assertion failed: {text}")
        };
    }
    text
}

/// The text of a `Runtime.exceptionThrown` event: `Uncaught Error: boom\n    at …` (the details' `text`, then
/// the thrown value, without repeating a first line the text already holds).
pub fn exception_text(params: &Value) -> String {
    let details = params.get("exceptionDetails").unwrap_or(&Value::Null);
    let text = details
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or("Uncaught")
        .trim()
        .to_string();
    let Some(exception) = details.get("exception").filter(|e| e.is_object()) else {
        return text;
    };
    let thrown = remote_object(exception);
    let first_line = thrown.lines().next().unwrap_or("");
    if text.is_empty() {
        thrown
    } else if !first_line.is_empty() && text.contains(first_line) {
        let rest = &thrown[first_line.len()..];
        format!("{text}{rest}")
    } else {
        format!("{text} {thrown}")
    }
}

/// `args` joined like `console.log`: printf-style substitution in a first string argument, then the remaining
/// arguments separated by spaces.
pub fn format_args(args: &[Value]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = args;
    if let Some((first, tail)) = args.split_first() {
        if first.get("type").and_then(Value::as_str) == Some("string") {
            let template = first.get("value").and_then(Value::as_str).unwrap_or("");
            let (text, used) = substitute(template, tail);
            parts.push(text);
            rest = &tail[used..];
        }
    }
    parts.extend(rest.iter().map(remote_object));
    parts.join(" ")
}

/// Applies `%s %d %i %f %o %O %c %%` in `template` with `args`; returns the text and how many args it used.
fn substitute(template: &str, args: &[Value]) -> (String, usize) {
    let mut out = String::with_capacity(template.len());
    let mut used = 0;
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(&spec) = chars.peek() else {
            out.push('%');
            break;
        };
        if spec == '%' {
            chars.next();
            out.push('%');
            continue;
        }
        if !matches!(spec, 's' | 'd' | 'i' | 'f' | 'o' | 'O' | 'c') || used >= args.len() {
            out.push('%');
            continue;
        }
        chars.next();
        let arg = &args[used];
        used += 1;
        match spec {
            'd' | 'i' => out.push_str(&number_text(arg, true)),
            'f' => out.push_str(&number_text(arg, false)),
            'c' => {}
            _ => out.push_str(&remote_object(arg)),
        }
    }
    (out, used)
}

/// `%d`/`%i` (integer) or `%f` of an argument: its number, or `NaN`.
fn number_text(arg: &Value, integer: bool) -> String {
    let n = match arg.get("type").and_then(Value::as_str) {
        Some("number") => arg.get("value").and_then(Value::as_f64),
        Some("string") => arg
            .get("value")
            .and_then(Value::as_str)
            .and_then(|s| s.trim().parse::<f64>().ok()),
        _ => None,
    };
    match n {
        Some(n) if integer => format!("{}", n.trunc()),
        Some(n) => format!("{n}"),
        None => arg
            .get("unserializableValue")
            .and_then(Value::as_str)
            .unwrap_or("NaN")
            .trim_end_matches('n')
            .to_string(),
    }
}

/// A `Runtime.RemoteObject` at the top level of a message (module doc).
pub fn remote_object(obj: &Value) -> String {
    let field = |name: &str| obj.get(name).and_then(Value::as_str);
    if let Some(raw) = field("unserializableValue") {
        return raw.to_string();
    }
    match (field("type").unwrap_or(""), field("subtype")) {
        ("string", _) => field("value").unwrap_or("").to_string(),
        ("undefined", _) => "undefined".to_string(),
        ("object", Some("null")) => "null".to_string(),
        ("number" | "boolean", _) => obj.get("value").map(Value::to_string).unwrap_or_default(),
        ("object", Some("error" | "node" | "regexp" | "date")) | ("symbol" | "function", _) => {
            field("description").unwrap_or("").to_string()
        }
        ("object", _) => match obj.get("preview").filter(|p| p.is_object()) {
            Some(preview) => object_preview(preview),
            None => field("description")
                .or_else(|| field("className"))
                .unwrap_or("Object")
                .to_string(),
        },
        _ => obj
            .get("value")
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .or_else(|| field("description").map(str::to_string))
            .unwrap_or_default(),
    }
}

/// A `Runtime.ObjectPreview`: `{a: 1}`, `(3) [1, 2, 3]`, `Map(1) {'k' => 1}`, `Foo {x: 1}`.
fn object_preview(preview: &Value) -> String {
    let description = preview
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let overflow = preview
        .get("overflow")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let properties: Vec<&Value> = preview
        .get("properties")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let subtype = preview.get("subtype").and_then(Value::as_str);
    let mut items: Vec<String> = Vec::new();
    let body = match subtype {
        Some("array" | "typedarray") => {
            for p in &properties {
                let name = p.get("name").and_then(Value::as_str).unwrap_or("");
                let value = property_value(p);
                if name.parse::<u64>().is_ok() {
                    items.push(value);
                } else {
                    items.push(format!("{name}: {value}"));
                }
            }
            close_list(&mut items, overflow);
            let count = description
                .strip_prefix("Array(")
                .and_then(|s| s.strip_suffix(')'))
                .and_then(|n| n.parse::<u64>().ok())
                .filter(|n| *n > 1)
                .map(|n| format!("({n}) "))
                .unwrap_or_default();
            return format!("{count}[{}]", items.join(", "));
        }
        Some("map" | "set" | "weakmap" | "weakset") => {
            for entry in preview
                .get("entries")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                let value = entry.get("value").map(preview_leaf).unwrap_or_default();
                match entry.get("key") {
                    Some(key) => items.push(format!("{} => {value}", preview_leaf(key))),
                    None => items.push(value),
                }
            }
            close_list(&mut items, overflow);
            format!("{{{}}}", items.join(", "))
        }
        _ => {
            for p in &properties {
                let name = p.get("name").and_then(Value::as_str).unwrap_or("");
                items.push(format!("{name}: {}", property_value(p)));
            }
            close_list(&mut items, overflow);
            format!("{{{}}}", items.join(", "))
        }
    };
    if description.is_empty() || description == "Object" {
        body
    } else {
        format!("{description} {body}")
    }
}

fn close_list(items: &mut Vec<String>, overflow: bool) {
    if overflow {
        items.push("…".to_string());
    }
}

/// A `Runtime.PropertyPreview` value inside a preview: strings quoted `'x'`, objects as `{…}` or their
/// description.
fn property_value(p: &Value) -> String {
    let value = p.get("value").and_then(Value::as_str).unwrap_or("");
    match (
        p.get("type").and_then(Value::as_str).unwrap_or(""),
        p.get("subtype").and_then(Value::as_str),
    ) {
        ("string", _) => format!("'{value}'"),
        ("undefined", _) => "undefined".to_string(),
        ("object", Some("null")) => "null".to_string(),
        ("function", _) => "ƒ".to_string(),
        ("accessor", _) => "(...)".to_string(),
        ("object", None) if value == "Object" || value.is_empty() => "{…}".to_string(),
        _ => value.to_string(),
    }
}

/// A key or value preview in a Map/Set entry (a nested `ObjectPreview` of a primitive or an object).
fn preview_leaf(p: &Value) -> String {
    let description = p.get("description").and_then(Value::as_str).unwrap_or("");
    match p.get("type").and_then(Value::as_str) {
        Some("string") => format!("'{description}'"),
        Some("object") if p.get("properties").is_some() && description == "Object" => {
            object_preview(p)
        }
        _ => description.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(v: &str) -> Value {
        json!({"type": "string", "value": v})
    }

    #[test]
    fn primitives_like_devtools() {
        let args = vec![
            s("plain log"),
            json!({"type": "number", "value": 42, "description": "42"}),
            json!({"type": "number", "unserializableValue": "NaN", "description": "NaN"}),
            json!({"type": "boolean", "value": true}),
            json!({"type": "undefined"}),
            json!({"type": "object", "subtype": "null", "value": null}),
            json!({"type": "bigint", "unserializableValue": "5n", "description": "5n"}),
            json!({"type": "symbol", "description": "Symbol(k)"}),
        ];
        assert_eq!(
            format_args(&args),
            "plain log 42 NaN true undefined null 5n Symbol(k)"
        );
    }

    #[test]
    fn objects_by_preview() {
        let obj = json!({"type": "object", "className": "Object", "description": "Object", "preview": {
        "type": "object", "description": "Object", "overflow": false, "properties": [
            {"name": "a", "type": "number", "value": "1"},
            {"name": "b", "type": "string", "value": "x"},
            {"name": "c", "type": "object", "value": "Object"},
            {"name": "d", "type": "object", "subtype": "array", "value": "Array(2)"}
        ]}});
        assert_eq!(remote_object(&obj), "{a: 1, b: 'x', c: {…}, d: Array(2)}");
        let arr = json!({"type": "object", "subtype": "array", "description": "Array(3)", "preview": {
        "type": "object", "subtype": "array", "description": "Array(3)", "overflow": false, "properties": [
            {"name": "0", "type": "number", "value": "1"},
            {"name": "1", "type": "number", "value": "2"},
            {"name": "2", "type": "number", "value": "3"}
        ]}});
        assert_eq!(remote_object(&arr), "(3) [1, 2, 3]");
        let map = json!({"type": "object", "subtype": "map", "description": "Map(1)", "preview": {
            "type": "object", "subtype": "map", "description": "Map(1)", "overflow": true, "properties": [],
            "entries": [{"key": {"type": "string", "description": "k"}, "value": {"type": "number", "description": "1"}}]}});
        assert_eq!(remote_object(&map), "Map(1) {'k' => 1, …}");
        let classy = json!({"type": "object", "className": "Foo", "description": "Foo", "preview": {
            "type": "object", "description": "Foo", "overflow": false,
            "properties": [{"name": "x", "type": "function", "value": ""}]}});
        assert_eq!(remote_object(&classy), "Foo {x: ƒ}");
        let bare = json!({"type": "object", "className": "Window", "description": "Window"});
        assert_eq!(remote_object(&bare), "Window");
    }

    #[test]
    fn printf_substitution() {
        let args = vec![
            s("%s is %d years, %f%% sure %c[styled]"),
            s("Ada"),
            json!({"type": "number", "value": 36.7}),
            json!({"type": "number", "value": 99.5}),
            s("color: red"),
            s("extra"),
        ];
        assert_eq!(
            format_args(&args),
            "Ada is 36 years, 99.5% sure [styled] extra"
        );
        assert_eq!(format_args(&[s("100%")]), "100%");
        assert_eq!(format_args(&[s("%d left")]), "%d left");
    }

    #[test]
    fn exceptions_and_asserts() {
        let thrown = json!({"exceptionDetails": {"text": "Uncaught", "exception": {
            "type": "object", "subtype": "error", "className": "Error",
            "description": "Error: fixture boom\n    at HTMLButtonElement.<anonymous> (x.html:9:13)"}}});
        assert_eq!(
            exception_text(&thrown),
            "Uncaught Error: fixture boom\n    at HTMLButtonElement.<anonymous> (x.html:9:13)"
        );
        let syntax = json!({"exceptionDetails": {"text": "Uncaught SyntaxError: Unexpected token '}'",
            "exception": {"type": "object", "subtype": "error", "description": "SyntaxError: Unexpected token '}'"}}});
        assert_eq!(
            exception_text(&syntax),
            "Uncaught SyntaxError: Unexpected token '}'"
        );
        let string_throw = json!({"exceptionDetails": {"text": "Uncaught", "exception": {"type": "string", "value": "x"}}});
        assert_eq!(exception_text(&string_throw), "Uncaught x");
        assert_eq!(exception_text(&json!({})), "Uncaught");
        let assert_call = json!({"type": "assert", "args": [s("must hold")]});
        assert_eq!(
            console_call_text(&assert_call),
            "Assertion failed: must hold"
        );
    }
}
