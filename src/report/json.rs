//! The JSON report: one document, as described in DESIGN.md.

use serde::Serialize;

use super::{PropertyResult, Report, Stats};
use crate::scenario::Valid;

pub fn render(report: &Report) -> String {
    to_json(report)
}

/// The report of one property: the same document with only that property in `results`.
pub fn render_property(report: &Report, result: &PropertyResult) -> String {
    #[derive(Serialize)]
    struct One<'a> {
        scenario: &'a Valid,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<&'a str>,
        bounds: &'a str,
        stats: &'a Stats,
        results: [&'a PropertyResult; 1],
    }
    to_json(&One {
        scenario: &report.scenario,
        description: report.description.as_deref(),
        bounds: &report.bounds,
        stats: &report.stats,
        results: [result],
    })
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
