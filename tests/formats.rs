//! The trace formats through the real binary: ITF documents that follow the spec and carry the
//! same traces as the JSON report, Mermaid diagrams that parse, and `--output` files.

mod common;

use common::kcheck;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

const TWO_SPLIT: &[&str] = &["verify", "--masters", "2", "--partition", "-q"];

fn with(base: &[&str], more: &[&str]) -> Vec<String> {
    base.iter().chain(more).map(|s| s.to_string()).collect()
}

fn run(args: &[String]) -> (i32, String, String) {
    kcheck(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The violated results of the JSON report, by property.
fn violated_in_json(args: &[&str]) -> Vec<Value> {
    let (_, out, _) = run(&with(args, &["--format", "json"]));
    let report: Value = serde_json::from_str(&out).expect("one JSON document");
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["verdict"] == "violated")
        .cloned()
        .collect()
}

/// The documents of a stream of JSON documents.
fn documents(out: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(out)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("a stream of JSON documents")
}

fn has_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(items) => items.iter().any(has_null),
        Value::Object(fields) => fields.values().any(has_null),
        _ => false,
    }
}

/// Checks one ITF value: integers only as `#bigint` strings, records without `#` fields, the
/// constructs of the spec and the tagged variants Quint writes.
fn check_itf_value(v: &Value, at: &str) {
    match v {
        Value::Null => panic!("null at {at}"),
        Value::Number(_) => panic!("plain number at {at}: every integer is a #bigint"),
        Value::Bool(_) | Value::String(_) => {}
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_itf_value(item, &format!("{at}[{i}]"));
            }
        }
        Value::Object(fields) => {
            if let Some(n) = fields.get("#bigint") {
                assert_eq!(fields.len(), 1, "{at}");
                let n = n.as_str().expect("#bigint holds a string");
                let digits = n.strip_prefix('-').unwrap_or(n);
                assert!(
                    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
                    "{at}: {n}"
                );
            } else if let Some(items) = fields.get("#tup").or(fields.get("#set")) {
                assert_eq!(fields.len(), 1, "{at}");
                check_itf_value(items, at);
            } else if let Some(pairs) = fields.get("#map") {
                assert_eq!(fields.len(), 1, "{at}");
                for pair in pairs.as_array().expect("#map holds a list") {
                    let pair = pair.as_array().expect("#map holds pairs");
                    assert_eq!(pair.len(), 2, "{at}: a pair is a key and a value");
                    check_itf_value(&pair[0], &format!("{at} key"));
                    check_itf_value(&pair[1], &format!("{at} value"));
                }
            } else {
                for (k, item) in fields {
                    assert!(!k.starts_with('#'), "{at}: field {k}");
                    check_itf_value(item, &format!("{at}.{k}"));
                }
            }
        }
    }
}

/// An ITF value read back as the plain JSON serde writes for the same Rust value, so the two
/// reports can be compared.
fn plain(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(plain).collect()),
        Value::Object(fields) => {
            if let Some(n) = fields.get("#bigint") {
                return Value::from(n.as_str().unwrap().parse::<i64>().unwrap());
            }
            if let Some(items) = fields.get("#tup") {
                return plain(items);
            }
            if let Some(pairs) = fields.get("#map") {
                let entries = pairs.as_array().unwrap().iter().map(|pair| {
                    let key = match plain(&pair[0]) {
                        Value::String(k) => k,
                        other => other.to_string(),
                    };
                    (key, plain(&pair[1]))
                });
                return Value::Object(entries.collect());
            }
            if let (Some(Value::String(tag)), Some(value), 2) =
                (fields.get("tag"), fields.get("value"), fields.len())
            {
                return match tag.as_str() {
                    "None" => Value::Null,
                    "Some" => plain(value),
                    _ if *value == serde_json::json!({"#tup": []}) => Value::String(tag.clone()),
                    _ => {
                        let mut m = Map::new();
                        m.insert(tag.clone(), plain(value));
                        Value::Object(m)
                    }
                };
            }
            Value::Object(fields.iter().map(|(k, v)| (k.clone(), plain(v))).collect())
        }
        other => other.clone(),
    }
}

