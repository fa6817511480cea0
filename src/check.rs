//! From a validated scenario to a report: build the model, explore it once, decide each
//! selected property on the graph.

use std::time::{Duration, Instant};

use thiserror::Error;

use crate::engine::{self, recoverability, Deadline, Graph, Limits, Progress, Search};
use crate::progress::Meter;
use crate::property::{Goal, Kind, Property, Verdict};
use crate::report::Report;
use crate::scenario::{Scenario, ScenarioError, Valid};
use crate::systems::cluster::Cluster;
use crate::systems::lb::Lb;
use crate::systems::raft::Raft;
use crate::systems::reconcile::Reconcile;
use crate::systems::System;

/// The names of the properties that say something about a scenario (not vacuous there), in
/// catalogue order: what a gate pins for it.
pub fn applicable(valid: &Valid) -> Vec<&'static str> {
    fn names<M: System>(model: &M) -> Vec<&'static str> {
        M::catalogue()
            .iter()
            .filter(|p| decidable(model, p))
            .map(|p| p.name)
            .collect()
    }
    match valid {
        Valid::Raft(s) => names(&Raft::new(s)),
        Valid::Lb(s) => names(&Lb::new(s)),
        Valid::Cluster(s) => names(&Cluster::new(s)),
        Valid::Reconcile(s) => names(&Reconcile::new(s)),
    }
}

/// Whether a property says something about this configuration: not vacuous, and for liveness,
/// the model declares fair steps to decide it under.
fn decidable<M: System>(model: &M, p: &Property<M>) -> bool {
    model.vacuous(p.name).is_none()
        && (!matches!(p.kind, Kind::Liveness(_)) || !model.fairness().is_empty())
}

