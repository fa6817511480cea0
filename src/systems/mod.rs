//! The modelled systems, one module each, and what the engine and reports need of them.

pub mod cluster;
pub mod lb;
pub mod raft;
pub mod reconcile;

use std::fmt::Debug;
use std::hash::Hash;

use serde::Serialize;
use stateright::Model;

use crate::property::Property;

/// A system kcheck can check: a stateright [`Model`] that also names its properties, states its
/// bounds, and explains its states and steps in words.
pub trait System:
    Model<
        State: Clone + Eq + Hash + Send + Sync + Serialize + Debug,
        Action: Clone + Debug + Send + Sync,
    > + Sync
    + Sized
{
    /// How an explored graph keeps the system's states.
    type Store: crate::engine::store::Store<State = Self::State>;
    /// [`stateright::Model::next_state`], written over `next` (which holds a copy of `s`)
    /// instead of returned: whether there is a next state. Exploring calls it for every action,
    /// reusing one state, so a system whose steps edit a copy can save moving each successor.
    fn next_state_into(
        &self,
        s: &Self::State,
        action: Self::Action,
        next: &mut Self::State,
    ) -> bool {
        match self.next_state(s, action) {
            Some(t) => {
                *next = t;
                true
            }
            None => false,
        }
    }
    /// Every property of the system.
    fn catalogue() -> Vec<Property<Self>>;
    /// Why a property of the catalogue says nothing about this configuration (it speaks of
    /// client reads, and there are none), or `None` when it applies. A vacuous property is left
    /// out of a check, and asking for it by name is an error: its verdict would come from the
    /// configuration, not from the system.
    fn vacuous(&self, _property: &str) -> Option<&'static str> {
        None
    }
    /// The bounds of exploration, in words ("term ≤ 3, ≤ 1 client write").
    fn bounds(&self) -> String;
    /// The same system with the larger budget recoverability is decided under.
    fn extended(&self) -> Self;
    /// The extended system restricted to steps that can help reach a goal (every path of it is
    /// a path of [`System::extended`]): a cheap first search for recovery paths.
    fn recovery(&self) -> Self;
    /// An action in words.
    fn describe(&self, action: &Self::Action) -> String;
    /// A state in one line.
    fn summary(&self, state: &Self::State) -> String;
    /// A picture of a state for the web explorer, as an SVG document, if the system draws one.
    fn picture(&self, _state: &Self::State) -> Option<String> {
        None
    }
    /// What changed from one state to the next, in words.
    fn changes(&self, before: &Self::State, after: &Self::State) -> Vec<String>;
    /// Why no goal is reachable from this state any more.
    fn explain_stuck(&self, state: &Self::State) -> String;
    /// Symmetry reduction: a state of the same orbit under renaming of interchangeable
    /// components, the same for every member of the orbit where possible, or `None` to keep the
    /// state as it is. Sound only because every property of the catalogue (and every lemma it
    /// relies on) is blind to such renaming: none names a member, so a state and its renamings
    /// get the same verdict. A property like "m2 is never leader" would get a wrong verdict here.
    /// `--no-symmetry` (scenario field `symmetry = false`) turns the reduction off.
    fn representative(&self, _state: &Self::State) -> Option<Self::State> {
        None
    }
    /// Whether [`System::representative`] reduces states: by default, whether it renames the
    /// first initial state. A system whose representative of a state already in its canonical
    /// form is `None` says so itself.
    fn reduces_symmetry(&self) -> bool {
        self.init_states()
            .first()
            .is_some_and(|s| self.representative(s).is_some())
    }
    /// Whether two states are renamings of each other (the same orbit), for matching concrete
    /// states to representatives when the representative of an orbit is not unique.
    fn same_orbit(&self, a: &Self::State, b: &Self::State) -> bool {
        a == b
    }
    /// The action classes that are weakly fair, by name, at most 128: a class that stays
    /// enabled is eventually taken ("m2's election timeout fires", "m1's vote request to m3 is
    /// answered"). Empty when the model declares no fairness, and then it has no liveness
    /// properties to decide. Classes that name a member need [`System::for_liveness`] to turn
    /// symmetry reduction off.
    fn fairness(&self) -> Vec<String> {
        Vec::new()
    }
    /// The fair class of an action (an index into [`System::fairness`]), or `None` for steps
    /// nothing obliges (faults, client requests).
    fn fair_class(&self, _action: &Self::Action) -> Option<usize> {
        None
    }
    /// The fair classes (a bit set) whose steps are chosen at random: etcd's randomised
    /// election timeouts, where either of two running timers may fire first. Beyond weak
    /// fairness, a behaviour that comes back to a state again and again eventually takes each
    /// such step enabled there (as it does with probability 1).
    fn random_classes(&self) -> u128 {
        0
    }
    /// The fair classes (a bit set) that the model's bounds disable in this state although the
    /// unbounded system could take them (an election timeout at the term bound). Liveness
    /// counts them as enabled and never taken: a cycle or a dead end the bound makes is not a
    /// fair behaviour, so no lasso rests on it.
    fn blocked(&self, _state: &Self::State) -> u128 {
        0
    }
    /// The system liveness is decided on, when it differs from this one: an abstraction under
    /// which behaviours that repeat up to renaming (terms shifted down, say) close into cycles.
    /// Its every step is a step of this system.
    fn for_liveness(&self) -> Option<Self> {
        None
    }
    /// The participants of a sequence diagram of a trace, in order (for Raft: the members). By
    /// default, the system as one participant.
    fn participants(&self) -> Vec<String> {
        vec!["system".to_string()]
    }
    /// A step as a sequence diagram shows it: messages between participants and notes over
    /// them. By default, the action in words over every participant.
    fn events(
        &self,
        _before: &Self::State,
        action: &Self::Action,
        _after: &Self::State,
    ) -> Vec<Event> {
        vec![Event::Note {
            over: Vec::new(),
            text: self.describe(action),
        }]
    }
}

/// One thing a step does, in terms any sequence diagram can draw. Participants are named as in
/// [`System::participants`]; other names (such as a client) are participants outside the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A message from one participant to another; `reply` marks the response to a request.
    Message {
        from: String,
        to: String,
        text: String,
        reply: bool,
    },
    /// Something that happens at some participants; empty `over` means all of the system's.
    Note { over: Vec<String>, text: String },
}
