//! # Controllers reconciling a Deployment: do my pods come back, and when
//!
//! The controllers and agents that decide whether a Deployment's pods run again after a fault,
//! with Kubernetes' own timings (defaults of v1.32 and later, each overridable; see
//! [`scenario::defaults`]), in ticks of `--tick` (1 s by default):
//!
//! - **ReplicaSet controller** (in the controller-manager): creates a pod whenever fewer pods
//!   than replicas exist that are not being deleted. A pod with a deletionTimestamp no longer
//!   counts, even while it is stuck terminating on a dead node.
//! - **Scheduler**: filters the workers (NodeReady and its NoSchedule taint, cordon, resources
//!   as pod-sized `capacity`, the nodeSelector's label, required anti-affinity on the
//!   hostname; terminating pods still occupy their node, as in the scheduler's cache), scores
//!   them by least allocation, and binds to a best one (any of equals).
//! - **Node lifecycle controller** (in the controller-manager): a pass every
//!   `--node-monitor-period` (5 s) marks a worker NotReady whose lease has not been renewed for
//!   longer than `--node-monitor-grace-period` (50 s; 40 s before v1.32), and Ready again once
//!   it renews. A NotReady worker gets the `unreachable:NoExecute` taint, one worker per
//!   `--node-eviction-rate` interval (0.1/s: 10 s), and none while the zone is partially
//!   disrupted: more than two workers and at least 55% of them NotReady (its secondary rate is
//!   0 in clusters of at most 50 nodes). Full disruption (every worker NotReady) also stops
//!   evictions in Kubernetes; here it changes nothing, since no pod could run anywhere then,
//!   and it is left out.
//! - **Taint manager**: deletes the pods of a tainted worker once their `tolerationSeconds`
//!   (300 s, added to every pod by the DefaultTolerationSeconds admission plugin) have passed
//!   since the taint was added.
//! - **Kubelets** renew their node lease every 10 s, start pods bound to them, stop deleted
//!   ones (and the object goes), and restart a crashed container after its back-off (10 s the
//!   first time, restartPolicy Always) on their own, even with no control plane to talk to. A
//!   kubelet needs the API server to learn of new pods, or of deletions.
//! - **Leader election**: one active controller-manager and one active scheduler, each holding
//!   a lease (`--leader-elect-lease-duration` 15 s, renewed every `--leader-elect-retry-period`
//!   2 s). When its master crashes, a standby on a live master takes the lease between
//!   `lease − retry` (exclusive) and `lease + retry` after the crash. A new controller-manager
//!   starts its node lifecycle controller afresh: every worker gets a full grace period from
//!   then.
//! - **The control plane** works while a quorum (a majority) of the masters is up: the rule
//!   the Raft model decides (`write-availability`), checked against it by the tests.
//!   `--control-plane-outage` takes every master down at once. A control plane that comes back
//!   (`--heal`) elects its controller-manager and scheduler afresh within a retry period.
//! - **`kubectl drain`** cordons a worker and evicts its pods through the Eviction API, which
//!   refuses while the PodDisruptionBudget allows no disruption (`--disable-eviction` deletes
//!   instead, bypassing the budget).
//!
//! ## Time
//! Every controller reacts to a watch event within the tick it happens in: those steps are
//! urgent, and time passes (a `tick` step) only when none is enabled. Timers (monitor passes,
//! lease expiries, back-offs, the taint's age) run on ticks. Live workers' lease renewals are
//! abstracted: a renewing worker is never more than one heartbeat behind, which is below the
//! grace period (a shorter grace is refused), so only a failed worker's silence is counted, from
//! a last renewal 0 to one heartbeat before its failure. A pod starts within the tick it is
//! bound in, and a deleted pod on a working node goes within the tick (its graceful
//! termination is not modelled).
//!
//! ## Liveness, and why no bound fakes a lasso
//! Fair classes: the controller-manager, the scheduler, the kubelets, leader election, the
//! drain's retries, and time itself. Faults are one-shot and not fair. Every counter of the
//! state saturates only where the model stops reading it (a silence one past the grace
//! period, a taint at its tolerationSeconds, a back-off at 0), so a state at a saturated
//! counter behaves exactly as every state it stands for: a cycle through it is a real
//! behaviour, and no step is ever disabled by a bound. The reschedule clock, the one counter
//! that would saturate arbitrarily, is an observer no rule reads, and the liveness graph
//! ([`System::for_liveness`]) leaves it out.
//!
//! Left out: graceful termination, image pulls, the crash-loop back-off beyond its first step,
//! DaemonSets and StatefulSets, several zones, the disruption controller's own lag.

pub mod properties;
pub mod scenario;
pub mod state;
#[cfg(test)]
mod tests;

