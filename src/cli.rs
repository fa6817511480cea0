//! Command-line definitions and help texts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::report::Format;
use crate::scenario::{
    Balance, CheckType, Frontend, LbKind, Millis, ModelKind, NetworkMode, Reads, Recovery,
    Scenario, ScenarioError, UnsafeRule, MAX_IN_FLIGHT, MAX_LINK_FAULTS, MAX_MASTERS, MAX_SPLITS,
    MAX_TERM, MAX_WRITES, MIN_TERM, TERM_REASON,
};

#[derive(Debug, Parser)]
#[command(
    name = "kcheck",
    version,
    arg_required_else_help = true,
    about = "Model checker for Kubernetes control-plane high availability",
    long_about = "kcheck explores every behaviour of a model of the control plane (etcd Raft quorum first) \
within stated bounds, and says for each property whether it HOLDS, is VIOLATED (with a trace you can read), \
or is INCOMPLETE because a limit cut the search.\n\nExit codes: 0 every property holds, 1 some property is \
violated, 2 bad input, 3 a limit cut the search and nothing was violated.",
    after_help = "Examples:\n  kcheck verify --masters 2 --partition     why two masters survive no partition\n  kcheck explore --masters 2 --partition    the same, step by step in a browser\n  kcheck gate properties/                   in CI: fail when a pinned verdict changes\n  kcheck table --max-masters 5              the fault-tolerance table, decided by checking"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a scenario's properties and print verdicts and counterexamples.
    #[command(
        after_help = "Examples:\n  kcheck verify --masters 2 --partition\n  kcheck verify models/three-masters.toml --crash 1\n  kcheck verify --masters 2 --quorum 1 --partition --property no-split-brain --format json"
    )]
    Verify(VerifyArgs),
    /// Serve the scenario's model in a web explorer: step through states, follow counterexamples.
    #[command(
        after_help = "Examples:\n  kcheck explore --masters 2 --partition        then open http://127.0.0.1:3000\n  kcheck explore models/three-masters.toml --bind 127.0.0.1:8080"
    )]
    Explore(ExploreArgs),
    /// Check gate files: rows of scenario, property and expected verdict; fail on any mismatch.
    #[command(
        long_about = "Check gate files: rows of scenario, property and expected verdict; fail on any mismatch.\n\n\
A gate file has one [[check]] table per row: scenario (a scenario file, relative to the gate file; \
required), property (a name from `kcheck list`), expect (holds or violated), and optionally max-states, \
timeout, and scenario fields (masters, quorum, crash, partition, heal, pre-vote, max-term, writes, \
symmetry, and the load-balancer and reconcile fields such as inter or node-monitor-grace-period) laid \
over the scenario file. Two rows that check the same property on the same scenario are an error, \
whether they expect the same verdict or not. An INCOMPLETE verdict fails its row.\n\n\
Exit codes: 0 every row passes, 1 some row fails, 2 bad input: a malformed or empty gate file, a \
duplicate or contradictory row, an unwritable --junit file (nothing is checked).",
        after_help = "Examples:\n  kcheck gate                                   every *.toml under properties/\n  kcheck gate properties/raft.toml --junit gate.xml"
    )]
    Gate(GateArgs),
    /// The fault-tolerance table, one row per cluster size, every cell decided by checking.
    #[command(
        long_about = "The fault-tolerance table, one row per cluster size from 1, every cell decided by \
checking the etcd Raft model (term ≤ 2, ≤ 1 client write), not by a formula:\n\n\
  crashes tolerated     the largest k for which write-availability HOLDS with up to k members crashed\n\
  quorum                the fewest live members with which a write still commits: masters − crashes tolerated\n\
  survives partition    write-availability HOLDS when the network may split once, no crash\n\
  split brain possible  no-split-brain is VIOLATED under a network partition that may heal\n\n\
A check cut by --max-states or --timeout leaves its cell unknown (? or null) and exits 3.",
        after_help = "Examples:\n  kcheck table --max-masters 5\n  kcheck table --format json"
    )]
    Table(TableArgs),
    /// List the models and their properties, one line each.
    #[command(after_help = "Example:\n  kcheck list")]
    List,
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  kcheck completions bash > ~/.local/share/bash-completion/completions/kcheck\n  kcheck completions zsh > ~/.zfunc/_kcheck\n  kcheck completions fish > ~/.config/fish/completions/kcheck.fish"
    )]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// The scenario: a TOML file, flags, or both (flags override the file).
