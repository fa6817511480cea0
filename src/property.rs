//! Properties, their kinds, and verdicts.
//!
//! A property is data: a stable kebab-case name, a one-line meaning and a kind that says how the
//! engine decides it. Every system exports a catalogue of them; the CLI, `list` and the reports
//! all read that same catalogue.
//!
//! **A property never names a member.** The engine explores one representative per renaming of
//! a system's interchangeable components ([`System::representative`]), which is sound only
//! because every property gives a state and each of its renamings the same answer. "Some member
//! is leader" may be a property; "m2 is never leader" may not: with symmetry on it would hold
//! (the representative of every state names its leader `m1`) though m2 can lead. To speak of a
//! particular member, keep in the state something that moves with it under renaming (Raft's
//! `failover-possible` finds the first leader as the one member of term 1 that voted for
//! itself). The tests decide every catalogue property with symmetry on and off and require the
//! same verdicts.
//!
//! [`System::representative`]: crate::systems::System::representative

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use stateright::Model;

/// A named property of a model. Its functions must be blind to renaming of the members: see the
/// module docs.
pub struct Property<M: Model> {
    pub name: &'static str,
    pub meaning: &'static str,
    pub kind: Kind<M>,
}

/// A lemma of a model about one state (checked by the model's tests).
pub type Lemma<M> = fn(&M, &<M as Model>::State) -> bool;

/// How a property is decided. Every function here (conditions, goals, steps, lemmas) must give
/// a state and each renaming of its members the same answer, or symmetry reduction changes the
/// verdict.
pub enum Kind<M: Model> {
    /// Holds in every reachable state. The function says why a state violates it.
    Invariant(fn(&M, &M::State) -> Option<String>),
    /// Some reachable state satisfies it.
    Possibility(fn(&M, &M::State) -> bool),
    /// From every reachable state a goal is still reachable (AG EF goal). Two lemmas of the
    /// model (checked by its tests) stop recovery searches early:
    /// - `hopeless` marks states from which the goal can never be reached, *whatever the
    ///   budget*; a counterexample ending in one is proved (see [`Basis::Proof`]);
    /// - `spent` marks states from which the goal cannot be reached within the system's own
    ///   budget (every write used, say): it prunes a search and proves nothing beyond it.
    Recoverability {
        goal: Goal<M>,
        hopeless: Lemma<M>,
        spent: Lemma<M>,
    },
    /// An exact minimum and maximum over all behaviours: `value` reads the quantity off the
    /// state where it is measured (the step that marks a server down, say), `None` elsewhere.
    Measure {
        value: fn(&M, &M::State) -> Option<Amount>,
        unit: &'static str,
    },
    /// Every behaviour that is fair to the model's fair action classes
    /// ([`System::fairness`](crate::systems::System::fairness)) satisfies the formula. Decided
    /// on the graph's strongly connected components; a violation is a lasso.
    Liveness(Liveness<M>),
}

/// The three forms of a liveness property, over state predicates.
pub enum Liveness<M: Model> {
    /// ◇□ P: every fair behaviour reaches P and stays there (convergence).
    EventuallyAlways(fn(&M, &M::State) -> bool),
    /// □(P → ◇Q): whenever P holds, Q holds then or later (leads-to).
    LeadsTo(fn(&M, &M::State) -> bool, fn(&M, &M::State) -> bool),
    /// □◇ P: P holds again and again, for ever.
    AlwaysEventually(fn(&M, &M::State) -> bool),
}

impl<M: Model> Liveness<M> {
    /// The form in words.
    pub fn form(&self) -> &'static str {
        match self {
            Liveness::EventuallyAlways(_) => "eventually always",
            Liveness::LeadsTo(..) => "leads to",
            Liveness::AlwaysEventually(_) => "always eventually",
        }
    }
}

/// A measured quantity: a number, or no bound at all (a hung server a TCP check never marks
/// down).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Amount {
    Finite(u64),
    Unbounded,
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Finite(n) => write!(f, "{n}"),
            Amount::Unbounded => f.write_str("unbounded"),
        }
    }
}

/// The extremes of a measure, each with a behaviour that attains it.
pub struct Extremes<M: Model> {
    pub unit: &'static str,
    pub min: (Amount, Trace<M>),
    pub max: (Amount, Trace<M>),
}

/// The goal of a recoverability property: a state, or a step (such as "a new write commits").
pub enum Goal<M: Model> {
    State(fn(&M, &M::State) -> bool),
    Step {
        step: fn(&M, &M::State, &M::State) -> bool,
        /// States from which the system it is given takes the step within that system's own
        /// budget, by a lemma of the model (checked by its tests against exhaustive search).
        /// The engine asks it of the extended system (on the main graph and in the extended
        /// search) and of the recovery system (in its search). Spares re-exploring them.
        ready: fn(&M, &M::State) -> bool,
    },
}

impl<M: Model> Kind<M> {
    pub fn label(&self) -> &'static str {
        match self {
            Kind::Invariant(_) => "invariant",
            Kind::Possibility(_) => "possibility",
            Kind::Recoverability { .. } => "recoverability",
            Kind::Measure { .. } => "measure",
            Kind::Liveness(_) => "liveness",
        }
    }
}