use stateright::Model;

use crate::property::Property;
use crate::systems::System;
use scenario::RcScenario;
use state::{Lease, Node, Phase, Pod, RcState, Worker};

/// A variant of the model with one rule broken, for the tests that show an invariant can fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Broken {
    /// The scheduler does not filter out NotReady workers.
    IgnoreReadiness,
    /// The scheduler does not filter on resources.
    IgnoreCapacity,
}

/// The reconcile model.
#[derive(Clone, Debug)]
pub struct Reconcile {
    pub s: RcScenario,
    /// Track the reschedule clock (off for liveness, which needs no observer).
    pub observe: bool,
    /// Which classes are fair (false: none but time; for the test that shows what fairness
    /// buys).
    pub fair: bool,
    pub broken: Option<Broken>,
}

/// Which lease a step is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Which {
    ControllerManager,
    Scheduler,
}

/// A master that crashes: the one leading the controller-manager (and the scheduler, if it
/// leads both), the scheduler's leader, or one leading neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Holds {
    ControllerManager,
    Scheduler,
    Neither,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Time passes by one tick.
    Tick,
    /// The ReplicaSet controller creates a pod.
    Create,
    Bind {
        pod: u8,
        worker: u8,
    },
    /// The kubelet starts a pod bound to its node.
    Start {
        pod: u8,
        worker: u8,
    },
    /// The kubelet restarts a crashed container.
    Restart {
        pod: u8,
        worker: u8,
    },
    /// The kubelet stops a deleted pod; its object goes.
    Remove {
        pod: u8,
        worker: u8,
    },
    Taint {
        worker: u8,
    },
    Evict {
        worker: u8,
    },
    Acquire {
        lease: Which,
        shared: bool,
    },
    CrashWorker {
        worker: u8,
        silent: u16,
    },
    CutWorker {
        worker: u8,
        silent: u16,
    },
    RestartWorker {
        worker: u8,
    },
    Reconnect {
        worker: u8,
    },
    CrashMaster {
        holds: Holds,
    },
    Outage,
    RestartMaster,
    CrashPod {
        pod: u8,
        worker: u8,
    },
    Drain {
        worker: u8,
    },
    DrainEvict {
        pod: u8,
        worker: u8,
    },
}

/// The fair classes, by index.
const FAIRNESS: [&str; 6] = [
    "controller-manager",
    "scheduler",
    "kubelet",
    "leader-election",
    "drain",
    "time",
];

impl Reconcile {
    pub fn new(s: &RcScenario) -> Reconcile {
        Reconcile {
            s: s.clone(),
            observe: true,
            fair: true,
            broken: None,
        }
    }

    /// The reschedule clock's ceiling: longer than the longest chain of timers that ends in a
    /// reschedule. A clock that reaches it measures a reschedule that never comes, or comes
    /// only after a fault's arbitrary delay.
    pub fn clock_cap(&self) -> u16 {
        let s = &self.s;
        let sum = u32::from(s.heartbeat)
            + u32::from(s.node_monitor_grace_period)
            + 2 * u32::from(s.node_monitor_period)
            + u32::from(s.workers) * u32::from(s.eviction_interval)
            + u32::from(s.toleration)
            + 2 * (u32::from(s.lease_duration) + u32::from(s.retry_period))
            + u32::from(s.restart_backoff)
            + 10;
        sum.min(u32::from(u16::MAX)) as u16
    }

    pub fn cp_up(&self, s: &RcState) -> bool {
        s.live >= self.s.quorum
    }

    pub fn cm_active(&self, s: &RcState) -> bool {
        self.cp_up(s) && s.cm == Lease::Held
    }

    pub fn scheduler_active(&self, s: &RcState) -> bool {
        self.cp_up(s) && s.scheduler == Lease::Held
    }

    /// The kubelet of this worker talks to the API server (renews its lease, sees bindings and
    /// deletions).
    pub fn connected(&self, s: &RcState, w: usize) -> bool {
        s.workers[w].node == Node::Up && self.cp_up(s)
    }

    /// Pods bound to a worker, terminating ones included (the scheduler's view).
    pub fn load(s: &RcState, w: usize) -> usize {
        s.pods.iter().filter(|p| p.worker == Some(w as u8)).count()
    }

    /// Pods really serving: not deleted, container running, on a worker that runs.
    pub fn serving(s: &RcState) -> usize {
        s.pods
            .iter()
            .filter(|p| {
                !p.deleted
                    && p.phase == Phase::Running
                    && p.worker
                        .is_some_and(|w| s.workers[w as usize].node != Node::Crashed)
            })
            .count()
    }

