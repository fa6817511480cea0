//! Gate files: reading, and every check of their rows that can be made before any search.
//!
//! A gate file is TOML with one `[[check]]` table per row:
//!
//! ```toml
//! [[check]]
//! scenario = "../models/three-masters.toml"   # relative to this file's directory
//! property = "write-availability"             # a name from `kcheck list`
//! expect = "holds"                            # holds | violated
//! crash = 1                                   # optional: scenario fields laid over the file
//! max-states = 1000000                        # optional: this row's limits
//! timeout = 30
//! ```
//!
//! A row of a measure may pin its exact extremes, `min = 4000` and `max = 6000` (or
//! `"unbounded"`): the row passes only when exploration measures exactly those.
//!
//! Every row names its scenario file: a row made of fields alone would pin a verdict on
//! defaults nobody wrote down. Everything that can be wrong with a row (TOML, an unknown key, an
//! unknown property, a missing or unreadable scenario file, an impossible scenario, a bad limit)
//! is found here, with the file and line, before anything is checked; and so is a row that
//! repeats or contradicts another ([`conflicts`]).

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use crate::property::Outcome;
use crate::report::Measured;
use crate::scenario::{
    io_reason, line_column, read_small, Balance, CheckType, Frontend, Millis, ModelKind,
    NetworkMode, Reads, Recovery, Scenario, UnsafeRule, Valid,
};
use crate::systems::cluster::Cluster;
use crate::systems::lb::Lb;
use crate::systems::raft::Raft;
use crate::systems::reconcile::Reconcile;
use crate::systems::System;

/// The verdict a row expects. INCOMPLETE is not among them: a search a limit cut proves
/// nothing, so a gate row never passes with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    Holds,
    Violated,
}

impl Expect {
    /// The verdict the row expects.
    pub fn outcome(self) -> Outcome {
        match self {
            Expect::Holds => Outcome::Holds,
            Expect::Violated => Outcome::Violated,
        }
    }
}

/// A gate file, read and checked.
#[derive(Clone, Debug)]
pub struct GateFile {
    /// The path as the user named it (or the directory joined with the file name).
    pub path: String,
    pub rows: Vec<Row>,
}

/// One row, ready to check.
#[derive(Clone, Debug)]
pub struct Row {
    /// Line of the row's `[[check]]` header.
    pub line: usize,
    /// The scenario in words: its file (relative to the working directory) and the fields the
    /// row lays over it.
    pub scenario_name: String,
    pub scenario: Scenario,
    pub property: String,
    pub expect: Expect,
    /// A measure's extremes the row pins.
    pub min: Option<Measured>,
    pub max: Option<Measured>,
    pub max_states: usize,
    pub timeout: Option<f64>,
}

/// Limits a row uses unless it sets its own.
#[derive(Clone, Copy, Debug)]
pub struct Defaults {
    pub max_states: usize,
    pub timeout: Option<f64>,
}

