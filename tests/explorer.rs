//! `kcheck explore`: the page says what `verify` says (same verdicts, bounds, counts and
//! traces), each state is marked from kcheck's own results (checked here against an
//! independent search), paths that lead nowhere get a message, the page is served before the
//! check ends, and the page itself works in a real headless Chromium.

mod common;

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kcheck::check::{verify, Options};
use kcheck::engine::Limits;
use kcheck::explore::Explorer;
use kcheck::property::{Goal, Kind};
use kcheck::report::{self, Format};
use kcheck::scenario::{Scenario, Valid};
use kcheck::systems::raft::{Raft, RaftState};
use kcheck::systems::System;
use serde_json::Value;
use stateright::Model;

fn scenario(masters: u32, crash: Option<u32>, partition: bool) -> Scenario {
    Scenario {
        masters,
        crash,
        partition,
        ..Scenario::default()
    }
}

const LIMITS: Limits = Limits {
    max_states: 1_000_000,
    timeout: None,
};

/// The explorer of a scenario, with its check done.
fn checked(s: &Scenario, limits: Limits) -> Explorer<Raft> {
    let valid = s.raft().expect("valid scenario");
    let e = Explorer::new(Raft::new(&valid), &Valid::Raft(valid.clone()), None);
    e.check(limits, false);
    e
}

/// `verify --format json` of the same scenario, as a value.
fn verify_json(s: &Scenario, max_states: usize) -> Value {
    let options = Options {
        properties: Vec::new(),
        max_states,
        timeout: None,
        progress: false,
    };
    let report = verify(s, &options).expect("valid");
    serde_json::from_str(&report::render(&report, Format::Json)).expect("JSON")
}

/// What may differ between two runs of the same check: its times and its peak memory.
fn timeless(mut v: Value) -> Value {
    if let Some(stats) = v.get_mut("stats").and_then(Value::as_object_mut) {
        stats.retain(|k, _| !k.contains("seconds") && k != "peak_memory_bytes");
    }
    v
}