#[test]
fn itf_documents_follow_the_spec_and_carry_the_json_traces() {
    let (code, out, _) = run(&with(TWO_SPLIT, &["--format", "itf"]));
    assert_eq!(code, 1, "{out}");
    let docs = documents(&out);
    let violated = violated_in_json(TWO_SPLIT);
    assert!(!violated.is_empty());
    assert_eq!(docs.len(), violated.len(), "{out}");
    assert!(!has_null(&Value::Array(docs.clone())), "{out}");
    let mut states_seen = 0;
    for (doc, result) in docs.iter().zip(&violated) {
        let top: BTreeSet<&str> = doc
            .as_object()
            .expect("a document is an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(top, BTreeSet::from(["#meta", "vars", "states"]));
        let meta = &doc["#meta"];
        assert_eq!(meta["format"], "ITF");
        assert_eq!(
            meta["format-description"],
            "https://apalache-mc.org/docs/adr/015adr-trace.html"
        );
        assert_eq!(meta["property"], result["property"]);
        assert_eq!(meta["verdict"], "violated");
        let why = result["why"].as_str().expect("a violation says why");
        assert!(
            meta["description"].as_str().unwrap().contains(why),
            "{meta}"
        );
        let vars: Vec<&str> = doc["vars"]
            .as_array()
            .expect("vars is a list")
            .iter()
            .map(|v| v.as_str().expect("vars are strings"))
            .collect();
        let states = doc["states"].as_array().expect("states is a list");
        let trace = result["trace"].as_array().expect("trace");
        assert_eq!(states.len(), trace.len(), "{}", result["property"]);
        if !states.is_empty() {
            let expected: BTreeSet<&str> = trace[0]["state"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .chain(["action"])
                .collect();
            assert_eq!(vars.iter().copied().collect::<BTreeSet<_>>(), expected);
        }
        for (i, (state, step)) in states.iter().zip(trace).enumerate() {
            let fields = state.as_object().expect("a state is an object");
            assert_eq!(state["#meta"]["index"], i, "{state}");
            let keys: BTreeSet<&str> = fields
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "#meta")
                .collect();
            assert_eq!(keys, vars.iter().copied().collect::<BTreeSet<_>>());
            let mut values = fields.clone();
            values.remove("#meta");
            let action = values.remove("action").expect("action");
            assert_eq!(
                action,
                if i == 0 {
                    "init"
                } else {
                    step["action"].as_str().unwrap()
                }
            );
            check_itf_value(&Value::Object(values.clone()), "state");
            assert_eq!(plain(&Value::Object(values)), step["state"], "state {i}");
            states_seen += 1;
        }
    }
    assert!(states_seen >= 2, "{out}");
}

#[test]
fn a_possibility_with_no_witness_is_a_document_without_states() {
    let (_, out, _) = run(&with(TWO_SPLIT, &["--format", "itf"]));
    let docs = documents(&out);
    let doc = docs
        .iter()
        .find(|d| d["#meta"]["property"] == "failover-possible")
        .expect("failover-possible is violated on two split masters");
    assert_eq!(doc["#meta"]["kind"], "possibility");
    assert_eq!(doc["states"], serde_json::json!([]));
    assert_eq!(doc["vars"], serde_json::json!([]));
    assert!(
        doc["#meta"]["why"]
            .as_str()
            .unwrap()
            .contains("no reachable state satisfies it"),
        "{doc}"
    );
}

#[test]
fn nothing_violated_prints_no_trace() {
    for format in ["itf", "mermaid"] {
        let (code, out, err) = kcheck(&[
            "verify",
            "--masters",
            "3",
            "--crash",
            "1",
            "-q",
            "--format",
            format,
        ]);
        assert_eq!(code, 0, "{format}: {err}");
        assert_eq!(out, "", "{format}");
        assert!(err.contains("no property is violated"), "{format}: {err}");
    }
}

/// A parsed Mermaid sequence diagram: its participants, arrows and notes.
#[derive(Debug, Default)]
struct Diagram {
    title: String,
    participants: Vec<String>,
    /// (from, to, text, reply)
    arrows: Vec<(String, String, String, bool)>,
    /// (over, text)
    notes: Vec<(Vec<String>, String)>,
}

/// Text as Mermaid reads it: no raw `;` or `#` outside entity codes such as `#59;`.
fn check_text(text: &str, line: &str) {
    assert!(!text.trim().is_empty(), "empty text in {line}");
    let mut rest = text;
    while let Some(at) = rest.find(['#', ';']) {
        assert!(rest[at..].starts_with('#'), "bare ; in {line}");
        let code = &rest[at + 1..];
        let end = code.find(';').unwrap_or_else(|| panic!("bare # in {line}"));
        assert!(
            end > 0 && code[..end].bytes().all(|b| b.is_ascii_alphanumeric()),
            "bad entity code in {line}"
        );
        rest = &code[end + 1..];
    }
}

fn diagrams(out: &str) -> Vec<Diagram> {
    let mut all: Vec<Diagram> = Vec::new();
    for line in out.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with("%%") {
            continue;
        }
        if l == "sequenceDiagram" {
            all.push(Diagram::default());
            continue;
        }
        let d = all
            .last_mut()
            .expect("a diagram starts with sequenceDiagram");
        if let Some(title) = l.strip_prefix("title ") {
            check_text(title, line);
            d.title = title.to_string();
        } else if let Some(who) = l.strip_prefix("participant ") {
            assert!(who.bytes().all(|b| b.is_ascii_alphanumeric()), "{line}");
            d.participants.push(who.to_string());
        } else if let Some(rest) = l.strip_prefix("Note over ") {
            let (over, text) = rest.split_once(": ").expect("Note over X: text");
            check_text(text, line);
            let over: Vec<String> = over.split(',').map(str::to_string).collect();
            for who in &over {
                assert!(d.participants.contains(who), "undeclared {who} in {line}");
            }
            d.notes.push((over, text.to_string()));
        } else {
            let (ends, text) = l.split_once(": ").expect("an arrow: A->>B: text");
            check_text(text, line);
            let (from, to, reply) = if let Some((a, b)) = ends.split_once("-->>") {
                (a, b, true)
            } else if let Some((a, b)) = ends.split_once("->>") {
                (a, b, false)
            } else {
                panic!("not a sequence diagram statement: {line}");
            };
            for who in [from, to] {
                assert!(
                    d.participants.iter().any(|p| p == who),
                    "undeclared {who} in {line}"
                );
            }
            d.arrows
                .push((from.to_string(), to.to_string(), text.to_string(), reply));
        }
    }
    all
}

