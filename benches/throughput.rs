//! Throughput of kcheck's exploration engine against stateright's own BFS checker, on the same
//! models (Raft, load balancer, cluster). Run with `cargo bench --bench throughput`.
//!
//! Each checker explores the full reachable state space; the best wall time of up to three runs
//! is kept (a single run when one takes longer than [`SLOW`]).

use std::time::{Duration, Instant};

use kcheck::engine::{explore_all, Limits};
use kcheck::scenario::{CheckType, Millis, ModelKind, Valid};
use kcheck::scenario::{NetworkMode, RcScenario, Recovery, Scenario};
use kcheck::systems::cluster::Cluster;
use kcheck::systems::lb::Lb;
use kcheck::systems::raft::Raft;
use kcheck::systems::reconcile::Reconcile;
use kcheck::systems::System;
use stateright::{Checker, HasDiscoveries};

/// Runs per measurement.
const RUNS: usize = 3;
/// A run slower than this is not repeated.
const SLOW: Duration = Duration::from_secs(20);

/// One measured checker on one scenario.
struct Row {
    scenario: String,
    checker: &'static str,
    states: usize,
    edges: Option<usize>,
    depth: Option<usize>,
    seconds: f64,
    bytes_per_state: Option<f64>,
}

impl Row {
    fn rate(&self) -> f64 {
        self.states as f64 / self.seconds
    }
}

/// Runs `f` up to [`RUNS`] times and keeps the fastest run's result and time.
fn best_of<T>(mut f: impl FnMut() -> T) -> (T, Duration) {
    let mut best: Option<(T, Duration)> = None;
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = f();
        let spent = start.elapsed();
        if best.as_ref().is_none_or(|(_, b)| spent < *b) {
            best = Some((out, spent));
        }
        if spent > SLOW {
            break;
        }
    }
    best.expect("at least one run")
}

fn kcheck_row<M: System>(name: &str, checker: &'static str, model: &M) -> Row {
    let (graph, spent) = best_of(|| {
        explore_all(
            model,
            Limits {
                max_states: usize::MAX,
                timeout: None,
            },
        )
    });
    assert!(graph.cut.is_none(), "kcheck search of {name} was cut");
    Row {
        scenario: name.to_string(),
        checker,
        states: graph.len(),
        edges: Some(graph.edge_count()),
        depth: Some(graph.depth),
        seconds: spent.as_secs_f64(),
        bytes_per_state: Some(graph.bytes_per_state()),
    }
}

fn stateright_row<M>(name: &str, model: &M, threads: usize) -> Row
where
    M: System + Clone + Send + Sync + 'static,
    M::State: Send + Sync,
    M::Action: PartialEq,
{
    let (states, spent) = best_of(|| {
        model
            .clone()
            .checker()
            .threads(threads)
            // A discovery no property can make: the search never finishes early.
            .finish_when(HasDiscoveries::AllOf(
                std::iter::once("__never__").collect(),
            ))
            .spawn_bfs()
            .join()
            .unique_state_count()
    });
    Row {
        scenario: name.to_string(),
        checker: "stateright",
        states,
        edges: None,
        depth: None,
        seconds: spent.as_secs_f64(),
        bytes_per_state: None,
    }
}

/// The speed ratio of kcheck's engine to stateright's on one scenario, and a warning when the
/// two disagree on the state count.
fn ratio_note(name: &str, k: &Row, s: &Row) -> String {
    let mut note = format!(
        "{name}: kcheck/stateright states/s ratio = {:.2}x",
        k.rate() / s.rate()
    );
    if k.states != s.states {
        note.push_str(&format!(
            "\n  WARNING: state counts differ: kcheck {} vs stateright {} (diff {})",
            k.states,
            s.states,
            k.states as i64 - s.states as i64
        ));
    }
    note
}

fn or_na<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| v.to_string())
}

