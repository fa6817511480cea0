//! The `kcheck` binary as a user meets it: verdicts, exit codes, JSON, and bad input.

mod common;

use common::kcheck;
use kcheck::systems::raft::Raft;
use kcheck::systems::System;
use serde_json::Value;

/// The JSON report of a run, without its varying fields (the time taken, the peak memory).
fn json(args: &[&str]) -> Value {
    let (_, out, _) = kcheck(args);
    let mut v: Value = serde_json::from_str(&out).expect("one JSON document");
    v["stats"]["seconds"] = Value::Null;
    v["stats"]["explore_seconds"] = Value::Null;
    v["stats"]["peak_memory_bytes"] = Value::Null;
    v
}

#[test]
fn two_masters_split_can_never_write_again_but_never_split_brain() {
    let (code, out, _) = kcheck(&["verify", "--masters", "2", "--partition"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("VIOLATED   write-availability"), "{out}");
    assert!(out.contains("HOLDS      no-split-brain"), "{out}");
    assert!(out.contains("the network splits {m1} | {m2}"), "{out}");
    assert!(
        out.contains("{m2} cannot gather a quorum (has 1 vote, needs 2)"),
        "{out}"
    );
    assert!(
        out.contains("bounds:   term ≤ 2, ≤ 1 client write"),
        "{out}"
    );
}

#[test]
fn three_masters_survive_any_split() {
    let (code, out, _) = kcheck(&["verify", "--masters", "3", "--partition"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("VIOLATED"), "{out}");
    assert!(
        out.contains("HOLDS means: for all behaviours with term ≤ 2, ≤ 1 client write."),
        "{out}"
    );
}

#[test]
fn four_masters_split_two_and_two() {
    let (code, out, _) = kcheck(&[
        "verify",
        "--masters",
        "4",
        "--partition",
        "--property",
        "write-availability",
    ]);
    assert_eq!(code, 1, "{out}");
    // The shortest counterexample is the even split itself, and neither half has a quorum.
    assert!(out.contains("counterexample, 1 step "), "{out}");
    assert!(
        out.contains("1. the network splits {m1, m2} | {m3, m4}"),
        "{out}"
    );
    assert!(
        out.contains(
            "why: {m1, m2} cannot gather a quorum (has 2 votes, needs 3); \
             {m3, m4} cannot gather a quorum (has 2 votes, needs 3)"
        ),
        "{out}"
    );
}

#[test]
fn quorum_one_on_two_masters_buys_split_brain() {
    let (code, out, _) = kcheck(&[
        "verify",
        "--masters",
        "2",
        "--quorum",
        "1",
        "--partition",
        "--property",
        "no-split-brain",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no-split-brain is VIOLATED"), "{out}");
    assert!(
        out.contains("why: m1 committed [t1:w1] at index 2 but m2 committed [t2]"),
        "{out}"
    );
}

#[test]
fn symmetry_off_is_a_flag_and_a_scenario_field() {
    let dir = std::env::temp_dir().join(format!("kcheck-symmetry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let file = dir.join("no-symmetry.toml");
    std::fs::write(&file, "masters = 3\ncrash = 1\nsymmetry = false\n").expect("write");
    let by_file = json(&["verify", file.to_str().expect("utf-8"), "--format", "json"]);
    let by_flag = json(&[
        "verify",
        "--masters",
        "3",
        "--crash",
        "1",
        "--no-symmetry",
        "--format",
        "json",
    ]);
    assert_eq!(by_file, by_flag);
    let reduced = json(&[
        "verify",
        "--masters",
        "3",
        "--crash",
        "1",
        "--format",
        "json",
    ]);
    assert!(by_flag["stats"]["states"].as_u64() > reduced["stats"]["states"].as_u64());
    let (_, out, _) = kcheck(&["verify", "--masters", "3", "--no-symmetry"]);
    assert!(
        out.contains("no recovery, symmetry reduction off\n"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_scenario_file_is_the_same_as_its_flags() {
    let (code_file, _, _) = kcheck(&["verify", "models/two-masters.toml"]);
    let (code_flags, _, _) = kcheck(&["verify", "--masters", "2", "--partition"]);
    assert_eq!(code_file, code_flags);
    let mut from_file = json(&["verify", "models/two-masters.toml", "--format", "json"]);
    // The file's description is the one thing flags do not give.
    assert!(from_file["description"].is_string(), "{from_file}");
    from_file.as_object_mut().map(|o| o.remove("description"));
    assert_eq!(
        from_file,
        json(&[
            "verify",
            "--masters",
            "2",
            "--partition",
            "--format",
            "json"
        ])
    );
}

#[test]
fn json_has_the_documented_shape() {
    let (code, out, _) = kcheck(&[
        "verify",
        "--masters",
        "2",
        "--partition",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(v["scenario"]["masters"], 2);
    assert_eq!(v["scenario"]["quorum"], 2);
    assert!(v["bounds"].as_str().is_some_and(|b| b.contains("term ≤ 2")));
    for key in ["states", "transitions", "depth", "seconds"] {
        assert!(v["stats"][key].is_number(), "stats.{key}");
    }
    let results = v["results"].as_array().expect("results");
    // Every property that says something about the scenario (no reads: no read property).
    let model = Raft::new(&kcheck::scenario::Scenario::default().raft().unwrap());
    let applicable = Raft::catalogue()
        .iter()
        .filter(|p| model.vacuous(p.name).is_none())
        .count();
    assert_eq!(results.len(), applicable);
    assert!(applicable < Raft::catalogue().len());
    let wa = results
        .iter()
        .find(|r| r["property"] == "write-availability")
        .expect("write-availability");
    assert_eq!(wa["kind"], "recoverability");
    assert_eq!(wa["verdict"], "violated");
    let trace = wa["trace"].as_array().expect("trace");
    assert!(trace.len() >= 2);
    assert!(trace
        .iter()
        .all(|step| step["action"].is_string() && step["state"].is_object()));
    assert!(results.iter().any(|r| r["verdict"] == "holds"));
}

/// The verdict of each property in a JSON report.
fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| (r["property"].to_string(), r["verdict"].to_string()))
        .collect()
}

#[test]
fn the_same_input_gives_the_same_output() {
    let run = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            "--masters",
            "4",
            "--crash",
            "1",
            "--partition",
            "--format",
            "json",
        ];
        args.extend(extra);
        json(&args)
    };
    let one = run(&["--threads", "1"]);
    assert_eq!(
        one,
        run(&["--threads", "2"]),
        "thread count does not change ids or traces"
    );
    assert_eq!(one, run(&["--threads", "3"]));
    // Symmetry reduction changes what is explored, never a verdict.
    let all = run(&["--no-symmetry"]);
    assert_eq!(verdicts(&all), verdicts(&one));
    assert_eq!(
        verdicts(&one)
            .iter()
            .filter(|(_, v)| v == "\"violated\"")
            .count(),
        3,
        "{one}"
    );
    let states = |v: &Value| v["stats"]["states"].as_u64().expect("states");
    assert!(states(&all) > 2 * states(&one), "{all} {one}");
    assert_eq!(
        (&one["scenario"]["symmetry"], &all["scenario"]["symmetry"]),
        (&Value::Bool(true), &Value::Bool(false))
    );
}

#[test]
fn a_cut_search_is_incomplete_never_holds() {
    let (code, out, _) = kcheck(&[
        "verify",
        "--masters",
        "3",
        "--partition",
        "--max-states",
        "50",
    ]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("INCOMPLETE"), "{out}");
    assert!(!out.contains("HOLDS means: for all behaviours"), "{out}");
    // Only a possibility may hold in a cut search, and only by the witness it found.
    let v = json(&[
        "verify",
        "--masters",
        "3",
        "--partition",
        "--max-states",
        "50",
        "--format",
        "json",
    ]);
    for r in v["results"].as_array().expect("results") {
        if r["verdict"] == "holds" {
            assert_eq!(r["kind"], "possibility", "{r}");
            assert!(!r["trace"].as_array().expect("trace").is_empty(), "{r}");
        } else {
            assert_eq!(r["verdict"], "incomplete", "{r}");
        }
    }
    let (code, out, _) = kcheck(&[
        "verify",
        "--masters",
        "2",
        "--partition",
        "--max-states",
        "5",
    ]);
    assert_eq!(code, 3, "{out}");
    // A violation found before the cut still counts: exit 1. What the cut part decides is a
    // violation or a witnessed possibility; everything else is INCOMPLETE.
    let (code, out, _) = kcheck(&[
        "verify",
        "--masters",
        "2",
        "--quorum",
        "1",
        "--partition",
        "--max-states",
        "8",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("VIOLATED   no-split-brain"), "{out}");
    assert!(out.contains("INCOMPLETE write-availability"), "{out}");
    let holds: Vec<&str> = out.lines().filter(|l| l.contains("HOLDS  ")).collect();
    assert_eq!(holds.len(), 1, "{out}");
    assert!(holds[0].contains("failover-possible"), "{out}");
    assert!(
        out.contains("failover-possible: witnessed within term ≤ 2"),
        "{out}"
    );
}

#[test]
fn list_names_every_property_with_its_meaning() {
    let (code, out, _) = kcheck(&["list"]);
    assert_eq!(code, 0);
    for p in Raft::catalogue().iter().map(|p| p.name) {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(p))
            .unwrap_or_else(|| panic!("{p} listed"));
        assert!(line.split_whitespace().count() > 3, "{line}");
    }
}

#[test]
fn help_shows_an_example() {
    let (code, out, _) = kcheck(&["verify", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("kcheck verify --masters 2 --partition"));
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    let dir = std::env::temp_dir().join(format!("kcheck-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "masters = 3\npartition = yes please\n").expect("write");
    let unknown = dir.join("unknown.toml");
    std::fs::write(&unknown, "masters = 3\nmasterz = 4\n").expect("write");
    let broken = broken.to_str().expect("utf-8");
    let unknown = unknown.to_str().expect("utf-8");

    common::assert_bad_input(
        &["verify", "--masters", "0"],
        "masters must be 1 to 7 (got 0)",
    );
    common::assert_bad_input(
        &["verify", "--masters", "99"],
        "masters must be 1 to 7 (got 99)",
    );
    common::assert_bad_input(
        &["verify", "--masters", "2", "--quorum", "3"],
        "quorum must be 1 to 2",
    );
    common::assert_bad_input(
        &["verify", "--masters", "3", "--crash", "4"],
        "crash must be 0 to 3",
    );
    common::assert_bad_input(&["verify", "--writes", "9"], "writes must be 0 to 3");
    common::assert_bad_input(
        &["verify", "--property", "no-such-thing"],
        "unknown property `no-such-thing`",
    );
    common::assert_bad_input(&["verify", broken], "broken.toml:2:");
    common::assert_bad_input(&["verify", unknown], "unknown field `masterz`");
    common::assert_bad_input(
        &["verify", "/no/such/scenario.toml"],
        "cannot read /no/such/scenario.toml: no such file",
    );
    common::assert_bad_input(&["verify", "--masters", "many"], "invalid value 'many'");
    common::assert_bad_input(
        &["verify", "--frobnicate"],
        "unexpected argument '--frobnicate'",
    );
    common::assert_bad_input(&["verify", "--timeout", "-1"], "--timeout");
    common::assert_bad_input(
        &["verify", "--threads", "0"],
        "threads must be 1 to 256 (got 0)",
    );
    common::assert_bad_input(&["frob"], "unrecognized subcommand");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Errors say what is allowed, on one line: clap's context and tips are kept, its usage block
/// is not; limits too large to be durations are refused, not a crash.
#[test]
fn argument_errors_say_what_is_allowed() {
    common::assert_bad_input(&["verfy"], "tip: a similar subcommand exists: 'verify'");
    common::assert_bad_input(&["completions"], "<SHELL>");
    common::assert_bad_input(
        &["table", "--format", "yaml"],
        "[possible values: markdown, json]",
    );
    common::assert_bad_input(&["table", "--max-masters", "-1"], "invalid value '-1'");
    for command in [
        &["verify", "--masters", "2"][..],
        &["gate", "tests/fixtures/gate/wrong.toml"],
        &["table", "--max-masters", "1"],
    ] {
        for t in ["1e300", "NaN", "inf", "0"] {
            let mut args = command.to_vec();
            args.extend(["--timeout", t]);
            common::assert_bad_input(&args, "--timeout must be a positive number of seconds");
        }
    }
    common::assert_bad_input(&["explore", "--max-states", "0"], "--max-states");
    // `kcheck` alone prints its help and fails.
    let (code, out, err) = kcheck(&[]);
    assert_eq!(code, 2);
    assert!(
        out.is_empty() && err.contains("Usage: kcheck <COMMAND>"),
        "{err}"
    );
}

/// Files that cannot be written are found out before the check, not after it.
#[test]
fn unwritable_outputs_are_refused_before_checking() {
    common::assert_bad_input(
        &["verify", "--masters", "2", "--output", "README.md"],
        "--output README.md: not a directory",
    );
    common::assert_bad_input(
        &[
            "gate",
            "tests/fixtures/gate/wrong.toml",
            "--junit",
            "/no/such/dir/gate.xml",
        ],
        "cannot write /no/such/dir/gate.xml",
    );
}
