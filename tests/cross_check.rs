//! kcheck's engine against stateright's own BFS checker on the same models: the same number of
//! unique states and the same invariant verdicts. And every counterexample kcheck prints
//! replays on the model, action by action.

use kcheck::engine::{decide, explore_all, trace, Limits};
use kcheck::property::{Kind, Property, Verdict};
use kcheck::scenario::{NetworkMode, Recovery, Scenario, UnsafeRule};
use kcheck::systems::raft::{Raft, RaftState, Role};
use kcheck::systems::System;
use stateright::{Checker, HasDiscoveries};

fn configurations() -> Vec<Scenario> {
    vec![
        Scenario {
            masters: 1,
            ..Scenario::default()
        },
        Scenario {
            masters: 2,
            partition: true,
            ..Scenario::default()
        },
        Scenario {
            masters: 2,
            quorum: Some(1),
            partition: true,
            heal: true,
            ..Scenario::default()
        },
        Scenario {
            masters: 3,
            ..Scenario::default()
        },
        Scenario {
            masters: 3,
            partition: true,
            heal: true,
            writes: 2,
            ..Scenario::default()
        },
        Scenario {
            masters: 3,
            quorum: Some(1),
            crash: Some(1),
            heal: true,
            ..Scenario::default()
        },
        Scenario {
            masters: 3,
            partition: true,
            pre_vote: true,
            max_term: 3,
            ..Scenario::default()
        },
        Scenario {
            masters: 4,
            partition: true,
            ..Scenario::default()
        },
        // The message mode: messages renamed with their members, sent, delivered, lost and
        // duplicated the same way by both checkers.
        Scenario {
            masters: 2,
            partition: true,
            heal: true,
            network: NetworkMode::Messages,
            ..Scenario::default()
        },
        Scenario {
            masters: 3,
            network: NetworkMode::Messages,
            max_in_flight: Some(1),
            ..Scenario::default()
        },
        // Membership and recovery: configurations, removed members, force-new-cluster and a
        // restore step the same way in both checkers.
        Scenario {
            masters: 3,
            crash: Some(1),
            heal: true,
            recovery: vec![Recovery::MemberRemove, Recovery::LearnerAdd],
            ..Scenario::default()
        },
        Scenario {
            masters: 2,
            crash: Some(1),
            writes: 2,
            recovery: vec![Recovery::ForceNewCluster, Recovery::SnapshotRestore],
            ..Scenario::default()
        },
        Scenario {
            masters: 4,
            crash: Some(1),
            recovery: vec![Recovery::MemberAdd, Recovery::MemberRemove],
            config_on_append: true,
            unsafe_rules: vec![UnsafeRule::ReconfigGuard, UnsafeRule::StrictReconfig],
            ..Scenario::default()
        },
    ]
}

/// stateright's BFS checker run to the end: waiting for a discovery that never comes makes it
/// explore exhaustively.
fn stateright_exhaustive<M>(model: &M) -> impl Checker<M>
where
    M: System + Clone + Send + Sync + 'static,
    M::State: Send + Sync,
    M::Action: PartialEq,
{
    model
        .clone()
        .checker()
        .finish_when(HasDiscoveries::AllOf(std::iter::once("never").collect()))
        .spawn_bfs()
        .join()
}

const LIMITS: Limits = Limits {
    max_states: 5_000_000,
    timeout: None,
};

#[test]
fn same_state_counts_and_invariant_verdicts_as_stateright() {
    for s in configurations() {
        let model = Raft {
            symmetry: false,
            ..Raft::new(&s.raft().expect("valid"))
        };
        let graph = explore_all(&model, LIMITS);
        let sr = stateright_exhaustive(&model);
        assert_eq!(graph.len(), sr.unique_state_count(), "{s:?}");
        for p in Raft::catalogue() {
            if let Kind::Invariant(_) = p.kind {
                let ours = decide(&model, &graph, &p, &LIMITS);
                let theirs = sr.discovery(p.name).is_some();
                assert_eq!(
                    matches!(ours, Verdict::Violated(_)),
                    theirs,
                    "{} on {s:?}",
                    p.name
                );
            }
        }
    }
}