fn print_header() {
    println!(
        "{:<24} {:<11} {:>10} {:>11} {:>6} {:>10} {:>12} {:>12}",
        "scenario", "checker", "states", "edges", "depth", "seconds", "states/s", "bytes/state"
    );
    println!("{}", "-".repeat(24 + 11 + 10 + 11 + 6 + 10 + 12 + 12 + 7));
}

fn print_row(r: &Row) {
    println!(
        "{:<24} {:<11} {:>10} {:>11} {:>6} {:>10.6} {:>12.0} {:>12}",
        r.scenario,
        r.checker,
        r.states,
        or_na(r.edges),
        or_na(r.depth),
        r.seconds,
        r.rate(),
        or_na(r.bytes_per_state.map(|b| format!("{b:.1}"))),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--row") {
        measure_row(&args[at + 1]);
        return;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("kcheck vs stateright BFS, best of {RUNS} runs, stateright threads = {threads}");
    println!();
    print_header();
    let mut notes = Vec::new();
    let mut scenarios: Vec<(String, Scenario)> = [(3, 2), (5, 2), (5, 3)]
        .into_iter()
        .map(|(masters, max_term)| {
            (
                format!("raft m={masters} part t≤{max_term}"),
                Scenario {
                    masters,
                    partition: true,
                    max_term,
                    ..Default::default()
                },
            )
        })
        .collect();
    // Membership and disaster recovery: configurations in the log, an added member, removed
    // members refused, force-new-cluster and a restore (no symmetry reduction: configurations
    // name members).
    scenarios.push((
        "raft m=3 crash rm+learn".to_string(),
        Scenario {
            masters: 3,
            crash: Some(1),
            heal: true,
            writes: 2,
            recovery: vec![Recovery::MemberRemove, Recovery::LearnerAdd],
            ..Default::default()
        },
    ));
    scenarios.push((
        "raft m=5 crash3 fnc+rst".to_string(),
        Scenario {
            masters: 5,
            crash: Some(3),
            recovery: vec![Recovery::ForceNewCluster, Recovery::SnapshotRestore],
            ..Default::default()
        },
    ));
    for (name, scenario) in scenarios {
        let valid = scenario.raft().expect("valid scenario");
        // Both checkers explore every renaming of the members; kcheck's symmetry reduction is
        // measured on its own row.
        let model = Raft {
            symmetry: false,
            ..Raft::new(&valid)
        };
        let reduced = kcheck_row(&name, "kcheck-sym", &Raft::new(&valid));
        print_row(&reduced);
        let k = kcheck_row(&name, "kcheck", &model);
        print_row(&k);
        let s = stateright_row(&name, &model, threads);
        print_row(&s);
        notes.push(ratio_note(&name, &k, &s));
    }
    load_balancer(threads, &mut notes);
    reconcile(threads, &mut notes);
    println!();
    for note in notes {
        println!("{note}");
    }
    network_modes();
    liveness_cost();
    reconcile_liveness_cost();
    whole_runs();
}

/// A whole check as users run it, named for [`whole_runs`]: `verify` (exploring and deciding
/// every property, symmetry reduction on) or `table`.
fn whole_run(name: &str) -> Scenario {
    let masters = |rest: &str| -> u32 { rest.parse().expect("a member count") };
    match name.split_once(' ') {
        Some(("prevote", _)) => Scenario {
            masters: 5,
            partition: true,
            heal: true,
            pre_vote: true,
            max_term: 3,
            ..Default::default()
        },
        Some(("crash", n)) => Scenario {
            masters: masters(n),
            crash: Some(1),
            ..Default::default()
        },
        Some(("partition", n)) => Scenario {
            masters: masters(n),
            partition: true,
            ..Default::default()
        },
        _ => unreachable!("a row of whole_runs: {name}"),
    }
}

/// Runs one row of [`whole_runs`] in this process, which runs nothing else, and prints its
/// states, seconds and peak memory on one line.
fn measure_row(name: &str) {
    let start = Instant::now();
    let states = if let Some(checker) = name.strip_prefix("rate ") {
        // The rate row alone, one run of one checker, for profiling.
        let valid = Scenario {
            masters: 5,
            partition: true,
            max_term: 3,
            ..Default::default()
        }
        .raft()
        .expect("valid scenario");
        let model = Raft {
            symmetry: false,
            ..Raft::new(&valid)
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let row = match checker {
            "stateright" => stateright_row(name, &model, threads),
            _ => kcheck_row(name, "kcheck", &model),
        };
        print_row(&row);
        row.states
    } else if name == "table 7" {
        let cli = <kcheck::cli::Cli as clap::Parser>::try_parse_from([
            "kcheck",
            "table",
            "--max-masters",
            "7",
        ])
        .expect("table arguments");
        let kcheck::cli::Command::Table(args) = cli.command else {
            unreachable!("a table command")
        };
        let rows = kcheck::table::build(&args).expect("the table");
        assert_eq!(rows.len(), 7);
        0
    } else {
        let options = kcheck::check::Options {
            properties: Vec::new(),
            max_states: 100_000_000,
            timeout: None,
            progress: false,
        };
        let report = kcheck::check::verify(&whole_run(name), &options).expect("valid scenario");
        let cut = report
            .results
            .iter()
            .any(|r| r.verdict == kcheck::property::Outcome::Incomplete);
        assert!(!cut, "{name}: a limit cut the check");
        report.stats.states
    };
    let seconds = start.elapsed().as_secs_f64();
    let peak = kcheck::engine::memory::peak().unwrap_or(0);
    println!("{states} {seconds} {peak}");
}

/// Whole checks as users run them, each in a process of its own so that its peak memory is its
/// own: the configurations people run, and how cost grows with the cluster.
fn whole_runs() {
    println!();
    println!("whole runs (verify: every property, symmetry reduction on; one process each)");
    println!();
    println!(
        "{:<34} {:>10} {:>9} {:>10}",
        "run", "states", "seconds", "peak MiB"
    );
    println!("{}", "-".repeat(66));
    let exe = std::env::current_exe().expect("the bench's own path");
    let run = |label: &str, row: &str| -> Option<(f64, f64)> {
        let out = std::process::Command::new(&exe)
            .args(["--row", row])
            .output()
            .expect("the bench runs itself");
        let fields: Vec<f64> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        let [states, seconds, peak] = fields[..] else {
            println!(
                "{label:<34} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return None;
        };
        let shown = if states == 0.0 {
            "n/a".to_string()
        } else {
            format!("{states:.0}")
        };
        println!(
            "{label:<34} {shown:>10} {seconds:>9.2} {:>10.0}",
            peak / (1 << 20) as f64
        );
        Some((states, seconds))
    };
    run(
        "verify --masters 5 --partition --heal --pre-vote --max-term 3",
        "prevote 5",
    );
    run("verify --masters 7 --partition", "partition 7");
    run("table --max-masters 7", "table 7");
    let mut growth = Vec::new();
    for fault in ["crash", "partition"] {
        let mut last: Option<(f64, f64)> = None;
        for n in 3..=7 {
            let flag = if fault == "crash" {
                "--crash 1"
            } else {
                "--partition"
            };
            let label = format!("verify --masters {n} {flag}");
            let Some((states, seconds)) = run(&label, &format!("{fault} {n}")) else {
                continue;
            };
            if let Some((s0, t0)) = last {
                growth.push(format!(
                    "{fault}, {} → {n} masters: {:.1}x the states, {:.1}x the time",
                    n - 1,
                    states / s0,
                    seconds / t0
                ));
            }
            last = Some((states, seconds));
        }
    }
    println!();
    for g in growth {
        println!("{g}");
    }
}

fn reconcile_scenarios() -> Vec<(&'static str, Scenario)> {
    let base = Scenario {
        model: ModelKind::Reconcile,
        workers: Some(3),
        replicas: Some(3),
        worker_crash: Some(1),
        ..Default::default()
    };
    vec![
        ("reconcile w=3 r=3 crash1", base.clone()),
        (
            "reconcile +master crash",
            Scenario {
                crash: Some(1),
                ..base.clone()
            },
        ),
        (
            "reconcile +cp outage heal",
            Scenario {
                control_plane_outage: true,
                heal: true,
                ..base
            },
        ),
    ]
}

/// The reconcile model at Kubernetes' timings (1 s ticks): 3 workers, 3 replicas, one worker
/// crash, alone and with a master crash. (With an outage of the control plane that may end,
/// the reschedule clock runs over every restart time: 14 M states with symmetry, 43 M
/// without, too many to repeat here; its liveness graph, without the clock, is below.)
fn reconcile(threads: usize, notes: &mut Vec<String>) {
    for (name, scenario) in reconcile_scenarios().into_iter().take(2) {
        let Valid::Reconcile(on) = scenario.validate().expect("valid scenario") else {
            unreachable!("a reconcile scenario")
        };
        print_row(&kcheck_row(name, "kcheck-sym", &Reconcile::new(&on)));
        let model = Reconcile::new(&RcScenario {
            symmetry: false,
            ..on
        });
        let k = kcheck_row(name, "kcheck", &model);
        print_row(&k);
        let s = stateright_row(name, &model, threads);
        print_row(&s);
        notes.push(ratio_note(name, &k, &s));
    }
}

/// The SCC pass of the reconcile model's liveness properties against the exploration of its
/// liveness graph, with symmetry reduction on and off.
fn reconcile_liveness_cost() {
    println!();
    println!("liveness: reconcile, the SCC pass against its exploration");
    for (name, scenario) in reconcile_scenarios() {
        let Valid::Reconcile(on) = scenario.validate().expect("valid scenario") else {
            unreachable!("a reconcile scenario")
        };
        for symmetry in [true, false] {
            let model = Reconcile::new(&RcScenario {
                symmetry,
                ..on.clone()
            });
            let live = model.for_liveness().expect("fairness declared");
            let start = Instant::now();
            let graph = explore_all(
                &live,
                Limits {
                    max_states: usize::MAX,
                    timeout: None,
                },
            );
            let explore = start.elapsed().as_secs_f64();
            for property in Reconcile::catalogue() {
                let kcheck::property::Kind::Liveness(form) = &property.kind else {
                    continue;
                };
                if model.vacuous(property.name).is_some() {
                    continue;
                }
                let start = Instant::now();
                let verdict = kcheck::engine::liveness::decide(&live, &graph, form);
                let scc = start.elapsed().as_secs_f64();
                println!(
                    "{name:<26} sym {:<3} {:>10} states  explore {explore:>7.3} s  {:<36} SCC {scc:>7.3} s ({:.2}x)  {}",
                    if symmetry { "on" } else { "off" },
                    graph.len(),
                    property.name,
                    scc / explore.max(1e-9),
                    verdict.label()
                );
            }
        }
    }
}

/// The liveness pass against the exploration it runs on: `leader-eventually-elected` on the
/// Raft model's liveness abstraction (strongly connected components, fairness, the lasso).
fn liveness_cost() {
    println!();
    println!("liveness: leader-eventually-elected, the SCC pass against its exploration");
    for (name, scenario) in [
        (
            "raft m=5 crash2",
            Scenario {
                masters: 5,
                crash: Some(2),
                ..Default::default()
            },
        ),
        (
            "raft m=5 crash3 heal",
            Scenario {
                masters: 5,
                crash: Some(3),
                heal: true,
                ..Default::default()
            },
        ),
    ] {
        let model = Raft::new(&scenario.raft().expect("valid scenario"));
        let live = model.for_liveness().expect("fairness declared");
        let property = Raft::catalogue()
            .into_iter()
            .find(|p| p.name == kcheck::systems::raft::LEADER_EVENTUALLY_ELECTED)
            .expect("in the catalogue");
        let kcheck::property::Kind::Liveness(form) = &property.kind else {
            unreachable!("a liveness property")
        };
        let start = Instant::now();
        let graph = explore_all(
            &live,
            Limits {
                max_states: usize::MAX,
                timeout: None,
            },
        );
        let explore = start.elapsed().as_secs_f64();
        let start = Instant::now();
        let verdict = kcheck::engine::liveness::decide(&live, &graph, form);
        let scc = start.elapsed().as_secs_f64();
        println!(
            "{name:<24} {:>10} states  explore {explore:>8.3} s  SCC pass {scc:>8.3} s  ({:.2}x)  {}",
            graph.len(),
            scc / explore.max(1e-9),
            verdict.label()
        );
    }
}

/// The load-balancer and cluster models at realistic timings: HAProxy's `inter 2s rise 2 fall
/// 3` at 10 ms ticks, one API server crash (and restart, for lb).
fn load_balancer(threads: usize, notes: &mut Vec<String>) {
    let lb = Scenario {
        model: ModelKind::Lb,
        crash: Some(1),
        heal: true,
        ..Default::default()
    };
    let cluster = |masters| Scenario {
        model: ModelKind::Cluster,
        masters,
        crash: Some(1),
        check: Some(CheckType::Http),
        tick: Some(Millis(10)),
        ..Default::default()
    };
    for (name, scenario) in [
        ("lb m=3 haproxy 2s heal", lb),
        ("cluster m=3 readyz crash", cluster(3)),
        ("cluster m=5 readyz crash", cluster(5)),
    ] {
        let off = Scenario {
            symmetry: false,
            ..scenario.clone()
        };
        let (k, s) = match (
            scenario.validate().expect("valid scenario"),
            off.validate().expect("valid scenario"),
        ) {
            (Valid::Lb(on), Valid::Lb(off)) => {
                print_row(&kcheck_row(name, "kcheck-sym", &Lb::new(&on)));
                let model = Lb::new(&off);
                (
                    kcheck_row(name, "kcheck", &model),
                    stateright_row(name, &model, threads),
                )
            }
            (Valid::Cluster(on), Valid::Cluster(off)) => {
                print_row(&kcheck_row(name, "kcheck-sym", &Cluster::new(&on)));
                let model = Cluster::new(&off);
                (
                    kcheck_row(name, "kcheck", &model),
                    stateright_row(name, &model, threads),
                )
            }
            _ => unreachable!("load-balancer scenarios"),
        };
        print_row(&k);
        print_row(&s);
        notes.push(ratio_note(name, &k, &s));
    }
}

/// The cost of the message mode: the same scenarios with RPCs as atomic steps and as messages
/// in flight, explored by kcheck with symmetry reduction (as `kcheck verify` does).
fn network_modes() {
    println!();
    println!("--network atomic vs messages (kcheck, symmetry reduction on)");
    println!();
    print_header();
    let mut notes = Vec::new();
    for (masters, partition, crash, in_flight) in [
        (3, true, 0, 2),
        (3, false, 1, 2),
        (5, true, 0, 1),
        (5, false, 1, 1),
    ] {
        let base = Scenario {
            masters,
            partition,
            crash: Some(crash),
            ..Default::default()
        };
        let faults = if partition { "part" } else { "crash" };
        let atomic = Raft::new(&base.raft().expect("valid scenario"));
        let messages = Raft::new(
            &Scenario {
                network: NetworkMode::Messages,
                max_in_flight: Some(in_flight),
                ..base
            }
            .raft()
            .expect("valid scenario"),
        );
        let a = kcheck_row(&format!("raft m={masters} {faults}"), "atomic", &atomic);
        print_row(&a);
        let m = kcheck_row(
            &format!("raft m={masters} {faults} ≤{in_flight}msg"),
            "messages",
            &messages,
        );
        print_row(&m);
        notes.push(format!(
            "m={masters} {faults}: messages explore {:.0}x the states of atomic, in {:.0}x the time",
            m.states as f64 / a.states as f64,
            m.seconds / a.seconds
        ));
    }
    println!();
    for note in notes {
        println!("{note}");
    }
}
