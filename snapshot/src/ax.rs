//! The CDP `Accessibility.AXNode` shape, as returned by `Accessibility.getFullAXTree` (CDP Accessibility domain).
//! Only the fields the snapshot reads are modelled; unknown fields are ignored.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One node of `Accessibility.getFullAXTree`'s `nodes` array.
///
/// ```text
/// {"nodeId":"12","ignored":false,"role":{"type":"role","value":"button"},"name":{"type":"computedString",
///  "value":"Continue"},"properties":[{"name":"disabled","value":{"type":"boolean","value":true}}],
///  "childIds":["13"],"parentId":"4","backendDOMNodeId":57,"frameId":"A1B2..."}
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AxNode {
    /// The AX node id (a string in CDP).
    pub node_id: String,
    /// Ignored nodes are skipped.
    #[serde(default)]
    pub ignored: bool,
    /// ARIA role, e.g. `{"type":"role","value":"button"}`.
    #[serde(default)]
    pub role: Option<AxValue>,
    /// Chrome's internal role, the fallback when `role` has no value.
    #[serde(default)]
    pub chrome_role: Option<AxValue>,
    /// The accessible name.
    #[serde(default)]
    pub name: Option<AxValue>,
    /// The value (text fields, sliders...).
    #[serde(default)]
    pub value: Option<AxValue>,
    /// States such as `disabled`, `checked`, `focusable`.
    #[serde(default)]
    pub properties: Vec<AxProperty>,
    /// Parent AX node id.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// Children AX node ids, in document order.
    #[serde(default)]
    pub child_ids: Vec<String>,
    /// The DOM node behind it (`backendDOMNodeId`); nodes without one are skipped.
    #[serde(default, rename = "backendDOMNodeId")]
    pub backend_dom_node_id: Option<i64>,
    /// The frame of this node's document, when CDP reports it.
    #[serde(default)]
    pub frame_id: Option<String>,
}

/// CDP `Accessibility.AXValue`: `{type, value?}`; `value` may be a string, number or boolean.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AxValue {
    /// The AX value type, e.g. `"computedString"`, `"role"`, `"tristate"`.
    #[serde(rename = "type", default)]
    pub value_type: String,
    /// The value itself.
    #[serde(default)]
    pub value: Option<Value>,
}

impl AxValue {
    /// The value as text: strings as-is, numbers and booleans in their JSON form, `None` otherwise.
    pub fn as_text(&self) -> Option<String> {
        match self.value.as_ref()? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// True for `true`, `"true"`, `"mixed"` or a non-zero number (PROTOCOL.md §4 item 6).
    pub fn is_truthy(&self) -> bool {
        match self.value.as_ref() {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true" || s == "mixed",
            Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
            _ => false,
        }
    }
}

/// CDP `Accessibility.AXProperty`: `{name, value}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AxProperty {
    /// Property name, e.g. `"disabled"`, `"checked"`.
    pub name: String,
    /// Property value.
    pub value: AxValue,
}

impl AxNode {
    /// `role.value`, falling back to `chromeRole.value` (PROTOCOL.md §4 item 3).
    pub fn role_name(&self) -> Option<String> {
        let from = |v: &Option<AxValue>| {
            v.as_ref()
                .and_then(AxValue::as_text)
                .filter(|s| !s.is_empty())
        };
        from(&self.role).or_else(|| from(&self.chrome_role))
    }

    /// Whether the property `name` is present and truthy.
    pub fn has_state(&self, name: &str) -> bool {
        self.properties
            .iter()
            .any(|p| p.name == name && p.value.is_truthy())
    }
}
