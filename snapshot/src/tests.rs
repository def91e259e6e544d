//! Snapshot tests on `Accessibility.getFullAXTree` output recorded from Chromium 156 (`scripts/record-ax.py`).

use expect_test::expect;

use super::*;

fn fixture(name: &str) -> Vec<AxNode> {
    let path = format!("{}/fixtures/{name}.ax.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("fixture parses as AX nodes")
}

fn snapshot(nodes: &[AxNode], req: &SnapshotRequest, refs: &mut RefTable) -> SnapshotPage {
    build_snapshot(nodes, req, refs).expect("snapshot fits")
}

#[test]
fn login_outline() {
    let nodes = fixture("login");
    let page = snapshot(&nodes, &SnapshotRequest::default(), &mut RefTable::new());
    expect![[r#"
        [r1] main
        [r2] heading "Sign in"
        [r3] form
        [r4] textbox "Email"
        [r5] textbox "Password"
        [r6] checkbox "Remember me"
        [r7] button disabled "Continue with SSO"
        [r8] button "Sign in"
        [r9] paragraph"#]]
    .assert_eq(&page.content);
    assert!(!page.truncated);
    assert_eq!(page.ref_count, 9);
}

#[test]
fn login_actionables() {
    let nodes = fixture("login");
    let req = SnapshotRequest {
        mode: Mode::Actionables,
        ..SnapshotRequest::default()
    };
    let page = snapshot(&nodes, &req, &mut RefTable::new());
    expect![[r#"
        [r1] textbox "Email"
        [r2] textbox "Password"
        [r3] checkbox "Remember me"
        [r4] button disabled "Continue with SSO"
        [r5] button "Sign in""#]]
    .assert_eq(&page.content);
}

#[test]
fn links_outline() {
    let nodes = fixture("links");
    let page = snapshot(&nodes, &SnapshotRequest::default(), &mut RefTable::new());
    expect![[r#"
        [r1] banner
        [r2] navigation "Main"
        [r3] link "Home"
        [r4] link "Sign in"
        [r5] main
        [r6] heading "Reading list"
        [r7] heading "Books"
        [r8] list
        [r9] listitem
        [r10] link "Dune"
        [r11] listitem
        [r12] link "Neuromancer"
        [r13] listitem
        [r14] link "Hyperion"
        [r15] paragraph
        [r16] button "Count a click"
        [r17] button "Add a book"
        [r18] button "Remove last book""#]]
    .assert_eq(&page.content);
}

#[test]
fn paging_keeps_refs_of_earlier_pages() {
    let nodes = fixture("links");
    let mut refs = RefTable::new();
    let req = SnapshotRequest {
        max_chars: 60,
        ..SnapshotRequest::default()
    };
    let first = snapshot(&nodes, &req, &mut refs);
    assert!(first.truncated);
    let first_lines: Vec<String> = first.content.lines().map(str::to_string).collect();
    let mut cursor = first.next_cursor.clone();
    let mut pages = 1;
    while let Some(c) = cursor {
        let next = snapshot(
            &nodes,
            &SnapshotRequest {
                cursor: Some(c.parse().unwrap()),
                ..req.clone()
            },
            &mut refs,
        );
        pages += 1;
        cursor = next.next_cursor;
    }
    assert!(pages >= 3, "expected at least 3 pages, got {pages}");
    // Page-1 refs still resolve to the same nodes after later pages.
    for line in first_lines {
        let r = &line[1..line.find(']').unwrap()];
        assert!(refs.get(r).is_some(), "{r} went stale after paging");
    }
    let again = snapshot(&nodes, &req, &mut refs);
    assert_eq!(
        again.content, first.content,
        "a re-snapshot of an unchanged page keeps every ref"
    );
}

#[test]
fn max_nodes_caps_and_warns() {
    let nodes = fixture("links");
    let req = SnapshotRequest {
        max_nodes: 3,
        ..SnapshotRequest::default()
    };
    let page = snapshot(&nodes, &req, &mut RefTable::new());
    assert_eq!(page.ref_count, 3);
    assert_eq!(
        page.warnings,
        vec!["Snapshot limited to 3 nodes (maxNodes).".to_string()]
    );
}

#[test]
fn too_large_is_an_error() {
    let big = "x ".repeat(700_000);
    let nodes: Vec<AxNode> = (0..4)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "nodeId": i.to_string(), "ignored": false, "backendDOMNodeId": i + 1,
                "role": {"type": "role", "value": "button"}, "name": {"type": "computedString", "value": big}
            }))
            .unwrap()
        })
        .collect();
    let req = SnapshotRequest {
        max_chars: usize::MAX / 2,
        ..SnapshotRequest::default()
    };
    match build_snapshot(&nodes, &req, &mut RefTable::new()) {
        Err(SnapshotError::TooLarge {
            max_bytes,
            actual_bytes,
        }) => {
            assert_eq!(max_bytes, MAX_SNAPSHOT_BYTES);
            assert!(actual_bytes > max_bytes);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn checked_and_values_show() {
    let nodes: Vec<AxNode> = serde_json::from_value(serde_json::json!([
        {"nodeId":"1","backendDOMNodeId":1,"role":{"type":"role","value":"checkbox"},
         "name":{"type":"computedString","value":"Remember me"},
         "properties":[{"name":"checked","value":{"type":"tristate","value":"true"}}]},
        {"nodeId":"2","backendDOMNodeId":2,"role":{"type":"role","value":"textbox"},
         "name":{"type":"computedString","value":"Email"},"value":{"type":"string","value":"a@b.co"}},
        {"nodeId":"3","backendDOMNodeId":3,"ignored":true,"role":{"type":"role","value":"button"}},
        {"nodeId":"4","role":{"type":"role","value":"button"}}
    ]))
    .unwrap();
    let page = snapshot(&nodes, &SnapshotRequest::default(), &mut RefTable::new());
    assert_eq!(
        page.content,
        "[r1] checkbox checked \"Remember me\"\n[r2] textbox \"Email\" value=\"a@b.co\""
    );
}