#[derive(Debug, Clone, Args)]
pub struct ScenarioArgs {
    /// Scenario file (TOML), e.g. models/two-masters.toml.
    pub scenario: Option<PathBuf>,
    /// The system to check.
    #[arg(long, value_enum)]
    pub model: Option<ModelKind>,
    /// etcd members, one per master (1 to 7). Default 3.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = masters)]
    pub masters: Option<u32>,
    /// Up to K members may crash. With no fault flag at all, one crash.
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = crash)]
    pub crash: Option<u32>,
    /// The network may split the masters once into any two non-empty groups.
    #[arg(long)]
    pub partition: bool,
    /// Crashed members may restart and the partition may heal.
    #[arg(long)]
    pub heal: bool,
    /// Votes needed to elect and commit (default: a majority). Lower it to see what it buys.
    #[arg(long, value_name = "Q", allow_negative_numbers = true, value_parser = quorum)]
    pub quorum: Option<u32>,
    /// etcd's pre-vote: campaign only after a quorum says it could win.
    #[arg(long)]
    pub pre_vote: bool,
    /// Highest term a member may reach (2 to 6); the initial leader holds term 1. Default 2.
    #[arg(long, value_name = "T", allow_negative_numbers = true, value_parser = max_term)]
    pub max_term: Option<u32>,
    /// Client writes the API server may send (0 to 3). Default 1.
    #[arg(long, value_name = "W", allow_negative_numbers = true, value_parser = writes)]
    pub writes: Option<u32>,
    /// Explore every renaming of the members separately (no symmetry reduction): slower, for
    /// cross-checking; the verdicts must be the same.
    #[arg(long)]
    pub no_symmetry: bool,
    /// Remove one etcd safety mechanism (repeatable) to see what it protects; `kcheck list`
    /// names them.
    #[arg(long = "unsafe", value_name = "RULE", value_enum)]
    pub unsafe_rules: Vec<UnsafeRule>,
    /// Clients also read: linearizable (ReadIndex, the API server's quorum reads) or
    /// serializable (any member, from its own log). Needs writes to read.
    #[arg(long, value_name = "MODE", value_enum)]
    pub reads: Option<Reads>,
    /// Up to L single links between two members fail (a partial partition); with --heal they
    /// come back. Turns symmetry reduction off (links are named).
    #[arg(long, value_name = "L", allow_negative_numbers = true, value_parser = link_faults)]
    pub link_faults: Option<u32>,
    /// With --partition and --heal: the network may split up to N times, each after a heal.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = splits)]
    pub splits: Option<u32>,
    /// Up to P times, a follower's election timeout fires although its leader is alive (a GC
    /// pause, a slow disk): a fault, like a crash.
    #[arg(long, value_name = "P", allow_negative_numbers = true, value_parser = pauses)]
    pub pauses: Option<u32>,
    /// Track clients whose write timed out because its leader stopped leading before committing
    /// it, and whether such a write still commits (timed-out-write-may-commit).
    #[arg(long)]
    pub client_timeouts: bool,
    /// Members do not fsync their WAL (etcd's `--unsafe-no-fsync`): a crash may lose the log
    /// entries not yet written to disk. Needs crashes.
    #[arg(long)]
    pub crash_loses_unsynced: bool,
    /// How the network carries RPCs: atomic (each RPC one step, the default, fast) or messages
    /// (requests and responses in flight: late, reordered, duplicated, lost).
    #[arg(long, value_name = "MODE", value_enum)]
    pub network: Option<NetworkMode>,
    /// With --network messages: most messages in flight at once (1 to 6). Default 2.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = max_in_flight)]
    pub max_in_flight: Option<u32>,
    /// An operator recovery action the model may take after a fault (repeatable): member-add,
    /// learner-add (add, then promote), member-remove, force-new-cluster, snapshot-restore.
    #[arg(long, value_name = "ACTION", value_enum)]
    pub recovery: Vec<Recovery>,
    /// With membership changes: a member uses the newest configuration in its log, committed or
    /// not (the Raft dissertation), instead of the one it applied (etcd).
    #[arg(long)]
    pub config_on_append: bool,
    /// --model lb: what stands in front of the API servers: none (clients pinned to master 1),
    /// single (one HAProxy, the default) or vip (a VIP shared by HAProxy instances).
    #[arg(
        long,
        value_name = "KIND",
        value_enum,
        help_heading = "Load balancer (--model lb)"
    )]
    pub frontend: Option<Frontend>,
    /// HAProxy instances sharing the VIP (2 or 3). Default 2.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = balancers, help_heading = "Load balancer (--model lb)")]
    pub balancers: Option<u32>,
    /// The balancer software: haproxy (active checks, the default) or nginx (passive checks).
    #[arg(
        long,
        value_name = "LB",
        value_enum,
        help_heading = "Load balancer (--model lb)"
    )]
    pub lb: Option<LbKind>,
    /// Health check: tcp (the connection is accepted, the default) or http (GET /readyz
    /// answers 200).
    #[arg(
        long,
        value_name = "TYPE",
        value_enum,
        help_heading = "Load balancer (--model lb)"
    )]
    pub check: Option<CheckType>,
    /// HAProxy `inter`: time between checks of a healthy server. Default 2s.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = "Load balancer (--model lb)")]
    pub inter: Option<Millis>,
    /// HAProxy `fastinter`: between checks while a server goes up or down. Default: inter.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = "Load balancer (--model lb)")]
    pub fastinter: Option<Millis>,
    /// HAProxy `downinter`: between checks of a server marked down. Default: inter.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = "Load balancer (--model lb)")]
    pub downinter: Option<Millis>,
    /// HAProxy `timeout check`: how long a check waits for an answer once connected. Default:
    /// inter.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = "Load balancer (--model lb)")]
    pub timeout_check: Option<Millis>,
    /// HAProxy `rise`: consecutive passing checks to mark a server up (1 to 10). Default 2.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = rise, help_heading = "Load balancer (--model lb)")]
    pub rise: Option<u32>,
    /// HAProxy `fall`: consecutive failing checks to mark a server down (1 to 10). Default 3.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = fall, help_heading = "Load balancer (--model lb)")]
    pub fall: Option<u32>,
    /// HAProxy `retries`: attempts after a refused connection (0 to 10). Default 3.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = retries, help_heading = "Load balancer (--model lb)")]
    pub retries: Option<u32>,
    /// HAProxy `option redispatch`: the last retry goes to another server.
    #[arg(long, help_heading = "Load balancer (--model lb)")]
    pub redispatch: bool,
    /// HAProxy `balance`: roundrobin (the default) or leastconn (the server with the fewest
    /// open connections).
    #[arg(
        long,
        value_name = "ALGO",
        value_enum,
        help_heading = "Load balancer (--model lb)"
    )]
    pub balance: Option<Balance>,
    /// With --balance leastconn: HAProxy `timeout server`, how long a hung API server holds a
    /// connection. Default 30s.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = "Load balancer (--model lb)")]
    pub timeout_server: Option<Millis>,
    /// Client requests per second (a divisor of 1000). Default 10.
    #[arg(
        long,
        value_name = "R",
        allow_negative_numbers = true,
        help_heading = "Load balancer (--model lb)"
    )]
    pub request_rate: Option<u32>,
    /// With --frontend vip: how long a standby takes to claim the VIP. Default 3s.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = "Load balancer (--model lb)")]
    pub vip_failover: Option<Millis>,
    /// Up to K API servers hang: they accept connections and never answer.
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = crash, help_heading = "Load balancer (--model lb)")]
    pub hang: Option<u32>,
    /// With --lb nginx: failed attempts that make a server unavailable (1 to 10). Default 1.
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = max_fails, help_heading = "Load balancer (--model lb)")]
    pub max_fails: Option<u32>,
    /// With --lb nginx: how long a server stays unavailable after max-fails. Default 10s.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = "Load balancer (--model lb)")]
    pub fail_timeout: Option<Millis>,
    /// Up to K HAProxy instances crash.
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = crash, help_heading = "Load balancer (--model lb)")]
    pub lb_crash: Option<u32>,
    /// The model's unit of time; every duration must be a whole number of ticks. Default 10ms
    /// (--model reconcile: 1s).
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = "Load balancer (--model lb)")]
    pub tick: Option<Millis>,
    /// Worker nodes (1 to 5). Default 3.
    #[arg(long, value_name = "N", allow_negative_numbers = true, help_heading = RC)]
    pub workers: Option<u32>,
    /// The Deployment's replicas (1 to 6). Default 3.
    #[arg(long, value_name = "R", allow_negative_numbers = true, help_heading = RC)]
    pub replicas: Option<u32>,
    /// Pods a worker has room for (1 to 6). Default: the replicas.
    #[arg(long, value_name = "N", allow_negative_numbers = true, help_heading = RC)]
    pub capacity: Option<u32>,
    /// Required pod anti-affinity on the hostname: one replica per worker at most.
    #[arg(long, help_heading = RC)]
    pub anti_affinity: bool,
    /// The pods' nodeSelector matches only N of the workers. Default: all.
    #[arg(long, value_name = "N", allow_negative_numbers = true, help_heading = RC)]
    pub node_selector: Option<u32>,
    /// Up to K workers crash. With no fault flag at all, one.
    #[arg(long, value_name = "K", allow_negative_numbers = true, help_heading = RC)]
    pub worker_crash: Option<u32>,
    /// A worker may be cut off from the control plane; its pods keep running.
    #[arg(long, help_heading = RC)]
    pub worker_partition: bool,
    /// A container may crash (restartPolicy Always).
    #[arg(long, help_heading = RC)]
    pub pod_crash: bool,
    /// Every master may go down at once (or lose etcd's quorum: --crash counts masters).
    #[arg(long, help_heading = RC)]
    pub control_plane_outage: bool,
    /// An operator drains one worker with kubectl drain, under a PodDisruptionBudget.
    #[arg(long, help_heading = RC)]
    pub drain: bool,
    /// With --drain: the budget's minAvailable. Default: replicas − 1.
    #[arg(long, value_name = "N", allow_negative_numbers = true, help_heading = RC)]
    pub min_available: Option<u32>,
    /// With --drain: kubectl drain --disable-eviction (delete, bypassing the budget).
    #[arg(long, help_heading = RC)]
    pub disable_eviction: bool,
    /// The kubelet's node lease renewal interval. Default 10s.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = RC)]
    pub heartbeat: Option<Millis>,
    /// kube-controller-manager --node-monitor-period. Default 5s.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = RC)]
    pub node_monitor_period: Option<Millis>,
    /// kube-controller-manager --node-monitor-grace-period. Default 50s (40s before v1.32).
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = RC)]
    pub node_monitor_grace_period: Option<Millis>,
    /// tolerationSeconds of the pods' not-ready/unreachable NoExecute tolerations. Default 300s.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = RC)]
    pub toleration_seconds: Option<Millis>,
    /// --leader-elect-lease-duration of the controller-manager and scheduler. Default 15s.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = RC)]
    pub leader_elect_lease_duration: Option<Millis>,
    /// --leader-elect-retry-period. Default 2s.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = RC)]
    pub leader_elect_retry_period: Option<Millis>,
    /// The kubelet's first crash-loop back-off. Default 10s.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = RC)]
    pub restart_backoff: Option<Millis>,
    /// 1 / --node-eviction-rate: between two workers tainted for eviction. Default 10s.
    #[arg(long, value_name = "DURATION", value_parser = Millis::parse, help_heading = RC)]
    pub eviction_interval: Option<Millis>,
}

