//! The scenario: the cluster under check and its fault budget.
//!
//! Plain data, read from a TOML file in `models/` or built from flags, and validated in one
//! place: [`Scenario::validate`] turns it into a [`RaftScenario`] the rest of kcheck trusts.

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use crate::systems::lb::scenario::{
    self as lb, Balance, CheckType, Frontend, LbKind, LbScenario, Millis,
};
pub use crate::systems::reconcile::scenario::{self as reconcile, RcScenario};

/// Most etcd members a scenario may have (etcd recommends at most 7).
pub const MAX_MASTERS: u32 = 7;
/// Smallest term bound. The first leader holds term 1, so a bound of 1 allows no election at
/// all: every property about elections would hold or fail vacuously (failover-possible would
/// be VIOLATED by the bound, not by the cluster).
pub const MIN_TERM: u32 = 2;
/// Largest term bound: the extended recoverability budget (two more elections) must still fit
/// the model's fixed-size logs.
pub const MAX_TERM: u32 = 6;
/// Why the term bound starts at [`MIN_TERM`], for messages.
pub const TERM_REASON: &str =
    "the first leader holds term 1, so a lower bound leaves no election to check";
/// Most single links that may fail.
pub const MAX_LINK_FAULTS: u32 = 3;
/// Most splits of the network in one behaviour.
pub const MAX_SPLITS: u32 = 3;
/// Largest number of client writes.
pub const MAX_WRITES: u32 = 3;
/// Largest bound on messages in flight in the message mode: each one multiplies the states.
pub const MAX_IN_FLIGHT: u32 = 6;
/// Messages in flight in the message mode unless the scenario says otherwise.
pub const DEFAULT_IN_FLIGHT: u32 = 2;
/// Largest scenario or gate file read, in bytes. Both are a few lines of TOML; the bound keeps a
/// wrong path (a log, `/dev/zero`) from being read without end.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Which system a scenario checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// etcd Raft quorum: elections, replication, commit, crashes, partitions.
    #[default]
    Raft,
    /// The API servers behind a load balancer: HAProxy's health checks, routing and failover.
    Lb,
    /// The path of a kubectl request: client, front end, API server, etcd quorum.
    Cluster,
    /// Controllers reconciling a Deployment: ReplicaSet controller, scheduler, node lifecycle
    /// controller, kubelets, a disruption budget.
    Reconcile,
}

impl ModelKind {
    pub const ALL: [ModelKind; 4] = [
        ModelKind::Raft,
        ModelKind::Lb,
        ModelKind::Cluster,
        ModelKind::Reconcile,
    ];

    /// The model's name, as `--model` spells it.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Raft => "raft",
            ModelKind::Lb => "lb",
            ModelKind::Cluster => "cluster",
            ModelKind::Reconcile => "reconcile",
        }
    }

    /// What the model is, in one line.
    pub fn meaning(self) -> &'static str {
        match self {
            ModelKind::Raft => "etcd Raft quorum: elections, replication, commit, crashes, partitions, membership and recovery",
            ModelKind::Lb => "the API servers behind a load balancer: HAProxy's active health checks (retries, redispatch) or nginx's passive ones, a pinned client, a single balancer or a VIP",
            ModelKind::Cluster => "a kubectl request end to end: client, front end, API server, the etcd quorum behind it",
            ModelKind::Reconcile => "controllers bringing a Deployment's pods back: ReplicaSet controller, scheduler, node lifecycle controller, kubelets, a disruption budget, leader-elected controller-manager and scheduler, with Kubernetes' timings",
        }
    }
}

/// An etcd safety mechanism a scenario may remove, to show what it protects (`--unsafe RULE`,
/// `unsafe = [...]` in a scenario file). Each one has a shipped scenario in `models/` in which
/// removing it flips a verdict.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum UnsafeRule {
    /// A voter grants its vote only to a candidate whose log is at least as up to date as its
    /// own (`raft.isUpToDate`).
    VoteLogCheck,
    /// A member persists its term and vote (etcd's HardState, written to the WAL and fsynced
    /// before it answers); without it a restarted member forgets them.
    PersistTermVote,
    /// CheckQuorum: a leader that cannot reach a quorum steps down. In etcd it is also what
    /// gives members their lease (the two lease rules below act only with it).
    CheckQuorum,
    /// With pre-vote, a member that still hears its leader refuses a pre-vote.
    PreVoteLease,
    /// With CheckQuorum, a member that still hears its leader ignores a vote request of a later
    /// term, without moving to that term.
    VoteLease,
    /// A leader commits by counting replicas only an entry of its own term
    /// (`raftLog.maybeCommit`); Figure 8 of the Raft paper.
    CurrentTermCommit,
    /// A follower accepts AppendEntries only if its log holds the leader's entry at the
    /// message's previous index and term (`raftLog.matchTerm` in `maybeAppend`).
    LogConsistencyCheck,
    /// A follower truncates its log only at an entry that conflicts with one the leader sent
    /// (`raftLog.findConflict`); a late AppendEntries never cuts entries it already holds.
    TruncateOnConflictOnly,
    /// etcd's strict reconfiguration check (`--strict-reconfig-check`, on by default): a
    /// member add or remove that could leave the cluster without a quorum of started, connected
    /// members is refused.
    StrictReconfig,
    /// A new leader proposes no configuration change before it has committed an entry of its
    /// own term (etcd's `pendingConfIndex`, set to the last index when it becomes leader).
    ReconfigGuard,
}

