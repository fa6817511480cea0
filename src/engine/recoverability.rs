//! Recoverability: from every reachable state a goal is still reachable (AG EF goal).
//!
//! Bounds must not fake a verdict: a state may fail to reach the goal only because the model's
//! bounds (the term limit, the write limit) stop it. So the decision has stages.
//! 1. On the main graph, a backward search from the goal marks every state that reaches it.
//! 2. The remaining *suspects* are searched again under the system's extended budget, first in
//!    its restricted form ([`System::recovery`]), whose paths are paths of the extended system.
//! 3. Whatever is still stuck gets the exhaustive search under [`System::extended`]; only a
//!    suspect that cannot reach the goal there is dead.
//!
//! The searches do not expand states that already satisfy the goal, nor states the property's
//! `hopeless` lemma rules out: those answer the question by themselves.
//!
//! The verdict states the budget it was decided under, and a VIOLATED verdict what it rests on
//! ([`Basis`]): proved for every budget when its counterexample ends in a hopeless state,
//! otherwise only within the extended budget. A cut in either search gives INCOMPLETE. Every
//! search of a run answers to the run's one deadline.

use rayon::prelude::*;

use super::{explore, trace, Graph, Limits, Progress, Search, StepFn};
use crate::property::{Basis, Cut, Exhaustive, Goal, Lemma, Verdict, Violation};
use crate::systems::System;

pub fn decide<M: System>(
    model: &M,
    graph: &Graph<M>,
    goal: &Goal<M>,
    hopeless: Lemma<M>,
    spent: Lemma<M>,
    limits: &Limits,
    progress: &(dyn Fn(Progress) + Sync),
) -> Verdict<M> {
    decide_keeping_dead(model, graph, goal, hopeless, spent, None, limits, progress).0
}

/// [`decide`], also returning the dead states it found (ids in `graph`, increasing), or `None`
/// when a cut left them unknown. The web explorer marks each state from them. `at_goal`, when
/// given, is [`at_goal`] of every state, computed by the caller in a pass it makes anyway.
#[allow(clippy::too_many_arguments)]
pub fn decide_keeping_dead<M: System>(
    model: &M,
    graph: &Graph<M>,
    goal: &Goal<M>,
    hopeless: Lemma<M>,
    spent: Lemma<M>,
    at_goal: Option<Vec<bool>>,
    limits: &Limits,
    progress: &(dyn Fn(Progress) + Sync),
) -> (Verdict<M>, Option<Vec<usize>>) {
    match dead_states(
        model, graph, goal, hopeless, spent, at_goal, limits, progress,
    ) {
        Ok(dead) => (verdict(model, graph, hopeless, &dead), Some(dead)),
        Err(cut) => (Verdict::Incomplete(cut), None),
    }
}

fn verdict<M: System>(
    model: &M,
    graph: &Graph<M>,
    hopeless: fn(&M, &M::State) -> bool,
    dead: &[usize],
) -> Verdict<M> {
    let extended = model.extended();
    // A dead state the lemma rules out proves the verdict for every budget; the shallowest such
    // state makes the counterexample when there is one, the shallowest dead state otherwise.
    let proved = dead
        .iter()
        .copied()
        .find(|&id| hopeless(model, &graph.state(id)));
    match proved.or(dead.first().copied()) {
        None => Verdict::Holds {
            proof: Exhaustive::new(format!(
                "from every state within {}, the goal is reachable within {}",
                model.bounds(),
                extended.bounds()
            )),
            witness: None,
            extremes: None,
        },
        Some(first) => {
            let trace = trace::shortest(model, graph, first);
            let (basis, reach) = if proved.is_some() {
                (
                    Basis::Proof,
                    "whatever the budget: a lemma of the model proves it".to_string(),
                )
            } else {
                (
                    Basis::Budget,
                    format!(
                        "within the extended budget ({}); a larger budget was not searched",
                        extended.bounds()
                    ),
                )
            };
            let why = format!(
                "{}; no goal is reachable from here {reach}",
                model.explain_stuck(trace.last()),
            );
            Verdict::Violated(Violation {
                trace: Some(trace),
                why,
                dead_states: Some(dead.len()),
                basis: Some(basis),
                cycle_start: None,
            })
        }
    }
}