    /// Pods the API server counts healthy for the disruption budget: not deleted, running as
    /// last reported, on a worker it holds Ready.
    pub fn healthy(s: &RcState) -> usize {
        s.pods.iter().filter(|p| Self::api_healthy(s, p)).count()
    }

    fn api_healthy(s: &RcState, p: &Pod) -> bool {
        !p.deleted
            && p.phase == Phase::Running
            && p.worker.is_some_and(|w| s.workers[w as usize].ready)
    }

    /// Some pod that is not deleted is bound to a failed (crashed or cut-off) worker.
    pub fn stranded(s: &RcState) -> bool {
        s.pods.iter().any(|p| {
            !p.deleted
                && p.worker
                    .is_some_and(|w| s.workers[w as usize].node != Node::Up)
        })
    }

    /// Every replica runs, none on a failed worker.
    pub fn rescheduled(&self, s: &RcState) -> bool {
        !Self::stranded(s) && Self::serving(s) == usize::from(self.s.replicas)
    }

    /// Whether the zone lets the node lifecycle controller taint NotReady workers.
    fn zone_normal(s: &RcState) -> bool {
        let n = s.workers.len();
        let not_ready = s.workers.iter().filter(|w| !w.ready).count();
        // Partial disruption: the secondary eviction rate, 0 in clusters of at most 50 nodes.
        !(not_ready > 2 && not_ready * 100 >= 55 * n)
    }

    fn feasible(&self, s: &RcState, w: usize) -> bool {
        let worker = &s.workers[w];
        (worker.ready || self.broken == Some(Broken::IgnoreReadiness))
            && !worker.cordoned
            && !worker.unlabelled
            && (Self::load(s, w) < usize::from(self.s.capacity)
                || self.broken == Some(Broken::IgnoreCapacity))
            && (!self.s.anti_affinity || Self::load(s, w) == 0)
    }

    /// The workers the scheduler may bind a pod to: feasible, and least allocated among them.
    pub fn best_workers(&self, s: &RcState) -> Vec<usize> {
        let feasible: Vec<usize> = (0..s.workers.len())
            .filter(|&w| self.feasible(s, w))
            .collect();
        let least = feasible.iter().map(|&w| Self::load(s, w)).min();
        feasible
            .into_iter()
            .filter(|&w| Some(Self::load(s, w)) == least)
            .collect()
    }

    fn initial(&self) -> RcState {
        let workers = (0..self.s.workers)
            .map(|i| Worker {
                unlabelled: i >= self.s.labelled,
                node: Node::Up,
                silent: 0,
                ready: true,
                noexec: None,
                cordoned: false,
            })
            .collect();
        RcState {
            workers,
            pods: Vec::new(),
            live: self.s.masters,
            cm: Lease::Held,
            scheduler: Lease::Held,
            shared: true,
            monitor: self.s.node_monitor_period,
            taint_wait: 0,
            settled: false,
            worker_crashes: 0,
            master_crashes: 0,
            cut_used: false,
            pod_crash_used: false,
            outage_used: false,
            draining: None,
            clock: None,
            rescheduled: false,
            bound_unready: false,
            budget_broken: false,
        }
    }

    /// The steps that happen within the current tick, before time may pass.
    fn urgent(&self, s: &RcState, out: &mut Vec<Action>) {
        let cm = self.cm_active(s);
        if cm && s.pods.iter().filter(|p| !p.deleted).count() < usize::from(self.s.replicas) {
            out.push(Action::Create);
        }
        if self.scheduler_active(s) {
            if let Some(pod) = s.pods.iter().position(|p| p.worker.is_none()) {
                for w in self.best_workers(s) {
                    out.push(Action::Bind {
                        pod: pod as u8,
                        worker: w as u8,
                    });
                }
            }
        }
        for (i, p) in s.pods.iter().enumerate() {
            let Some(w) = p.worker else { continue };
            let wi = w as usize;
            let connected = self.connected(s, wi);
            let runs = s.workers[wi].node != Node::Crashed;
            let (pod, worker) = (i as u8, w);
            if p.deleted {
                if connected {
                    out.push(Action::Remove { pod, worker });
                }
                continue;
            }
            match p.phase {
                Phase::Waiting if connected => out.push(Action::Start { pod, worker }),
                Phase::Crashed(0) if runs => out.push(Action::Restart { pod, worker }),
                _ => {}
            }
        }
        if cm {
            for (w, worker) in s.workers.iter().enumerate() {
                if !worker.ready
                    && worker.noexec.is_none()
                    && s.taint_wait == 0
                    && Self::zone_normal(s)
                {
                    out.push(Action::Taint { worker: w as u8 });
                }
                if worker.noexec == Some(self.s.toleration)
                    && s.pods
                        .iter()
                        .any(|p| !p.deleted && p.worker == Some(w as u8))
                {
                    out.push(Action::Evict { worker: w as u8 });
                }
            }
        }
        for (which, lease) in [
            (Which::ControllerManager, s.cm),
            (Which::Scheduler, s.scheduler),
        ] {
            if let Lease::Vacant { wait: 0, window } = lease {
                if self.cp_up(s) && window == 0 {
                    self.acquisitions(s, which, out);
                }
            }
        }
    }

