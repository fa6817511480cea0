//! Reports: verdicts rendered for people (text, Mermaid) and programs (JSON, ITF), from one
//! neutral form.

pub mod itf;
pub mod json;
pub mod mermaid;
pub mod text;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::engine::Graph;
use crate::property::{Amount, Basis, Outcome, Property, Trace, Verdict};
use crate::scenario::Valid;
use crate::systems::{Event, System};

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Verdicts and numbered, readable traces.
    Text,
    /// One JSON document (scenario, bounds, stats, results).
    Json,
    /// The Informal Trace Format (Apalache, Quint) of each counterexample.
    Itf,
    /// A Mermaid sequence diagram of each counterexample.
    Mermaid,
}

impl Format {
    /// The file extension of one property's part of a report.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Itf => "itf.json",
            Format::Mermaid => "mmd",
        }
    }
}

/// The report in the given format, as printed on stdout.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Json => json::render(report) + "\n",
        Format::Itf => itf::render(report),
        Format::Mermaid => mermaid::render(report),
    }
}

/// One property's part of the report in the given format: what `--output` writes for it.
pub fn render_property(report: &Report, result: &PropertyResult, format: Format) -> String {
    match format {
        Format::Text => text::render_property(report, result),
        Format::Json => json::render_property(report, result) + "\n",
        Format::Itf => itf::render_property(report, result),
        Format::Mermaid => mermaid::render_property(report, result),
    }
}

/// Writes one file per violated property into `dir` (created if missing), in the given format,
/// named `<property>.<extension>`; returns the paths written.
pub fn write_violations(
    report: &Report,
    format: Format,
    dir: &Path,
) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for result in report.violated() {
        let path = dir.join(format!("{}.{}", result.property, format.extension()));
        std::fs::write(&path, render_property(report, result, format))?;
        written.push(path);
    }
    Ok(written)
}

