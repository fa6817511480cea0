//! What liveness is decided on: the Raft model with etcd's timing, and terms that do not grow
//! past what the future can tell apart.
//!
//! ## Fairness
//! Four weakly fair classes, blind to members' names (so symmetry reduction stays on): an
//! election timeout fires (for a member that hears no leader), a (pre-)vote request is
//! answered, a leader replicates to a follower, a leader without a quorum steps down. Faults,
//! restarts, client writes and reads are the environment's: nothing obliges them.
//!
//! ## etcd's timing
//! Weak fairness alone allows split votes for ever: two candidates time out in turn, each
//! before the other's request arrives. etcd makes that vanishingly rare with randomised
//! election timeouts (`--election-timeout` 1000 ms, each member's drawn from one to two times
//! it) that are long beside a message's round trip (`--heartbeat-interval` 100 ms). The
//! liveness model keeps that assumption: no election timeout fires while some candidate's vote
//! request still waits for its answer (a request the candidate has not had answered yet: every
//! answer changes the candidate or the voter). Split votes then come from timeouts in turn, not
//! at once.
//! And which of two running
//! timers fires first is random: a behaviour that comes back to a state again and again takes
//! every election timeout enabled there eventually (the engine's random classes, what happens
//! with probability 1). Safety is decided without either, over every interleaving.
//!
//! ## Terms squeezed
//! An endless election raises terms for ever, and no state repeats; the term bound would end it
//! instead. Raft only compares terms, copies them and adds one to them. A member's current term
//! only grows, so no term below the lowest current term L of the members that can still act
//! (up, or down with a restart left) will ever be used again: the terms in use up to L may be
//! renumbered consecutively, and every term above L moved down with L, without changing the
//! order or equality of any two terms now or later. The liveness model keeps states in that
//! form, so a candidate that times out again and again, alone, returns to the same state: a real
//! cycle, not one the bound made. A split that never heals leaves two groups that never compare
//! terms again, each renumbered on its own. Every graph state is a state of the model, and a
//! lasso's last state equals its cycle's first once renumbered. The term bound applies to the
//! renumbered terms (a timeout is allowed when the member's new term, renumbered, is within
//! it), and is one more than the safety check's: the room a candidate and a follower one term
//! behind it need to close their cycle.

use super::{Action, Raft, RaftState, Role};

pub const LEADER_EVENTUALLY_ELECTED: &str = "leader-eventually-elected";

impl Raft {
    /// The model liveness is decided on; `None` where the model declares no fairness.
    pub(super) fn liveness_model(&self) -> Option<Raft> {
        (!self.fair_classes().is_empty()).then(|| Raft {
            liveness: true,
            max_term: self.max_term + 1,
            ..self.clone()
        })
    }

    /// The fair classes by name, in [`Raft::class_of`] order. None in the message mode or with
    /// the operator's recovery actions, whose liveness is not modelled.
    pub(super) fn fair_classes(&self) -> Vec<String> {
        if self.messages() || self.recovery != 0 {
            return Vec::new();
        }
        [
            "election timeout",
            "vote request",
            "replication",
            "step-down",
        ]
        .map(String::from)
        .to_vec()
    }

    /// The fair class of an action (see [`Raft::fair_classes`]).
    pub(super) fn class_of(&self, action: &Action) -> Option<usize> {
        match action {
            Action::Timeout(_) => Some(0),
            Action::RequestVote(..) => Some(1),
            Action::AppendEntries(..) => Some(2),
            Action::StepDown(_) => Some(3),
            _ => None,
        }
    }

    /// Whether a vote request of candidate `c` still waits for its answer: under etcd's timing
    /// no election timeout fires before the answers arrive.
    pub(super) fn own_requests_wait(&self, s: &RaftState, c: u8) -> bool {
        let m = &s.members[c as usize];
        if !matches!(m.role, Role::Candidate | Role::PreCandidate) {
            return false;
        }
        let voters = self.config(m).voters;
        (0..self.slots).any(|p| {
            p != c
                && voters >> p & 1 == 1
                && m.votes >> p & 1 == 0
                && s.members[p as usize].up
                && s.connected(c, p)
        })
    }

