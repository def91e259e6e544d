//! Test helper: a `DOMSnapshot.captureSnapshot` answer for a flat page, so command tests can script what a
//! snapshot sees without a browser (the real shape is tested on recorded data in `odb-snapshot`).

use serde_json::{json, Value};

/// One element directly under `<body>`: tag, attributes, text content, backendNodeId.
pub(crate) type FakeElement<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, i64);

/// `{documents: [one document: #document > HTML > BODY > elements (each with its text node)], strings}`;
/// every node is rendered (`display: block`, `visibility: visible`, `cursor: auto`).
pub(crate) fn dom_page(elements: &[FakeElement<'_>]) -> Value {
    let mut strings: Vec<String> = Vec::new();
    let mut s = |text: &str| -> i64 {
        if let Some(i) = strings.iter().position(|x| x == text) {
            return i as i64;
        }
        strings.push(text.to_string());
        (strings.len() - 1) as i64
    };
    let (block, visible, auto) = (s("block"), s("visible"), s("auto"));
    let mut parent = vec![-1, 0, 1];
    let mut kind = vec![9, 1, 1];
    let mut name = vec![s("#document"), s("HTML"), s("BODY")];
    let mut value = vec![-1, -1, -1];
    let mut backend = vec![1_000_000, 1_000_001, 1_000_002];
    let mut attrs: Vec<Vec<i64>> = vec![vec![], vec![], vec![]];
    for (i, (tag, attributes, text, id)) in elements.iter().enumerate() {
        parent.push(2);
        kind.push(1);
        name.push(s(&tag.to_ascii_uppercase()));
        value.push(-1);
        backend.push(*id);
        attrs.push(attributes.iter().flat_map(|(k, v)| [s(k), s(v)]).collect());
        if !text.is_empty() {
            parent.push((parent.len() - 1) as i64);
            kind.push(3);
            name.push(s("#text"));
            value.push(s(text));
            backend.push(2_000_000 + i as i64);
            attrs.push(vec![]);
        }
    }
    let n = parent.len();
    json!({
        "documents": [{
            "documentURL": s("https://example.com/"),
            "title": -1,
            "frameId": s("MAIN"),
            "nodes": {
                "parentIndex": parent, "nodeType": kind, "nodeName": name, "nodeValue": value,
                "backendNodeId": backend, "attributes": attrs,
            },
            "layout": {
                "nodeIndex": (0..n).collect::<Vec<_>>(),
                "styles": vec![vec![block, visible, auto]; n],
            },
        }],
        "strings": strings,
    })
}