/// The outcome of one check, independent of the model's types.
#[derive(Debug, Serialize)]
pub struct Report {
    pub scenario: Valid,
    /// The scenario file's own sentence on what it is and why people argue about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip)]
    pub scenario_text: String,
    pub bounds: String,
    pub stats: Stats,
    pub results: Vec<PropertyResult>,
    /// The model's participants in a sequence diagram, in order.
    #[serde(skip)]
    pub participants: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Stats {
    pub states: usize,
    pub transitions: usize,
    pub depth: usize,
    /// The whole run: exploring, then deciding every property (with any further searches).
    pub seconds: f64,
    /// Exploring the model's state graph, the first part of `seconds`.
    pub explore_seconds: f64,
    /// The most memory the process held at once, up to the report (`VmHWM`), where the machine
    /// says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_memory_bytes: Option<u64>,
}

#[derive(Debug, Serialize)]
pub struct PropertyResult {
    pub property: &'static str,
    pub kind: &'static str,
    pub meaning: &'static str,
    pub verdict: Outcome,
    /// HOLDS: the bounds it holds under. INCOMPLETE: what cut the search.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
    /// VIOLATED: why the property fails at the end of the trace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// Recoverability: reachable states from which no goal can be reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_states: Option<usize>,
    /// A VIOLATED recoverability verdict: proved for every budget, or found within the extended
    /// budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    pub trace: Vec<Step>,
    /// A liveness violation: the index in `trace` of the state where the lasso's cycle starts
    /// (the trace's last state closes the cycle back to it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycle_start: Option<usize>,
    /// A measure's extremes, each with a behaviour that attains it.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub measure: Option<MeasureResult>,
}

/// The extremes of a measure as reports carry them.
#[derive(Debug, Serialize)]
pub struct MeasureResult {
    pub min: Measured,
    pub max: Measured,
    pub unit: &'static str,
    pub trace_min: Vec<Step>,
    pub trace_max: Vec<Step>,
}

/// A measured amount: a number, or `"unbounded"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Measured {
    Finite(u64),
    Unbounded(&'static str),
}

impl From<Amount> for Measured {
    fn from(a: Amount) -> Measured {
        match a {
            Amount::Finite(n) => Measured::Finite(n),
            Amount::Unbounded => Measured::Unbounded("unbounded"),
        }
    }
}

impl std::fmt::Display for Measured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Measured::Finite(n) => write!(f, "{n}"),
            Measured::Unbounded(s) => f.write_str(s),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Step {
    pub action: String,
    pub changes: Vec<String>,
    pub summary: String,
    pub state: serde_json::Value,
    /// The state as an ITF value: typed where `state` is plain JSON (an absent value is a
    /// variant, not `null`).
    #[serde(skip)]
    pub itf_state: serde_json::Value,
    /// The step as a sequence diagram draws it; empty for the initial state.
    #[serde(skip)]
    pub events: Vec<Event>,
}

impl Report {
    /// The report of one run; `seconds` is the whole run's time.
    pub fn new<M: System>(
        model: &M,
        scenario: &Valid,
        description: Option<String>,
        graph: &Graph<M>,
        verdicts: Vec<(&Property<M>, Verdict<M>)>,
        seconds: f64,
    ) -> Report {
        let results = verdicts
            .into_iter()
            .map(|(p, v)| {
                let verdict = v.outcome();
                let mut measure = None;
                let mut cycle_start = None;
                let (claim, why, dead_states, basis, trace) = match v {
                    Verdict::Holds {
                        proof,
                        witness,
                        extremes,
                    } => {
                        measure = extremes.map(|e| MeasureResult {
                            min: e.min.0.into(),
                            max: e.max.0.into(),
                            unit: e.unit,
                            trace_min: steps(model, &e.min.1),
                            trace_max: steps(model, &e.max.1),
                        });
                        (Some(proof.bounds().to_string()), None, None, None, witness)
                    }
                    Verdict::Violated(x) => {
                        cycle_start = x.cycle_start;
                        (None, Some(x.why), x.dead_states, x.basis, x.trace)
                    }
                    Verdict::Incomplete(cut) => (Some(cut.to_string()), None, None, None, None),
                };
                PropertyResult {
                    property: p.name,
                    kind: p.kind.label(),
                    meaning: p.meaning,
                    verdict,
                    claim,
                    why,
                    dead_states,
                    basis,
                    trace: trace.map(|t| steps(model, &t)).unwrap_or_default(),
                    cycle_start,
                    measure,
                }
            })
            .collect();
        Report {
            scenario: scenario.clone(),
            description,
            scenario_text: scenario.describe(),
            bounds: model.bounds(),
            stats: Stats {
                states: graph.len(),
                transitions: graph.edge_count(),
                depth: graph.depth,
                seconds,
                explore_seconds: graph.elapsed.as_secs_f64(),
                peak_memory_bytes: crate::engine::memory::peak(),
            },
            results,
            participants: model.participants(),
        }
    }

    /// The violated properties, in catalogue order.
    pub fn violated(&self) -> impl Iterator<Item = &PropertyResult> {
        self.results
            .iter()
            .filter(|r| r.verdict == Outcome::Violated)
    }

    /// 0 every property holds, 1 some property is violated, 3 a limit cut the search.
    pub fn exit_code(&self) -> u8 {
        if self.violated().next().is_some() {
            1
        } else if self
            .results
            .iter()
            .any(|r| r.verdict == Outcome::Incomplete)
        {
            3
        } else {
            0
        }
    }
}

fn steps<M: System>(model: &M, trace: &Trace<M>) -> Vec<Step> {
    let mut out = vec![Step {
        action: "initial state".to_string(),
        changes: Vec::new(),
        summary: model.summary(&trace.init),
        state: serde_json::to_value(&trace.init).unwrap_or_default(),
        itf_state: itf::value(&trace.init),
        events: Vec::new(),
    }];
    let mut before = &trace.init;
    for (action, after) in &trace.steps {
        out.push(Step {
            action: model.describe(action),
            changes: model.changes(before, after),
            summary: model.summary(after),
            state: serde_json::to_value(after).unwrap_or_default(),
            itf_state: itf::value(after),
            events: model.events(before, action, after),
        });
        before = after;
    }
    out
}