impl UnsafeRule {
    pub const ALL: [UnsafeRule; 10] = [
        UnsafeRule::VoteLogCheck,
        UnsafeRule::PersistTermVote,
        UnsafeRule::CheckQuorum,
        UnsafeRule::PreVoteLease,
        UnsafeRule::VoteLease,
        UnsafeRule::CurrentTermCommit,
        UnsafeRule::LogConsistencyCheck,
        UnsafeRule::TruncateOnConflictOnly,
        UnsafeRule::StrictReconfig,
        UnsafeRule::ReconfigGuard,
    ];

    /// The rule's name, as `--unsafe` and scenario files spell it.
    pub fn name(self) -> &'static str {
        match self {
            UnsafeRule::VoteLogCheck => "vote-log-check",
            UnsafeRule::PersistTermVote => "persist-term-vote",
            UnsafeRule::CheckQuorum => "check-quorum",
            UnsafeRule::PreVoteLease => "pre-vote-lease",
            UnsafeRule::VoteLease => "vote-lease",
            UnsafeRule::CurrentTermCommit => "current-term-commit",
            UnsafeRule::LogConsistencyCheck => "log-consistency-check",
            UnsafeRule::TruncateOnConflictOnly => "truncate-on-conflict-only",
            UnsafeRule::StrictReconfig => "strict-reconfig",
            UnsafeRule::ReconfigGuard => "reconfig-guard",
        }
    }

    /// What etcd does that the rule's removal undoes, in one line.
    pub fn meaning(self) -> &'static str {
        match self {
            UnsafeRule::VoteLogCheck => {
                "a voter refuses a candidate whose log is less up to date than its own (raft.isUpToDate)"
            }
            UnsafeRule::PersistTermVote => {
                "a member keeps its term and vote across a restart (HardState in the fsynced WAL)"
            }
            UnsafeRule::CheckQuorum => {
                "a leader that cannot reach a quorum steps down; it also gives members their lease"
            }
            UnsafeRule::PreVoteLease => {
                "with pre-vote, a member that still hears its leader refuses a pre-vote"
            }
            UnsafeRule::VoteLease => {
                "a member that still hears its leader ignores a vote request of a later term"
            }
            UnsafeRule::CurrentTermCommit => {
                "a leader commits by counting replicas only an entry of its own term (raftLog.maybeCommit; Raft paper, Figure 8)"
            }
            UnsafeRule::LogConsistencyCheck => {
                "a follower accepts AppendEntries only if its log matches the leader's at the previous index and term (raftLog.matchTerm)"
            }
            UnsafeRule::TruncateOnConflictOnly => {
                "a follower truncates its log only at a conflicting entry, so a late AppendEntries never cuts entries it holds (raftLog.findConflict)"
            }
            UnsafeRule::StrictReconfig => {
                "a member add or remove is refused unless the members left would still reach a quorum (--strict-reconfig-check)"
            }
            UnsafeRule::ReconfigGuard => {
                "a new leader proposes no configuration change before it commits an entry of its own term (pendingConfIndex)"
            }
        }
    }
}

/// An operator's recovery action (`--recovery ACTION`, `recovery = [...]` in a scenario file).
/// The model may take each one at most once, on any member, at any point once every fault of
/// the budget has happened.
/// The model may take each one at most once, on any member, at any point after a fault.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Recovery {
    /// `etcdctl member add`: a new voting member, then start it.
    MemberAdd,
    /// `etcdctl member add --learner`, start it, then `etcdctl member promote` once it caught up.
    LearnerAdd,
    /// `etcdctl member remove`.
    MemberRemove,
    /// Restart one survivor with `etcd --force-new-cluster`: a one-member cluster keeping its
    /// committed log.
    ForceNewCluster,
    /// `etcdctl snapshot save` at some point, later `etcdutl snapshot restore` on one member: a
    /// new one-member cluster holding the snapshot; the other members' data is discarded.
    SnapshotRestore,
}

impl Recovery {
    pub const ALL: [Recovery; 5] = [
        Recovery::MemberAdd,
        Recovery::LearnerAdd,
        Recovery::MemberRemove,
        Recovery::ForceNewCluster,
        Recovery::SnapshotRestore,
    ];

    /// What the operator runs, in one line.
    pub fn meaning(self) -> &'static str {
        match self {
            Recovery::MemberAdd => "etcdctl member add, then start the new member",
            Recovery::LearnerAdd => {
                "etcdctl member add --learner, start it, then etcdctl member promote once caught up"
            }
            Recovery::MemberRemove => "etcdctl member remove",
            Recovery::ForceNewCluster => {
                "restart a survivor with etcd --force-new-cluster (a one-member cluster)"
            }
            Recovery::SnapshotRestore => {
                "etcdctl snapshot save at some point, later etcdutl snapshot restore on one member"
            }
        }
    }

    /// The action's name, as `--recovery` and scenario files spell it.
    pub fn name(self) -> &'static str {
        match self {
            Recovery::MemberAdd => "member-add",
            Recovery::LearnerAdd => "learner-add",
            Recovery::MemberRemove => "member-remove",
            Recovery::ForceNewCluster => "force-new-cluster",
            Recovery::SnapshotRestore => "snapshot-restore",
        }
    }

    /// Whether the action is a membership change (a configuration entry through the quorum).
    pub fn changes_membership(self) -> bool {
        matches!(
            self,
            Recovery::MemberAdd | Recovery::LearnerAdd | Recovery::MemberRemove
        )
    }

    /// Whether the action brings a new member into the cluster (one more member slot).
    pub fn adds(self) -> bool {
        matches!(self, Recovery::MemberAdd | Recovery::LearnerAdd)
    }
}