    fn acquisitions(&self, s: &RcState, which: Which, out: &mut Vec<Action>) {
        let other = match which {
            Which::ControllerManager => s.scheduler,
            Which::Scheduler => s.cm,
        };
        if other == Lease::Held {
            out.push(Action::Acquire {
                lease: which,
                shared: true,
            });
            if s.live >= 2 {
                out.push(Action::Acquire {
                    lease: which,
                    shared: false,
                });
            }
        } else {
            out.push(Action::Acquire {
                lease: which,
                shared: false,
            });
        }
    }

    /// Steps that may happen at any time: faults, the operator, a standby's lease retries.
    fn optional(&self, s: &RcState, out: &mut Vec<Action>) {
        for (which, lease) in [
            (Which::ControllerManager, s.cm),
            (Which::Scheduler, s.scheduler),
        ] {
            if let Lease::Vacant { wait: 0, window } = lease {
                if self.cp_up(s) && window > 0 {
                    self.acquisitions(s, which, out);
                }
            }
        }
        if !s.settled {
            return;
        }
        let sc = &self.s;
        for (w, worker) in s.workers.iter().enumerate() {
            let worker_id = w as u8;
            if worker.node == Node::Up {
                // The kubelet renewed its lease 0 to heartbeat − 1 ticks before the failure
                // (while it can renew at all).
                let silences = if self.cp_up(s) {
                    0..sc.heartbeat
                } else {
                    worker.silent..worker.silent + 1
                };
                if s.worker_crashes < sc.worker_crash {
                    for silent in silences.clone() {
                        out.push(Action::CrashWorker {
                            worker: worker_id,
                            silent,
                        });
                    }
                }
                if sc.worker_partition && !s.cut_used {
                    for silent in silences {
                        out.push(Action::CutWorker {
                            worker: worker_id,
                            silent,
                        });
                    }
                }
                if sc.drain && s.draining.is_none() && self.cp_up(s) {
                    out.push(Action::Drain { worker: worker_id });
                }
            }
            if sc.heal && worker.node == Node::Crashed {
                out.push(Action::RestartWorker { worker: worker_id });
            }
            if sc.heal && worker.node == Node::Cut {
                out.push(Action::Reconnect { worker: worker_id });
            }
        }
        if s.master_crashes < sc.crash && s.live > 0 {
            let cm = s.cm == Lease::Held;
            let sched = s.scheduler == Lease::Held;
            let holders = u8::from(cm) + u8::from(sched) - u8::from(cm && sched && s.shared);
            if cm {
                out.push(Action::CrashMaster {
                    holds: Holds::ControllerManager,
                });
            }
            if sched && !(cm && s.shared) {
                out.push(Action::CrashMaster {
                    holds: Holds::Scheduler,
                });
            }
            if s.live > holders {
                out.push(Action::CrashMaster {
                    holds: Holds::Neither,
                });
            }
        }
        if sc.control_plane_outage && !s.outage_used && s.live > 0 {
            out.push(Action::Outage);
        }
        if sc.heal && s.live < sc.masters {
            out.push(Action::RestartMaster);
        }
        if sc.pod_crash && !s.pod_crash_used {
            for (i, p) in s.pods.iter().enumerate() {
                if let Some(w) = p.worker {
                    if !p.deleted
                        && p.phase == Phase::Running
                        && s.workers[w as usize].node != Node::Crashed
                    {
                        out.push(Action::CrashPod {
                            pod: i as u8,
                            worker: w,
                        });
                    }
                }
            }
        }
        if let Some(w) = s.draining {
            if self.cp_up(s) {
                for (i, p) in s.pods.iter().enumerate() {
                    if p.worker == Some(w) && !p.deleted && self.may_evict(s, p) {
                        out.push(Action::DrainEvict {
                            pod: i as u8,
                            worker: w,
                        });
                    }
                }
            }
        }
    }

    /// Whether the Eviction API lets the drain evict this pod now: the budget allows a
    /// disruption, or the pod is not healthy and the budget is met (the default
    /// `unhealthyPodEvictionPolicy: IfHealthyBudget`). `--disable-eviction` deletes whatever
    /// the budget says.
    fn may_evict(&self, s: &RcState, p: &Pod) -> bool {
        let healthy = Self::healthy(s);
        let min = usize::from(self.s.min_available);
        self.s.disable_eviction || healthy > min || (!Self::api_healthy(s, p) && healthy >= min)
    }