const RC: &str = "Reconciliation (--model reconcile)";

impl ScenarioArgs {
    /// The scenario file (if any) with the flags laid over it.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        let mut s = match &self.scenario {
            Some(path) => Scenario::from_file(path)?,
            None => Scenario::default(),
        };
        let file = s.clone();
        if let Some(m) = self.model {
            s.model = m;
        }
        if let Some(n) = self.masters {
            s.masters = n;
        }
        if self.crash.is_some() {
            s.crash = self.crash;
        }
        s.partition |= self.partition;
        s.heal |= self.heal;
        if self.quorum.is_some() {
            s.quorum = self.quorum;
        }
        s.pre_vote |= self.pre_vote;
        if let Some(t) = self.max_term {
            s.max_term = t;
        }
        if let Some(w) = self.writes {
            s.writes = w;
        }
        if self.no_symmetry {
            s.symmetry = false;
        }
        s.unsafe_rules.extend(self.unsafe_rules.iter().copied());
        if let Some(r) = self.reads {
            s.reads = Some(r);
        }
        s.client_timeouts |= self.client_timeouts;
        if let Some(p) = self.pauses {
            s.pauses = p;
        }
        if let Some(l) = self.link_faults {
            s.link_faults = l;
        }
        if let Some(n) = self.splits {
            s.splits = n;
        }
        s.crash_loses_unsynced |= self.crash_loses_unsynced;
        s.recovery.extend(self.recovery.iter().copied());
        s.config_on_append |= self.config_on_append;
        if let Some(n) = self.network {
            s.network = n;
        }
        if self.max_in_flight.is_some() {
            s.max_in_flight = self.max_in_flight;
        }
        macro_rules! lay {
            ($($field:ident),*) => {$(
                if self.$field.is_some() {
                    s.$field = self.$field;
                }
            )*};
        }
        lay!(
            frontend,
            balancers,
            lb,
            check,
            inter,
            fastinter,
            downinter,
            timeout_check,
            rise,
            fall,
            retries,
            balance,
            timeout_server,
            request_rate,
            vip_failover,
            hang,
            lb_crash,
            max_fails,
            fail_timeout,
            tick,
            workers,
            replicas,
            capacity,
            node_selector,
            worker_crash,
            min_available,
            heartbeat,
            node_monitor_period,
            node_monitor_grace_period,
            toleration_seconds,
            leader_elect_lease_duration,
            leader_elect_retry_period,
            restart_backoff,
            eviction_interval
        );
        s.redispatch |= self.redispatch;
        s.anti_affinity |= self.anti_affinity;
        s.worker_partition |= self.worker_partition;
        s.pod_crash |= self.pod_crash;
        s.control_plane_outage |= self.control_plane_outage;
        s.drain |= self.drain;
        s.disable_eviction |= self.disable_eviction;
        // The file's description tells of the file; say when flags changed what it describes.
        if s != file {
            s.description = s
                .description
                .map(|d| format!("{d} (before flags changed it)"));
        }
        Ok(s)
    }
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Check only this property (repeatable). `kcheck list` names them.
    #[arg(long = "property", value_name = "NAME")]
    pub properties: Vec<String>,
    #[command(flatten)]
    pub budget: Budget,
    /// Output format. itf and mermaid print one document per violated property, one after the
    /// other, and nothing when no property is violated.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also write one file per violated property into this directory, in the chosen format:
    /// PROPERTY.txt, .json, .itf.json or .mmd.
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

