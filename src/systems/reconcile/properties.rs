//! The reconcile model's properties.

use super::state::{Node, Phase, RcState};
use super::Reconcile;
use crate::property::{Amount, Kind, Liveness, Property};

pub const REPLICAS_CONVERGE: &str = "replicas-converge";
pub const NO_BIND_TO_UNREADY: &str = "no-bind-to-unready-node";
pub const NO_OVERCOMMIT: &str = "no-overcommit";
pub const PDB_RESPECTED: &str = "pdb-respected";
pub const CONTAINER_RESTARTS: &str = "crashed-container-restarts";
pub const PODS_RESCHEDULED: &str = "pods-rescheduled-after-node-failure";
pub const DRAIN_COMPLETES: &str = "drain-completes";
pub const RESCHEDULE_TIME: &str = "reschedule-time";
pub const FEWEST_SERVING: &str = "fewest-serving-replicas";
pub const EXTRA_COPIES: &str = "more-copies-than-replicas";

pub fn catalogue() -> Vec<Property<Reconcile>> {
    vec![
        Property {
            name: REPLICAS_CONVERGE,
            meaning: "every fair behaviour comes to run as many replicas as desired, and stays so",
            kind: Kind::Liveness(Liveness::EventuallyAlways(all_serving)),
        },
        Property {
            name: NO_BIND_TO_UNREADY,
            meaning: "the scheduler never binds a pod to a worker the API server holds NotReady",
            kind: Kind::Invariant(bound_unready),
        },
        Property {
            name: NO_OVERCOMMIT,
            meaning: "no worker is ever given more pods than it has room for",
            kind: Kind::Invariant(overcommit),
        },
        Property {
            name: PDB_RESPECTED,
            meaning: "no voluntary eviction (kubectl drain) takes the healthy pods below the budget's minAvailable",
            kind: Kind::Invariant(budget_broken),
        },
        Property {
            name: CONTAINER_RESTARTS,
            meaning: "a crashed container on a running worker is restarted, even with the control plane down",
            kind: Kind::Liveness(Liveness::LeadsTo(crashed_container, no_crashed_container)),
        },
        Property {
            name: PODS_RESCHEDULED,
            meaning: "pods bound to a failed worker come to run again: every replica runs, none on a failed worker",
            kind: Kind::Liveness(Liveness::LeadsTo(stranded, rescheduled)),
        },
        Property {
            name: DRAIN_COMPLETES,
            meaning: "kubectl drain comes to evict every pod of the drained worker",
            kind: Kind::Liveness(Liveness::LeadsTo(drain_pending, drain_done)),
        },
        Property {
            name: EXTRA_COPIES,
            meaning: "more copies of the pod run at once than the Deployment's replicas (deleted ones still running on a cut-off worker)",
            kind: Kind::Possibility(extra_copies),
        },
        Property {
            name: RESCHEDULE_TIME,
            meaning: "from a worker's failure to every replica running again, none on a failed worker (ms)",
            kind: Kind::Measure {
                value: reschedule_time,
                unit: "ms",
            },
        },
        Property {
            name: FEWEST_SERVING,
            meaning: "the fewest replicas serving at once after the Deployment first rolled out",
            kind: Kind::Measure {
                value: fewest_serving,
                unit: "replicas",
            },
        },
    ]
}

/// Why a property says nothing about a configuration.
pub fn vacuous(m: &Reconcile, property: &str) -> Option<&'static str> {
    let s = &m.s;
    let worker_fails = s.worker_crash > 0 || s.worker_partition;
    match property {
        PDB_RESPECTED | DRAIN_COMPLETES if !s.drain => Some("no worker is drained (add --drain)"),
        CONTAINER_RESTARTS if !s.pod_crash => Some("no container crashes (add --pod-crash)"),
        EXTRA_COPIES if !s.worker_partition => {
            Some("no worker is cut off (add --worker-partition)")
        }
        PODS_RESCHEDULED | RESCHEDULE_TIME if !worker_fails => {
            Some("no worker fails (add --worker-crash or --worker-partition)")
        }
        _ => None,
    }
}

pub fn stateright_invariants() -> Vec<stateright::Property<Reconcile>> {
    vec![
        stateright::Property::always(NO_BIND_TO_UNREADY, |m: &Reconcile, s: &RcState| {
            bound_unready(m, s).is_none()
        }),
        stateright::Property::always(NO_OVERCOMMIT, |m: &Reconcile, s: &RcState| {
            overcommit(m, s).is_none()
        }),
        stateright::Property::always(PDB_RESPECTED, |m: &Reconcile, s: &RcState| {
            budget_broken(m, s).is_none()
        }),
    ]
}

fn all_serving(m: &Reconcile, s: &RcState) -> bool {
    Reconcile::serving(s) == usize::from(m.s.replicas)
}

fn bound_unready(_: &Reconcile, s: &RcState) -> Option<String> {
    s.bound_unready
        .then(|| "the scheduler bound a pod to a NotReady worker".to_string())
}

fn overcommit(m: &Reconcile, s: &RcState) -> Option<String> {
    (0..s.workers.len())
        .find(|&w| Reconcile::load(s, w) > usize::from(m.s.capacity))
        .map(|w| {
            format!(
                "{} holds {} pods; it has room for {}",
                Reconcile::worker_name(w as u8),
                Reconcile::load(s, w),
                m.s.capacity
            )
        })
}

fn budget_broken(m: &Reconcile, s: &RcState) -> Option<String> {
    s.budget_broken.then(|| {
        format!(
            "a voluntary eviction left {} healthy pods; the budget's minAvailable is {}",
            Reconcile::healthy(s),
            m.s.min_available
        )
    })
}

fn crashed_container(_: &Reconcile, s: &RcState) -> bool {
    s.pods.iter().any(|p| {
        !p.deleted
            && matches!(p.phase, Phase::Crashed(_))
            && p.worker
                .is_some_and(|w| s.workers[w as usize].node != Node::Crashed)
    })
}

fn no_crashed_container(m: &Reconcile, s: &RcState) -> bool {
    !crashed_container(m, s)
}

fn stranded(_: &Reconcile, s: &RcState) -> bool {
    Reconcile::stranded(s)
}

fn rescheduled(m: &Reconcile, s: &RcState) -> bool {
    m.rescheduled(s)
}

fn drain_pending(_: &Reconcile, s: &RcState) -> bool {
    s.draining
        .is_some_and(|w| s.pods.iter().any(|p| p.worker == Some(w) && !p.deleted))
}

fn drain_done(m: &Reconcile, s: &RcState) -> bool {
    !drain_pending(m, s)
}

fn extra_copies(m: &Reconcile, s: &RcState) -> bool {
    let running = s
        .pods
        .iter()
        .filter(|p| {
            p.phase == Phase::Running
                && p.worker
                    .is_some_and(|w| s.workers[w as usize].node != Node::Crashed)
        })
        .count();
    running > usize::from(m.s.replicas)
}

fn reschedule_time(m: &Reconcile, s: &RcState) -> Option<Amount> {
    let c = s.clock?;
    // At the ceiling the clock stopped counting: a reschedule that late (after a fault's
    // arbitrary delay) or none at all.
    if c == m.clock_cap() {
        Some(Amount::Unbounded)
    } else {
        s.rescheduled
            .then(|| Amount::Finite(u64::from(c) * u64::from(m.s.tick_ms)))
    }
}

fn fewest_serving(_: &Reconcile, s: &RcState) -> Option<Amount> {
    s.settled
        .then(|| Amount::Finite(Reconcile::serving(s) as u64))
}