    fn vacate(&self) -> Lease {
        Lease::Vacant {
            wait: self.s.lease_duration - self.s.retry_period + 1,
            window: 2 * self.s.retry_period - 1,
        }
    }

    fn tick(&self, s: &mut RcState) {
        let sc = &self.s;
        let cp_up = self.cp_up(s);
        // A silence counts only while a node lifecycle controller watches it: a new one starts
        // every worker's afresh.
        let watched = self.cm_active(s);
        for w in &mut s.workers {
            if w.node == Node::Up && cp_up {
                w.silent = 0;
            } else if watched {
                w.silent = (w.silent + 1).min(sc.node_monitor_grace_period + 1);
            }
            if let Some(age) = w.noexec {
                w.noexec = Some((age + 1).min(sc.toleration));
            }
        }
        s.taint_wait = s.taint_wait.saturating_sub(1);
        for p in &mut s.pods {
            if let Phase::Crashed(n) = p.phase {
                p.phase = Phase::Crashed(n.saturating_sub(1));
            }
        }
        for lease in [&mut s.cm, &mut s.scheduler] {
            if let Lease::Vacant { wait, window } = lease {
                if *wait > 0 {
                    *wait -= 1;
                } else {
                    *window = window.saturating_sub(1);
                }
            }
        }
        if self.cm_active(s) {
            s.monitor -= 1;
            if s.monitor == 0 {
                s.monitor = sc.node_monitor_period;
                self.monitor_pass(s);
            }
        }
        if let Some(c) = s.clock.as_mut() {
            if !s.rescheduled {
                *c = (*c + 1).min(self.clock_cap());
            }
        }
    }

    /// The node lifecycle controller's pass over the workers.
    fn monitor_pass(&self, s: &mut RcState) {
        let cp_up = self.cp_up(s);
        for w in &mut s.workers {
            if w.ready && w.silent > self.s.node_monitor_grace_period {
                w.ready = false;
            } else if !w.ready && w.node == Node::Up && cp_up {
                w.ready = true;
                w.noexec = None;
            }
        }
    }

    fn apply(&self, s: &mut RcState, action: Action) {
        let sc = &self.s;
        match action {
            Action::Tick => self.tick(s),
            Action::Create => s.pods.push(Pod {
                worker: None,
                phase: Phase::Waiting,
                deleted: false,
            }),
            Action::Bind { pod, worker } => {
                if !s.workers[worker as usize].ready {
                    s.bound_unready = true;
                }
                s.pods[pod as usize].worker = Some(worker);
            }
            Action::Start { pod, .. } | Action::Restart { pod, .. } => {
                s.pods[pod as usize].phase = Phase::Running;
            }
            Action::Remove { pod, .. } => {
                s.pods.remove(pod as usize);
            }
            Action::Taint { worker } => {
                s.workers[worker as usize].noexec = Some(0);
                s.taint_wait = sc.eviction_interval;
            }
            Action::Evict { worker } => {
                for p in &mut s.pods {
                    if p.worker == Some(worker) {
                        p.deleted = true;
                    }
                }
            }
            Action::Acquire { lease, shared } => {
                match lease {
                    Which::ControllerManager => {
                        s.cm = Lease::Held;
                        // A new node lifecycle controller: every worker's silence counts
                        // from now, and its first pass is a period away.
                        for w in &mut s.workers {
                            w.silent = 0;
                        }
                        s.monitor = sc.node_monitor_period;
                    }
                    Which::Scheduler => s.scheduler = Lease::Held,
                }
                s.shared = shared;
            }
            Action::CrashWorker { worker, silent } | Action::CutWorker { worker, silent } => {
                let w = &mut s.workers[worker as usize];
                w.silent = silent;
                if matches!(action, Action::CrashWorker { .. }) {
                    w.node = Node::Crashed;
                    s.worker_crashes += 1;
                } else {
                    w.node = Node::Cut;
                    s.cut_used = true;
                }
                if self.observe && s.clock.is_none() {
                    s.clock = Some(0);
                }
            }
            Action::RestartWorker { worker } => {
                s.workers[worker as usize].node = Node::Up;
                for p in &mut s.pods {
                    if p.worker == Some(worker) {
                        p.phase = Phase::Waiting;
                    }
                }
            }
            Action::Reconnect { worker } => s.workers[worker as usize].node = Node::Up,
            Action::CrashMaster { holds } => {
                s.live -= 1;
                s.master_crashes += 1;
                match holds {
                    Holds::ControllerManager => {
                        s.cm = self.vacate();
                        if s.shared {
                            s.scheduler = self.vacate();
                        }
                    }
                    Holds::Scheduler => s.scheduler = self.vacate(),
                    Holds::Neither => {}
                }
                if s.live == 0 {
                    s.cm = self.vacate();
                    s.scheduler = self.vacate();
                }
            }
            Action::Outage => {
                s.live = 0;
                s.outage_used = true;
                s.cm = self.vacate();
                s.scheduler = self.vacate();
            }
            Action::RestartMaster => {
                let was_up = self.cp_up(s);
                s.live += 1;
                if !was_up && self.cp_up(s) {
                    // Leaders lost their leases while the API was gone: standbys and the
                    // restarted take them within a retry period.
                    let fresh = Lease::Vacant {
                        wait: 1,
                        window: sc.retry_period - 1,
                    };
                    s.cm = fresh;
                    s.scheduler = fresh;
                }
            }
            Action::CrashPod { pod, .. } => {
                s.pods[pod as usize].phase = Phase::Crashed(sc.restart_backoff);
                s.pod_crash_used = true;
            }
            Action::Drain { worker } => {
                s.workers[worker as usize].cordoned = true;
                s.draining = Some(worker);
            }
            Action::DrainEvict { pod, .. } => {
                let healthy = Self::healthy(s);
                let p = &s.pods[pod as usize];
                if Self::api_healthy(s, p) && healthy - 1 < usize::from(sc.min_available) {
                    s.budget_broken = true;
                }
                s.pods[pod as usize].deleted = true;
            }
        }
        if !self.cp_up(s) {
            s.cm = Lease::Lost;
            s.scheduler = Lease::Lost;
            s.shared = true;
        }
        if !s.settled && Self::serving(s) == usize::from(sc.replicas) && !Self::stranded(s) {
            s.settled = true;
        }
        if s.clock.is_some() && !s.rescheduled && self.rescheduled(s) {
            s.rescheduled = true;
        }
    }

