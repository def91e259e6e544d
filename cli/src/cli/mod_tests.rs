//! Argument parsing and exit-code mapping of the command line.

use super::*;

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("opendevbrowser").chain(args.iter().copied()))
}

fn exit_of(args: &[&str]) -> i32 {
    match parse(args) {
        Ok(_) => 0,
        Err(e) => {
            use clap::error::ErrorKind;
            match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => exit::OK,
                _ => exit::USAGE,
            }
        }
    }
}

#[test]
fn global_flags_go_before_or_after_the_command() {
    let cli = parse(&[
        "--output-format",
        "json",
        "snapshot",
        "--mode",
        "outline",
        "--session-id",
        "S",
    ])
    .unwrap();
    assert_eq!(cli.output_format, OutputFormat::Json);
    let cli = parse(&[
        "status",
        "--quiet",
        "--no-prompt",
        "--output-format",
        "stream-json",
    ])
    .unwrap();
    assert!(cli.quiet && cli.no_interactive);
    assert_eq!(cli.output_format, OutputFormat::StreamJson);
    assert_eq!(
        parse(&["status"]).unwrap().output_format,
        OutputFormat::Text
    );
}

#[test]
fn usage_errors_exit_1_and_help_exits_0() {
    assert_eq!(exit_of(&["--help"]), 0);
    assert_eq!(exit_of(&["--version"]), 0);
    assert_eq!(exit_of(&["goto", "--help"]), 0);
    assert_eq!(exit_of(&[]), 1, "no command");
    assert_eq!(exit_of(&["nope"]), 1);
    assert_eq!(exit_of(&["goto", "--session-id", "S"]), 1, "missing --url");
    assert_eq!(
        exit_of(&[
            "screenshot",
            "--session-id",
            "S",
            "--full-page",
            "--ref",
            "r1"
        ]),
        1
    );
    assert_eq!(
        exit_of(&["wait", "--session-id", "S"]),
        1,
        "needs --until or --ref"
    );
    assert_eq!(
        exit_of(&[
            "wait",
            "--session-id",
            "S",
            "--until",
            "load",
            "--ref",
            "r1"
        ]),
        1
    );
    assert_eq!(
        exit_of(&[
            "wait",
            "--session-id",
            "S",
            "--state",
            "visible",
            "--until",
            "load"
        ]),
        1
    );
    assert_eq!(
        exit_of(&["launch", "--no-extension", "--extension-only"]),
        1
    );
    assert_eq!(exit_of(&["connect"]), 1);
    assert_eq!(
        exit_of(&["connect", "--host", "h"]),
        1,
        "--host needs --cdp-port"
    );
    assert_eq!(
        exit_of(&["snapshot", "--session-id", "S", "--mode", "weird"]),
        1
    );
    assert_eq!(exit_of(&["--output-format", "xml", "status"]), 1);
    assert_eq!(exit_of(&["serve", "--stop", "--port", "1"]), 1);
}

#[test]
fn positive_integer_flags_reject_non_plain_digits() {
    for bad in ["+5", "0x10", "1e3", "-1", "0"] {
        assert_eq!(
            exit_of(&[
                "goto",
                "--session-id",
                "S",
                "--url",
                "http://a/",
                "--timeout-ms",
                bad
            ]),
            1,
            "{bad}"
        );
        assert_eq!(exit_of(&["launch", "--wait-timeout-ms", bad]), 1, "{bad}");
        assert_eq!(exit_of(&["serve", "--port", bad]), 1, "{bad}");
        assert_eq!(
            exit_of(&["snapshot", "--session-id", "S", "--max-chars", bad]),
            1,
            "{bad}"
        );
    }
    assert_eq!(
        exit_of(&[
            "goto",
            "--session-id",
            "S",
            "--url",
            "http://a/",
            "--timeout-ms",
            "5000"
        ]),
        0
    );
}

#[test]
fn commands_parse_into_their_flags() {
    let cli = parse(&[
        "wait",
        "--session-id",
        "S",
        "--ref",
        "r12",
        "--state",
        "visible",
        "--timeout-ms",
        "9",
    ])
    .unwrap();
    let Command::Wait(w) = cli.command else {
        panic!("not wait")
    };
    assert_eq!(w.reference.as_deref(), Some("r12"));
    assert_eq!(w.state, Some(page_cmds::ElementState::Visible));
    assert_eq!(w.timeout_ms, Some(9));
    let cli = parse(&[
        "type",
        "--session-id",
        "S",
        "--ref",
        "r1",
        "--text",
        "-x",
        "--clear",
        "--submit",
    ])
    .unwrap();
    let Command::Type(t) = cli.command else {
        panic!("not type")
    };
    assert_eq!((t.text.as_str(), t.clear, t.submit), ("-x", true, true));
    let cli = parse(&["launch"]).unwrap();
    let Command::Launch(l) = cli.command else {
        panic!("not launch")
    };
    assert_eq!(l.wait_timeout_ms, 30000);
    let cli = parse(&[
        "dom-text",
        "--session-id",
        "S",
        "--ref",
        "r2",
        "--target-id",
        "tab-3",
    ])
    .unwrap();
    let Command::DomText(d) = cli.command else {
        panic!("not dom-text")
    };
    assert_eq!(d.scope.target.target_id.as_deref(), Some("tab-3"));
    for name in ["targets-list", "target-use", "target-new", "target-close"] {
        assert!(
            parse(&[name, "--help"]).is_err(),
            "{name} exists (help is an Err in try_parse)"
        );
    }
    assert!(parse(&["targets-list", "--session-id", "S", "--include-urls"]).is_ok());
    assert!(parse(&["target-use", "--session-id", "S", "--target-id", "tab-1"]).is_ok());
}

#[test]
fn run_maps_clap_errors_to_exit_codes() {
    assert_eq!(run(["opendevbrowser", "--version"]), 0);
    assert_eq!(run(["opendevbrowser", "goto"]), 1);
    assert_eq!(
        run([
            "opendevbrowser",
            "snapshot",
            "--session-id",
            "S",
            "--max-chars",
            "0x10"
        ]),
        1
    );
}
