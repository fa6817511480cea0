//! kcheck's exploration engine, over stateright's [`Model`] trait.
//!
//! Breadth-first and deterministic: states are interned in the system's [`store`] (the structs
//! themselves, or their packed encodings), which gives dense ids in insertion order, so ids are
//! assigned in BFS order, and the same input gives the same ids and the same traces whatever the
//! thread count. Each state keeps its parent (for shortest traces) and its
//! successors (for the backward searches of recoverability). Frontier chunks are expanded in
//! parallel with rayon; interning stays sequential, in frontier order, which is what makes the
//! ids deterministic. `--max-states`, `--timeout` and `--max-memory` cut the search, and a cut
//! search can never yield HOLDS.

mod graph;
pub mod invariant;
pub mod liveness;
pub mod measure;
pub mod memory;
pub mod possibility;
pub mod recoverability;
pub mod store;
pub mod trace;

pub use graph::{
    explore, explore_all, interrupt, interrupted, Deadline, Graph, Limits, Progress, Search, StepFn,
};

use crate::property::{Kind, Property, Verdict};
use crate::systems::System;

/// Decides one property on an explored graph.
pub fn decide<M: System>(
    model: &M,
    graph: &Graph<M>,
    property: &Property<M>,
    limits: &Limits,
) -> Verdict<M> {
    decide_reporting(model, graph, property, limits, &|_| {})
}

/// [`decide`], reporting the progress of any further search it needs.
pub fn decide_reporting<M: System>(
    model: &M,
    graph: &Graph<M>,
    property: &Property<M>,
    limits: &Limits,
    progress: &(dyn Fn(Progress) + Sync),
) -> Verdict<M> {
    match &property.kind {
        Kind::Invariant(check) => invariant::decide(model, graph, *check),
        Kind::Possibility(goal) => possibility::decide(model, graph, *goal),
        Kind::Recoverability {
            goal,
            hopeless,
            spent,
        } => recoverability::decide(model, graph, goal, *hopeless, *spent, limits, progress),
        Kind::Measure { value, unit } => measure::decide(model, graph, *value, unit),
        Kind::Liveness(form) => match model.for_liveness() {
            // Decided on the model's abstraction for liveness, explored within the same limits.
            Some(live) => {
                let graph = explore(
                    &live,
                    Search {
                        stage: "exploring for liveness",
                        ..Search::whole(*limits, progress)
                    },
                );
                liveness::decide(&live, &graph, form)
            }
            None => liveness::decide(model, graph, form),
        },
    }
}

#[cfg(test)]
mod tests {
    //! The engine on a toy system small enough to reason about by hand: a counter that can
    //! step up to its bound or drop to a sink it never leaves.

    use serde::Serialize;

    use super::*;
    use crate::property::{Basis, Cut, Goal};

    #[derive(Clone)]
    struct Counter {
        max: u8,
        sink: bool,
    }

    #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
    enum State {
        At(u8),
        Sink,
    }

    impl stateright::Model for Counter {
        type State = State;
        type Action = u8;
        fn init_states(&self) -> Vec<State> {
            vec![State::At(0)]
        }
        fn actions(&self, s: &State, actions: &mut Vec<u8>) {
            if let State::At(n) = s {
                if *n < self.max {
                    actions.push(1);
                }
                actions.push(0);
                if self.sink {
                    actions.push(2);
                }
            }
        }
        fn next_state(&self, s: &State, a: u8) -> Option<State> {
            let State::At(n) = s else { return None };
            let next = match a {
                1 => State::At(n + 1),
                0 => State::At(0),
                _ => State::Sink,
            };
            (next != *s).then_some(next)
        }
    }

    impl System for Counter {
        type Store = crate::engine::store::Plain<<Self as stateright::Model>::State>;
        fn catalogue() -> Vec<Property<Self>> {
            vec![
                Property {
                    name: "reaches-3",
                    meaning: "the counter can reach 3",
                    kind: Kind::Possibility(|_, s| *s == State::At(3)),
                },
                Property {
                    name: "back-to-zero",
                    meaning: "zero is always reachable again",
                    kind: Kind::Recoverability {
                        goal: Goal::State(|_, s| *s == State::At(0)),
                        hopeless: |_, s| *s == State::Sink,
                        spent: |_, _| false,
                    },
                },
                Property {
                    name: "back-to-zero-unproved",
                    meaning: "zero is always reachable again, with no lemma to prove otherwise",
                    kind: Kind::Recoverability {
                        goal: Goal::State(|_, s| *s == State::At(0)),
                        hopeless: |_, _| false,
                        spent: |_, _| false,
                    },
                },
                Property {
                    name: "never-max",
                    meaning: "the counter never reaches its bound",
                    kind: Kind::Invariant(|c, s| {
                        (*s == State::At(c.max)).then(|| "at the bound".to_string())
                    }),
                },
            ]
        }
        fn bounds(&self) -> String {
            format!("count ≤ {}", self.max)
        }
        fn extended(&self) -> Self {
            Counter {
                max: self.max + 1,
                ..self.clone()
            }
        }
        fn recovery(&self) -> Self {
            self.extended()
        }
        fn describe(&self, a: &u8) -> String {
            a.to_string()
        }
        fn summary(&self, s: &State) -> String {
            format!("{s:?}")
        }
        fn changes(&self, _: &State, b: &State) -> Vec<String> {
            vec![format!("{b:?}")]
        }
        fn explain_stuck(&self, _: &State) -> String {
            "in the sink".to_string()
        }
    }

