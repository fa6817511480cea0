//! The modelled systems, one module each, and what the engine and reports need of them.

pub mod raft;

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
    /// Every property of the system.
    fn catalogue() -> Vec<Property<Self>>;
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
    /// What changed from one state to the next, in words.
    fn changes(&self, before: &Self::State, after: &Self::State) -> Vec<String>;
    /// Why no goal is reachable from this state any more.
    fn explain_stuck(&self, state: &Self::State) -> String;
    /// Symmetry reduction: a state of the same orbit under renaming of interchangeable
    /// components, the same for every member of the orbit where possible, or `None` to keep the
    /// state as it is. Every property must be blind to such renaming.
    fn representative(&self, _state: &Self::State) -> Option<Self::State> {
        None
    }
}

impl System for raft::Raft {
    fn catalogue() -> Vec<Property<Self>> {
        raft::Raft::catalogue()
    }
    fn bounds(&self) -> String {
        raft::Raft::bounds(self)
    }
    fn extended(&self) -> Self {
        raft::Raft::extended(self)
    }
    fn recovery(&self) -> Self {
        raft::Raft::recovery(self)
    }
    fn describe(&self, action: &raft::Action) -> String {
        raft::Raft::describe(self, action)
    }
    fn summary(&self, state: &raft::RaftState) -> String {
        raft::Raft::summary(self, state)
    }
    fn changes(&self, before: &raft::RaftState, after: &raft::RaftState) -> Vec<String> {
        raft::Raft::changes(self, before, after)
    }
    fn explain_stuck(&self, state: &raft::RaftState) -> String {
        raft::Raft::explain_stuck(self, state)
    }
    fn representative(&self, state: &raft::RaftState) -> Option<raft::RaftState> {
        self.symmetry
            .then(|| raft::Raft::representative(self, state))
    }
}
