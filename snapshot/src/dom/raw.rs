//! The CDP `DOMSnapshot.captureSnapshot` result shape (CDP DOMSnapshot domain, `CaptureSnapshotReturns`): documents
//! of column arrays that index into one shared `strings` table. Only the columns the snapshot reads are modelled;
//! unknown fields are ignored. A string index of `-1` means "no string".

use serde::{Deserialize, Serialize};

/// `{documents, strings}`: every document of the target's renderer (the main document and its same-process
/// iframes), in frame-tree order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaptureSnapshot {
    /// One entry per document.
    #[serde(default)]
    pub documents: Vec<DocumentSnapshot>,
    /// The string table every `i32` string index points into.
    #[serde(default)]
    pub strings: Vec<String>,
}

/// `DOMSnapshot.DocumentSnapshot`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentSnapshot {
    /// String index of the document URL.
    #[serde(rename = "documentURL", default)]
    pub document_url: i32,
    /// String index of the document title.
    #[serde(default)]
    pub title: i32,
    /// String index of the frame id (`Page.FrameId`).
    #[serde(default)]
    pub frame_id: i32,
    /// The DOM nodes, in pre-order (a parent always comes before its children).
    #[serde(default)]
    pub nodes: NodeTreeSnapshot,
    /// The nodes that have a layout object (are rendered), with the requested computed styles.
    #[serde(default)]
    pub layout: LayoutTreeSnapshot,
}

/// `DOMSnapshot.NodeTreeSnapshot`: parallel columns, one entry per node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeTreeSnapshot {
    /// Index of the parent node, `-1` for the document.
    #[serde(default)]
    pub parent_index: Vec<i32>,
    /// DOM `nodeType` (1 element, 3 text, 9 document, 11 fragment / shadow root).
    #[serde(default)]
    pub node_type: Vec<i32>,
    /// `open`, `closed` or `user-agent` for shadow roots.
    #[serde(default)]
    pub shadow_root_type: RareStringData,
    /// String index of `nodeName` (upper case for HTML elements, `#text`, `#document-fragment`).
    #[serde(default)]
    pub node_name: Vec<i32>,
    /// String index of `nodeValue` (text of text nodes).
    #[serde(default)]
    pub node_value: Vec<i32>,
    /// `DOM.BackendNodeId` of each node.
    #[serde(default)]
    pub backend_node_id: Vec<i64>,
    /// Attributes as flat `[name, value, name, value, ...]` string indexes.
    #[serde(default)]
    pub attributes: Vec<Vec<i32>>,
    /// Current value of `<textarea>` elements.
    #[serde(default)]
    pub text_value: RareStringData,
    /// Current value of `<input>` elements.
    #[serde(default)]
    pub input_value: RareStringData,
    /// Checked radio buttons and checkboxes.
    #[serde(default)]
    pub input_checked: RareBooleanData,
    /// Selected `<option>` elements.
    #[serde(default)]
    pub option_selected: RareBooleanData,
    /// Index of the document of an `<iframe>`'s content (same-process frames only).
    #[serde(default)]
    pub content_document_index: RareIntegerData,
    /// `::before`, `::after`, `::marker`... pseudo elements (skipped).
    #[serde(default)]
    pub pseudo_type: RareStringData,
    /// Nodes that respond to clicks: click listeners attached from script, plus links (Chrome's
    /// `isClickable`).
    #[serde(default)]
    pub is_clickable: RareBooleanData,
}

/// `DOMSnapshot.LayoutTreeSnapshot`: one entry per rendered node.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LayoutTreeSnapshot {
    /// The node each layout entry belongs to (several entries may name one node, e.g. text fragments).
    #[serde(default)]
    pub node_index: Vec<i32>,
    /// The requested computed styles of each entry, as string indexes in `computedStyles` order.
    #[serde(default)]
    pub styles: Vec<Vec<i32>>,
}

/// `DOMSnapshot.RareStringData`: `{index: [node], value: [string index]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RareStringData {
    /// Node indexes.
    #[serde(default)]
    pub index: Vec<i32>,
    /// String indexes, parallel to `index`.
    #[serde(default)]
    pub value: Vec<i32>,
}

/// `DOMSnapshot.RareBooleanData`: `{index: [node]}`, the nodes for which the flag is true.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RareBooleanData {
    /// Node indexes.
    #[serde(default)]
    pub index: Vec<i32>,
}

/// `DOMSnapshot.RareIntegerData`: `{index: [node], value: [int]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RareIntegerData {
    /// Node indexes.
    #[serde(default)]
    pub index: Vec<i32>,
    /// Values, parallel to `index`.
    #[serde(default)]
    pub value: Vec<i32>,
}
