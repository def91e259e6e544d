//! Parsing, `/ops` payloads and usage errors of `rpc`, `review`, `upload` and `pointer-*` (the rest of the new verbs
//! are in `page_diag_cmds_tests.rs`, which shares the helpers here).

use std::path::Path;

use serde_json::{json, Value};

use super::*;

pub(super) fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("opendevbrowser").chain(args.iter().copied()))
}

pub(super) fn exit_of(args: &[&str]) -> i32 {
    match parse(args) {
        Ok(_) => exit::OK,
        Err(e) => match e.kind() {
            clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                exit::OK
            }
            _ => exit::USAGE,
        },
    }
}

/// The exit code of a whole run (parsing, then request building); only for command lines that fail
/// before the daemon would be contacted.
pub(super) fn run_exit(args: &[&str]) -> i32 {
    run(std::iter::once("opendevbrowser").chain(args.iter().copied()))
}

/// The daemon request a command line builds, with `cwd` for `upload`.
pub(super) fn request_in(args: &[&str], cwd: &Path) -> Result<(String, Value), CliError> {
    let cli = parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let (name, params) = match &cli.command {
        Command::Rpc(a) => return a.request(),
        Command::Review(a) => (page_cmds::NAV_REVIEW, a.params()),
        Command::Upload(a) => interact_cmds::upload(a, cwd)?,
        Command::PointerMove(a) => pointer_cmds::pointer_move(a),
        Command::PointerDown(a) => pointer_cmds::pointer_down(a),
        Command::PointerUp(a) => pointer_cmds::pointer_up(a),
        Command::PointerDrag(a) => pointer_cmds::pointer_drag(a),
        Command::Page(a) => named_page_cmds::open(a),
        Command::Pages(a) => named_page_cmds::list(a),
        Command::PageClose(a) => named_page_cmds::close(a),
        Command::Dialog(a) => diag_cmds::dialog(a)?,
        Command::ConsolePoll(a) => diag_cmds::console_poll(a),
        Command::NetworkPoll(a) => diag_cmds::network_poll(a),
        Command::Perf(a) => diag_cmds::perf(a),
        Command::CookieImport(a) => cookie_cmds::import(a)?,
        Command::CookieList(a) => cookie_cmds::list(a),
        Command::ClonePage(a) => export_cmds::clone_page(a),
        Command::CloneComponent(a) => export_cmds::clone_component(a),
        other => panic!("not a command of this file: {other:?}"),
    };
    Ok((name.to_string(), params))
}

