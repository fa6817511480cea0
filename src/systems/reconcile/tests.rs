//! The reconcile model: each property holds in one configuration and fails in another, the
//! measures against Kubernetes' timings, the control plane's quorum rule against the Raft
//! model, symmetry, fairness, and the lassos replaying.

use super::properties::*;
use super::*;
use crate::engine::{self, explore_all, trace, Limits};
use crate::property::Verdict;
use crate::scenario::{Millis, ModelKind, Scenario};
use crate::systems::raft::Raft;

fn limits() -> Limits {
    Limits {
        max_states: 5_000_000,
        timeout: None,
    }
}

fn model(f: impl FnOnce(&mut Scenario)) -> Reconcile {
    let mut s = Scenario {
        model: ModelKind::Reconcile,
        ..Scenario::default()
    };
    f(&mut s);
    Reconcile::new(&scenario::validate(&s).expect("valid scenario"))
}

/// Every applicable property's verdict, by name ("holds", "violated"); measures as
/// "min..max" in the measure's unit. Every counterexample replays on the model it was found
/// on (liveness: the liveness model).
fn verdicts(m: &Reconcile) -> Vec<(&'static str, String)> {
    let graph = explore_all(m, limits());
    let live = m.for_liveness().expect("a liveness model");
    Reconcile::catalogue()
        .into_iter()
        .filter(|p| m.vacuous(p.name).is_none())
        .map(|p| {
            let v = engine::decide(m, &graph, &p, &limits());
            let shown = match &v {
                Verdict::Holds {
                    extremes: Some(e), ..
                } => format!("{}..{}", e.min.0, e.max.0),
                Verdict::Holds { .. } => "holds".to_string(),
                Verdict::Violated(violation) => {
                    let t = violation.trace.as_ref().expect("a counterexample");
                    let on = if matches!(p.kind, crate::property::Kind::Liveness(_)) {
                        &live
                    } else {
                        m
                    };
                    assert!(
                        trace::replay(on, t).is_ok(),
                        "{}: the counterexample replays",
                        p.name
                    );
                    if let Some(start) = violation.cycle_start {
                        let at = |k: usize| {
                            if k == 0 {
                                t.init.clone()
                            } else {
                                t.steps[k - 1].1.clone()
                            }
                        };
                        assert!(
                            on.same_orbit(&at(start), t.last()),
                            "{}: the lasso closes",
                            p.name
                        );
                    }
                    "violated".to_string()
                }
                Verdict::Incomplete(c) => panic!("{} was not decided: {c}", p.name),
            };
            (p.name, shown)
        })
        .collect()
}

fn verdict(m: &Reconcile, name: &str) -> String {
    verdicts(m)
        .into_iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("{name} applies"))
        .1
}

fn secs(s: u32) -> Option<Millis> {
    Some(Millis(s * 1000))
}

/// A worker fails: it goes NotReady at the first monitor pass once its lease is more than the
/// grace period old (its last renewal 0 to heartbeat − 1 before the failure, a pass every
/// monitor period), is tainted at once, and its pods are deleted tolerationSeconds later; the
/// replacements run within that tick. For the defaults, 342 s to 355 s, whether it crashed or
/// was cut off.
#[test]
fn reschedule_time_follows_the_timings() {
    for (grace, period, heartbeat, toleration) in [
        (50, 5, 10, 300),
        (40, 5, 10, 300),
        (20, 2, 5, 30),
        (10, 5, 10, 0),
    ] {
        for cut in [false, true] {
            let m = model(|s| {
                s.node_monitor_grace_period = secs(grace);
                s.node_monitor_period = secs(period);
                s.heartbeat = secs(heartbeat);
                if toleration > 0 {
                    s.toleration_seconds = secs(toleration);
                }
                if cut {
                    s.worker_partition = true;
                } else {
                    s.worker_crash = Some(1);
                }
            });
            let toleration = if toleration == 0 { 300 } else { toleration };
            let min = (toleration + grace + 1 - (heartbeat - 1)) * 1000;
            let max = (toleration + grace + 1 + (period - 1)) * 1000;
            assert_eq!(
                verdict(&m, RESCHEDULE_TIME),
                format!("{min}..{max}"),
                "grace {grace}, period {period}, heartbeat {heartbeat}, toleration {toleration}, cut {cut}"
            );
        }
    }
}

