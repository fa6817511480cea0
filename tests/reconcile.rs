//! `--model reconcile` through the binary: bad input, the lasso in text and JSON, the measure's
//! extremes, and the same verdicts with symmetry reduction on and off.

mod common;

use common::{assert_bad_input, kcheck};
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let mut all = vec!["verify", "--model", "reconcile", "--format", "json", "-q"];
    all.extend_from_slice(args);
    let (_, out, err) = kcheck(&all);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
}

fn result<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["property"] == name)
        .unwrap_or_else(|| panic!("{name} in {v}"))
}

#[test]
fn bad_reconcile_input_is_one_line_and_exit_2() {
    let r = ["verify", "--model", "reconcile"];
    let with = |extra: &[&'static str]| [&r[..], extra].concat();
    assert_bad_input(&with(&["--workers", "0"]), "workers must be 1 to 5 (got 0)");
    assert_bad_input(
        &with(&["--node-monitor-grace-period", "5s"]),
        "node-monitor-grace-period 5s is shorter than the kubelet's heartbeat 10s",
    );
    assert_bad_input(
        &with(&["--replicas", "4", "--capacity", "1"]),
        "4 replicas never fit: 3 matching workers hold 1 pods each (capacity)",
    );
    assert_bad_input(
        &with(&["--replicas", "4", "--anti-affinity"]),
        "one replica each (anti-affinity)",
    );
    assert_bad_input(&with(&["--disable-eviction"]), "add --drain");
    assert_bad_input(
        &with(&["--pre-vote"]),
        "pre-vote is not a setting of --model reconcile",
    );
    assert_bad_input(
        &with(&["--tick", "3s"]),
        "not a whole number of 3000ms ticks",
    );
    assert_bad_input(
        &["verify", "--workers", "3"],
        "workers is a setting of --model reconcile",
    );
    assert_bad_input(
        &["verify", "--model", "lb", "--drain"],
        "drain is a setting of --model reconcile",
    );
    assert_bad_input(
        &["table", "--model", "reconcile"],
        "--model raft or cluster (got reconcile)",
    );
}

/// With the control plane down, the crashed worker's pods are never replaced: a lasso whose
/// cycle is time passing, in JSON (`cycle_start`) and in the text (`↻`).
#[test]
fn an_outage_shows_a_lasso() {
    let v = json(&["--worker-crash", "1", "--control-plane-outage"]);
    let r = result(&v, "pods-rescheduled-after-node-failure");
    assert_eq!(r["verdict"], "violated");
    let start = r["cycle_start"].as_u64().expect("a lasso") as usize;
    let trace = r["trace"].as_array().expect("trace");
    assert!(start < trace.len());
    assert!(trace[start]["action"]
        .as_str()
        .unwrap()
        .contains("every master goes down"));
    assert!(trace[start + 1..]
        .iter()
        .all(|t| t["action"].as_str().unwrap().ends_with("passes")));
    let (code, out, _) = kcheck(&[
        "verify",
        "models/reconcile-control-plane-outage.toml",
        "--property",
        "pods-rescheduled-after-node-failure",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("↻ the cycle starts at this state"), "{out}");
    // The kubelet restarts a crashed container all the same.
    let (code, out, _) = kcheck(&["verify", "models/reconcile-pod-crash-outage.toml"]);
    assert_eq!(code, 0, "{out}");
}

/// The measure's two extremes are behaviours: the fastest crash comes 9 s after a lease
/// renewal, the slowest right after one.
#[test]
fn reschedule_time_comes_with_its_extreme_behaviours() {
    let v = json(&["--worker-crash", "1", "--property", "reschedule-time"]);
    let r = result(&v, "reschedule-time");
    assert_eq!(
        (r["min"].as_u64(), r["max"].as_u64()),
        (Some(342_000), Some(355_000))
    );
    let crash = |t: &Value| {
        t.as_array()
            .unwrap()
            .iter()
            .map(|s| s["action"].as_str().unwrap().to_string())
            .find(|a| a.contains("crashes"))
            .expect("a crash")
    };
    assert!(crash(&r["trace_min"]).contains("last renewed 9s before"));
    assert!(crash(&r["trace_max"]).contains("just renewed"));
}

#[test]
fn symmetry_changes_counts_not_verdicts() {
    for scenario in [
        "models/reconcile-worker-crash.toml",
        "models/reconcile-no-headroom.toml",
        "models/reconcile-drain-blocked.toml",
    ] {
        let run = |extra: &[&str]| {
            let mut args = vec!["verify", scenario, "--format", "json", "-q"];
            args.extend_from_slice(extra);
            let (_, out, _) = kcheck(&args);
            let v: Value = serde_json::from_str(&out).expect("json");
            let verdicts: Vec<(String, String)> = v["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["property"].as_str().unwrap().to_string(),
                        format!("{} {} {}", r["verdict"], r["min"], r["max"]),
                    )
                })
                .collect();
            (verdicts, v["stats"]["states"].as_u64().unwrap())
        };
        let (on, on_states) = run(&[]);
        let (off, off_states) = run(&["--no-symmetry"]);
        assert_eq!(on, off, "{scenario}");
        assert!(
            on_states < off_states,
            "{scenario}: {on_states} vs {off_states}"
        );
    }
}
