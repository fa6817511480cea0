//! The message mode (`--network messages`): requests and responses are separate messages in
//! flight, each delivered late, out of order, duplicated or lost, and an AppendEntries carries
//! any part of the leader's log after the index it guesses the follower holds.
//!
//! The atomic mode's `RequestVote(c, v)` and `AppendEntries(l, p)` steps become sends (with the
//! same guards: who may send to whom), and the network gains four steps: deliver, lose,
//! duplicate a message, and (implicitly) keep it waiting. A member acts on a message when it is
//! delivered, with etcd's term rules: a message of a higher term makes the receiver a follower
//! of that term (a pre-vote request and a granted pre-vote excepted, as in `raft.Step`), and a
//! message of a lower term is answered with the receiver's term or ignored.
//!
//! What stays as in the atomic mode: heartbeats are timely (an election timeout fires only for
//! a member that hears no leader of its term), CheckQuorum, pre-vote's in-lease refusal, crashes,
//! the partition (a message across the split waits until it heals or is lost), client writes.

use serde::Serialize;

use super::actions::Action;
use super::diagram::log_text;
use super::state::{Entry, Id, Log, RaftState, Role};
use super::{name, Raft};
use crate::scenario::UnsafeRule;

/// One Raft message in flight, in etcd's terms (`raftpb.Message` of type `MsgVote`/`MsgPreVote`,
/// their responses, `MsgApp` and `MsgAppResp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Message {
    /// A (pre-)vote request. A pre-vote asks for the term the candidate would campaign in.
    RequestVote {
        from: Id,
        to: Id,
        term: u8,
        pre: bool,
        last_index: u8,
        last_term: u8,
    },
    /// The answer to a (pre-)vote request. A refusal is sent only when it carries a newer term:
    /// a candidate does nothing on a refusal of its own term.
    VoteResponse {
        from: Id,
        to: Id,
        term: u8,
        pre: bool,
        granted: bool,
    },
    /// Entries after `prev_index` (any number, none for a message that only carries `commit`),
    /// and the leader's commit index.
    AppendEntries {
        from: Id,
        to: Id,
        term: u8,
        prev_index: u8,
        prev_term: u8,
        entries: Log,
        commit: u8,
    },
    /// The follower's answer: success with the index it now matches, or a refusal carrying a
    /// newer term. A refusal of the log check is not sent: etcd's leader uses it to lower its
    /// guess of the follower's next index, and here the leader may guess any index anyway.
    AppendResponse {
        from: Id,
        to: Id,
        term: u8,
        success: bool,
        match_index: u8,
    },
}

impl Serialize for Log {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl Message {
    pub fn from(&self) -> Id {
        match *self {
            Message::RequestVote { from, .. }
            | Message::VoteResponse { from, .. }
            | Message::AppendEntries { from, .. }
            | Message::AppendResponse { from, .. } => from,
        }
    }

    pub fn to(&self) -> Id {
        match *self {
            Message::RequestVote { to, .. }
            | Message::VoteResponse { to, .. }
            | Message::AppendEntries { to, .. }
            | Message::AppendResponse { to, .. } => to,
        }
    }

    pub fn is_response(&self) -> bool {
        matches!(
            self,
            Message::VoteResponse { .. } | Message::AppendResponse { .. }
        )
    }

    /// The message with its members renamed: `rename[old] = new`.
    pub(super) fn renamed(mut self, rename: &[u8]) -> Message {
        match &mut self {
            Message::AppendEntries {
                from, to, entries, ..
            } => {
                *from = rename[*from as usize];
                *to = rename[*to as usize];
                *entries = entries.renamed(rename);
            }
            Message::RequestVote { from, to, .. }
            | Message::VoteResponse { from, to, .. }
            | Message::AppendResponse { from, to, .. } => {
                *from = rename[*from as usize];
                *to = rename[*to as usize];
            }
        }
        self
    }