/// A path through the model: the initial state and each step taken from it.
#[derive(Clone, Debug)]
pub struct Trace<M: Model> {
    pub init: M::State,
    pub steps: Vec<(M::Action, M::State)>,
}

impl<M: Model> Trace<M> {
    pub fn last(&self) -> &M::State {
        self.steps.last().map_or(&self.init, |(_, s)| s)
    }
}

/// Proof that a search ran to its end within the bounds it states. Only the engine makes one,
/// and a HOLDS verdict cannot be built without it.
#[derive(Clone, Debug)]
pub struct Exhaustive {
    bounds: String,
}

impl Exhaustive {
    pub(crate) fn new(bounds: String) -> Self {
        Exhaustive { bounds }
    }

    pub fn bounds(&self) -> &str {
        &self.bounds
    }
}

/// Why a search stopped before it was exhaustive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    States(usize),
    /// The time limit as the user gave it.
    Time(Duration),
    /// The user interrupted the run (Ctrl-C).
    Interrupted,
    /// The process reached the memory limit (in bytes).
    Memory(u64),
    /// Liveness: a bound of the model stops behaviours that might avoid the goal for ever.
    Bound,
}

impl fmt::Display for Cut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cut::States(n) => write!(f, "the state limit ({n} states, --max-states) was reached"),
            // To the nanosecond a duration holds, without trailing zeros: as the user wrote it.
            Cut::Time(d) => {
                let seconds = format!("{}.{:09}", d.as_secs(), d.subsec_nanos());
                let seconds = seconds.trim_end_matches('0').trim_end_matches('.');
                write!(f, "the time limit ({seconds} s, --timeout) was reached")
            }
            Cut::Interrupted => write!(f, "interrupted (Ctrl-C)"),
            Cut::Memory(limit) => write!(
                f,
                "the memory limit ({}, --max-memory) was reached",
                crate::engine::memory::show_size(*limit)
            ),
            Cut::Bound => write!(
                f,
                "the model's bound stops behaviours that might never reach the goal (a larger bound, such as --max-term, may decide it)"
            ),
        }
    }
}

/// The verdict on one property.
#[must_use]
pub enum Verdict<M: Model> {
    /// Exhaustive within the stated bounds. A possibility carries the witness that shows it.
    Holds {
        proof: Exhaustive,
        witness: Option<Trace<M>>,
        /// A measure's extremes.
        extremes: Option<Box<Extremes<M>>>,
    },
    /// A counterexample (none for an unreachable possibility) and why it fails there.
    Violated(Violation<M>),
    /// A limit cut the search and nothing was violated.
    Incomplete(Cut),
}

pub struct Violation<M: Model> {
    pub trace: Option<Trace<M>>,
    pub why: String,
    /// For recoverability: how many reachable states no goal can be reached from.
    pub dead_states: Option<usize>,
    /// For recoverability: what the verdict rests on.
    pub basis: Option<Basis>,
    /// For liveness: the trace is a lasso, and its cycle starts at this state (0 is the
    /// initial state, `k` the state after step `k`); the last state closes the cycle, equal to
    /// that one up to the model's renaming (or the same state, stuttering, when nothing more
    /// can happen).
    pub cycle_start: Option<usize>,
}

/// What a VIOLATED recoverability verdict rests on. A recovery search is bounded, so "no goal
/// is reachable" is either proved for every budget or only known within the one searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The counterexample ends in a state the property's `hopeless` lemma rules out: no goal is
    /// reachable from it whatever the budget.
    Proof,
    /// No goal was found within the extended budget; a larger budget was not searched.
    Budget,
}

impl Basis {
    /// The basis in words, after "VIOLATED".
    pub fn words(self) -> &'static str {
        match self {
            Basis::Proof => "proved for every budget",
            Basis::Budget => "within the extended budget",
        }
    }
}

impl<M: Model> Verdict<M> {
    /// The verdict without its evidence.
    pub fn outcome(&self) -> Outcome {
        match self {
            Verdict::Holds { .. } => Outcome::Holds,
            Verdict::Violated(_) => Outcome::Violated,
            Verdict::Incomplete(_) => Outcome::Incomplete,
        }
    }

    pub fn label(&self) -> &'static str {
        self.outcome().label()
    }
}

/// A verdict without its evidence, as reports, gates and the table carry it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Holds,
    Violated,
    Incomplete,
}

impl Outcome {
    /// The verdict's name as reports spell it.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Holds => "holds",
            Outcome::Violated => "violated",
            Outcome::Incomplete => "incomplete",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_limit_reads_as_given() {
        for (given, shown) in [
            (2.0, "2"),
            (2.5, "2.5"),
            (0.0001, "0.0001"),
            (90.125, "90.125"),
        ] {
            let cut = Cut::Time(Duration::from_secs_f64(given));
            assert_eq!(
                cut.to_string(),
                format!("the time limit ({shown} s, --timeout) was reached")
            );
        }
    }
}
