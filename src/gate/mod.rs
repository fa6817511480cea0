//! `kcheck gate`: CI property gates.
//!
//! A gate file pins verdicts: each row names a scenario, a property and the verdict it must
//! keep (see [`file`] for the format). `kcheck gate` reads every file first (any mistake in
//! any of them stops it with the file and line, exit 2), then checks the rows in parallel, each
//! row its one property, and prints one line per row in file and row order. A row passes when
//! the verdict is the expected one; an INCOMPLETE verdict never passes, since a search a limit
//! cut proves nothing. Exit 0 when every row passes, 1 otherwise. `--junit` writes the same
//! results as JUnit XML for CI test reports.

pub mod file;
pub mod junit;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::check::{self, Options};
use crate::cli::GateArgs;
use crate::progress::Meter;
use crate::property::Outcome;
use crate::report::PropertyResult;
use crate::scenario::Valid;
pub use file::{Defaults, Expect, GateError, GateFile, Row};

/// What checking one row gave.
#[derive(Clone, Debug)]
pub struct RowOutcome {
    /// The verdict: holds, violated or incomplete.
    pub got: Outcome,
    pub pass: bool,
    /// VIOLATED: why the property fails (and, for recoverability, what the verdict rests on).
    /// INCOMPLETE: what cut the search. HOLDS: the bounds.
    pub detail: Option<String>,
    pub seconds: f64,
}

