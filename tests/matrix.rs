//! The verdict matrix: masters 1..=5 under 0..=2 crashes and under a partition. A write can
//! still commit exactly when the members that stay up and connected can form a quorum; the
//! safety properties hold everywhere with the default quorum.

use kcheck::check::{verify, Options};
use kcheck::report::Report;
use kcheck::scenario::Scenario;

/// Asserts every safety property (every invariant of the catalogue) holds.
fn assert_safe(r: &Report, case: &str) {
    let invariants: Vec<_> = r.results.iter().filter(|x| x.kind == "invariant").collect();
    assert!(
        invariants.len() >= 5,
        "{case}: the safety properties were checked"
    );
    for x in invariants {
        assert_eq!(x.verdict.label(), "holds", "{}: {case}", x.property);
    }
}

fn check(s: Scenario) -> Report {
    let options = Options {
        properties: Vec::new(),
        max_states: 10_000_000,
        timeout: None,
        progress: false,
    };
    verify(&s, &options).expect("valid scenario")
}

fn verdict<'a>(r: &'a Report, property: &str) -> &'a str {
    r.results
        .iter()
        .find(|x| x.property == property)
        .map(|x| x.verdict.label())
        .expect("property checked")
}

fn majority(n: u32) -> u32 {
    n / 2 + 1
}

#[test]
fn crashes_are_survived_exactly_while_a_quorum_stays_up() {
    for masters in 1..=5u32 {
        for crash in 0..=2u32.min(masters) {
            let r = check(Scenario {
                masters,
                crash: Some(crash),
                ..Scenario::default()
            });
            let survives = masters - crash >= majority(masters);
            let expected = if survives { "holds" } else { "violated" };
            assert_eq!(
                verdict(&r, "write-availability"),
                expected,
                "{masters} masters, {crash} crashes"
            );
            assert_eq!(
                verdict(&r, "leader-availability"),
                expected,
                "{masters} masters, {crash} crashes"
            );
            assert_safe(&r, &format!("{masters} masters, {crash} crashes"));
        }
    }
}

#[test]
fn a_partition_is_survived_exactly_when_every_split_leaves_a_quorum_side() {
    for masters in 1..=5u32 {
        let r = check(Scenario {
            masters,
            partition: true,
            ..Scenario::default()
        });
        // Splits into two non-empty groups of a and masters - a members.
        let survives = (1..masters).all(|a| a.max(masters - a) >= majority(masters));
        let expected = if survives { "holds" } else { "violated" };
        assert_eq!(
            verdict(&r, "write-availability"),
            expected,
            "{masters} masters split"
        );
        assert_safe(&r, &format!("{masters} masters split"));
    }
}

#[test]
fn healing_brings_any_cluster_back() {
    for masters in [2u32, 4] {
        let r = check(Scenario {
            masters,
            partition: true,
            heal: true,
            ..Scenario::default()
        });
        assert_eq!(
            verdict(&r, "write-availability"),
            "holds",
            "{masters} masters split then healed"
        );
    }
}

#[test]
fn pre_vote_changes_no_verdict_of_the_quorum_rule() {
    for masters in [2u32, 3] {
        let r = check(Scenario {
            masters,
            partition: true,
            pre_vote: true,
            ..Scenario::default()
        });
        let expected = if masters == 3 { "holds" } else { "violated" };
        assert_eq!(verdict(&r, "write-availability"), expected);
        assert_safe(&r, &format!("{masters} masters, pre-vote"));
    }
}

#[test]
fn a_lowered_quorum_buys_split_brain() {
    let r = check(Scenario {
        masters: 2,
        quorum: Some(1),
        partition: true,
        ..Scenario::default()
    });
    assert_eq!(verdict(&r, "no-split-brain"), "violated");
    let nsb = r
        .results
        .iter()
        .find(|x| x.property == "no-split-brain")
        .expect("checked");
    assert!(nsb.trace.len() >= 3, "a trace to the split brain");
    let r = check(Scenario {
        masters: 3,
        quorum: Some(1),
        partition: true,
        ..Scenario::default()
    });
    assert_eq!(verdict(&r, "no-split-brain"), "violated");
}

#[test]
fn six_masters_split_three_and_three() {
    let r = check(Scenario {
        masters: 6,
        partition: true,
        ..Scenario::default()
    });
    assert_eq!(verdict(&r, "write-availability"), "violated");
    assert_eq!(verdict(&r, "leader-availability"), "violated");
    assert_safe(&r, "6 masters split");
}
