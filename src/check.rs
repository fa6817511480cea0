//! From a validated scenario to a report: build the model, explore it once, decide each
//! selected property on the graph.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::engine::{self, Limits, Progress, Search};
use crate::property::Property;
use crate::report::Report;
use crate::scenario::{ModelKind, RaftScenario, Scenario, ScenarioError};
use crate::systems::raft::Raft;
use crate::systems::System;

/// Everything that stops a check before it starts.
#[derive(Debug, Error)]
pub enum CheckError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("unknown property `{name}` for model {model}; `kcheck list` names them all")]
    UnknownProperty { name: String, model: &'static str },
    #[error("--timeout must be a positive number of seconds, at most {MAX_TIMEOUT} (got {0:?})")]
    Timeout(f64),
}

/// The longest time limit accepted, in seconds (a year).
pub const MAX_TIMEOUT: f64 = 365.0 * 24.0 * 3600.0;

/// A time limit in seconds as a duration, if it is one kcheck accepts: positive, finite and at
/// most [`MAX_TIMEOUT`].
pub fn timeout(seconds: f64) -> Option<Duration> {
    (seconds > 0.0 && seconds <= MAX_TIMEOUT)
        .then(|| Duration::try_from_secs_f64(seconds).ok())
        .flatten()
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
    match scenario.model {
        ModelKind::Raft => run(&Raft::new(&valid), "raft", &valid, options),
    }
}

fn run<M: System>(
    model: &M,
    model_name: &'static str,
    scenario: &RaftScenario,
    options: &Options,
) -> Result<Report, CheckError> {
    let properties = select(M::catalogue(), &options.properties, model_name)?;
    let timeout = match options.timeout {
        Some(t) => Some(timeout(t).ok_or(CheckError::Timeout(t))?),
        None => None,
    };
    let limits = Limits {
        max_states: options.max_states,
        timeout,
    };
    let meter = Meter::new(options.progress);
    let graph = engine::explore(
        model,
        Search {
            init: None,
            limits,
            leaf: None,
            stage: "exploring",
            progress: &|p| meter.tick(p),
        },
    );
    let rest = limits.after(graph.elapsed);
    let verdicts: Vec<_> = properties
        .iter()
        .map(|p| {
            let verdict = engine::decide_reporting(model, &graph, p, &rest, &|x| meter.tick(x));
            (p, verdict)
        })
        .collect();
    meter.clear();
    Ok(Report::new(model, scenario, &graph, verdicts))
}

fn select<M: System>(
    all: Vec<Property<M>>,
    wanted: &[String],
    model: &'static str,
) -> Result<Vec<Property<M>>, CheckError> {
    if let Some(name) = wanted
        .iter()
        .find(|w| !all.iter().any(|p| p.name == w.as_str()))
    {
        return Err(CheckError::UnknownProperty {
            name: name.clone(),
            model,
        });
    }
    Ok(all
        .into_iter()
        .filter(|p| wanted.is_empty() || wanted.iter().any(|w| w == p.name))
        .collect())
}

/// A progress line on stderr for searches longer than a second, refreshed a few times a second,
/// and only when stderr is a terminal.
pub(crate) struct Meter {
    on: bool,
    start: Instant,
    last: Mutex<Option<Instant>>,
}

impl Meter {
    pub(crate) fn new(wanted: bool) -> Self {
        Meter {
            on: wanted && std::io::stderr().is_terminal(),
            start: Instant::now(),
            last: Mutex::new(None),
        }
    }

    pub(crate) fn tick(&self, p: Progress) {
        if !self.on || self.start.elapsed() < Duration::from_secs(1) {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(250)) {
            return;
        }
        *last = Some(Instant::now());
        let secs = p.elapsed.as_secs_f64();
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{}: {} states, depth {}, {:.0} states/s, {:.1} s in all",
            p.stage,
            p.states,
            p.depth,
            p.states as f64 / secs.max(1e-9),
            self.start.elapsed().as_secs_f64()
        );
        let _ = err.flush();
    }

    pub(crate) fn clear(&self) {
        if self.on && self.last.lock().is_ok_and(|l| l.is_some()) {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}
