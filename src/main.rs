//! The `kcheck` binary: parse, call the library, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

use kcheck::check::{self, Options};
use kcheck::cli::{Cli, Command, Format, VerifyArgs};
use kcheck::report;
use kcheck::systems::raft::Raft;
use kcheck::systems::System;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let text = e.render().to_string();
            let line = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("error: bad arguments");
            eprintln!("kcheck: {}", line.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Verify(args) => verify(&args),
        Command::List => {
            print!("{}", list());
            ExitCode::SUCCESS
        }
    }
}

fn verify(args: &VerifyArgs) -> ExitCode {
    if let Some(threads) = args.threads {
        if threads == 0
            || rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build_global()
                .is_err()
        {
            eprintln!("kcheck: --threads must be at least 1 (got {threads})");
            return ExitCode::from(2);
        }
    }
    let scenario = match args.scenario.scenario() {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let options = Options {
        properties: args.properties.clone(),
        max_states: args.max_states,
        timeout: args.timeout,
        progress: !args.quiet,
    };
    match check::verify(&scenario, &options) {
        Ok(report) => {
            match args.format {
                Format::Text => print!("{}", report::text::render(&report)),
                Format::Json => println!("{}", report::json::render(&report)),
            }
            ExitCode::from(report.exit_code())
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("kcheck: {e}");
    ExitCode::from(2)
}

fn list() -> String {
    let mut out = String::from(
        "raft: etcd Raft quorum (elections, replication, commit, crashes, partitions)\n",
    );
    for p in Raft::catalogue() {
        out.push_str(&format!(
            "  {:<26} {:<15} {}\n",
            p.name,
            p.kind.label(),
            p.meaning
        ));
    }
    out
}