#[test]
fn the_page_reports_what_verify_reports() {
    for (s, max_states) in [
        (scenario(2, None, true), 1_000_000),
        (scenario(3, Some(1), false), 1_000_000),
        (
            Scenario {
                quorum: Some(1),
                ..scenario(3, None, true)
            },
            1_000_000,
        ),
        // A cut search: INCOMPLETE on the page as in verify, never HOLDS.
        (
            Scenario {
                quorum: Some(1),
                ..scenario(3, None, true)
            },
            3,
        ),
    ] {
        let e = checked(
            &s,
            Limits {
                max_states,
                timeout: None,
            },
        );
        let status = e.status();
        assert_eq!(status["done"], true);
        let page = timeless(status["decided"]["report"].clone());
        let verify = timeless(verify_json(&s, max_states));
        assert_eq!(page, verify, "{s:?}");
        if max_states == 3 {
            let verdicts: Vec<&Value> = page["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| &r["verdict"])
                .collect();
            assert!(verdicts.iter().all(|v| *v == "incomplete"), "{verdicts:?}");
        }
    }
}

#[test]
fn traces_on_the_page_are_verifys_shortest_traces() {
    let s = Scenario {
        quorum: Some(1),
        ..scenario(3, None, true)
    };
    let e = checked(&s, LIMITS);
    let status = e.status();
    let paths = &status["decided"]["paths"];
    let report = &status["decided"]["report"]["results"];
    for r in report.as_array().unwrap() {
        let name = r["property"].as_str().unwrap();
        let trace: Vec<&str> = r["trace"]
            .as_array()
            .unwrap()
            .iter()
            .skip(1)
            .map(|t| t["action"].as_str().unwrap())
            .collect();
        match paths.get(name).and_then(Value::as_str) {
            Some(path) => assert_eq!(follow(&e, path), trace, "{name}"),
            None => assert!(trace.is_empty(), "{name} has a trace but no path"),
        }
    }
    // The split-brain counterexample ends in a state marked as violating it, and no earlier
    // state on it is.
    let path = paths["no-split-brain"].as_str().expect("violated");
    let parts: Vec<usize> = path.split('/').map(|p| p.parse().unwrap()).collect();
    for k in 1..=parts.len() {
        let here = parts[..k]
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/");
        let state = e.follow(&parts[..k]).expect("a path of the model");
        let marks = e.marks(&state, &here);
        let violates = marks
            .iter()
            .any(|m| m.property == "no-split-brain" && m.mark == "violates");
        assert_eq!(violates, k == parts.len(), "{here}: {marks:?}");
        assert!(
            marks
                .iter()
                .any(|m| m.property == "no-split-brain" && m.mark == "on-trace"),
            "{here}: {marks:?}"
        );
    }
}

/// The actions an explorer path takes, in words.
fn follow(e: &Explorer<Raft>, path: &str) -> Vec<String> {
    let parts: Vec<usize> = path.split('/').map(|p| p.parse().unwrap()).collect();
    let mut taken = Vec::new();
    for k in 2..=parts.len() {
        let before = e.follow(&parts[..k - 1]).expect("a path");
        let mut actions = Vec::new();
        e.model.actions(&before, &mut actions);
        taken.push(e.model.describe(&actions[parts[k - 1]]));
    }
    taken
}

/// Every concrete state reachable in `model` (no symmetry, no bounds beyond the model's own).
fn reachable<M: Model<State = RaftState>>(model: &M, from: Vec<RaftState>) -> Vec<RaftState> {
    let mut seen: HashSet<RaftState> = from.iter().cloned().collect();
    let mut order = from.clone();
    let mut queue: VecDeque<RaftState> = from.into();
    while let Some(s) = queue.pop_front() {
        let mut actions = Vec::new();
        model.actions(&s, &mut actions);
        for a in actions {
            if let Some(t) = model.next_state(&s, a) {
                if seen.insert(t.clone()) {
                    order.push(t.clone());
                    queue.push_back(t);
                }
            }
        }
    }
    order
}

/// For each state of `model` reachable from `starts`, whether `model.extended()` can reach the
/// property's goal from it: a plain forward search and a backward fixpoint, sharing nothing
/// with kcheck's engine (no dead sets, no lemmas, no symmetry).
fn recoverable(model: &Raft, goal: &Goal<Raft>, starts: &[RaftState]) -> HashMap<RaftState, bool> {
    let wide = model.extended();
    let states = reachable(&wide, starts.to_vec());
    let index: HashMap<&RaftState, usize> =
        states.iter().enumerate().map(|(i, s)| (s, i)).collect();
    let mut preds = vec![Vec::new(); states.len()];
    let mut good = vec![false; states.len()];
    for (i, s) in states.iter().enumerate() {
        let mut actions = Vec::new();
        wide.actions(s, &mut actions);
        for a in actions {
            if let Some(t) = wide.next_state(s, a) {
                preds[index[&t]].push(i);
                if let Goal::Step { step, .. } = goal {
                    good[i] |= step(&wide, s, &t);
                }
            }
        }
        if let Goal::State(f) = goal {
            good[i] |= f(&wide, s);
        }
    }
    let mut queue: Vec<usize> = (0..states.len()).filter(|&i| good[i]).collect();
    while let Some(t) = queue.pop() {
        for &p in &preds[t] {
            if !good[p] {
                good[p] = true;
                queue.push(p);
            }
        }
    }
    starts.iter().map(|s| (s.clone(), good[index[s]])).collect()
}

#[test]
fn dead_marks_agree_with_an_independent_search() {
    for s in [
        scenario(2, None, true),
        scenario(2, Some(1), false),
        scenario(3, Some(1), false),
        Scenario {
            heal: true,
            ..scenario(2, None, true)
        },
        // The two recoverability properties have different dead regions here (87 and 88
        // states), so a mark of one cannot pass for the other.
        Scenario {
            quorum: Some(3),
            ..scenario(3, Some(1), false)
        },
    ] {
        let e = checked(&s, LIMITS);
        let states = reachable(&e.model, e.model.init_states());
        let mut dead_seen = 0;
        for p in Raft::catalogue() {
            let Kind::Recoverability { goal, .. } = &p.kind else {
                continue;
            };
            let truth = recoverable(&e.model, goal, &states);
            for state in &states {
                let marked = e
                    .marks(state, "")
                    .iter()
                    .any(|m| m.property == p.name && m.mark == "dead");
                assert_eq!(marked, !truth[state], "{} in {s:?}: {state:?}", p.name);
                dead_seen += usize::from(marked);
            }
            let verdict = e.status()["decided"]["report"]["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["property"] == p.name)
                .map(|r| r["verdict"].clone())
                .unwrap();
            let expected = if truth.values().all(|&ok| ok) {
                "holds"
            } else {
                "violated"
            };
            assert_eq!(verdict, expected, "{} in {s:?}", p.name);
        }
        if s.partition && !s.heal {
            assert!(dead_seen > 0, "a split of two masters has dead states");
        }
    }
}

#[test]
fn paths_that_lead_nowhere_are_refused_with_a_reason() {
    let e = checked(&scenario(2, None, true), LIMITS);
    assert!(e.follow(&[0]).is_ok());
    for bad in [&[1][..], &[0, 99], &[0, 99, 99], &[]] {
        let why = e.follow(bad).expect_err("no such state");
        assert!(!why.is_empty(), "{bad:?}");
    }
    // An action the model ignores is no step: from a state with nothing to replicate, the
    // leader's replication to m2 is not offered.
    let init = e.follow(&[0]).unwrap();
    let mut actions = Vec::new();
    e.model.actions(&init, &mut actions);
    let idle = actions
        .iter()
        .position(|a| e.model.next_state(&init, *a).is_none())
        .expect("the initial state has an action that changes nothing");
    assert!(e.follow(&[0, idle]).is_err());
}

fn kcheck(args: &[&str]) -> (i32, String) {
    let (code, _, err) = common::kcheck(args);
    (code, err)
}

#[test]
fn bad_addresses_and_busy_ports_are_one_line_errors() {
    let busy = TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = busy.local_addr().expect("address").port().to_string();
    let (code, err) = kcheck(&["explore", "--masters", "2", "--bind", &port]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("address already in use"), "{err}");

    for bind in [
        "nowhere",
        "127.0.0.1:99999",
        "300.1.1.1:80",
        "notahost.invalid:1234",
    ] {
        let (code, err) = kcheck(&["explore", "--bind", bind]);
        assert_eq!(code, 2, "{bind}: {err}");
        assert_eq!(err.lines().count(), 1, "{bind}: {err}");
        assert!(err.starts_with("kcheck: "), "{bind}: {err}");
    }
    let (_, err) = kcheck(&["explore", "--bind", "notahost.invalid:1234"]);
    assert!(
        err.contains("cannot resolve host `notahost.invalid`"),
        "{err}"
    );
    let (code, err) = kcheck(&["explore", "--masters", "0"]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
    let (code, err) = kcheck(&["explore", "--max-states", "0"]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
}

/// The explorer process, stopped when the test ends however it ends.
struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `kcheck explore` with `args` on a free port; returns once it says where it serves.
fn serve(args: &[&str]) -> Served {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kcheck"))
        .arg("explore")
        .args(args)
        .args(["--quiet", "--bind", &format!("127.0.0.1:{port}")])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("kcheck explore starts");
    let stderr = child.stderr.take().expect("stderr");
    let url = format!("http://127.0.0.1:{port}/");
    let served = Served { child, url };
    let mut banner = String::new();
    BufReader::new(stderr)
        .read_line(&mut banner)
        .expect("a line");
    assert!(banner.contains(&served.url), "{banner}");
    served
}

/// A GET on the explorer: status and body.
fn get(served: &Served, path: &str) -> (u16, String) {
    let addr = served
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(addr).expect("connects");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").expect("sends");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answers");
    let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, body.to_string())
}

/// A check that takes minutes (22.5 M states).
const LONG_CHECK: [&str; 7] = [
    "--masters",
    "5",
    "--partition",
    "--heal",
    "--pre-vote",
    "--max-term",
    "3",
];

#[test]
fn the_page_is_served_before_a_long_check_ends() {
    // Minutes of checking: the page answers at once, with the check's progress.
    let served = serve(&LONG_CHECK);
    let start = Instant::now();
    let (code, body) = get(&served, "/.kcheck");
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(code, 200, "{body}");
    let status: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(status["done"], false, "{status}");
    // Every property that says something about the scenario (it has no client reads).
    let model = Raft::new(
        &Scenario {
            heal: true,
            pre_vote: true,
            ..scenario(5, None, true)
        }
        .raft()
        .unwrap(),
    );
    assert_eq!(
        status["properties"].as_array().unwrap().len(),
        Raft::catalogue()
            .iter()
            .filter(|p| model.vacuous(p.name).is_none())
            .count()
    );
    // Progress shows within a couple of seconds; the model can be stepped meanwhile.
    let mut progress = Value::Null;
    while progress.is_null() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(200));
        let (_, body) = get(&served, "/.kcheck");
        progress = serde_json::from_str::<Value>(&body).unwrap()["progress"].clone();
    }
    assert!(progress["states"].as_u64().unwrap() > 0, "{progress}");
    let (code, body) = get(&served, "/.states/0");
    assert_eq!(code, 200, "{body}");
    // Only actions that change the state are offered, each with its state and marks.
    let steps: Value = serde_json::from_str(&body).expect("JSON");
    let model = Raft::new(
        &Scenario {
            heal: true,
            pre_vote: true,
            ..scenario(5, None, true)
        }
        .raft()
        .unwrap(),
    );
    let init = &model.init_states()[0];
    let mut actions = Vec::new();
    model.actions(init, &mut actions);
    let changing = actions
        .into_iter()
        .filter(|a| model.next_state(init, *a).is_some())
        .count();
    assert!(changing > 0);
    assert_eq!(steps.as_array().unwrap().len(), changing, "{steps}");
    for step in steps.as_array().unwrap() {
        assert!(
            step["state"].is_string() && step["marks"].is_array(),
            "{step}"
        );
    }
    // stateright's own status and checker are not offered: the page has one source.
    assert_eq!(get(&served, "/.status").0, 404);
    assert_eq!(get(&served, "/.runtocompletion").0, 404);
    let (code, body) = get(&served, "/.states/0/99/99");
    assert_eq!(code, 404);
    assert!(body.contains("no state at path 0/99/99"), "{body}");
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "the browser test needs Chromium at {} (run the tests with `bash tests/run`, which \
         installs it), or CHROMIUM=/path/to/chromium",
        path.display()
    );
    path
}

