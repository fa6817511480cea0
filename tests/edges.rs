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

/// Exploring five masters with three crashes that heal takes under a second; deciding its
/// properties (the liveness graph above all) takes over ten more. `--timeout` stops all of it,
/// and says so in the user's own figure.
#[test]
fn the_timeout_bounds_the_whole_run() {
    let start = Instant::now();
    let (code, out, err) = kcheck(&[
        "verify",
        "--masters",
        "5",
        "--crash",
        "3",
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
        .args(["verify", "--masters", "5", "--crash", "3", "--heal"])
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
    // A limit too small to be a duration is refused, not turned into "0 s".
    common::assert_bad_input(
        &["verify", "--timeout", "1e-300"],
        "--timeout must be a positive number of seconds",
    );
    common::assert_bad_input(
        &["verify", "--masters", "-1"],
        "masters must be 1 to 7 (got -1)",
    );
    common::assert_bad_input(
        &["verify", "--threads", "10000"],
        "threads must be 1 to 256 (got 10000)",
    );
    common::assert_bad_input(
        &["verify", "--crash", "-2"],
        "crash must be 0 to 7 (got -2)",
    );
    common::assert_bad_input(
        &["verify", "--max-term", "-1"],
        "max-term must be 2 to 6 (got -1)",
    );
    common::assert_bad_input(
        &["verify", "--max-states", "0"],
        "max-states must be at least 1 (got 0)",
    );
    common::assert_bad_input(
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

/// A scenario file that sets nothing would silently check the defaults; one that never ends
/// would be read forever. Both are refused in one line, at once.
#[test]
fn scenario_files_that_set_nothing_or_never_end_are_refused() {
    let dir = scratch("scenarios");
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    std::fs::write(path("empty.toml"), "").expect("write");
    std::fs::write(path("comment.toml"), "# masters = 5\n").expect("write");
    let mut big = "masters = 3\n".to_string();
    big.push_str(&"# padding\n".repeat(120_000));
    std::fs::write(path("big.toml"), big).expect("write");
    for file in [path("empty.toml"), path("comment.toml"), "/dev/null".into()] {
        common::assert_bad_input(&["verify", &file], &format!("{file} is empty"));
    }
    let start = Instant::now();
    common::assert_bad_input(
        &["verify", "/dev/zero"],
        "cannot read /dev/zero: larger than 1 MiB",
    );
    assert!(start.elapsed() < Duration::from_secs(2), "a bounded read");
    common::assert_bad_input(
        &["verify", &path("big.toml")],
        "big.toml: larger than 1 MiB",
    );
    common::assert_bad_input(
        &["verify", "properties/raft.toml"],
        "properties/raft.toml is a gate file; run kcheck gate properties/raft.toml",
    );
    common::assert_bad_input(
        &["gate", "models/two-masters.toml"],
        "models/two-masters.toml is a scenario file; run kcheck verify models/two-masters.toml",
    );
}

/// The scenario file's description heads the report, in the text and the JSON.
#[test]
fn the_scenario_description_is_shown() {
    let description = "Two masters to 'save money': quorum 2 of 2.";
    let (_, out, _) = kcheck(&["verify", "models/two-masters.toml", "-q"]);
    let about = out.lines().nth(1).unwrap_or_default();
    assert!(
        about.starts_with(&format!("about:    {description}")),
        "{out}"
    );
    let v = json(&["verify", "models/two-masters.toml", "--format", "json"]);
    assert!(
        v["description"]
            .as_str()
            .is_some_and(|d| d.starts_with(description)),
        "{v}"
    );
    let (_, out, _) = kcheck(&["verify", "models/two-masters.toml", "--masters", "3", "-q"]);
    assert!(out.contains("(before flags changed it)"), "{out}");
}

/// Gate rows that repeat or contradict another, that name no scenario file or allow no state
/// at all are refused before anything is checked.
#[test]
fn gate_rows_that_cannot_mean_anything_are_refused() {
    let dir = scratch("gates");
    let models = std::fs::canonicalize("models").expect("models/");
    let two = models.join("two-masters.toml");
    let row = |expect: &str, extra: &str| {
        format!(
            "[[check]]\nscenario = {:?}\nproperty = \"no-split-brain\"\nexpect = \"{expect}\"\n{extra}\n",
            two.to_string_lossy()
        )
    };
    let gate = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path.to_string_lossy().into_owned()
    };
    let same = gate("same.toml", row("holds", "") + &row("holds", "masters = 2"));
    common::assert_bad_input(
        &["gate", &same],
        &format!("{same}:6: the same check as line 1"),
    );
    let contra = gate(
        "contra.toml",
        row("holds", "") + &row("violated", "timeout = 9"),
    );
    common::assert_bad_input(
        &["gate", &contra],
        &format!("{contra}:6: contradicts line 1, which expects holds"),
    );
    // Another file may pin the same check again (another limit, a failing example).
    let first = gate("first.toml", row("holds", ""));
    let again = gate("again.toml", row("holds", "max-states = 1000"));
    let (code, out, err) = kcheck(&["gate", &first, &again, "-q"]);
    assert_eq!(code, 0, "{out}{err}");
    // A lowered quorum is another scenario: no conflict.
    let fine = gate(
        "fine.toml",
        row("holds", "") + &row("violated", "quorum = 1"),
    );
    let (code, out, err) = kcheck(&["gate", &fine, "-q"]);
    assert_eq!(code, 0, "{out}{err}");
    let zero = gate("zero.toml", row("holds", "max-states = 0"));
    common::assert_bad_input(
        &["gate", &zero],
        &format!("{zero}:5:14: max-states must be at least 1 (got 0)"),
    );
    let bare = gate(
        "bare.toml",
        "[[check]]\nmasters = 3\nproperty = \"no-split-brain\"\nexpect = \"holds\"\n".into(),
    );
    common::assert_bad_input(
        &["gate", &bare],
        &format!("{bare}:1:1: this row names no scenario file"),
    );
}

/// A term bound of 1 leaves no election to check: failover-possible would be VIOLATED by the
/// bound, not by the cluster. It is refused, from a flag, a scenario file or a gate row.
#[test]
fn a_bound_that_allows_no_election_is_refused() {
    let reason = "max-term must be 2 to 6 (got 1): the first leader holds term 1";
    common::assert_bad_input(&["verify", "--max-term", "1"], reason);
    let dir = scratch("term");
    let file = dir.join("term-one.toml");
    std::fs::write(&file, "masters = 3\nmax-term = 1\n").expect("write");
    common::assert_bad_input(&["verify", &file.to_string_lossy()], reason);
    let gate = dir.join("gate.toml");
    std::fs::write(
        &gate,
        "[[check]]\nscenario = \"term-one.toml\"\nproperty = \"failover-possible\"\nexpect = \"violated\"\n",
    )
    .expect("write");
    common::assert_bad_input(&["gate", &gate.to_string_lossy()], reason);
}

/// Traces speak the domain's words: roles in lower case, votes against the quorum as "has N
/// votes, needs Q", counts with their plurals right.
#[test]
fn traces_say_roles_votes_and_counts_plainly() {
    let (_, out, _) = kcheck(&[
        "verify",
        "--masters",
        "2",
        "--quorum",
        "1",
        "--partition",
        "--property",
        "no-split-brain",
    ]);
    assert!(out.contains("- m2 becomes leader"), "{out}");
    assert!(!out.contains("becomes Leader"), "{out}");
    let (_, out, _) = kcheck(&["verify", "--masters", "2", "--partition", "-q"]);
    assert!(
        out.contains("{m1} cannot gather a quorum (has 1 vote, needs 2)"),
        "{out}"
    );
    assert!(out.contains("counterexample, 1 step ("), "{out}");
    let (_, out, _) = kcheck(&[
        "verify",
        "--masters",
        "1",
        "--crash",
        "0",
        "--writes",
        "0",
        "-q",
    ]);
    assert!(
        out.contains("explored: 1 state, 0 transitions, depth 0 in "),
        "{out}"
    );
    let (_, _, err) = kcheck(&["verify", "--masters", "1", "--quorum", "2"]);
    assert!(err.contains("for 1 master (got 2)"), "{err}");
}

/// A Mermaid title is one short line; notes wrap at word boundaries instead of spilling out.
#[test]
fn mermaid_titles_are_short_and_notes_wrap() {
    let (_, out, _) = kcheck(&[
        "verify",
        "--masters",
        "2",
        "--partition",
        "--property",
        "write-availability",
        "--format",
        "mermaid",
    ]);
    let title = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("title "))
        .expect("a title");
    assert_eq!(title, "write-availability is VIOLATED");
    let notes: Vec<&str> = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Note over "))
        .collect();
    let why = notes.last().expect("the why note");
    assert!(why.contains("why: "), "{why}");
    for note in &notes {
        let (_, text) = note.split_once(": ").expect("Note over X: text");
        for line in text.split("<br/>") {
            assert!(line.chars().count() <= 60, "{line:?} in {out}");
        }
    }
}
