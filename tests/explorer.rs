//! `kcheck explore`: the explorer's properties agree with kcheck's verdicts, its discoveries are
//! kcheck's shortest traces, bad addresses are one-line errors, and the page itself works in a
//! real headless Chromium.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kcheck::check::{verify, Options};
use kcheck::engine::Limits;
use kcheck::explore::Explorable;
use kcheck::scenario::Scenario;
use kcheck::systems::raft::Raft;
use serde_json::Value;
use stateright::{Checker, Model};

fn scenario(masters: u32, crash: Option<u32>, partition: bool) -> Scenario {
    Scenario {
        masters,
        crash,
        partition,
        ..Scenario::default()
    }
}

fn explorable(s: &Scenario) -> Explorable<Raft> {
    let valid = s.validate().expect("valid scenario");
    let limits = Limits {
        max_states: 1_000_000,
        timeout: None,
    };
    Explorable::new(Raft::new(&valid), limits, false).expect("decided")
}

/// kcheck's verdict and trace (action texts) for one property.
fn verdict(s: &Scenario, property: &str) -> (&'static str, Vec<String>) {
    let options = Options {
        properties: vec![property.to_string()],
        max_states: 1_000_000,
        timeout: None,
        progress: false,
    };
    let report = verify(s, &options).expect("valid");
    let r = &report.results[0];
    (
        r.verdict.label(),
        r.trace.iter().skip(1).map(|s| s.action.clone()).collect(),
    )
}

/// Follows an explorer path (initial state index, then action indices): the actions taken.
fn follow(e: &Explorable<Raft>, path: &str) -> Vec<String> {
    let mut parts = path.split('/').map(|p| p.parse::<usize>().expect("index"));
    let mut state = e.init_states()[parts.next().expect("init index")].clone();
    let mut taken = Vec::new();
    for i in parts {
        let mut actions = Vec::new();
        e.actions(&state, &mut actions);
        let action = actions[i];
        taken.push(e.format_action(&action));
        state = e
            .next_state(&state, action)
            .expect("the step changes the state");
    }
    taken
}

#[test]
fn stateright_finds_what_kcheck_decided_on_every_property() {
    // stateright's own checker runs the wrapped model; each property's conditions come from
    // kcheck (directly, or from its dead-state set), so both must agree on every verdict.
    for s in [
        scenario(2, None, true),
        scenario(3, Some(1), false),
        scenario(2, Some(1), false),
        scenario(4, None, true),
    ] {
        let e = explorable(&s);
        let checker = explorable(&s).checker().spawn_bfs().join();
        for p in e.properties() {
            let (kcheck_says, _) = verdict(&s, p.name);
            let found = checker.discovery(p.name).is_some();
            let stateright_says = match p.expectation {
                stateright::Expectation::Sometimes if found => "holds",
                stateright::Expectation::Sometimes => "violated",
                _ if found => "violated",
                _ => "holds",
            };
            assert_eq!(stateright_says, kcheck_says, "{} in {:?}", p.name, s);
        }
    }
}

#[test]
fn discoveries_are_kchecks_shortest_traces() {
    let s = scenario(2, None, true);
    let e = explorable(&s);
    let path = |name: &str| {
        e.discoveries
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| p.clone())
            .expect("listed")
    };
    let (v, trace) = verdict(&s, "write-availability");
    assert_eq!(v, "violated");
    let discovered = path("write-availability").expect("a counterexample");
    assert_eq!(follow(&e, &discovered), trace);
    assert_eq!(path("no-split-brain"), None, "holds: nothing to show");
    assert_eq!(path("failover-possible"), None, "impossible: no example");

    // A possibility that holds shows its witness.
    let s = scenario(3, Some(1), false);
    let e = explorable(&s);
    let (v, trace) = verdict(&s, "failover-possible");
    assert_eq!(v, "holds");
    let witness = e
        .discoveries
        .iter()
        .find(|(n, _)| *n == "failover-possible")
        .and_then(|(_, p)| p.clone())
        .expect("an example");
    assert_eq!(follow(&e, &witness), trace);
    assert!(!trace.is_empty());
}

