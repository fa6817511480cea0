//! The reconcile model's state: workers, pods, the control plane's leases and timers.

use serde::Serialize;

/// A worker node as it is, and as the API server has it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Worker {
    /// Carries the label the pods' nodeSelector asks for (fixed; first in the order, so that
    /// renaming keeps labelled workers apart from the others).
    pub unlabelled: bool,
    pub node: Node,
    /// Ticks since the node lease was last renewed, as the node lifecycle controller has
    /// observed it; counted only while the kubelet cannot renew, and saturated one past the
    /// grace period (beyond it nothing reads the exact value).
    pub silent: u16,
    /// The NodeReady condition the API server holds (false: NotReady / Unknown, with the
    /// NoSchedule taint the node lifecycle controller adds with it).
    pub ready: bool,
    /// The `unreachable:NoExecute` taint, and ticks since it was added (saturated at the
    /// pods' tolerationSeconds).
    pub noexec: Option<u16>,
    /// Cordoned by `kubectl drain`: unschedulable.
    pub cordoned: bool,
}

/// Whether a worker's machine runs, and whether it reaches the control plane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Node {
    Up,
    /// Cut off from the control plane: its kubelet runs its pods but cannot report.
    Cut,
    Crashed,
}

/// A pod of the Deployment.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Pod {
    /// The worker it is bound to, by index.
    pub worker: Option<u8>,
    pub phase: Phase,
    /// Deleted (a deletionTimestamp is set): the ReplicaSet controller no longer counts it;
    /// the object goes once the kubelet has stopped its containers.
    pub deleted: bool,
}

/// What a pod's container is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Phase {
    /// Not running: unscheduled, or bound and not (yet, or again) started by the kubelet.
    Waiting,
    Running,
    /// The container crashed; the kubelet restarts it after this many more ticks of back-off.
    Crashed(u16),
}

/// A leader-election lease (the controller-manager's, the scheduler's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Lease {
    /// Held, and renewed, by a live master.
    Held,
    /// Its holder is gone: a standby takes it once `wait` ticks have passed, within `window`
    /// more ticks (the retry period of the standbys against the lease's last renewal).
    Vacant { wait: u16, window: u16 },
    /// No control plane: nobody holds or takes a lease until a quorum of masters is back.
    Lost,
}

/// The whole state.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct RcState {
    pub workers: Vec<Worker>,
    /// Sorted: pods have no identity beyond what they are and where.
    pub pods: Vec<Pod>,
    /// Masters running.
    pub live: u8,
    pub cm: Lease,
    pub scheduler: Lease,
    /// The controller-manager and the scheduler lead from the same master.
    pub shared: bool,
    /// Ticks until the node lifecycle controller's next pass (1 to the monitor period).
    pub monitor: u16,
    /// Ticks until the eviction rate limiter lets the next node be tainted.
    pub taint_wait: u16,
    /// The Deployment rolled out once; faults come after.
    pub settled: bool,
    /// Faults used.
    pub worker_crashes: u8,
    pub master_crashes: u8,
    pub cut_used: bool,
    pub pod_crash_used: bool,
    pub outage_used: bool,
    /// The worker being drained, by index.
    pub draining: Option<u8>,
    /// Observer: ticks from the first worker failure, until its pods run again elsewhere (or
    /// on it, back); `None` before any failure or when the model does not observe.
    pub clock: Option<u16>,
    pub rescheduled: bool,
    /// Witnesses for the invariants: the scheduler bound a pod to a NotReady worker; a
    /// voluntary eviction took the healthy pods below the budget.
    pub bound_unready: bool,
    pub budget_broken: bool,
}
