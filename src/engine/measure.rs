//! Measures: the exact minimum and maximum of a quantity over all behaviours.
//!
//! The quantity is read off the states where it is measured; the extremes over the reachable
//! states are the extremes over all behaviours, and only an exhaustive search knows them: a
//! cut search is INCOMPLETE even when it measured something. Each extreme comes with a
//! shortest behaviour that attains it (the first such state in BFS order).

use rayon::prelude::*;

use super::{trace, Graph};
use crate::property::{Amount, Exhaustive, Extremes, Verdict};
use crate::systems::System;

pub fn decide<M: System>(
    model: &M,
    graph: &Graph<M>,
    value: fn(&M, &M::State) -> Option<Amount>,
    unit: &'static str,
) -> Verdict<M> {
    let Some(proof) = graph.exhaustive() else {
        return Verdict::Incomplete(graph.cut.expect("a search that is not exhaustive was cut"));
    };
    let measured: Vec<(Amount, usize)> = (0..graph.len())
        .into_par_iter()
        .filter_map(|id| value(model, &graph.state(id)).map(|a| (a, id)))
        .collect();
    // Ids rise in BFS order: among equal amounts, the first state found has a shortest trace.
    let min = measured.iter().copied().min();
    let max = measured
        .iter()
        .copied()
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    match (min, max) {
        (Some((lo, lo_id)), Some((hi, hi_id))) => Verdict::Holds {
            proof: Exhaustive::new(proof.bounds().to_string()),
            witness: None,
            extremes: Some(Box::new(Extremes {
                unit,
                min: (lo, trace::shortest(model, graph, lo_id)),
                max: (hi, trace::shortest(model, graph, hi_id)),
            })),
        },
        // Exhaustive, and no behaviour has the quantity at all (a server that can never be
        // marked down is never marked up again): nothing to measure, and nothing violated.
        _ => Verdict::Holds {
            proof: Exhaustive::new(format!(
                "no behaviour has one to measure, for all behaviours with {}",
                proof.bounds()
            )),
            witness: None,
            extremes: None,
        },
    }
}
