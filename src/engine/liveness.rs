//! Liveness under weak fairness, decided on the explored graph's strongly connected components.
//!
//! A model names its weakly fair action classes ([`System::fairness`]); a behaviour is fair when
//! every class that stays enabled from some point on is taken again and again. Each form of
//! property is violated exactly when some fair behaviour stays, from some point on, inside a set
//! of "bad" states:
//! - ◇□ P: a fair behaviour that visits ¬P again and again (bad: every state, and the cycle must
//!   hold a ¬P state);
//! - □◇ P: a fair behaviour that from some point on never satisfies P (bad: the ¬P states);
//! - □(P → ◇Q): a fair behaviour that reaches P ∧ ¬Q and then never Q (bad: the ¬Q states
//!   reachable through ¬Q states from a P ∧ ¬Q state).
//!
//! On a finite graph such a behaviour ends in a cycle, and the cycle lies in one strongly
//! connected component (SCC) of the bad states' subgraph. An SCC holds a fair cycle exactly when
//! each fair class is taken on one of its edges or disabled in one of its states: then the cycle
//! through all of its edges is fair; otherwise some class is enabled throughout every cycle in
//! it and never taken. Nothing obliges a step of a class that is not fair (a fault, a client's
//! request): a bad state where no fair class is enabled is a behaviour that stays there for ever. The SCCs come from an iterative Tarjan pass (no
//! recursion, so no depth limit); the classes taken on an SCC's edges come from expanding its
//! states again, which only states on cycles of the bad subgraph need.
//!
//! A violation is a lasso: the shortest prefix to the cycle's first state, then a cycle
//! through that component which takes or sees disabled every fair class, back to a state equal
//! to the first up to the model's renaming. [`Violation::cycle_start`] says where it starts.
//!
//! ## A bound never makes a lasso
//! Models bound their counters (terms, writes) to stay finite, and a bound can make cycles and
//! dead ends the real system does not have. kcheck keeps two rules:
//! - a model never saturates a counter (a step past the bound is disabled, never turned into a
//!   step that changes nothing), so every cycle of the graph is a cycle of real steps;
//! - a class the bound disables in a state ([`System::blocked`]) counts there as enabled and not
//!   taken: a cycle whose only way to be fair is a step the bound forbids is not fair, and a
//!   state where the bound stops a fair step is not one a behaviour may stay in.
//!
//! A verdict that holds therefore speaks of the behaviours within the bounds: one that the bound
//! stops is followed no further, and the verdict's bounds say in how many states that happens. A model whose interesting behaviours grow a counter for ever
//! (terms in an endless election) gives liveness an abstraction in which they close into real
//! cycles ([`System::for_liveness`]).

use rayon::prelude::*;

use super::{trace, Graph};
use crate::property::{Cut, Exhaustive, Liveness, Verdict, Violation};
use crate::systems::System;