#[test]
fn mermaid_two_masters_split_names_the_partition() {
    let (code, out, _) = run(&with(TWO_SPLIT, &["--format", "mermaid"]));
    assert_eq!(code, 1, "{out}");
    let ds = diagrams(&out);
    let violated = violated_in_json(TWO_SPLIT);
    assert_eq!(ds.len(), violated.len(), "{out}");
    for (d, result) in ds.iter().zip(&violated) {
        let property = result["property"].as_str().unwrap();
        assert!(
            d.title.starts_with(&format!("{property} is VIOLATED")),
            "{d:?}"
        );
        assert_eq!(d.participants, ["m1", "m2"], "{out}");
        assert!(
            d.notes.last().is_some_and(|(_, t)| t.starts_with("why: ")),
            "{d:?}"
        );
    }
    let write = &ds[violated
        .iter()
        .position(|r| r["property"] == "write-availability")
        .expect("write-availability is violated")];
    assert!(
        write
            .notes
            .iter()
            .any(|(over, t)| over == &["m1", "m2"] && t == "network splits {m1} | {m2}"),
        "{write:?}"
    );
}

#[test]
fn mermaid_draws_votes_appends_and_client_writes_as_arrows() {
    let args = [
        "verify",
        "--masters",
        "4",
        "--quorum",
        "2",
        "--partition",
        "--property",
        "no-split-brain",
        "-q",
    ];
    let (code, out, _) = run(&with(&args, &["--format", "mermaid"]));
    assert_eq!(code, 1, "{out}");
    let ds = diagrams(&out);
    assert_eq!(ds.len(), 1, "{out}");
    let d = &ds[0];
    assert_eq!(d.participants, ["Client", "m1", "m2", "m3", "m4"], "{out}");
    let has = |reply: bool, starts: &str| {
        d.arrows
            .iter()
            .any(|(_, _, t, r)| *r == reply && t.starts_with(starts))
    };
    assert!(has(false, "write w1"), "{out}");
    assert!(has(false, "RequestVote term 2"), "{out}");
    assert!(has(true, "vote granted"), "{out}");
    assert!(has(false, "AppendEntries term"), "{out}");
    assert!(has(true, "appended, match index"), "{out}");
    assert!(has(true, "w1 committed"), "{out}");
    // Every response goes back to whoever sent the request just before it.
    for pair in d.arrows.windows(2) {
        let ((a, b, _, false), (c, e, _, true)) = (&pair[0], &pair[1]) else {
            continue;
        };
        assert_eq!((a, b), (e, c), "{out}");
    }
}

#[test]
fn mermaid_crash_is_a_note() {
    let (code, out, _) = kcheck(&[
        "verify",
        "--masters",
        "2",
        "--crash",
        "1",
        "-q",
        "--format",
        "mermaid",
    ]);
    assert_eq!(code, 1, "{out}");
    let ds = diagrams(&out);
    assert!(!ds.is_empty());
    assert!(
        ds.iter().any(|d| d
            .notes
            .iter()
            .any(|(over, t)| over.len() == 1 && t.starts_with("crashes"))),
        "{out}"
    );
}

