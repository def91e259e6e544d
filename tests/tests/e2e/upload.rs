//! `upload` in a real browser: straight onto an `<input type=file>` (`direct_input`), and through the file
//! chooser a button opens (`file_chooser`). The page reads every file with FileReader and shows its name, size
//! and first line, so the test proves the content arrived; typed errors for bad input and a missing chooser.

use std::path::PathBuf;
use std::time::Duration;

use odb_e2e::env::{nth_ref, ref_of, TestEnv};
use serde_json::json;

fn write(env: &TestEnv, name: &str, content: &str) -> PathBuf {
    let path = env.dir.path().join(name);
    std::fs::write(&path, content).expect("write upload file");
    path
}

#[test]
fn upload_through_a_file_input_and_through_a_file_chooser() {
    let env = TestEnv::paired();
    let notes = write(&env, "notes.txt", "alpha line\nsecond line\n");
    let data = write(&env, "data.csv", "a,b,c\n1,2,3\n4,5,6\n");
    let sid = env.launch("upload.html");
    let snap = env.snapshot(&sid, "outline");
    println!("{snap}");
    let direct_out = nth_ref(&snap, "paragraph", 0);
    let chooser_out = nth_ref(&snap, "paragraph", 1);

    // A file input gets the files directly (CLI verb; the page's change handler fires once).
    let input = ref_of(&snap, "\"Document\"");
    let out = env.session(
        &sid,
        &[
            "upload",
            "--ref",
            &input,
            "--files",
            notes.to_str().unwrap(),
        ],
    );
    assert_eq!(out["mode"], "direct_input", "{out}");
    assert_eq!(out["fileCount"], 1, "{out}");
    assert!(
        out["targetId"]
            .as_str()
            .unwrap_or_default()
            .starts_with("tab-"),
        "{out}"
    );
    env.wait_text_eq(
        &sid,
        &direct_out,
        "Direct: notes.txt 23 bytes alpha line (changes: 1)",
    );

    // A button that opens a hidden input's picker: the chooser is intercepted and gets both files.
    let button = ref_of(&snap, "button \"Choose files\"");
    let out = env
        .command(
            &sid,
            "interact.upload",
            json!({"ref": button, "files": [notes.to_str().unwrap(), data.to_str().unwrap()]}),
        )
        .expect("chooser upload");
    assert_eq!(out["mode"], "file_chooser", "{out}");
    assert_eq!(out["fileCount"], 2, "{out}");
    env.wait_text_eq(
        &sid,
        &chooser_out,
        "Chooser: notes.txt 23 bytes alpha line | data.csv 18 bytes a,b,c (changes: 1)",
    );

    // Typed errors: no files, a relative path, and an element that opens no chooser within 8 s.
    let empty = env
        .command(&sid, "interact.upload", json!({"ref": input, "files": []}))
        .unwrap_err();
    assert_eq!(
        empty,
        "[invalid_request] Missing files: give at least one absolute file path."
    );
    let relative = env
        .command(
            &sid,
            "interact.upload",
            json!({"ref": input, "files": ["notes.txt"]}),
        )
        .unwrap_err();
    assert_eq!(
        relative,
        "[invalid_request] File paths must be absolute: notes.txt"
    );
    let started = std::time::Instant::now();
    let none = env
        .command(
            &sid,
            "interact.upload",
            json!({"ref": direct_out, "files": [notes.to_str().unwrap()]}),
        )
        .unwrap_err();
    assert_eq!(
        none,
        format!("[timeout] No file chooser opened within 8000 ms after clicking {direct_out}.")
    );
    assert!(
        started.elapsed() >= Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    env.wait_text_eq(
        &sid,
        &direct_out,
        "Direct: notes.txt 23 bytes alpha line (changes: 1)",
    );
}
