//! The reconcile model's scenario: its fields, their Kubernetes defaults, and validation.

use serde::Serialize;

use crate::scenario::{Millis, Scenario, ScenarioError, MAX_MASTERS};
use crate::systems::lb::scenario::{count, first_set, ticks};

/// Most worker nodes.
pub const MAX_WORKERS: u32 = 5;
/// Most replicas of the Deployment.
pub const MAX_REPLICAS: u32 = 6;
/// Most pods a worker holds (its allocatable resources, in pod-sized units).
pub const MAX_CAPACITY: u32 = 6;
/// The model's default unit of time.
pub const DEFAULT_TICK: u32 = 1000;

/// Kubernetes' defaults, in milliseconds (v1.32 and later; each one can be overridden).
pub mod defaults {
    /// kubelet: the node lease is renewed every `nodeLeaseDurationSeconds` (40 s) × 0.25.
    pub const HEARTBEAT: u32 = 10_000;
    /// kube-controller-manager `--node-monitor-period`.
    pub const NODE_MONITOR_PERIOD: u32 = 5_000;
    /// kube-controller-manager `--node-monitor-grace-period` (40 s before v1.32).
    pub const NODE_MONITOR_GRACE_PERIOD: u32 = 50_000;
    /// `tolerationSeconds` of the `not-ready` and `unreachable` NoExecute tolerations that the
    /// DefaultTolerationSeconds admission plugin adds to every pod.
    pub const TOLERATION: u32 = 300_000;
    /// `--leader-elect-lease-duration` (kube-controller-manager and kube-scheduler).
    pub const LEASE_DURATION: u32 = 15_000;
    /// `--leader-elect-retry-period`.
    pub const RETRY_PERIOD: u32 = 2_000;
    /// kubelet's first crash-loop back-off before a crashed container restarts.
    pub const RESTART_BACKOFF: u32 = 10_000;
    /// `--node-eviction-rate` 0.1 nodes/s: one node tainted for eviction every 10 s.
    pub const EVICTION_INTERVAL: u32 = 10_000;
}

/// A validated reconcile scenario. Durations are in ticks of `tick_ms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RcScenario {
    pub model: &'static str,
    /// Control-plane replicas (API server, etcd member, controller-manager, scheduler each).
    pub masters: u8,
    /// etcd's quorum: the live masters the control plane needs.
    pub quorum: u8,
    /// Masters that may crash, one by one.
    pub crash: u8,
    /// Every master may go down at once.
    pub control_plane_outage: bool,
    pub workers: u8,
    /// Workers carrying the label the pods' nodeSelector asks for.
    pub labelled: u8,
    pub replicas: u8,
    /// Pods a worker holds.
    pub capacity: u8,
    /// Required pod anti-affinity on the hostname: at most one replica per worker.
    pub anti_affinity: bool,
    pub worker_crash: u8,
    pub worker_partition: bool,
    pub pod_crash: bool,
    /// An operator drains one worker (`kubectl drain`).
    pub drain: bool,
    /// The PodDisruptionBudget's minAvailable.
    pub min_available: u8,
    /// `kubectl drain --disable-eviction`: delete instead of evict, bypassing the budget.
    pub disable_eviction: bool,
    /// Crashed workers restart, a cut-off worker reconnects, crashed masters restart.
    pub heal: bool,
    pub symmetry: bool,
    pub tick_ms: u32,
    pub heartbeat: u16,
    pub node_monitor_period: u16,
    pub node_monitor_grace_period: u16,
    pub toleration: u16,
    pub lease_duration: u16,
    pub retry_period: u16,
    pub restart_backoff: u16,
    pub eviction_interval: u16,
}

/// The fields only the reconcile model reads, each with whether the scenario sets it.
pub fn reconcile_fields(s: &Scenario) -> [(bool, &'static str); 20] {
    [
        (s.workers.is_some(), "workers"),
        (s.replicas.is_some(), "replicas"),
        (s.capacity.is_some(), "capacity"),
        (s.anti_affinity, "anti-affinity"),
        (s.node_selector.is_some(), "node-selector"),
        (s.worker_crash.is_some(), "worker-crash"),
        (s.worker_partition, "worker-partition"),
        (s.pod_crash, "pod-crash"),
        (s.control_plane_outage, "control-plane-outage"),
        (s.drain, "drain"),
        (s.min_available.is_some(), "min-available"),
        (s.disable_eviction, "disable-eviction"),
        (s.heartbeat.is_some(), "heartbeat"),
        (s.node_monitor_period.is_some(), "node-monitor-period"),
        (
            s.node_monitor_grace_period.is_some(),
            "node-monitor-grace-period",
        ),
        (s.toleration_seconds.is_some(), "toleration-seconds"),
        (
            s.leader_elect_lease_duration.is_some(),
            "leader-elect-lease-duration",
        ),
        (
            s.leader_elect_retry_period.is_some(),
            "leader-elect-retry-period",
        ),
        (s.restart_backoff.is_some(), "restart-backoff"),
        (s.eviction_interval.is_some(), "eviction-interval"),
    ]
}

/// The first reconcile field a scenario of another model sets, if any.
pub fn reconcile_field(s: &Scenario) -> Option<&'static str> {
    first_set(reconcile_fields(s))
}