/// The limits and manners of a run, shared by verify, gate and table.
#[derive(Debug, Clone, Args)]
pub struct Budget {
    /// Stop each search after this many states; what it cuts is INCOMPLETE.
    #[arg(
        long,
        value_name = "S",
        default_value_t = 50_000_000,
        allow_negative_numbers = true,
        value_parser = max_states
    )]
    pub max_states: usize,
    /// Stop after this many seconds, exploring and deciding every property included (gate and
    /// table: each check); what it cuts is INCOMPLETE.
    #[arg(long, value_name = "SECS", allow_negative_numbers = true)]
    pub timeout: Option<f64>,
    /// Stop each search before the process uses more memory than this (4G, 512M); what it cuts
    /// is INCOMPLETE. Default: nine tenths of the memory available when the run starts.
    #[arg(long, value_name = "SIZE", allow_hyphen_values = true, value_parser = crate::engine::memory::parse_size)]
    pub max_memory: Option<u64>,
    /// Worker threads, 1 to 256 (default: one per core).
    #[arg(long, value_name = "T", allow_negative_numbers = true, value_parser = threads)]
    pub threads: Option<usize>,
    /// No progress line on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ExploreArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Address to serve on: HOST:PORT, or a PORT on 127.0.0.1. kcheck serves outside loopback
    /// only when an address here says so.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:3000")]
    pub bind: String,
    #[command(flatten)]
    pub budget: Budget,
}

