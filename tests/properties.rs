//! Every row of the gate files in `properties/`: the shipped scenarios keep their verdicts.

use std::path::Path;

use kcheck::check::{verify, Options};
use kcheck::scenario::Scenario;
use serde::Deserialize;

#[derive(Deserialize)]
struct GateFile {
    check: Vec<Row>,
}

#[derive(Deserialize)]
struct Row {
    scenario: String,
    property: String,
    expect: String,
}

#[test]
fn shipped_scenarios_keep_their_verdicts() {
    let mut rows = 0;
    for entry in std::fs::read_dir("properties").expect("properties/") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let gate: GateFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for row in gate.check {
            let scenario = Scenario::from_file(Path::new(&row.scenario)).expect("scenario file");
            let options = Options {
                properties: vec![row.property.clone()],
                max_states: 5_000_000,
                timeout: None,
                progress: false,
            };
            let report = verify(&scenario, &options).expect("valid");
            assert_eq!(
                report.results[0].verdict, row.expect,
                "{} {}",
                row.scenario, row.property
            );
            rows += 1;
        }
    }
    assert!(rows >= 10, "gate rows checked: {rows}");
}