    /// The canonical renaming of a state: workers ordered by what they are and what runs on
    /// them (labelled ones first), pods sorted.
    pub fn canonical(&self, s: &RcState) -> RcState {
        let key = |w: usize| {
            let mut pods: Vec<(Phase, bool)> = s
                .pods
                .iter()
                .filter(|p| p.worker == Some(w as u8))
                .map(|p| (p.phase, p.deleted))
                .collect();
            pods.sort();
            (s.workers[w].clone(), s.draining == Some(w as u8), pods)
        };
        let mut order: Vec<usize> = (0..s.workers.len()).collect();
        order.sort_by_cached_key(|&w| key(w));
        let mut rename = vec![0u8; order.len()];
        for (new, &old) in order.iter().enumerate() {
            rename[old] = new as u8;
        }
        let mut out = s.clone();
        out.workers = order.iter().map(|&w| s.workers[w].clone()).collect();
        for p in &mut out.pods {
            p.worker = p.worker.map(|w| rename[w as usize]);
        }
        out.pods.sort();
        out.draining = s.draining.map(|w| rename[w as usize]);
        out
    }

    /// A worker's name.
    pub fn worker_name(w: u8) -> String {
        format!("w{}", w + 1)
    }

    fn pods_on(s: &RcState, w: usize) -> String {
        let pods: Vec<&str> = s
            .pods
            .iter()
            .filter(|p| p.worker == Some(w as u8))
            .map(|p| match (p.deleted, p.phase) {
                (true, Phase::Running) if s.workers[w].node == Node::Cut => {
                    "deleted, still running"
                }
                (true, _) => "terminating",
                (false, Phase::Running) if s.workers[w].node == Node::Crashed => "lost",
                (false, Phase::Running) => "running",
                (false, Phase::Waiting) => "waiting",
                (false, Phase::Crashed(_)) => "crashed",
            })
            .collect();
        if pods.is_empty() {
            "no pods".to_string()
        } else {
            pods.join(", ")
        }
    }

    fn describe_worker(&self, s: &RcState, w: usize) -> String {
        let worker = &s.workers[w];
        let mut words = vec![match worker.node {
            Node::Up => "up",
            Node::Cut => "cut off",
            Node::Crashed => "crashed",
        }
        .to_string()];
        words.push(if worker.ready { "Ready" } else { "NotReady" }.to_string());
        if worker.noexec.is_some() {
            words.push("NoExecute-tainted".to_string());
        }
        if worker.cordoned {
            words.push("cordoned".to_string());
        }
        format!(
            "{}: {} [{}]",
            Self::worker_name(w as u8),
            words.join(" "),
            Self::pods_on(s, w)
        )
    }

