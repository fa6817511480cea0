//! The message mode through the binary: its flags, its bounds line, its traces in words and in
//! every format, its gate rows, and the bounds it refuses.

mod common;

fn temp(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("kcheck-messages-{name}-{}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn the_bounds_line_and_the_scenario_say_how_many_messages_fly() {
    let (code, out, err) = common::kcheck(&[
        "verify",
        "--masters",
        "2",
        "--partition",
        "--network",
        "messages",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("term ≤ 2, ≤ 1 client write, ≤ 2 messages in flight"),
        "{out}"
    );
    assert!(
        out.contains("RPCs as messages (late, reordered, duplicated or lost; at most 2 in flight)"),
        "{out}"
    );
    let (_, out, _) = common::kcheck(&[
        "verify",
        "--masters",
        "1",
        "--network",
        "messages",
        "--max-in-flight",
        "1",
    ]);
    assert!(out.contains("≤ 1 message in flight"), "{out}");
    // The atomic mode's report is as it was.
    let (_, out, _) = common::kcheck(&["verify", "--masters", "1"]);
    assert!(
        !out.contains("in flight") && !out.contains("messages"),
        "{out}"
    );
}

#[test]
fn message_bounds_of_zero_and_bounds_without_messages_are_refused() {
    common::assert_bad_input(
        &["verify", "--network", "messages", "--max-in-flight", "0"],
        "max-in-flight must be 1 to 6 (got 0)",
    );
    common::assert_bad_input(
        &["verify", "--network", "messages", "--max-in-flight", "7"],
        "max-in-flight must be 1 to 6 (got 7)",
    );
    let zero = temp(
        "zero.toml",
        "masters = 3\nnetwork = \"messages\"\nmax-in-flight = 0\n",
    );
    common::assert_bad_input(&["verify", &zero], "max-in-flight must be 1 to 6 (got 0)");
    common::assert_bad_input(
        &["verify", "--max-in-flight", "2"],
        "max-in-flight bounds the messages of network = \"messages\"",
    );
    common::assert_bad_input(
        &["verify", "--network", "carrier-pigeon"],
        "possible values: atomic, messages",
    );
}

#[test]
fn a_trace_tells_each_message_sent_delivered_and_lost() {
    let path = format!(
        "{}/models/unsafe-truncate-on-conflict-only.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let (code, out, err) =
        common::kcheck(&["verify", &path, "--property", "committed-writes-durable"]);
    assert_eq!(code, 1, "{err}");
    for words in [
        "m1 sends AppendEntries term 1 [] after index 1 (term 1), commit 1 to m2",
        "the network delivers m1's AppendEntries term 1 [t1:w1] after index 1 (term 1), commit 1 to m2",
        "m2 → m1 AppendEntries accepted in term 1, match index 2 in flight",
    ] {
        assert!(out.contains(words), "{words}: {out}");
    }
    let (code, mermaid, _) = common::kcheck(&[
        "verify",
        &path,
        "--property",
        "committed-writes-durable",
        "--format",
        "mermaid",
    ]);
    assert_eq!(code, 1);
    assert!(
        mermaid.contains("m1->>m2: AppendEntries term 1 [t1:w1]"),
        "{mermaid}"
    );
    assert!(mermaid.contains("sends AppendEntries"), "{mermaid}");
    let (code, json, _) = common::kcheck(&[
        "verify",
        &path,
        "--property",
        "committed-writes-durable",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["scenario"]["network"], "messages");
    let trace = v["results"][0]["trace"].as_array().unwrap();
    assert!(
        trace
            .iter()
            .any(|step| step["state"]["in_flight"].is_array()),
        "{json}"
    );
    let (code, itf, _) = common::kcheck(&[
        "verify",
        &path,
        "--property",
        "committed-writes-durable",
        "--format",
        "itf",
    ]);
    assert_eq!(code, 1);
    assert!(itf.contains("in_flight"), "{itf}");
}

#[test]
fn a_gate_row_sets_the_network() {
    let scenario = temp("s.toml", "masters = 3\ncrash = 1\n");
    let gate = temp(
        "gate.toml",
        &format!(
            "[[check]]\nscenario = \"{scenario}\"\nproperty = \"committed-writes-durable\"\nexpect = \"holds\"\n\n\
             [[check]]\nscenario = \"{scenario}\"\nnetwork = \"messages\"\nmax-in-flight = 2\nunsafe = [\"truncate-on-conflict-only\"]\nproperty = \"committed-writes-durable\"\nexpect = \"violated\"\n"
        ),
    );
    let (code, out, err) = common::kcheck(&["gate", &gate]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("network = \"messages\""), "{out}");
}
