//! `--max-memory`: a check that would outgrow the limit stops INCOMPLETE with the reason, on
//! every command; bad sizes are one-line errors.

mod common;

use common::{assert_bad_input, kcheck};

/// Five masters, split, terms to 3, every renaming apart: 2.1 M states, over a gigabyte.
const BIG: [&str; 9] = [
    "--masters",
    "5",
    "--partition",
    "--max-term",
    "3",
    "--no-symmetry",
    "--property",
    "single-leader-per-term",
    "-q",
];

#[test]
fn a_check_stops_incomplete_at_the_memory_limit() {
    let mut args = vec!["verify"];
    args.extend(BIG);
    args.extend(["--max-memory", "64M"]);
    let (code, out, err) = kcheck(&args);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("INCOMPLETE single-leader-per-term"), "{out}");
    assert!(
        out.contains("the memory limit (64 MiB, --max-memory) was reached"),
        "{out}"
    );
    args.extend(["--format", "json"]);
    let (code, out, _) = kcheck(&args);
    assert_eq!(code, 3);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["results"][0]["verdict"], "incomplete");
    assert!(v["results"][0]["claim"]
        .as_str()
        .is_some_and(|c| c.contains("--max-memory")));
    // With room enough, the same check is exhaustive.
    let (code, out, _) = kcheck(&[
        "verify",
        "--masters",
        "5",
        "--partition",
        "--property",
        "single-leader-per-term",
        "--max-memory",
        "4G",
    ]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn bad_sizes_are_one_line_errors() {
    assert_bad_input(
        &["verify", "--max-memory", "banana"],
        "\"banana\" is not a size",
    );
    assert_bad_input(&["verify", "--max-memory", "4X"], "is not a size");
    assert_bad_input(&["gate", "--max-memory", "1M"], "at least 16 MiB");
    assert_bad_input(&["table", "--max-memory", "-3G"], "is not a size");
}