/// Everything that stops a gate before it checks anything, and what can fail after.
#[derive(Debug, Error)]
pub enum GateError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: no gate files (*.toml) in this directory")]
    NoGateFiles { path: String },
    #[error("{path}: no [[check]] rows (a gate that checks nothing passes nothing)")]
    NoRows { path: String },
    #[error("{path}:{line}:{column}: {reason}")]
    At {
        path: String,
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("--timeout must be a positive number of seconds, at most {max} (got {0:?})", max = crate::check::MAX_TIMEOUT)]
    Timeout(f64),
    #[error("{path}:{line}: {reason}")]
    Check {
        path: String,
        line: usize,
        reason: String,
    },
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("{path} is a scenario file; run kcheck verify {path}")]
    ScenarioFile { path: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    check: Vec<Spanned<RawRow>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRow {
    scenario: Option<Spanned<String>>,
    property: Spanned<String>,
    expect: Expect,
    max_states: Option<Spanned<usize>>,
    timeout: Option<Spanned<f64>>,
    // Scenario fields laid over the scenario file, spelled as in it.
    masters: Option<u32>,
    quorum: Option<u32>,
    crash: Option<u32>,
    partition: Option<bool>,
    heal: Option<bool>,
    pre_vote: Option<bool>,
    max_term: Option<u32>,
    writes: Option<u32>,
    symmetry: Option<bool>,
    #[serde(rename = "unsafe")]
    unsafe_rules: Option<Vec<UnsafeRule>>,
    reads: Option<Reads>,
    client_timeouts: Option<bool>,
    pauses: Option<u32>,
    link_faults: Option<u32>,
    splits: Option<u32>,
    crash_loses_unsynced: Option<bool>,
    network: Option<NetworkMode>,
    max_in_flight: Option<u32>,
    recovery: Option<Vec<Recovery>>,
    config_on_append: Option<bool>,
    frontend: Option<Frontend>,
    balancers: Option<u32>,
    check: Option<CheckType>,
    tick: Option<Millis>,
    inter: Option<Millis>,
    fastinter: Option<Millis>,
    downinter: Option<Millis>,
    timeout_check: Option<Millis>,
    rise: Option<u32>,
    fall: Option<u32>,
    retries: Option<u32>,
    redispatch: Option<bool>,
    balance: Option<Balance>,
    timeout_server: Option<Millis>,
    request_rate: Option<u32>,
    vip_failover: Option<Millis>,
    hang: Option<u32>,
    lb_crash: Option<u32>,
    workers: Option<u32>,
    replicas: Option<u32>,
    capacity: Option<u32>,
    anti_affinity: Option<bool>,
    node_selector: Option<u32>,
    worker_crash: Option<u32>,
    worker_partition: Option<bool>,
    pod_crash: Option<bool>,
    control_plane_outage: Option<bool>,
    drain: Option<bool>,
    min_available: Option<u32>,
    disable_eviction: Option<bool>,
    heartbeat: Option<Millis>,
    node_monitor_period: Option<Millis>,
    node_monitor_grace_period: Option<Millis>,
    toleration_seconds: Option<Millis>,
    leader_elect_lease_duration: Option<Millis>,
    leader_elect_retry_period: Option<Millis>,
    restart_backoff: Option<Millis>,
    eviction_interval: Option<Millis>,
    /// A measure's exact extremes, pinned: a number, or "unbounded".
    min: Option<Spanned<Pin>>,
    max: Option<Spanned<Pin>>,
}

/// A measure's pinned extreme as a gate file writes it.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum Pin {
    Number(u64),
    Word(String),
}

/// The gate files a list of paths names: files as given, directories as every `*.toml`
/// directly inside, sorted by name. No paths means `properties/`.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, GateError> {
    let default = [PathBuf::from("properties")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut files = Vec::new();
    for path in paths {
        let read_error = |e: std::io::Error| GateError::Read {
            path: path.display().to_string(),
            reason: io_reason(&e),
        };
        if !path.is_dir() {
            std::fs::metadata(path).map_err(read_error)?;
            files.push(path.clone());
            continue;
        }
        let mut inside = Vec::new();
        for entry in std::fs::read_dir(path).map_err(read_error)? {
            let entry = entry.map_err(read_error)?;
            let file = path.join(entry.file_name());
            if file.extension().is_some_and(|e| e == "toml") && file.is_file() {
                inside.push(file);
            }
        }
        if inside.is_empty() {
            return Err(GateError::NoGateFiles {
                path: path.display().to_string(),
            });
        }
        inside.sort();
        files.extend(inside);
    }
    // A file named twice (directly and through its directory, say) is checked once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(normalize(f)));
    Ok(files)
}