/// How the network carries Raft's RPCs (`--network`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkMode {
    /// Each RPC is one step: the request and its response, with the leader's whole log. Fast;
    /// enough for every question about elections, quorums and crashes.
    #[default]
    Atomic,
    /// Requests and responses are separate messages, each delivered late, out of order,
    /// duplicated or lost; AppendEntries carries any part of the log. Slower; needed for
    /// Figure 8 and the follower's log checks.
    Messages,
}

impl NetworkMode {
    fn is_atomic(&self) -> bool {
        *self == NetworkMode::Atomic
    }

    pub fn name(self) -> &'static str {
        match self {
            NetworkMode::Atomic => "atomic",
            NetworkMode::Messages => "messages",
        }
    }
}

/// How clients read (`--reads`): etcd's two read modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Reads {
    /// ReadIndex, as the API server's quorum reads: the leader confirms with a quorum that it
    /// still leads, and answers once it has committed an entry of its term.
    Linearizable,
    /// Served by any member from its own committed log, with no round trip.
    Serializable,
}

impl Reads {
    pub fn name(self) -> &'static str {
        match self {
            Reads::Linearizable => "linearizable",
            Reads::Serializable => "serializable",
        }
    }
}

/// A scenario as written: every field optional in TOML, defaults filled in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Scenario {
    /// A sentence on what this configuration is and why people argue about it.
    pub description: Option<String>,
    pub model: ModelKind,
    /// etcd members, one per master.
    pub masters: u32,
    /// Votes needed to elect and to commit; the majority unless overridden.
    pub quorum: Option<u32>,
    /// How many members may crash. With no fault named at all, one crash.
    pub crash: Option<u32>,
    /// The network may split once into two non-empty groups.
    pub partition: bool,
    /// Crashed members may restart and the partition may heal.
    pub heal: bool,
    /// etcd's pre-vote.
    pub pre_vote: bool,
    /// Highest term any member may reach (the initial leader holds term 1).
    pub max_term: u32,
    /// Client writes the API server may send.
    pub writes: u32,
    /// Explore one state per renaming of the interchangeable members (the default). Off, every
    /// renaming is explored separately: slower, the same verdicts, for cross-checking.
    pub symmetry: bool,
    /// etcd safety mechanisms removed from the model, to show what each protects.
    #[serde(rename = "unsafe")]
    pub unsafe_rules: Vec<UnsafeRule>,
    /// Client reads, and how etcd serves them; none by default.
    pub reads: Option<Reads>,
    /// How many single links between two members may fail (a partial partition: m1 reaches m2
    /// and m2 reaches m3, but m1 does not reach m3). Links are named, so symmetry reduction is
    /// off when this is set.
    pub link_faults: u32,
    /// How many times the network may split (with `partition`); a later split comes after a
    /// heal.
    pub splits: u32,
    /// How many times a follower's election timeout may fire although its leader is alive (a
    /// GC pause, a slow disk): faults, counted like crashes.
    pub pauses: u32,
    /// Track the clients whose write timed out: the leader that took the write stopped leading
    /// before committing it (etcd fails such a proposal), so the client saw an error.
    pub client_timeouts: bool,
    /// Members do not fsync their WAL (etcd's `--unsafe-no-fsync`): a crash may lose the log
    /// entries the kernel had not yet written to disk.
    pub crash_loses_unsynced: bool,
    /// How the network carries RPCs: atomic steps (the default) or separate messages.
    pub network: NetworkMode,
    /// With `network = "messages"`: most messages in flight at once.
    pub max_in_flight: Option<u32>,
    /// Operator recovery actions the model may take, each at most once, after the faults.
    pub recovery: Vec<Recovery>,
    /// A member uses the newest configuration in its log, committed or not (the Raft
    /// dissertation), instead of the one it has applied (etcd).
    pub config_on_append: bool,
    /// Load balancer (`model = "lb"`): what stands in front of the API servers.
    pub frontend: Option<Frontend>,
    /// With `frontend = "vip"`: HAProxy instances sharing the VIP (2 or 3).
    pub balancers: Option<u32>,
    /// The balancer software.
    pub lb: Option<LbKind>,
    /// HAProxy's health check: tcp (connect) or http (GET /readyz, a 200 needed).
    pub check: Option<CheckType>,
    /// The model's unit of time.
    pub tick: Option<Millis>,
    /// HAProxy `inter`, `fastinter`, `downinter` and `timeout check`.
    pub inter: Option<Millis>,
    pub fastinter: Option<Millis>,
    pub downinter: Option<Millis>,
    pub timeout_check: Option<Millis>,
    /// HAProxy `rise` and `fall`: consecutive checks to mark a server up, down.
    pub rise: Option<u32>,
    pub fall: Option<u32>,
    /// HAProxy `retries`: connection attempts retried after a refused one.
    pub retries: Option<u32>,
    /// HAProxy `option redispatch`: the last retry goes to another server.
    pub redispatch: bool,
    /// HAProxy `balance`: roundrobin or leastconn.
    pub balance: Option<Balance>,
    /// HAProxy `timeout server` (with `balance = "leastconn"`).
    pub timeout_server: Option<Millis>,
    /// Client requests per second.
    pub request_rate: Option<u32>,
    /// With `frontend = "vip"`: how long a standby takes to claim the VIP.
    pub vip_failover: Option<Millis>,
    /// How many API servers may hang: accept connections and never answer.
    pub hang: Option<u32>,
    /// How many HAProxy instances may crash.
    pub lb_crash: Option<u32>,
    /// nginx (`lb = "nginx"`): failed attempts that make a server unavailable, and for how long.
    pub max_fails: Option<u32>,
    pub fail_timeout: Option<Millis>,
    /// Reconcile (`model = "reconcile"`): worker nodes, and the Deployment's replicas.
    pub workers: Option<u32>,
    pub replicas: Option<u32>,
    /// Pods a worker holds (its allocatable resources, in pod-sized requests).
    pub capacity: Option<u32>,
    /// Required pod anti-affinity on the hostname: one replica per worker at most.
    pub anti_affinity: bool,
    /// How many workers carry the label the pods' nodeSelector asks for.
    pub node_selector: Option<u32>,
    /// How many workers may crash.
    pub worker_crash: Option<u32>,
    /// A worker may be cut off from the control plane (its pods keep running).
    pub worker_partition: bool,
    /// A container may crash.
    pub pod_crash: bool,
    /// Every master may go down at once.
    pub control_plane_outage: bool,
    /// An operator drains one worker (`kubectl drain`), under a PodDisruptionBudget.
    pub drain: bool,
    /// The PodDisruptionBudget's minAvailable (default: replicas − 1).
    pub min_available: Option<u32>,
    /// `kubectl drain --disable-eviction`: delete the pods, bypassing the budget.
    pub disable_eviction: bool,
    /// Kubernetes timings (defaults of v1.32 and later).
    pub heartbeat: Option<Millis>,
    pub node_monitor_period: Option<Millis>,
    pub node_monitor_grace_period: Option<Millis>,
    pub toleration_seconds: Option<Millis>,
    pub leader_elect_lease_duration: Option<Millis>,
    pub leader_elect_retry_period: Option<Millis>,
    pub restart_backoff: Option<Millis>,
    pub eviction_interval: Option<Millis>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            description: None,
            model: ModelKind::Raft,
            masters: 3,
            quorum: None,
            crash: None,
            partition: false,
            heal: false,
            pre_vote: false,
            max_term: 2,
            writes: 1,
            symmetry: true,
            unsafe_rules: Vec::new(),
            reads: None,
            link_faults: 0,
            splits: 1,
            pauses: 0,
            client_timeouts: false,
            crash_loses_unsynced: false,
            network: NetworkMode::Atomic,
            max_in_flight: None,
            recovery: Vec::new(),
            config_on_append: false,
            frontend: None,
            balancers: None,
            lb: None,
            check: None,
            tick: None,
            inter: None,
            fastinter: None,
            downinter: None,
            timeout_check: None,
            rise: None,
            fall: None,
            retries: None,
            redispatch: false,
            balance: None,
            timeout_server: None,
            request_rate: None,
            vip_failover: None,
            hang: None,
            lb_crash: None,
            max_fails: None,
            fail_timeout: None,
            workers: None,
            replicas: None,
            capacity: None,
            anti_affinity: false,
            node_selector: None,
            worker_crash: None,
            worker_partition: false,
            pod_crash: false,
            control_plane_outage: false,
            drain: false,
            min_available: None,
            disable_eviction: false,
            heartbeat: None,
            node_monitor_period: None,
            node_monitor_grace_period: None,
            toleration_seconds: None,
            leader_elect_lease_duration: None,
            leader_elect_retry_period: None,
            restart_backoff: None,
            eviction_interval: None,
        }
    }
}