    fn renewed(&self, silent: u16) -> String {
        if silent == 0 {
            "its node lease just renewed".to_string()
        } else {
            format!(
                "its node lease last renewed {} before",
                self.s.time(silent.into())
            )
        }
    }

    fn lease_words(&self, lease: Lease) -> String {
        match lease {
            Lease::Held => "leading".to_string(),
            Lease::Lost => "gone with the control plane".to_string(),
            Lease::Vacant { wait, window } => format!(
                "no leader (a standby takes over in {} to {})",
                self.s.time(wait.into()),
                self.s.time(u32::from(wait) + u32::from(window))
            ),
        }
    }
}

impl Model for Reconcile {
    type State = RcState;
    type Action = Action;

    fn init_states(&self) -> Vec<RcState> {
        vec![self.initial()]
    }

    fn actions(&self, s: &RcState, actions: &mut Vec<Action>) {
        self.urgent(s, actions);
        if actions.is_empty() {
            actions.push(Action::Tick);
        }
        self.optional(s, actions);
    }

    fn next_state(&self, s: &RcState, action: Action) -> Option<RcState> {
        let mut next = s.clone();
        self.apply(&mut next, action);
        // Time passing where nothing changes is a step all the same (a self-loop): the
        // behaviour that stays there for ever is one liveness must see.
        if next == *s && action != Action::Tick {
            return None;
        }
        // Pods have no identity: a state keeps them sorted. Renaming workers is the engine's
        // (through `representative`).
        next.pods.sort();
        Some(next)
    }

    fn format_action(&self, action: &Action) -> String {
        self.describe(action)
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        properties::stateright_invariants()
    }
}

impl System for Reconcile {
    type Store = crate::engine::store::Plain<<Self as stateright::Model>::State>;
    fn catalogue() -> Vec<Property<Self>> {
        properties::catalogue()
    }

