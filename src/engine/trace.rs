//! Shortest traces, rebuilt from parent links by replaying the model.

use stateright::Model;

use crate::systems::System;

use super::Graph;
use crate::property::Trace;

/// The shortest path from an initial state to `id`. Each step's action is found by replaying the
/// model from the previous state, so every trace is one the model can take, action by action.
/// Under symmetry reduction the graph holds representatives; the trace follows concrete states
/// whose representatives are the graph's, and ends in a renaming of state `id`.
pub fn shortest<M: System>(model: &M, graph: &Graph<M>, id: usize) -> Trace<M> {
    let mut ids = vec![id];
    while let Some(p) = graph.parent(*ids.last().expect("non-empty")) {
        ids.push(p);
    }
    ids.reverse();
    along(model, graph, &ids)
}

/// The concrete behaviour along a path of the graph (`ids[0]` a start state, each next id a
/// successor of the one before), replayed step by step from the model.
pub fn along<M: System>(model: &M, graph: &Graph<M>, ids: &[usize]) -> Trace<M> {
    let canon = |s: M::State| model.representative(&s).unwrap_or(s);
    let root = graph.state(ids[0]);
    let root = &*root;
    // A start state that is not one of the model's own (a recoverability search starts from
    // states deep in the main graph) is its own concrete state.
    let init = model
        .init_states()
        .into_iter()
        .find(|s| canon(s.clone()) == *root)
        .unwrap_or_else(|| root.clone());
    let mut steps: Vec<(M::Action, M::State)> = Vec::with_capacity(ids.len() - 1);
    let mut actions = Vec::new();
    for &next in &ids[1..] {
        let from = steps.last().map_or(&init, |(_, s)| s).clone();
        let to = graph.state(next);
        let to = &*to;
        actions.clear();
        model.actions(&from, &mut actions);
        let succ: Vec<(M::Action, M::State)> = actions
            .drain(..)
            .filter_map(|a| model.next_state(&from, a.clone()).map(|t| (a, t)))
            .collect();
        // `from` is a renaming of the graph's parent state, so one of its successors is a
        // renaming of `to`; when members tie, its representative may still differ from `to`.
        let step = match succ.iter().position(|(_, t)| canon(t.clone()) == *to) {
            Some(i) => succ[i].clone(),
            None => succ
                .into_iter()
                .find(|(_, t)| model.same_orbit(&canon(t.clone()), to))
                .expect("every graph edge is a step of the model, up to renaming"),
        };
        steps.push(step);
    }
    Trace { init, steps }
}

/// Re-executes a trace's actions from its initial state: the state each step reaches, or the
/// index of the first step that does not replay.
pub fn replay<M: Model>(model: &M, trace: &Trace<M>) -> Result<M::State, usize>
where
    M::State: Clone + PartialEq,
    M::Action: Clone,
{
    if !model.init_states().contains(&trace.init) {
        return Err(0);
    }
    let mut state = trace.init.clone();
    for (i, (action, expected)) in trace.steps.iter().enumerate() {
        match model.next_state(&state, action.clone()) {
            Some(next) if next == *expected => state = next,
            _ => return Err(i + 1),
        }
    }
    Ok(state)
}