#[test]
fn front_replaces_discoveries_and_names_the_model() {
    let body = br#"{"model":"kcheck::explore::Explorable<Raft>","properties":[["Always","write-availability","0/0/0/1/0/0"],["Always","no-split-brain",null],["Always","other","3"]],"next":[{"properties":[["Always","write-availability",null]]}]}"#;
    let d = vec![
        ("write-availability", Some("0/2".to_string())),
        ("no-split-brain", None),
    ];
    let out: Value =
        serde_json::from_slice(&kcheck::explore::with_discoveries(body, &d, "2 masters")).unwrap();
    assert_eq!(out["model"], "2 masters");
    assert_eq!(out["properties"][0][2], "0/2");
    assert_eq!(out["properties"][1][2], Value::Null);
    assert_eq!(out["properties"][2][2], "3", "not decided by kcheck: kept");
    assert_eq!(out["next"][0]["properties"][0][2], "0/2");
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

    for bind in ["nowhere", "127.0.0.1:99999", "300.1.1.1:80"] {
        let (code, err) = kcheck(&["explore", "--bind", bind]);
        assert_eq!(code, 2, "{bind}: {err}");
        assert_eq!(err.lines().count(), 1, "{bind}: {err}");
        assert!(err.starts_with("kcheck: "), "{bind}: {err}");
    }
    let (code, err) = kcheck(&["explore", "--masters", "0"]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
}

/// The explorer process, stopped when the test ends however it ends.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "the browser test needs Chromium at {} (Debian: apt-get install chromium; .ci/run installs \
         it), or CHROMIUM=/path/to/chromium",
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

#[test]
fn browser_follows_the_two_master_counterexample() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let e2e = root.join("tests/e2e");
    let browser = chromium();
    driver(&e2e);
    let artifacts = root.join("artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts/");
    let screenshot = artifacts.join("explorer.png");
    let _ = std::fs::remove_file(&screenshot);

    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kcheck"))
        .args(["explore", "--masters", "2", "--partition", "--quiet"])
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("kcheck explore starts");
    let stderr = child.stderr.take().expect("stderr");
    let served = Served(child);
    // The explorer says where it serves once it is ready.
    let mut banner = String::new();
    BufReader::new(stderr)
        .read_line(&mut banner)
        .expect("a line");
    assert!(
        banner.contains(&format!("http://127.0.0.1:{port}/")),
        "{banner}"
    );

    let url = format!("http://127.0.0.1:{port}/");
    let mut node = Command::new("node")
        .arg(e2e.join("explorer.mjs"))
        .args([url.as_str(), "write-availability"])
        .arg(&screenshot)
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
    drop(served);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");

    // The property list marks the counterexample; following it shows kcheck's trace.
    let (_, trace) = verdict(&scenario(2, None, true), "write-availability");
    assert!(
        page["summary"]
            .as_str()
            .unwrap()
            .contains("Counterexample found"),
        "{page}"
    );
    let path: Vec<&str> = page["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        path[2..],
        trace.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    assert_eq!(path.last(), Some(&"the network splits {m1} | {m2}"));
    let state = page["state"].as_str().unwrap();
    assert!(state.contains("m1 leader term 1"), "{state}");
    assert!(state.contains("m2 follower term 1"), "{state}");
    assert!(state.contains("network split {m1} | {m2}"), "{state}");
    assert_eq!(
        page["model"],
        "2 masters (quorum 2), one network partition, no recovery"
    );
    // The picture: a box per member, one frame per side of the split.
    let picture = page["picture"].as_str().unwrap();
    for text in ["m1 leader", "m2 follower", "side 1", "side 2", "log [t1]"] {
        assert!(picture.contains(text), "{text} in {picture}");
    }
    let png = std::fs::read(&screenshot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
}