/// The first field of the other models a reconcile scenario sets, if any (`masters`, `crash`,
/// `heal`, `symmetry` and `tick` are shared).
fn foreign_field(s: &Scenario) -> Option<&'static str> {
    let d = Scenario::default();
    first_set([
        (s.quorum.is_some(), "quorum"),
        (s.partition, "partition (the workers' is worker-partition)"),
        (s.pre_vote, "pre-vote"),
        (s.max_term != d.max_term, "max-term"),
        (s.writes != d.writes, "writes"),
        (!s.unsafe_rules.is_empty(), "unsafe"),
        (s.reads.is_some(), "reads"),
        (s.link_faults != 0, "link-faults"),
        (s.splits != d.splits, "splits"),
        (s.pauses != 0, "pauses"),
        (s.client_timeouts, "client-timeouts"),
        (s.crash_loses_unsynced, "crash-loses-unsynced"),
        (s.network != d.network, "network"),
        (s.max_in_flight.is_some(), "max-in-flight"),
        (!s.recovery.is_empty(), "recovery"),
        (s.config_on_append, "config-on-append"),
    ])
    .or_else(|| {
        let mut without_tick = s.clone();
        without_tick.tick = None;
        crate::systems::lb::scenario::lb_field(&without_tick)
    })
}

/// Checks a reconcile scenario and resolves its defaults: 3 workers, 3 replicas, each worker
/// able to hold every replica, one worker crash when no fault is named, Kubernetes' timings in
/// 1 s ticks.
pub fn validate(s: &Scenario) -> Result<RcScenario, ScenarioError> {
    if let Some(field) = foreign_field(s) {
        return Err(ScenarioError::ForeignForReconcile { field });
    }
    let masters = s.masters;
    if !(1..=MAX_MASTERS).contains(&masters) {
        return Err(ScenarioError::Masters(masters));
    }
    let workers = count("workers", s.workers, 1, MAX_WORKERS, 3)?;
    let replicas = count("replicas", s.replicas, 1, MAX_REPLICAS, 3)?;
    let capacity = count("capacity", s.capacity, 1, MAX_CAPACITY, u32::from(replicas))?;
    let labelled = count(
        "node-selector",
        s.node_selector,
        1,
        u32::from(workers),
        u32::from(workers),
    )?;
    let room = u32::from(labelled)
        * if s.anti_affinity {
            1
        } else {
            u32::from(capacity)
        };
    if u32::from(replicas) > room {
        return Err(ScenarioError::NoRoom {
            replicas: replicas.into(),
            labelled: labelled.into(),
            each: if s.anti_affinity {
                "one replica each (anti-affinity)".to_string()
            } else {
                format!("{capacity} pods each (capacity)")
            },
        });
    }
    let named = s.worker_crash.is_some()
        || s.worker_partition
        || s.pod_crash
        || s.control_plane_outage
        || s.crash.is_some()
        || s.drain;
    let worker_crash = count(
        "worker-crash",
        s.worker_crash,
        0,
        u32::from(workers),
        if named { 0 } else { 1 },
    )?;
    let crash = s.crash.unwrap_or(0);
    if crash > masters {
        return Err(ScenarioError::Crash {
            masters,
            got: crash,
        });
    }
    if s.min_available.is_some() && !s.drain {
        return Err(ScenarioError::WithoutDrain {
            field: "min-available",
        });
    }
    if s.disable_eviction && !s.drain {
        return Err(ScenarioError::WithoutDrain {
            field: "disable-eviction",
        });
    }
    let min_available = count(
        "min-available",
        s.min_available,
        0,
        u32::from(replicas),
        u32::from(replicas) - 1,
    )?;
    let tick = s.tick.unwrap_or(Millis(DEFAULT_TICK));
    if tick.0 == 0 {
        return Err(ScenarioError::ZeroDuration { field: "tick" });
    }
    let t = |field, v: Option<Millis>, default| ticks(field, v.unwrap_or(Millis(default)), tick.0);
    let heartbeat = t("heartbeat", s.heartbeat, defaults::HEARTBEAT)?;
    let node_monitor_grace_period = t(
        "node-monitor-grace-period",
        s.node_monitor_grace_period,
        defaults::NODE_MONITOR_GRACE_PERIOD,
    )?;
    if node_monitor_grace_period < heartbeat {
        return Err(ScenarioError::GraceBelowHeartbeat {
            grace: Millis(u32::from(node_monitor_grace_period) * tick.0).to_string(),
            heartbeat: Millis(u32::from(heartbeat) * tick.0).to_string(),
        });
    }
    Ok(RcScenario {
        model: "reconcile",
        masters: masters as u8,
        quorum: (masters / 2 + 1) as u8,
        crash: crash as u8,
        control_plane_outage: s.control_plane_outage,
        workers,
        labelled,
        replicas,
        capacity,
        anti_affinity: s.anti_affinity,
        worker_crash,
        worker_partition: s.worker_partition,
        pod_crash: s.pod_crash,
        drain: s.drain,
        min_available,
        disable_eviction: s.disable_eviction,
        heal: s.heal,
        symmetry: s.symmetry,
        tick_ms: tick.0,
        heartbeat,
        node_monitor_period: t(
            "node-monitor-period",
            s.node_monitor_period,
            defaults::NODE_MONITOR_PERIOD,
        )?,
        node_monitor_grace_period,
        toleration: t(
            "toleration-seconds",
            s.toleration_seconds,
            defaults::TOLERATION,
        )?,
        lease_duration: t(
            "leader-elect-lease-duration",
            s.leader_elect_lease_duration,
            defaults::LEASE_DURATION,
        )?,
        retry_period: t(
            "leader-elect-retry-period",
            s.leader_elect_retry_period,
            defaults::RETRY_PERIOD,
        )?,
        restart_backoff: t(
            "restart-backoff",
            s.restart_backoff,
            defaults::RESTART_BACKOFF,
        )?,
        eviction_interval: t(
            "eviction-interval",
            s.eviction_interval,
            defaults::EVICTION_INTERVAL,
        )?,
    })
    .and_then(|v| {
        if v.retry_period > v.lease_duration {
            return Err(ScenarioError::RetryAboveLease);
        }
        Ok(v)
    })
}

