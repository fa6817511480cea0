//! The seed's recovery options on two and three masters that lost their quorum, as shipped in
//! `models/recovery-*.toml`: each option's verdicts pinned, traces that read like runbooks, the
//! switches that change membership (`--config-on-append`, `--unsafe strict-reconfig`), and the
//! input refused.

mod common;

use kcheck::check::{verify, Options};
use kcheck::scenario::Scenario;

fn shipped(name: &str) -> (String, Scenario) {
    let path = format!("{}/models/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let s = Scenario::from_file(std::path::Path::new(&path)).expect("a shipped scenario");
    (path, s)
}

/// Every verdict of a scenario, by property.
fn verdicts(s: &Scenario) -> Vec<(&'static str, &'static str)> {
    these_verdicts(s, &[])
}

/// The verdicts of some properties (all with none named), by property.
fn these_verdicts(s: &Scenario, properties: &[&str]) -> Vec<(&'static str, &'static str)> {
    let options = Options {
        properties: properties.iter().map(|p| p.to_string()).collect(),
        max_states: 10_000_000,
        timeout: None,
        progress: false,
    };
    let report = verify(s, &options).expect("valid");
    report
        .results
        .iter()
        .map(|r| (r.property, r.verdict.label()))
        .collect()
}

fn verdict_of(s: &Scenario, property: &str) -> &'static str {
    verdicts(s)
        .into_iter()
        .find(|(p, _)| *p == property)
        .unwrap_or_else(|| panic!("{property} decided"))
        .1
}

/// What each option achieves: writes back (recovery-restores-writes) and writes kept
/// (committed-writes-durable), for two and three masters that lost their quorum.
#[test]
fn each_recovery_option_on_two_and_three_masters() {
    // (option, writes come back, acknowledged writes kept)
    let expected = [
        ("member-add", false, true),
        ("learner-add", false, true),
        ("member-remove", false, true),
        ("force-new-cluster", true, false),
        ("snapshot-restore", true, false),
    ];
    for size in ["two", "three"] {
        for (option, restores, keeps) in expected {
            let (path, s) = shipped(&format!("recovery-{option}-{size}-masters"));
            let v = verdicts(&s);
            let get = |p: &str| v.iter().find(|(n, _)| *n == p).expect(p).1;
            let label = |b: bool| if b { "holds" } else { "violated" };
            assert_eq!(get("recovery-restores-writes"), label(restores), "{path}");
            assert_eq!(get("committed-writes-durable"), label(keeps), "{path}");
            // Writes come back for good only where the option restores them.
            assert_eq!(get("write-availability"), label(restores), "{path}");
        }
        // Fixing the failed masters (they restart with their data) brings writes back and
        // loses nothing.
        let (path, s) = shipped(&format!("recovery-fix-failed-{size}-masters"));
        for (p, v) in verdicts(&s) {
            if p != "failover-possible" && p != "no-disruptive-rejoin" {
                assert_eq!(v, "holds", "{path}: {p}");
            }
        }
    }
}

/// force-new-cluster and restore reuse the revisions of the writes they lose; membership
/// changes never do.
#[test]
fn revisions_are_reused_after_force_new_cluster() {
    let (path, s) = shipped("recovery-force-new-cluster-two-masters");
    assert_eq!(
        s.writes, 2,
        "{path}: two writes, so a lost one's revision is given again"
    );
    let d = common::decide(&s, "revisions-never-reused");
    assert_eq!(d.verdict, "violated");
    assert!(d.why.contains("revision 1 names two writes"), "{}", d.why);
    let (_, s) = shipped("recovery-member-remove-three-masters");
    assert_eq!(verdict_of(&s, "revisions-never-reused"), "holds");
}

/// The trace of a lost write reads like a runbook: the operator's command, what the cluster
/// can do after it, and the acknowledged write that is lost.
#[test]
fn traces_read_like_runbooks() {
    let (path, _) = shipped("recovery-force-new-cluster-two-masters");
    let (code, out, err) =
        common::kcheck(&["verify", &path, "--property", "committed-writes-durable"]);
    assert_eq!(code, 1, "{err}");
    for words in [
        "operator: restarts m2 with etcd --force-new-cluster",
        "the cluster now:",
        "m2 now uses configuration {m2}",
        "write w1 was acknowledged but {m2} does not store it",
        "operator may run force-new-cluster",
    ] {
        assert!(out.contains(words), "{words}: {out}");
    }
    let (path, _) = shipped("unsafe-strict-reconfig");
    let (_, out, _) = common::kcheck(&["verify", &path, "--property", "write-availability"]);
    assert!(out.contains("etcdctl member remove"), "{out}");
    assert!(out.contains("cannot gather a quorum of {"), "{out}");
    // The Mermaid diagram draws the operator's commands.
    let (_, out, _) = common::kcheck(&[
        "verify",
        &path,
        "--format",
        "mermaid",
        "--property",
        "write-availability",
    ]);
    assert!(
        out.contains("Operator->>") && out.contains("etcdctl member remove"),
        "{out}"
    );
}