    /// What the message says, without sender and receiver.
    pub fn content(&self) -> String {
        match *self {
            Message::RequestVote {
                term,
                pre,
                last_index,
                last_term,
                ..
            } => format!(
                "{} term {term} (log ends at index {last_index}, term {last_term})",
                if pre { "PreVote" } else { "RequestVote" }
            ),
            Message::VoteResponse {
                term, pre, granted, ..
            } => {
                let vote = if pre { "pre-vote" } else { "vote" };
                if granted {
                    format!("{vote} granted for term {term}")
                } else {
                    format!("{vote} refused: term {term} is newer")
                }
            }
            Message::AppendEntries {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
                ..
            } => format!(
                "AppendEntries term {term} {} after index {prev_index} (term {prev_term}), commit {commit}",
                log_text(&entries)
            ),
            Message::AppendResponse {
                term,
                success,
                match_index,
                ..
            } => {
                if success {
                    format!("AppendEntries accepted in term {term}, match index {match_index}")
                } else {
                    format!("AppendEntries refused: term {term} is newer")
                }
            }
        }
    }

    /// "m1 → m2 AppendEntries term 2 ..." (a state's messages in flight).
    pub fn words(&self) -> String {
        format!(
            "{} → {} {}",
            name(self.from()),
            name(self.to()),
            self.content()
        )
    }

    /// "m1's AppendEntries term 2 ... to m2" (a network step).
    fn owned_words(&self) -> String {
        format!(
            "{}'s {} to {}",
            name(self.from()),
            self.content(),
            name(self.to())
        )
    }
}

impl Raft {
    /// Whether RPCs are messages in flight (`--network messages`).
    #[inline]
    pub fn messages(&self) -> bool {
        self.max_in_flight > 0
    }

    /// A network step in words.
    pub(super) fn describe_network_step(&self, action: &Action) -> String {
        match action {
            Action::Send(m) => format!(
                "{} sends {} to {}",
                name(m.from()),
                m.content(),
                name(m.to())
            ),
            Action::Deliver(m) => format!("the network delivers {}", m.owned_words()),
            Action::Lose(m) => format!("the network loses {}", m.owned_words()),
            Action::Duplicate(m) => format!("the network duplicates {}", m.owned_words()),
            _ => unreachable!("not a network step"),
        }
    }

    /// The message mode's steps: the atomic RPC steps `actions` holds become sends (their guards
    /// decided who may send to whom), and every distinct message in flight may be delivered,
    /// lost or duplicated.
    pub(super) fn message_actions(&self, s: &RaftState, actions: &mut Vec<Action>) {
        let room = s.messages.len() < self.max_in_flight as usize;
        let rpcs = std::mem::take(actions);
        let send = |m: Message, actions: &mut Vec<Action>| {
            // Sending a message already in flight is the network duplicating it.
            if room && !s.messages.contains(&m) {
                actions.push(Action::Send(m));
            }
        };
        for a in rpcs {
            match a {
                Action::RequestVote(c, v) => {
                    let cand = &s.members[c as usize];
                    let pre = cand.role == Role::PreCandidate;
                    let m = Message::RequestVote {
                        from: c,
                        to: v,
                        term: cand.term + u8::from(pre),
                        pre,
                        last_index: cand.last_index(),
                        last_term: cand.last_term(),
                    };
                    send(m, actions);
                }
                Action::AppendEntries(l, p) => {
                    // etcd's leader sends from its guess of the follower's next index
                    // (`Progress.Next`): optimistic after an election or a send, lowered on a
                    // refusal, never below what the follower acknowledged (`Progress.Match`).
                    // Any guess in between, and any non-empty prefix of the entries after it
                    // (`MaxSizePerMsg` cuts a long run); at the end, none, to carry the commit.
                    let leader = &s.members[l as usize];
                    let last = leader.last_index();
                    for prev in leader.match_index[p as usize]..=last {
                        let fewest = u8::from(prev < last);
                        for len in fewest..=last - prev {
                            let entries = leader.log[prev as usize..(prev + len) as usize]
                                .iter()
                                .copied()
                                .collect();
                            let m = Message::AppendEntries {
                                from: l,
                                to: p,
                                term: leader.term,
                                prev_index: prev,
                                prev_term: if prev == 0 {
                                    0
                                } else {
                                    leader.log[prev as usize - 1].term
                                },
                                entries,
                                commit: leader.commit,
                            };
                            send(m, actions);
                        }
                    }
                }
                other => actions.push(other),
            }
        }
        for (k, m) in s.messages.iter().enumerate() {
            if k > 0 && s.messages[k - 1] == *m {
                continue;
            }
            if s.members[m.to() as usize].up && s.connected(m.from(), m.to()) {
                actions.push(Action::Deliver(*m));
            }
            actions.push(Action::Lose(*m));
            // A duplicate only repeats what the original can do: it never helps recovery.
            if room && !self.recovery_only {
                actions.push(Action::Duplicate(*m));
            }
        }
    }

