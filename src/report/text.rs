//! The text report: a verdict table, then each counterexample as numbered steps that show only
//! what changed, ending with why the property fails there.

use std::fmt::Write;

use super::{PropertyResult, Report};
use crate::property::Outcome;

pub fn render(report: &Report) -> String {
    let mut out = header(report);
    let s = &report.stats;
    let _ = writeln!(
        out,
        "explored: {}, {}, depth {} in {:.2} s (total run {:.2} s)",
        count(s.states, "state"),
        count(s.transitions, "transition"),
        s.depth,
        s.explore_seconds,
        s.seconds
    );
    let _ = writeln!(out);
    let width = report
        .results
        .iter()
        .map(|r| r.property.len())
        .max()
        .unwrap_or(0);
    for r in &report.results {
        let _ = writeln!(
            out,
            "  {:<10} {:<width$}  {}",
            r.verdict.label().to_uppercase(),
            r.property,
            r.meaning
        );
        if let Some(m) = &r.measure {
            let _ = writeln!(out, "  {:<10} {:<width$}  {}", "", "", extremes(m));
        }
    }
    for r in &report.results {
        match r.verdict {
            Outcome::Holds if r.measure.is_some() => measure(&mut out, r),
            Outcome::Violated => violation(&mut out, r),
            Outcome::Holds if !r.trace.is_empty() => witness(&mut out, r),
            Outcome::Incomplete => {
                let _ = writeln!(
                    out,
                    "\n{} is INCOMPLETE: {}",
                    r.property,
                    r.claim.as_deref().unwrap_or("")
                );
            }
            _ => {}
        }
    }
    let _ = writeln!(out);
    let count = |v: Outcome| report.results.iter().filter(|r| r.verdict == v).count();
    let (held, violated, incomplete) = (
        count(Outcome::Holds),
        count(Outcome::Violated),
        count(Outcome::Incomplete),
    );
    let mut summary = Vec::new();
    if violated > 0 {
        summary.push(format!("{violated} violated"));
    }
    if incomplete > 0 {
        summary.push(format!("{incomplete} incomplete"));
    }
    if held > 0 {
        summary.push(format!("{held} hold{}", if held == 1 { "s" } else { "" }));
    }
    let _ = writeln!(out, "result: {}", summary.join(", "));
    // Each HOLDS states its claim: the exhaustive bounds, a wider recoverability budget, or the
    // bounds a possibility's witness was found within.
    let holds = || {
        report
            .results
            .iter()
            .filter(|r| r.verdict == Outcome::Holds)
    };
    if holds().any(|r| r.claim.as_deref() == Some(report.bounds.as_str())) {
        let _ = writeln!(
            out,
            "HOLDS means: for all behaviours with {}.",
            report.bounds
        );
    }
    for r in holds() {
        if let Some(claim) = r.claim.as_deref().filter(|c| *c != report.bounds) {
            let _ = writeln!(out, "  {}: {}", r.property, claim);
        }
    }
    out
}

/// The report of one property: the scenario, its verdict, and its counterexample if violated.
pub fn render_property(report: &Report, r: &PropertyResult) -> String {
    let mut out = header(report);
    let _ = writeln!(
        out,
        "\n  {} {}  {}",
        r.verdict.label().to_uppercase(),
        r.property,
        r.meaning
    );
    match r.verdict {
        Outcome::Holds if r.measure.is_some() => measure(&mut out, r),
        Outcome::Violated => violation(&mut out, r),
        Outcome::Holds if !r.trace.is_empty() => witness(&mut out, r),
        _ => {
            if let Some(claim) = &r.claim {
                let _ = writeln!(out, "  {claim}");
            }
        }
    }
    out
}

fn header(report: &Report) -> String {
    let mut out = format!("scenario: {}\n", report.scenario_text);
    if let Some(description) = &report.description {
        let _ = writeln!(out, "about:    {description}");
    }
    let _ = writeln!(out, "bounds:   {}", report.bounds);
    out
}

/// "1 state", "2 states".
pub(crate) fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

