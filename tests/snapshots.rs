//! Rendered output pinned as snapshots (insta), so every change to what a user reads is reviewed:
//! a text trace, a Mermaid diagram, an ITF document, the fault-tolerance table, a gate table.
//! After an intended change: `cargo insta review` (or INSTA_UPDATE=always), then commit the
//! `.snap` files under tests/snapshots/.

mod common;

/// The exit code, stderr and stdout of a kcheck run, with times (the one thing that varies run
/// to run) masked.
fn kcheck(args: &[&str]) -> String {
    let (code, out, err) = common::kcheck(args);
    let text = format!("exit code {code}\nstderr: {}\n{out}", err.trim_end());
    text.lines().map(mask_times).collect::<Vec<_>>().join("\n")
}

/// Replaces every `1.23 s` / `1.23s` figure by `T`.
fn mask_times(line: &str) -> String {
    let mut out = String::new();
    let mut words = line.split(' ').peekable();
    while let Some(w) = words.next() {
        let bare = w.trim_end_matches(['s', ',', ')']);
        let timed = bare.contains('.')
            && bare.chars().all(|c| c.is_ascii_digit() || c == '.')
            && (w.ends_with('s') || words.peek() == Some(&"s") || words.peek() == Some(&"s)"));
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(if timed { "T" } else { w });
    }
    out
}

#[test]
fn two_masters_partition_text() {
    insta::assert_snapshot!(kcheck(&["verify", "--masters", "2", "--partition"]));
}

#[test]
fn quorum_one_split_brain_mermaid() {
    insta::assert_snapshot!(kcheck(&[
        "verify",
        "--masters",
        "2",
        "--quorum",
        "1",
        "--partition",
        "--property",
        "no-split-brain",
        "--format",
        "mermaid"
    ]));
}

#[test]
fn two_masters_partition_itf() {
    insta::assert_snapshot!(kcheck(&[
        "verify",
        "--masters",
        "2",
        "--partition",
        "--property",
        "write-availability",
        "--format",
        "itf"
    ]));
}

#[test]
fn fault_tolerance_table() {
    insta::assert_snapshot!(kcheck(&["table", "--max-masters", "5"]));
}

#[test]
fn gate_table() {
    insta::assert_snapshot!(kcheck(&["gate", "tests/fixtures/gate/wrong.toml"]));
}

#[test]
fn times_are_masked() {
    assert_eq!(
        mask_times("explored: 28 states, 37 transitions, depth 7, 0.00 s"),
        "explored: 28 states, 37 transitions, depth 7, T s"
    );
    assert_eq!(mask_times("PASS    0.21s"), "PASS    T");
    assert_eq!(mask_times("term ≤ 2, 1.5 writes"), "term ≤ 2, 1.5 writes");
}
