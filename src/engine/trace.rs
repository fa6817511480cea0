//! Shortest traces, rebuilt from parent links by replaying the model.

use stateright::Model;

use super::Graph;
use crate::property::Trace;

/// The shortest path from an initial state to `id`. Each step's action is found by replaying the
/// model from the previous state, so every trace is one the model can take, action by action.
pub fn shortest<M: Model>(model: &M, graph: &Graph<M>, id: usize) -> Trace<M>
where
    M::State: Clone + PartialEq,
    M::Action: Clone,
{
    let mut ids = vec![id];
    while let Some(p) = graph.parent(*ids.last().expect("non-empty")) {
        ids.push(p);
    }
    ids.reverse();
    let init = graph.state(ids[0]).clone();
    let mut steps = Vec::with_capacity(ids.len() - 1);
    let mut actions = Vec::new();
    for pair in ids.windows(2) {
        let (from, to) = (graph.state(pair[0]), graph.state(pair[1]));
        actions.clear();
        model.actions(from, &mut actions);
        let action = actions
            .drain(..)
            .find(|a| model.next_state(from, a.clone()).as_ref() == Some(to))
            .expect("every graph edge is a step of the model");
        steps.push((action, to.clone()));
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