/// Each property's verdict with symmetry reduction on and off: (name, on, off).
fn verdicts_on_and_off(
    s: &Scenario,
    properties: &[Property<Raft>],
) -> Vec<(&'static str, &'static str, &'static str)> {
    let reduced = Raft::new(&s.raft().expect("valid"));
    let full = Raft {
        symmetry: false,
        ..reduced.clone()
    };
    let g_reduced = explore_all(&reduced, LIMITS);
    let g_full = explore_all(&full, LIMITS);
    assert!(g_reduced.len() <= g_full.len(), "{s:?}");
    properties
        .iter()
        .map(|p| {
            let on = decide(&reduced, &g_reduced, p, &LIMITS).label();
            let off = decide(&full, &g_full, p, &LIMITS).label();
            (p.name, on, off)
        })
        .collect()
}

/// Symmetry reduction explores one state per renaming of the members; it must not change a
/// single verdict of the catalogue: invariants, recoverability and possibilities alike, under
/// crashes, partitions, healing, pre-vote and a quorum override.
#[test]
fn symmetry_reduction_changes_no_verdict() {
    let mut more: Vec<Scenario> = configurations().into_iter().skip(1).collect();
    more.extend([
        Scenario {
            masters: 4,
            crash: Some(2),
            ..Scenario::default()
        },
        Scenario {
            masters: 5,
            crash: Some(1),
            heal: true,
            ..Scenario::default()
        },
        Scenario {
            masters: 3,
            crash: Some(1),
            partition: true,
            heal: true,
            pre_vote: true,
            ..Scenario::default()
        },
        Scenario {
            masters: 2,
            partition: true,
            heal: true,
            ..Scenario::default()
        },
        Scenario {
            masters: 4,
            quorum: Some(2),
            crash: Some(1),
            partition: true,
            ..Scenario::default()
        },
        // Configurations and configuration entries renamed with the masters, an added member
        // kept in its place, across a split that heals.
        Scenario {
            masters: 3,
            partition: true,
            heal: true,
            recovery: vec![Recovery::MemberAdd, Recovery::MemberRemove],
            config_on_append: true,
            ..Scenario::default()
        },
        Scenario {
            masters: 3,
            crash: Some(2),
            writes: 2,
            recovery: vec![Recovery::SnapshotRestore, Recovery::ForceNewCluster],
            ..Scenario::default()
        },
    ]);
    let mut outcomes = std::collections::BTreeSet::new();
    for s in more {
        for (p, (name, on, off)) in Raft::catalogue()
            .iter()
            .zip(verdicts_on_and_off(&s, &Raft::catalogue()))
        {
            assert_eq!(on, off, "{name} on {s:?}");
            outcomes.insert((p.kind.label(), on));
        }
    }
    // Every kind is seen both holding and violated, so a verdict the reduction flipped either
    // way would be noticed.
    for kind in ["invariant", "recoverability", "possibility"] {
        for v in ["holds", "violated"] {
            assert!(outcomes.contains(&(kind, v)), "no {kind} {v}");
        }
    }
}

/// The check above can fail: a property that names a member gets a wrong verdict with the
/// reduction on. Every representative names its leader m1, so "m2 is never leader" holds there
/// though m2 leads in many states. This is why no catalogue property may name a member.
#[test]
fn a_property_that_names_a_member_breaks_symmetry() {
    fn m2_leads(_: &Raft, s: &RaftState) -> Option<String> {
        let m2 = &s.members[1];
        (m2.up && m2.role == Role::Leader).then(|| "m2 is leader".to_string())
    }
    let mut properties = Raft::catalogue();
    properties.push(Property {
        name: "m2-never-leader",
        meaning: "m2 is never leader",
        kind: Kind::Invariant(m2_leads),
    });
    let s = Scenario {
        masters: 3,
        crash: Some(1),
        ..Scenario::default()
    };
    let verdicts = verdicts_on_and_off(&s, &properties);
    let differ: Vec<_> = verdicts
        .iter()
        .filter(|(_, on, off)| on != off)
        .map(|(name, on, off)| (*name, *on, *off))
        .collect();
    assert_eq!(differ, [("m2-never-leader", "holds", "violated")]);
}