/// playwright-core, from tests/e2e/package-lock.json (installed here if missing).
fn driver(dir: &Path) {
    if dir.join("node_modules/playwright-core").exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .expect("npm runs (the browser test needs Node.js)");
    assert!(status.success(), "npm ci in {}", dir.display());
}

/// What headless Chromium sees on the page for each route (see tests/e2e/explorer.mjs).
fn browse(served: &Served, wait: &str, routes: &[&str], artifacts: &str) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let e2e = root.join("tests/e2e");
    let browser = chromium();
    driver(&e2e);
    let out = root.join("artifacts").join(artifacts);
    std::fs::create_dir_all(&out).expect("artifacts/");
    let mut node = Command::new("node")
        .arg(e2e.join("explorer.mjs"))
        .arg(&served.url)
        .arg(&out)
        .arg(wait)
        .args(routes)
        .env("CHROMIUM", &browser)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let start = Instant::now();
    while node.try_wait().expect("waits").is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            let _ = node.kill();
            panic!("the browser did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = node.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(page["errors"], Value::Array(Vec::new()), "script errors");
    page
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn browser_shows_kchecks_verdicts_marks_and_traces() {
    let s = scenario(2, None, true);
    let verify = verify_json(&s, 20_000_000);
    let e = checked(&s, LIMITS);
    let status = e.status();
    let wa_path = status["decided"]["paths"]["write-availability"]
        .as_str()
        .unwrap()
        .to_string();
    // A write reaches the leader, then the network splits: off the counterexample's path, and
    // dead all the same.
    let init = e.follow(&[0]).unwrap();
    let mut actions = Vec::new();
    e.model.actions(&init, &mut actions);
    let index_of = |state: &RaftState, text: &str| {
        let mut actions = Vec::new();
        e.model.actions(state, &mut actions);
        actions
            .iter()
            .position(|a| e.model.describe(a).starts_with(text))
            .unwrap_or_else(|| panic!("no action `{text}`"))
    };
    let write = index_of(&init, "a client write reaches");
    let after_write = e.follow(&[0, write]).unwrap();
    let split = index_of(&after_write, "the network splits");
    let off_path = format!("0/{write}/{split}");
    assert!(!wa_path.starts_with(&off_path));

    let served = serve(&["--masters", "2", "--partition"]);
    let page = browse(
        &served,
        "--wait-done",
        &["-", &wa_path, &off_path, "0/99/99"],
        "explorer",
    );
    let shots = page["shots"].as_array().unwrap();
    let (first, trace, off, bad) = (&shots[0], &shots[1], &shots[2], &shots[3]);

    // kcheck's words, not stateright's.
    assert!(first["title"]
        .as_str()
        .unwrap()
        .starts_with("kcheck explore"));
    assert!(first["heading"].as_str().unwrap().contains("kcheck docs"));
    let body = first["body"].as_str().unwrap();
    for foreign in ["Stateright", "Safety holds", "Always", "Init 0", "ignored"] {
        assert!(!body.contains(foreign), "`{foreign}` on the page");
    }
    assert_eq!(first["hash"], "#/steps/0");
    assert_eq!(strings(&first["path"]), ["initial state"]);
    for mark in ["violates", "dead", "example", "on trace"] {
        assert!(first["legend"].as_str().unwrap().contains(mark), "{mark}");
    }
    // The same verdicts, kinds, counts and bounds as verify.
    let rows = first["properties"].as_array().unwrap();
    let results = verify["results"].as_array().unwrap();
    assert_eq!(rows.len(), results.len());
    for (row, r) in rows.iter().zip(results) {
        assert_eq!(row["property"], r["property"]);
        let cells = strings(&row["cells"]);
        assert_eq!(cells[0], r["verdict"].as_str().unwrap().to_uppercase());
        assert_eq!(cells[2], r["kind"].as_str().unwrap());
        if let Some(why) = r["why"].as_str() {
            assert!(cells[3].contains(why), "{cells:?}");
        }
        // A violated recoverability property says what its verdict rests on.
        match r["basis"].as_str() {
            Some("proof") => assert!(cells[3].contains("proved for every budget"), "{cells:?}"),
            Some(_) => assert!(cells[3].contains("within the extended budget"), "{cells:?}"),
            None => {}
        }
    }
    assert!(
        results.iter().any(|r| r["basis"] == "proof"),
        "two split masters: write-availability is proved stuck"
    );
    let status_text = first["status"].as_str().unwrap();
    let stats = &verify["stats"];
    assert!(
        status_text.contains(&format!(
            "explored: {} states, {} transitions, depth {}",
            stats["states"], stats["transitions"], stats["depth"]
        )),
        "{status_text}"
    );
    assert!(status_text.contains(verify["bounds"].as_str().unwrap()));
    assert!(
        status_text.contains("renaming of the members"),
        "{status_text}"
    );

    // The counterexample, followed: verify's trace, marked as such, dead at its end.
    let verify_trace: Vec<&str> = results
        .iter()
        .find(|r| r["property"] == "write-availability")
        .unwrap()["trace"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(strings(&trace["path"]), verify_trace);
    let marks = strings(&trace["marks"]);
    assert!(marks.contains(&"dead write-availability"), "{marks:?}");
    assert!(marks.contains(&"on trace write-availability"), "{marks:?}");
    let state = trace["state"].as_str().unwrap();
    assert!(state.contains("network split {m1} | {m2}"), "{state}");
    let picture = trace["picture"].as_str().unwrap();
    for text in ["m1 leader", "m2 follower", "side 1", "side 2"] {
        assert!(picture.contains(text), "{text} in {picture}");
    }
    for step in trace["next"].as_array().unwrap() {
        let marks = strings(&step["marks"]);
        assert!(marks.contains(&"dead write-availability"), "{step}");
    }

    // Off the counterexample's path: dead all the same, and not on its trace.
    let marks = strings(&off["marks"]);
    assert!(marks.contains(&"dead write-availability"), "{marks:?}");
    assert!(!marks.contains(&"on trace write-availability"), "{marks:?}");
    // ...while the state before the split is not dead.
    let before: Vec<&str> = strings(&shots[0]["next"][write]["marks"]);
    assert!(!before.contains(&"dead write-availability"), "{before:?}");

    // A path that leads nowhere: a message, not a blank page.
    let error = bad["error"].as_str().unwrap();
    assert!(error.contains("no state at path 0/99"), "{error}");
    assert!(bad["path"].as_array().unwrap().is_empty());
    drop(served);

    // A cut search: INCOMPLETE everywhere, never HOLDS.
    let served = serve(&[
        "--masters",
        "3",
        "--quorum",
        "1",
        "--partition",
        "--max-states",
        "3",
    ]);
    let page = browse(&served, "--wait-done", &["-"], "explorer-cut");
    let shot = &page["shots"][0];
    for row in shot["properties"].as_array().unwrap() {
        assert_eq!(row["cells"][0], "INCOMPLETE", "{row}");
    }
    assert!(shot["status"].as_str().unwrap().contains("INCOMPLETE"));
    drop(served);

    // A long check: the page shows its progress at once.
    let served = serve(&LONG_CHECK);
    let page = browse(&served, "--no-wait", &["-"], "explorer-progress");
    let shot = &page["shots"][0];
    assert!(
        shot["status"].as_str().unwrap().contains("checking"),
        "{shot}"
    );
    for row in shot["properties"].as_array().unwrap() {
        assert_eq!(row["cells"][0], "CHECKING", "{row}");
    }
}

/// The explorer serves the load-balancer model: its verdicts and measures as verify gives them,
/// and the browser follows a counterexample (a request to a hung server) to the state that
/// violates the invariant.
#[test]
fn browser_follows_a_load_balancer_counterexample() {
    // A small scenario (38 states): the page stays light on a machine busy with other tests.
    let scenario = "models/lb-hung-tcp-check.toml";
    let (_, out, _) = common::kcheck(&["verify", scenario, "--format", "json"]);
    let verify: Value = serde_json::from_str(&out).expect("json");
    let served = serve(&[scenario]);
    let opened = browse(&served, "--wait-done", &["-"], "explorer-lb");
    let (_, status) = get(&served, "/.kcheck");
    let status: Value = serde_json::from_str(&status).expect("status json");
    let path = status["decided"]["paths"]["no-failed-requests"]
        .as_str()
        .expect("a counterexample path")
        .to_string();
    let page = browse(&served, "--wait-done", &[&path], "explorer-lb-trace");
    let (first, trace) = (&opened["shots"][0], &page["shots"][0]);
    let results = verify["results"].as_array().expect("results");
    let rows = first["properties"].as_array().expect("rows");
    assert_eq!(rows.len(), results.len());
    for (row, r) in rows.iter().zip(results) {
        assert_eq!(row["property"], r["property"]);
        let cells = strings(&row["cells"]);
        assert_eq!(cells[0], r["verdict"].as_str().unwrap().to_uppercase());
        if r["kind"] == "measure" {
            let amount = |a: &Value| match a.as_u64() {
                Some(n) => format!("{n} {}", r["unit"].as_str().unwrap()),
                None => a.as_str().unwrap().to_string(),
            };
            let words = format!("min {}, max {}", amount(&r["min"]), amount(&r["max"]));
            assert!(cells[3].contains(&words), "{words}: {cells:?}");
        }
    }
    let verify_trace: Vec<&str> = results
        .iter()
        .find(|r| r["property"] == "no-failed-requests")
        .expect("no-failed-requests")["trace"]
        .as_array()
        .expect("a trace")
        .iter()
        .map(|t| t["action"].as_str().unwrap())
        .collect();
    assert_eq!(strings(&trace["path"]), verify_trace);
    let marks = strings(&trace["marks"]);
    assert!(marks.contains(&"violates no-failed-requests"), "{marks:?}");
    assert!(marks.contains(&"on trace no-failed-requests"), "{marks:?}");
    let state = trace["state"].as_str().unwrap();
    assert!(state.contains("accepted, never answered"), "{state}");
}

/// A lasso on the page: the path of its prefix and cycle, every state on it marked on its
/// trace, and the state where the cycle starts marked as such; the path's last state comes
/// back to it.
#[test]
fn a_lasso_is_a_path_with_its_cycle_marked() {
    use kcheck::systems::reconcile::Reconcile;
    let s = Scenario::from_file(Path::new("models/reconcile-drain-blocked.toml")).expect("file");
    let Ok(Valid::Reconcile(rc)) = s.validate() else {
        panic!("a reconcile scenario")
    };
    let e = Explorer::new(Reconcile::new(&rc), &Valid::Reconcile(rc.clone()), None);
    e.check(LIMITS, false);
    let status = e.status();
    let path = status["decided"]["paths"]["drain-completes"]
        .as_str()
        .expect("the lasso has a path");
    let result = status["decided"]["report"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["property"] == "drain-completes")
        .expect("drain-completes")
        .clone();
    let start = result["cycle_start"].as_u64().expect("a lasso") as usize;
    let parts: Vec<usize> = path.split('/').map(|p| p.parse().unwrap()).collect();
    assert_eq!(parts.len(), result["trace"].as_array().unwrap().len());
    let mut cycle_marks = Vec::new();
    for k in 1..=parts.len() {
        let here = parts[..k]
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/");
        let state = e.follow(&parts[..k]).expect("a path of the model");
        let marks = e.marks(&state, &here);
        assert!(
            marks
                .iter()
                .any(|m| m.property == "drain-completes" && m.mark == "on-trace"),
            "{here}: {marks:?}"
        );
        if marks
            .iter()
            .any(|m| m.property == "drain-completes" && m.mark == "cycle")
        {
            cycle_marks.push(k - 1);
        }
    }
    assert_eq!(cycle_marks, [start]);
    let at = |k: usize| e.follow(&parts[..=k]).expect("a path");
    assert!(e.model.same_orbit(&at(start), &at(parts.len() - 1)));
}

#[test]
fn browser_shows_a_lasso_with_its_cycle_marked() {
    let scenario = "models/reconcile-drain-blocked.toml";
    let served = serve(&[scenario]);
    browse(&served, "--wait-done", &["-"], "explorer-lasso");
    let (_, status) = get(&served, "/.kcheck");
    let status: Value = serde_json::from_str(&status).expect("status json");
    let path = status["decided"]["paths"]["drain-completes"]
        .as_str()
        .expect("a lasso path")
        .to_string();
    let start = status["decided"]["report"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["property"] == "drain-completes")
        .expect("drain-completes")["cycle_start"]
        .as_u64()
        .expect("a lasso") as usize;
    let prefix = path
        .split('/')
        .take(start + 1)
        .collect::<Vec<_>>()
        .join("/");
    let page = browse(
        &served,
        "--wait-done",
        &[&prefix, &path],
        "explorer-lasso-cycle",
    );
    let at_start = strings(&page["shots"][0]["marks"]);
    assert!(
        at_start.contains(&"↻ cycle starts drain-completes"),
        "{at_start:?}"
    );
    let at_end = strings(&page["shots"][1]["marks"]);
    assert!(at_end.contains(&"on trace drain-completes"), "{at_end:?}");
    assert!(
        !at_end.contains(&"↻ cycle starts drain-completes"),
        "{at_end:?}"
    );
}