/// Three masters do not reschedule faster: one controller-manager is active. A crash of its
/// master just before the worker would be marked NotReady delays rescheduling by the lease
/// takeover (up to lease + retry) and a whole new grace period, since the new leader's node
/// lifecycle controller starts every worker's silence afresh.
#[test]
fn a_controller_manager_failover_restarts_the_grace_period() {
    let one = model(|s| s.masters = 1);
    let three = model(|s| s.masters = 3);
    assert_eq!(verdict(&one, RESCHEDULE_TIME), "342000..355000");
    assert_eq!(verdict(&three, RESCHEDULE_TIME), "342000..355000");
    let failover = model(|s| {
        s.masters = 3;
        s.crash = Some(1);
        s.worker_crash = Some(1);
    });
    // Worst case: the pass that would mark it NotReady is 55 s after the crash (renewed just
    // then, 50 s grace, a pass every 5 s); the leader crashes at 54 s, a standby leads 17 s
    // later, marks it NotReady 55 s after that, and 300 s later its pods are replaced.
    assert_eq!(verdict(&failover, RESCHEDULE_TIME), "342000..426000");
}

#[test]
fn pods_come_back_exactly_when_the_control_plane_does() {
    let up = model(|s| s.worker_crash = Some(1));
    for name in [REPLICAS_CONVERGE, PODS_RESCHEDULED] {
        assert_eq!(verdict(&up, name), "holds", "{name}");
    }
    // No control plane: nobody marks the worker NotReady, nobody replaces its pods.
    for down in [
        model(|s| {
            s.worker_crash = Some(1);
            s.control_plane_outage = true;
        }),
        model(|s| {
            s.masters = 2;
            s.crash = Some(1);
            s.worker_crash = Some(1);
        }),
    ] {
        for name in [REPLICAS_CONVERGE, PODS_RESCHEDULED] {
            assert_eq!(verdict(&down, name), "violated", "{name}");
        }
        assert_eq!(verdict(&down, RESCHEDULE_TIME), "342000..unbounded");
    }
    // Three masters keep a quorum through one crash.
    let three = model(|s| {
        s.masters = 3;
        s.crash = Some(1);
        s.worker_crash = Some(1);
    });
    assert_eq!(verdict(&three, PODS_RESCHEDULED), "holds");
}

/// The kubelet restarts a crashed container on its own: with the control plane down, and
/// on a worker cut off from it.
#[test]
fn crashed_containers_restart_without_a_control_plane() {
    for f in [
        (|s: &mut Scenario| s.pod_crash = true) as fn(&mut Scenario),
        |s| {
            s.pod_crash = true;
            s.control_plane_outage = true;
        },
        |s| {
            s.pod_crash = true;
            s.worker_partition = true;
            s.toleration_seconds = secs(30);
        },
    ] {
        let m = model(f);
        assert_eq!(verdict(&m, CONTAINER_RESTARTS), "holds");
    }
    // The crash costs one replica for its back-off, with the control plane or without.
    assert_eq!(
        verdict(&model(|s| s.pod_crash = true), FEWEST_SERVING),
        "2..3"
    );
    // With its worker crashed as well, nothing restarts it, and the control plane is gone too.
    let m = model(|s| {
        s.pod_crash = true;
        s.worker_crash = Some(1);
        s.control_plane_outage = true;
        s.toleration_seconds = secs(30);
    });
    assert_eq!(verdict(&m, REPLICAS_CONVERGE), "violated");
}

/// The scheduler's filters: no room left, or anti-affinity with a worker short, or a
/// nodeSelector that leaves one matching worker: the replacement stays Pending for ever.
#[test]
fn replicas_converge_only_where_the_filters_leave_room() {
    let short = |f: fn(&mut Scenario)| {
        let m = model(f);
        (
            verdict(&m, REPLICAS_CONVERGE),
            verdict(&m, PODS_RESCHEDULED),
        )
    };
    let violated = ("violated".to_string(), "violated".to_string());
    let holds = ("holds".to_string(), "holds".to_string());
    assert_eq!(short(|s| s.capacity = Some(1)), violated);
    assert_eq!(short(|s| s.capacity = Some(2)), holds);
    assert_eq!(short(|s| s.anti_affinity = true), violated);
    assert_eq!(
        short(|s| {
            s.anti_affinity = true;
            s.workers = Some(4);
        }),
        holds
    );
    assert_eq!(
        short(|s| {
            s.node_selector = Some(2);
            s.replicas = Some(2);
            s.capacity = Some(1);
        }),
        violated
    );
    assert_eq!(
        short(|s| {
            s.node_selector = Some(3);
            s.workers = Some(4);
            s.replicas = Some(2);
            s.capacity = Some(1);
        }),
        holds
    );
}