#[test]
fn every_counterexample_and_witness_replays() {
    let mut replayed = 0;
    let mut all = configurations();
    // Members that tie on every sort key give one orbit several representatives: traces must
    // still replay, and say why in their own final state's names.
    all.push(Scenario {
        masters: 5,
        quorum: Some(2),
        partition: true,
        pre_vote: true,
        ..Scenario::default()
    });
    all.push(Scenario {
        masters: 4,
        quorum: Some(2),
        partition: true,
        ..Scenario::default()
    });
    // The rules only the message mode shows: their counterexamples replay, late messages and all.
    for rule in [
        UnsafeRule::LogConsistencyCheck,
        UnsafeRule::TruncateOnConflictOnly,
    ] {
        all.push(Scenario {
            masters: 3,
            network: NetworkMode::Messages,
            max_in_flight: Some(if rule == UnsafeRule::LogConsistencyCheck {
                1
            } else {
                2
            }),
            heal: rule == UnsafeRule::LogConsistencyCheck,
            unsafe_rules: vec![rule],
            ..Scenario::default()
        });
    }
    for s in all {
        let model = Raft::new(&s.raft().expect("valid"));
        let graph = explore_all(&model, LIMITS);
        for p in Raft::catalogue() {
            let (trace, why) = match decide(&model, &graph, &p, &LIMITS) {
                Verdict::Violated(v) => (v.trace, Some(v.why)),
                Verdict::Holds { witness, .. } => (witness, None),
                Verdict::Incomplete(_) => (None, None),
            };
            // A lasso is a behaviour of the model liveness is decided on.
            let model = match p.kind {
                Kind::Liveness(_) => model.for_liveness().unwrap_or_else(|| model.clone()),
                _ => model.clone(),
            };
            if let Some(t) = trace {
                let end = trace::replay(&model, &t)
                    .unwrap_or_else(|step| panic!("{} fails to replay at step {step}", p.name));
                assert_eq!(&end, t.last());
                if let Kind::Invariant(check) = p.kind {
                    assert_eq!(
                        check(&model, &end),
                        why,
                        "{}: the replayed state violates it, for the reason given",
                        p.name
                    );
                }
                replayed += 1;
            }
        }
    }
    assert!(replayed >= 5, "counterexamples replayed: {replayed}");
}

#[test]
fn a_tampered_trace_does_not_replay() {
    let model = Raft::new(
        &Scenario {
            masters: 2,
            partition: true,
            ..Scenario::default()
        }
        .raft()
        .expect("valid"),
    );
    let graph = explore_all(&model, LIMITS);
    let p = Raft::catalogue()
        .into_iter()
        .find(|p| p.name == "write-availability")
        .expect("property");
    let Verdict::Violated(v) = decide(&model, &graph, &p, &LIMITS) else {
        panic!("violated")
    };
    let mut t = v.trace.expect("trace");
    t.steps[0].0 = kcheck::systems::raft::Action::Heal;
    assert_eq!(trace::replay(&model, &t), Err(1));
}

/// The load-balancer and cluster scenarios both checkers explore: small timings (100 ms
/// ticks), each fault kind, each front end.
fn lb_configurations() -> Vec<Scenario> {
    use kcheck::scenario::{Balance, CheckType, Frontend, LbKind, Millis, ModelKind};
    let base = Scenario {
        model: ModelKind::Lb,
        tick: Some(Millis(100)),
        inter: Some(Millis(500)),
        request_rate: Some(2),
        ..Scenario::default()
    };
    vec![
        Scenario {
            crash: Some(1),
            heal: true,
            ..base.clone()
        },
        Scenario {
            hang: Some(1),
            check: Some(CheckType::Http),
            redispatch: true,
            ..base.clone()
        },
        Scenario {
            frontend: Some(Frontend::Vip),
            crash: Some(1),
            lb_crash: Some(1),
            vip_failover: Some(Millis(300)),
            ..base.clone()
        },
        Scenario {
            balance: Some(Balance::Leastconn),
            timeout_server: Some(Millis(300)),
            hang: Some(1),
            crash: Some(1),
            check: Some(CheckType::Http),
            ..base.clone()
        },
        Scenario {
            frontend: Some(Frontend::None),
            crash: Some(1),
            heal: true,
            ..base.clone()
        },
        Scenario {
            lb: Some(LbKind::Nginx),
            inter: None,
            max_fails: Some(2),
            fail_timeout: Some(Millis(500)),
            crash: Some(2),
            heal: true,
            ..base.clone()
        },
        Scenario {
            model: ModelKind::Cluster,
            masters: 3,
            partition: true,
            heal: true,
            check: Some(CheckType::Http),
            ..base.clone()
        },
    ]
}

