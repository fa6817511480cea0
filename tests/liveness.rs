//! Liveness as a user meets it: a lasso in the text and the JSON, with its cycle marked and
//! replayable, a verdict that holds, and a liveness property asked of a configuration that
//! declares no fairness.

mod common;

use common::{assert_bad_input, kcheck};
use serde_json::Value;

fn result(args: &[&str]) -> Value {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    all.extend([
        "--property",
        "leader-eventually-elected",
        "--format",
        "json",
    ]);
    let (_, out, err) = kcheck(&all);
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|_| panic!("{out}{err}"));
    report["results"][0].clone()
}

#[test]
fn two_masters_campaign_for_ever_in_a_lasso() {
    let r = result(&["--masters", "2"]);
    assert_eq!(r["kind"], "liveness");
    assert_eq!(r["verdict"], "violated");
    let trace = r["trace"].as_array().expect("a trace");
    let start = r["cycle_start"].as_u64().expect("cycle_start") as usize;
    assert!(start < trace.len() - 1, "the cycle has a step");
    // The cycle's steps are election timeouts of the one member left.
    for step in &trace[start + 1..] {
        let action = step["action"].as_str().expect("action");
        assert!(action.contains("election timeout fires"), "{action}");
    }
    let (code, text, _) = kcheck(&[
        "verify",
        "--masters",
        "2",
        "--property",
        "leader-eventually-elected",
    ]);
    assert_eq!(code, 1);
    assert!(text.contains("a lasso of"), "{text}");
    assert!(text.contains("↻ the cycle starts at this state"), "{text}");
}

#[test]
fn three_masters_elect_a_leader_after_a_crash() {
    let r = result(&["--masters", "3"]);
    assert_eq!(r["verdict"], "holds");
    assert!(r.get("cycle_start").is_none());
    assert!(r["claim"].as_str().expect("claim").contains("liveness"));
}

#[test]
fn liveness_needs_declared_fairness() {
    assert_bad_input(
        &[
            "verify",
            "--network",
            "messages",
            "--property",
            "leader-eventually-elected",
        ],
        "declares no fair steps",
    );
}