/// Runs `kcheck gate`; returns the exit code.
pub fn run(args: &GateArgs) -> Result<u8, GateError> {
    let start = Instant::now();
    if let Some(t) = args.budget.timeout {
        if crate::check::timeout(t).is_none() {
            return Err(GateError::Timeout(t));
        }
    }
    let defaults = Defaults {
        max_states: args.budget.max_states,
        timeout: args.budget.timeout,
    };
    let files = file::collect(&args.paths)?
        .iter()
        .map(|path| file::load(path, defaults))
        .collect::<Result<Vec<_>, _>>()?;
    // The JUnit file must be writable before the rows run, not found unwritable after.
    let junit_file = match &args.junit {
        Some(path) => Some(std::fs::File::create(path).map_err(|e| GateError::Write {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?),
        None => None,
    };
    let outcomes = check_all(&files, !args.budget.quiet)?;
    crate::stdout::print(&render(&files, &outcomes, start.elapsed().as_secs_f64())).map_err(
        |e| GateError::Write {
            path: "standard output".to_string(),
            reason: e.to_string(),
        },
    )?;
    if let (Some(path), Some(mut file)) = (&args.junit, junit_file) {
        file.write_all(junit::render(&files, &outcomes).as_bytes())
            .map_err(|e| GateError::Write {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
    }
    let pass = outcomes.iter().flatten().all(|o| o.pass);
    Ok(if pass { 0 } else { 1 })
}

/// Checks every row of every file; the outcomes come back in file and row order. Rows with the
/// same scenario (once validated) and the same state limit, and no time limit of their own, are
/// decided by one exploration: a scenario file pinned property by property is explored once.
/// Groups run in parallel. (A row with a time limit runs alone: a limit shared with other
/// properties could cut it where it alone would finish.)
/// `progress`: show a progress line (on a terminal, on runs longer than a second).
pub fn check_all(files: &[GateFile], progress: bool) -> Result<Vec<Vec<RowOutcome>>, GateError> {
    let rows: Vec<(&GateFile, &Row)> = files
        .iter()
        .flat_map(|f| f.rows.iter().map(move |r| (f, r)))
        .collect();
    let total = rows.len();
    let mut groups: Vec<(Option<Valid>, Vec<usize>)> = Vec::new();
    for (k, (_, row)) in rows.iter().enumerate() {
        let key = row.scenario.validate().ok();
        let shared = row.timeout.is_none() && key.is_some();
        let found = groups.iter_mut().find(|(g, members)| {
            shared
                && *g == key
                && rows[members[0]].1.timeout.is_none()
                && rows[members[0]].1.max_states == row.max_states
        });
        match found {
            Some((_, members)) => members.push(k),
            None => groups.push((key, vec![k])),
        }
    }
    // Largest groups first: they take longest.
    groups.sort_by_key(|(_, members)| std::cmp::Reverse(members.len()));
    let done = AtomicUsize::new(0);
    let meter = Meter::new(progress);
    let decided = groups
        .par_iter()
        .with_max_len(1)
        .map(|(_, members)| {
            let group: Vec<(&GateFile, &Row)> = members.iter().map(|&k| rows[k]).collect();
            let outcomes = check_group(&group);
            let k = done.fetch_add(members.len(), Ordering::Relaxed) + members.len();
            meter.show(|| format!("gate: {k} of {total} rows checked"));
            outcomes.map(|o| members.iter().copied().zip(o).collect::<Vec<_>>())
        })
        .collect::<Result<Vec<_>, _>>();
    meter.clear();
    let mut flat: Vec<Option<RowOutcome>> = vec![None; total];
    for (k, outcome) in decided?.into_iter().flatten() {
        flat[k] = Some(outcome);
    }
    let mut flat = flat.into_iter().map(|o| o.expect("every row is decided"));
    Ok(files
        .iter()
        .map(|f| flat.by_ref().take(f.rows.len()).collect())
        .collect())
}

/// Decides rows that share a scenario and limits with one check; a row whose property cannot be
/// checked there (one that says nothing about the scenario) is checked alone, so its error names
/// its own line.
fn check_group(group: &[(&GateFile, &Row)]) -> Result<Vec<RowOutcome>, GateError> {
    if group.len() == 1 {
        return check_row(group[0].0, group[0].1).map(|o| vec![o]);
    }
    let start = Instant::now();
    let (_, first) = group[0];
    let options = Options {
        properties: group.iter().map(|(_, r)| r.property.clone()).collect(),
        max_states: first.max_states,
        timeout: None,
        progress: false,
    };
    let Ok(report) = check::verify(&first.scenario, &options) else {
        return group.iter().map(|(f, r)| check_row(f, r)).collect();
    };
    let seconds = start.elapsed().as_secs_f64();
    group
        .iter()
        .map(|(f, row)| {
            let result = report
                .results
                .iter()
                .find(|r| r.property == row.property)
                .ok_or_else(|| GateError::Check {
                    path: f.path.clone(),
                    line: row.line,
                    reason: format!("no verdict for `{}`", row.property),
                })?;
            Ok(outcome(row, result, seconds))
        })
        .collect()
}

fn check_row(file: &GateFile, row: &Row) -> Result<RowOutcome, GateError> {
    let start = Instant::now();
    let options = Options {
        properties: vec![row.property.clone()],
        max_states: row.max_states,
        timeout: row.timeout,
        progress: false,
    };
    let report = check::verify(&row.scenario, &options).map_err(|e| GateError::Check {
        path: file.path.clone(),
        line: row.line,
        reason: e.to_string(),
    })?;
    let seconds = start.elapsed().as_secs_f64();
    let Some(result) = report.results.first() else {
        return Err(GateError::Check {
            path: file.path.clone(),
            line: row.line,
            reason: format!("no verdict for `{}`", row.property),
        });
    };
    Ok(outcome(row, result, seconds))
}

/// A row's outcome from its property's result.
fn outcome(row: &Row, result: &PropertyResult, seconds: f64) -> RowOutcome {
    let measured = result.measure.as_ref().map(|m| (m.min, m.max, m.unit));
    let pins_hold = match measured {
        Some((min, max, _)) => row.min.is_none_or(|p| p == min) && row.max.is_none_or(|p| p == max),
        None => row.min.is_none() && row.max.is_none(),
    };
    let detail = match measured {
        Some((min, max, unit)) if !pins_hold => Some(format!(
            "measured min {min}, max {max} ({unit}); the row pins{}{}",
            row.min.map_or(String::new(), |p| format!(" min {p}")),
            row.max.map_or(String::new(), |p| format!(" max {p}"))
        )),
        // For a VIOLATED recoverability verdict, the why says what it rests on: a proof, or
        // the extended budget.
        _ => result.why.clone().or(result.claim.clone()),
    };
    RowOutcome {
        got: result.verdict,
        pass: result.verdict == row.expect.outcome() && pins_hold,
        detail,
        seconds,
    }
}

/// The results table, the failures in detail, and a summary line. Times are the last word of
/// each line they appear on.
pub fn render(files: &[GateFile], outcomes: &[Vec<RowOutcome>], seconds: f64) -> String {
    let header = [
        "ROW", "SCENARIO", "PROPERTY", "EXPECT", "GOT", "RESULT", "TIME",
    ];
    let mut lines: Vec<[String; 7]> = Vec::new();
    let mut failures = Vec::new();
    for (f, outs) in files.iter().zip(outcomes) {
        for (row, o) in f.rows.iter().zip(outs) {
            let place = format!("{}:{}", f.path, row.line);
            if !o.pass {
                let detail = o.detail.as_deref().unwrap_or("");
                failures.push(format!(
                    "  {place}: {} on {}: expected {}, got {}: {detail}",
                    row.property,
                    row.scenario_name,
                    row.expect.outcome().label(),
                    o.got
                ));
            }
            lines.push([
                place,
                row.scenario_name.clone(),
                row.property.clone(),
                row.expect.outcome().label().to_string(),
                o.got.to_string(),
                if o.pass { "PASS" } else { "FAIL" }.to_string(),
                format!("{:.2}s", o.seconds),
            ]);
        }
    }
    let mut widths = header.map(str::len);
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut push = |cells: &[&str]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 < cells.len() {
                let pad = widths[i] - cell.chars().count();
                text.push_str(cell);
                text.push_str(&" ".repeat(pad + 2));
            } else {
                text.push_str(cell);
            }
        }
        out.push_str(&text);
        out.push('\n');
    };
    push(&header);
    for line in &lines {
        push(&line.each_ref().map(String::as_str));
    }
    if !failures.is_empty() {
        out.push_str("\nfailed:\n");
        for f in &failures {
            out.push_str(f);
            out.push('\n');
        }
    }
    let rows = lines.len();
    let failed = failures.len();
    let incomplete = outcomes
        .iter()
        .flatten()
        .filter(|o| o.got == Outcome::Incomplete);
    out.push_str(&format!(
        "\ngate: {rows} row{} in {} file{}: {} passed, {failed} failed ({} incomplete) in {seconds:.2}s\n",
        if rows == 1 { "" } else { "s" },
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        rows - failed,
        incomplete.count(),
    ));
    out
}
