//! Every etcd safety rule `--unsafe` can remove earns its keep: its shipped scenario in
//! `models/` keeps every safety property with the rule and violates one without it, and the flag
//! and the scenario field mean the same.

mod common;

use kcheck::check::{verify, Options};
use kcheck::scenario::{Scenario, UnsafeRule};

/// The property each rule protects in its shipped scenario: the verdict that flips.
fn protects(rule: UnsafeRule) -> &'static str {
    match rule {
        UnsafeRule::VoteLogCheck => "committed-writes-durable",
        UnsafeRule::PersistTermVote => "single-leader-per-term",
        UnsafeRule::CheckQuorum | UnsafeRule::PreVoteLease | UnsafeRule::VoteLease => {
            "no-disruptive-rejoin"
        }
        UnsafeRule::CurrentTermCommit => "committed-writes-durable",
        UnsafeRule::LogConsistencyCheck => "no-split-brain",
        UnsafeRule::TruncateOnConflictOnly => "committed-writes-durable",
        UnsafeRule::StrictReconfig => "write-availability",
        UnsafeRule::ReconfigGuard => "no-split-brain",
    }
}

/// The rules whose shipped scenario is too large for every gate the tests run (7.3 million
/// states). Their scenario sits in `models/slow/` (gated once per CI run); the model's unit
/// tests replay its trace with the rule and without it
/// (`membership::tests::the_reconfiguration_guard_prevents_the_2015_bug`), and
/// `tests/recovery.rs` decides its safety invariants on both sides.
fn slow(rule: UnsafeRule) -> bool {
    rule == UnsafeRule::ReconfigGuard
}

/// Raft's safety invariants (a disruptive rejoin is legal Raft: it is what the lease rules'
/// scenarios show, and it holds or not with every other rule kept).
const INVARIANTS: [&str; 5] = [
    "single-leader-per-term",
    "no-split-brain",
    "log-matching",
    "leader-completeness",
    "committed-writes-durable",
];

fn shipped(rule: UnsafeRule) -> (String, Scenario) {
    let path = format!(
        "{}/models/{}unsafe-{}.toml",
        env!("CARGO_MANIFEST_DIR"),
        if slow(rule) { "slow/" } else { "" },
        rule.name()
    );
    let scenario = Scenario::from_file(std::path::Path::new(&path)).expect("a shipped scenario");
    (path, scenario)
}

fn verdict(s: &Scenario, property: &str) -> (&'static str, String) {
    let d = common::decide(s, property);
    (d.verdict, d.why)
}

/// Each property's name and verdict, from one exploration (reports list them in catalogue
/// order, whatever the order asked).
fn named_verdicts(s: &Scenario, properties: &[&str]) -> Vec<(&'static str, &'static str)> {
    let options = Options {
        properties: properties.iter().map(|p| p.to_string()).collect(),
        max_states: 20_000_000,
        timeout: None,
        progress: false,
    };
    let report = verify(s, &options).expect("valid");
    let named: Vec<_> = report
        .results
        .iter()
        .map(|r| (r.property, r.verdict.label()))
        .collect();
    assert_eq!(named.len(), properties.len());
    named
}

#[test]
fn each_rule_flips_a_verdict_in_its_shipped_scenario() {
    for rule in UnsafeRule::ALL.into_iter().filter(|&r| !slow(r)) {
        flips_a_verdict(rule);
    }
}

#[test]
fn a_slow_rule_has_its_scenario_gated() {
    for rule in UnsafeRule::ALL.into_iter().filter(|&r| slow(r)) {
        let (path, scenario) = shipped(rule);
        assert_eq!(scenario.unsafe_rules, [rule], "{path}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# What breaks") && text.contains(protects(rule)));
        let gate = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/properties/slow/reconfig-guard.toml"
        ))
        .unwrap();
        assert!(
            gate.contains(&format!("unsafe-{}.toml", rule.name()))
                && gate.contains(&format!("property = \"{}\"", protects(rule)))
                && gate.contains("expect = \"violated\""),
            "{gate}"
        );
    }
}

