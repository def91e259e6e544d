//! Text output of the diagnostics, named-page and cookie commands, and their JSON / stream-json shapes.

use serde_json::{json, Value};

use super::*;
use crate::output::{render_success, Outcome, OutputFormat};

#[test]
fn dialog_text_shows_state_and_handling() {
    assert_eq!(
        diag_cmds::dialog_text(&json!({"dialog":{"open":false}})),
        "dialog: none"
    );
    assert_eq!(diag_cmds::dialog_text(&json!({})), "dialog: none");
    let open = json!({"dialog":{"open":true,"targetId":"tab-7","type":"prompt","message":"Name?\nReally?",
        "defaultPrompt":"bob","url":"http://a/","openedAt":1}});
    assert_eq!(
        diag_cmds::dialog_text(&open),
        "dialog: prompt \"Name?\\nReally?\" default \"bob\"\nurl: http://a/\ntargetId: tab-7"
    );
    let handled = json!({"dialog":{"open":false,"targetId":"tab-7"},"handled":true});
    assert_eq!(
        diag_cmds::dialog_text(&handled),
        "dialog: none\nhandled: true"
    );
    let alert = json!({"dialog":{"open":true,"type":"alert","message":"Hi","defaultPrompt":""}});
    assert_eq!(diag_cmds::dialog_text(&alert), "dialog: alert \"Hi\"");
}

#[test]
fn console_poll_prints_one_line_per_event_then_next_seq() {
    let data = json!({"events":[
        {"seq":1,"level":"log","text":"hello","ts":10},
        {"seq":2,"level":"error","text":"line1\nline2","ts":11}],"nextSeq":3});
    assert_eq!(
        diag_cmds::console_text(&data),
        "1 log hello\n2 error line1\\nline2\nnextSeq: 3"
    );
    assert_eq!(
        diag_cmds::console_text(&json!({"events":[],"nextSeq":0})),
        "nextSeq: 0"
    );
}

#[test]
fn network_poll_prints_method_status_url_and_type() {
    let data = json!({"events":[
        {"seq":4,"method":"GET","url":"http://a/x.js","status":200,"resourceType":"Script","ts":1},
        {"seq":5,"method":"POST","url":"http://a/api","ts":2}],"nextSeq":6});
    assert_eq!(
        diag_cmds::network_text(&data),
        "4 GET 200 http://a/x.js Script\n5 POST - http://a/api\nnextSeq: 6"
    );
}

#[test]
fn perf_prints_one_metric_per_line() {
    let data =
        json!({"metrics":[{"name":"Nodes","value":42},{"name":"JSHeapUsedSize","value":1.5}]});
    assert_eq!(
        diag_cmds::perf_text(&data),
        "Nodes: 42\nJSHeapUsedSize: 1.5"
    );
    assert_eq!(diag_cmds::perf_text(&json!({"metrics":[]})), "");
}

#[test]
fn pages_text_lists_names_and_targets() {
    let data = json!({"pages":[{"name":"main","targetId":"tab-1","url":"http://a/","title":"A"}]});
    assert_eq!(
        named_page_cmds::pages_text(&data),
        "main  tab-1  A  http://a/"
    );
    let o = Outcome::data(data.clone(), named_page_cmds::pages_text(&data))
        .with_items(data["pages"].as_array().unwrap().clone());
    assert_eq!(
        render_success(&o, OutputFormat::StreamJson, false),
        data["pages"][0].to_string()
    );
    let v: Value = serde_json::from_str(&render_success(&o, OutputFormat::Json, false)).unwrap();
    assert_eq!(v["pages"], data["pages"]);
    assert_eq!(v["success"], true);
}

#[test]
fn cookie_texts() {
    let data = json!({"requestId":"q","imported":1,"rejected":[{"index":1,"reason":"bad domain"}]});
    assert_eq!(
        cookie_cmds::import_text(&data),
        "imported: 1\nrejected #1: bad domain"
    );
    let data = json!({"cookies":[
        {"name":"sid","value":"1","domain":"a","path":"/","expires":-1,"httpOnly":true,"secure":false,"sameSite":"Lax"},
        {"name":"p","value":"2","domain":".b","path":"/x","expires":1900000000.5,"httpOnly":false,"secure":true}],
        "count":2});
    assert_eq!(
        cookie_cmds::cookies_text(&data),
        "sid=1  a / httpOnly sameSite=Lax\np=2  .b /x secure expires=1900000000.5"
    );
    assert_eq!(
        cookie_cmds::cookies_text(&json!({"cookies":[],"count":0})),
        "(no cookies)"
    );
}

#[test]
fn rpc_and_export_text() {
    assert_eq!(
        rpc_cmds::rpc_text(&json!({"pages":[]})),
        "{\n  \"pages\": []\n}"
    );
    let d =
        json!({"capture":{"html":"<p>x</p>","styles":"p{}","warnings":[],"inlineStyles":false}});
    let o = Outcome::data(d.clone(), export_cmds::capture_text(&d));
    assert_eq!(render_success(&o, OutputFormat::Text, true), "<p>x</p>");
    let v: Value = serde_json::from_str(&render_success(&o, OutputFormat::Json, false)).unwrap();
    assert_eq!(v["capture"], d["capture"]);
}