#[derive(Debug, Clone, Args)]
pub struct GateArgs {
    /// Gate files, or directories of them (every *.toml inside). Default: properties/.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Also write the results as JUnit XML to this file.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    #[command(flatten)]
    pub budget: Budget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    /// A Markdown table.
    Markdown,
    /// A JSON list of rows.
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct TableArgs {
    /// Largest cluster size, one row per size from 1.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 7,
        allow_negative_numbers = true,
        value_parser = max_masters
    )]
    pub max_masters: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Markdown)]
    pub format: TableFormat,
    /// raft (the default): the etcd quorum alone. cluster: also a column for kubectl writes
    /// through the front end after one master crash.
    #[arg(long, value_enum)]
    pub model: Option<ModelKind>,
    /// With --model cluster: the front end of the extra column (default single).
    #[arg(long, value_name = "KIND", value_enum)]
    pub frontend: Option<Frontend>,
    /// With --model cluster: the front end's health check (default http, GET /readyz).
    #[arg(long, value_name = "TYPE", value_enum)]
    pub check: Option<CheckType>,
    #[command(flatten)]
    pub budget: Budget,
}

/// Most worker threads: more than a few per core only adds the cost of starting and waking them
/// (10,000 threads turn a second's check into a minute).
pub const MAX_THREADS: usize = 256;