/// A fresh directory path under the system's temp dir (not created).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kcheck-formats-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn files_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("the output directory exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn output_writes_one_file_per_violated_property() {
    let violated: Vec<String> = violated_in_json(TWO_SPLIT)
        .iter()
        .map(|r| r["property"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(violated.len(), 4, "{violated:?}");
    for (format, ext) in [
        ("text", "txt"),
        ("json", "json"),
        ("itf", "itf.json"),
        ("mermaid", "mmd"),
    ] {
        let root = scratch(format);
        // A directory that does not exist yet, two levels deep.
        let dir = root.join("traces").join(format);
        let dir_arg = dir.to_string_lossy().into_owned();
        let (code, stdout, err) = run(&with(
            TWO_SPLIT,
            &["--format", format, "--output", &dir_arg],
        ));
        assert_eq!(code, 1, "{format}: {err}");
        let expected: BTreeSet<String> = violated.iter().map(|p| format!("{p}.{ext}")).collect();
        assert_eq!(files_in(&dir), expected, "{format}");
        for name in &expected {
            assert!(
                err.contains(&format!("wrote {}", dir.join(name).display())),
                "{format}: {err}"
            );
        }
        for p in &violated {
            let text = std::fs::read_to_string(dir.join(format!("{p}.{ext}"))).unwrap();
            match format {
                "text" => {
                    assert!(text.contains(&format!("{p} is VIOLATED")), "{text}");
                    assert!(!text.contains("HOLDS"), "{text}");
                }
                "json" => {
                    let doc: Value = serde_json::from_str(&text).unwrap();
                    assert_eq!(doc["results"].as_array().unwrap().len(), 1);
                    assert_eq!(doc["results"][0]["property"], p.as_str());
                    assert_eq!(doc["results"][0]["verdict"], "violated");
                }
                "itf" => {
                    let doc: Value = serde_json::from_str(&text).unwrap();
                    assert_eq!(doc["#meta"]["property"], p.as_str());
                    // The file is the same document stdout printed.
                    assert!(documents(&stdout).contains(&doc), "{p}");
                }
                _ => {
                    let ds = diagrams(&text);
                    assert_eq!(ds.len(), 1, "{text}");
                    assert!(ds[0].title.starts_with(&format!("{p} is VIOLATED")));
                }
            }
        }
        std::fs::remove_dir_all(&root).unwrap();
    }
}

#[test]
fn output_without_violations_writes_nothing() {
    let root = scratch("none");
    let dir = root.to_string_lossy().into_owned();
    let (code, _, err) = kcheck(&[
        "verify",
        "--masters",
        "3",
        "--crash",
        "1",
        "-q",
        "--output",
        &dir,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(files_in(&root).is_empty(), "{err}");
    assert!(!err.contains("wrote"), "{err}");
    std::fs::remove_dir_all(&root).unwrap();
}

/// Renders every diagram with the Mermaid CLI. Needs `mmdc` (npm `@mermaid-js/mermaid-cli`) and
/// a browser, so it runs only on request: set `KCHECK_MMDC` to the command, e.g.
/// `KCHECK_MMDC="mmdc -p puppeteer.json" cargo test --release -- --ignored mermaid_cli`.
#[test]
#[ignore = "needs the Mermaid CLI: set KCHECK_MMDC"]
fn mermaid_cli_renders_every_diagram() {
    let mmdc = std::env::var("KCHECK_MMDC").expect("KCHECK_MMDC names the mmdc command");
    let root = scratch("mmdc");
    let dir = root.to_string_lossy().into_owned();
    let (code, _, err) = kcheck(&[
        "verify",
        "--masters",
        "4",
        "--quorum",
        "2",
        "--partition",
        "-q",
        "--format",
        "mermaid",
        "--output",
        &dir,
    ]);
    assert_eq!(code, 1, "{err}");
    let files = files_in(&root);
    assert!(!files.is_empty());
    for name in files {
        let input = root.join(&name);
        let output = input.with_extension("svg");
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "{mmdc} -i '{}' -o '{}'",
                input.display(),
                output.display()
            ))
            .status()
            .expect("runs mmdc");
        assert!(status.success(), "mmdc failed on {name}");
        let svg = std::fs::read_to_string(&output).expect("an SVG");
        assert!(svg.contains("<svg") && svg.contains("m1"), "{name}");
    }
    std::fs::remove_dir_all(&root).unwrap();
}