    /// Whether etcd's timing holds election timeouts back: some candidate's vote request still
    /// waits for its answer, and answers come long before a timer fires.
    pub(super) fn timing_holds_back(&self, s: &RaftState) -> bool {
        self.liveness && (0..self.slots).any(|c| self.own_requests_wait(s, c))
    }

    /// Whether member `i`'s election timeout would fire but for the term bound.
    pub(super) fn times_out_but_for_the_bound(&self, s: &RaftState, i: u8) -> bool {
        let m = &s.members[i as usize];
        m.up && !m.absent
            && m.role != Role::Leader
            && !self.within_term_bound(s, i)
            && self.config(m).is_voter(i)
            && !self.hears_leader(s, i)
            && !self.recovery_only
            && !self.timing_holds_back(s)
    }

    /// The state with the unused terms below every term that can still change squeezed out,
    /// or `None` when there are none (see the module docs). A split that never heals leaves
    /// two groups that never compare terms again: each is squeezed on its own.
    pub(super) fn shift_terms(&self, s: &RaftState) -> Option<RaftState> {
        if !s.messages.is_empty() || s.operator.is_some() || s.links_down != 0 {
            return None;
        }
        let all = (1u16 << s.members.len()) - 1;
        let groups: Vec<u16> = match s.network {
            super::Network::Split { side } if !self.heal => {
                vec![u16::from(side) & all, !u16::from(side) & all]
            }
            _ => vec![all],
        };
        let mut t = s.clone();
        let mut changed = false;
        for group in groups {
            changed |= self.squeeze(&mut t, group);
        }
        changed.then_some(t)
    }

    /// Squeezes the terms of the members in `group` (a bit set); whether any changed.
    fn squeeze(&self, t: &mut RaftState, group: u16) -> bool {
        let stopped = |m: &super::Member| m.absent || (!m.up && !self.heal);
        let inside = |i: usize| group >> i & 1 == 1;
        let Some(lowest) = t
            .members
            .iter()
            .enumerate()
            .filter(|&(i, m)| inside(i) && !stopped(m))
            .map(|(_, m)| m.term)
            .min()
        else {
            return false;
        };
        // Every term the group uses up to the lowest one that can still change, in order.
        let mut used: Vec<u8> = t
            .members
            .iter()
            .enumerate()
            .filter(|&(i, _)| inside(i))
            .flat_map(|(_, m)| m.log.iter().map(|e| e.term).chain([m.term]))
            .filter(|&term| term <= lowest)
            .collect();
        used.sort_unstable();
        used.dedup();
        // Each of them moved down to follow the one before.
        let mut to = used.clone();
        for k in 1..to.len() {
            to[k] = to[k - 1] + 1;
        }
        let d = lowest - to[to.len() - 1];
        if d == 0 {
            return false;
        }
        let map = |term: u8| {
            if term >= lowest {
                term - d
            } else {
                to[used.binary_search(&term).expect("a term in use")]
            }
        };
        for (i, m) in t.members.iter_mut().enumerate() {
            if !inside(i) {
                continue;
            }
            m.term = map(m.term);
            m.log = m
                .log
                .iter()
                .map(|e| super::Entry {
                    term: map(e.term),
                    ..*e
                })
                .collect();
        }
        true
    }

    /// Whether member `i` may time out under the term bound: in the liveness model, when its
    /// new term, squeezed, stays within the bound.
    pub(super) fn within_term_bound(&self, s: &RaftState, i: u8) -> bool {
        if s.members[i as usize].term < self.max_term {
            return true;
        }
        if !self.liveness {
            return false;
        }
        let Some(next) = stateright::Model::next_state(self, s, Action::Timeout(i)) else {
            return false;
        };
        let next = self.shift_terms(&next).unwrap_or(next);
        next.members[i as usize].term <= self.max_term
    }
}
