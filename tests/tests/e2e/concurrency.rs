//! Multi-tab and concurrency in a real browser (issue 3): two tabs of one session driven alternately stay attached
//! (the runtime's attach log shows one attach each and no detach), and the parallel cap of a session's policy answers
//! `parallelism_backpressure` across targets, then recovers.

use std::time::Duration;

use odb_e2e::env::{ref_of, TestEnv};
use odb_e2e::ops::RawOps;
use serde_json::{json, Value};

fn snapshot_of(env: &TestEnv, sid: &str, target: &str) -> String {
    let out = env.session(sid, &["snapshot", "--target-id", target]);
    out["content"].as_str().expect("content").to_string()
}

#[test]
fn two_tabs_alternate_twenty_times_without_reattach() {
    let env = TestEnv::paired();
    let sid = env.launch("login.html");
    let a = env.daemon.json(&["status", "--session-id", &sid])["activeTargetId"]
        .as_str()
        .unwrap()
        .to_string();
    let b = env.session(
        &sid,
        &["target-new", "--url", &env.fixtures.url("login.html")],
    )["targetId"]
        .as_str()
        .unwrap()
        .to_string();
    let ra = ref_of(&snapshot_of(&env, &sid, &a), "textbox \"Email\"");
    let rb = ref_of(&snapshot_of(&env, &sid, &b), "textbox \"Email\"");

    for i in 0..20 {
        for (target, r, tag) in [(&a, &ra, "a"), (&b, &rb, "b")] {
            if i % 5 == 0 {
                env.session(&sid, &["target-use", "--target-id", target]);
            }
            let text = format!("{tag}{i}@example.com");
            env.session(
                &sid,
                &[
                    "type",
                    "--target-id",
                    target,
                    "--ref",
                    r,
                    "--text",
                    &text,
                    "--clear",
                ],
            );
            let value = env.session(&sid, &["dom-value", "--target-id", target, "--ref", r]);
            assert_eq!(value["value"], text.as_str(), "round {i} on {target}");
        }
    }

    let status = env.daemon.json(&["status", "--session-id", &sid]);
    let log = status["attachLog"].as_array().expect("attachLog").clone();
    let of = |t: &str| -> Vec<Value> {
        log.iter()
            .filter(|e| e["targetId"] == t)
            .map(|e| e["event"].clone())
            .collect()
    };
    assert_eq!(of(&a), vec![json!("attach")], "tab A log: {log:?}");
    assert_eq!(of(&b), vec![json!("attach")], "tab B log: {log:?}");
}