fn flips_a_verdict(rule: UnsafeRule) {
    let (path, without_rule) = shipped(rule);
    assert_eq!(
        without_rule.unsafe_rules,
        [rule],
        "{path} removes just its rule"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("# What breaks") && text.contains(protects(rule)),
        "{path}: its first comment says what breaks"
    );
    let property = protects(rule);
    let (v, why) = verdict(&without_rule, property);
    assert_eq!(v, "violated", "{path}: {property} without {}", rule.name());
    assert!(!why.is_empty());
    let with_rule = Scenario {
        unsafe_rules: Vec::new(),
        ..without_rule.clone()
    };
    // With the rule kept, every safety invariant of the scenario holds (and so does the
    // property the rule protects).
    let mut wanted = INVARIANTS.to_vec();
    if !wanted.contains(&property) {
        wanted.push(property);
    }
    for (name, v) in named_verdicts(&with_rule, &wanted) {
        assert_eq!(v, "holds", "{path}: {name} with {}", rule.name());
    }
}

#[test]
fn the_flag_is_the_scenario_field() {
    for rule in UnsafeRule::ALL.into_iter().filter(|&r| !slow(r)) {
        let (path, _) = shipped(rule);
        let by_file = common::kcheck(&["verify", &path, "--format", "json"]);
        let file = std::fs::read_to_string(&path).unwrap();
        let plain = std::env::temp_dir().join(format!(
            "kcheck-unsafe-{}-{}.toml",
            rule.name(),
            std::process::id()
        ));
        std::fs::write(
            &plain,
            file.lines()
                .filter(|l| !l.starts_with("unsafe"))
                .collect::<Vec<_>>()
                .join("\n"),
        )
        .unwrap();
        let plain = plain.to_str().unwrap();
        let by_flag =
            common::kcheck(&["verify", plain, "--unsafe", rule.name(), "--format", "json"]);
        let kept = common::kcheck(&["verify", plain, "--format", "json"]);
        assert_eq!(by_file.0, 1, "{}", by_file.2);
        assert_eq!(by_flag.0, 1, "{}", by_flag.2);
        let kept_json: serde_json::Value = serde_json::from_str(&kept.1).unwrap();
        let kept_verdict = kept_json["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["property"] == protects(rule))
            .map(|r| r["verdict"].clone());
        assert_eq!(kept_verdict, Some("holds".into()), "{}", rule.name());
        let results = |out: &str| {
            let v: serde_json::Value = serde_json::from_str(out).unwrap();
            v["results"].clone()
        };
        assert_eq!(results(&by_file.1), results(&by_flag.1), "{}", rule.name());
        let text = common::kcheck(&["verify", plain, "--unsafe", rule.name()]).1;
        if rule == UnsafeRule::PersistTermVote {
            // The trace says what the crash keeps and what the restart forgets.
            assert!(
                text.contains("term and vote are not persisted")
                    && text.contains("forgets its vote"),
                "{text}"
            );
            assert!(!text.contains("keeps term, vote"), "{text}");
        }
        assert!(
            text.contains(&format!("UNSAFE without {}", rule.name())),
            "the scenario line says what was removed: {text}"
        );
    }
}

#[test]
fn unknown_rules_are_refused() {
    common::assert_bad_input(
        &["verify", "--unsafe", "no-such-rule"],
        "possible values: vote-log-check, persist-term-vote, check-quorum, pre-vote-lease, vote-lease, current-term-commit",
    );
    let bad = std::env::temp_dir().join(format!("kcheck-unsafe-bad-{}.toml", std::process::id()));
    std::fs::write(&bad, "masters = 3\nunsafe = [\"no-such-rule\"]\n").unwrap();
    common::assert_bad_input(&["verify", bad.to_str().unwrap()], "unknown variant");
}

#[test]
fn list_names_every_rule() {
    let (code, out, _) = common::kcheck(&["list"]);
    assert_eq!(code, 0);
    for rule in UnsafeRule::ALL {
        assert!(
            out.contains(rule.name()) && out.contains(rule.meaning()),
            "{out}"
        );
    }
}
