//! The explored state graph.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use stateright::Model;

use super::store::{Missed, Store};

use crate::property::{Cut, Exhaustive};
use crate::systems::System;

/// No parent: an initial state.
pub(crate) const ROOT: u32 = u32::MAX;

/// States expanded per parallel batch: big enough to keep both cores busy, small enough that
/// the batch's successors stay a modest allocation.
const CHUNK: usize = 8192;

/// Where a search must stop.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_states: usize,
    /// When the whole run must stop: every search of the run checks the same deadline.
    pub timeout: Option<Deadline>,
}

impl Limits {
    /// What stops the run now, whatever the search: the deadline, Ctrl-C, or the memory limit.
    /// Every search, and any other long pass of a decision, asks it as it goes.
    pub fn stop(&self) -> Option<Cut> {
        if let Some(deadline) = self.timeout.filter(Deadline::passed) {
            Some(Cut::Time(deadline.given()))
        } else if interrupted() {
            Some(Cut::Interrupted)
        } else {
            super::memory::exceeded().map(Cut::Memory)
        }
    }
}

/// A point in time a run must stop at, and the time limit it was set from (as the user gave
/// it, for messages).
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    at: Option<Instant>,
    given: Duration,
}

impl Deadline {
    /// The deadline `given` from now.
    pub fn from_now(given: Duration) -> Self {
        Deadline {
            at: Instant::now().checked_add(given),
            given,
        }
    }

    pub fn passed(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }

    pub fn given(&self) -> Duration {
        self.given
    }
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Asks every running search, and every search after it, to stop (Ctrl-C): what they cut is
/// INCOMPLETE. Searches check it where they check the deadline.
pub fn interrupt() {
    INTERRUPTED.store(true, Ordering::Relaxed);
}

/// Whether [`interrupt`] was called.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// A snapshot of a running search, for progress reports.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// What is being searched: the model's states, or recovery paths from the suspects.
    pub stage: &'static str,
    pub states: usize,
    pub depth: usize,
    pub elapsed: Duration,
}

/// The reachable state graph (or the part explored before a cut).
pub struct Graph<M: System> {
    states: M::Store,
    parent: Vec<u32>,
    /// Successors of state `i` are `edges[edge_start[i]..edge_start[i + 1]]`; only expanded
    /// states have an entry.
    edge_start: Vec<u32>,
    edges: Vec<u32>,
    /// Number of initial states (ids `0..roots`).
    roots: usize,
    pub depth: usize,
    pub cut: Option<Cut>,
    pub elapsed: Duration,
    bounds: String,
    /// The steps marked while exploring ([`Search::marks`]), and for each expanded state the
    /// bitset of those some successor takes.
    marked: Vec<StepFn<M>>,
    takes: Vec<u8>,
}

impl<M: System> Graph<M> {
    pub fn len(&self) -> usize {
        self.states.len()
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The state with this id: the interned state itself, or decoded from its encoding.
    pub fn state(&self, id: usize) -> Cow<'_, M::State> {
        self.states.get(id)
    }

    /// The id of an interned state.
    pub fn id_of(&self, state: &M::State) -> Option<usize> {
        self.states
            .lookup(state, &mut Default::default())
            .ok()
            .map(|id| id as usize)
    }

    /// Every state, by id.
    pub fn states(&self) -> impl Iterator<Item = Cow<'_, M::State>> {
        (0..self.len()).map(|id| self.state(id))
    }

    pub fn parent(&self, id: usize) -> Option<usize> {
        let p = self.parent[id];
        (p != ROOT).then_some(p as usize)
    }

    pub fn roots(&self) -> usize {
        self.roots
    }

    /// Successor ids of an expanded state.
    pub fn successors(&self, id: usize) -> &[u32] {
        &self.edges[self.edge_start[id] as usize..self.edge_start[id + 1] as usize]
    }

    /// Whether some successor of an expanded state takes `step`, if the step was marked while
    /// exploring ([`Search::marks`]); `None` when it was not.
    pub fn takes(&self, id: usize, step: StepFn<M>) -> Option<bool> {
        let k = self
            .marked
            .iter()
            .position(|&m| std::ptr::fn_addr_eq(m, step))?;
        Some(self.takes.get(id).is_some_and(|t| t >> k & 1 == 1))
    }

    /// A proof of exhaustiveness, if nothing cut the search.
    pub fn exhaustive(&self) -> Option<Exhaustive> {
        self.cut
            .is_none()
            .then(|| Exhaustive::new(self.bounds.clone()))
    }

    /// Bytes held per state: the interned states, their index, parents and edges.
    pub fn bytes_per_state(&self) -> f64 {
        let n = self.states.len().max(1);
        let links = self.parent.capacity() * 4
            + self.edge_start.capacity() * 4
            + self.edges.capacity() * 4
            + self.takes.capacity();
        (self.states.bytes() + links) as f64 / n as f64
    }
}

