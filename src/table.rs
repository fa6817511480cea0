//! `kcheck table`: the seed document's fault-tolerance table, every cell decided by checking
//! the etcd Raft model rather than computed from the majority formula.
//!
//! For each cluster size N (one row per size from 1):
//! - `crashes_tolerated`: the largest k for which `write-availability` HOLDS with up to k
//!   members crashed for good and no partition; k = 0, 1, 2, ... is checked until the first
//!   VIOLATED (HOLDS for k implies HOLDS for every smaller k: up to k crashes includes fewer).
//! - `quorum`: the fewest live members with which a write still commits, N − crashes_tolerated.
//!   It comes from the verdicts, not from N/2 + 1; the tests compare the two.
//! - `survives_partition`: `write-availability` HOLDS when the network may split once into any
//!   two non-empty groups, no crash. One master has nothing to split.
//! - `split_brain_possible`: `no-split-brain` is VIOLATED with a partition that may heal
//!   ([`SPLIT_BRAIN_FAULTS`]): the two sides' leaders and logs meet again. Adding a crash as
//!   well takes seven masters to 18 million states and 6 GB, for the same answer.
//!
//! Every check runs in parallel with the others and decides only its one property. A check a
//! limit cut leaves its cell unknown (`?` in Markdown, `null` in JSON) and the exit code 3.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use thiserror::Error;

use crate::check::{self, CheckError, Options};
use crate::cli::{TableArgs, TableFormat};
use crate::progress::Meter;
use crate::property::{Basis, Outcome};
use crate::scenario::{CheckType, Frontend, Millis, ModelKind, Scenario, MAX_MASTERS};
use crate::systems::cluster::KUBECTL_WRITE;
use crate::systems::raft::{Raft, NO_SPLIT_BRAIN, WRITE_AVAILABILITY};
use crate::systems::System;

/// The faults the split-brain column is decided under, in words.
pub const SPLIT_BRAIN_FAULTS: &str = "one network partition that may heal";

/// One row of the table; `None` is a cell a limit cut.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub masters: u32,
    pub quorum: Option<u32>,
    pub crashes_tolerated: Option<u32>,
    /// What the VIOLATED write-availability verdict behind `crashes_tolerated` rests on: proof
    /// or budget; null when no verdict is behind it (every crash count holds, or a limit cut).
    pub crashes_tolerated_basis: Option<Basis>,
    pub survives_partition: Option<bool>,
    /// What a "no" in `survives_partition` rests on; null for a "yes" or an unknown cell.
    pub survives_partition_basis: Option<Basis>,
    pub split_brain_possible: Option<bool>,
    /// `--model cluster`: kubectl-write-availability through the front end after one master
    /// crash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub front_end: Option<FrontEndCell>,
}

/// The front end's column: its name and the verdict (`None` when a limit cut the check).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrontEndCell {
    pub frontend: &'static str,
    pub check: &'static str,
    pub kubectl_writes_after_one_crash: Option<bool>,
}

/// Everything that stops the table before it is built.
#[derive(Debug, Error)]
pub enum TableError {
    #[error("--max-masters must be 1 to {MAX_MASTERS} (got {0})")]
    MaxMasters(u32),
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error("write-availability is violated for {} with no fault at all; the table cannot say how many crashes they tolerate", if *.0 == 1 { "1 master".to_string() } else { format!("{} masters", .0) })]
    NoFaultViolation(u32),
    #[error("{0}")]
    Write(String),
    #[error("kcheck table is by cluster size: --model raft or cluster (got {0})")]
    Model(&'static str),
    #[error("--frontend and --check choose the front end of --model cluster's column: add --model cluster")]
    FrontEndWithoutCluster,
}

/// A column of one row: the checks behind one cell (two cells for the crash column).
#[derive(Clone, Copy, Debug)]
enum Column {
    Crashes,
    Partition,
    SplitBrain,
    FrontEnd,
}

/// What a column's checks decided, with what a VIOLATED recoverability verdict rests on.
enum Cell {
    Crashes(Option<u32>, Option<Basis>),
    Partition(Option<bool>, Option<Basis>),
    SplitBrain(Option<bool>),
    FrontEnd(Option<bool>),
}

/// A decided check: whether the property holds and, when a recoverability property is
/// violated, what that rests on.
struct Decided {
    holds: bool,
    basis: Option<Basis>,
}

/// Runs `kcheck table`; returns the exit code.
pub fn run(args: &TableArgs) -> Result<u8, TableError> {
    if !(1..=MAX_MASTERS).contains(&args.max_masters) {
        return Err(TableError::MaxMasters(args.max_masters));
    }
    if let Some(t) = args.budget.timeout.filter(|&t| check::timeout(t).is_none()) {
        return Err(CheckError::Timeout(t).into());
    }
    match args.model {
        Some(m @ (ModelKind::Lb | ModelKind::Reconcile)) => {
            return Err(TableError::Model(m.name()))
        }
        Some(ModelKind::Cluster) => {}
        _ if args.frontend.is_some() || args.check.is_some() => {
            return Err(TableError::FrontEndWithoutCluster)
        }
        _ => {}
    }
    let rows = build(args)?;
    let text = match args.format {
        TableFormat::Markdown => markdown(&rows),
        TableFormat::Json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
    };
    crate::stdout::print_or_say(&text).map_err(TableError::Write)?;
    let unknown = rows.iter().any(|r| {
        r.quorum.is_none()
            || r.crashes_tolerated.is_none()
            || r.survives_partition.is_none()
            || r.split_brain_possible.is_none()
            || r.front_end
                .as_ref()
                .is_some_and(|f| f.kubectl_writes_after_one_crash.is_none())
    });
    Ok(if unknown { 3 } else { 0 })
}

