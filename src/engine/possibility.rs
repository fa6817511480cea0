//! Possibilities: some reachable state satisfies the condition.

use rayon::prelude::*;

use super::{trace, Graph};
use crate::property::{Verdict, Violation};
use crate::systems::System;

/// A witness proves a possibility even in a cut search; its absence proves nothing unless the
/// search was exhaustive.
pub fn decide<M: System>(
    model: &M,
    graph: &Graph<M>,
    goal: fn(&M, &M::State) -> bool,
) -> Verdict<M> {
    let first = (0..graph.len())
        .into_par_iter()
        .find_first(|&id| goal(model, &graph.state(id)));
    match (first, graph.exhaustive()) {
        (Some(id), _) => Verdict::Holds {
            proof: crate::property::Exhaustive::new(format!("witnessed within {}", model.bounds())),
            witness: Some(trace::shortest(model, graph, id)),
            extremes: None,
        },
        (None, Some(_)) => Verdict::Violated(Violation {
            trace: None,
            why: format!("no reachable state satisfies it within {}", model.bounds()),
            dead_states: None,
            cycle_start: None,
            basis: None,
        }),
        (None, None) => {
            Verdict::Incomplete(graph.cut.expect("a search that is not exhaustive was cut"))
        }
    }
}