/// Least allocation spreads the replicas: one worker's failure costs one replica.
#[test]
fn the_score_spreads_replicas() {
    let m = model(|s| s.worker_crash = Some(1));
    assert_eq!(verdict(&m, FEWEST_SERVING), "2..3");
    let two = model(|s| s.worker_crash = Some(2));
    assert_eq!(verdict(&two, FEWEST_SERVING), "1..3");
}

#[test]
fn broken_schedulers_break_the_invariants() {
    let m = model(|s| s.worker_crash = Some(1));
    assert_eq!(verdict(&m, NO_BIND_TO_UNREADY), "holds");
    let mut blind = m.clone();
    blind.broken = Some(Broken::IgnoreReadiness);
    assert_eq!(verdict(&blind, NO_BIND_TO_UNREADY), "violated");

    let tight = model(|s| {
        s.capacity = Some(1);
        s.worker_crash = Some(1);
    });
    assert_eq!(verdict(&tight, NO_OVERCOMMIT), "holds");
    let mut greedy = tight.clone();
    greedy.broken = Some(Broken::IgnoreCapacity);
    assert_eq!(verdict(&greedy, NO_OVERCOMMIT), "violated");
}

/// The Eviction API keeps the budget; `--disable-eviction` does not. A budget that allows no
/// disruption blocks the drain for ever.
#[test]
fn drain_honours_the_disruption_budget() {
    let drain = |f: fn(&mut Scenario)| {
        let m = model(|s| {
            s.drain = true;
            f(s);
        });
        (verdict(&m, PDB_RESPECTED), verdict(&m, DRAIN_COMPLETES))
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(drain(|_| {}), pair("holds", "holds"));
    assert_eq!(
        drain(|s| s.min_available = Some(3)),
        pair("holds", "violated")
    );
    assert_eq!(
        drain(|s| {
            s.min_available = Some(3);
            s.disable_eviction = true;
        }),
        pair("violated", "holds")
    );
    // Two replicas on the drained worker: the second eviction waits for the first's
    // replacement to run.
    assert_eq!(
        drain(|s| {
            s.workers = Some(2);
            s.replicas = Some(4);
            s.min_available = Some(3);
        }),
        pair("holds", "holds")
    );
    assert_eq!(
        drain(|s| {
            s.workers = Some(2);
            s.replicas = Some(4);
            s.min_available = Some(3);
            s.disable_eviction = true;
        }),
        pair("violated", "holds")
    );
}

/// Without fairness nothing obliges the controllers to act: the ReplicaSet controller may
/// never create the pods, and the Deployment never converges.
#[test]
fn without_fairness_a_controller_may_never_act() {
    let m = model(|_| {});
    assert_eq!(verdict(&m, REPLICAS_CONVERGE), "holds");
    let unfair = Reconcile { fair: false, ..m };
    assert_eq!(verdict(&unfair, REPLICAS_CONVERGE), "violated");
}

/// Too many NotReady workers at once stop the tainting (partial disruption: more than two, and
/// at least 55%): three crashed workers of four, and the pod of one of them is never replaced,
/// though the fourth has room. Two of four, and it is.
#[test]
fn a_disrupted_zone_taints_no_more_workers() {
    let crashes = |k: u32| {
        model(|s| {
            s.workers = Some(4);
            s.replicas = Some(1);
            s.worker_crash = Some(k);
            s.heartbeat = secs(1);
            s.node_monitor_period = secs(1);
            s.node_monitor_grace_period = secs(2);
            s.toleration_seconds = secs(3);
            s.eviction_interval = secs(1);
        })
    };
    assert_eq!(verdict(&crashes(3), REPLICAS_CONVERGE), "violated");
    assert_eq!(verdict(&crashes(3), RESCHEDULE_TIME), "0..unbounded");
    assert_eq!(verdict(&crashes(2), REPLICAS_CONVERGE), "holds");
}

/// The second worker to fail is tainted one eviction interval after the first.
#[test]
fn the_eviction_rate_spaces_the_taints() {
    let at = |interval: u32| {
        let m = model(|s| {
            s.workers = Some(4);
            s.replicas = Some(2);
            s.capacity = Some(1);
            s.worker_crash = Some(2);
            s.heartbeat = secs(1);
            s.node_monitor_period = secs(1);
            s.node_monitor_grace_period = secs(2);
            s.toleration_seconds = secs(3);
            s.eviction_interval = secs(interval);
        });
        verdict(&m, RESCHEDULE_TIME)
    };
    // The first worker is tainted 3 s after its failure at the earliest; with a 10 s
    // interval, the second is tainted no sooner than 13 s, and its pods replaced 3 s later.
    assert_eq!(at(1), "0..12000");
    assert_eq!(at(10), "0..16000");
}

/// The control plane works exactly when the Raft model says a write still commits: with a
/// quorum of live masters.
#[test]
fn the_control_plane_rule_agrees_with_the_raft_model() {
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
            let graph = explore_all(&raft, limits());
            let p = Raft::catalogue()
                .into_iter()
                .find(|p| p.name == "write-availability")
                .expect("in the catalogue");
            let writes = matches!(
                engine::decide(&raft, &graph, &p, &limits()),
                Verdict::Holds { .. }
            );
            let m = model(|s| {
                s.masters = masters;
                s.crash = Some(crash);
            });
            let mut after = m.init_states().remove(0);
            after.live -= crash as u8;
            assert_eq!(
                m.cp_up(&after),
                writes,
                "{masters} masters, {crash} crashes"
            );
        }
    }
}