#[test]
fn parallel_cap_gives_backpressure_across_targets_then_recovers() {
    let env = TestEnv::paired();
    let mut ops = RawOps::connect(env.daemon.relay_port, &env.daemon.relay_token());
    let lease = Some("lease-p");
    let started = ops
        .request(
            None,
            lease,
            "session.connect",
            json!({"startUrl": env.fixtures.url("login.html"), "parallelismPolicy": {
                "modeCaps": {"extensionOpsHeaded": 1}, "backpressureTimeoutMs": 300
            }}),
        )
        .expect("connect");
    let sid = started["opsSessionId"].as_str().unwrap().to_string();
    let a = started["activeTargetId"].as_str().unwrap().to_string();
    let b = ops.new_target(&sid, lease, &env.fixtures.url("login.html"));
    let snap = |ops: &mut RawOps, t: &str| {
        ops.request(Some(&sid), lease, "nav.snapshot", json!({"targetId": t}))
            .expect("snapshot")["content"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let ra = ref_of(&snap(&mut ops, &a), "textbox \"Email\"");
    let rb = ref_of(&snap(&mut ops, &b), "textbox \"Email\"");

    // A holds the session's only slot for 3 s (waiting for a visible element to hide).
    let hold = ops.send(
        None,
        Some(&sid),
        lease,
        "nav.wait",
        json!({"targetId": a, "ref": ra, "state": "hidden", "timeoutMs": 3000}),
    );
    std::thread::sleep(Duration::from_millis(200));
    let err = ops
        .request(
            Some(&sid),
            lease,
            "dom.getValue",
            json!({"targetId": b, "ref": rb}),
        )
        .expect_err("no slot for B");
    assert_eq!(err["code"], "parallelism_backpressure", "{err}");
    assert_eq!(err["retryable"], true);
    assert_eq!(err["details"]["targetId"], b.as_str());
    assert_eq!(err["details"]["effectiveParallelCap"], 1);
    assert_eq!(err["details"]["inFlight"], 1);
    assert_eq!(err["details"]["timeoutMs"], 300);
    // Session-queue commands need no slot.
    ops.request(Some(&sid), lease, "targets.list", json!({}))
        .expect("targets.list while the slot is held");

    let held = ops
        .answer(&hold, Duration::from_secs(10))
        .expect_err("the element never hides");
    assert_eq!(held["code"], "timeout", "{held}");
    let value = ops
        .request(
            Some(&sid),
            lease,
            "dom.getValue",
            json!({"targetId": b, "ref": rb}),
        )
        .expect("B runs once the slot is free");
    assert_eq!(value["value"], "");
}

/// A result over 12 MiB (SECURITY.md C10) leaves the extension as `ops_chunk` messages and arrives intact.
#[test]
fn a_result_over_12_mib_arrives_in_chunks_intact() {
    let env = TestEnv::paired();
    let mut ops = RawOps::connect(env.daemon.relay_port, &env.daemon.relay_token());
    let lease = Some("lease-big");
    let started = ops
        .request(
            None,
            lease,
            "session.connect",
            json!({"startUrl": env.fixtures.url("big.html")}),
        )
        .expect("connect");
    let sid = started["opsSessionId"].as_str().unwrap().to_string();
    let snap = ops
        .request(Some(&sid), lease, "nav.snapshot", json!({}))
        .expect("snapshot")["content"]
        .as_str()
        .unwrap()
        .to_string();
    let main = ref_of(&snap, "main \"Big result\"");
    let id = ops.send(
        None,
        Some(&sid),
        lease,
        "dom.getHtml",
        json!({"ref": main, "maxChars": 20_000_000}),
    );
    let header = ops
        .wait_for(Duration::from_secs(60), |m| {
            m["requestId"] == id.as_str() && m["type"] == "ops_response"
        })
        .expect("response header");
    assert_eq!(header["chunked"], true, "over 12 MiB must be chunked");
    let total = header["totalChunks"].as_u64().unwrap();
    assert!(total >= 2, "{header}");
    let payload_id = header["payloadId"].as_str().unwrap().to_string();
    let mut parts = vec![String::new(); total as usize];
    for i in 0..total {
        let chunk = ops
            .wait_for(Duration::from_secs(60), |m| {
                m["type"] == "ops_chunk"
                    && m["payloadId"] == payload_id.as_str()
                    && m["chunkIndex"] == i
            })
            .unwrap_or_else(|| panic!("chunk {i} of {total}"));
        parts[i as usize] = chunk["data"].as_str().unwrap().to_string();
    }
    let joined: Value = serde_json::from_str(&parts.concat()).expect("chunks join into JSON");
    let html = joined["outerHTML"].as_str().unwrap();
    assert_eq!(joined["truncated"], false);
    assert_eq!(html.matches("0123456789").count(), 1_400_000);
    assert!(html.starts_with("<main"), "{}", &html[..80]);

    // The same result through the daemon (its /ops client reassembles the chunks).
    let sid2 = env.launch("big.html");
    let snap2 = env.snapshot(&sid2, "outline");
    let main2 = ref_of(&snap2, "main \"Big result\"");
    let via_daemon = env
        .command(
            &sid2,
            "dom.getHtml",
            json!({"ref": main2, "maxChars": 20_000_000}),
        )
        .expect("daemon reassembles");
    assert_eq!(
        via_daemon["outerHTML"]
            .as_str()
            .unwrap()
            .matches("0123456789")
            .count(),
        1_400_000
    );
}
