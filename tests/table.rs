//! `kcheck table` through the binary: the cells the model decides agree with the quorum rule,
//! and cut checks leave cells unknown.

mod common;

use common::kcheck;
use serde_json::Value;

/// The cells decided by checking are the ones the quorum rule predicts: a write needs a
/// majority, N / 2 + 1, so N masters tolerate (N − 1) / 2 crashes. Under a partition a
/// majority side exists for every split exactly when N is odd (N = 1 has nothing to split; an
/// even N can split in halves). With the majority quorum no split brain is possible.
#[test]
fn the_table_agrees_with_the_quorum_rule() {
    let (code, out, err) = kcheck(&["table", "--max-masters", "5", "--format", "json"]);
    assert_eq!(code, 0, "{out}{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).expect("a JSON list");
    assert_eq!(rows.len(), 5);
    for (i, row) in rows.iter().enumerate() {
        let n = i as u64 + 1;
        let keys: Vec<_> = row.as_object().expect("object").keys().cloned().collect();
        assert_eq!(keys.len(), 7, "exactly the documented keys: {keys:?}");
        assert_eq!(row["masters"], n);
        assert_eq!(row["quorum"], n / 2 + 1, "masters {n}");
        assert_eq!(row["crashes_tolerated"], (n - 1) / 2, "masters {n}");
        assert_eq!(row["survives_partition"], n % 2 == 1, "masters {n}");
        // Every VIOLATED write-availability behind a cell here is proved by a lemma.
        assert_eq!(row["crashes_tolerated_basis"], "proof", "masters {n}");
        let partition_basis = if n % 2 == 1 {
            Value::Null
        } else {
            "proof".into()
        };
        assert_eq!(
            row["survives_partition_basis"], partition_basis,
            "masters {n}"
        );
        assert_eq!(row["split_brain_possible"], false, "masters {n}");
    }
}

#[test]
fn markdown_states_its_bounds_and_has_a_row_per_size() {
    let (code, out, err) = kcheck(&["table", "--max-masters", "4"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("term ≤ 2, ≤ 1 client write"), "{out}");
    assert!(
        out.contains(
            "| masters | quorum | crashes tolerated | survives partition | split brain possible |"
        ),
        "{out}"
    );
    let rows: Vec<_> = out
        .lines()
        .filter(|l| l.starts_with("| ") && l[2..].starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(
        rows,
        [
            "| 1 | 1 | 0 | yes | no |",
            "| 2 | 2 | 0 | no | no |",
            "| 3 | 2 | 1 | yes | no |",
            "| 4 | 3 | 1 | no | no |",
        ],
        "{out}"
    );
    assert!(
        err.is_empty(),
        "no progress when stderr is not a terminal: {err}"
    );
}

#[test]
fn cluster_sizes_out_of_range_are_refused() {
    for bad in ["0", "8"] {
        let (code, out, err) = kcheck(&["table", "--max-masters", bad]);
        assert_eq!(code, 2, "{out}{err}");
        assert_eq!(
            err,
            format!(
                "kcheck: invalid value '{bad}' for '--max-masters <N>': max-masters must be 1 to 7 (got {bad})\n"
            )
        );
        assert!(out.is_empty());
    }
}

#[test]
fn a_cut_check_leaves_its_cell_unknown() {
    let (code, out, err) = kcheck(&[
        "table",
        "--max-masters",
        "3",
        "--max-states",
        "10",
        "--format",
        "json",
    ]);
    assert_eq!(code, 3, "{out}{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).expect("a JSON list");
    assert!(rows[2]["crashes_tolerated"].is_null(), "{out}");
    assert!(rows[2]["quorum"].is_null(), "{out}");
    let (code, out, _) = kcheck(&["table", "--max-masters", "3", "--max-states", "10"]);
    assert_eq!(code, 3);
    assert!(out.contains("| 3 | ? | ? | ? | ? |"), "{out}");
}

/// The split-brain column can say yes: with the quorum lowered to half the cluster (at least 1),
/// two, three (quorum 1) and four (quorum 2) masters can elect a leader on both sides of a split
/// and commit different writes, while the quorum read off the crash column drops with it.
#[test]
fn a_lowered_quorum_shows_split_brain_in_the_table() {
    let args = kcheck::cli::TableArgs {
        max_masters: 4,
        format: kcheck::cli::TableFormat::Json,
        model: None,
        frontend: None,
        check: None,
        budget: kcheck::cli::Budget {
            max_states: 1_000_000,
            timeout: None,
            max_memory: None,
            threads: None,
            quiet: true,
        },
    };
    let rows = kcheck::table::build_with(&args, |n| Some((n / 2).max(1))).expect("decided");
    let split: Vec<Option<bool>> = rows.iter().map(|r| r.split_brain_possible).collect();
    assert_eq!(split, [Some(false), Some(true), Some(true), Some(true)]);
    let quorum: Vec<Option<u32>> = rows.iter().map(|r| r.quorum).collect();
    assert_eq!(quorum, [Some(1), Some(1), Some(1), Some(2)]);
}

/// `--model cluster` adds the front end's verdict: kubectl writes after one master crash. With
/// HAProxy checking /readyz they come back exactly where etcd keeps a quorum; with every client
/// pinned to master 1 they never do, whatever the quorum.
#[test]
fn the_cluster_table_adds_the_front_ends_verdict() {
    let (code, out, err) = kcheck(&[
        "table",
        "--model",
        "cluster",
        "--max-masters",
        "4",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).expect("json");
    let column = |rows: &serde_json::Value| -> Vec<serde_json::Value> {
        rows.as_array()
            .expect("rows")
            .iter()
            .map(|r| r["front_end"]["kubectl_writes_after_one_crash"].clone())
            .collect()
    };
    assert_eq!(
        column(&rows),
        [false, false, true, true].map(serde_json::Value::from)
    );
    let (code, out, err) = kcheck(&[
        "table",
        "--model",
        "cluster",
        "--frontend",
        "none",
        "--max-masters",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        column(&rows),
        [false, false, false].map(serde_json::Value::from)
    );
    // The Raft table has no such column, and refuses the front end's flags.
    let (_, out, _) = kcheck(&["table", "--max-masters", "2", "--format", "json"]);
    assert!(!out.contains("front_end"), "{out}");
    let (code, _, err) = kcheck(&["table", "--frontend", "vip"]);
    assert_eq!(code, 2);
    assert!(err.contains("add --model cluster"), "{err}");
}