pub fn decide<M: System>(model: &M, graph: &Graph<M>, form: &Liveness<M>) -> Verdict<M> {
    let Some(proof) = graph.exhaustive() else {
        return Verdict::Incomplete(graph.cut.expect("a search that is not exhaustive was cut"));
    };
    let n = graph.len();
    let eval = |f: fn(&M, &M::State) -> bool| -> Vec<bool> {
        (0..n)
            .into_par_iter()
            .map(|id| f(model, &graph.state(id)))
            .collect()
    };
    // The bad states, the states a cycle must visit, and (leads-to) how each bad state is
    // reached from a trigger through bad states.
    #[allow(clippy::type_complexity)]
    let (bad, must, from_trigger): (
        Vec<bool>,
        Option<Vec<bool>>,
        Option<(Vec<u32>, Vec<u32>)>,
    ) = match form {
        Liveness::EventuallyAlways(p) => {
            let not_p: Vec<bool> = eval(*p).into_iter().map(|b| !b).collect();
            (vec![true; n], Some(not_p), None)
        }
        Liveness::AlwaysEventually(p) => (eval(*p).into_iter().map(|b| !b).collect(), None, None),
        Liveness::LeadsTo(p, q) => {
            let (p, q) = (eval(*p), eval(*q));
            let (bad, pred, order) = reached_from_triggers(graph, &p, &q);
            (bad, None, Some((pred, order)))
        }
    };
    let names = model.fairness();
    let classes = names.len().min(128);
    let all_classes: u128 = if classes >= 128 {
        u128::MAX
    } else {
        (1u128 << classes) - 1
    };
    let random = model.random_classes();
    // Component labels: the states of one component share one; `NONE` outside every one.
    let mut comp = vec![NONE; n];
    let mut labels = 0u32;
    let cyclic = |states: &[usize]| {
        states.len() > 1 || graph.successors(states[0]).contains(&(states[0] as u32))
    };
    let wanted = |states: &[usize]| {
        cyclic(states)
            && must
                .as_ref()
                .is_none_or(|must| states.iter().any(|&s| must[s]))
    };
    let mut work: Vec<Vec<usize>> = Vec::new();
    for states in sccs(graph, 0..n, |id| bad[id]) {
        for &s in &states {
            comp[s] = labels;
        }
        labels += 1;
        if wanted(&states) {
            work.push(states);
        }
    }
    // The fair components, each with its classes: taken on an edge, disabled in a state. A
    // state with a random step out of its component is visited only finitely often by a fair
    // behaviour that stays in it: it is taken out, and the rest split again.
    let mut fair: Vec<(Vec<usize>, Fairness)> = Vec::new();
    // Whether a component lost a state only because the bound blocks a random step there: the
    // step might have stayed inside, so a fair cycle might exist beyond the bound.
    let mut bound_broke = false;
    while let Some(states) = work.pop() {
        let (f, escaping, blocked_only) = fairness(model, graph, &states, &comp, random);
        bound_broke |= blocked_only;
        if escaping.is_empty() {
            if (f.taken | f.disabled) & all_classes == all_classes {
                fair.push((states, f));
            }
            continue;
        }
        let here = comp[states[0]];
        for &s in &escaping {
            comp[s] = NONE;
        }
        let rest: Vec<usize> = states.into_iter().filter(|&s| comp[s] != NONE).collect();
        let inside = |id: usize| comp[id] == here;
        let parts = sccs(graph, rest.iter().copied(), inside);
        for part in parts {
            for &s in &part {
                comp[s] = labels;
            }
            labels += 1;
            if wanted(&part) {
                work.push(part);
            }
        }
    }
    fair.sort_by_key(|(states, _)| states[0]);
    // A bad state where no fair class is enabled: nothing obliges the behaviour to leave it,
    // so it may stay there for ever (stuttering). A state where the bound blocks a fair step
    // is not one of them.
    let quiet: Vec<(usize, u128)> = (0..n)
        .into_par_iter()
        .filter(|&id| bad[id] && must.as_ref().is_none_or(|must| must[id]))
        .map(|id| (id, enabled_classes(model, &graph.state(id))))
        .filter(|&(_, enabled)| enabled == 0)
        .collect();
    // Where a lasso may start soonest: the first state in BFS order, or for leads-to the first
    // one reached from a trigger.
    let rank = |id: usize| {
        from_trigger
            .as_ref()
            .map_or(id as u32, |(_, order)| order[id])
    };
    let dead_end = quiet.iter().map(|&(id, _)| id).min_by_key(|&id| rank(id));
    let at_bound = (0..n)
        .into_par_iter()
        .filter(|&id| bad[id] && model.blocked(&graph.state(id)) != 0)
        .count();
    // The violation whose cycle starts earliest in BFS order.
    let cycle = fair
        .iter()
        .map(|(states, f)| {
            let entry = *states.iter().min_by_key(|&&s| rank(s)).expect("non-empty");
            (entry, Some((&states[..], f)))
        })
        .min_by_key(|(entry, _)| rank(*entry));
    let chosen = match (cycle, dead_end) {
        (Some((entry, _)), Some(d)) if rank(d) < rank(entry) => (d, None),
        (Some((entry, c)), _) => (entry, c),
        (None, Some(d)) => (d, None),
        (None, None) if bound_broke => return Verdict::Incomplete(Cut::Bound),
        (None, None) => {
            let bounds = if at_bound == 0 {
                proof.bounds().to_string()
            } else {
                format!(
                    "{}; behaviours the bound stops (in {at_bound} state{}) are followed no further",
                    proof.bounds(),
                    if at_bound == 1 { "" } else { "s" }
                )
            };
            return Verdict::Holds {
                proof: Exhaustive::new(bounds),
                witness: None,
                extremes: None,
            };
        }
    };
    let (entry, component) = chosen;
    let mut ids = prefix(
        graph,
        entry,
        from_trigger.as_ref().map(|(pred, _)| &pred[..]),
    );
    let cycle_start = ids.len() - 1;
    let why = match component {
        Some((states, f)) => {
            let loop_ids = lap(graph, entry, states, &comp, f, must.as_deref());
            ids.extend_from_slice(&loop_ids[1..]);
            let taken: Vec<&str> = (0..classes)
                .filter(|k| f.taken >> k & 1 == 1)
                .map(|k| names[k].as_str())
                .collect();
            let mut why = format!(
                "from step {cycle_start} on, the behaviour repeats a cycle of {} step{} for ever{}",
                loop_ids.len() - 1,
                if loop_ids.len() == 2 { "" } else { "s" },
                match form {
                    Liveness::EventuallyAlways(_) => ", leaving the goal again and again",
                    Liveness::AlwaysEventually(_) => " and never reaches the goal",
                    Liveness::LeadsTo(..) => " and never reaches what the condition leads to",
                }
            );
            if !taken.is_empty() {
                why += &format!("; fair steps it takes: {}", taken.join(", "));
            }
            why += "; every other fair step is disabled somewhere on it";
            why
        }
        None => format!(
            "from step {cycle_start} on, no fair step is enabled, so the behaviour may stay there for ever; the goal does not hold there"
        ),
    };
    Verdict::Violated(Violation {
        trace: Some(trace::along(model, graph, &ids)),
        why,
        dead_states: None,
        basis: None,
        cycle_start: Some(cycle_start),
    })
}