impl RcScenario {
    /// Ticks as words: "50s", "500ms".
    pub fn time(&self, ticks: u32) -> String {
        Millis(ticks * self.tick_ms).to_string()
    }

    /// The scenario in words, for report headers.
    pub fn describe(&self) -> String {
        let plural =
            |n: u8, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut shape = vec![
            plural(self.masters, "master", "masters"),
            plural(self.workers, "worker", "workers"),
            format!(
                "a Deployment of {}",
                plural(self.replicas, "replica", "replicas")
            ),
        ];
        if self.capacity < self.replicas {
            shape.push(format!("room for {} per worker", self.capacity));
        }
        if self.labelled < self.workers {
            shape.push(format!("a nodeSelector {} of them match", self.labelled));
        }
        if self.anti_affinity {
            shape.push("pod anti-affinity on the hostname".to_string());
        }
        let mut faults = Vec::new();
        if self.worker_crash > 0 {
            faults.push(format!(
                "up to {} crash{}",
                plural(self.worker_crash, "worker", "workers"),
                if self.worker_crash == 1 { "es" } else { "" }
            ));
        }
        if self.worker_partition {
            faults.push("a worker cut off from the control plane".to_string());
        }
        if self.pod_crash {
            faults.push("a container crash".to_string());
        }
        if self.crash > 0 {
            faults.push(format!(
                "up to {} crash{}",
                plural(self.crash, "master", "masters"),
                if self.crash == 1 { "es" } else { "" }
            ));
        }
        if self.control_plane_outage {
            faults.push("the whole control plane down".to_string());
        }
        if self.drain {
            faults.push(format!(
                "kubectl drain of a worker{} (PodDisruptionBudget minAvailable {})",
                if self.disable_eviction {
                    " --disable-eviction"
                } else {
                    ""
                },
                self.min_available
            ));
        }
        if self.heal {
            faults.push("heal".to_string());
        }
        format!(
            "{}; {}; grace {}, tolerationSeconds {}",
            shape.join(", "),
            if faults.is_empty() {
                "no fault".to_string()
            } else {
                faults.join(", ")
            },
            self.time(self.node_monitor_grace_period.into()),
            self.time(self.toleration.into()),
        )
    }
}