/// Decides every cell of rows 1..=max_masters.
pub fn build(args: &TableArgs) -> Result<Vec<Row>, TableError> {
    build_with(args, |_| None)
}

/// [`build`] with the quorum of each cluster size overridden (`None`: the majority), to see
/// what a lowered quorum buys and costs.
pub fn build_with(
    args: &TableArgs,
    quorum: impl Fn(u32) -> Option<u32> + Sync,
) -> Result<Vec<Row>, TableError> {
    // Largest clusters first: their checks take longest, so they start while the others fill
    // the remaining threads.
    let cluster = args.model == Some(ModelKind::Cluster);
    let jobs: Vec<(u32, Column)> = (1..=args.max_masters)
        .rev()
        .flat_map(|n| {
            [
                Column::SplitBrain,
                Column::Partition,
                Column::Crashes,
                Column::FrontEnd,
            ]
            .map(move |c| (n, c))
        })
        .filter(|(_, c)| cluster || !matches!(c, Column::FrontEnd))
        .collect();
    let progress = Progress::new(!args.budget.quiet, jobs.len());
    let cells = jobs
        .par_iter()
        .with_max_len(1)
        .map(|&(n, column)| {
            let cell = decide_column(n, quorum(n), column, args, &progress);
            progress.done();
            cell
        })
        .collect::<Result<Vec<_>, _>>();
    progress.clear();
    let cells = cells?;
    let mut rows: Vec<Row> = (1..=args.max_masters)
        .map(|masters| Row {
            masters,
            quorum: None,
            crashes_tolerated: None,
            crashes_tolerated_basis: None,
            survives_partition: None,
            survives_partition_basis: None,
            split_brain_possible: None,
            front_end: None,
        })
        .collect();
    for (&(n, _), cell) in jobs.iter().zip(cells) {
        let row = &mut rows[n as usize - 1];
        match cell {
            Cell::Crashes(k, basis) => {
                row.crashes_tolerated = k;
                row.crashes_tolerated_basis = basis;
                row.quorum = k.map(|k| n - k);
            }
            Cell::Partition(f, basis) => {
                row.survives_partition = f;
                row.survives_partition_basis = basis;
            }
            Cell::SplitBrain(f) => row.split_brain_possible = f,
            Cell::FrontEnd(f) => {
                row.front_end = Some(FrontEndCell {
                    frontend: args.frontend.unwrap_or(Frontend::Single).name(),
                    check: front_end_check(args).name(),
                    kubectl_writes_after_one_crash: f,
                })
            }
        }
    }
    Ok(rows)
}

fn decide_column(
    n: u32,
    quorum: Option<u32>,
    column: Column,
    args: &TableArgs,
    progress: &Progress,
) -> Result<Cell, TableError> {
    let base = Scenario {
        masters: n,
        quorum,
        ..Scenario::default()
    };
    Ok(match column {
        Column::Crashes => {
            for k in 0..=n {
                progress.show(n, &format!("write-availability with up to {k} crashed"));
                let scenario = Scenario {
                    crash: Some(k),
                    ..base.clone()
                };
                match holds(&scenario, WRITE_AVAILABILITY, args)? {
                    Some(Decided { holds: true, .. }) => continue,
                    Some(Decided { basis, .. }) => {
                        let tolerated = k.checked_sub(1).ok_or(TableError::NoFaultViolation(n))?;
                        return Ok(Cell::Crashes(Some(tolerated), basis));
                    }
                    None => return Ok(Cell::Crashes(None, None)),
                }
            }
            Cell::Crashes(Some(n), None)
        }
        Column::Partition => {
            progress.show(n, "write-availability under a partition");
            let scenario = Scenario {
                crash: Some(0),
                partition: true,
                ..base
            };
            match holds(&scenario, WRITE_AVAILABILITY, args)? {
                Some(d) => Cell::Partition(Some(d.holds), d.basis),
                None => Cell::Partition(None, None),
            }
        }
        Column::SplitBrain => {
            progress.show(n, "no-split-brain under a partition that may heal");
            let scenario = Scenario {
                crash: Some(0),
                partition: true,
                heal: true,
                ..base
            };
            Cell::SplitBrain(holds(&scenario, NO_SPLIT_BRAIN, args)?.map(|d| !d.holds))
        }
        Column::FrontEnd => {
            progress.show(n, "kubectl writes through the front end after one crash");
            let scenario = front_end_scenario(n, args);
            Cell::FrontEnd(holds(&scenario, KUBECTL_WRITE, args)?.map(|d| d.holds))
        }
    })
}