/// What one exploring task found for a run of consecutive states of a batch.
struct Part<T: Store> {
    /// For each state, where its successors end in `found`.
    ends: Vec<u32>,
    /// Each successor: its id if interned, else its hash and key.
    found: Vec<Result<u32, (u64, T::Key)>>,
    /// For each state, the bitset of marked steps one of its successors takes.
    taken: Vec<u8>,
    /// Where the look-ups kept what they missed.
    spill: T::Spill,
}

/// Marks a successor a look-up missed, once its key has gone to the store: no state has this id
/// (it is [`ROOT`]).
const MISSED: u32 = u32::MAX;

/// States per exploring task: enough tasks per batch to balance the threads.
const PART: usize = 256;

/// A predicate on states, shared by the exploring threads.
pub type StatePredicate<'a, S> = &'a (dyn Fn(&S) -> bool + Sync);

/// What to explore and how.
pub struct Search<'a, M: Model> {
    /// Start states; `None` for the model's initial states.
    pub init: Option<Vec<M::State>>,
    pub limits: Limits,
    /// States not to expand: their successors cannot change the answer sought.
    pub leaf: Option<StatePredicate<'a, M::State>>,
    /// Names the search in progress reports.
    pub stage: &'static str,
    /// Called about once per batch.
    pub progress: &'a (dyn Fn(Progress) + Sync),
    /// Steps to mark while exploring, asked of the model given with them: for each expanded
    /// state, which of them some successor takes ([`Graph::takes`]). The model must be the one
    /// the graph's deciders will ask (the extended system, for recoverability on the main graph).
    pub marks: Option<(&'a M, &'a [StepFn<M>])>,
}

/// A predicate on a step from one state to the next.
pub type StepFn<M> = fn(&M, &<M as Model>::State, &<M as Model>::State) -> bool;

impl<'a, M: Model> Search<'a, M> {
    /// Everything reachable from the model's initial states.
    pub fn whole(limits: Limits, progress: &'a (dyn Fn(Progress) + Sync)) -> Self {
        Search {
            init: None,
            limits,
            leaf: None,
            stage: "exploring",
            progress,
            marks: None,
        }
    }
}

/// Explores everything reachable from the model's initial states, with no progress report.
pub fn explore_all<M: System>(model: &M, limits: Limits) -> Graph<M> {
    explore(model, Search::whole(limits, &|_| {}))
}

