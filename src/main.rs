//! The `kcheck` binary: parse, call the library, map the outcome to an exit code.

use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use kcheck::check::{self, Options};
use kcheck::cli::{Budget, Cli, Command, Format, VerifyArgs};
use kcheck::scenario::{ModelKind, Recovery, UnsafeRule};
use kcheck::systems::cluster::Cluster;
use kcheck::systems::lb::Lb;
use kcheck::systems::raft::Raft;
use kcheck::systems::reconcile::Reconcile;
use kcheck::systems::System;
use kcheck::{engine, progress, report, stdout};

fn main() -> ExitCode {
    // A bug must still end in one line, not a stack trace.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".to_string());
        let what = what.lines().next().unwrap_or_default().to_string();
        eprintln!("kcheck: internal error: {what}");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // `kcheck` alone: the help is the answer.
            let _ = e.print();
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("kcheck: {}", one_line(&e.render().to_string()));
            return ExitCode::from(2);
        }
    };
    let outcome = match cli.command {
        Command::Verify(args) => prepare(&args.budget).and_then(|()| verify(&args)),
        // The explorer serves until stopped: Ctrl-C ends it as usual, with no report to print.
        Command::Explore(args) => set_threads(&args.budget)
            .and_then(|()| kcheck::explore::run(&args).map_err(|e| e.to_string())),
        Command::Gate(args) => {
            prepare(&args.budget).and_then(|()| kcheck::gate::run(&args).map_err(|e| e.to_string()))
        }
        Command::Table(args) => prepare(&args.budget)
            .and_then(|()| kcheck::table::run(&args).map_err(|e| e.to_string())),
        Command::List => stdout::print_or_say(&list()).map(|()| 0),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "kcheck", &mut script);
            stdout::print_or_say(&String::from_utf8_lossy(&script)).map(|()| 0)
        }
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("kcheck: {e}");
            ExitCode::from(2)
        }
    }
}

/// clap's error on one line: what was wrong, what is allowed, and its tip, without the usage.
fn one_line(text: &str) -> String {
    let parts: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("Usage:"))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
        .collect();
    let line = parts.join(" ");
    let line = line
        .trim_start_matches("error: ")
        .replace(" tip:", "; tip:");
    if line.is_empty() {
        "bad arguments; see kcheck --help".to_string()
    } else {
        line
    }
}

/// Before a check: the worker threads, and Ctrl-C. The first Ctrl-C stops the searches, so the
/// report so far is printed with what they had not decided INCOMPLETE; a second one exits at
/// once. (`kcheck explore` keeps the default: Ctrl-C stops the server.)
/// The worker threads, and Ctrl-C as a request to stop and report what is decided so far.
fn prepare(budget: &Budget) -> Result<(), String> {
    set_threads(budget)?;
    let _ = ctrlc::set_handler(|| {
        if engine::interrupted() {
            std::process::exit(130);
        }
        engine::interrupt();
        progress::erase_line();
    });
    Ok(())
}

/// The worker threads, and the memory limit every search of the run keeps to.
fn set_threads(budget: &Budget) -> Result<(), String> {
    engine::memory::set_max_memory(
        budget
            .max_memory
            .or_else(engine::memory::default_max_memory),
    );
    if let Some(threads) = budget.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|e| format!("cannot start {threads} worker threads: {e}"))?;
    }
    Ok(())
}

fn verify(args: &VerifyArgs) -> Result<u8, String> {
    let scenario = args.scenario.scenario().map_err(|e| e.to_string())?;
    // A directory that cannot take the files is bad input: say so before the check, not after.
    if let Some(dir) = &args.output {
        if dir.exists() && !dir.is_dir() {
            return Err(format!("--output {}: not a directory", dir.display()));
        }
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("--output {}: cannot create it: {e}", dir.display()))?;
    }
    let options = Options {
        properties: args.properties.clone(),
        max_states: args.budget.max_states,
        timeout: args.budget.timeout,
        progress: !args.budget.quiet,
    };
    let report = check::verify(&scenario, &options).map_err(|e| e.to_string())?;
    stdout::print_or_say(&report::render(&report, args.format))?;
    // Nothing violated: say once what that leaves out, for the format and for --output.
    let traces_only = matches!(args.format, Format::Itf | Format::Mermaid);
    if report.violated().next().is_none() && (traces_only || args.output.is_some()) {
        let mut missing = Vec::new();
        if traces_only {
            missing.push("no counterexample to print".to_string());
        }
        if let Some(dir) = &args.output {
            missing.push(format!("nothing written into {}", dir.display()));
        }
        let why = if report.exit_code() == 3 {
            "no counterexample found, but a limit cut the search (INCOMPLETE)"
        } else {
            "no property is violated"
        };
        eprintln!("kcheck: {why}: {}", missing.join(", "));
    } else if let Some(dir) = &args.output {
        write_outputs(&report, args.format, dir)?;
    }
    Ok(report.exit_code())
}

fn write_outputs(report: &report::Report, format: Format, dir: &Path) -> Result<(), String> {
    let written = report::write_violations(report, format, dir)
        .map_err(|e| format!("cannot write into {}: {e}", dir.display()))?;
    for path in written {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn list() -> String {
    let mut out = format!("raft: {}\n", ModelKind::Raft.meaning());
    let line = |out: &mut String, name: &str, kind: &str, meaning: &str, width: usize| {
        out.push_str(&format!("  {name:<width$} {kind:<15} {meaning}\n"));
    };
    for p in Raft::catalogue() {
        line(&mut out, p.name, p.kind.label(), p.meaning, 26);
    }
    out.push_str("  etcd safety rules (--unsafe RULE removes one, to show what it protects):\n");
    for rule in UnsafeRule::ALL {
        line(&mut out, rule.name(), "rule", rule.meaning(), 26);
    }
    out.push_str("  operator's recovery actions (--recovery ACTION, after the faults):\n");
    for action in Recovery::ALL {
        line(&mut out, action.name(), "recovery", action.meaning(), 26);
    }
    out.push_str(&format!("lb: {}\n", ModelKind::Lb.meaning()));
    for p in Lb::catalogue() {
        line(&mut out, p.name, p.kind.label(), p.meaning, 43);
    }
    out.push_str(&format!(
        "cluster: {}; every lb property, and:\n",
        ModelKind::Cluster.meaning()
    ));
    for p in Cluster::catalogue().into_iter().skip(Lb::catalogue().len()) {
        line(&mut out, p.name, p.kind.label(), p.meaning, 43);
    }
    out.push_str(&format!("reconcile: {}\n", ModelKind::Reconcile.meaning()));
    for p in Reconcile::catalogue() {
        line(&mut out, p.name, p.kind.label(), p.meaning, 43);
    }
    out
}
