//! The cluster model's etcd abstraction against the Raft model, and its properties with a
//! scenario where each holds and one where it fails.

use super::*;
use crate::engine::{self, explore_all, Limits};
use crate::property::Verdict;
use crate::scenario::{ModelKind, Scenario};
use crate::systems::lb::scenario::{self, CheckType, Millis};
use crate::systems::raft::Raft;

fn limits() -> Limits {
    Limits {
        max_states: 20_000_000,
        timeout: None,
    }
}

/// A small cluster: checks every 200 ms at 100 ms ticks, one request a second, so the faults'
/// combinations stay few.
fn cluster(f: impl FnOnce(&mut Scenario)) -> Cluster {
    let mut s = Scenario {
        model: ModelKind::Cluster,
        tick: Some(Millis(100)),
        inter: Some(Millis(200)),
        rise: Some(1),
        fall: Some(1),
        request_rate: Some(1),
        check: Some(CheckType::Http),
        ..Scenario::default()
    };
    f(&mut s);
    Cluster::new(&scenario::validate(&s, true).expect("valid scenario"))
}

fn holds<M: System>(m: &M, name: &str) -> bool {
    let graph = explore_all(m, limits());
    let p = M::catalogue()
        .into_iter()
        .find(|p| p.name == name)
        .expect("a property of the catalogue");
    match engine::decide(m, &graph, &p, &limits()) {
        Verdict::Holds { .. } => true,
        Verdict::Violated(_) => false,
        Verdict::Incomplete(_) => panic!("{name} was not decided"),
    }
}

/// The abstraction: a write commits exactly when the API server's etcd member has a quorum of
/// live members on its side. The Raft model decides the same question exhaustively; behind
/// HTTP checks (which take a server without quorum out of rotation) kubectl writes must be
/// available exactly when the Raft model says writes are.
#[test]
fn the_quorum_rule_agrees_with_the_raft_model() {
    for masters in 1..=5u32 {
        for crash in 1..=masters.min(3) {
            let raft = Raft::new(
                &Scenario {
                    masters,
                    crash: Some(crash),
                    ..Scenario::default()
                }
                .raft()
                .expect("valid"),
            );
            let c = cluster(|s| {
                s.masters = masters;
                s.crash = Some(crash);
            });
            assert_eq!(
                holds(&c, KUBECTL_WRITE),
                holds(&raft, "write-availability"),
                "{masters} masters, {crash} crashes"
            );
        }
        if masters > 1 {
            let raft = Raft::new(
                &Scenario {
                    masters,
                    partition: true,
                    ..Scenario::default()
                }
                .raft()
                .expect("valid"),
            );
            let c = cluster(|s| {
                s.masters = masters;
                s.partition = true;
            });
            assert_eq!(
                holds(&c, KUBECTL_WRITE),
                holds(&raft, "write-availability"),
                "{masters} masters, a partition"
            );
        }
    }
}

/// Behind TCP checks an API server cut off from the quorum stays in rotation (it accepts
/// connections): its share of kubectl writes fails until the partition heals. `/readyz`
/// includes etcd, so an HTTP check takes it out.
#[test]
fn only_readyz_takes_a_server_without_quorum_out_of_rotation() {
    let with = |check| {
        cluster(move |s| {
            s.partition = true;
            s.check = Some(check);
        })
    };
    assert!(!holds(&with(CheckType::Tcp), KUBECTL_WRITE));
    assert!(holds(&with(CheckType::Http), KUBECTL_WRITE));
    // The API servers all stay up: every request reaches one.
    assert!(holds(
        &with(CheckType::Tcp),
        crate::systems::lb::properties::API_REACHABLE
    ));
}

/// `kubectl get` is a quorum read by default and fails like a write; served from the watch
/// cache it needs only a live API server.
#[test]
fn reads_from_the_watch_cache_survive_a_lost_quorum() {
    let reads = |mode| {
        cluster(move |s| {
            s.partition = true;
            s.check = Some(CheckType::Tcp);
            s.reads = mode;
        })
    };
    assert!(!holds(&reads(None), KUBECTL_READ));
    assert!(holds(&reads(Some(Reads::Serializable)), KUBECTL_READ));
    assert!(!holds(&reads(Some(Reads::Serializable)), KUBECTL_WRITE));
}

/// A failed write's trace names every hop: client, balancer, API server, etcd member.
#[test]
fn a_failed_write_shows_each_hop() {
    let c = cluster(|s| {
        s.partition = true;
        s.check = Some(CheckType::Tcp);
    });
    let graph = explore_all(&c, limits());
    let p = Cluster::catalogue()
        .into_iter()
        .find(|p| p.name == crate::systems::lb::properties::NO_FAILED_REQUESTS)
        .expect("in the catalogue");
    let Verdict::Violated(v) = engine::decide(&c, &graph, &p, &limits()) else {
        panic!("a write fails");
    };
    assert!(
        v.why
            .contains("client → lb1 → m2's API server → m2's etcd member"),
        "{}",
        v.why
    );
    assert!(v.why.contains("m1, m3 | m2"), "{}", v.why);
}

/// Symmetry reduction stays sound with a partition: rotating the servers' names commutes with
/// every step, the partition's sides included.
#[test]
fn rotating_the_servers_commutes_with_every_step_across_a_partition() {
    let c = cluster(|s| {
        s.masters = 4;
        s.partition = true;
        s.crash = Some(1);
        s.heal = true;
        s.check = Some(CheckType::Tcp);
        s.symmetry = false;
    });
    let successors = |s: &LbState| {
        let mut actions = Vec::new();
        c.actions(s, &mut actions);
        let mut next: Vec<LbState> = actions
            .into_iter()
            .filter_map(|a| c.next_state(s, a))
            .collect();
        next.sort();
        next.dedup();
        next
    };
    let graph = explore_all(&c, limits());
    assert!(graph.states().any(|s| s.split != 0));
    for s in graph.states() {
        let s = &*s;
        for r in 1..4 {
            let mut rotated: Vec<LbState> = successors(s).iter().map(|t| t.rotated(r)).collect();
            rotated.sort();
            assert_eq!(successors(&s.rotated(r)), rotated, "{s:?}, rotation {r}");
        }
    }
}