/// Explores every state reachable from the start states, breadth first, until done or a limit
/// cuts it.
pub fn explore<M: System>(model: &M, search: Search<'_, M>) -> Graph<M> {
    let Search {
        init,
        limits,
        leaf,
        stage,
        progress,
        marks,
    } = search;
    let start = Instant::now();
    let mut g: Graph<M> = Graph {
        states: M::Store::new(),
        parent: Vec::new(),
        edge_start: vec![0],
        edges: Vec::new(),
        roots: 0,
        depth: 0,
        cut: None,
        elapsed: Duration::ZERO,
        bounds: model.bounds(),
        marked: marks.map_or_else(Vec::new, |(_, steps)| steps.to_vec()),
        takes: Vec::new(),
    };
    assert!(g.marked.len() <= 8, "at most 8 steps are marked");
    let mut spill = Default::default();
    let mut missed = Vec::new();
    for s in init.unwrap_or_else(|| model.init_states()) {
        let s = model.representative(&s).unwrap_or(s);
        if let Err((hash, key)) = g.states.lookup(&s, &mut spill) {
            missed.push(Missed {
                hash,
                spill: 0,
                key,
            });
        }
    }
    let fresh = g.states.intern(&[spill], missed);
    for id in fresh {
        // A first mention gets the next id; a repeat an earlier one.
        if id as usize == g.parent.len() {
            g.parent.push(ROOT);
        }
    }
    g.roots = g.states.len();

    let mut next = 0usize;
    let mut level_end = g.states.len();
    while next < g.states.len() {
        if g.states.len() > limits.max_states {
            g.cut = Some(Cut::States(limits.max_states));
            break;
        }
        if let Some(cut) = limits.stop() {
            g.cut = Some(cut);
            break;
        }
        let end = level_end.min(next + CHUNK);
        // The parallel part: successors, their representatives and a read-only look-up of the
        // states interned in earlier batches (most successors are), a run of states per task.
        let mut parts: Vec<Part<M::Store>> = (next..end)
            .step_by(PART)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|from| {
                let mut part = Part {
                    ends: Vec::with_capacity(PART),
                    found: Vec::new(),
                    taken: Vec::new(),
                    spill: Default::default(),
                };
                let mut actions = Vec::new();
                let mut asked = Vec::new();
                // Each successor is written over this one state.
                let mut next: Option<M::State> = None;
                for id in from..(from + PART).min(end) {
                    let s = g.state(id);
                    let s = &*s;
                    let mut taken = 0u8;
                    if !leaf.is_some_and(|leaf| leaf(s)) {
                        actions.clear();
                        model.actions(s, &mut actions);
                        for a in actions.drain(..) {
                            let t = match &mut next {
                                Some(t) => {
                                    t.clone_from(s);
                                    t
                                }
                                None => next.insert(s.clone()),
                            };
                            if !model.next_state_into(s, a, t) {
                                continue;
                            }
                            let rep = model.representative(t);
                            let t = rep.as_ref().unwrap_or(t);
                            if let Some((asked, steps)) = marks {
                                for (k, step) in steps.iter().enumerate() {
                                    if step(asked, s, t) {
                                        taken |= 1 << k;
                                    }
                                }
                            }
                            asked.push(g.states.ask(t, &mut part.spill));
                        }
                        // A state's look-ups are answered together, so their fetches overlap.
                        g.states
                            .answer(&mut asked, &mut part.spill, &mut part.found);
                    }
                    part.ends.push(part.found.len() as u32);
                    if marks.is_some() {
                        part.taken.push(taken);
                    }
                }
                part
            })
            .collect();
        // What the look-ups missed, in frontier order, with the state that found each; the
        // store gives the new ones their ids in that order. A missed successor's place keeps
        // `MISSED` once its key is taken.
        let mut missed = Vec::new();
        let mut finders = Vec::new();
        let mut spills = Vec::with_capacity(parts.len());
        let mut source = next as u32;
        for (p, part) in parts.iter_mut().enumerate() {
            let mut k = 0;
            for &e in &part.ends {
                for f in &mut part.found[k..e as usize] {
                    match std::mem::replace(f, Ok(MISSED)) {
                        Ok(id) => *f = Ok(id),
                        Err((hash, key)) => {
                            missed.push(Missed {
                                hash,
                                spill: p as u32,
                                key,
                            });
                            finders.push(source);
                        }
                    }
                }
                k = e as usize;
                source += 1;
            }
            spills.push(std::mem::take(&mut part.spill));
        }
        let ids = g.states.intern(&spills, missed);
        drop(spills);
        for (&id, &finder) in ids.iter().zip(&finders) {
            // A first mention gets the next id; a repeat an earlier one.
            if id as usize == g.parent.len() {
                g.parent.push(finder);
            }
        }
        let mut interned = ids.into_iter();
        for part in parts {
            g.takes.extend(part.taken);
            let mut k = 0;
            for e in part.ends {
                for f in &part.found[k..e as usize] {
                    g.edges.push(match *f {
                        Ok(MISSED) | Err(_) => {
                            interned.next().expect("an id for each missed state")
                        }
                        Ok(id) => id,
                    });
                }
                k = e as usize;
                g.edge_start.push(g.edges.len() as u32);
            }
        }
        next = end;
        if next == level_end && next < g.states.len() {
            g.depth += 1;
            level_end = g.states.len();
        }
        progress(Progress {
            stage,
            states: g.states.len(),
            depth: g.depth,
            elapsed: start.elapsed(),
        });
    }
    g.states.shrink();
    g.parent.shrink_to_fit();
    g.edge_start.shrink_to_fit();
    g.edges.shrink_to_fit();
    g.takes.shrink_to_fit();
    g.elapsed = start.elapsed();
    g
}