/// Reads and checks one gate file.
pub fn load(path: &Path, defaults: Defaults) -> Result<GateFile, GateError> {
    let name = path.display().to_string();
    let text = read_small(path).map_err(|reason| GateError::Read {
        path: name.clone(),
        reason,
    })?;
    let at = |offset: usize, reason: String| {
        let (line, column) = line_column(&text, offset);
        GateError::At {
            path: name.clone(),
            line,
            column,
            reason,
        }
    };
    let raw: RawFile = toml::from_str(&text).map_err(|e| {
        if Scenario::from_toml(&text, &name).is_ok() {
            return GateError::ScenarioFile { path: name.clone() };
        }
        let reason = e.message().lines().next().unwrap_or("invalid TOML");
        at(e.span().map_or(0, |s| s.start), reason.to_string())
    })?;
    if raw.check.is_empty() {
        return Err(GateError::NoRows { path: name });
    }
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut rows = Vec::new();
    for spanned in raw.check {
        let start = spanned.span().start;
        let raw = spanned.into_inner();
        let Some(file) = &raw.scenario else {
            return Err(at(
                start,
                "this row names no scenario file; add scenario = \"PATH\" (relative to this file)"
                    .to_string(),
            ));
        };
        let joined = dir.join(file.get_ref());
        let file_name = normalize(&joined).display().to_string();
        let mut scenario = Scenario::from_file_as(&joined, &file_name)
            .map_err(|e| at(file.span().start, e.to_string()))?;
        let overrides = raw.lay_over(&mut scenario);
        let scenario_name = if overrides.is_empty() {
            file_name
        } else {
            format!("{file_name} {{{overrides}}}")
        };
        scenario.validate().map_err(|e| at(start, e.to_string()))?;
        let property = raw.property.get_ref();
        let Some(kind) = catalogue(scenario.model)
            .into_iter()
            .find(|(name, _)| name == property)
            .map(|(_, kind)| kind)
        else {
            return Err(at(
                raw.property.span().start,
                format!("unknown property `{property}`; `kcheck list` names them all"),
            ));
        };
        let mut pins = [None, None];
        for (pin, raw_pin) in pins.iter_mut().zip([&raw.min, &raw.max]) {
            let Some(p) = raw_pin else { continue };
            if kind != "measure" {
                return Err(at(
                    p.span().start,
                    format!("min and max pin a measure's extremes; {property} is not a measure ({kind})"),
                ));
            }
            *pin = Some(match p.get_ref() {
                Pin::Number(n) => Measured::Finite(*n),
                Pin::Word(w) if w == "unbounded" => Measured::Unbounded("unbounded"),
                Pin::Word(w) => {
                    return Err(at(
                        p.span().start,
                        format!("a measure's extreme is a number or \"unbounded\" (got {w:?})"),
                    ))
                }
            });
        }
        if pins.iter().any(Option::is_some) && raw.expect != Expect::Holds {
            return Err(at(
                start,
                "a row that pins min or max expects holds: a measure is measured, not violated"
                    .to_string(),
            ));
        }
        let timeout = match raw.timeout {
            Some(t) if crate::check::timeout(*t.get_ref()).is_none() => {
                return Err(at(
                    t.span().start,
                    format!(
                        "timeout must be a positive number of seconds, at most {} (got {:?})",
                        crate::check::MAX_TIMEOUT,
                        t.get_ref()
                    ),
                ))
            }
            Some(t) => Some(t.into_inner()),
            None => defaults.timeout,
        };
        let max_states = match raw.max_states {
            Some(m) if *m.get_ref() == 0 => {
                return Err(at(
                    m.span().start,
                    "max-states must be at least 1 (got 0)".to_string(),
                ))
            }
            Some(m) => m.into_inner(),
            None => defaults.max_states,
        };
        rows.push(Row {
            line: line_column(&text, start).0,
            scenario_name,
            scenario,
            property: raw.property.into_inner(),
            expect: raw.expect,
            min: pins[0],
            max: pins[1],
            max_states,
            timeout,
        });
    }
    let file = GateFile { path: name, rows };
    conflicts(&file)?;
    Ok(file)
}