/// A validated scenario: one value per model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Valid {
    Raft(RaftScenario),
    Lb(LbScenario),
    Cluster(LbScenario),
    Reconcile(RcScenario),
}

impl Valid {
    /// The scenario in words, for report headers.
    pub fn describe(&self) -> String {
        match self {
            Valid::Raft(s) => s.describe(),
            Valid::Lb(s) | Valid::Cluster(s) => s.describe(),
            Valid::Reconcile(s) => s.describe(),
        }
    }

    pub fn model(&self) -> ModelKind {
        match self {
            Valid::Raft(_) => ModelKind::Raft,
            Valid::Lb(_) => ModelKind::Lb,
            Valid::Cluster(_) => ModelKind::Cluster,
            Valid::Reconcile(_) => ModelKind::Reconcile,
        }
    }
}

/// A validated Raft scenario: every value in range, every default resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RaftScenario {
    pub masters: u8,
    pub quorum: u8,
    pub crash: u8,
    pub partition: bool,
    pub heal: bool,
    pub pre_vote: bool,
    pub max_term: u8,
    pub writes: u8,
    pub symmetry: bool,
    /// Removed safety mechanisms, sorted, each once.
    #[serde(rename = "unsafe")]
    pub unsafe_rules: Vec<UnsafeRule>,
    pub reads: Option<Reads>,
    pub link_faults: u8,
    pub splits: u8,
    pub pauses: u8,
    pub client_timeouts: bool,
    pub crash_loses_unsynced: bool,
    /// Left out of JSON in the atomic mode, so its reports read as before the mode existed.
    #[serde(skip_serializing_if = "NetworkMode::is_atomic")]
    pub network: NetworkMode,
    /// Most messages in flight (message mode; 0 in the atomic mode, which has none).
    #[serde(skip_serializing_if = "is_zero")]
    pub max_in_flight: u8,
    /// Operator recovery actions, sorted, each once; left out of JSON when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recovery: Vec<Recovery>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub config_on_append: bool,
}

