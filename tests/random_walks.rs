//! Property tests: random walks of the Raft model keep every safety invariant, and scenario
//! parsing never panics, whatever the input.

use kcheck::property::Kind;
use kcheck::scenario::Scenario;
use kcheck::systems::raft::{Raft, NO_DISRUPTIVE_REJOIN};
use kcheck::systems::System;
use proptest::prelude::*;
use stateright::Model;

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        1u32..=5,
        0u32..=2,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        2u32..=4,
        0u32..=2,
    )
        .prop_map(
            |(masters, crash, partition, heal, pre_vote, max_term, writes)| Scenario {
                masters,
                crash: Some(crash.min(masters)),
                partition,
                heal,
                pre_vote,
                max_term,
                writes,
                ..Scenario::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_walks_keep_every_safety_invariant(s in scenario(), choices in prop::collection::vec(any::<u16>(), 0..60)) {
        let model = Raft::new(&s.raft().expect("generated scenarios are valid"));
        // Raft's safety; a disruptive rejoin is legal Raft (tests/disruption.rs).
        let invariants: Vec<_> = Raft::catalogue().into_iter().filter_map(|p| match p.kind {
            Kind::Invariant(f) if p.name != NO_DISRUPTIVE_REJOIN => Some((p.name, f)),
            _ => None,
        }).collect();
        let mut state = model.init_states().remove(0);
        let mut actions = Vec::new();
        for choice in choices {
            actions.clear();
            model.actions(&state, &mut actions);
            if actions.is_empty() {
                break;
            }
            let action = actions[choice as usize % actions.len()];
            if let Some(next) = model.next_state(&state, action) {
                state = next;
            }
            for (name, check) in &invariants {
                prop_assert!(check(&model, &state).is_none(), "{} violated after {:?}: {}", name, action, model.summary(&state));
            }
        }
    }

    #[test]
    fn parsing_any_text_never_panics(text in "\\PC{0,200}") {
        if let Ok(s) = Scenario::from_toml(&text, "fuzz.toml") {
            let _ = s.raft();
        }
    }

    #[test]
    fn parsing_near_valid_scenarios_never_panics(masters in any::<i64>(), quorum in any::<i64>(), key in "[a-z-]{1,12}") {
        let text = format!("masters = {masters}\nquorum = {quorum}\n{key} = true\n");
        if let Ok(s) = Scenario::from_toml(&text, "fuzz.toml") {
            let _ = s.raft();
        }
    }
}
