//! Parsing, `/ops` payloads and usage errors of named pages, diagnostics (`dialog`, polls), cookies and export
//! commands.

use std::path::Path;

use serde_json::json;

use super::more_cmds_tests::{exit_of, request, run_exit, usage_error};

#[test]
fn named_pages_are_session_commands() {
    let (name, params) = request(&[
        "page",
        "--session-id",
        "S",
        "--name",
        "main",
        "--url",
        "http://a/",
    ]);
    assert_eq!(name, "page.open");
    assert_eq!(
        params,
        json!({"sessionId":"S","name":"main","url":"http://a/"})
    );
    let (_, params) = request(&["page", "--session-id", "S", "--name", "main"]);
    assert_eq!(params, json!({"sessionId":"S","name":"main"}));
    let (name, params) = request(&["pages", "--session-id", "S"]);
    assert_eq!(
        (name.as_str(), params),
        ("page.list", json!({"sessionId":"S"}))
    );
    let (name, params) = request(&["page-close", "--session-id", "S", "--name", "docs"]);
    assert_eq!(name, "page.close");
    assert_eq!(params, json!({"sessionId":"S","name":"docs"}));
    assert_eq!(exit_of(&["page", "--session-id", "S"]), 1, "no --name");
    assert_eq!(exit_of(&["page", "--session-id", "S", "--name", ""]), 1);
    assert_eq!(exit_of(&["page-close", "--session-id", "S"]), 1);
    assert_eq!(
        exit_of(&["pages", "--session-id", "S", "--target-id", "tab-1"]),
        1,
        "pages is not target-scoped"
    );
}

#[test]
fn dialog_defaults_to_status_and_takes_prompt_text_only_to_accept() {
    let (name, params) = request(&["dialog", "--session-id", "S"]);
    assert_eq!(name, "page.dialog");
    assert_eq!(params, json!({"sessionId":"S","action":"status"}));
    let (_, params) = request(&[
        "dialog",
        "--session-id",
        "S",
        "--target-id",
        "tab-3",
        "--action",
        "accept",
        "--prompt-text",
        "-yes",
    ]);
    assert_eq!(
        params,
        json!({"sessionId":"S","targetId":"tab-3","action":"accept","promptText":"-yes"})
    );
    let (_, params) = request(&["dialog", "--session-id", "S", "--action", "dismiss"]);
    assert_eq!(params["action"], "dismiss");
    for action in ["status", "dismiss"] {
        let args = [
            "dialog",
            "--session-id",
            "S",
            "--action",
            action,
            "--prompt-text",
            "x",
        ];
        assert!(usage_error(&args, Path::new("/")).contains("--action accept"));
        assert_eq!(run_exit(&args), 1);
    }
    assert_eq!(
        run_exit(&["dialog", "--session-id", "S", "--prompt-text", "x"]),
        1
    );
    assert_eq!(
        exit_of(&["dialog", "--session-id", "S", "--action", "close"]),
        1
    );
}

#[test]
fn polls_send_since_seq_and_max_with_defaults() {
    for (verb, wire) in [
        ("console-poll", "devtools.consolePoll"),
        ("network-poll", "devtools.networkPoll"),
    ] {
        let (name, params) = request(&[verb, "--session-id", "S"]);
        assert_eq!(name, wire);
        assert_eq!(params, json!({"sessionId":"S","sinceSeq":0,"max":50}));
        let (_, params) = request(&[verb, "--session-id", "S", "--since-seq", "0", "--max", "5"]);
        assert_eq!(params, json!({"sessionId":"S","sinceSeq":0,"max":5}));
        let (_, params) = request(&[verb, "--session-id", "S", "--since-seq", "42"]);
        assert_eq!(params["sinceSeq"], 42);
        for bad in ["-1", "+1", "1e2", "x"] {
            assert_eq!(
                exit_of(&[verb, "--session-id", "S", "--since-seq", bad]),
                1,
                "{verb} --since-seq {bad}"
            );
        }
        for bad in ["0", "-1", "1e2"] {
            assert_eq!(
                exit_of(&[verb, "--session-id", "S", "--max", bad]),
                1,
                "{verb} --max {bad}"
            );
        }
    }
    let (name, params) = request(&["perf", "--session-id", "S", "--target-id", "tab-1"]);
    assert_eq!(name, "devtools.perf");
    assert_eq!(params, json!({"sessionId":"S","targetId":"tab-1"}));
}

fn cookie_file(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path.display().to_string()
}

