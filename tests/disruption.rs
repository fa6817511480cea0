//! Leader disruption: a member back from a split, a pause or a failed link must not depose a
//! leader that a quorum still follows. Raft allows it; etcd's pre-vote and leases prevent it,
//! except for partial failures that move.

mod common;

use kcheck::check::{verify, Options};
use kcheck::scenario::Scenario;

fn verdict(s: &Scenario, property: &str) -> (&'static str, Vec<String>) {
    let d = common::decide(s, property);
    (d.verdict, d.actions)
}

fn three(f: impl FnOnce(&mut Scenario)) -> Scenario {
    let mut s = Scenario {
        masters: 3,
        ..Scenario::default()
    };
    f(&mut s);
    s
}

const P: &str = "no-disruptive-rejoin";

#[test]
fn a_member_back_from_a_split_deposes_the_leader_without_pre_vote() {
    let (v, trace) = verdict(
        &three(|s| {
            s.partition = true;
            s.heal = true;
        }),
        P,
    );
    assert_eq!(v, "violated");
    assert!(trace.iter().any(|a| a == "the network heals"), "{trace:?}");
    for masters in [3, 5] {
        let s = Scenario {
            masters,
            partition: true,
            heal: true,
            pre_vote: true,
            ..Scenario::default()
        };
        assert_eq!(verdict(&s, P).0, "holds", "{masters} masters with pre-vote");
    }
}

#[test]
fn a_paused_follower_deposes_the_leader_without_pre_vote() {
    let (v, trace) = verdict(&three(|s| s.pauses = 1), P);
    assert_eq!(v, "violated");
    assert!(trace.iter().any(|a| a.contains("pauses")), "{trace:?}");
    assert_eq!(
        verdict(
            &three(|s| {
                s.pauses = 1;
                s.pre_vote = true;
            }),
            P
        )
        .0,
        "holds"
    );
}

#[test]
fn one_failed_link_is_harmless_with_etcds_leases_and_two_that_move_are_not() {
    assert_eq!(verdict(&three(|s| s.link_faults = 1), P).0, "holds");
    let moving = three(|s| {
        s.link_faults = 2;
        s.heal = true;
        s.pre_vote = true;
    });
    let (v, trace) = verdict(&moving, P);
    assert_eq!(v, "violated");
    assert!(trace.iter().any(|a| a.starts_with("the link")), "{trace:?}");
    // Writes stay available all the same: no liveness trap within these bounds.
    assert_eq!(verdict(&moving, "write-availability").0, "holds");
    assert_eq!(
        verdict(
            &three(|s| {
                s.link_faults = 2;
                s.pre_vote = true;
            }),
            "write-availability"
        )
        .0,
        "holds"
    );
}

#[test]
fn a_leader_cut_off_and_back_is_no_longer_one_a_quorum_still_follows() {
    // m1 alone on one side, the others start an election, the network heals before m1 steps
    // down: m1 learning the new term is no disruption. Without the record of m1's lapse, this
    // scenario would be reported violated.
    let s = three(|s| {
        s.partition = true;
        s.heal = true;
        s.pre_vote = true;
    });
    assert_eq!(verdict(&s, P).0, "holds");
}

#[test]
fn the_network_may_split_again_after_a_heal() {
    let twice = three(|s| {
        s.partition = true;
        s.heal = true;
        s.splits = 2;
    });
    let options = |s: &Scenario| {
        let report = verify(
            s,
            &Options {
                properties: Vec::new(),
                max_states: 5_000_000,
                timeout: None,
                progress: false,
            },
        )
        .unwrap();
        report.stats.states
    };
    let once = three(|s| {
        s.partition = true;
        s.heal = true;
    });
    assert!(options(&twice) > options(&once));
    // Pauses are faults with a budget: a second pause reaches states the first cannot.
    let pauses = |n| options(&three(|s| s.pauses = n));
    assert!(pauses(1) < pauses(2));
    let (code, out, _) = common::kcheck(&[
        "verify",
        "--partition",
        "--heal",
        "--splits",
        "2",
        "--property",
        "single-leader-per-term",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("up to 2 network partitions"), "{out}");
}

#[test]
fn fault_options_out_of_range_are_refused() {
    common::assert_bad_input(
        &["verify", "--splits", "2", "--partition"],
        "a second split needs partition and heal",
    );
    common::assert_bad_input(&["verify", "--splits", "0"], "splits must be 1 to 3");
    common::assert_bad_input(
        &["verify", "--link-faults", "9"],
        "link-faults must be 0 to 3",
    );
    common::assert_bad_input(
        &["verify", "--masters", "2", "--link-faults", "2"],
        "link-faults must be 0 to 1 for 2 masters",
    );
    common::assert_bad_input(&["verify", "--pauses", "-1"], "pauses must be 0 to 7");
}
