//! kcheck's exploration engine, over stateright's [`Model`] trait.
//!
//! Breadth-first and deterministic: states are interned in an insertion-ordered map, so ids are
//! dense, assigned in BFS order, and the same input gives the same ids and the same traces
//! whatever the thread count. Each state keeps its parent (for shortest traces) and its
//! successors (for the backward searches of recoverability). Frontier chunks are expanded in
//! parallel with rayon; interning stays sequential, in frontier order, which is what makes the
//! ids deterministic. `--max-states` and `--timeout` cut the search, and a cut search can never
//! yield HOLDS.

mod graph;
pub mod invariant;
pub mod possibility;
pub mod recoverability;
pub mod trace;

pub use graph::{explore, Graph, Limits, Progress, Search};

use crate::property::{Kind, Property, Verdict};
use crate::systems::System;

/// Decides one property on an explored graph.
pub fn decide<M: System>(
    model: &M,
    graph: &Graph<M>,
    property: &Property<M>,
    limits: &Limits,
) -> Verdict<M> {
    match &property.kind {
        Kind::Invariant(check) => invariant::decide(model, graph, *check),
        Kind::Possibility(goal) => possibility::decide(model, graph, *goal),
        Kind::Recoverability(goal) => recoverability::decide(model, graph, goal, limits),
    }
}
