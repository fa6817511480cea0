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
//! Without `scenario`, the row's scenario fields are laid over the defaults of
//! `kcheck verify`. Everything that can be wrong with a row (TOML, an unknown key, an unknown
//! property, a scenario file that cannot be read, an impossible scenario, a bad limit) is found
//! here, with the file and line, before anything is checked.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;
use toml::Spanned;

use crate::property::Outcome;
use crate::scenario::{io_reason, line_column, ModelKind, Scenario};
use crate::systems::raft::Raft;
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
    max_states: Option<usize>,
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
    let text = std::fs::read_to_string(path).map_err(|e| GateError::Read {
        path: name.clone(),
        reason: io_reason(&e),
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
        let (mut scenario, file_name) = match &raw.scenario {
            Some(file) => {
                let joined = dir.join(file.get_ref());
                let shown = normalize(&joined).display().to_string();
                let scenario = std::fs::read_to_string(&joined)
                    .map_err(|e| format!("cannot read {shown}: {}", io_reason(&e)))
                    .and_then(|text| Scenario::from_toml(&text, &shown).map_err(|e| e.to_string()))
                    .map_err(|reason| at(file.span().start, reason))?;
                (scenario, Some(shown))
            }
            None => (Scenario::default(), None),
        };
        let overrides = raw.lay_over(&mut scenario);
        let scenario_name = match (file_name, overrides.is_empty()) {
            (Some(file), true) => file,
            (Some(file), false) => format!("{file} {{{overrides}}}"),
            (None, true) => "{} (the defaults)".to_string(),
            (None, false) => format!("{{{overrides}}}"),
        };
        scenario.validate().map_err(|e| at(start, e.to_string()))?;
        let property = raw.property.get_ref();
        if !catalogue(scenario.model).contains(&property.as_str()) {
            return Err(at(
                raw.property.span().start,
                format!("unknown property `{property}`; `kcheck list` names them all"),
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
        rows.push(Row {
            line: line_column(&text, start).0,
            scenario_name,
            scenario,
            property: raw.property.into_inner(),
            expect: raw.expect,
            max_states: raw.max_states.unwrap_or(defaults.max_states),
            timeout,
        });
    }
    Ok(GateFile { path: name, rows })
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
        words
    }
}

/// The property names of a model.
fn catalogue(model: ModelKind) -> Vec<&'static str> {
    match model {
        ModelKind::Raft => Raft::catalogue().iter().map(|p| p.name).collect(),
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
