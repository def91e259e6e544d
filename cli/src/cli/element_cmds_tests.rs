//! Parsing and `/ops` payloads of the interaction and DOM commands (`interact_cmds`, `dom_cmds`).

use serde_json::{json, Value};

use super::interact_cmds::Request;
use super::*;

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("opendevbrowser").chain(args.iter().copied()))
}

fn exit_of(args: &[&str]) -> i32 {
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

/// The daemon request a command line builds (only for the commands of this file).
fn request(args: &[&str]) -> Request {
    let cli = parse(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    match &cli.command {
        Command::Hover(a) => interact_cmds::hover(a),
        Command::Check(a) => interact_cmds::check(a),
        Command::Uncheck(a) => interact_cmds::uncheck(a),
        Command::Select(a) => interact_cmds::select(a),
        Command::Scroll(a) => interact_cmds::scroll(a),
        Command::ScrollIntoView(a) => interact_cmds::scroll_into_view(a),
        Command::DomHtml(a) => dom_cmds::html(a),
        Command::DomAttr(a) => dom_cmds::attr(a),
        Command::DomValue(a) => dom_cmds::value(a),
        Command::DomVisible(a) => dom_cmds::visible(a),
        Command::DomEnabled(a) => dom_cmds::enabled(a),
        Command::DomChecked(a) => dom_cmds::checked(a),
        other => panic!("not an element command: {other:?}"),
    }
}

#[test]
fn ref_only_commands_send_their_ops_command_with_the_ref() {
    let cases = [
        ("hover", "interact.hover"),
        ("check", "interact.check"),
        ("uncheck", "interact.uncheck"),
        ("scroll-into-view", "interact.scrollIntoView"),
        ("dom-value", "dom.getValue"),
        ("dom-visible", "dom.isVisible"),
        ("dom-enabled", "dom.isEnabled"),
        ("dom-checked", "dom.isChecked"),
    ];
    for (cmd, ops) in cases {
        let (name, params) = request(&[cmd, "--session-id", "S", "--ref", "r12"]);
        assert_eq!(name, ops, "{cmd}");
        assert_eq!(params, json!({"sessionId":"S","ref":"r12"}), "{cmd}");
        let (_, params) = request(&[
            "--output-format",
            "json",
            cmd,
            "--session-id",
            "S",
            "--ref",
            "r1",
            "--target-id",
            "tab-2",
        ]);
        assert_eq!(
            params,
            json!({"sessionId":"S","targetId":"tab-2","ref":"r1"}),
            "{cmd}"
        );
        assert!(
            odb_protocol::commands::ALL.contains(&name),
            "{name} is a PROTOCOL.md command"
        );
        assert_eq!(
            exit_of(&[cmd, "--session-id", "S"]),
            1,
            "{cmd} without --ref"
        );
        assert_eq!(
            exit_of(&[cmd, "--ref", "r1"]),
            1,
            "{cmd} without --session-id"
        );
        assert_eq!(exit_of(&[cmd, "--help"]), 0, "{cmd} --help");
    }
}

#[test]
fn select_splits_values_on_commas() {
    let (name, params) = request(&[
        "select",
        "--session-id",
        "S",
        "--ref",
        "r3",
        "--values",
        "a,b",
    ]);
    assert_eq!(name, "interact.select");
    assert_eq!(
        params,
        json!({"sessionId":"S","ref":"r3","values":["a","b"]})
    );
    let (_, params) = request(&[
        "select",
        "--session-id",
        "S",
        "--ref",
        "r3",
        "--values",
        "-x",
    ]);
    assert_eq!(params["values"], json!(["-x"]));
    assert_eq!(
        exit_of(&["select", "--session-id", "S", "--ref", "r3"]),
        1,
        "missing --values"
    );
    for bad in ["", "a,,b", "a,"] {
        assert_eq!(
            exit_of(&[
                "select",
                "--session-id",
                "S",
                "--ref",
                "r3",
                "--values",
                bad
            ]),
            1,
            "{bad:?}"
        );
    }
    assert_eq!(
        exit_of(&["select", "--session-id", "S", "--values", "a"]),
        1,
        "missing --ref"
    );
}

#[test]
fn scroll_takes_a_signed_plain_integer_and_an_optional_ref() {
    let (name, params) = request(&["scroll", "--session-id", "S", "--dy", "500"]);
    assert_eq!(name, "interact.scroll");
    assert_eq!(params, json!({"sessionId":"S","dy":500}));
    let (_, params) = request(&["scroll", "--session-id", "S", "--dy", "-250", "--ref", "r4"]);
    assert_eq!(params, json!({"sessionId":"S","dy":-250,"ref":"r4"}));
    let (_, params) = request(&["scroll", "--dy=-1", "--session-id", "S"]);
    assert_eq!(params["dy"], json!(-1));
    for bad in ["1e3", "0x10", "+5", "1.5", "-", "abc"] {
        assert_eq!(
            exit_of(&["scroll", "--session-id", "S", "--dy", bad]),
            1,
            "{bad}"
        );
        assert_eq!(
            run(["opendevbrowser", "scroll", "--session-id", "S", "--dy", bad]),
            1
        );
    }
    assert_eq!(exit_of(&["scroll", "--session-id", "S"]), 1, "missing --dy");
}

#[test]
fn dom_html_and_dom_attr_payloads() {
    let (name, params) = request(&["dom-html", "--session-id", "S", "--ref", "r5"]);
    assert_eq!(name, "dom.getHtml");
    assert_eq!(params, json!({"sessionId":"S","ref":"r5"}));
    let (_, params) = request(&[
        "dom-html",
        "--session-id",
        "S",
        "--ref",
        "r5",
        "--max-chars",
        "100",
    ]);
    assert_eq!(params, json!({"sessionId":"S","ref":"r5","maxChars":100}));
    for bad in ["0", "1e3", "-1", "0x10"] {
        assert_eq!(
            exit_of(&[
                "dom-html",
                "--session-id",
                "S",
                "--ref",
                "r5",
                "--max-chars",
                bad
            ]),
            1,
            "{bad}"
        );
    }
    let (name, params) = request(&[
        "dom-attr",
        "--session-id",
        "S",
        "--ref",
        "r6",
        "--attr",
        "href",
    ]);
    assert_eq!(name, "dom.getAttr");
    assert_eq!(params, json!({"sessionId":"S","ref":"r6","name":"href"}));
    assert_eq!(
        exit_of(&["dom-attr", "--session-id", "S", "--ref", "r6"]),
        1,
        "missing --attr"
    );
}

#[test]
fn json_output_flattens_the_result() {
    use crate::output::{render_success, Outcome, OutputFormat};
    let data = json!({"value": null});
    let o = Outcome::data(data.clone(), dom_cmds::value_text(&data));
    assert_eq!(render_success(&o, OutputFormat::Text, true), "null");
    let v: Value = serde_json::from_str(&render_success(&o, OutputFormat::Json, false)).unwrap();
    assert_eq!(v, json!({"success":true,"value":null}));
}