/// The ids of the states of `graph` from which no goal is reachable, even within the model's
/// extended budget, in increasing order; or what cut one of the searches.
#[allow(clippy::too_many_arguments)]
pub fn dead_states<M: System>(
    model: &M,
    graph: &Graph<M>,
    goal: &Goal<M>,
    hopeless: Lemma<M>,
    spent: Lemma<M>,
    at_goal: Option<Vec<bool>>,
    limits: &Limits,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<usize>, Cut> {
    if let Some(cut) = graph.cut {
        return Err(cut);
    }
    // The goal counts within the extended budget, so the lemmas are asked of the extended system
    // even on the main graph (every edge of which is an edge of the extended system).
    let extended = model.extended();
    let at_goal = at_goal.unwrap_or_else(|| {
        (0..graph.len())
            .into_par_iter()
            .map(|id| self::at_goal(&extended, graph, goal, id, &graph.state(id)))
            .collect()
    });
    let reaches = reaches_goal(graph, at_goal);
    let suspects: Vec<usize> = (0..graph.len()).filter(|&id| !reaches[id]).collect();
    // First a cheap search in the restricted system: a path found there is a path of the
    // extended system. Only the suspects it cannot clear get the exhaustive extended search,
    // which alone may declare a state dead.
    let quick = model.recovery();
    let cleared = cleared_by_walks(&quick, graph, &suspects, goal, [hopeless, spent], limits)?;
    let mut dead: Vec<usize> = suspects
        .into_iter()
        .zip(cleared)
        .filter_map(|(id, cleared)| (!cleared).then_some(id))
        .collect();
    for system in [&quick, &extended] {
        if dead.is_empty() {
            break;
        }
        dead = still_stuck(
            system,
            graph,
            &dead,
            goal,
            [hopeless, spent],
            limits,
            progress,
        )?;
    }
    Ok(dead)
}

/// The suspects (ids in `graph`) from which `model` cannot reach the goal, found by exploring
/// from all of them at once. States that already satisfy the goal, or are ready for its step,
/// are not expanded: only the region that has not recovered yet is explored. Nor are states the
/// `lemmas` (hopeless, spent) rule out: by the model's lemmas, nothing after them reaches the
/// goal within `model`'s budget.
fn still_stuck<M: System>(
    model: &M,
    graph: &Graph<M>,
    suspects: &[usize],
    goal: &Goal<M>,
    lemmas: [Lemma<M>; 2],
    limits: &Limits,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Vec<usize>, Cut> {
    let starts: Vec<M::State> = suspects
        .iter()
        .map(|&id| graph.state(id).into_owned())
        .collect();
    let done = |s: &M::State| {
        lemmas.iter().any(|lemma| lemma(model, s))
            || match goal {
                Goal::State(f) => f(model, s),
                Goal::Step { ready, .. } => ready(model, s),
            }
    };
    let steps: Vec<StepFn<M>> = match goal {
        Goal::Step { step, .. } => vec![*step],
        Goal::State(_) => Vec::new(),
    };
    let wider = explore(
        model,
        Search {
            init: Some(starts),
            limits: *limits,
            leaf: Some(&done),
            stage: "searching recovery paths",
            progress,
            marks: Some((model, &steps)),
        },
    );
    if let Some(cut) = wider.cut {
        return Err(cut);
    }
    let at_goal = (0..wider.len())
        .into_par_iter()
        .map(|id| self::at_goal(model, &wider, goal, id, &wider.state(id)))
        .collect();
    let reaches = reaches_goal(&wider, at_goal);
    // Look each suspect up rather than trusting start order: two suspects may share one
    // representative in the wider graph.
    let left = suspects
        .iter()
        .filter(|&&id| {
            let s = graph.state(id);
            let s = &*s;
            let start = model.representative(s).unwrap_or_else(|| s.clone());
            !wider.id_of(&start).is_some_and(|w| reaches[w])
        })
        .copied()
        .collect();
    Ok(left)
}

/// States one walk of [`cleared_by_walks`] may visit before it gives up on its suspect.
const WALK: usize = 64;

/// Another pass of [`reaches_goal`] against the ids is made while the last one decided more
/// than this fraction (1 / `PASS_PAYS`) of the states it read.
const PASS_PAYS: usize = 16;

/// Suspects a round of walks takes at once ([`cleared_by_walks`]).
const ROUND: usize = 1024;

/// Which suspects a short walk in `model` takes to the goal: depth first, each state's steps in
/// the order the model lists them (steps likeliest to reach a goal first), giving up after
/// [`WALK`] states. A walk that reaches the goal proves it reachable; one that gives up proves
/// nothing, and its suspect goes on to the searches.
///
/// Every successor of a suspect is a suspect too (a successor that reached the goal would have
/// taken it there), and in breadth-first order most edges lead to a later id. So suspects go in
/// rounds of [`ROUND`], the last ids first, and a suspect with a successor an earlier round
/// cleared is cleared with no walk: that edge and the successor's path make its way. Rounds are
/// cut from the suspects alone and each walk is independent of the others, so the answer does
/// not depend on the thread count. What stops the searches ([`Limits::stop`]) stops the walks,
/// checked once a round.
fn cleared_by_walks<M: System>(
    model: &M,
    graph: &Graph<M>,
    suspects: &[usize],
    goal: &Goal<M>,
    lemmas: [Lemma<M>; 2],
    limits: &Limits,
) -> Result<Vec<bool>, Cut> {
    let mut cleared = vec![false; graph.len()];
    for round in suspects.rchunks(ROUND) {
        if let Some(cut) = limits.stop() {
            return Err(cut);
        }
        let found: Vec<bool> = round
            .par_iter()
            .map(|&id| {
                graph.successors(id).iter().any(|&t| cleared[t as usize])
                    || walks_to_goal(model, &graph.state(id), goal, lemmas)
            })
            .collect();
        for (&id, found) in round.iter().zip(found) {
            cleared[id] = found;
        }
    }
    Ok(suspects.iter().map(|&id| cleared[id]).collect())
}

fn walks_to_goal<M: System>(
    model: &M,
    start: &M::State,
    goal: &Goal<M>,
    lemmas: [Lemma<M>; 2],
) -> bool {
    let reached = |s: &M::State| match goal {
        Goal::State(f) => f(model, s),
        Goal::Step { ready, .. } => ready(model, s),
    };
    if reached(start) {
        return true;
    }
    // Steps are popped from the back: the model's first step first.
    let steps = |s: &M::State| {
        let mut actions = Vec::new();
        model.actions(s, &mut actions);
        actions.reverse();
        actions
    };
    let mut seen = std::collections::HashSet::with_hasher(rustc_hash::FxBuildHasher);
    seen.insert(start.clone());
    let mut stack = vec![(start.clone(), steps(start))];
    while let Some((s, actions)) = stack.last_mut() {
        let Some(action) = actions.pop() else {
            stack.pop();
            continue;
        };
        let Some(t) = model.next_state(s, action) else {
            continue;
        };
        if let Goal::Step { step, .. } = goal {
            if step(model, s, &t) {
                return true;
            }
        }
        if reached(&t) {
            return true;
        }
        if lemmas.iter().any(|lemma| lemma(model, &t)) || !seen.insert(t.clone()) {
            continue;
        }
        if seen.len() > WALK {
            return false;
        }
        let next = steps(&t);
        stack.push((t, next));
    }
    false
}

/// Whether state `id` of `graph` (which is `s`) is at the goal within `model`'s budget: it
/// satisfies the goal, or is ready for the goal's step, or takes the step.
pub fn at_goal<M: System>(
    model: &M,
    graph: &Graph<M>,
    goal: &Goal<M>,
    id: usize,
    s: &M::State,
) -> bool {
    match goal {
        Goal::State(f) => f(model, s),
        // Marked while exploring, or asked of each successor.
        Goal::Step { step, ready } => {
            ready(model, s)
                || graph.takes(id, *step).unwrap_or_else(|| {
                    graph
                        .successors(id)
                        .iter()
                        .any(|&t| step(model, s, &graph.state(t as usize)))
                })
        }
    }
}

/// Which states of an exhaustive graph can reach the goal, from which are at it ([`at_goal`]).
fn reaches_goal<M: System>(graph: &Graph<M>, at_goal: Vec<bool>) -> Vec<bool> {
    let n = graph.len();
    let mut good = at_goal;
    // Passes against the ids: in breadth-first order most edges lead to a later id, so most
    // states that reach the goal learn it in the first pass, with no memory beyond the graph.
    // Later passes read only the states still undecided, as long as they decide enough of them.
    let mut rest: Vec<u32> = (0..n as u32).collect();
    loop {
        let before = rest.len();
        for &id in rest.iter().rev() {
            if !good[id as usize]
                && graph
                    .successors(id as usize)
                    .iter()
                    .any(|&t| good[t as usize])
            {
                good[id as usize] = true;
            }
        }
        rest.retain(|&id| !good[id as usize]);
        if before - rest.len() <= before / PASS_PAYS {
            break;
        }
    }
    // The rest by a backward search, over the edges from states not known to reach the goal
    // (predecessor lists in compressed form: `ends[t]` counts down to where `t`'s list starts,
    // and it ends where `t + 1`'s starts).
    let mut ends = vec![0u32; n + 1];
    for &id in &rest {
        for &t in graph.successors(id as usize) {
            ends[t as usize] += 1;
        }
    }
    for t in 0..n {
        ends[t + 1] += ends[t];
    }
    let mut preds = vec![0u32; ends[n] as usize];
    for &id in &rest {
        for &t in graph.successors(id as usize) {
            ends[t as usize] -= 1;
            preds[ends[t as usize] as usize] = id;
        }
    }
    let mut queue: Vec<u32> = (0..n as u32)
        .filter(|&t| good[t as usize] && ends[t as usize] < ends[t as usize + 1])
        .collect();
    while let Some(t) = queue.pop() {
        for &p in &preds[ends[t as usize] as usize..ends[t as usize + 1] as usize] {
            if !good[p as usize] {
                good[p as usize] = true;
                queue.push(p);
            }
        }
    }
    good
}