fn violation(out: &mut String, r: &PropertyResult) {
    let basis = r
        .basis
        .map_or(String::new(), |b| format!(", {}", b.words()));
    let _ = writeln!(
        out,
        "\n{} is VIOLATED{basis} ({}: {})",
        r.property, r.kind, r.meaning
    );
    if r.trace.is_empty() {
        let _ = writeln!(out, "  {}", r.why.as_deref().unwrap_or(""));
        return;
    }
    match r.cycle_start {
        Some(start) if start + 1 == r.trace.len() => {
            let _ = write!(
                out,
                "counterexample, {}, then nothing obliges another step",
                count(r.trace.len() - 1, "step")
            );
        }
        Some(start) => {
            let last = r.trace.len() - 1;
            let cycle = if start + 1 == last {
                format!("step {last} repeats")
            } else {
                format!("steps {}–{last} repeat", start + 1)
            };
            let _ = write!(
                out,
                "counterexample, a lasso of {}: {cycle} for ever",
                count(last, "step"),
            );
        }
        None => {
            let _ = write!(out, "counterexample, {}", count(r.trace.len() - 1, "step"));
        }
    }
    if let Some(dead) = r.dead_states {
        let _ = write!(out, " ({} cannot recover)", count(dead, "reachable state"));
    }
    let _ = writeln!(out, ":");
    lasso_steps(out, &r.trace, r.cycle_start);
    let _ = writeln!(out, "  why: {}", r.why.as_deref().unwrap_or(""));
}

/// "min 4000 ms, max 6000 ms".
fn extremes(m: &super::MeasureResult) -> String {
    let amount = |a: &super::Measured| match a {
        super::Measured::Finite(n) => format!("{n} {}", m.unit),
        other => other.to_string(),
    };
    format!("min {}, max {}", amount(&m.min), amount(&m.max))
}

/// A measure, with a behaviour that attains each extreme.
fn measure(out: &mut String, r: &PropertyResult) {
    let Some(m) = &r.measure else { return };
    let _ = writeln!(
        out,
        "\n{} ({}: {}): {}, exact over every behaviour",
        r.property,
        r.kind,
        r.meaning,
        extremes(m)
    );
    for (label, trace) in [("minimum", &m.trace_min), ("maximum", &m.trace_max)] {
        let _ = writeln!(
            out,
            "{label}, {}:",
            count(trace.len().saturating_sub(1), "step")
        );
        steps(out, trace);
    }
}

/// A possibility that holds, with the behaviour that shows it.
fn witness(out: &mut String, r: &PropertyResult) {
    let _ = writeln!(
        out,
        "\n{} HOLDS ({}: {})\nwitness, {}:",
        r.property,
        r.kind,
        r.meaning,
        count(r.trace.len() - 1, "step")
    );
    steps(out, &r.trace);
}

/// A trace's numbered steps, each with what changed, and its final state.
/// A run of at least this many steps that change nothing worth saying (time passing, requests
/// that succeed) prints as one line; JSON and ITF keep every step.
const QUIET_RUN: usize = 4;

fn steps(out: &mut String, trace: &[super::Step]) {
    lasso_steps(out, trace, None);
}

/// [`steps`], with the state where a lasso's cycle starts marked (and never folded away).
fn lasso_steps(out: &mut String, trace: &[super::Step], cycle_start: Option<usize>) {
    let quiet = |i: usize| {
        i > 0 && i + 1 < trace.len() && trace[i].changes.is_empty() && Some(i) != cycle_start
    };
    let mut i = 0;
    while i < trace.len() {
        let run = (i..trace.len()).take_while(|&j| quiet(j)).count();
        if run >= QUIET_RUN {
            // What the quiet steps did, in order of first appearance, with how often.
            let mut kinds: Vec<(&str, usize)> = Vec::new();
            for step in &trace[i..i + run] {
                match kinds.iter_mut().find(|(a, _)| *a == step.action) {
                    Some((_, n)) => *n += 1,
                    None => kinds.push((&step.action, 1)),
                }
            }
            let kinds: Vec<String> = kinds.iter().map(|(a, n)| format!("{a} ×{n}")).collect();
            let _ = writeln!(
                out,
                "  {i:>2}–{}. nothing else happens: {}",
                i + run - 1,
                kinds.join(", ")
            );
            i += run;
            continue;
        }
        let step = &trace[i];
        let _ = writeln!(out, "  {i:>2}. {}", step.action);
        if i == 0 {
            for part in step.summary.split("; ") {
                let _ = writeln!(out, "        {part}");
            }
        }
        for change in &step.changes {
            let _ = writeln!(out, "        - {change}");
        }
        if Some(i) == cycle_start && i + 1 < trace.len() {
            let _ = writeln!(
                out,
                "      ↻ the cycle starts at this state: the steps after it come back to it (as the model identifies states), for ever"
            );
        }
        i += 1;
    }
    if let Some(last) = trace.last() {
        let _ = writeln!(out, "  final state:");
        for part in last.summary.split("; ") {
            let _ = writeln!(out, "        {part}");
        }
    }
}
