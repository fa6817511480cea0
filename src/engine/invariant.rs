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
    decide_many_marking(model, graph, checks, &[]).0
}

/// What else a pass over the states may compute of each: a bit per state.
pub type Mark<'a, M> = &'a (dyn Fn(usize, &<M as stateright::Model>::State) -> bool + Sync);

/// States a task of the pass reads.
const TASK: usize = 4096;

/// [`decide_many`], computing in the same pass one bit per state for each of `marks` (such as
/// which states are at a recoverability goal): each state is read once for all of them.
pub fn decide_many_marking<M: System>(
    model: &M,
    graph: &Graph<M>,
    checks: &[Check<M>],
    marks: &[Mark<'_, M>],
) -> (Vec<Verdict<M>>, Vec<Vec<bool>>) {
    let n = graph.len();
    // Per task: the first violation of each invariant in it, and its states' bits.
    type Found = (Vec<Option<usize>>, Vec<Vec<bool>>);
    let tasks: Vec<Found> = (0..n)
        .step_by(TASK)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|from| {
            let mut first = vec![None::<usize>; checks.len()];
            let mut bits = vec![Vec::new(); marks.len()];
            for id in from..(from + TASK).min(n) {
                // Within a task ids only grow: an invariant already violated here is done.
                if marks.is_empty() && first.iter().all(Option::is_some) {
                    break;
                }
                let s = graph.state(id);
                for (found, check) in first.iter_mut().zip(checks) {
                    if found.is_none() && check(model, &s).is_some() {
                        *found = Some(id);
                    }
                }
                for (bits, mark) in bits.iter_mut().zip(marks) {
                    bits.push(mark(id, &s));
                }
            }
            (first, bits)
        })
        .collect();
    let mut first = vec![None::<usize>; checks.len()];
    let mut bits = vec![Vec::with_capacity(n); marks.len()];
    // Tasks in id order: the first violation found is the first in BFS order.
    for (found, more) in tasks {
        for (first, found) in first.iter_mut().zip(found) {
            *first = first.or(found);
        }
        for (bits, more) in bits.iter_mut().zip(more) {
            bits.extend(more);
        }
    }
    let verdicts = checks
        .iter()
        .zip(first)
        .map(|(&check, first)| verdict(model, graph, check, first))
        .collect();
    (verdicts, bits)
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
