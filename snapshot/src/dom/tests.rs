//! The DOM walk on recorded CDP data (`snapshot/fixtures/*.dom.json`, written by `cargo run -p odb-e2e --bin
//! record_cdp`), checked against Chromium's own AX tree of the same page (`*.ax.json`).

use super::*;
use serde_json::Value;

/// Loads `<name>.dom.json` as a [`PageCapture`].
pub(crate) fn capture(name: &str) -> PageCapture {
    let path = format!("{}/fixtures/{name}.dom.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json");
    let mut page = PageCapture::default();
    for f in v["frames"].as_array().expect("frames") {
        let snapshot = serde_json::from_value(f["snapshot"].clone()).expect("snapshot");
        match f["frameId"].as_str() {
            None => page.root = snapshot,
            Some(id) => page.frames.push(FrameCapture {
                frame_id: id.to_string(),
                owner: FrameOwner {
                    frame_id: f["owner"]["frameId"].as_str().map(str::to_string),
                    backend_node_id: f["owner"]["backendNodeId"].as_i64().expect("owner"),
                },
                snapshot,
            }),
        }
    }
    page
}

/// `(backendDOMNodeId, role, name)` of the AX nodes Chromium exposes with a kept role, from `<name>.ax.json`.
fn ax_lines(name: &str) -> Vec<(i64, String, String)> {
    let path = format!("{}/fixtures/{name}.ax.json", env!("CARGO_MANIFEST_DIR"));
    let nodes: Vec<crate::ax::AxNode> =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json");
    nodes
        .iter()
        .filter(|n| !n.ignored)
        .filter_map(|n| {
            let role = n.role_name()?;
            let role = if role == "image" {
                "img".to_string()
            } else {
                role
            };
            let kept = crate::roles::is_actionable(&role) || crate::roles::is_semantic(&role);
            let name = n
                .name
                .as_ref()
                .and_then(crate::ax::AxValue::as_text)
                .unwrap_or_default();
            let backend = n.backend_dom_node_id?;
            kept.then(|| (backend, role, names::fold(&name)))
        })
        .collect()
}

/// Every node Chromium's AX tree shows with a kept role is found by the DOM walk with the same role and name,
/// on every recorded page (the AX tree covers the main frame only, so frame content is compared below).
#[test]
fn roles_and_names_match_chromium_ax_tree() {
    for page in [
        "names",
        "frames",
        "login",
        "controlled",
        "widgets",
        "links",
        "bench20",
    ] {
        let ours = collect(&capture(page), None).elements;
        let mut mismatches = Vec::new();
        for (backend, role, name) in ax_lines(page) {
            match ours
                .iter()
                .find(|e| e.frame_id.is_none() && e.backend_node_id == backend)
            {
                Some(e) if e.role == role && e.name == name => {}
                Some(e) => {
                    mismatches.push(format!("{role} {name:?} (ours: {} {:?})", e.role, e.name))
                }
                None => mismatches.push(format!("{role} {name:?} (missing)")),
            }
        }
        assert!(mismatches.is_empty(), "{page}: {mismatches:#?}");
    }
}