    /// A network step: send, deliver, lose or duplicate.
    pub(super) fn network_step(&self, t: &mut RaftState, action: Action) {
        match action {
            Action::Send(m) | Action::Duplicate(m) => put(t, m),
            Action::Lose(m) => take(t, m),
            Action::Deliver(m) => {
                take(t, m);
                self.receive(t, m);
            }
            _ => unreachable!("not a network step"),
        }
    }

    fn receive(&self, t: &mut RaftState, m: Message) {
        if self.refuses(t, m.to(), m.from()) {
            super::membership::stop(&mut t.members[m.from() as usize]);
            return;
        }
        match m {
            Message::RequestVote {
                from,
                to,
                term,
                pre,
                last_index,
                last_term,
            } => {
                let voter = &t.members[to as usize];
                let candidate_term = term - u8::from(pre);
                if voter.term > candidate_term {
                    let newer = voter.term;
                    put(
                        t,
                        Message::VoteResponse {
                            from: to,
                            to: from,
                            term: newer,
                            pre,
                            granted: false,
                        },
                    );
                    return;
                }
                // etcd's lease (`inLease`, which needs CheckQuorum), as in the atomic mode: a
                // member that still hears its leader drops the request unanswered.
                let lease = self.keeps(UnsafeRule::CheckQuorum)
                    && if pre {
                        self.keeps(UnsafeRule::PreVoteLease)
                    } else {
                        self.keeps(UnsafeRule::VoteLease) && term > voter.term
                    };
                if lease && self.hears_leader(t, to) {
                    return;
                }
                if !pre && term > voter.term {
                    t.members[to as usize].become_follower(term);
                }
                let voter = &t.members[to as usize];
                let up_to_date = !self.keeps(UnsafeRule::VoteLogCheck)
                    || (last_term, last_index) >= (voter.last_term(), voter.last_index());
                let granted = up_to_date
                    && (pre
                        || match voter.vote {
                            Some(other) => voter.term != term || other == from,
                            None => true,
                        });
                if granted {
                    if !pre {
                        t.members[to as usize].vote = Some(from);
                    }
                    put(
                        t,
                        Message::VoteResponse {
                            from: to,
                            to: from,
                            term,
                            pre,
                            granted,
                        },
                    );
                }
            }
            Message::VoteResponse {
                from,
                to,
                term,
                pre,
                granted,
            } => {
                let c = &mut t.members[to as usize];
                if !granted {
                    if term > c.term {
                        c.become_follower(term);
                    }
                    return;
                }
                let (role, asked) = if pre {
                    (Role::PreCandidate, c.term + 1)
                } else {
                    (Role::Candidate, c.term)
                };
                if c.role == role && term == asked {
                    c.votes |= 1 << from;
                    self.tally(t, to);
                }
            }
            Message::AppendEntries {
                from,
                to,
                term,
                prev_index,
                prev_term,
                entries,
                commit,
            } => {
                let f = &mut t.members[to as usize];
                if f.term > term {
                    let newer = f.term;
                    put(
                        t,
                        Message::AppendResponse {
                            from: to,
                            to: from,
                            term: newer,
                            success: false,
                            match_index: 0,
                        },
                    );
                    return;
                }
                f.become_follower(term);
                let prev = prev_index as usize;
                let matches = prev <= f.log.len()
                    && (prev == 0
                        || !self.keeps(UnsafeRule::LogConsistencyCheck)
                        || f.log[prev - 1].term == prev_term);
                if !matches {
                    return;
                }
                if self.keeps(UnsafeRule::TruncateOnConflictOnly) {
                    append_after(&mut f.log, prev, &entries);
                } else {
                    // The naive reading of "replace what follows prevLogIndex".
                    f.log.truncate(prev);
                    f.log.extend(entries.iter().copied());
                }
                let last_new = prev_index + entries.len() as u8;
                let commit = commit.min(last_new);
                if commit > f.commit {
                    self.commit_to(t, to, commit);
                }
                put(
                    t,
                    Message::AppendResponse {
                        from: to,
                        to: from,
                        term,
                        success: true,
                        match_index: last_new,
                    },
                );
            }
            Message::AppendResponse {
                from,
                to,
                term,
                success,
                match_index,
            } => {
                let l = &mut t.members[to as usize];
                if term > l.term {
                    l.become_follower(term);
                    return;
                }
                // A response to an earlier term, or to a leader that since stepped down, is stale.
                if !success || l.role != Role::Leader || term != l.term {
                    return;
                }
                if match_index > l.match_index[from as usize] {
                    l.match_index[from as usize] = match_index;
                    self.advance_commit(t, to);
                }
            }
        }
    }
}

/// etcd's `raftLog.maybeAppend` after the log check: skip the entries the log already holds,
/// truncate at the first that conflicts (`findConflict`), append the rest.
fn append_after(log: &mut Log, prev: usize, entries: &[Entry]) {
    for (k, e) in entries.iter().enumerate() {
        match log.get(prev + k) {
            Some(held) if held == e => {}
            Some(_) => {
                log.truncate(prev + k);
                log.push(*e);
            }
            None => log.push(*e),
        }
    }
}

/// Puts a message in flight, keeping the multiset sorted.
fn put(t: &mut RaftState, m: Message) {
    let at = t.messages.partition_point(|x| *x < m);
    t.messages.insert(at, m);
}

/// Takes one copy of a message out of flight.
fn take(t: &mut RaftState, m: Message) {
    if let Some(at) = t.messages.iter().position(|x| *x == m) {
        t.messages.remove(at);
    }
}

/// The messages a step put in flight and took out of it, in words.
pub(super) fn in_flight_changes(a: &[Message], b: &[Message]) -> Vec<String> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => {
                out.push(format!("{} no longer in flight", x.words()));
                i += 1;
            }
            (Some(x), None) => {
                out.push(format!("{} no longer in flight", x.words()));
                i += 1;
            }
            (_, Some(y)) => {
                out.push(format!("{} in flight", y.words()));
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use stateright::Model;

    use super::*;
    use crate::scenario::{NetworkMode, Recovery, Scenario};

    fn raft(s: Scenario) -> Raft {
        Raft::new(&s.raft().expect("valid scenario"))
    }

    /// Takes `a`, which must be one of the steps the model offers in `s`.
    fn act(m: &Raft, s: &RaftState, a: Action) -> RaftState {
        let mut offered = Vec::new();
        m.actions(s, &mut offered);
        assert!(offered.contains(&a), "{a:?} is not offered in {s:?}");
        m.next_state(s, a).expect("a step changes the state")
    }

    /// Delivers the one message in flight.
    fn deliver(m: &Raft, s: &RaftState) -> RaftState {
        assert_eq!(s.messages.len(), 1, "{s:?}");
        act(m, s, Action::Deliver(s.messages[0]))
    }

    fn vote(s: &RaftState, from: Id, to: Id) -> Action {
        let c = &s.members[from as usize];
        Action::Send(Message::RequestVote {
            from,
            to,
            term: c.term,
            pre: false,
            last_index: c.last_index(),
            last_term: c.last_term(),
        })
    }

    fn append(s: &RaftState, from: Id, to: Id, prev: u8, len: u8) -> Action {
        let l = &s.members[from as usize];
        Action::Send(Message::AppendEntries {
            from,
            to,
            term: l.term,
            prev_index: prev,
            prev_term: if prev == 0 {
                0
            } else {
                l.log[prev as usize - 1].term
            },
            entries: l.log[prev as usize..(prev + len) as usize]
                .iter()
                .copied()
                .collect(),
            commit: l.commit,
        })
    }

    /// Figure 8 of the Raft paper on three members, step by step: m1 takes w1 in term 1 and
    /// crashes; m2 wins term 2, keeps its empty entry and crashes (while m3 hears m2, its lease
    /// makes it ignore m1's vote request); m1 returns and wins term 3, and sends m3 only the old
    /// entry w1. Counting replicas, m1 would commit w1 there; it crashes, m2 returns and wins
    /// term 4 with m3's vote (its last entry is of a later term) and overwrites w1 on m3. With
    /// etcd's rule, m1 does not commit w1 on those replicas and nothing is lost.
    #[test]
    fn figure_8_needs_the_current_term_commit_rule() {
        for unsafe_rules in [vec![UnsafeRule::CurrentTermCommit], vec![]] {
            let m = raft(Scenario {
                masters: 3,
                crash: Some(3),
                heal: true,
                max_term: 4,
                network: NetworkMode::Messages,
                max_in_flight: Some(1),
                unsafe_rules: unsafe_rules.clone(),
                ..Scenario::default()
            });
            let s = m.init_states().remove(0);
            let s = act(&m, &s, Action::ClientWrite(0));
            let s = act(&m, &s, Action::Crash(0));
            let s = act(&m, &s, Action::Timeout(1));
            let s = act(&m, &s, Action::Restart(0));
            let s = act(&m, &s, Action::Timeout(0));
            let s = act(&m, &s, Action::Timeout(0));
            let s = act(&m, &s, vote(&s, 1, 2));
            let s = deliver(&m, &deliver(&m, &s));
            assert_eq!((s.members[1].role, s.members[1].term), (Role::Leader, 2));
            let s = act(&m, &s, Action::Crash(1));
            let s = act(&m, &s, vote(&s, 0, 2));
            let s = deliver(&m, &deliver(&m, &s));
            assert_eq!((s.members[0].role, s.members[0].term), (Role::Leader, 3));
            // Only the old entry w1, not m1's own entry of term 3.
            let s = act(&m, &s, append(&s, 0, 2, 1, 1));
            let s = deliver(&m, &deliver(&m, &s));
            let committed = s.members[0].commit == 2 && s.acked == 1;
            assert_eq!(committed, !unsafe_rules.is_empty(), "{s:?}");
            let s = act(&m, &s, Action::Crash(0));
            // m2 returns and campaigns twice: term 3 is taken (m3 voted for m1), term 4 is not.
            let s = act(&m, &s, Action::Restart(1));
            let s = act(&m, &s, Action::Timeout(1));
            let s = act(&m, &s, Action::Timeout(1));
            assert_eq!((s.members[1].role, s.members[1].term), (Role::Candidate, 4));
            let s = act(&m, &s, vote(&s, 1, 2));
            let s = deliver(&m, &deliver(&m, &s));
            assert_eq!((s.members[1].role, s.members[1].term), (Role::Leader, 4));
            let s = act(&m, &s, append(&s, 1, 2, 1, 2));
            let s = deliver(&m, &s);
            assert_eq!(log_text(&s.members[2].log), "[t1 t2 t4]");
            let lost = crate::systems::System::catalogue()
                .into_iter()
                .find(|p: &crate::property::Property<Raft>| p.name == "committed-writes-durable")
                .map(|p| match p.kind {
                    crate::property::Kind::Invariant(check) => check(&m, &s),
                    _ => unreachable!(),
                })
                .expect("the property");
            assert_eq!(lost.is_some(), !unsafe_rules.is_empty(), "{lost:?}");
        }
    }

    /// A follower skips entries it already holds and truncates only at a conflict; without the
    /// rule, a late AppendEntries that carries fewer entries cuts the ones after them.
    #[test]
    fn a_late_append_cuts_nothing_a_follower_holds() {
        let mut log: Log = [Entry { term: 1, write: 0 }, Entry { term: 1, write: 1 }]
            .into_iter()
            .collect();
        append_after(&mut log, 1, &[]);
        append_after(&mut log, 0, &[Entry { term: 1, write: 0 }]);
        assert_eq!(log.len(), 2, "nothing conflicts, nothing is cut");
        append_after(&mut log, 1, &[Entry { term: 2, write: 0 }]);
        assert_eq!(log_text(&log), "[t1 t2]", "a conflict truncates there");
    }

    /// Messages are a sorted multiset: the order they were sent in does not make a new state,
    /// and a duplicate is a second copy.
    #[test]
    fn messages_in_flight_are_a_sorted_multiset() {
        let m = raft(Scenario {
            masters: 3,
            network: NetworkMode::Messages,
            max_in_flight: Some(3),
            ..Scenario::default()
        });
        let s = m.init_states().remove(0);
        let (a, b) = (append(&s, 0, 1, 1, 0), append(&s, 0, 2, 1, 0));
        let ab = act(&m, &act(&m, &s, a), b);
        let ba = act(&m, &act(&m, &s, b), a);
        assert_eq!(ab, ba);
        let Action::Send(first) = a else {
            unreachable!()
        };
        let twice = act(&m, &ab, Action::Duplicate(first));
        assert_eq!(twice.messages.iter().filter(|&&x| x == first).count(), 2);
        // Full: no more sends or duplicates, only deliveries and losses.
        let mut offered = Vec::new();
        m.actions(&twice, &mut offered);
        assert!(offered
            .iter()
            .all(|a| !matches!(a, Action::Send(_) | Action::Duplicate(_))));
        let lost = act(&m, &twice, Action::Lose(first));
        assert_eq!(lost, ab);
    }

    /// Every verdict of the atomic mode, safety first, on each small configuration, with the
    /// verdict of the message mode on the same one.
    fn both_modes(s: &Scenario) -> Vec<(&'static str, &'static str, &'static str)> {
        use crate::engine::{decide, explore_all, Limits};
        let limits = Limits {
            max_states: 2_000_000,
            timeout: None,
        };
        let atomic = raft(Scenario {
            network: NetworkMode::Atomic,
            max_in_flight: None,
            ..s.clone()
        });
        let messages = raft(s.clone());
        let (ga, gm) = (explore_all(&atomic, limits), explore_all(&messages, limits));
        assert!(ga.cut.is_none() && gm.cut.is_none());
        // Liveness is decided in the atomic mode only: the message mode declares no fairness.
        <Raft as crate::systems::System>::catalogue()
            .iter()
            .filter(|p| !matches!(p.kind, crate::property::Kind::Liveness(_)))
            .map(|p| {
                (
                    p.name,
                    decide(&atomic, &ga, p, &limits).label(),
                    decide(&messages, &gm, p, &limits).label(),
                )
            })
            .collect()
    }

    /// The atomic mode is the fast default because it loses no verdict: on small
    /// configurations (crashes, partitions, healing, pre-vote, a quorum override, the unsafe
    /// rules it can show) every verdict is the same with messages in flight. The rules only
    /// messages can show are where the modes part.
    #[test]
    fn the_atomic_mode_agrees_with_the_message_mode() {
        let messages = |masters, in_flight| Scenario {
            masters,
            network: NetworkMode::Messages,
            max_in_flight: Some(in_flight),
            ..Scenario::default()
        };
        let agree = [
            messages(1, 2),
            Scenario {
                partition: true,
                ..messages(2, 2)
            },
            Scenario {
                quorum: Some(1),
                partition: true,
                heal: true,
                ..messages(2, 2)
            },
            Scenario {
                partition: true,
                ..messages(3, 2)
            },
            Scenario {
                partition: true,
                pre_vote: true,
                max_term: 3,
                ..messages(3, 1)
            },
            Scenario {
                crash: Some(1),
                unsafe_rules: vec![UnsafeRule::VoteLogCheck],
                ..messages(3, 2)
            },
            Scenario {
                partition: true,
                ..messages(4, 1)
            },
            // One failed link: the leases keep the leader (the vote lease's own scenario).
            Scenario {
                link_faults: 1,
                ..messages(3, 1)
            },
            // Membership and recovery: a removal through the old quorum, a refused add, a
            // restore and a forced new cluster that lose a write.
            Scenario {
                crash: Some(1),
                recovery: vec![Recovery::MemberRemove, Recovery::MemberAdd],
                ..messages(3, 1)
            },
            Scenario {
                crash: Some(1),
                recovery: vec![Recovery::ForceNewCluster, Recovery::SnapshotRestore],
                ..messages(2, 1)
            },
        ];
        let mut violated = 0;
        for s in agree {
            for (name, atomic, messages) in both_modes(&s) {
                assert_eq!(atomic, messages, "{name} on {s:?}");
                violated += usize::from(atomic == "violated");
            }
        }
        assert!(violated >= 5, "some verdicts are violations: {violated}");
        for (rule, flips) in [
            (
                UnsafeRule::TruncateOnConflictOnly,
                "committed-writes-durable",
            ),
            (UnsafeRule::LogConsistencyCheck, "no-split-brain"),
        ] {
            let path = format!(
                "{}/models/unsafe-{}.toml",
                env!("CARGO_MANIFEST_DIR"),
                rule.name()
            );
            let s = Scenario::from_file(std::path::Path::new(&path)).expect("shipped");
            let differ: Vec<_> = both_modes(&s)
                .into_iter()
                .filter(|(_, a, m)| a != m)
                .collect();
            assert!(
                differ.contains(&(flips, "holds", "violated")),
                "{}: {differ:?}",
                rule.name()
            );
        }
    }

    /// A write whose only copy is in flight (its leader's log was truncated since it sent it)
    /// may still be delivered and committed: its budget is not spent.
    #[test]
    fn a_write_in_flight_is_not_spent() {
        let m = raft(Scenario {
            masters: 3,
            network: NetworkMode::Messages,
            ..Scenario::default()
        });
        let s = m.init_states().remove(0);
        let s = act(&m, &s, Action::ClientWrite(0));
        let mut s = act(&m, &s, append(&s, 0, 1, 1, 1));
        s.members[0].log.truncate(1);
        assert!(!super::super::properties::writes_spent(&m, &s));
        s.messages.clear();
        assert!(super::super::properties::writes_spent(&m, &s));
    }

    /// A message across the split waits; after the heal it can be delivered.
    #[test]
    fn a_message_across_the_split_is_not_delivered() {
        let m = raft(Scenario {
            masters: 3,
            partition: true,
            heal: true,
            network: NetworkMode::Messages,
            ..Scenario::default()
        });
        let s = m.init_states().remove(0);
        let s = act(&m, &s, append(&s, 0, 1, 1, 0));
        let split = act(&m, &s, Action::Partition(0b001));
        let mut offered = Vec::new();
        m.actions(&split, &mut offered);
        assert!(!offered.iter().any(|a| matches!(a, Action::Deliver(_))));
        assert!(offered.contains(&Action::Lose(s.messages[0])));
        let healed = act(&m, &split, Action::Heal);
        act(&m, &healed, Action::Deliver(s.messages[0]));
    }
}
