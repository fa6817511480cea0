//! # A kubectl request, end to end
//!
//! The path the seed document's "with and without load balancer" timelines follow: a client
//! (`kubectl`) → the front end (none, one HAProxy, or a VIP) → an API server → that API server's
//! etcd member → the quorum behind it → the answer. The model is the load-balancer model
//! ([`crate::systems::lb`]) with etcd under each API server, as kubeadm's stacked topology
//! runs it: each API server talks to the etcd member on its own master
//! (`--etcd-servers=https://127.0.0.1:2379`).
//!
//! ## The etcd part: an abstraction by the quorum rule
//! A write commits, and a `kubectl get` (a quorum read) is answered, exactly when the API
//! server's etcd member is up and its side of the network holds a quorum (a majority of the
//! masters) of live members. This is what the Raft model decides exhaustively:
//! `write-availability` HOLDS exactly when the faults leave a quorum of live, connected
//! members. `tests::the_quorum_rule_agrees_with_the_raft_model` checks it, scenario by
//! scenario (1 to 5 masters, crashes and partitions), against the Raft model's verdicts. Left
//! out: the time an election takes (at most etcd's election timeout, 1 s by default), during
//! which writes wait rather than fail.
//!
//! - An API server whose etcd member has no quorum is up: it accepts connections, so a TCP
//!   check passes, and answers requests with an error. Its `/readyz` includes etcd, so an HTTP
//!   check fails and HAProxy marks it down.
//! - A master crash takes its API server and its etcd member down together.
//! - `--partition`: the network may split the masters once into two non-empty groups; the
//!   front end still reaches every master. With `--heal` it heals.
//! - `--reads serializable`: `kubectl get` served from the API server's watch cache
//!   (`resourceVersion=0`), which needs no quorum; the default is a quorum read.
//!
//! Properties: every property of the load-balancer model, and `kubectl-write-availability`
//! and `kubectl-read-availability` (recoverability: from every state after the faults, every
//! kubectl write, every kubectl get, can still come to succeed).

use stateright::Model;

use crate::property::{Goal, Kind, Property};
use crate::scenario::Reads;
use crate::systems::lb::actions::Action;
use crate::systems::lb::properties::{answers_all, catalogue, never_answers, serves, up, OverLb};
use crate::systems::lb::scenario::LbScenario;
use crate::systems::lb::state::LbState;
use crate::systems::lb::Lb;
use crate::systems::{Event, System};

pub const KUBECTL_WRITE: &str = "kubectl-write-availability";
pub const KUBECTL_READ: &str = "kubectl-read-availability";

/// The cluster model: the load-balancer model with etcd under each API server.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub lb: Lb,
    /// `kubectl get` is a quorum read (false: served from the watch cache).
    pub quorum_reads: bool,
}

impl Cluster {
    pub fn new(s: &LbScenario) -> Cluster {
        Cluster {
            lb: Lb::new(s),
            quorum_reads: s.reads != Some(Reads::Serializable),
        }
    }
}

/// Every request would be a committed write.
fn writes_succeed(c: &Cluster, s: &LbState) -> bool {
    answers_all(&c.lb, s, serves)
}

fn writes_never_succeed(c: &Cluster, s: &LbState) -> bool {
    never_answers(&c.lb, s, serves)
}

/// Every request would be an answered read.
fn reads_succeed(c: &Cluster, s: &LbState) -> bool {
    answers_all(&c.lb, s, if c.quorum_reads { serves } else { up })
}

fn reads_never_succeed(c: &Cluster, s: &LbState) -> bool {
    never_answers(&c.lb, s, if c.quorum_reads { serves } else { up })
}

impl OverLb for Cluster {
    fn lb(&self) -> &Lb {
        &self.lb
    }
}

impl Model for Cluster {
    type State = LbState;
    type Action = Action;

    fn init_states(&self) -> Vec<LbState> {
        self.lb.init_states()
    }

    fn actions(&self, s: &LbState, actions: &mut Vec<Action>) {
        self.lb.actions(s, actions);
    }

    fn next_state(&self, s: &LbState, action: Action) -> Option<LbState> {
        self.lb.next_state(s, action)
    }

    fn format_action(&self, action: &Action) -> String {
        self.lb.format_action(action)
    }

    fn format_step(&self, last: &LbState, action: Action) -> Option<String> {
        self.lb.format_step(last, action)
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        crate::systems::lb::properties::stateright_invariants()
    }
}

impl System for Cluster {
    type Store = crate::engine::store::Plain<<Self as stateright::Model>::State>;
    fn catalogue() -> Vec<Property<Cluster>> {
        let mut all = catalogue::<Cluster>();
        all.push(Property {
            name: KUBECTL_WRITE,
            meaning: "from every reachable state after the faults, every kubectl write can still come to commit",
            kind: Kind::Recoverability {
                goal: Goal::State(writes_succeed),
                hopeless: writes_never_succeed,
                spent: |_, _| false,
            },
        });
        all.push(Property {
            name: KUBECTL_READ,
            meaning: "from every reachable state after the faults, every kubectl get can still come to be answered",
            kind: Kind::Recoverability {
                goal: Goal::State(reads_succeed),
                hopeless: reads_never_succeed,
                spent: |_, _| false,
            },
        });
        all
    }

    fn vacuous(&self, property: &str) -> Option<&'static str> {
        self.lb.vacuous(property)
    }

    fn bounds(&self) -> String {
        self.lb.bounds()
    }

    fn extended(&self) -> Self {
        self.clone()
    }

    fn recovery(&self) -> Self {
        self.clone()
    }

    fn describe(&self, action: &Action) -> String {
        self.lb.describe(action)
    }

    fn summary(&self, s: &LbState) -> String {
        self.lb.summary(s)
    }

    fn picture(&self, s: &LbState) -> Option<String> {
        self.lb.picture(s)
    }

    fn changes(&self, before: &LbState, after: &LbState) -> Vec<String> {
        self.lb.changes(before, after)
    }

    fn explain_stuck(&self, s: &LbState) -> String {
        self.lb.explain_stuck(s)
    }

    fn representative(&self, s: &LbState) -> Option<LbState> {
        self.lb.representative(s)
    }

    fn same_orbit(&self, a: &LbState, b: &LbState) -> bool {
        self.lb.same_orbit(a, b)
    }

    fn participants(&self) -> Vec<String> {
        self.lb.participants()
    }

    fn events(&self, before: &LbState, action: &Action, after: &LbState) -> Vec<Event> {
        self.lb.events(before, action, after)
    }
}

#[cfg(test)]
mod tests;
