//! Invariants: hold in every reachable state.

use rayon::prelude::*;

use super::{trace, Graph};
use crate::property::{Verdict, Violation};
use crate::systems::System;

/// The first violating state in BFS order is a shallowest one, so its trace is a shortest
/// counterexample. A violation found in a cut search is still a violation.
pub fn decide<M: System>(
    model: &M,
    graph: &Graph<M>,
    check: fn(&M, &M::State) -> Option<String>,
) -> Verdict<M> {
    let first = (0..graph.len())
        .into_par_iter()
        .find_first(|&id| check(model, &graph.state(id)).is_some());
    match first {
        Some(id) => {
            // Why, in the names of the trace's own final state (the graph holds a renaming).
            let trace = trace::shortest(model, graph, id);
            let why = check(model, trace.last())
                .or_else(|| check(model, &graph.state(id)))
                .unwrap_or_default();
            Verdict::Violated(Violation {
                trace: Some(trace),
                why,
                dead_states: None,
                cycle_start: None,
                basis: None,
            })
        }
        None => match graph.exhaustive() {
            Some(proof) => Verdict::Holds {
                proof,
                witness: None,
                extremes: None,
            },
            None => {
                Verdict::Incomplete(graph.cut.expect("a search that is not exhaustive was cut"))
            }
        },
    }
}
