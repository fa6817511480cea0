//! Invariants: hold in every reachable state.

use rayon::prelude::*;

use super::{trace, Graph};
use crate::property::{Verdict, Violation};
use crate::systems::System;

/// An invariant's check: why a state violates it, if it does.
pub type Check<M> = fn(&M, &<M as stateright::Model>::State) -> Option<String>;

/// The first violating state in BFS order is a shallowest one, so its trace is a shortest
/// counterexample. A violation found in a cut search is still a violation.
pub fn decide<M: System>(model: &M, graph: &Graph<M>, check: Check<M>) -> Verdict<M> {
    let first = (0..graph.len())
        .into_par_iter()
        .find_first(|&id| check(model, &graph.state(id)).is_some());
    verdict(model, graph, check, first)
}

/// [`decide`] for several invariants in one pass over the states: each state is read (decoded,
/// for a packed store) once for all of them.
pub fn decide_many<M: System>(model: &M, graph: &Graph<M>, checks: &[Check<M>]) -> Vec<Verdict<M>> {
    let none = || vec![None::<usize>; checks.len()];
    let first = (0..graph.len())
        .into_par_iter()
        .fold(none, |mut first, id| {
            // Within one fold ids only grow: an invariant already violated here is done.
            if first.iter().any(Option::is_none) {
                let s = graph.state(id);
                for (found, check) in first.iter_mut().zip(checks) {
                    if found.is_none() && check(model, &s).is_some() {
                        *found = Some(id);
                    }
                }
            }
            first
        })
        .reduce(none, |a, b| {
            a.into_iter()
                .zip(b)
                .map(|(a, b)| match (a, b) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                })
                .collect()
        });
    checks
        .iter()
        .zip(first)
        .map(|(&check, first)| verdict(model, graph, check, first))
        .collect()
}

fn verdict<M: System>(
    model: &M,
    graph: &Graph<M>,
    check: Check<M>,
    first: Option<usize>,
) -> Verdict<M> {
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