/// A row that checks what an earlier row of its file checks (the same scenario, once its
/// defaults are resolved, and the same property): a duplicate when both expect the same
/// verdict, a contradiction otherwise. Either is a mistake in the file. Across files the same
/// check may be pinned again (another limit, a deliberately failing example); a contradiction
/// there fails one of the two rows when they are checked.
pub fn conflicts(file: &GateFile) -> Result<(), GateError> {
    let mut seen: Vec<(Valid, &Row)> = Vec::new();
    for row in &file.rows {
        let Ok(valid) = row.scenario.validate() else {
            continue;
        };
        let same = seen
            .iter()
            .find(|(s, earlier)| *s == valid && earlier.property == row.property);
        if let Some((_, earlier)) = same {
            let reason = if earlier.expect == row.expect {
                format!(
                    "the same check as line {} ({} on {}); remove one",
                    earlier.line, row.property, row.scenario_name
                )
            } else {
                format!(
                    "contradicts line {}, which expects {} for {} on {}; this row expects {}",
                    earlier.line,
                    earlier.expect.outcome(),
                    row.property,
                    row.scenario_name,
                    row.expect.outcome()
                )
            };
            return Err(GateError::Check {
                path: file.path.clone(),
                line: row.line,
                reason,
            });
        }
        seen.push((valid, row));
    }
    Ok(())
}