    fn verdicts(c: &Counter, max_states: usize) -> Vec<&'static str> {
        let limits = Limits {
            max_states,
            timeout: None,
        };
        let graph = explore_all(c, limits);
        Counter::catalogue()
            .iter()
            .map(|p| decide(c, &graph, p, &limits).label())
            .collect()
    }

    #[test]
    fn each_kind_holds_and_fails_where_it_should() {
        assert_eq!(
            verdicts(
                &Counter {
                    max: 5,
                    sink: false
                },
                100
            ),
            ["holds", "holds", "holds", "violated"]
        );
        assert_eq!(
            verdicts(&Counter { max: 2, sink: true }, 100),
            ["violated", "violated", "violated", "violated"]
        );
    }

    #[test]
    fn a_cut_search_never_holds() {
        // Three states fit; the counter's bound (5) and the possibility (3) lie beyond the cut.
        assert_eq!(
            verdicts(
                &Counter {
                    max: 5,
                    sink: false
                },
                2
            ),
            ["incomplete", "incomplete", "incomplete", "incomplete"]
        );
    }

    #[test]
    fn a_violated_recoverability_says_whether_a_lemma_proves_it() {
        let c = Counter { max: 2, sink: true };
        let limits = Limits {
            max_states: 100,
            timeout: None,
        };
        let graph = explore_all(&c, limits);
        let basis = |name: &str| {
            let p = Counter::catalogue()
                .into_iter()
                .find(|p| p.name == name)
                .expect("in the catalogue");
            match decide(&c, &graph, &p, &limits) {
                Verdict::Violated(v) => (v.basis, v.why),
                _ => panic!("{name} should be violated"),
            }
        };
        // The sink is hopeless by the lemma: whatever the budget, zero is never reached again.
        let (proved, why) = basis("back-to-zero");
        assert_eq!(proved, Some(Basis::Proof));
        assert!(why.contains("whatever the budget"), "{why}");
        // The same dead state, with no lemma to rule it out: only the budget searched says so.
        let (searched, why) = basis("back-to-zero-unproved");
        assert_eq!(searched, Some(Basis::Budget));
        assert!(
            why.contains("within the extended budget (count ≤ 3)"),
            "{why}"
        );
    }

    #[test]
    fn a_passed_deadline_cuts_the_search_and_names_the_limit_given() {
        let c = Counter { max: 5, sink: true };
        let limits = Limits {
            max_states: 100,
            timeout: Some(Deadline::from_now(std::time::Duration::ZERO)),
        };
        let graph = explore_all(&c, limits);
        assert_eq!(graph.cut, Some(Cut::Time(std::time::Duration::ZERO)));
    }

    #[test]
    fn a_decision_after_the_deadline_is_incomplete() {
        // Explored in time; the deadline passes before recoverability clears its suspects.
        let c = Counter { max: 2, sink: true };
        let graph = explore_all(
            &c,
            Limits {
                max_states: 100,
                timeout: None,
            },
        );
        let late = Limits {
            max_states: 100,
            timeout: Some(Deadline::from_now(std::time::Duration::ZERO)),
        };
        let p = Counter::catalogue()
            .into_iter()
            .find(|p| p.name == "back-to-zero")
            .expect("in the catalogue");
        let verdict = decide(&c, &graph, &p, &late);
        assert!(
            matches!(verdict, Verdict::Incomplete(Cut::Time(_))),
            "{}",
            verdict.label()
        );
    }

    #[test]
    fn ids_are_breadth_first_and_traces_shortest() {
        let c = Counter { max: 4, sink: true };
        let limits = Limits {
            max_states: 100,
            timeout: None,
        };
        let graph = explore_all(&c, limits);
        let states: Vec<_> = graph.states().map(|s| s.into_owned()).collect();
        assert_eq!(states[..3], [State::At(0), State::At(1), State::Sink]);
        let last = graph.len() - 1;
        assert_eq!(trace::shortest(&c, &graph, last).steps.len(), 4);
        assert_eq!(graph.depth, 4);
    }
}