/// A whole number from `low` to `high`, or a message in the words of scenario errors
/// ("masters must be 1 to 7 (got 0)"); clap puts the flag and the value before it.
fn whole(text: &str, what: &str, low: u64, high: u64) -> Result<u64, String> {
    match text.trim().parse::<i128>() {
        Ok(n) if (i128::from(low)..=i128::from(high)).contains(&n) => Ok(n as u64),
        _ if high == u64::MAX => Err(format!("{what} must be at least {low} (got {text})")),
        _ => Err(format!("{what} must be {low} to {high} (got {text})")),
    }
}

fn masters(text: &str) -> Result<u32, String> {
    whole(text, "masters", 1, u64::from(MAX_MASTERS)).map(|n| n as u32)
}

fn quorum(text: &str) -> Result<u32, String> {
    whole(text, "quorum", 1, u64::from(MAX_MASTERS)).map(|n| n as u32)
}

fn crash(text: &str) -> Result<u32, String> {
    whole(text, "crash", 0, u64::from(MAX_MASTERS)).map(|n| n as u32)
}

fn balancers(text: &str) -> Result<u32, String> {
    whole(text, "balancers", 2, 3).map(|n| n as u32)
}

fn max_fails(text: &str) -> Result<u32, String> {
    whole(text, "max-fails", 1, 10).map(|n| n as u32)
}

fn rise(text: &str) -> Result<u32, String> {
    whole(text, "rise", 1, 10).map(|n| n as u32)
}

fn fall(text: &str) -> Result<u32, String> {
    whole(text, "fall", 1, 10).map(|n| n as u32)
}

fn retries(text: &str) -> Result<u32, String> {
    whole(text, "retries", 0, 10).map(|n| n as u32)
}

fn link_faults(text: &str) -> Result<u32, String> {
    whole(text, "link-faults", 0, u64::from(MAX_LINK_FAULTS)).map(|n| n as u32)
}

fn splits(text: &str) -> Result<u32, String> {
    whole(text, "splits", 1, u64::from(MAX_SPLITS)).map(|n| n as u32)
}

fn pauses(text: &str) -> Result<u32, String> {
    whole(text, "pauses", 0, u64::from(MAX_MASTERS)).map(|n| n as u32)
}

fn max_term(text: &str) -> Result<u32, String> {
    whole(text, "max-term", u64::from(MIN_TERM), u64::from(MAX_TERM))
        .map(|n| n as u32)
        .map_err(|e| format!("{e}: {TERM_REASON}"))
}

fn writes(text: &str) -> Result<u32, String> {
    whole(text, "writes", 0, u64::from(MAX_WRITES)).map(|n| n as u32)
}

fn max_in_flight(text: &str) -> Result<u32, String> {
    whole(text, "max-in-flight", 1, u64::from(MAX_IN_FLIGHT)).map(|n| n as u32)
}

fn max_masters(text: &str) -> Result<u32, String> {
    whole(text, "max-masters", 1, u64::from(MAX_MASTERS)).map(|n| n as u32)
}

fn max_states(text: &str) -> Result<usize, String> {
    whole(text, "max-states", 1, u64::MAX).map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

fn threads(text: &str) -> Result<usize, String> {
    whole(text, "threads", 1, MAX_THREADS as u64).map(|n| n as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_out_of_range_say_the_allowed_range() {
        assert_eq!(masters("-1"), Err("masters must be 1 to 7 (got -1)".into()));
        assert_eq!(masters("8"), Err("masters must be 1 to 7 (got 8)".into()));
        assert_eq!(
            masters("two"),
            Err("masters must be 1 to 7 (got two)".into())
        );
        assert_eq!(masters("7"), Ok(7));
        assert_eq!(crash("0"), Ok(0));
        assert_eq!(
            threads("10000"),
            Err("threads must be 1 to 256 (got 10000)".into())
        );
        assert_eq!(
            max_states("0"),
            Err("max-states must be at least 1 (got 0)".into())
        );
    }
}
