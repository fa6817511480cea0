//! What the integration tests share: running the real binary.
// Each test crate compiles this module and uses only part of it.
#![allow(dead_code)]

use std::process::Command;

/// Runs `kcheck` with `args`; returns the exit code, stdout and stderr.
pub fn kcheck(args: &[&str]) -> (i32, String, String) {
    kcheck_with(args, &[])
}

/// [`kcheck`] with extra environment variables.
pub fn kcheck_with(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kcheck"))
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("kcheck runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `kcheck` with `args` and checks it refuses them as bad input: exit 2, nothing on stdout,
/// and one line on stderr that contains `expected` (no panic, no backtrace).
pub fn assert_bad_input(args: &[&str], expected: &str) {
    let (code, out, err) = kcheck(args);
    assert_eq!(code, 2, "{args:?}: {out}{err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: one line: {err}"
    );
    assert!(err.contains(expected), "{args:?}: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    assert!(out.is_empty(), "{args:?}: {out}");
}

/// One property of a scenario, decided as `verify` decides it: its verdict, why it fails, and
/// its trace as the actions taken and the changes in words.
pub struct Decided {
    pub verdict: &'static str,
    pub why: String,
    pub actions: Vec<String>,
    pub changes: Vec<String>,
}

pub fn decide(s: &kcheck::scenario::Scenario, property: &str) -> Decided {
    let options = kcheck::check::Options {
        properties: vec![property.to_string()],
        max_states: 5_000_000,
        timeout: None,
        progress: false,
    };
    let report = kcheck::check::verify(s, &options).expect("a valid scenario");
    let r = &report.results[0];
    Decided {
        verdict: r.verdict.label(),
        why: r.why.clone().unwrap_or_default(),
        actions: r.trace.iter().map(|t| t.action.clone()).collect(),
        changes: r.trace.iter().flat_map(|t| t.changes.clone()).collect(),
    }
}