/// Everything that can be wrong with a scenario or its file.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ScenarioError {
    #[error("masters must be 1 to {MAX_MASTERS} (got {0})")]
    Masters(u32),
    #[error("quorum must be 1 to {masters} for {} (got {got})", plural(*masters, "master"))]
    Quorum { masters: u32, got: u32 },
    #[error("crash must be 0 to {masters} for {} (got {got})", plural(*masters, "master"))]
    Crash { masters: u32, got: u32 },
    #[error("max-term must be {MIN_TERM} to {MAX_TERM} (got {0}): {TERM_REASON}")]
    MaxTerm(u32),
    #[error("writes must be 0 to {MAX_WRITES} (got {0})")]
    Writes(u32),
    #[error("link-faults must be 0 to {most} for {} (got {got})", plural(*masters, "master"))]
    LinkFaults { masters: u32, most: u32, got: u32 },
    #[error("splits must be 1 to {MAX_SPLITS} (got {0})")]
    Splits(u32),
    #[error(
        "a second split needs partition and heal: the network splits again only after it heals"
    )]
    SplitsWithoutHeal,
    #[error("pauses must be 0 to {masters} for {} (got {got})", plural(*masters, "master"))]
    Pauses { masters: u32, got: u32 },
    #[error("reads need writes to read: set writes to 1 to {MAX_WRITES} (got 0)")]
    ReadsWithoutWrites,
    #[error("client timeouts need writes to time out: set writes to 1 to {MAX_WRITES} (got 0)")]
    TimeoutsWithoutWrites,
    #[error("crash-loses-unsynced needs crashes: set crash to 1 or more (got 0)")]
    LosesUnsyncedWithoutCrashes,
    #[error("max-in-flight must be 1 to {MAX_IN_FLIGHT} (got {0}): with no message in flight no RPC is ever answered")]
    MaxInFlight(u32),
    #[error("max-in-flight bounds the messages of network = \"messages\" (--network messages); the atomic network has none in flight")]
    InFlightWithoutMessages,
    #[error("quorum is the majority of each configuration once membership can change: drop quorum (or recovery)")]
    QuorumWithRecovery,
    #[error("{masters} masters and {adds} added member{} make {}: at most {MAX_MASTERS} members", if *adds == 1 { "" } else { "s" }, masters + adds)]
    TooManyMembers { masters: u32, adds: u32 },
    #[error("snapshot-restore needs writes to snapshot: set writes to 1 to {MAX_WRITES} (got 0)")]
    RestoreWithoutWrites,
    #[error("{what} speaks of membership changes: add --recovery member-add, learner-add or member-remove")]
    WithoutMembership { what: String },
    #[error(
        "recovery actions come after a fault: name one (crash, partition, link-faults or pauses)"
    )]
    RecoveryWithoutFaults,
    #[error("{field} is a load-balancer setting: add --model lb or --model cluster")]
    LbFieldForRaft { field: &'static str },
    #[error("{field} is an etcd setting that --model {model} does not read")]
    RaftFieldForLb {
        field: &'static str,
        model: &'static str,
    },
    #[error("partition needs 2 masters or more: one master has nothing to split from")]
    PartitionOfOne,
    #[error("{field} must be {low} to {high} (got {got})")]
    Range {
        field: &'static str,
        low: u32,
        high: u32,
        got: u32,
    },
    #[error("{field} must be longer than 0")]
    ZeroDuration { field: &'static str },
    #[error("{field} {value} is not a whole number of {tick}ms ticks: change it or set --tick to a divisor")]
    Tick {
        field: &'static str,
        value: String,
        tick: u32,
    },
    #[error("{field} {value} is {ticks} ticks of {tick}ms; kcheck keeps a duration to {} ticks: set a larger --tick", crate::systems::lb::scenario::MAX_TICKS)]
    TooManyTicks {
        field: &'static str,
        value: String,
        tick: u32,
        ticks: u32,
    },
    #[error(
        "request-rate {rate}/s is not a whole number of ms between requests: use a divisor of 1000"
    )]
    RequestRate { rate: u32 },
    #[error("request-rate {rate}/s puts {}ms between requests, not a whole number of {tick}ms ticks", 1000 / rate)]
    RateTick { rate: u32, tick: u32 },
    #[error("balancers counts the HAProxy instances sharing a VIP; frontend {frontend} has {}", if *frontend == "none" { "none" } else { "one" })]
    BalancersWithout { frontend: &'static str },
    #[error("vip-failover is the VIP's move to a standby; frontend {frontend} has no VIP: use --frontend vip")]
    VipFailoverWithout { frontend: &'static str },
    #[error(
        "--check http with --frontend none: with no load balancer nothing checks the API servers"
    )]
    CheckWithoutBalancer,
    #[error("--balance picks a server at the balancer, and --frontend none has none")]
    BalanceWithoutBalancer,
    #[error("timeout-server counts a hung server's connections for --balance leastconn; round robin does not read it")]
    TimeoutServerWithout,
    #[error(
        "lb-crash crashes a balancer, and frontend none has none: use --frontend single or vip"
    )]
    LbCrashWithoutBalancer,
    #[error("{field} is an HAProxy setting; the nginx model has none (it reads max-fails and fail-timeout)")]
    HaproxyFieldForNginx { field: &'static str },
    #[error("{field} is an nginx setting: add --lb nginx")]
    NginxFieldForHaproxy { field: &'static str },
    #[error("--lb nginx with --frontend none: with no load balancer there is no nginx")]
    NginxWithoutBalancer,
    #[error("a load-balancer check needs a fault: set crash, hang or lb-crash to 1 or more")]
    LbWithoutFaults,
    #[error("{field} is a setting of --model reconcile")]
    ReconcileField { field: &'static str },
    #[error("{field} is not a setting of --model reconcile")]
    ForeignForReconcile { field: &'static str },
    #[error("{replicas} replicas never fit: {labelled} matching worker{} hold {each}, and a Deployment that cannot roll out leaves nothing to check (lower replicas, or raise workers, capacity or node-selector)", if *labelled == 1 { "" } else { "s" })]
    NoRoom {
        replicas: u32,
        labelled: u32,
        each: String,
    },
    #[error("{field} speaks of kubectl drain: add --drain")]
    WithoutDrain { field: &'static str },
    #[error("node-monitor-grace-period {grace} is shorter than the kubelet's heartbeat {heartbeat}: every live node would be marked NotReady between two heartbeats")]
    GraceBelowHeartbeat { grace: String, heartbeat: String },
    #[error("leader-elect-retry-period must not exceed leader-elect-lease-duration: a leader would lose its lease between two renewals")]
    RetryAboveLease,
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path} is empty: a scenario file sets at least one field (with no file, verify checks the defaults)")]
    Empty { path: String },
    #[error("{path} is a gate file; run kcheck gate {path}")]
    GateFile { path: String },
    #[error("{path}:{line}:{column}: {reason}")]
    Toml {
        path: String,
        line: usize,
        column: usize,
        reason: String,
    },
}

impl Scenario {
    /// Reads a scenario file.
    pub fn from_file(path: &Path) -> Result<Scenario, ScenarioError> {
        Scenario::from_file_as(path, &path.display().to_string())
    }

    /// Reads a scenario file that errors call `shown`.
    pub fn from_file_as(path: &Path, shown: &str) -> Result<Scenario, ScenarioError> {
        let text = read_small(path).map_err(|reason| ScenarioError::Read {
            path: shown.to_string(),
            reason,
        })?;
        Scenario::from_toml(&text, shown)
    }

    /// Parses a scenario from TOML text; `origin` names it in errors. A file that sets nothing
    /// is refused rather than read as the defaults, and so is a gate file.
    pub fn from_toml(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let path = || origin.to_string();
        if let Ok(table) = text.parse::<toml::Table>() {
            // A gate file's rows are `[[check]]` tables; a scenario's `check` is a word.
            if table.get("check").is_some_and(toml::Value::is_array) {
                return Err(ScenarioError::GateFile { path: path() });
            }
            if table.is_empty() {
                return Err(ScenarioError::Empty { path: path() });
            }
        }
        toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            ScenarioError::Toml {
                path: origin.to_string(),
                line,
                column,
                reason: e
                    .message()
                    .lines()
                    .next()
                    .unwrap_or("invalid TOML")
                    .to_string(),
            }
        })
    }

    /// Checks every value and resolves the defaults: the validated scenario of its model.
    pub fn validate(&self) -> Result<Valid, ScenarioError> {
        match self.model {
            ModelKind::Raft => self.raft().map(Valid::Raft),
            ModelKind::Lb => lb::validate(self, false).map(Valid::Lb),
            ModelKind::Cluster => lb::validate(self, true).map(Valid::Cluster),
            ModelKind::Reconcile => reconcile::validate(self).map(Valid::Reconcile),
        }
    }

    /// Validates a Raft scenario; another model's scenario is refused as carrying fields the
    /// Raft model does not read.
    pub fn raft(&self) -> Result<RaftScenario, ScenarioError> {
        if let Some(field) = lb::lb_field(self) {
            return Err(ScenarioError::LbFieldForRaft { field });
        }
        if let Some(field) = reconcile::reconcile_field(self) {
            return Err(ScenarioError::ReconcileField { field });
        }
        let masters = self.masters;
        if !(1..=MAX_MASTERS).contains(&masters) {
            return Err(ScenarioError::Masters(masters));
        }
        let quorum = self.quorum.unwrap_or(masters / 2 + 1);
        if !(1..=masters).contains(&quorum) {
            return Err(ScenarioError::Quorum {
                masters,
                got: quorum,
            });
        }
        let other_fault = self.partition || self.link_faults > 0 || self.pauses > 0;
        let crash = self.crash.unwrap_or(if other_fault { 0 } else { 1 });
        if crash > masters {
            return Err(ScenarioError::Crash {
                masters,
                got: crash,
            });
        }
        if !(MIN_TERM..=MAX_TERM).contains(&self.max_term) {
            return Err(ScenarioError::MaxTerm(self.max_term));
        }
        if self.writes > MAX_WRITES {
            return Err(ScenarioError::Writes(self.writes));
        }
        let links = masters * (masters - 1) / 2;
        if self.link_faults > links.min(MAX_LINK_FAULTS) {
            return Err(ScenarioError::LinkFaults {
                masters,
                most: links.min(MAX_LINK_FAULTS),
                got: self.link_faults,
            });
        }
        if !(1..=MAX_SPLITS).contains(&self.splits) {
            return Err(ScenarioError::Splits(self.splits));
        }
        if self.splits > 1 && !(self.partition && self.heal) {
            return Err(ScenarioError::SplitsWithoutHeal);
        }
        if self.pauses > masters {
            return Err(ScenarioError::Pauses {
                masters,
                got: self.pauses,
            });
        }
        if self.reads.is_some() && self.writes == 0 {
            return Err(ScenarioError::ReadsWithoutWrites);
        }
        if self.client_timeouts && self.writes == 0 {
            return Err(ScenarioError::TimeoutsWithoutWrites);
        }
        if self.crash_loses_unsynced && crash == 0 {
            return Err(ScenarioError::LosesUnsyncedWithoutCrashes);
        }
        let max_in_flight = match (self.network, self.max_in_flight) {
            (NetworkMode::Atomic, None) => 0,
            (NetworkMode::Atomic, Some(_)) => return Err(ScenarioError::InFlightWithoutMessages),
            (NetworkMode::Messages, n) => {
                let n = n.unwrap_or(DEFAULT_IN_FLIGHT);
                if !(1..=MAX_IN_FLIGHT).contains(&n) {
                    return Err(ScenarioError::MaxInFlight(n));
                }
                n as u8
            }
        };
        let mut recovery = self.recovery.clone();
        recovery.sort();
        recovery.dedup();
        if !recovery.is_empty() {
            if self.quorum.is_some() {
                return Err(ScenarioError::QuorumWithRecovery);
            }
            let adds = recovery.iter().filter(|r| r.adds()).count() as u32;
            if masters + adds > MAX_MASTERS {
                return Err(ScenarioError::TooManyMembers { masters, adds });
            }
            if recovery.contains(&Recovery::SnapshotRestore) && self.writes == 0 {
                return Err(ScenarioError::RestoreWithoutWrites);
            }
            if crash == 0 && !other_fault {
                return Err(ScenarioError::RecoveryWithoutFaults);
            }
        }
        if !recovery.iter().any(|r| r.changes_membership()) {
            let what = if self.config_on_append {
                Some("config-on-append".to_string())
            } else {
                self.unsafe_rules
                    .iter()
                    .find(|r| matches!(r, UnsafeRule::StrictReconfig | UnsafeRule::ReconfigGuard))
                    .map(|r| format!("--unsafe {}", r.name()))
            };
            if let Some(what) = what {
                return Err(ScenarioError::WithoutMembership { what });
            }
        }
        Ok(RaftScenario {
            masters: masters as u8,
            quorum: quorum as u8,
            crash: crash as u8,
            partition: self.partition,
            heal: self.heal,
            pre_vote: self.pre_vote,
            max_term: self.max_term as u8,
            writes: self.writes as u8,
            symmetry: self.symmetry,
            unsafe_rules: {
                let mut rules = self.unsafe_rules.clone();
                rules.sort();
                rules.dedup();
                rules
            },
            reads: self.reads,
            link_faults: self.link_faults as u8,
            splits: self.splits as u8,
            pauses: self.pauses as u8,
            client_timeouts: self.client_timeouts,
            crash_loses_unsynced: self.crash_loses_unsynced,
            network: self.network,
            max_in_flight,
            recovery,
            config_on_append: self.config_on_append,
        })
    }
}

impl RaftScenario {
    /// The scenario in words, for report headers.
    pub fn describe(&self) -> String {
        let mut faults = Vec::new();
        if self.crash > 0 {
            faults.push(format!(
                "up to {} crash{}",
                self.crash,
                if self.crash == 1 { "" } else { "es" }
            ));
        }
        if self.partition && self.splits == 1 {
            faults.push("one network partition".to_string());
        } else if self.partition {
            faults.push(format!("up to {} network partitions", self.splits));
        }
        if self.link_faults > 0 {
            faults.push(format!(
                "up to {} failed link{}",
                self.link_faults,
                if self.link_faults == 1 { "" } else { "s" }
            ));
        }
        if self.pauses > 0 {
            faults.push(format!(
                "up to {} pause{} of a follower that hears its leader",
                self.pauses,
                if self.pauses == 1 { "" } else { "s" }
            ));
        }
        if faults.is_empty() {
            faults.push("no faults".to_string());
        }
        let heal = if self.heal {
            "crashed members restart and partitions heal"
        } else {
            "no recovery"
        };
        let unsafe_rules = if self.unsafe_rules.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = self.unsafe_rules.iter().map(|r| r.name()).collect();
            format!(", UNSAFE without {}", names.join(", "))
        };
        let reads = self
            .reads
            .map_or(String::new(), |r| format!(", {} reads", r.name()));
        let reads = if self.client_timeouts {
            format!("{reads}, client timeouts tracked")
        } else {
            reads
        };
        let reads = if self.crash_loses_unsynced {
            format!("{reads}, members do not fsync (a crash may lose unsynced entries)")
        } else {
            reads
        };
        let reads = if self.recovery.is_empty() {
            reads
        } else {
            let names: Vec<&str> = self.recovery.iter().map(|r| r.name()).collect();
            format!(
                "{reads}, operator may run {}{}",
                names.join(", "),
                if self.config_on_append {
                    " (configurations used once appended)"
                } else {
                    ""
                }
            )
        };
        let network = match self.network {
            NetworkMode::Atomic => String::new(),
            NetworkMode::Messages => format!(
                ", RPCs as messages (late, reordered, duplicated or lost; at most {} in flight)",
                self.max_in_flight
            ),
        };
        format!(
            "{} master{} (quorum {}{}), {}, {}{}{}{network}{reads}{unsafe_rules}",
            self.masters,
            if self.masters == 1 { "" } else { "s" },
            self.quorum,
            if self.quorum == self.masters / 2 + 1 {
                ""
            } else {
                ", overridden"
            },
            faults.join(" and "),
            heal,
            if self.pre_vote { ", pre-vote on" } else { "" },
            if self.symmetry && self.link_faults == 0 {
                ""
            } else {
                ", symmetry reduction off"
            }
        )
    }
}

