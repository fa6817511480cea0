//! The binary at its edges: what a verdict rests on, where the time went, limits that bound the
//! whole run, Ctrl-C, closed pipes, flags out of range, odd scenario and gate files, wording.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::kcheck;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let (_, out, err) = kcheck(args);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"))
}

/// Exit code 2, one line on stderr that contains `expected`, nothing on stdout, no panic.
fn assert_refused(args: &[&str], expected: &str) {
    let (code, out, err) = kcheck(args);
    assert_eq!(code, 2, "{args:?}: {out}{err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: one line: {err}"
    );
    assert!(err.contains(expected), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.is_empty(), "{args:?}: {out}");
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("edges-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// A split two-master cluster is stuck by a lemma (no side can ever gather a quorum): the
/// verdict says it is proved, in the text, the JSON, the gate's detail and the table.
#[test]
fn a_violated_recoverability_says_it_is_proved() {
    let args = ["verify", "--masters", "2", "--partition"];
    let (code, out, _) = kcheck(&[&args[..], &["--property", "write-availability"]].concat());
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("write-availability is VIOLATED, proved for every budget ("),
        "{out}"
    );
    assert!(out.contains("whatever the budget: a lemma"), "{out}");
    let v = json(&[&args[..], &["--format", "json"]].concat());
    for r in v["results"].as_array().expect("results") {
        let expected = match r["kind"].as_str() {
            Some("recoverability") => Value::from("proof"),
            _ => Value::Null,
        };
        assert_eq!(r["basis"], expected, "{r}");
    }
    let (_, out, _) = kcheck(&["gate", "tests/fixtures/gate/wrong.toml"]);
    assert!(
        out.contains("got violated: ") && out.contains("whatever the budget: a lemma"),
        "{out}"
    );
    let rows = json(&["table", "--max-masters", "2", "--format", "json", "-q"]);
    // One master: a crash stops writes (proved); two masters do not survive a split (proved).
    assert_eq!(rows[0]["crashes_tolerated_basis"], "proof", "{rows}");
    assert_eq!(rows[1]["survives_partition_basis"], "proof", "{rows}");
    assert!(rows[0]["survives_partition_basis"].is_null(), "{rows}");
}

/// The recoverability searches after exploring count: `stats.seconds` is the whole run.
#[test]
fn the_run_time_counts_every_search() {
    let args = ["verify", "--masters", "4", "--partition", "--heal", "-q"];
    let v = json(&[&args[..], &["--format", "json"]].concat());
    let total = v["stats"]["seconds"].as_f64().expect("seconds");
    let exploring = v["stats"]["explore_seconds"]
        .as_f64()
        .expect("explore_seconds");
    assert!(exploring < total, "{}", v["stats"]);
    assert!(v["stats"]["transitions"].is_number(), "{}", v["stats"]);
    assert!(
        v["stats"].get("edges").is_none(),
        "one word: {}",
        v["stats"]
    );
    let (_, out, _) = kcheck(&args);
    assert!(out.contains(" s (total run "), "{out}");
}

/// Exploring five masters with two crashes that heal takes under half a second; deciding its
/// recoverability properties takes several more. `--timeout` stops all of it, and says so in
/// the user's own figure.
#[test]
fn the_timeout_bounds_the_whole_run() {
    let start = Instant::now();
    let (code, out, err) = kcheck(&[
        "verify",
        "--masters",
        "5",
        "--crash",
        "2",
        "--heal",
        "--timeout",
        "2",
        "-q",
    ]);
    let took = start.elapsed();
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains("is INCOMPLETE: the time limit (2 s, --timeout) was reached"),
        "{out}"
    );
    assert!(took < Duration::from_millis(3000), "took {took:?}: {out}");
}

/// Ctrl-C prints the report so far, every undecided property INCOMPLETE, and exits 3.
#[test]
fn ctrl_c_prints_the_report_so_far() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kcheck"))
        .args(["verify", "--masters", "5", "--crash", "2", "--heal"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kcheck starts");
    std::thread::sleep(Duration::from_millis(1200));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "still running");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut out = String::new();
    let mut err = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("read");
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("read");
    assert_eq!(status.code(), Some(3), "{out}{err}");
    assert!(out.contains("INCOMPLETE: interrupted (Ctrl-C)"), "{out}");
    assert!(out.contains("result: "), "the whole report: {out}");
    assert!(err.is_empty(), "{err}");
}

/// `kcheck verify | head -c 10`: a reader that goes away ends kcheck quietly, with the
/// verdict's exit code.
#[test]
fn a_closed_pipe_ends_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kcheck"))
        .args(["verify", "--masters", "2", "--partition"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kcheck starts");
    // Close the reading end before kcheck writes anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("kcheck ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn numbers_out_of_range_name_the_range() {
    assert_refused(
        &["verify", "--masters", "-1"],
        "masters must be 1 to 7 (got -1)",
    );
    assert_refused(
        &["verify", "--threads", "10000"],
        "threads must be 1 to 256 (got 10000)",
    );
    assert_refused(
        &["verify", "--crash", "-2"],
        "crash must be 0 to 7 (got -2)",
    );
    assert_refused(
        &["verify", "--max-term", "-1"],
        "max-term must be 1 to 6 (got -1)",
    );
    assert_refused(
        &["verify", "--max-states", "0"],
        "max-states must be at least 1 (got 0)",
    );
    assert_refused(
        &["table", "--max-masters", "-1"],
        "max-masters must be 1 to 7 (got -1)",
    );
}

/// `--output` with nothing violated writes nothing, and says so once.
#[test]
fn output_with_nothing_violated_says_so_once() {
    let dir = scratch("nothing");
    let dir_arg = dir.to_string_lossy().into_owned();
    for format in ["text", "itf"] {
        let (code, _, err) = kcheck(&[
            "verify",
            "--masters",
            "3",
            "-q",
            "--format",
            format,
            "--output",
            &dir_arg,
        ]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(err.lines().count(), 1, "{format}: {err}");
        assert!(
            err.contains(&format!(
                "no property is violated: {}nothing written into {dir_arg}",
                if format == "itf" {
                    "no counterexample to print, "
                } else {
                    ""
                }
            )),
            "{format}: {err}"
        );
    }
}