    fn vacuous(&self, property: &str) -> Option<&'static str> {
        properties::vacuous(self, property)
    }

    fn bounds(&self) -> String {
        let s = &self.s;
        let mut faults = Vec::new();
        let n = |k: u8, one: &str, many: &str| format!("≤ {k} {}", if k == 1 { one } else { many });
        if s.worker_crash > 0 {
            faults.push(n(s.worker_crash, "worker crash", "worker crashes"));
        }
        if s.worker_partition {
            faults.push("≤ 1 worker cut off".to_string());
        }
        if s.pod_crash {
            faults.push("≤ 1 container crash".to_string());
        }
        if s.crash > 0 {
            faults.push(n(s.crash, "master crash", "master crashes"));
        }
        if s.control_plane_outage {
            faults.push("≤ 1 control-plane outage".to_string());
        }
        if s.drain {
            faults.push("≤ 1 drain".to_string());
        }
        format!("{} ticks, {}", s.time(1), faults.join(", "))
    }

    fn extended(&self) -> Self {
        self.clone()
    }

    fn recovery(&self) -> Self {
        self.clone()
    }

    fn describe(&self, action: &Action) -> String {
        let w = |w: &u8| Self::worker_name(*w);
        match action {
            Action::Tick => format!("{} passes", self.s.time(1)),
            Action::Create => "the ReplicaSet controller creates a pod".to_string(),
            Action::Bind { worker, .. } => {
                format!("the scheduler binds a pending pod to {}", w(worker))
            }
            Action::Start { worker, .. } => format!("{}'s kubelet starts a pod", w(worker)),
            Action::Restart { worker, .. } => format!(
                "{}'s kubelet restarts the crashed container (back-off over)",
                w(worker)
            ),
            Action::Remove { worker, .. } => format!(
                "{}'s kubelet stops a deleted pod; its object goes",
                w(worker)
            ),
            Action::Taint { worker } => format!(
                "the node lifecycle controller taints {} unreachable:NoExecute",
                w(worker)
            ),
            Action::Evict { worker } => format!(
                "tolerationSeconds ({}) over: the taint manager deletes {}'s pods",
                self.s.time(self.s.toleration.into()),
                w(worker)
            ),
            Action::Acquire { lease, shared } => format!(
                "a standby {} takes the lease{}",
                match lease {
                    Which::ControllerManager => "controller-manager",
                    Which::Scheduler => "scheduler",
                },
                if *shared {
                    ", on the master that leads the other"
                } else {
                    ""
                }
            ),
            Action::CrashWorker { worker, silent } => {
                format!("{} crashes ({})", w(worker), self.renewed(*silent))
            }
            Action::CutWorker { worker, silent } => format!(
                "{} is cut off from the control plane ({}); its pods keep running",
                w(worker),
                self.renewed(*silent)
            ),
            Action::RestartWorker { worker } => format!("{} restarts", w(worker)),
            Action::Reconnect { worker } => {
                format!("{} reaches the control plane again", w(worker))
            }
            Action::CrashMaster { holds } => match holds {
                Holds::ControllerManager => {
                    "the master leading the controller-manager crashes".to_string()
                }
                Holds::Scheduler => "the master leading the scheduler crashes".to_string(),
                Holds::Neither => "a master leading neither controller crashes".to_string(),
            },
            Action::Outage => "every master goes down: no control plane".to_string(),
            Action::RestartMaster => "a master restarts".to_string(),
            Action::CrashPod { worker, .. } => format!("a container on {} crashes", w(worker)),
            Action::Drain { worker } => format!("kubectl drain cordons {}", w(worker)),
            Action::DrainEvict { worker, .. } => format!(
                "kubectl drain {} a pod on {}",
                if self.s.disable_eviction {
                    "deletes (--disable-eviction)"
                } else {
                    "evicts"
                },
                w(worker)
            ),
        }
    }

    fn summary(&self, s: &RcState) -> String {
        let workers: Vec<String> = (0..s.workers.len())
            .map(|w| self.describe_worker(s, w))
            .collect();
        let taints: Vec<String> = s
            .workers
            .iter()
            .enumerate()
            .filter_map(|(w, worker)| {
                worker.noexec.map(|age| {
                    format!(
                        "; {}'s taint is {} old",
                        Self::worker_name(w as u8),
                        self.s.time(age.into())
                    )
                })
            })
            .collect();
        format!(
            "{}{}; {} of {} replicas serving; control plane {} ({} of {} masters), controller-manager {}, scheduler {}",
            workers.join("; "),
            taints.concat(),
            Self::serving(s),
            self.s.replicas,
            if self.cp_up(s) { "up" } else { "DOWN" },
            s.live,
            self.s.masters,
            self.lease_words(s.cm),
            self.lease_words(s.scheduler),
        )
    }

    fn changes(&self, before: &RcState, after: &RcState) -> Vec<String> {
        let mut out = Vec::new();
        if before.workers.len() == after.workers.len() {
            for w in 0..after.workers.len() {
                let (b, a) = (
                    self.describe_worker(before, w),
                    self.describe_worker(after, w),
                );
                if b != a {
                    out.push(a);
                }
            }
        }
        let unbound = |s: &RcState| s.pods.iter().filter(|p| p.worker.is_none()).count();
        if unbound(before) != unbound(after) {
            out.push(format!("{} pod(s) pending", unbound(after)));
        }
        if Self::serving(before) != Self::serving(after) {
            out.push(format!(
                "{} of {} replicas serving",
                Self::serving(after),
                self.s.replicas
            ));
        }
        if before.live != after.live {
            out.push(format!(
                "{} of {} masters up: control plane {}",
                after.live,
                self.s.masters,
                if self.cp_up(after) { "up" } else { "DOWN" }
            ));
        }
        // A lease's change of hands, not its countdown.
        let kind = std::mem::discriminant::<Lease>;
        if kind(&before.cm) != kind(&after.cm) {
            out.push(format!(
                "controller-manager: {}",
                self.lease_words(after.cm)
            ));
        }
        if kind(&before.scheduler) != kind(&after.scheduler) {
            out.push(format!("scheduler: {}", self.lease_words(after.scheduler)));
        }
        if !before.rescheduled && after.rescheduled {
            if let Some(c) = after.clock {
                out.push(format!(
                    "every replica runs again, {} after the worker failed",
                    self.s.time(c.into())
                ));
            }
        }
        out
    }

    fn explain_stuck(&self, s: &RcState) -> String {
        self.summary(s)
    }

    fn representative(&self, s: &RcState) -> Option<RcState> {
        self.s.symmetry.then(|| self.canonical(s))
    }

    fn same_orbit(&self, a: &RcState, b: &RcState) -> bool {
        self.canonical(a) == self.canonical(b)
    }

    fn fairness(&self) -> Vec<String> {
        FAIRNESS.iter().map(|s| s.to_string()).collect()
    }

    fn fair_class(&self, action: &Action) -> Option<usize> {
        let class = match action {
            Action::Create | Action::Taint { .. } | Action::Evict { .. } => 0,
            Action::Bind { .. } => 1,
            Action::Start { .. } | Action::Restart { .. } | Action::Remove { .. } => 2,
            Action::Acquire { .. } => 3,
            Action::DrainEvict { .. } => 4,
            Action::Tick => 5,
            _ => return None,
        };
        (self.fair || class == 5).then_some(class)
    }

    fn for_liveness(&self) -> Option<Self> {
        Some(Reconcile {
            observe: false,
            ..self.clone()
        })
    }
}
