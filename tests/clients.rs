//! What clients see: reads in etcd's two modes (`--reads`), and writes whose client saw a
//! timeout. Each property holds in one configuration and fails in another, and each rule of the
//! read path is needed for linearizable reads to stay linearizable.

mod common;

use kcheck::scenario::{Reads, Scenario};

fn verdict(s: &Scenario, property: &str) -> (&'static str, String, Vec<String>) {
    let d = common::decide(s, property);
    (d.verdict, d.why, d.changes)
}

fn scenario(masters: u32, crash: Option<u32>, partition: bool, heal: bool) -> Scenario {
    Scenario {
        masters,
        crash,
        partition,
        heal,
        ..Scenario::default()
    }
}

fn with_timeouts(s: Scenario) -> Scenario {
    Scenario {
        client_timeouts: true,
        ..s
    }
}

#[test]
fn serializable_reads_can_miss_an_acknowledged_write() {
    // Even with no fault at all: a follower answers before it has learned the commit.
    for s in [
        scenario(3, Some(0), false, false),
        scenario(3, None, true, false),
    ] {
        let s = Scenario {
            reads: Some(Reads::Serializable),
            ..s
        };
        let (v, why, changes) = verdict(&s, "reads-are-linearizable");
        assert_eq!(v, "violated", "{s:?}");
        assert!(why.contains("without w1"), "{why}");
        assert!(
            changes.iter().any(|c| c.contains("the read misses w1")),
            "{changes:?}"
        );
    }
}

#[test]
fn linearizable_reads_never_miss_one() {
    // Splits that heal, crashes, a new leader that has not yet committed in its term, two writes.
    for s in [
        scenario(3, None, true, true),
        scenario(3, Some(1), false, true),
        scenario(5, None, true, false),
        scenario(2, Some(1), false, true),
    ] {
        let s = Scenario {
            reads: Some(Reads::Linearizable),
            writes: 2,
            ..s
        };
        assert_eq!(verdict(&s, "reads-are-linearizable").0, "holds", "{s:?}");
    }
}

#[test]
fn a_timed_out_write_may_still_commit() {
    // Five masters: the leader replicated the write to one follower, then crashed; the client
    // saw a timeout, and the next leader commits the write.
    let (v, _, changes) = verdict(
        &with_timeouts(scenario(5, Some(1), false, false)),
        "timed-out-write-may-commit",
    );
    assert_eq!(v, "holds");
    let timed_out = changes
        .iter()
        .position(|c| c.contains("the client of w1 times out"))
        .expect("a timeout in the witness");
    let committed = changes
        .iter()
        .position(|c| c.contains("write w1 is committed, though its client already saw a timeout"))
        .expect("the commit after it");
    assert!(timed_out < committed, "{changes:?}");
    // Three masters that never restart: a write committed by the old leader's replication is
    // committed at once; one it never replicated dies with it.
    assert_eq!(
        verdict(
            &with_timeouts(scenario(3, Some(1), false, false)),
            "timed-out-write-may-commit"
        )
        .0,
        "violated"
    );
    // ...unless the old leader comes back and wins again.
    assert_eq!(
        verdict(
            &with_timeouts(scenario(3, Some(1), false, true)),
            "timed-out-write-may-commit"
        )
        .0,
        "holds"
    );
}

#[test]
fn properties_that_say_nothing_are_not_verdicts() {
    // Without reads, reads-are-linearizable would hold by default: it is left out, and asking
    // for it is an error.
    // Without --client-timeouts, timed-out-write-may-commit would be VIOLATED by the
    // configuration alone: it is left out too.
    let (code, out, _) = common::kcheck(&["verify", "--masters", "3"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("reads-are-linearizable"), "{out}");
    assert!(!out.contains("timed-out-write-may-commit"), "{out}");
    let (_, out, _) = common::kcheck(&["verify", "--masters", "3", "--client-timeouts"]);
    assert!(out.contains("timed-out-write-may-commit"), "{out}");
    common::assert_bad_input(
        &["verify", "--property", "reads-are-linearizable"],
        "reads-are-linearizable says nothing about this scenario",
    );
    common::assert_bad_input(
        &[
            "verify",
            "--writes",
            "0",
            "--property",
            "timed-out-write-may-commit",
        ],
        "timed-out-write-may-commit says nothing about this scenario",
    );
    common::assert_bad_input(
        &["verify", "--reads", "serializable", "--writes", "0"],
        "reads need writes to read",
    );
}