/// Not in the bad subgraph.
const NONE: u32 = u32::MAX;

/// The fair classes enabled in a state, those the bound blocks included.
fn enabled_classes<M: System>(model: &M, s: &M::State) -> u128 {
    let mut actions = Vec::new();
    model.actions(s, &mut actions);
    actions
        .iter()
        .filter_map(|a| model.fair_class(a))
        .filter(|&k| k < 128)
        .fold(model.blocked(s), |m, k| m | 1 << k)
}

/// What a component's fair classes do: taken on one of its edges, disabled in one of its
/// states (a class the bound blocks counts as enabled).
#[derive(Clone, Debug)]
struct Fairness {
    taken: u128,
    disabled: u128,
    /// An edge taking each class, and a state disabling it, for building the cycle.
    taking: Vec<Option<(usize, usize)>>,
    disabling: Vec<Option<usize>>,
}

fn fairness<M: System>(
    model: &M,
    graph: &Graph<M>,
    states: &[usize],
    comp: &[u32],
    random: u128,
) -> (Fairness, Vec<usize>, bool) {
    let classes = model.fairness().len().min(128);
    let here = comp[states[0]];
    let mut f = Fairness {
        taken: 0,
        disabled: 0,
        taking: vec![None; classes],
        disabling: vec![None; classes],
    };
    let mut escaping = Vec::new();
    let mut blocked_only = false;
    let mut actions = Vec::new();
    for &id in states {
        let s = graph.state(id);
        let s = &*s;
        let mut enabled = model.blocked(s);
        actions.clear();
        model.actions(s, &mut actions);
        let mut escapes = false;
        for a in actions.drain(..) {
            let Some(k) = model.fair_class(&a).filter(|&k| k < 128) else {
                continue;
            };
            enabled |= 1 << k;
            let chance = random >> k & 1 == 1;
            if f.taken >> k & 1 == 1 && !chance {
                continue;
            }
            let Some(next) = model.next_state(s, a) else {
                continue;
            };
            let next = model.representative(&next).unwrap_or(next);
            match graph.id_of(&next).filter(|&t| comp[t] == here) {
                Some(t) if f.taken >> k & 1 == 0 => {
                    f.taken |= 1 << k;
                    f.taking[k] = Some((id, t));
                }
                Some(_) => {}
                None => escapes |= chance,
            }
        }
        // A random step the bound blocks would be taken eventually: it leaves the cycle, as
        // far as the bound lets us see.
        let blocked = model.blocked(s) & random != 0;
        if escapes || blocked {
            escaping.push(id);
        }
        blocked_only |= blocked && !escapes;
        for k in 0..classes {
            if enabled >> k & 1 == 0 && f.disabled >> k & 1 == 0 {
                f.disabled |= 1 << k;
                f.disabling[k] = Some(id);
            }
        }
    }
    (f, escaping, blocked_only)
}