/// etcd uses a configuration once applied; the Raft dissertation once appended. On two masters
/// with one dead, removing it brings writes back only in the second.
#[test]
fn config_on_append_changes_what_a_removal_can_do() {
    let (path, on_append) = shipped("config-on-append");
    assert!(on_append.config_on_append, "{path}");
    assert_eq!(verdict_of(&on_append, "recovery-restores-writes"), "holds");
    let on_apply = Scenario {
        config_on_append: false,
        ..on_append
    };
    assert_eq!(
        verdict_of(&on_apply, "recovery-restores-writes"),
        "violated"
    );
    let (_, shipped_apply) = shipped("recovery-member-remove-two-masters");
    assert_eq!(
        on_apply.raft(),
        shipped_apply.raft(),
        "the etcd twin is the shipped scenario"
    );
    // The flag is the field.
    let (_, by_flag, _) = common::kcheck(&[
        "verify",
        "--masters",
        "2",
        "--crash",
        "1",
        "--recovery",
        "member-remove",
        "--config-on-append",
        "--format",
        "json",
    ]);
    let (_, by_file, _) = common::kcheck(&["verify", &path, "--format", "json"]);
    let results =
        |out: &str| serde_json::from_str::<serde_json::Value>(out).unwrap()["results"].clone();
    assert_eq!(results(&by_flag), results(&by_file));
}

#[test]
fn impossible_recovery_input_is_refused() {
    common::assert_bad_input(
        &["verify", "--recovery", "snapshot-restore", "--writes", "0"],
        "snapshot-restore needs writes to snapshot",
    );
    common::assert_bad_input(
        &["verify", "--recovery", "reboot"],
        "possible values: member-add",
    );
    common::assert_bad_input(
        &["verify", "--unsafe", "reconfig-guard"],
        "--unsafe reconfig-guard speaks of membership changes",
    );
    common::assert_bad_input(
        &[
            "verify",
            "--recovery",
            "force-new-cluster",
            "--unsafe",
            "strict-reconfig",
        ],
        "--unsafe strict-reconfig speaks of membership changes",
    );
    common::assert_bad_input(
        &["verify", "--config-on-append"],
        "config-on-append speaks of membership changes",
    );
    common::assert_bad_input(
        &["verify", "--recovery", "member-remove", "--quorum", "1"],
        "quorum is the majority of each configuration",
    );
    common::assert_bad_input(
        &["verify", "--masters", "7", "--recovery", "member-add"],
        "at most 7 members",
    );
    common::assert_bad_input(
        &["verify", "--recovery", "member-add", "--crash", "0"],
        "recovery actions come after a fault",
    );
    let bad = std::env::temp_dir().join(format!("kcheck-recovery-bad-{}.toml", std::process::id()));
    std::fs::write(&bad, "masters = 3\nrecovery = [\"reboot\"]\n").unwrap();
    common::assert_bad_input(&["verify", bad.to_str().unwrap()], "unknown variant");
}

/// `kcheck list` names every recovery action with what the operator runs.
#[test]
fn list_names_every_recovery_action() {
    let (code, out, _) = common::kcheck(&["list"]);
    assert_eq!(code, 0);
    for action in kcheck::scenario::Recovery::ALL {
        assert!(
            out.contains(action.name()) && out.contains(action.meaning()),
            "{out}"
        );
    }
}

/// Properties of recovery say nothing without a recovery action, and verify leaves them out.
#[test]
fn recovery_properties_need_a_recovery_action() {
    let (code, _, err) = common::kcheck(&["verify", "--property", "recovery-restores-writes"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("add --recovery ACTION"), "{err}");
    let (_, out, _) = common::kcheck(&["verify"]);
    assert!(!out.contains("revisions-never-reused"), "{out}");
}

/// The 2015 single-server membership change bug, both sides exhaustively on the shipped bounds:
/// without the reconfiguration guard two members commit different entries at one index; with
/// it every safety invariant holds.
#[test]
fn the_reconfiguration_guard_keeps_the_2015_scenario_safe() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models/slow/unsafe-reconfig-guard.toml"
    );
    let without = Scenario::from_file(std::path::Path::new(path)).expect("shipped");
    let safety = [
        "single-leader-per-term",
        "no-split-brain",
        "log-matching",
        "leader-completeness",
        "committed-writes-durable",
    ];
    let decided = |s: &Scenario| these_verdicts(s, &safety);
    let broken = decided(&without);
    assert!(
        broken.contains(&("no-split-brain", "violated")),
        "{broken:?}"
    );
    let with = Scenario {
        unsafe_rules: Vec::new(),
        ..without
    };
    for (p, v) in decided(&with) {
        assert_eq!(v, "holds", "{p} with the guard");
    }
}
