//! What the WAL fsync protects (`--crash-loses-unsynced`, etcd's `--unsafe-no-fsync`): in the
//! shipped scenario a leader commits a write, crashes before it reached the disk, and wins again
//! without it; with fsync every safety property holds. The flag and the scenario field mean the
//! same, and a scenario with nothing to crash is refused.

mod common;

use kcheck::scenario::Scenario;

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/no-fsync.toml");

/// The verdict label, the reason and the trace's changes in words, for one property.
fn verdict(s: &Scenario, property: &str) -> (&'static str, String, Vec<String>) {
    let d = common::decide(s, property);
    (d.verdict, d.why, d.changes)
}

fn shipped() -> Scenario {
    Scenario::from_file(std::path::Path::new(SHIPPED)).expect("a shipped scenario")
}

fn with_fsync(s: &Scenario) -> Scenario {
    Scenario {
        crash_loses_unsynced: false,
        ..s.clone()
    }
}

#[test]
fn an_acknowledged_write_is_lost_without_fsync_and_kept_with_it() {
    let s = shipped();
    assert!(s.crash_loses_unsynced);
    let text = std::fs::read_to_string(SHIPPED).unwrap();
    assert!(
        text.starts_with("# What breaks") && text.contains("no-split-brain VIOLATED"),
        "{SHIPPED}: its first comment says what breaks"
    );
    let (v, why, changes) = verdict(&s, "no-split-brain");
    assert_eq!(v, "violated");
    assert!(why.contains("committed [t1:w1]"), "{why}");
    // The trace says what the crash lost, and that it was never fsynced; the write was
    // acknowledged before.
    let acked = changes
        .iter()
        .position(|c| c == "write w1 is committed and acknowledged to the client")
        .expect("the write is acknowledged");
    let lost = changes
        .iter()
        .position(|c| c.contains("crashes and loses [t1:w1], never fsynced"))
        .expect("the crash loses it");
    assert!(acked < lost, "{changes:?}");
    let (v, why, _) = verdict(&s, "committed-writes-durable");
    assert_eq!(v, "violated");
    assert!(why.contains("write w1 was acknowledged"), "{why}");
    // With fsync, the same scenario keeps every safety property.
    for invariant in [
        "single-leader-per-term",
        "no-split-brain",
        "log-matching",
        "leader-completeness",
        "committed-writes-durable",
    ] {
        assert_eq!(
            verdict(&with_fsync(&s), invariant).0,
            "holds",
            "{invariant}"
        );
    }
}

#[test]
fn a_follower_that_loses_a_write_leaves_too_few_copies() {
    // Five masters, no restart: the write reaches a quorum of three and is acknowledged, then one
    // of the three crashes and loses it. Four members are still up, but only two hold w1.
    let s = Scenario {
        masters: 5,
        crash_loses_unsynced: true,
        ..Scenario::default()
    };
    let (v, why, _) = verdict(&s, "committed-writes-durable");
    assert_eq!(v, "violated");
    assert!(why.contains("only 2 members still store it"), "{why}");
    assert_eq!(
        verdict(&with_fsync(&s), "committed-writes-durable").0,
        "holds"
    );
}

#[test]
fn the_flag_is_the_scenario_field() {
    let file = std::fs::read_to_string(SHIPPED).unwrap();
    let plain = std::env::temp_dir().join(format!("kcheck-no-fsync-{}.toml", std::process::id()));
    std::fs::write(
        &plain,
        file.lines()
            .filter(|l| !l.starts_with("crash-loses-unsynced"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let plain = plain.to_str().unwrap();
    let by_file = common::kcheck(&["verify", SHIPPED, "--format", "json"]);
    let by_flag = common::kcheck(&[
        "verify",
        plain,
        "--crash-loses-unsynced",
        "--format",
        "json",
    ]);
    let kept = common::kcheck(&["verify", plain]);
    assert_eq!(by_file.0, 1, "{}", by_file.2);
    assert_eq!(by_flag.0, 1, "{}", by_flag.2);
    assert_eq!(kept.0, 0, "{}", kept.1);
    let results = |out: &str| {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        v["results"].clone()
    };
    assert_eq!(results(&by_file.1), results(&by_flag.1));
    let (_, text, _) = common::kcheck(&["verify", SHIPPED]);
    assert!(text.contains("members do not fsync"), "{text}");
    let scenario_line = kept.1.lines().next().unwrap_or_default();
    assert!(!scenario_line.contains("fsync"), "{scenario_line}");
}

#[test]
fn without_crashes_there_is_nothing_to_lose() {
    common::assert_bad_input(
        &["verify", "--crash-loses-unsynced", "--crash", "0"],
        "crash-loses-unsynced needs crashes: set crash to 1 or more",
    );
    // A partition alone means no crash.
    common::assert_bad_input(
        &["verify", "--crash-loses-unsynced", "--partition"],
        "crash-loses-unsynced needs crashes",
    );
    common::assert_bad_input(&["verify", SHIPPED, "--crash", "0"], "needs crashes");
}

#[test]
fn the_help_names_etcds_flag() {
    let (code, out, _) = common::kcheck(&["verify", "--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("--crash-loses-unsynced") && out.contains("--unsafe-no-fsync"),
        "{out}"
    );
}