#[test]
fn cookie_import_reads_the_file_and_maps_strict() {
    let tmp = tempfile::tempdir().unwrap();
    let cookie = json!({"name":"sid","value":"1","url":"http://a/","sameSite":"Lax"});
    let array = cookie_file(tmp.path(), "a.json", &json!([cookie]).to_string());
    let object = cookie_file(
        tmp.path(),
        "o.json",
        &json!({"cookies":[cookie]}).to_string(),
    );
    let import = |file: &str, extra: &[&str]| {
        let mut args = vec!["cookie-import", "--session-id", "S", "--cookies-file", file];
        args.extend(extra);
        request(&args)
    };
    let (name, params) = import(&array, &[]);
    assert_eq!(name, "storage.setCookies");
    assert_eq!(
        params,
        json!({"sessionId":"S","cookies":[cookie],"strict":true})
    );
    assert_eq!(import(&object, &[]).1["cookies"], json!([cookie]));
    assert_eq!(import(&array, &["--strict"]).1["strict"], true);
    assert_eq!(import(&array, &["--no-strict"]).1["strict"], false);
    assert_eq!(
        import(&array, &["--no-strict", "--strict"]).1["strict"],
        true
    );
    assert_eq!(
        import(&array, &["--strict", "--no-strict"]).1["strict"],
        false
    );
    assert_eq!(
        import(&array, &["--target-id", "tab-5"]).1["targetId"],
        "tab-5"
    );

    let missing = tmp.path().join("missing.json").display().to_string();
    let cases = [
        (missing.clone(), "cannot read"),
        (
            cookie_file(tmp.path(), "bad.json", "{not json"),
            "not valid JSON",
        ),
        (
            cookie_file(tmp.path(), "num.json", "3"),
            "must hold a JSON array",
        ),
        (
            cookie_file(tmp.path(), "obj.json", r#"{"c":[]}"#),
            "must hold a JSON array",
        ),
        (
            cookie_file(tmp.path(), "empty.json", "[]"),
            "holds no cookies",
        ),
        (
            cookie_file(tmp.path(), "str.json", r#"["sid=1"]"#),
            "cookie #0 is not an object",
        ),
        (
            cookie_file(
                tmp.path(),
                "noval.json",
                r#"[{"name":"a","value":"1"},{"name":"b"}]"#,
            ),
            "cookie #1 needs a string \"value\"",
        ),
        (
            cookie_file(
                tmp.path(),
                "ss.json",
                r#"[{"name":"a","value":"1","sameSite":"lax"}]"#,
            ),
            "sameSite",
        ),
    ];
    for (file, why) in cases {
        let args = [
            "cookie-import",
            "--session-id",
            "S",
            "--cookies-file",
            file.as_str(),
        ];
        let msg = usage_error(&args, Path::new("/"));
        assert!(msg.contains(why) && msg.contains(&file), "{file}: {msg}");
        assert_eq!(run_exit(&args), 1, "{file}");
    }
    assert_eq!(
        exit_of(&["cookie-import", "--session-id", "S"]),
        1,
        "no file"
    );
}

#[test]
fn cookie_list_sends_urls_only_when_given() {
    let (name, params) = request(&["cookie-list", "--session-id", "S"]);
    assert_eq!(name, "storage.getCookies");
    assert_eq!(params, json!({"sessionId":"S"}));
    let (_, params) = request(&[
        "cookie-list",
        "--session-id",
        "S",
        "--url",
        "http://a/",
        "--url",
        "https://b.example/x",
        "--url",
        "http://a/",
    ]);
    assert_eq!(
        params,
        json!({"sessionId":"S","urls":["http://a/","https://b.example/x"]})
    );
    for bad in ["ftp://a/", "a.com", "http://", "", "https:///x"] {
        assert_eq!(
            exit_of(&["cookie-list", "--session-id", "S", "--url", bad]),
            1,
            "{bad:?}"
        );
    }
}

#[test]
fn export_commands_send_the_ref_for_a_component() {
    let (name, params) = request(&["clone-page", "--session-id", "S"]);
    assert_eq!(
        (name.as_str(), params),
        ("export.clonePage", json!({"sessionId":"S"}))
    );
    let (name, params) = request(&[
        "clone-component",
        "--session-id",
        "S",
        "--ref",
        "r12",
        "--target-id",
        "tab-1",
    ]);
    assert_eq!(name, "export.cloneComponent");
    assert_eq!(
        params,
        json!({"sessionId":"S","targetId":"tab-1","ref":"r12"})
    );
    assert_eq!(
        exit_of(&["clone-component", "--session-id", "S"]),
        1,
        "no --ref"
    );
    assert_eq!(
        exit_of(&["clone-page", "--session-id", "S", "--ref", "r1"]),
        1,
        "clone-page takes no ref"
    );
}