/// Workers are interchangeable: symmetry reduction keeps every verdict and explores fewer
/// states.
#[test]
fn symmetry_keeps_every_verdict() {
    for f in [
        (|s: &mut Scenario| s.worker_crash = Some(1)) as fn(&mut Scenario),
        |s| {
            s.capacity = Some(1);
            s.worker_crash = Some(1);
        },
        |s| {
            s.drain = true;
            s.min_available = Some(3);
        },
        |s| {
            s.pod_crash = true;
            s.worker_partition = true;
            s.toleration_seconds = Some(Millis(20_000));
        },
        |s| {
            s.node_selector = Some(2);
            s.replicas = Some(2);
            s.worker_crash = Some(1);
        },
    ] {
        let on = model(f);
        let off = Reconcile {
            s: RcScenario {
                symmetry: false,
                ..on.s.clone()
            },
            ..on.clone()
        };
        assert_eq!(verdicts(&on), verdicts(&off), "{}", on.s.describe());
        let (a, b) = (
            explore_all(&on, limits()).len(),
            explore_all(&off, limits()).len(),
        );
        assert!(a < b, "{a} states with symmetry, {b} without");
    }
}

#[test]
fn bad_scenarios_are_refused() {
    let refuse = |f: fn(&mut Scenario)| {
        let mut s = Scenario {
            model: ModelKind::Reconcile,
            ..Scenario::default()
        };
        f(&mut s);
        scenario::validate(&s).expect_err("refused").to_string()
    };
    assert!(refuse(|s| s.workers = Some(0)).contains("workers must be 1 to 5"));
    assert!(refuse(|s| s.node_monitor_grace_period = Some(Millis(5000)))
        .contains("shorter than the kubelet's heartbeat"));
    assert!(refuse(|s| {
        s.capacity = Some(1);
        s.replicas = Some(4);
    })
    .contains("4 replicas never fit"));
    assert!(refuse(|s| {
        s.anti_affinity = true;
        s.replicas = Some(4);
    })
    .contains("anti-affinity"));
    assert!(refuse(|s| s.min_available = Some(1)).contains("add --drain"));
    assert!(refuse(|s| s.pre_vote = true).contains("pre-vote is not a setting"));
    assert!(refuse(|s| s.inter = Some(Millis(1000))).contains("inter is not a setting"));
    assert!(refuse(|s| s.tick = Some(Millis(3000))).contains("whole number"));
}

/// A canonical state is a renaming: its successors are the renamings of the original's.
#[test]
fn renaming_commutes_with_every_step() {
    let m = model(|s| {
        s.worker_crash = Some(1);
        s.pod_crash = true;
        s.drain = true;
        s.toleration_seconds = Some(Millis(10_000));
    });
    let off = Reconcile {
        s: RcScenario {
            symmetry: false,
            ..m.s.clone()
        },
        ..m.clone()
    };
    let graph = explore_all(&off, limits());
    let mut checked = 0;
    for s in graph.states().take(20_000) {
        let s = &*s;
        let c = m.canonical(s);
        assert_eq!(m.canonical(&c), c, "canonical is idempotent");
        let succ = |x: &RcState| {
            let mut acts = Vec::new();
            m.actions(x, &mut acts);
            let mut out: Vec<RcState> = acts
                .into_iter()
                .filter_map(|a| m.next_state(x, a))
                .map(|t| m.canonical(&t))
                .collect();
            out.sort_by_key(|t| format!("{t:?}"));
            out.dedup();
            out
        };
        assert_eq!(succ(s), succ(&c));
        checked += 1;
    }
    assert!(checked > 1000);
}

