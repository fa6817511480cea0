//! The load-balancer and cluster models through the binary: bad input, measures in every
//! format, gate rows that pin a measure, and the same verdicts on every surface.

mod common;

use std::path::Path;

use common::{assert_bad_input, kcheck};
use serde_json::Value;

#[test]
fn bad_load_balancer_input_is_one_line_and_exit_2() {
    for (args, expected) in [
        (
            &["verify", "--model", "lb", "--fall", "0"][..],
            "fall must be 1 to 10 (got 0)",
        ),
        (
            &["verify", "--model", "lb", "--rise", "0"],
            "rise must be 1 to 10",
        ),
        (
            &["verify", "--model", "lb", "--inter", "0s"],
            "inter must be longer than 0",
        ),
        (
            &["verify", "--model", "lb", "--inter", "2000"],
            "has no unit",
        ),
        (
            &["verify", "--model", "lb", "--inter", "2005ms"],
            "not a whole number of 10ms ticks",
        ),
        (
            &["verify", "--model", "lb", "--tick", "30ms"],
            "inter 2s is not a whole number of 30ms ticks",
        ),
        (
            &[
                "verify",
                "--model",
                "lb",
                "--check",
                "http",
                "--frontend",
                "none",
            ],
            "with no load balancer nothing checks",
        ),
        (
            &["verify", "--inter", "2s"],
            "inter is a load-balancer setting",
        ),
        (
            &["verify", "--masters", "3", "--redispatch"],
            "redispatch is a load-balancer setting",
        ),
        (
            &["verify", "--model", "lb", "--partition"],
            "partition is an etcd setting that --model lb does not read",
        ),
        (
            &["verify", "--model", "lb", "--masters", "0"],
            "masters must be 1 to 7 (got 0)",
        ),
        (
            &[
                "verify",
                "--model",
                "lb",
                "--frontend",
                "none",
                "--lb-crash",
                "1",
            ],
            "frontend none has none",
        ),
        (
            &["verify", "--model", "lb", "--request-rate", "3"],
            "use a divisor of 1000",
        ),
        (
            &[
                "verify",
                "--model",
                "cluster",
                "--masters",
                "1",
                "--partition",
            ],
            "partition needs 2 masters",
        ),
        (
            &["verify", "--model", "lb", "--balancers", "2"],
            "frontend single has one",
        ),
        (
            &["table", "--model", "lb"],
            "kcheck table is by cluster size",
        ),
        (
            &["verify", "--model", "lb", "--timeout-server", "2s"],
            "round robin does not read it",
        ),
        (
            &[
                "verify",
                "--model",
                "lb",
                "--frontend",
                "none",
                "--balance",
                "leastconn",
            ],
            "--frontend none has none",
        ),
        (
            &[
                "verify",
                "--model",
                "lb",
                "--lb",
                "nginx",
                "--balance",
                "leastconn",
            ],
            "balance is an HAProxy setting",
        ),
        (
            &["verify", "--model", "lb", "--balance", "random"],
            "invalid value 'random'",
        ),
        (
            &["verify", "--masters", "3", "--balance", "leastconn"],
            "balance",
        ),
    ] {
        assert_bad_input(args, expected);
    }
}

/// A scenario file with an integer duration gets the file, line and column.
#[test]
fn a_duration_without_a_unit_in_a_file_is_refused_with_its_place() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lb-bare-duration.toml");
    std::fs::write(&path, "model = \"lb\"\ninter = 2000\n").expect("written");
    assert_bad_input(
        &["verify", path.to_str().expect("utf-8")],
        "lb-bare-duration.toml:2:9: 2000 has no unit",
    );
}