/// The shortest path from an initial state to `entry`; for leads-to, through the trigger it was
/// reached from and then through bad states only.
fn prefix<M: System>(graph: &Graph<M>, entry: usize, from_trigger: Option<&[u32]>) -> Vec<usize> {
    let mut tail = vec![entry];
    if let Some(pred) = from_trigger {
        while pred[*tail.last().expect("non-empty")] != NONE {
            tail.push(pred[*tail.last().expect("non-empty")] as usize);
        }
    }
    let mut head = Vec::new();
    let mut at = *tail.last().expect("non-empty");
    while let Some(p) = graph.parent(at) {
        head.push(p);
        at = p;
    }
    head.reverse();
    tail.reverse();
    head.extend(tail);
    head
}

/// A cycle through the component from `entry` back to it that takes or sees disabled
/// every fair class, and visits a state of `must` if given.
fn lap<M: System>(
    graph: &Graph<M>,
    entry: usize,
    states: &[usize],
    comp: &[u32],
    f: &Fairness,
    must: Option<&[bool]>,
) -> Vec<usize> {
    let mut waypoints: Vec<(usize, Option<usize>)> = Vec::new();
    for k in 0..f.taking.len() {
        if let Some(s) = f.disabling[k] {
            waypoints.push((s, None));
        } else if let Some((s, t)) = f.taking[k] {
            waypoints.push((s, Some(t)));
        }
    }
    if let Some(must) = must {
        if let Some(&s) = states.iter().find(|&&s| must[s]) {
            waypoints.push((s, None));
        }
    }
    let mut path = vec![entry];
    for (s, then) in waypoints {
        let at = *path.last().expect("non-empty");
        path.extend_from_slice(&within(graph, comp, at, s)[1..]);
        if let Some(t) = then {
            path.push(t);
        }
    }
    // Back to the start, by at least one step.
    let at = *path.last().expect("non-empty");
    if path.len() == 1 {
        let next = graph
            .successors(at)
            .iter()
            .map(|&t| t as usize)
            .find(|&t| comp[t] == comp[at])
            .expect("a cyclic component has an edge inside");
        path.push(next);
    }
    let at = *path.last().expect("non-empty");
    path.extend_from_slice(&within(graph, comp, at, entry)[1..]);
    path
}

/// A shortest path from `from` to `to` inside their component (breadth first).
fn within<M: System>(graph: &Graph<M>, comp: &[u32], from: usize, to: usize) -> Vec<usize> {
    if from == to {
        return vec![from];
    }
    let here = comp[from];
    let mut pred: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    let mut queue = std::collections::VecDeque::from([from]);
    while let Some(s) = queue.pop_front() {
        for &t in graph.successors(s) {
            let t = t as usize;
            if comp[t] != here || t == from || pred.contains_key(&t) {
                continue;
            }
            pred.insert(t, s);
            if t == to {
                let mut path = vec![to];
                while let Some(&p) = pred.get(path.last().expect("non-empty")) {
                    path.push(p);
                }
                path.reverse();
                return path;
            }
            queue.push_back(t);
        }
    }
    unreachable!("states of one strongly connected component reach each other")
}

/// Leads-to's bad states: the ¬Q states reachable through ¬Q states from a P ∧ ¬Q state, each
/// with the bad state it was first reached from (`NONE` for a trigger) and its place in the
/// breadth-first order of that search.
fn reached_from_triggers<M: System>(
    graph: &Graph<M>,
    p: &[bool],
    q: &[bool],
) -> (Vec<bool>, Vec<u32>, Vec<u32>) {
    let n = graph.len();
    let mut bad = vec![false; n];
    let mut pred = vec![NONE; n];
    let mut order = vec![NONE; n];
    let mut queue = std::collections::VecDeque::new();
    for id in 0..n {
        if p[id] && !q[id] {
            bad[id] = true;
            queue.push_back(id);
        }
    }
    let mut next = 0u32;
    while let Some(s) = queue.pop_front() {
        order[s] = next;
        next += 1;
        for &t in graph.successors(s) {
            let t = t as usize;
            if !bad[t] && !q[t] {
                bad[t] = true;
                pred[t] = s as u32;
                queue.push_back(t);
            }
        }
    }
    (bad, pred, order)
}