/// Steps from a state, by action.
fn step(m: &Reconcile, s: &RcState, a: Action) -> RcState {
    m.next_state(s, a).expect("the step changes the state")
}

/// The settled state: the Deployment rolled out, one pod per worker.
fn settled(m: &Reconcile) -> RcState {
    let mut s = m.init_states().remove(0);
    while !s.settled {
        let mut acts = Vec::new();
        m.actions(&s, &mut acts);
        s = step(m, &s, acts[0]);
    }
    s
}

/// A worker that reaches the control plane again is Ready at the next monitor pass, and its
/// NoExecute taint is lifted.
#[test]
fn a_reconnected_worker_is_ready_again_at_the_next_pass() {
    let m = model(|s| {
        s.worker_partition = true;
        s.heal = true;
    });
    let mut s = settled(&m);
    s = step(
        &m,
        &s,
        Action::CutWorker {
            worker: 0,
            silent: 0,
        },
    );
    for _ in 0..1000 {
        if s.workers[0].noexec.is_some() {
            break;
        }
        let mut acts = Vec::new();
        m.actions(&s, &mut acts);
        let a = acts
            .into_iter()
            .find(|a| matches!(a, Action::Tick | Action::Taint { .. }))
            .expect("time passes or the worker is tainted");
        s = step(&m, &s, a);
    }
    assert!(!s.workers[0].ready);
    s = step(&m, &s, Action::Reconnect { worker: 0 });
    for _ in 0..m.s.node_monitor_period {
        s = step(&m, &s, Action::Tick);
    }
    assert!(s.workers[0].ready);
    assert_eq!(s.workers[0].noexec, None);
}

/// The Eviction API's default `unhealthyPodEvictionPolicy: IfHealthyBudget`: a pod that is
/// not healthy may be evicted while the budget is met, though it allows no disruption.
#[test]
fn an_unhealthy_pod_is_evicted_while_the_budget_is_met() {
    let m = model(|s| {
        s.drain = true;
        s.pod_crash = true;
        s.min_available = Some(2);
    });
    let mut s = settled(&m);
    let pod = s
        .pods
        .iter()
        .position(|p| p.worker == Some(0))
        .expect("a pod on w1") as u8;
    s = step(&m, &s, Action::CrashPod { pod, worker: 0 });
    s = step(&m, &s, Action::Drain { worker: 0 });
    assert_eq!(Reconcile::healthy(&s), 2);
    let mut acts = Vec::new();
    m.actions(&s, &mut acts);
    assert!(acts.contains(&Action::DrainEvict { pod, worker: 0 }));
    // With the budget short, it waits.
    let strict = model(|s| {
        s.drain = true;
        s.pod_crash = true;
        s.min_available = Some(3);
    });
    acts.clear();
    strict.actions(&s, &mut acts);
    assert!(!acts.contains(&Action::DrainEvict { pod, worker: 0 }));
}

fn enabled(m: &Reconcile, s: &RcState) -> Vec<Action> {
    let mut acts = Vec::new();
    m.actions(s, &mut acts);
    acts
}