/// HAProxy accepts a `timeout check` longer than `inter`; so does kcheck, and the check then
/// waits that long for each failure.
#[test]
fn a_check_timeout_longer_than_inter_is_accepted() {
    let (code, out, err) = kcheck(&[
        "verify",
        "--model",
        "lb",
        "--check",
        "http",
        "--hang",
        "1",
        "--tick",
        "100ms",
        "--inter",
        "1s",
        "--timeout-check",
        "2s",
        "--request-rate",
        "2",
        "--property",
        "down-detection-time",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let r = &v["results"][0];
    // fall 3 timeouts of 2 s and two waits of 1 s, after 0 to 1 s.
    assert_eq!(
        (r["min"].as_u64(), r["max"].as_u64()),
        (Some(8000), Some(9000))
    );
}

/// The JSON of a measure: its kind, exact extremes, unit and a trace for each extreme, each
/// ending where the quantity is measured.
#[test]
fn a_measure_in_json_has_its_extremes_and_their_traces() {
    let (code, out, err) = kcheck(&[
        "verify",
        "models/lb-haproxy-fast-checks.toml",
        "--property",
        "down-detection-time",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    let r = &v["results"][0];
    assert_eq!(r["kind"], "measure");
    assert_eq!(r["verdict"], "holds");
    assert_eq!(r["unit"], "ms");
    assert_eq!(
        (r["min"].as_u64(), r["max"].as_u64()),
        (Some(400), Some(600))
    );
    for (key, ms) in [("trace_min", "400ms"), ("trace_max", "600ms")] {
        let trace = r[key].as_array().expect("a trace");
        let last = trace.last().expect("steps");
        let changes = last["changes"].to_string();
        assert!(
            changes.contains(&format!("detected {ms} after the failure")),
            "{changes}"
        );
    }
    // An unbounded extreme is the word "unbounded".
    let (_, out, _) = kcheck(&[
        "verify",
        "models/lb-hung-tcp-check.toml",
        "--property",
        "down-detection-time",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["results"][0]["max"], "unbounded");
}

/// A gate row may pin a measure's extremes; a wrong pin fails its row and says what was
/// measured; a pin on a property that is not a measure is refused before anything runs.
#[test]
fn gate_rows_pin_a_measures_extremes() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lb-gate");
    std::fs::create_dir_all(&dir).expect("dir");
    let models = std::fs::canonicalize("models").expect("models");
    let row = |min: u64, max: u64| {
        format!(
            "[[check]]\nscenario = \"{}/lb-haproxy-fast-checks.toml\"\nproperty = \"down-detection-time\"\nexpect = \"holds\"\nmin = {min}\nmax = {max}\n",
            models.display()
        )
    };
    let good = dir.join("good.toml");
    std::fs::write(&good, row(400, 600)).expect("written");
    let (code, out, err) = kcheck(&["gate", good.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{out}{err}");
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, row(400, 500)).expect("written");
    let (code, out, _) = kcheck(&["gate", bad.to_str().expect("utf-8")]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("measured min 400, max 600 (ms); the row pins min 400 max 500"),
        "{out}"
    );
    let wrong = dir.join("wrong.toml");
    std::fs::write(
        &wrong,
        format!(
            "[[check]]\nscenario = \"{}/lb-haproxy.toml\"\nproperty = \"no-failed-requests\"\nexpect = \"violated\"\nmax = 3\n",
            models.display()
        ),
    )
    .expect("written");
    assert_bad_input(
        &["gate", wrong.to_str().expect("utf-8")],
        "min and max pin a measure's extremes; no-failed-requests is not a measure (invariant)",
    );
}

/// verify, the gate and the JSON give one scenario the same verdicts and the same extremes.
#[test]
fn every_surface_says_the_same() {
    let (_, out, _) = kcheck(&["verify", "models/lb-vip.toml", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).expect("json");
    let (_, text, _) = kcheck(&["verify", "models/lb-vip.toml"]);
    let (code, gate, _) = kcheck(&["gate", "properties/lb.toml"]);
    assert_eq!(code, 0, "{gate}");
    for r in v["results"].as_array().expect("results") {
        let name = r["property"].as_str().expect("name");
        let verdict = r["verdict"].as_str().expect("verdict");
        assert!(
            text.lines()
                .any(|l| l.contains(name) && l.contains(&verdict.to_uppercase())),
            "{name} {verdict}: {text}"
        );
        assert!(
            gate.lines().any(|l| {
                let c: Vec<&str> = l.split_whitespace().collect();
                c.get(1) == Some(&"models/lb-vip.toml")
                    && c.get(2) == Some(&name)
                    && c.get(4) == Some(&verdict)
            }),
            "{name} {verdict}: {gate}"
        );
        if r["kind"] == "measure" {
            let words = format!("min {} requests, max {} requests", r["min"], r["max"]);
            assert!(text.contains(&words), "{words}: {text}");
        }
    }
}

/// Mermaid and ITF render a load-balancer counterexample: the client, the balancer and the
/// masters as participants; the failed request as a note.
#[test]
fn traces_render_in_every_format() {
    let (code, out, err) = kcheck(&[
        "verify",
        "models/lb-hung-tcp-check.toml",
        "--property",
        "no-failed-requests",
        "--format",
        "mermaid",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("participant client"), "{out}");
    assert!(out.contains("participant lb1"), "{out}");
    assert!(out.contains("accepted, never answered"), "{out}");
    let (code, out, err) = kcheck(&[
        "verify",
        "models/lb-hung-tcp-check.toml",
        "--property",
        "no-failed-requests",
        "--format",
        "itf",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).expect("itf");
    assert!(v["states"].as_array().is_some_and(|s| s.len() > 1), "{out}");
}

/// `kcheck list` names every model and its properties.
#[test]
fn list_shows_every_model() {
    let (code, out, _) = kcheck(&["list"]);
    assert_eq!(code, 0);
    for line in [
        "raft:",
        "lb:",
        "cluster:",
        "down-detection-time",
        "kubectl-write-availability",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
}

/// Long traces of time passing fold in text: a run of steps that change nothing is one line
/// naming what happened and how often; JSON keeps every step.
#[test]
fn quiet_steps_fold_in_text_and_not_in_json() {
    let args = [
        "verify",
        "models/lb-haproxy.toml",
        "--property",
        "down-detection-time",
    ];
    let (_, text, _) = kcheck(&args);
    assert!(
        text.contains("nothing else happens: 100ms pass ×3, the client sends a request ×2"),
        "{text}"
    );
    let (_, out, _) = kcheck(&[&args[..], &["--format", "json"]].concat());
    let v: Value = serde_json::from_str(&out).expect("json");
    let steps = v["results"][0]["trace_min"]
        .as_array()
        .expect("trace")
        .len();
    assert!(
        text.contains(&format!("minimum, {} steps:", steps - 1)),
        "{text}"
    );
}