impl RawRow {
    /// Lays the row's scenario fields over `scenario`; returns them in TOML words.
    fn lay_over(&self, scenario: &mut Scenario) -> String {
        let mut words = String::new();
        let mut note = |key: &str, value: &dyn std::fmt::Display| {
            if !words.is_empty() {
                words.push_str(", ");
            }
            let _ = write!(words, "{key} = {value}");
        };
        if let Some(v) = self.masters {
            scenario.masters = v;
            note("masters", &v);
        }
        if let Some(v) = self.quorum {
            scenario.quorum = Some(v);
            note("quorum", &v);
        }
        if let Some(v) = self.crash {
            scenario.crash = Some(v);
            note("crash", &v);
        }
        if let Some(v) = self.partition {
            scenario.partition = v;
            note("partition", &v);
        }
        if let Some(v) = self.heal {
            scenario.heal = v;
            note("heal", &v);
        }
        if let Some(v) = self.pre_vote {
            scenario.pre_vote = v;
            note("pre-vote", &v);
        }
        if let Some(v) = self.max_term {
            scenario.max_term = v;
            note("max-term", &v);
        }
        if let Some(v) = self.writes {
            scenario.writes = v;
            note("writes", &v);
        }
        if let Some(v) = self.symmetry {
            scenario.symmetry = v;
            note("symmetry", &v);
        }
        if let Some(rules) = &self.unsafe_rules {
            scenario.unsafe_rules = rules.clone();
            let names: Vec<String> = rules.iter().map(|r| format!("{:?}", r.name())).collect();
            note("unsafe", &format!("[{}]", names.join(", ")));
        }
        if let Some(r) = self.reads {
            scenario.reads = Some(r);
            note("reads", &format!("{:?}", r.name()));
        }
        if let Some(v) = self.link_faults {
            scenario.link_faults = v;
            note("link-faults", &v);
        }
        if let Some(v) = self.splits {
            scenario.splits = v;
            note("splits", &v);
        }
        if let Some(v) = self.pauses {
            scenario.pauses = v;
            note("pauses", &v);
        }
        if let Some(v) = self.client_timeouts {
            scenario.client_timeouts = v;
            note("client-timeouts", &v);
        }
        if let Some(v) = self.crash_loses_unsynced {
            scenario.crash_loses_unsynced = v;
            note("crash-loses-unsynced", &v);
        }
        if let Some(n) = self.network {
            scenario.network = n;
            note("network", &format!("{:?}", n.name()));
        }
        if let Some(v) = self.max_in_flight {
            scenario.max_in_flight = Some(v);
            note("max-in-flight", &v);
        }
        if let Some(actions) = &self.recovery {
            scenario.recovery = actions.clone();
            let names: Vec<String> = actions.iter().map(|r| format!("{:?}", r.name())).collect();
            note("recovery", &format!("[{}]", names.join(", ")));
        }
        if let Some(v) = self.config_on_append {
            scenario.config_on_append = v;
            note("config-on-append", &v);
        }
        if let Some(v) = self.frontend {
            scenario.frontend = Some(v);
            note("frontend", &format!("{:?}", v.name()));
        }
        if let Some(v) = self.check {
            scenario.check = Some(v);
            note("check", &format!("{:?}", v.name()));
        }
        if let Some(v) = self.redispatch {
            scenario.redispatch = v;
            note("redispatch", &v);
        }
        if let Some(v) = self.balance {
            scenario.balance = Some(v);
            note("balance", &format!("{:?}", v.name()));
        }
        macro_rules! lay {
            ($($field:ident $key:literal),*) => {$(
                if let Some(v) = self.$field {
                    scenario.$field = Some(v);
                    note($key, &v);
                }
            )*};
        }
        lay!(balancers "balancers", rise "rise", fall "fall", retries "retries",
            request_rate "request-rate", hang "hang", lb_crash "lb-crash",
            workers "workers", replicas "replicas", capacity "capacity",
            node_selector "node-selector", worker_crash "worker-crash",
            min_available "min-available");
        macro_rules! lay_flag {
            ($($field:ident $key:literal),*) => {$(
                if let Some(v) = self.$field {
                    scenario.$field = v;
                    note($key, &v);
                }
            )*};
        }
        lay_flag!(anti_affinity "anti-affinity", worker_partition "worker-partition",
            pod_crash "pod-crash", control_plane_outage "control-plane-outage", drain "drain",
            disable_eviction "disable-eviction");
        macro_rules! lay_time {
            ($($field:ident $key:literal),*) => {$(
                if let Some(v) = self.$field {
                    scenario.$field = Some(v);
                    note($key, &format!("\"{v}\""));
                }
            )*};
        }
        lay_time!(tick "tick", inter "inter", fastinter "fastinter", downinter "downinter",
            timeout_check "timeout-check", vip_failover "vip-failover",
            timeout_server "timeout-server", heartbeat "heartbeat",
            node_monitor_period "node-monitor-period",
            node_monitor_grace_period "node-monitor-grace-period",
            toleration_seconds "toleration-seconds",
            leader_elect_lease_duration "leader-elect-lease-duration",
            leader_elect_retry_period "leader-elect-retry-period",
            restart_backoff "restart-backoff", eviction_interval "eviction-interval");
        words
    }
}

/// The property names of a model, with their kinds.
fn catalogue(model: ModelKind) -> Vec<(&'static str, &'static str)> {
    match model {
        ModelKind::Raft => Raft::catalogue()
            .iter()
            .map(|p| (p.name, p.kind.label()))
            .collect(),
        ModelKind::Lb => Lb::catalogue()
            .iter()
            .map(|p| (p.name, p.kind.label()))
            .collect(),
        ModelKind::Cluster => Cluster::catalogue()
            .iter()
            .map(|p| (p.name, p.kind.label()))
            .collect(),
        ModelKind::Reconcile => Reconcile::catalogue()
            .iter()
            .map(|p| (p.name, p.kind.label()))
            .collect(),
    }
}

/// `properties/../models/x.toml` as `models/x.toml`, for display only (files are read by the
/// joined path, so a symbolic link still resolves as the file system says).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_steps_fold_into_the_path_before_them() {
        assert_eq!(
            normalize(Path::new("properties/../models/x.toml")),
            Path::new("models/x.toml")
        );
        assert_eq!(
            normalize(Path::new("./../models/x.toml")),
            Path::new("../models/x.toml")
        );
        assert_eq!(normalize(Path::new("a/..")), Path::new("."));
    }
}