/// Everything that stops a check before it starts.
#[derive(Debug, Error)]
pub enum CheckError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("unknown property `{name}` for model {model}; `kcheck list` names them all")]
    UnknownProperty { name: String, model: &'static str },
    #[error("--timeout must be a positive number of seconds, at most {MAX_TIMEOUT} (got {0:?})")]
    Timeout(f64),
    #[error("{name} says nothing about this scenario: {why}")]
    Vacuous { name: String, why: &'static str },
    #[error("{name} is a liveness property, and this configuration of the model declares no fair steps to decide it under (the message mode and the operator's recovery actions have none)")]
    NoFairness { name: String },
}

/// The longest time limit accepted, in seconds (a year).
pub const MAX_TIMEOUT: f64 = 365.0 * 24.0 * 3600.0;

/// A time limit in seconds as a duration, if it is one kcheck accepts: positive, finite and at
/// most [`MAX_TIMEOUT`].
pub fn timeout(seconds: f64) -> Option<Duration> {
    (seconds > 0.0 && seconds <= MAX_TIMEOUT)
        .then(|| Duration::try_from_secs_f64(seconds).ok())
        .flatten()
        // A limit too small to be a duration at all (1e-300) is no limit anyone means.
        .filter(|d| !d.is_zero())
}

/// How to run a check.
#[derive(Clone, Debug)]
pub struct Options {
    /// Properties to decide; empty means all of the model's.
    pub properties: Vec<String>,
    pub max_states: usize,
    pub timeout: Option<f64>,
    /// Print a progress line on stderr (only when it is a terminal and the run takes a while).
    pub progress: bool,
}

/// Checks a scenario.
pub fn verify(scenario: &Scenario, options: &Options) -> Result<Report, CheckError> {
    let valid = scenario.validate()?;
    let description = scenario.description.clone();
    match &valid {
        Valid::Raft(s) => run(&Raft::new(s), &valid, description, options),
        Valid::Lb(s) => run(&Lb::new(s), &valid, description, options),
        Valid::Cluster(s) => run(&Cluster::new(s), &valid, description, options),
        Valid::Reconcile(s) => run(&Reconcile::new(s), &valid, description, options),
    }
}

fn run<M: System>(
    model: &M,
    scenario: &Valid,
    description: Option<String>,
    options: &Options,
) -> Result<Report, CheckError> {
    let start = Instant::now();
    let properties = select(model, &options.properties, scenario.model().name())?;
    let timeout = match options.timeout {
        Some(t) => Some(timeout(t).ok_or(CheckError::Timeout(t))?),
        None => None,
    };
    // One deadline for the whole run: exploring, then every property's further searches.
    let limits = Limits {
        max_states: options.max_states,
        timeout: timeout.map(Deadline::from_now),
    };
    let meter = Meter::new(options.progress);
    let checked = decide_all(model, &properties, limits, &|p| meter.tick(p));
    meter.clear();
    Ok(Report::new(
        model,
        scenario,
        description,
        &checked.graph,
        checked.verdicts,
        start.elapsed().as_secs_f64(),
    ))
}

/// What one check found: the explored graph, each property's verdict, and for each decided
/// recoverability property the dead states (ids in the graph).
pub struct Checked<'a, M: System> {
    pub graph: Graph<M>,
    pub verdicts: Vec<(&'a Property<M>, Verdict<M>)>,
    pub dead: Vec<(&'static str, Vec<usize>)>,
}

/// Explores the model once within `limits` and decides each property on the graph: the one
/// check behind every surface (verify, gate, table, the explorer).
pub fn decide_all<'a, M: System>(
    model: &M,
    properties: &'a [Property<M>],
    limits: Limits,
    progress: &(dyn Fn(Progress) + Sync),
) -> Checked<'a, M> {
    // The steps recoverability's goals are made of are marked while exploring, asked of the
    // extended system as its decision asks them.
    let extended = model.extended();
    let steps: Vec<engine::StepFn<M>> = properties
        .iter()
        .filter_map(|p| match &p.kind {
            Kind::Recoverability {
                goal: Goal::Step { step, .. },
                ..
            } => Some(*step),
            _ => None,
        })
        .collect();
    let graph = engine::explore(
        model,
        Search {
            marks: Some((&extended, &steps)),
            ..Search::whole(limits, progress)
        },
    );
    let mut dead = Vec::new();
    // The invariants in one pass over the states, which also finds the states at each
    // recoverability goal.
    let checks: Vec<_> = properties
        .iter()
        .filter_map(|p| match p.kind {
            Kind::Invariant(check) => Some(check),
            _ => None,
        })
        .collect();
    let goals: Vec<&Goal<M>> = properties
        .iter()
        .filter_map(|p| match &p.kind {
            Kind::Recoverability { goal, .. } if graph.cut.is_none() => Some(goal),
            _ => None,
        })
        .collect();
    let at_goal: Vec<_> = goals
        .iter()
        .map(|&goal| {
            let graph = &graph;
            let extended = &extended;
            move |id: usize, s: &M::State| recoverability::at_goal(extended, graph, goal, id, s)
        })
        .collect();
    let marks: Vec<engine::invariant::Mark<'_, M>> = at_goal
        .iter()
        .map(|f| f as engine::invariant::Mark<'_, M>)
        .collect();
    let (invariants, at_goal) =
        engine::invariant::decide_many_marking(model, &graph, &checks, &marks);
    let mut invariants = invariants.into_iter();
    let mut at_goal = at_goal.into_iter();
    let verdicts = properties
        .iter()
        .map(|p| {
            let verdict = match &p.kind {
                Kind::Invariant(_) => invariants.next().expect("one verdict per invariant"),
                Kind::Recoverability {
                    goal,
                    hopeless,
                    spent,
                } => {
                    let (verdict, ids) = recoverability::decide_keeping_dead(
                        model,
                        &graph,
                        goal,
                        *hopeless,
                        *spent,
                        at_goal.next(),
                        &limits,
                        progress,
                    );
                    dead.extend(ids.map(|ids| (p.name, ids)));
                    verdict
                }
                _ => engine::decide_reporting(model, &graph, p, &limits, progress),
            };
            (p, verdict)
        })
        .collect();
    Checked {
        graph,
        verdicts,
        dead,
    }
}

/// The properties a check decides: the ones named (all of the model's when none is), less those
/// that say nothing about this configuration ([`System::vacuous`]); naming one of those is an
/// error.
pub fn select<M: System>(
    model: &M,
    wanted: &[String],
    model_name: &'static str,
) -> Result<Vec<Property<M>>, CheckError> {
    let all = M::catalogue();
    for name in wanted {
        if !all.iter().any(|p| p.name == name.as_str()) {
            return Err(CheckError::UnknownProperty {
                name: name.clone(),
                model: model_name,
            });
        }
        if let Some(why) = model.vacuous(name) {
            return Err(CheckError::Vacuous {
                name: name.clone(),
                why,
            });
        }
        let liveness = all
            .iter()
            .any(|p| p.name == name.as_str() && matches!(p.kind, Kind::Liveness(_)));
        if liveness && model.fairness().is_empty() {
            return Err(CheckError::NoFairness { name: name.clone() });
        }
    }
    Ok(all
        .into_iter()
        .filter(|p| decidable(model, p))
        .filter(|p| wanted.is_empty() || wanted.iter().any(|w| w == p.name))
        .collect())
}
