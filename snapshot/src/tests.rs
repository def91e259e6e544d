//! Snapshot tests on `DOMSnapshot.captureSnapshot` data recorded from Chromium 156 (`snapshot/fixtures/*.dom.json`,
//! written by `cargo run -p odb-e2e --bin record_cdp`).

use expect_test::expect;

use super::*;

fn fixture(name: &str) -> PageCapture {
    dom::tests::capture(name)
}

fn snapshot(page: &PageCapture, req: &SnapshotRequest, refs: &mut RefTable) -> SnapshotPage {
    build_snapshot(page, req, refs).expect("snapshot fits")
}

fn actionables() -> SnapshotRequest {
    SnapshotRequest {
        mode: Mode::Actionables,
        ..SnapshotRequest::default()
    }
}

#[test]
fn login_outline_and_actionables() {
    let page = fixture("login");
    let out = snapshot(&page, &SnapshotRequest::default(), &mut RefTable::new());
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
    .assert_eq(&out.content);
    assert!(!out.truncated);
    assert_eq!(out.ref_count, out.content.lines().count());
    let out = snapshot(&page, &actionables(), &mut RefTable::new());
    expect![[r#"
        [r1] textbox "Email"
        [r2] textbox "Password"
        [r3] checkbox "Remember me"
        [r4] button disabled "Continue with SSO"
        [r5] button "Sign in""#]]
    .assert_eq(&out.content);
}

#[test]
fn names_page_outline() {
    let out = snapshot(
        &fixture("names"),
        &SnapshotRequest::default(),
        &mut RefTable::new(),
    );
    expect![[r#"
        [r1] banner
        [r2] link "Home logo"
        [r3] img "Home logo"
        [r4] navigation "Main menu"
        [r5] list
        [r6] listitem
        [r7] link "Alpha"
        [r8] listitem
        [r9] link "B"
        [r10] main
        [r11] heading "Names and roles"
        [r12] paragraph
        [r13] form "Profile"
        [r14] textbox "First name" value="Ada"
        [r15] textbox "Last name"
        [r16] textbox "Mail address"
        [r17] searchbox "Search docs"
        [r18] textbox "Password" value="•••••••"
        [r19] spinbutton "Age" value="36"
        [r20] slider "Volume" value="3"
        [r21] textbox "Bio" value="Likes engines"
        [r22] combobox "Color" value="Green"
        [r23] option "Red"
        [r24] option "Green"
        [r25] checkbox checked "Accept terms"
        [r26] radio "Basic plan"
        [r27] textbox disabled "Locked field"
        [r28] button disabled "Locked button"
        [r29] button "Save profile"
        [r30] button "Reset"
        [r31] button "×"
        [r32] button "Settings"
        [r33] img "gear"
        [r34] button disabled "Disabled action"
        [r35] button "Role button"
        [r36] checkbox checked "Aria checkbox"
        [r37] clickable "Onclick div"
        [r38] clickable "Pointer card inner pointer"
        [r39] focusable "Focusable div"
        [r40] textbox "Editor" value="Editable text"
        [r41] img "Chart of sales"
        [r42] button "More details"
        [r43] table "People"
        [r44] row
        [r45] columnheader "Name"
        [r46] columnheader "Age"
        [r47] row
        [r48] cell "Ada"
        [r49] cell "36"
        [r50] region "Named region"
        [r51] heading "Region heading"
        [r52] article
        [r53] heading "Article heading"
        [r54] complementary
        [r55] contentinfo"#]]
    .assert_eq(&out.content);
}

/// Shadow roots (open and closed), a same-process iframe and an out-of-process iframe all appear, in place;
/// the out-of-process frame's refs carry its frame id.
#[test]
fn frames_and_shadow_roots_appear_in_place() {
    let mut refs = RefTable::new();
    let out = snapshot(&fixture("frames"), &actionables(), &mut refs);
    expect![[r#"
        [r1] button "Open shadow button"
        [r2] textbox "Shadow note"
        [r3] button "Closed shadow button"
        [r4] button "Frame button same"
        [r5] textbox "Frame input same"
        [r6] button "Frame button cross"
        [r7] textbox "Frame input cross""#]]
    .assert_eq(&out.content);
    let cross = out
        .content
        .lines()
        .find(|l| l.contains("Frame button cross"))
        .expect("cross-origin frame button");
    let r = &cross[1..cross.find(']').unwrap()];
    assert!(refs.get(r).unwrap().frame_id.is_some());
    let same = out
        .content
        .lines()
        .find(|l| l.contains("Frame button same"))
        .unwrap();
    assert!(refs
        .get(&same[1..same.find(']').unwrap()])
        .unwrap()
        .frame_id
        .is_none());
}

#[test]
fn paging_keeps_refs_of_earlier_pages_and_resnapshots_keep_refs() {
    let page = fixture("bench20");
    let mut refs = RefTable::new();
    let req = SnapshotRequest {
        max_chars: 300,
        ..actionables()
    };
    let first = snapshot(&page, &req, &mut refs);
    assert!(first.truncated);
    assert!(first.content.chars().count() <= 300);
    assert!(first.content.ends_with(&format!(
        "next cursor {}]",
        first.next_cursor.as_deref().unwrap()
    )));
    let first_ref = first.content.lines().next().unwrap().to_string();
    let cursor = first.next_cursor.clone().unwrap().parse().unwrap();
    let second = snapshot(
        &page,
        &SnapshotRequest {
            cursor: Some(cursor),
            ..req.clone()
        },
        &mut refs,
    );
    assert!(!second.content.contains(&first_ref));
    let again = snapshot(&page, &req, &mut refs);
    assert_eq!(again.content, first.content, "same page, same refs");
    assert_eq!(refs.len(), first.ref_count);
}

#[test]
fn filter_keeps_matching_lines_only() {
    let page = fixture("bench20");
    let req = SnapshotRequest {
        filter: Some("BUTTON 1".into()),
        ..actionables()
    };
    let out = snapshot(&page, &req, &mut RefTable::new());
    expect![[r#"
        [r1] button "Button 1"
        [r2] button "Button 10"
        [r3] button "Button 11"
        [r4] button "Button 12"
        [r5] button "Button 13"
        [r6] button "Button 14"
        [r7] button "Button 15"
        [r8] button "Button 16"
        [r9] button "Button 17"
        [r10] button "Button 18"
        [r11] button "Button 19""#]]
    .assert_eq(&out.content);
}

#[test]
fn scope_keeps_one_subtree_and_a_missing_scope_is_an_error() {
    let page = fixture("names");
    let mut refs = RefTable::new();
    let full = snapshot(&page, &SnapshotRequest::default(), &mut refs);
    let nav_ref = full
        .content
        .lines()
        .find(|l| l.contains("navigation"))
        .unwrap();
    let entry = refs
        .get(&nav_ref[1..nav_ref.find(']').unwrap()])
        .unwrap()
        .clone();
    let req = SnapshotRequest {
        scope: Some(Scope {
            frame_id: entry.frame_id.clone(),
            backend_node_id: entry.backend_node_id,
        }),
        ..SnapshotRequest::default()
    };
    let out = snapshot(&page, &req, &mut refs);
    expect![[r#"
        [r4] navigation "Main menu"
        [r5] list
        [r6] listitem
        [r7] link "Alpha"
        [r8] listitem
        [r9] link "B""#]]
    .assert_eq(&out.content);
    let gone = SnapshotRequest {
        scope: Some(Scope {
            frame_id: None,
            backend_node_id: 999_999,
        }),
        ..SnapshotRequest::default()
    };
    assert_eq!(
        build_snapshot(&page, &gone, &mut refs),
        Err(SnapshotError::ScopeNotFound)
    );
}

#[test]
fn diff_against_the_previous_full_snapshot() {
    let mut refs = RefTable::new();
    let req = SnapshotRequest {
        diff: true,
        ..actionables()
    };
    let first = snapshot(&fixture("login"), &req, &mut refs);
    assert!(first.content.lines().all(|l| l.starts_with("+ [r")));
    assert_eq!(first.warnings.len(), 1);
    let same = snapshot(&fixture("login"), &req, &mut refs);
    assert_eq!(same.content, "");
    assert_eq!(
        same.warnings,
        vec!["No changes since the previous snapshot."]
    );
}

#[test]
fn max_nodes_caps_and_warns() {
    let req = SnapshotRequest {
        max_nodes: 3,
        ..actionables()
    };
    let out = snapshot(&fixture("bench20"), &req, &mut RefTable::new());
    assert_eq!(out.ref_count, 3);
    assert_eq!(
        out.warnings,
        vec!["Snapshot limited to 3 nodes (maxNodes)."]
    );
}

#[test]
fn values_states_and_password_masking_show() {
    let out = snapshot(&fixture("names"), &actionables(), &mut RefTable::new());
    for needle in [
        "textbox \"First name\" value=\"Ada\"",
        "textbox \"Password\" value=\"•••••••\"",
        "combobox \"Color\" value=\"Green\"",
        "checkbox checked \"Accept terms\"",
        "button disabled \"Locked button\"",
        "clickable \"Onclick div\"",
        "focusable \"Focusable div\"",
    ] {
        assert!(out.content.contains(needle), "{needle} in\n{}", out.content);
    }
    assert!(!out.content.contains("hunter2"));
    assert!(!out.content.contains("Hidden by"));
}
