//! What a terminal user sees besides verdicts: the progress line (on a terminal only), shell
//! completions, and help texts with examples.

mod common;

use std::process::Command;

fn kcheck(args: &[&str]) -> (i32, String, String) {
    common::kcheck_with(args, &[("KCHECK_PROGRESS_AFTER_MS", "0")])
}

/// Runs kcheck with its stderr on a pseudo-terminal (util-linux `script`), stdout discarded, the
/// progress delay set to `after_ms`; returns what the terminal showed.
fn on_terminal(args: &[&str], after_ms: &str) -> String {
    let command = format!(
        "{} {} > /dev/null",
        env!("CARGO_BIN_EXE_kcheck"),
        args.join(" ")
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("KCHECK_PROGRESS_AFTER_MS", after_ms)
        .output()
        .expect("util-linux `script` runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn progress_shows_on_a_terminal_only() {
    for (args, shown_as) in [
        (
            &["verify", "--masters", "3", "--partition"][..],
            " states, depth ",
        ),
        (&["gate", "tests/fixtures/gate/pass"], " rows checked"),
        (&["table", "--max-masters", "2"], " checks done; masters "),
    ] {
        let (_, _, err) = kcheck(args);
        assert_eq!(err, "", "{args:?}: stderr is a pipe: no progress");

        let shown = on_terminal(args, "0");
        assert!(shown.contains(shown_as), "{args:?}: {shown:?}");
        assert!(
            shown.ends_with("\r\x1b[2K"),
            "{args:?}: erased at the end: {shown:?}"
        );

        let mut quiet = args.to_vec();
        quiet.push("--quiet");
        let shown = on_terminal(&quiet, "0");
        assert!(!shown.contains(shown_as), "{args:?} --quiet: {shown:?}");
    }
    // By default the line waits a second: a quick check shows none.
    let shown = on_terminal(&["verify", "--masters", "3", "--partition"], "1000");
    assert!(!shown.contains("states"), "{shown:?}");
    // The engine's line carries the rate and the time so far.
    let shown = on_terminal(&["verify", "--masters", "3", "--partition"], "0");
    assert!(
        shown.contains(" states/s, ") && shown.contains(" s in all"),
        "{shown:?}"
    );
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _kcheck"),
        ("zsh", "#compdef kcheck"),
        ("fish", "complete -c kcheck"),
    ] {
        let (code, out, err) = kcheck(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(out.contains(marker), "{shell}");
        for word in ["verify", "explore", "gate", "table", "masters", "partition"] {
            assert!(out.contains(word), "{shell} completes {word}");
        }
    }
    // The bash script is valid bash.
    let (_, script, _) = kcheck(&["completions", "bash"]);
    let path = std::env::temp_dir().join(format!("kcheck-completion-{}.bash", std::process::id()));
    std::fs::write(&path, script).expect("written");
    let status = Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .expect("bash");
    let _ = std::fs::remove_file(&path);
    assert!(status.success());

    let (code, _, err) = kcheck(&["completions", "tcsh"]);
    assert_eq!((code, err.lines().count()), (2, 1), "{err}");
}

#[test]
fn every_command_has_help_with_an_example() {
    let (_, top, _) = kcheck(&["--help"]);
    for command in ["verify", "explore", "gate", "table", "list", "completions"] {
        assert!(top.contains(command), "top-level help lists {command}");
        let (code, help, _) = kcheck(&[command, "--help"]);
        assert_eq!(code, 0, "{command}");
        assert!(help.contains("Example"), "{command} --help:\n{help}");
        assert!(help.contains(&format!("kcheck {command}")), "{command}");
    }
}
