//! Unknown and stale refs answer `[invalid_request] Unknown ref: <ref>. Take a new snapshot first.` and never act
//! on another element.

use odb_e2e::env::{ref_of, TestEnv};

fn stale_error(reference: &str) -> String {
    format!("[invalid_request] Unknown ref: {reference}. Take a new snapshot first.")
}

#[test]
fn unknown_removed_and_pre_navigation_refs_are_stale() {
    let env = TestEnv::paired();
    let sid = env.launch("links.html");

    let never = env
        .daemon
        .cli(&["click", "--session-id", &sid, "--ref", "r9999"]);
    assert_eq!(never.code, 2, "{never:?}");
    assert!(never.stderr.contains(&stale_error("r9999")), "{never:?}");

    // An element removed from the page.
    let snap = env.snapshot(&sid, "outline");
    let hyperion = ref_of(&snap, "link \"Hyperion\"");
    let remove = ref_of(&snap, "button \"Remove last book\"");
    let count = ref_of(&snap, "button \"Count a click\"");
    env.session(&sid, &["click", "--ref", &remove]);
    let gone = env
        .daemon
        .cli(&["click", "--session-id", &sid, "--ref", &hyperion]);
    assert_eq!(gone.code, 2, "{gone:?}");
    assert!(gone.stderr.contains(&stale_error(&hyperion)), "{gone:?}");

    // Unchanged elements keep their refs across a re-snapshot after an unrelated DOM change.
    let again = env.snapshot(&sid, "outline");
    assert_eq!(ref_of(&again, "button \"Count a click\""), count);
    assert!(!again.contains("Hyperion"));

    // After a navigation, refs of the old page are stale.
    env.session(&sid, &["goto", "--url", &env.fixtures.url("login.html")]);
    let old = env
        .daemon
        .cli(&["click", "--session-id", &sid, "--ref", &count]);
    assert_eq!(old.code, 2, "{old:?}");
    assert!(old.stderr.contains(&stale_error(&count)), "{old:?}");
}

/// Paging through one snapshot never invalidates earlier pages (issue 4, refs you can trust): after fetching page 3,
/// a page-1 ref still names the same element, and every page's refs are distinct.
#[test]
fn page_one_refs_still_work_after_paging_to_page_three() {
    let env = TestEnv::paired();
    let sid = env.launch("links.html");
    let page = |cursor: Option<&str>| {
        let mut args = vec!["snapshot", "--max-chars", "120"];
        if let Some(c) = cursor {
            args.extend_from_slice(&["--cursor", c]);
        }
        env.session(&sid, &args)
    };
    let first = page(None);
    assert_eq!(first["truncated"], true, "{first}");
    let marker = format!(
        "[truncated: {} more lines; next cursor {}]",
        first["refCount"].as_u64().unwrap()
            - first["nextCursor"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .unwrap(),
        first["nextCursor"].as_str().unwrap()
    );
    assert!(
        first["content"].as_str().unwrap().ends_with(&marker),
        "{first}"
    );
    assert!(
        first["content"].as_str().unwrap().chars().count() <= 120,
        "{first}"
    );
    let p1 = first["content"].as_str().unwrap().to_string();
    let second = page(first["nextCursor"].as_str());
    let third = page(second["nextCursor"].as_str());
    let p3 = third["content"].as_str().unwrap().to_string();
    assert!(!p3.is_empty(), "{third}");
    println!("page 1:\n{p1}\npage 3:\n{p3}");

    let refs = |content: &str| -> Vec<String> {
        content
            .lines()
            .filter(|l| l.starts_with("[r"))
            .map(|l| l[1..l.find(']').unwrap()].to_string())
            .collect()
    };
    let (r1, r3) = (refs(&p1), refs(&p3));
    assert!(r1.iter().all(|r| !r3.contains(r)), "{r1:?} vs {r3:?}");

    // A page-1 link still resolves to itself after page 3 was fetched.
    let home = ref_of(&p1, "link \"Home\"");
    let text = env.session(&sid, &["dom-text", "--ref", &home]);
    assert_eq!(text["text"], "Home", "{text}");
    // And a page-3 ref works too.
    let last = r3.last().unwrap();
    env.session(&sid, &["dom-html", "--ref", last]);
}