/// The text of a small file, read through a bounded reader: at most [`MAX_FILE_BYTES`] are read
/// whatever the file (a device, a pipe). The error is the reason, in words.
pub(crate) fn read_small(path: &Path) -> Result<String, String> {
    if path.is_dir() {
        return Err("it is a directory".to_string());
    }
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "larger than {} MiB, the most kcheck reads of a TOML file",
            MAX_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

/// "1 master", "2 masters".
fn plural(n: u32, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_resolve_to_a_majority_and_one_crash() {
        let s = Scenario {
            masters: 4,
            ..Scenario::default()
        }
        .raft()
        .unwrap();
        assert_eq!((s.quorum, s.crash), (3, 1));
        let p = Scenario {
            masters: 4,
            partition: true,
            ..Scenario::default()
        }
        .raft()
        .unwrap();
        assert_eq!(p.crash, 0);
    }

    #[test]
    fn impossible_values_are_refused_with_the_allowed_range() {
        let err = Scenario {
            masters: 0,
            ..Scenario::default()
        }
        .raft()
        .unwrap_err();
        assert_eq!(err.to_string(), "masters must be 1 to 7 (got 0)");
        let err = Scenario {
            masters: 2,
            quorum: Some(3),
            ..Scenario::default()
        }
        .raft()
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "quorum must be 1 to 2 for 2 masters (got 3)"
        );
        assert!(Scenario {
            writes: 9,
            ..Scenario::default()
        }
        .raft()
        .is_err());
        for max_term in [0, 1, 7] {
            assert_eq!(
                Scenario {
                    max_term,
                    ..Scenario::default()
                }
                .raft(),
                Err(ScenarioError::MaxTerm(max_term))
            );
        }
        assert!(Scenario {
            crash: Some(4),
            ..Scenario::default()
        }
        .raft()
        .is_err());
    }

    #[test]
    fn files_that_set_nothing_or_are_gate_files_are_refused() {
        for text in ["", "\n", "# only a comment\n"] {
            assert_eq!(
                Scenario::from_toml(text, "x.toml"),
                Err(ScenarioError::Empty {
                    path: "x.toml".to_string()
                }),
                "{text:?}"
            );
        }
        let gate = "[[check]]\nscenario = \"a.toml\"\nproperty = \"p\"\nexpect = \"holds\"\n";
        assert_eq!(
            Scenario::from_toml(gate, "g.toml").unwrap_err().to_string(),
            "g.toml is a gate file; run kcheck gate g.toml"
        );
        assert!(Scenario::from_toml("masters = 2\n", "x.toml").is_ok());
    }

    #[test]
    fn toml_errors_name_the_line() {
        let err = Scenario::from_toml("masters = 3\npartition = maybe\n", "x.toml").unwrap_err();
        match err {
            ScenarioError::Toml { line, .. } => assert_eq!(line, 2),
            other => panic!("unexpected {other:?}"),
        }
        let err = Scenario::from_toml("mastres = 3\n", "x.toml").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("x.toml:1:1: unknown field `mastres`"),
            "{err}"
        );
    }
}