pub(super) fn request(args: &[&str]) -> (String, Value) {
    request_in(args, Path::new("/")).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

pub(super) fn usage_error(args: &[&str], cwd: &Path) -> String {
    let err = request_in(args, cwd).expect_err("expected a usage error");
    assert_eq!(err.exit_code, exit::USAGE, "{args:?}: {}", err.message);
    err.message
}

#[test]
fn every_new_verb_sends_a_protocol_command() {
    let lines: [&[&str]; 16] = [
        &["review", "--session-id", "S"],
        &["pointer-move", "--session-id", "S", "--x", "1", "--y", "2"],
        &["pointer-down", "--session-id", "S", "--x", "1", "--y", "2"],
        &["pointer-up", "--session-id", "S", "--x", "1", "--y", "2"],
        &[
            "pointer-drag",
            "--session-id",
            "S",
            "--from-x",
            "1",
            "--from-y",
            "2",
            "--to-x",
            "3",
            "--to-y",
            "4",
        ],
        &["page", "--session-id", "S", "--name", "main"],
        &["pages", "--session-id", "S"],
        &["page-close", "--session-id", "S", "--name", "main"],
        &["dialog", "--session-id", "S"],
        &["console-poll", "--session-id", "S"],
        &["network-poll", "--session-id", "S"],
        &["perf", "--session-id", "S"],
        &["cookie-list", "--session-id", "S"],
        &["clone-page", "--session-id", "S"],
        &["clone-component", "--session-id", "S", "--ref", "r1"],
        &["rpc", "--name", "page.list", "--session-id", "S"],
    ];
    for args in lines {
        let (name, params) = request(args);
        assert!(
            odb_protocol::commands::ALL.contains(&name.as_str()),
            "{args:?} sends {name}"
        );
        assert_eq!(params["sessionId"], "S", "{args:?}");
        assert_eq!(exit_of(&[args[0], "--help"]), 0, "{} --help", args[0]);
        if args[0] != "rpc" {
            let without_session: Vec<&str> = args
                .iter()
                .copied()
                .filter(|a| *a != "--session-id" && *a != "S")
                .collect();
            assert_eq!(
                exit_of(&without_session),
                1,
                "{args:?} without --session-id"
            );
        }
    }
}

#[test]
fn rpc_passes_the_name_and_the_params_object_through() {
    let (name, params) = request(&[
        "rpc",
        "--name",
        "nav.snapshot",
        "--params",
        r#"{"mode":"actionables","maxChars":10}"#,
        "--session-id",
        "S",
    ]);
    assert_eq!(name, "nav.snapshot");
    assert_eq!(
        params,
        json!({"mode":"actionables","maxChars":10,"sessionId":"S"})
    );
    let (name, params) = request(&["rpc", "--name", "session.launch"]);
    assert_eq!((name.as_str(), params), ("session.launch", json!({})));
    let (_, params) = request(&[
        "rpc",
        "--name",
        "page.list",
        "--params",
        r#"{"sessionId":"S"}"#,
    ]);
    assert_eq!(params, json!({"sessionId":"S"}));
    let (_, params) = request(&[
        "rpc",
        "--name",
        "page.list",
        "--params",
        r#"{"sessionId":"S"}"#,
        "--session-id",
        "S",
    ]);
    assert_eq!(params, json!({"sessionId":"S"}));
    let msg = usage_error(
        &[
            "rpc",
            "--name",
            "page.list",
            "--params",
            r#"{"sessionId":"A"}"#,
            "--session-id",
            "B",
        ],
        Path::new("/"),
    );
    assert!(msg.contains("disagrees"), "{msg}");
    for bad in ["[1,2]", "3", "\"x\"", "null", "{nope", ""] {
        assert_eq!(
            exit_of(&["rpc", "--name", "page.list", "--params", bad]),
            1,
            "{bad:?}"
        );
        assert_eq!(
            run_exit(&["rpc", "--name", "page.list", "--params", bad]),
            1,
            "{bad:?}"
        );
    }
    assert_eq!(exit_of(&["rpc", "--params", "{}"]), 1, "missing --name");
    assert_eq!(exit_of(&["rpc", "--name", ""]), 1, "empty --name");
}

#[test]
fn review_sends_max_chars_and_the_cursor() {
    let (name, params) = request(&["review", "--session-id", "S"]);
    assert_eq!(name, "nav.review");
    assert_eq!(params, json!({"sessionId":"S","maxChars":16000}));
    let (_, params) = request(&[
        "review",
        "--session-id",
        "S",
        "--target-id",
        "tab-4",
        "--max-chars",
        "500",
        "--cursor",
        "12",
    ]);
    assert_eq!(
        params,
        json!({"sessionId":"S","targetId":"tab-4","maxChars":500,"cursor":"12"})
    );
    for bad in ["0", "-1", "1e3", "0x10"] {
        assert_eq!(
            exit_of(&["review", "--session-id", "S", "--max-chars", bad]),
            1,
            "{bad}"
        );
    }
    assert_eq!(
        exit_of(&["review", "--session-id", "S", "--mode", "outline"]),
        1
    );
}

#[test]
fn upload_sends_absolute_paths_of_existing_files() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    std::fs::write(tmp.path().join("a.png"), b"png").unwrap();
    std::fs::write(tmp.path().join("sub/b.txt"), b"txt").unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap();
    let abs_b = root.join("sub/b.txt").display().to_string();
    let (name, params) = request_in(
        &[
            "upload",
            "--session-id",
            "S",
            "--ref",
            "r12",
            "--files",
            &format!("./a.png,{abs_b}"),
        ],
        tmp.path(),
    )
    .unwrap();
    assert_eq!(name, "interact.upload");
    assert_eq!(
        params,
        json!({"sessionId":"S","ref":"r12","files":[root.join("a.png").display().to_string(), abs_b]})
    );
    let (_, params) = request_in(
        &[
            "upload",
            "--session-id",
            "S",
            "--ref",
            "r1",
            "--target-id",
            "tab-2",
            "--files",
            "sub/../a.png",
        ],
        &tmp.path().join("sub").join(".."),
    )
    .unwrap();
    assert_eq!(
        params["files"],
        json!([root.join("a.png").display().to_string()])
    );
    assert_eq!(params["targetId"], "tab-2");

    let upload = |files: &str| -> Vec<String> {
        [
            "upload",
            "--session-id",
            "S",
            "--ref",
            "r1",
            "--files",
            files,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let missing = upload("./a.png,./nope.png");
    let args: Vec<&str> = missing.iter().map(String::as_str).collect();
    let msg = usage_error(&args, tmp.path());
    assert!(
        msg.contains("./nope.png") && msg.contains("does not exist"),
        "{msg}"
    );
    let looked = format!("looked for {})", tmp.path().join("nope.png").display());
    assert!(msg.ends_with(&looked), "{msg}");
    let dir = upload("sub");
    let args: Vec<&str> = dir.iter().map(String::as_str).collect();
    assert!(usage_error(&args, tmp.path()).contains("not a regular file"));
    assert_eq!(
        run_exit(&[
            "upload",
            "--session-id",
            "S",
            "--ref",
            "r1",
            "--files",
            "./surely-missing-9f2c1b.png"
        ]),
        1
    );
    for bad in ["", "a,,b", "a,"] {
        assert_eq!(
            exit_of(&["upload", "--session-id", "S", "--ref", "r1", "--files", bad]),
            1,
            "{bad:?}"
        );
    }
    assert_eq!(
        exit_of(&["upload", "--session-id", "S", "--files", "a"]),
        1,
        "no --ref"
    );
    assert_eq!(
        exit_of(&["upload", "--session-id", "S", "--ref", "r1"]),
        1,
        "no --files"
    );
}

#[test]
fn pointer_commands_send_numbers_and_optional_fields() {
    let (name, params) = request(&[
        "pointer-move",
        "--session-id",
        "S",
        "--x",
        "0",
        "--y",
        "10.5",
    ]);
    assert_eq!(name, "pointer.move");
    assert_eq!(params, json!({"sessionId":"S","x":0,"y":10.5}));
    let (_, params) = request(&[
        "pointer-move",
        "--session-id",
        "S",
        "--x",
        "-4",
        "--y=7",
        "--steps",
        "5",
    ]);
    assert_eq!(params, json!({"sessionId":"S","x":-4,"y":7,"steps":5}));
    for (verb, wire) in [
        ("pointer-down", "pointer.down"),
        ("pointer-up", "pointer.up"),
    ] {
        let (name, params) = request(&[verb, "--session-id", "S", "--x", "3", "--y", "4"]);
        assert_eq!(name, wire);
        assert_eq!(params, json!({"sessionId":"S","x":3,"y":4}));
        let (_, params) = request(&[
            verb,
            "--session-id",
            "S",
            "--x",
            "3",
            "--y",
            "4",
            "--button",
            "right",
            "--click-count",
            "2",
            "--target-id",
            "tab-9",
        ]);
        assert_eq!(
            params,
            json!({"sessionId":"S","targetId":"tab-9","x":3,"y":4,"button":"right","clickCount":2})
        );
        assert_eq!(
            exit_of(&[
                verb,
                "--session-id",
                "S",
                "--x",
                "3",
                "--y",
                "4",
                "--button",
                "back"
            ]),
            1
        );
        assert_eq!(
            exit_of(&[
                verb,
                "--session-id",
                "S",
                "--x",
                "3",
                "--y",
                "4",
                "--click-count",
                "0"
            ]),
            1
        );
        assert_eq!(
            exit_of(&[verb, "--session-id", "S", "--x", "3"]),
            1,
            "no --y"
        );
    }
    let (name, params) = request(&[
        "pointer-drag",
        "--session-id",
        "S",
        "--from-x",
        "1.5",
        "--from-y",
        "0",
        "--to-x",
        "300",
        "--to-y",
        "40",
        "--steps",
        "10",
    ]);
    assert_eq!(name, "pointer.drag");
    assert_eq!(
        params,
        json!({"sessionId":"S","from":{"x":1.5,"y":0},"to":{"x":300,"y":40},"steps":10})
    );
    let base = [
        "--session-id",
        "S",
        "--from-x",
        "1",
        "--from-y",
        "2",
        "--to-x",
        "3",
    ];
    let mut no_to_y = vec!["pointer-drag"];
    no_to_y.extend(base);
    assert_eq!(exit_of(&no_to_y), 1, "no --to-y");
    for bad_steps in ["-1", "0", "1.5", "1e2"] {
        assert_eq!(
            exit_of(&[
                "pointer-move",
                "--session-id",
                "S",
                "--x",
                "1",
                "--y",
                "1",
                "--steps",
                bad_steps
            ]),
            1,
            "{bad_steps}"
        );
        let mut drag = no_to_y.clone();
        drag.extend(["--to-y", "4", "--steps", bad_steps]);
        assert_eq!(exit_of(&drag), 1, "drag {bad_steps}");
    }
    for bad in ["1e3", "0x10", "+5", "NaN", "inf", ".5", "abc"] {
        assert_eq!(
            exit_of(&["pointer-move", "--session-id", "S", "--x", bad, "--y", "1"]),
            1,
            "{bad}"
        );
    }
}