/// Tarjan's strongly connected components of the subgraph the `keep` states induce, found
/// from `roots` (each a kept state), with an explicit stack: no recursion, so no depth limit.
fn sccs<M: System>(
    graph: &Graph<M>,
    roots: impl Iterator<Item = usize>,
    keep: impl Fn(usize) -> bool,
) -> Vec<Vec<usize>> {
    let n = graph.len();
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut found = Vec::new();
    // (state, next successor to look at)
    let mut calls: Vec<(u32, u32)> = Vec::new();
    let mut next_index = 0u32;
    for root in roots {
        if !keep(root) || index[root] != NONE {
            continue;
        }
        calls.push((root as u32, 0));
        while let Some(&(v, from)) = calls.last() {
            let vu = v as usize;
            if from == 0 && index[vu] == NONE {
                index[vu] = next_index;
                low[vu] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[vu] = true;
            }
            let succ = graph.successors(vu);
            let mut i = from as usize;
            let mut child = None;
            while i < succ.len() {
                let w = succ[i] as usize;
                i += 1;
                if !keep(w) {
                    continue;
                }
                if index[w] == NONE {
                    child = Some(w);
                    break;
                } else if on_stack[w] {
                    low[vu] = low[vu].min(index[w]);
                }
            }
            calls.last_mut().expect("v is being visited").1 = i as u32;
            if let Some(w) = child {
                calls.push((w as u32, 0));
                continue;
            }
            // Every successor seen: close v's component if it is a root, then return.
            if low[vu] == index[vu] {
                let mut component = Vec::new();
                loop {
                    let w = stack.pop().expect("v is on the stack") as usize;
                    on_stack[w] = false;
                    component.push(w);
                    if w == vu {
                        break;
                    }
                }
                component.sort_unstable();
                found.push(component);
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                let p = parent as usize;
                low[p] = low[p].min(low[vu]);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    //! Each form of liveness on toy systems small enough to check by hand: one where it holds
    //! and one where it fails, with and without fairness, and a bound that would fake a lasso.

    use serde::Serialize;
    use stateright::Model;

    use super::*;
    use crate::engine::{explore_all, trace, Limits};
    use crate::property::{Kind, Property};

    /// A job of `steps` units of work, each a fair step; an unfair reset may throw the work
    /// away, and an unfair ping flips a bit back and forth. With `fair` false, nothing obliges
    /// the worker to work.
    #[derive(Clone)]
    struct Job {
        steps: u8,
        reset: bool,
        fair: bool,
        ping: bool,
    }

    #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
    struct JobState {
        done: u8,
        finished: bool,
        pinged: bool,
    }

    #[derive(Clone, Debug, PartialEq, Eq)]
    enum JobAction {
        Work,
        Finish,
        Reset,
        Ping,
    }

    impl Model for Job {
        type State = JobState;
        type Action = JobAction;
        fn init_states(&self) -> Vec<JobState> {
            vec![JobState {
                done: 0,
                finished: false,
                pinged: false,
            }]
        }
        fn actions(&self, s: &JobState, actions: &mut Vec<JobAction>) {
            if s.finished {
                return;
            }
            actions.push(if s.done < self.steps {
                JobAction::Work
            } else {
                JobAction::Finish
            });
            if self.reset && s.done > 0 {
                actions.push(JobAction::Reset);
            }
            if self.ping {
                actions.push(JobAction::Ping);
            }
        }
        fn next_state(&self, s: &JobState, a: JobAction) -> Option<JobState> {
            let mut t = s.clone();
            match a {
                JobAction::Work => t.done += 1,
                JobAction::Finish => t.finished = true,
                JobAction::Reset => t.done = 0,
                JobAction::Ping => t.pinged = !t.pinged,
            }
            Some(t)
        }
    }

    impl System for Job {
        type Store = crate::engine::store::Plain<<Self as stateright::Model>::State>;
        fn catalogue() -> Vec<Property<Self>> {
            vec![
                Property {
                    name: "finishes",
                    meaning: "the job ends finished and stays so",
                    kind: Kind::Liveness(Liveness::EventuallyAlways(|_, s: &JobState| s.finished)),
                },
                Property {
                    name: "started-leads-to-finished",
                    meaning: "a started job is eventually finished",
                    kind: Kind::Liveness(Liveness::LeadsTo(
                        |_, s: &JobState| s.done > 0,
                        |_, s: &JobState| s.finished,
                    )),
                },
                Property {
                    name: "finished-again-and-again",
                    meaning: "the job is finished infinitely often",
                    kind: Kind::Liveness(Liveness::AlwaysEventually(|_, s: &JobState| s.finished)),
                },
            ]
        }
        fn bounds(&self) -> String {
            format!("{} steps", self.steps)
        }
        fn extended(&self) -> Self {
            self.clone()
        }
        fn recovery(&self) -> Self {
            self.clone()
        }
        fn describe(&self, a: &JobAction) -> String {
            format!("{a:?}")
        }
        fn summary(&self, s: &JobState) -> String {
            format!("{s:?}")
        }
        fn changes(&self, _: &JobState, b: &JobState) -> Vec<String> {
            vec![format!("{b:?}")]
        }
        fn explain_stuck(&self, _: &JobState) -> String {
            String::new()
        }
        fn fairness(&self) -> Vec<String> {
            vec!["work".to_string()]
        }
        fn fair_class(&self, a: &JobAction) -> Option<usize> {
            (self.fair && matches!(a, JobAction::Work | JobAction::Finish)).then_some(0)
        }
    }

    fn limits() -> Limits {
        Limits {
            max_states: 1000,
            timeout: None,
        }
    }

    /// Each property's verdict, and for a violation where its cycle starts and how long the
    /// lasso is; every lasso replays on the model.
    fn decide_each<M: System>(m: &M) -> Vec<(&'static str, Option<(usize, usize)>)>
    where
        M::State: PartialEq,
    {
        let graph = explore_all(m, limits());
        M::catalogue()
            .iter()
            .map(|p| {
                let Kind::Liveness(form) = &p.kind else {
                    panic!("liveness only")
                };
                let verdict = decide(m, &graph, form);
                let lasso = match &verdict {
                    Verdict::Violated(v) => {
                        let t = v.trace.as_ref().expect("a lasso");
                        assert!(trace::replay(m, t).is_ok(), "{} replays", p.name);
                        let start = v.cycle_start.expect("a cycle start");
                        let states: Vec<&M::State> = std::iter::once(&t.init)
                            .chain(t.steps.iter().map(|(_, s)| s))
                            .collect();
                        // The cycle closes on its first state (or stays there).
                        assert_eq!(states[start], *states.last().expect("states"));
                        Some((start, t.steps.len()))
                    }
                    _ => None,
                };
                (verdict.label(), lasso)
            })
            .collect()
    }

    #[test]
    fn a_fair_worker_finishes() {
        let job = Job {
            steps: 2,
            reset: false,
            fair: true,
            ping: false,
        };
        assert_eq!(
            decide_each(&job),
            [("holds", None), ("holds", None), ("holds", None)]
        );
    }

    /// Resets throw the work away again and again: a fair cycle (work is taken in it) that
    /// never finishes.
    #[test]
    fn resets_make_a_fair_cycle_that_never_finishes() {
        let job = Job {
            steps: 2,
            reset: true,
            fair: true,
            ping: false,
        };
        assert_eq!(
            decide_each(&job),
            [
                ("violated", Some((0, 2))),
                ("violated", Some((1, 3))),
                ("violated", Some((0, 2)))
            ]
        );
    }

    /// With no fairness nothing obliges the worker to work: it may stay idle for ever.
    #[test]
    fn without_fairness_the_worker_may_never_work() {
        let job = Job {
            steps: 2,
            reset: false,
            fair: false,
            ping: false,
        };
        let verdicts = decide_each(&job);
        assert_eq!(verdicts[0], ("violated", Some((0, 0))));
        // Leads-to needs a started job first: one step of work, then idleness.
        assert_eq!(verdicts[1], ("violated", Some((1, 1))));
        assert_eq!(verdicts[2], ("violated", Some((0, 0))));
    }

    /// Pings cycle for ever, but work stays enabled throughout that cycle and is never taken
    /// in it: not a fair behaviour. Without fairness it is one.
    #[test]
    fn a_cycle_that_starves_a_fair_class_is_not_fair() {
        let mut job = Job {
            steps: 2,
            reset: false,
            fair: true,
            ping: true,
        };
        assert_eq!(
            decide_each(&job),
            [("holds", None), ("holds", None), ("holds", None)]
        );
        job.fair = false;
        assert_eq!(decide_each(&job)[0], ("violated", Some((0, 2))));
    }

    /// A retry counter bounded at `bound`: the job succeeds on attempt 3. The real system always
    /// succeeds; a model that saturates its counter at a bound below 3 turns "retry" into a step
    /// that changes nothing, a cycle the real system does not have.
    #[derive(Clone)]
    struct Retry {
        bound: u8,
        saturate: bool,
    }

    impl Model for Retry {
        type State = (u8, bool);
        type Action = ();
        fn init_states(&self) -> Vec<(u8, bool)> {
            vec![(0, false)]
        }
        fn actions(&self, s: &(u8, bool), actions: &mut Vec<()>) {
            if !s.1 && (s.0 < self.bound || self.saturate) {
                actions.push(());
            }
        }
        fn next_state(&self, s: &(u8, bool), _: ()) -> Option<(u8, bool)> {
            let attempt = (s.0 + 1).min(self.bound);
            Some((attempt, attempt >= 3))
        }
    }

    impl System for Retry {
        type Store = crate::engine::store::Plain<<Self as stateright::Model>::State>;
        fn catalogue() -> Vec<Property<Self>> {
            vec![Property {
                name: "succeeds",
                meaning: "the retries end in success",
                kind: Kind::Liveness(Liveness::EventuallyAlways(|_, s: &(u8, bool)| s.1)),
            }]
        }
        fn bounds(&self) -> String {
            format!("attempts ≤ {}", self.bound)
        }
        fn extended(&self) -> Self {
            self.clone()
        }
        fn recovery(&self) -> Self {
            self.clone()
        }
        fn describe(&self, _: &()) -> String {
            "retry".to_string()
        }
        fn summary(&self, s: &(u8, bool)) -> String {
            format!("{s:?}")
        }
        fn changes(&self, _: &(u8, bool), b: &(u8, bool)) -> Vec<String> {
            vec![format!("{b:?}")]
        }
        fn explain_stuck(&self, _: &(u8, bool)) -> String {
            String::new()
        }
        fn fairness(&self) -> Vec<String> {
            vec!["retry".to_string()]
        }
        fn fair_class(&self, _: &()) -> Option<usize> {
            Some(0)
        }
        fn blocked(&self, s: &(u8, bool)) -> u128 {
            u128::from(!s.1 && s.0 >= self.bound && !self.saturate)
        }
    }

    #[test]
    fn a_bound_does_not_fake_a_lasso() {
        // Saturating at 2: "retry" at the bound is a step back to the same state, a fair
        // self-loop that never succeeds. A lasso the real system does not have.
        let saturating = Retry {
            bound: 2,
            saturate: true,
        };
        assert_eq!(decide_each(&saturating), [("violated", Some((2, 3)))]);
        // kcheck's rule: the bound disables the step and says so. No lasso, and the verdict's
        // bounds say the bound stopped a behaviour.
        let blocking = Retry {
            bound: 2,
            saturate: false,
        };
        assert_eq!(decide_each(&blocking), [("holds", None)]);
        let graph = explore_all(&blocking, limits());
        let Kind::Liveness(form) = &Retry::catalogue().remove(0).kind else {
            unreachable!()
        };
        let Verdict::Holds { proof, .. } = decide(&blocking, &graph, form) else {
            panic!("holds within the bound")
        };
        assert!(
            proof.bounds().contains("the bound stops (in 1 state)"),
            "{}",
            proof.bounds()
        );
        // Room enough: success, with nothing stopped.
        let roomy = Retry {
            bound: 5,
            saturate: false,
        };
        assert_eq!(decide_each(&roomy), [("holds", None)]);
    }

    /// The SCC pass on a long chain and a big cycle: no recursion, so no stack overflow.
    #[test]
    fn deep_graphs_need_no_recursion() {
        let job = Job {
            steps: 200,
            reset: true,
            fair: true,
            ping: false,
        };
        let verdicts = decide_each(&job);
        assert_eq!(verdicts[0].0, "violated");
        let job = Job {
            steps: 200,
            reset: false,
            fair: true,
            ping: false,
        };
        assert_eq!(decide_each(&job)[0], ("holds", None));
    }
}