/// kcheck's engine and stateright's checker on a load-balancer or cluster model: the same
/// state count and the same invariant verdicts; and symmetry on or off changes no verdict and
/// no measured extreme.
fn agrees<M>(full: &M, reduced: &M, s: &Scenario)
where
    M: System + Clone + Send + Sync + 'static,
    M::State: Send + Sync,
    M::Action: PartialEq,
{
    let graph = explore_all(full, LIMITS);
    let sr = stateright_exhaustive(full);
    assert_eq!(graph.len(), sr.unique_state_count(), "{s:?}");
    let g_reduced = explore_all(reduced, LIMITS);
    assert!(
        g_reduced.len() < graph.len() || s.frontend.is_some(),
        "{s:?}"
    );
    for p in M::catalogue() {
        if full.vacuous(p.name).is_some() {
            continue;
        }
        let ours = decide(full, &graph, &p, &LIMITS);
        if let Kind::Invariant(_) = p.kind {
            assert_eq!(
                matches!(ours, Verdict::Violated(_)),
                sr.discovery(p.name).is_some(),
                "{} on {s:?}",
                p.name
            );
        }
        let on = decide(reduced, &g_reduced, &p, &LIMITS);
        let extremes = |v: &Verdict<M>| match v {
            Verdict::Holds {
                extremes: Some(e), ..
            } => Some((e.min.0, e.max.0)),
            _ => None,
        };
        assert_eq!(ours.label(), on.label(), "{} on {s:?}", p.name);
        assert_eq!(extremes(&ours), extremes(&on), "{} on {s:?}", p.name);
    }
}

#[test]
fn load_balancer_and_cluster_models_agree_with_stateright_and_with_symmetry_off() {
    use kcheck::scenario::Valid;
    use kcheck::systems::cluster::Cluster;
    use kcheck::systems::lb::Lb;
    for s in lb_configurations() {
        let off = Scenario {
            symmetry: false,
            ..s.clone()
        };
        match (s.validate().expect("valid"), off.validate().expect("valid")) {
            (Valid::Lb(on), Valid::Lb(off)) => agrees(&Lb::new(&off), &Lb::new(&on), &s),
            (Valid::Cluster(on), Valid::Cluster(off)) => {
                agrees(&Cluster::new(&off), &Cluster::new(&on), &s)
            }
            _ => unreachable!("load-balancer scenarios"),
        }
    }
}

#[test]
fn reconcile_model_agrees_with_stateright_and_with_symmetry_off() {
    use kcheck::scenario::{Millis, ModelKind, Valid};
    use kcheck::systems::reconcile::Reconcile;
    let base = Scenario {
        model: ModelKind::Reconcile,
        ..Scenario::default()
    };
    for s in [
        Scenario {
            worker_crash: Some(1),
            ..base.clone()
        },
        Scenario {
            capacity: Some(1),
            worker_crash: Some(1),
            ..base.clone()
        },
        Scenario {
            drain: true,
            min_available: Some(3),
            disable_eviction: true,
            ..base.clone()
        },
        Scenario {
            worker_partition: true,
            pod_crash: true,
            heal: true,
            toleration_seconds: Some(Millis(20_000)),
            ..base.clone()
        },
        Scenario {
            masters: 3,
            crash: Some(1),
            worker_crash: Some(1),
            toleration_seconds: Some(Millis(20_000)),
            ..base.clone()
        },
    ] {
        let off = Scenario {
            symmetry: false,
            ..s.clone()
        };
        match (s.validate().expect("valid"), off.validate().expect("valid")) {
            (Valid::Reconcile(on), Valid::Reconcile(off)) => {
                agrees(&Reconcile::new(&off), &Reconcile::new(&on), &s)
            }
            _ => unreachable!("reconcile scenarios"),
        }
    }
}