/// The kubelet learns of pods, and of their deletion, from the API server: a cut-off worker
/// neither starts a pod bound to it nor stops one deleted, and a restarted worker starts
/// nothing while the control plane is down. A crashed worker restarts no container.
#[test]
fn a_kubelet_acts_on_the_api_only_while_it_reaches_it() {
    let m = model(|s| {
        s.worker_partition = true;
        s.worker_crash = Some(1);
        s.pod_crash = true;
        s.control_plane_outage = true;
        s.heal = true;
    });
    let s = settled(&m);
    let pod_on = |s: &RcState, w: u8| {
        s.pods
            .iter()
            .position(|p| p.worker == Some(w))
            .expect("a pod") as u8
    };
    // A pod bound to w1 after it was cut off, and the pods deleted there: neither is started
    // or stopped until w1 reconnects.
    let mut cut = step(
        &m,
        &s,
        Action::CutWorker {
            worker: 0,
            silent: 0,
        },
    );
    let on_w1 = pod_on(&cut, 0) as usize;
    cut.pods[on_w1].phase = Phase::Waiting;
    assert!(!enabled(&m, &cut)
        .iter()
        .any(|a| matches!(a, Action::Start { worker: 0, .. })));
    let mut deleted = cut.clone();
    for p in &mut deleted.pods {
        if p.worker == Some(0) {
            p.deleted = true;
            p.phase = Phase::Running;
        }
    }
    assert!(!enabled(&m, &deleted)
        .iter()
        .any(|a| matches!(a, Action::Remove { .. })));
    let back = step(&m, &deleted, Action::Reconnect { worker: 0 });
    assert!(enabled(&m, &back)
        .iter()
        .any(|a| matches!(a, Action::Remove { worker: 0, .. })));
    // A crashed container on a crashed worker stays crashed.
    let p = pod_on(&s, 1);
    let mut crashed = step(&m, &s, Action::CrashPod { pod: p, worker: 1 });
    crashed = step(
        &m,
        &crashed,
        Action::CrashWorker {
            worker: 1,
            silent: 0,
        },
    );
    for _ in 0..m.s.restart_backoff {
        crashed = step(&m, &crashed, Action::Tick);
    }
    assert!(!enabled(&m, &crashed)
        .iter()
        .any(|a| matches!(a, Action::Restart { .. })));
    // A worker that restarts with the control plane down runs none of its pods again.
    let lost = step(
        &m,
        &s,
        Action::CrashWorker {
            worker: 2,
            silent: 0,
        },
    );
    let down = step(&m, &lost, Action::Outage);
    let rebooted = step(&m, &down, Action::RestartWorker { worker: 2 });
    assert_eq!(Reconcile::serving(&rebooted), 2);
    let down = step(&m, &crashed, Action::Outage);
    let rebooted = step(&m, &down, Action::RestartWorker { worker: 1 });
    assert_eq!(Reconcile::serving(&rebooted), Reconcile::serving(&down));
    assert!(!enabled(&m, &rebooted)
        .iter()
        .any(|a| matches!(a, Action::Start { .. })));
}

/// A crash of the master leading the scheduler (not the controller-manager) leaves new pods
/// pending until a standby scheduler takes the lease, 14 s to 17 s later.
#[test]
fn pods_wait_for_a_standby_scheduler() {
    let m = model(|s| {
        s.masters = 3;
        s.crash = Some(1);
        s.worker_crash = Some(1);
    });
    let mut s = settled(&m);
    s.shared = false;
    s = step(
        &m,
        &s,
        Action::CrashMaster {
            holds: Holds::Scheduler,
        },
    );
    assert_eq!(s.cm, Lease::Held);
    s = step(&m, &s, Action::Create);
    let binds = |s: &RcState| {
        enabled(&m, s)
            .iter()
            .any(|a| matches!(a, Action::Bind { .. }))
    };
    assert!(!binds(&s));
    let mut ticks = 0;
    loop {
        let acts = enabled(&m, &s);
        if let Some(&a) = acts.iter().find(|a| matches!(a, Action::Acquire { .. })) {
            assert_eq!(
                ticks, 14,
                "the lease is free 14 s after the crash at the earliest"
            );
            s = step(&m, &s, a);
            break;
        }
        assert!(!binds(&s));
        s = step(&m, &s, Action::Tick);
        ticks += 1;
        assert!(ticks <= 17, "a standby takes the lease within 17 s");
    }
    assert!(binds(&s));
}

/// A control plane that comes back (a quorum of masters again) elects its controller-manager
/// and scheduler within a retry period, and they act again.
#[test]
fn a_returning_control_plane_elects_its_controllers() {
    let m = model(|s| {
        s.masters = 3;
        s.control_plane_outage = true;
        s.heal = true;
    });
    let mut s = step(&m, &settled(&m), Action::Outage);
    assert_eq!((s.cm, s.scheduler), (Lease::Lost, Lease::Lost));
    s = step(&m, &s, Action::RestartMaster);
    assert_eq!(s.cm, Lease::Lost, "one master of three is no quorum");
    s = step(&m, &s, Action::RestartMaster);
    for _ in 0..m.s.retry_period {
        if let Some(&a) = enabled(&m, &s)
            .iter()
            .find(|a| matches!(a, Action::Acquire { .. }))
        {
            s = step(&m, &s, a);
        } else {
            s = step(&m, &s, Action::Tick);
        }
    }
    while let Some(&a) = enabled(&m, &s)
        .iter()
        .find(|a| matches!(a, Action::Acquire { .. }))
    {
        s = step(&m, &s, a);
    }
    assert_eq!((s.cm, s.scheduler), (Lease::Held, Lease::Held));
}