/// The front end's check: `/readyz` unless there is no balancer to run one.
fn front_end_check(args: &TableArgs) -> CheckType {
    args.check
        .unwrap_or(if args.frontend == Some(Frontend::None) {
            CheckType::Tcp
        } else {
            CheckType::Http
        })
}

/// The cluster scenario behind the front-end column: `n` masters, one master crash, the chosen
/// front end and check, HAProxy's default inter 2s rise 2 fall 3 at 100 ms ticks.
pub fn front_end_scenario(n: u32, args: &TableArgs) -> Scenario {
    Scenario {
        model: ModelKind::Cluster,
        masters: n,
        crash: Some(1),
        frontend: Some(args.frontend.unwrap_or(Frontend::Single)),
        check: Some(front_end_check(args)),
        tick: Some(Millis(100)),
        request_rate: Some(1),
        ..Scenario::default()
    }
}

/// Checks one property; `None` when a limit cut it.
fn holds(
    scenario: &Scenario,
    property: &str,
    args: &TableArgs,
) -> Result<Option<Decided>, CheckError> {
    let options = Options {
        properties: vec![property.to_string()],
        max_states: args.budget.max_states,
        timeout: args.budget.timeout,
        progress: false,
    };
    let report = check::verify(scenario, &options)?;
    Ok(report.results.first().and_then(|r| match r.verdict {
        Outcome::Holds => Some(Decided {
            holds: true,
            basis: None,
        }),
        Outcome::Violated => Some(Decided {
            holds: false,
            basis: r.basis,
        }),
        Outcome::Incomplete => None,
    }))
}

/// The table in Markdown: what each column means and under which bounds, then the rows.
pub fn markdown(rows: &[Row]) -> String {
    let front_end = rows.first().and_then(|r| r.front_end.as_ref());
    let (front, head, rule) = match front_end {
        Some(f) => (
            format!(
                "- kubectl writes after a crash: kubectl-write-availability HOLDS in kcheck's cluster model (client, front end `{}` with {} checks, API servers over their etcd members) with one master crashed for good; the seed's question end to end.\n",
                f.frontend, f.check
            ),
            format!(" kubectl writes after a crash ({}) |", f.frontend),
            ":---:|".to_string(),
        ),
        None => (String::new(), String::new(), String::new()),
    };
    let (bounds, extended) = Scenario::default()
        .raft()
        .map(|s| {
            let raft = Raft::new(&s);
            (raft.bounds(), raft.extended().bounds())
        })
        .unwrap_or_default();
    let mut out = format!(
        "Fault tolerance by cluster size: every cell is a verdict of kcheck's etcd Raft model, \
for all behaviours with {bounds}.\n\n\
- masters: etcd members, one per master.\n\
- quorum: the fewest live members with which a write still commits (masters − crashes tolerated).\n\
- crashes tolerated: the largest k for which write-availability HOLDS with up to k members crashed for good, no partition.\n\
- survives partition: write-availability HOLDS when the network may split once into any two non-empty groups, no crash (one master has nothing to split).\n\
- split brain possible: no-split-brain is VIOLATED under {SPLIT_BRAIN_FAULTS}.\n\
{front}- ?: a limit (--max-states, --timeout) cut the check.\n- †: the VIOLATED write-availability behind the cell was found within the extended budget ({extended}) only; \
unmarked, it is proved for every budget by a lemma of the model.\n\n\
| masters | quorum | crashes tolerated | survives partition | split brain possible |{head}\n\
|--------:|-------:|------------------:|:------------------:|:--------------------:|{rule}\n"
    );
    let mark = |basis: Option<Basis>| {
        if basis == Some(Basis::Budget) {
            "†"
        } else {
            ""
        }
    };
    let count = |v: Option<u32>| v.map_or("?".to_string(), |v| v.to_string());
    let flag = |v: Option<bool>| match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    };
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {}{} | {}{} | {} |{}\n",
            r.masters,
            count(r.quorum),
            count(r.crashes_tolerated),
            mark(r.crashes_tolerated_basis),
            flag(r.survives_partition),
            mark(r.survives_partition_basis),
            flag(r.split_brain_possible),
            r.front_end.as_ref().map_or(String::new(), |f| format!(
                " {} |",
                flag(f.kubectl_writes_after_one_crash)
            ))
        ));
    }
    out
}

/// "table: 4 of 21 checks done; masters 7: write-availability with up to 3 crashed" on stderr
/// (see [`Meter`]).
struct Progress {
    meter: Meter,
    total: usize,
    done: AtomicUsize,
}

impl Progress {
    fn new(wanted: bool, total: usize) -> Self {
        Progress {
            meter: Meter::new(wanted),
            total,
            done: AtomicUsize::new(0),
        }
    }

    fn show(&self, masters: u32, what: &str) {
        let done = self.done.load(Ordering::Relaxed);
        self.meter.show(|| {
            format!(
                "table: {done} of {} checks done; masters {masters}: {what}",
                self.total
            )
        });
    }

    fn done(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    fn clear(&self) {
        self.meter.clear();
    }
}
