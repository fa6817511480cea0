//! `kcheck gate` through the binary: the project's own gate passes, a wrong expectation and a
//! cut search fail their row (and only it, in the JUnit file too), malformed gate files stop
//! everything with the file and line.

mod common;

use common::kcheck;
use std::path::Path;

const FIXTURES: &str = "tests/fixtures/gate";

/// The JUnit file of a run, parsed: (testcase name, failure message if any) per testcase.
fn junit(path: &Path) -> Vec<(String, Option<String>)> {
    let text = std::fs::read_to_string(path).expect("JUnit file written");
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "testsuites");
    doc.descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|case| {
            assert!(case.attribute("classname").is_some());
            assert!(case.attribute("time").is_some());
            let failure = case
                .children()
                .find(|c| c.has_tag_name("failure"))
                .map(|f| f.attribute("message").unwrap_or_default().to_string());
            (
                case.attribute("name").unwrap_or_default().to_string(),
                failure,
            )
        })
        .collect()
}

fn temp_file(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("gate-{name}"))
}

#[test]
fn the_project_gate_passes() {
    let xml = temp_file("project.xml");
    let (code, out, err) = kcheck(&["gate", "--junit", xml.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("FAIL"), "{out}");
    // Every property of every shipped scenario is pinned, as the scenario file itself.
    // models/slow/ is gated by properties/slow/, once per CI run (tests/run).
    for model in std::fs::read_dir("models").expect("models/") {
        let model = model.expect("entry");
        if model.path().is_dir() {
            continue;
        }
        let name = format!("models/{}", model.file_name().to_string_lossy());
        let scenario = kcheck::scenario::Scenario::from_file(std::path::Path::new(&name))
            .expect("a scenario")
            .validate()
            .expect("valid");
        // A property that says nothing about the scenario has no verdict to pin.
        for p in kcheck::check::applicable(&scenario) {
            let pinned = out.lines().any(|l| {
                let columns: Vec<&str> = l.split_whitespace().collect();
                columns.get(1) == Some(&name.as_str()) && columns.get(2) == Some(&p)
            });
            assert!(pinned, "{name} {p} not gated",);
        }
    }
    let cases = junit(&xml);
    assert!(cases.len() >= 64, "{}", cases.len());
    assert!(cases.iter().all(|(_, failure)| failure.is_none()));
}

#[test]
fn a_wrong_expectation_fails_exactly_its_row() {
    let xml = temp_file("wrong.xml");
    let (code, out, err) = kcheck(&[
        "gate",
        &format!("{FIXTURES}/wrong.toml"),
        "--junit",
        xml.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("tests/fixtures/gate/wrong.toml:8: write-availability on models/two-masters.toml: expected holds, got violated"),
        "{out}"
    );
    assert!(
        out.contains("2 rows in 1 file: 1 passed, 1 failed"),
        "{out}"
    );
    let cases = junit(&xml);
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].1, None, "{cases:?}");
    assert!(cases[1].0.contains("models/two-masters.toml (line 8)"));
    assert_eq!(
        cases[1].1.as_deref(),
        Some("expected holds, got violated"),
        "{cases:?}"
    );
    let text = std::fs::read_to_string(&xml).expect("JUnit file");
    assert_eq!(text.matches("<failure").count(), 1, "{text}");
    assert!(
        text.contains("cannot gather a quorum"),
        "the why text: {text}"
    );
}

#[test]
fn a_search_cut_by_a_limit_fails_its_row() {
    let xml = temp_file("cut.xml");
    let (code, out, err) = kcheck(&[
        "gate",
        &format!("{FIXTURES}/cut.toml"),
        "--junit",
        xml.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("incomplete"), "{out}");
    assert!(out.contains("(1 incomplete)"), "{out}");
    let cases = junit(&xml);
    assert_eq!(
        cases[0].1.as_deref(),
        Some("expected holds, got incomplete")
    );
}

#[test]
fn malformed_gate_files_name_the_file_and_line() {
    for (file, expected) in [
        ("toml.toml", "toml.toml:4:10: "),
        (
            "unknown-key.toml",
            "unknown-key.toml:9:1: unknown field `expcet`",
        ),
        (
            "unknown-property.toml",
            "unknown-property.toml:3:12: unknown property `no-split-brains`",
        ),
        (
            "missing-scenario.toml",
            "missing-scenario.toml:2:12: cannot read models/seven-masters.toml: no such file",
        ),
        (
            "bad-expect.toml",
            "bad-expect.toml:4:10: unknown variant `incomplete`, expected `holds` or `violated`",
        ),
        ("empty.toml", "empty.toml: no [[check]] rows"),
    ] {
        let path = format!("{FIXTURES}/bad/{file}");
        let (code, out, err) = kcheck(&["gate", &path]);
        assert_eq!(code, 2, "{file}: {out}{err}");
        assert!(out.is_empty(), "{file}: nothing checked: {out}");
        assert_eq!(err.lines().count(), 1, "{file}: {err}");
        assert!(
            err.starts_with(&format!("kcheck: {FIXTURES}/bad/{expected}")),
            "{file}: {err}"
        );
    }
    // One bad file among good ones stops the whole gate before any check.
    let (code, out, _) = kcheck(&[
        "gate",
        &format!("{FIXTURES}/pass"),
        &format!("{FIXTURES}/bad/unknown-key.toml"),
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
}

#[test]
fn a_directory_means_every_toml_inside_sorted() {
    let (code, out, err) = kcheck(&["gate", &format!("{FIXTURES}/pass")]);
    assert_eq!(code, 0, "{out}{err}");
    let a = out.find("pass/a.toml:").expect("a.toml checked");
    let b = out.find("pass/b.toml:").expect("b.toml checked");
    assert!(a < b, "{out}");
    assert!(!out.contains("notes.txt"), "{out}");
    assert!(
        out.contains("{masters = 2, quorum = 1, partition = true}"),
        "{out}"
    );
    assert!(out.contains("2 rows in 2 files: 2 passed"), "{out}");
    // A file named again, directly, is still checked once.
    let (code, out, _) = kcheck(&[
        "gate",
        &format!("{FIXTURES}/pass"),
        &format!("{FIXTURES}/pass/a.toml"),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("2 rows in 2 files: 2 passed"), "{out}");
    let (code, _, err) = kcheck(&["gate", "src/engine"]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "kcheck: src/engine: no gate files (*.toml) in this directory"
    );
}

#[test]
fn output_is_the_same_run_to_run() {
    let args = [
        "gate",
        "properties",
        "tests/fixtures/gate/wrong.toml",
        "tests/fixtures/gate/cut.toml",
    ];
    // Times are the last word of the lines they appear on; everything else must not change.
    let strip = |out: String| -> String {
        out.lines()
            .map(|l| match l.rsplit_once(' ') {
                Some((rest, last))
                    if last.ends_with('s') && last[..last.len() - 1].parse::<f64>().is_ok() =>
                {
                    rest.trim_end().to_string()
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (code1, out1, _) = kcheck(&args);
    let (code2, out2, _) = kcheck(&args);
    assert_eq!((code1, code2), (1, 1));
    assert_eq!(strip(out1), strip(out2));
}
