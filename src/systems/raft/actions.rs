//! The steps of the model and how each changes the state: elections, replication, commit,
//! faults; and the stateright model built from them.

use serde::Serialize;

use super::membership::{empty_member, stop};
use super::messages::Message;
use super::properties::leads_a_quorum;
use super::properties::stateright_invariants;
use super::state::{
    link_bit, Config, Entry, Id, Member, Network, RaftState, Role, LOG_CAPACITY, MAX_MEMBERS,
};
use super::Raft;
use crate::scenario::{Reads, UnsafeRule};
use crate::systems::System;

/// The steps of the model, in etcd's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Action {
    /// The election timeout fires: campaign (or pre-campaign with pre-vote).
    Timeout(Id),
    /// A (pre-)vote request from a candidate to a member, with its response.
    RequestVote(Id, Id),
    /// A client write reaches the leader.
    ClientWrite(Id),
    /// The leader replicates its log to a follower, with the response.
    AppendEntries(Id, Id),
    /// CheckQuorum: a leader that cannot reach a quorum steps down.
    StepDown(Id),
    Crash(Id),
    /// `--crash-loses-unsynced`: a crash whose disk keeps only the first entries of the log
    /// (the count given); the kernel never wrote the rest back, and no fsync forced it to.
    CrashLosesUnsynced(Id, u8),
    Restart(Id),
    /// The network splits: members in the bitset on one side, the rest on the other.
    Partition(u8),
    Heal,
    /// A client reads from a member (`--reads`).
    Read(Id),
    /// The link between two members fails, both ways (`--link-faults`).
    FailLink(Id, Id),
    /// A follower pauses (a GC pause, a slow disk) and its election timeout fires although its
    /// leader is alive (`--pauses`).
    Pause(Id),
    /// Message mode: a member puts a message in flight.
    Send(Message),
    /// Message mode: the network hands a message in flight to its receiver, which acts on it.
    Deliver(Message),
    /// Message mode: the network loses a message in flight.
    Lose(Message),
    /// Message mode: the network delivers a message twice (one more copy in flight).
    Duplicate(Message),
    /// Operator: `etcdctl member add` of a new voting member, through the leader.
    MemberAdd(Id, Id),
    /// Operator: `etcdctl member add --learner`, through the leader.
    LearnerAdd(Id, Id),
    /// Operator: `etcdctl member promote` of the learner, through the leader.
    Promote(Id, Id),
    /// Operator: `etcdctl member remove`, through the leader.
    MemberRemove(Id, Id),
    /// Operator: etcd starts on the added member (`--initial-cluster-state existing`).
    StartMember(Id),
    /// Operator: the member restarts with `etcd --force-new-cluster`.
    ForceNewCluster(Id),
    /// Operator: `etcdctl snapshot save` from the member.
    SnapshotSave(Id),
    /// Operator: `etcdutl snapshot restore` on the member, which starts a new cluster.
    SnapshotRestore(Id),
    /// Recovery searches only: the candidate asks every voter it reaches for its (pre-)vote, in
    /// id order, pass after pass until nothing changes. A run of [`Action::RequestVote`] steps.
    Canvass(Id),
    /// Recovery searches only: the leader replicates its log to every member it reaches, in id
    /// order, pass after pass until nothing changes. A run of [`Action::AppendEntries`] steps.
    Replicate(Id),
}

/// A voter's answer to a (pre-)vote request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ballot {
    Granted,
    /// The voter is in a later term: the candidate steps down instead.
    NewerTerm,
    /// The candidate's log is less up to date than the voter's (`raft.isUpToDate`).
    LogBehind,
    /// The voter already voted for another candidate in this term.
    VotedFor(Id),
    /// Pre-vote only: the voter still hears from its leader.
    HearsLeader,
}

/// Deliberately broken variants, each missing one rule the safety properties depend on. Only
/// tests build them: they prove that every property can fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bug {
    /// A member grants its vote again in the same term.
    VoteTwice,
    /// A leader counts only itself when committing.
    CommitAlone,
    /// Followers append without truncating a conflicting suffix.
    NoTruncate,
}

impl Raft {
    /// The member whose campaign can win if any can: up, able to reach a quorum, with the most
    /// up-to-date log (lowest id on a tie). Recovery searches let only it campaign.
    fn best_candidate(&self, s: &RaftState) -> Option<Id> {
        (0..self.slots)
            .filter(|&i| {
                let m = &s.members[i as usize];
                let config = self.config(m);
                m.up && config.is_voter(i)
                    && s.reachable(i).filter(|&p| config.is_voter(p)).count()
                        >= self.quorum_of(config)
            })
            .max_by_key(|&i| {
                let m = &s.members[i as usize];
                (m.last_term(), m.last_index(), std::cmp::Reverse(i))
            })
    }

    #[cfg(test)]
    fn has_bug(&self, bug: Bug) -> bool {
        self.bug == Some(bug)
    }

    #[cfg(not(test))]
    #[inline(always)]
    fn has_bug(&self, _: Bug) -> bool {
        false
    }

    /// A client read served by `i`. Linearizable (etcd's ReadIndex): only a leader that a quorum
    /// still follows, once it has committed an entry of its own term, answers from its committed
    /// log; otherwise the read waits. Serializable: any member answers at once from its own
    /// committed log. A read that misses a write acknowledged before it began is recorded.
    fn read(&self, t: &mut RaftState, i: Id) {
        let m = &t.members[i as usize];
        if self.reads == Some(Reads::Linearizable) {
            let committed_own_term = m.commit > 0 && m.log[m.commit as usize - 1].term == m.term;
            if !(leads_a_quorum(self, t, i) && committed_own_term) {
                return;
            }
        }
        let served = writes_in(&m.log[..m.commit as usize]);
        let missed = t.acked & !served;
        if missed != 0 && t.stale_read == 0 {
            t.stale_read = missed.trailing_zeros() as u8 + 1;
        }
    }

    /// A vote request or an append that makes a leader lose the quorum that followed it: the
    /// later term of a member that was cut off, restarted or paused, arriving.
    fn note_disruption(&self, s: &RaftState, t: &mut RaftState) {
        // A leader whose own configuration change leaves it without a quorum lost it to no one.
        let disrupted = (0..self.slots).any(|l| {
            let (before, after) = (&s.members[l as usize], &t.members[l as usize]);
            leads_a_quorum(self, s, l)
                && !before.lapsed
                && after.up
                && !leads_a_quorum(self, t, l)
                && self.config(before) == self.config(after)
        });
        t.disrupted |= disrupted;
    }

    /// A leader without a quorum to follow it, even for a moment, is no longer one that a
    /// quorum *still* follows: a later term that reaches it then is no disruption.
    fn note_lapses(&self, t: &mut RaftState) {
        for l in 0..self.slots {
            if t.members[l as usize].role == Role::Leader && !leads_a_quorum(self, t, l) {
                t.members[l as usize].lapsed = true;
            }
        }
    }

    /// The clients of writes whose leader stopped leading before committing them see a timeout:
    /// etcd fails such a proposal ("leader changed"), though its entry stays in the logs.
    fn time_out_clients(&self, s: &RaftState, t: &mut RaftState) {
        for (before, after) in s.members.iter().zip(&t.members) {
            let led = before.up && before.role == Role::Leader;
            if led && !(after.up && after.role == Role::Leader && after.term == before.term) {
                t.timed_out |= writes_in(&before.log) & !t.acked;
            }
        }
    }

    pub(super) fn init(&self) -> RaftState {
        let n = self.masters as usize;
        let first = Entry { term: 1, write: 0 };
        let config = Config {
            voters: ((1u16 << n) - 1) as u8,
            learners: 0,
        };
        let members = (0..self.slots as usize)
            .map(|i| {
                if i >= n {
                    return empty_member();
                }
                Member {
                    term: 1,
                    vote: Some(0),
                    log: [first].into_iter().collect(),
                    commit: 1,
                    // The cluster ran long enough before the check for the kernel to write its
                    // first entry back, fsync or not.
                    synced: 1,
                    up: true,
                    role: if i == 0 { Role::Leader } else { Role::Follower },
                    votes: 0,
                    match_index: std::array::from_fn(|p| u8::from(i == 0 && p < n)),
                    lapsed: false,
                    config,
                    absent: false,
                }
            })
            .collect();
        RaftState {
            members,
            network: Network::Whole,
            crashes: 0,
            writes: 0,
            acked: 0,
            timed_out: 0,
            stale_read: 0,
            pauses: 0,
            links_down: 0,
            link_failures: 0,
            splits: 0,
            disrupted: false,
            messages: Vec::new(),
            operator: (self.recovery != 0).then(Default::default),
        }
    }

    fn become_leader(&self, s: &mut RaftState, id: Id) {
        let m = &mut s.members[id as usize];
        m.role = Role::Leader;
        m.votes = 0;
        m.log.push(Entry {
            term: m.term,
            write: 0,
        });
        let last = m.last_index();
        m.match_index = [0; MAX_MEMBERS];
        m.match_index[id as usize] = last;
        self.advance_commit(s, id);
    }

    /// `raftLog.maybeCommit`: the highest index of the leader's own term stored by a quorum.
    pub(super) fn advance_commit(&self, s: &mut RaftState, id: Id) {
        let m = &s.members[id as usize];
        let config = self.config(m);
        let quorum = self.quorum_of(config);
        let mut commit = m.commit;
        for index in (m.commit + 1..=m.last_index()).rev() {
            if m.log[index as usize - 1].term != m.term && self.keeps(UnsafeRule::CurrentTermCommit)
            {
                break;
            }
            let stored = if self.has_bug(Bug::CommitAlone) {
                quorum
            } else {
                (0..self.slots)
                    .filter(|&p| config.is_voter(p) && m.match_index[p as usize] >= index)
                    .count()
            };
            if stored >= quorum {
                commit = index;
                break;
            }
        }
        if commit > m.commit {
            let newly = writes_in(&m.log[..commit as usize]) & !s.acked;
            if self.recovery != 0 && newly != 0 {
                // etcd's revision: one more for each write applied.
                let mut revision = 0;
                let mut given = s.op().revision_of;
                for e in &m.log[..commit as usize] {
                    if let Some(w) = e.write_id() {
                        revision += 1;
                        if newly >> (w - 1) & 1 == 1 {
                            given[w as usize - 1] = revision;
                        }
                    }
                }
                s.op_mut().revision_of = given;
            }
            s.acked |= newly;
            self.commit_to(s, id, commit);
        }
    }

    /// After a (pre-)vote is granted: has the candidate won?
    pub(super) fn tally(&self, s: &mut RaftState, id: Id) {
        let config = self.config(&s.members[id as usize]);
        let m = &mut s.members[id as usize];
        if ((m.votes & config.voters).count_ones() as usize) < self.quorum_of(config) {
            return;
        }
        if m.role == Role::PreCandidate {
            m.term += 1;
            m.vote = Some(id);
            m.role = Role::Candidate;
            m.votes = 1 << id;
            self.tally(s, id);
        } else {
            self.become_leader(s, id);
        }
    }

    /// Whether `voter` still hears from a leader of its term (etcd's in-lease check for
    /// pre-votes: a member in contact with its leader refuses to help depose it).
    pub(super) fn hears_leader(&self, s: &RaftState, voter: Id) -> bool {
        let term = s.members[voter as usize].term;
        s.reachable(voter).any(|l| {
            let m = &s.members[l as usize];
            m.role == Role::Leader && m.term == term && self.config(m).members() >> voter & 1 == 1
        })
    }

    /// The voter's answer to a (pre-)vote request, decided on the state before the request.
    pub(super) fn ballot(&self, s: &RaftState, c: Id, v: Id) -> Ballot {
        let (cand, voter) = (&s.members[c as usize], &s.members[v as usize]);
        let pre = cand.role == Role::PreCandidate;
        // A pre-vote asks for term + 1, so it is always above a voter it does not step down for.
        if voter.term > cand.term {
            return Ballot::NewerTerm;
        }
        // etcd's lease (`inLease`, which needs CheckQuorum): a member that still hears its
        // leader drops a (pre-)vote request of a later term unanswered, and stays in its term.
        let lease = self.keeps(UnsafeRule::CheckQuorum)
            && if pre {
                self.keeps(UnsafeRule::PreVoteLease)
            } else {
                self.keeps(UnsafeRule::VoteLease) && cand.term > voter.term
            };
        if lease && self.hears_leader(s, v) {
            return Ballot::HearsLeader;
        }
        let up_to_date = !self.keeps(UnsafeRule::VoteLogCheck)
            || (cand.last_term(), cand.last_index()) >= (voter.last_term(), voter.last_index());
        if !up_to_date {
            return Ballot::LogBehind;
        }
        if pre {
            return Ballot::Granted;
        }
        // A voter behind the candidate's term forgets its vote as it catches up.
        match voter.vote {
            Some(other)
                if voter.term == cand.term && other != c && !self.has_bug(Bug::VoteTwice) =>
            {
                Ballot::VotedFor(other)
            }
            _ => Ballot::Granted,
        }
    }

    fn request_vote(&self, s: &mut RaftState, c: Id, v: Id) {
        if self.refuses(s, v, c) {
            stop(&mut s.members[c as usize]);
            return;
        }
        let ballot = self.ballot(s, c, v);
        let pre = s.members[c as usize].role == Role::PreCandidate;
        let (c_term, v_term) = (s.members[c as usize].term, s.members[v as usize].term);
        // A response carrying a higher term turns the (pre-)candidate into a follower.
        if ballot == Ballot::NewerTerm {
            s.members[c as usize].become_follower(v_term);
            return;
        }
        if ballot == Ballot::HearsLeader {
            return;
        }
        if !pre && v_term < c_term {
            s.members[v as usize].become_follower(c_term);
        }
        if ballot == Ballot::Granted {
            if !pre {
                s.members[v as usize].vote = Some(c);
            }
            s.members[c as usize].votes |= 1 << v;
            self.tally(s, c);
        }
    }

    fn append_entries(&self, s: &mut RaftState, l: Id, f: Id) {
        if self.refuses(s, f, l) {
            stop(&mut s.members[l as usize]);
            return;
        }
        let l_term = s.members[l as usize].term;
        if s.members[f as usize].term > l_term {
            let t = s.members[f as usize].term;
            s.members[l as usize].become_follower(t);
            return;
        }
        let leader = s.members[l as usize];
        let follower = &mut s.members[f as usize];
        follower.become_follower(l_term);
        if self.has_bug(Bug::NoTruncate) {
            let have = follower.log.len();
            follower.log.extend(leader.log.iter().skip(have).copied());
        } else {
            // Find the first conflict, truncate there, append what is missing.
            let common = follower
                .log
                .iter()
                .zip(leader.log.iter())
                .take_while(|(a, b)| a == b)
                .count();
            if common < follower.log.len() && common < leader.log.len() {
                follower.log.truncate(common);
            }
            let have = follower.log.len();
            follower.log.extend(leader.log.iter().skip(have).copied());
        }
        let last_new = leader.last_index();
        let commit = leader.commit.min(last_new);
        if commit > follower.commit {
            self.commit_to(s, f, commit);
        }
        s.members[l as usize].match_index[f as usize] = last_new;
        self.advance_commit(s, l);
    }
}

impl stateright::Model for Raft {
    type State = RaftState;
    type Action = Action;

    fn init_states(&self) -> Vec<RaftState> {
        vec![self.init()]
    }

    fn actions(&self, s: &RaftState, actions: &mut Vec<Action>) {
        self.step_actions(s, actions);
        if self.macro_steps() {
            // One macro step per candidate and per leader instead of one step per member asked:
            // the order in which a campaign or a replication reaches members does not decide
            // whether recovery is possible, and the macro's path is a path of single steps.
            // A write taken by a leader no quorum follows only uses up the budget. A request
            // whose answer turns the candidate or leader back stays a step of its own: a
            // recovery may need it, and a macro step must not take it on the way.
            let mut folded = Vec::with_capacity(actions.len());
            for &a in actions.iter() {
                let a = match a {
                    Action::RequestVote(c, v) if !self.turns_back(s, c, v) => Action::Canvass(c),
                    Action::AppendEntries(l, p) if !self.turns_back(s, l, p) => {
                        Action::Replicate(l)
                    }
                    Action::ClientWrite(l) if !leads_a_quorum(self, s, l) => continue,
                    a => a,
                };
                if !folded.contains(&a) {
                    folded.push(a);
                }
            }
            // The steps likeliest to reach a goal first: a search that follows the first step
            // that changes something then walks a short path to the goal.
            folded.sort_by_key(|a| match a {
                Action::ClientWrite(_) => 0,
                Action::Replicate(l) if leads_a_quorum(self, s, *l) => 1,
                Action::Canvass(_) => 2,
                Action::Timeout(_) => 3,
                Action::Heal | Action::Restart(_) => 4,
                _ => 5,
            });
            *actions = folded;
        }
    }

    fn next_state(&self, s: &RaftState, action: Action) -> Option<RaftState> {
        match action {
            Action::Canvass(i) | Action::Replicate(i) => {
                let single = |p| match action {
                    Action::Canvass(_) => Action::RequestVote(i, p),
                    _ => Action::AppendEntries(i, p),
                };
                let mut t = s.clone();
                let mut enabled = Vec::new();
                loop {
                    let mut changed = false;
                    for p in 0..self.slots {
                        enabled.clear();
                        self.step_actions(&t, &mut enabled);
                        if !self.turns_back(&t, i, p) && enabled.contains(&single(p)) {
                            if let Some(u) = self.single_step(&t, single(p)) {
                                t = u;
                                changed = true;
                            }
                        }
                    }
                    if !changed {
                        break;
                    }
                }
                (t != *s).then_some(t)
            }
            _ => self.single_step(s, action),
        }
    }

    fn format_action(&self, action: &Action) -> String {
        self.describe(action)
    }

    fn format_step(&self, last: &RaftState, action: Action) -> Option<String> {
        self.next_state(last, action)
            .map(|next| self.changes(last, &next).join("\n"))
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        stateright_invariants()
    }
}

impl Raft {
    /// Whether vote requests and replication are taken as macro steps ([`Action::Canvass`],
    /// [`Action::Replicate`]): in recovery searches of the atomic network mode, which look for
    /// some path to the goal, not for every interleaving.
    fn macro_steps(&self) -> bool {
        self.recovery_only && !self.messages()
    }

    /// Whether member `p`'s answer to a request of `i` turns `i` back: `p` is in a later term,
    /// or knows `i` was removed.
    fn turns_back(&self, s: &RaftState, i: Id, p: Id) -> bool {
        s.members[p as usize].term > s.members[i as usize].term || self.refuses(s, p, i)
    }

    /// The single steps enabled in `s`.
    fn step_actions(&self, s: &RaftState, actions: &mut Vec<Action>) {
        let n = self.slots;
        // The liveness model bounds terms as it keeps them, renumbered: a state and its
        // renumbered form then take the same steps.
        let bounded = |i: u8| self.within_term_bound(s, i);
        let timing = self.timing_holds_back(s);
        for i in 0..n {
            let m = &s.members[i as usize];
            if !m.up {
                if self.heal && !m.absent {
                    actions.push(Action::Restart(i));
                }
                continue;
            }
            match m.role {
                Role::Leader => {
                    if s.writes < self.max_writes && m.log.len() < LOG_CAPACITY {
                        actions.push(Action::ClientWrite(i));
                    }
                    let config = self.config(m);
                    for p in 0..n {
                        if p != i
                            && config.members() >> p & 1 == 1
                            && s.members[p as usize].up
                            && s.connected(i, p)
                        {
                            actions.push(Action::AppendEntries(i, p));
                        }
                    }
                    let followers = s.reachable(i).filter(|&p| config.is_voter(p)).count();
                    if followers < self.quorum_of(config) && self.keeps(UnsafeRule::CheckQuorum) {
                        actions.push(Action::StepDown(i));
                    }
                }
                Role::Candidate | Role::PreCandidate => {
                    let voters = self.config(m).voters;
                    for p in 0..n {
                        if p != i
                            && voters >> p & 1 == 1
                            && m.votes >> p & 1 == 0
                            && s.members[p as usize].up
                            && s.connected(i, p)
                        {
                            actions.push(Action::RequestVote(i, p));
                        }
                    }
                }
                Role::Follower => {}
            }
            // Heartbeats are timely: the election timeout fires only for a member that hears
            // from no leader of its term.
            if m.role != Role::Leader
                && bounded(i)
                && self.config(m).is_voter(i)
                && !self.hears_leader(s, i)
                && (!self.recovery_only || self.best_candidate(s) == Some(i))
                && !timing
            {
                actions.push(Action::Timeout(i));
            }
            if s.crashes < self.crash && !self.recovery_only {
                actions.push(Action::Crash(i));
                if self.crash_loses_unsynced {
                    // The kernel may have written back any part of what was not yet on disk.
                    for kept in m.synced..m.last_index() {
                        actions.push(Action::CrashLosesUnsynced(i, kept));
                    }
                }
            }
            if m.role == Role::Follower
                && s.pauses < self.pauses
                && bounded(i)
                && self.hears_leader(s, i)
                && !self.recovery_only
            {
                actions.push(Action::Pause(i));
            }
            // Reads change nothing unless they miss a write; they never help recovery.
            let serves = match self.reads {
                Some(Reads::Linearizable) => m.role == Role::Leader,
                Some(Reads::Serializable) => true,
                None => false,
            };
            if serves && !self.recovery_only {
                actions.push(Action::Read(i));
            }
        }
        for a in 0..n {
            for b in a + 1..n {
                if s.link_failures < self.link_faults
                    && s.links_down & link_bit(a, b) == 0
                    && !self.recovery_only
                {
                    actions.push(Action::FailLink(a, b));
                }
            }
        }
        let may_split = match s.network {
            Network::Whole => true,
            Network::Healed => s.splits < self.splits,
            Network::Split { .. } => false,
        };
        if self.partition && may_split && !self.recovery_only {
            // Every split into two non-empty groups, named by the group holding m1.
            let all = self.all();
            for side in (1..all).filter(|side| side & 1 == 1) {
                actions.push(Action::Partition(side));
            }
        }
        if self.heal && (matches!(s.network, Network::Split { .. }) || s.links_down != 0) {
            actions.push(Action::Heal);
        }
        if self.recovery != 0 {
            self.operator_actions(s, actions);
        }
        if self.messages() {
            self.message_actions(s, actions);
        }
    }

    /// The state after one single step.
    fn single_step(&self, s: &RaftState, action: Action) -> Option<RaftState> {
        let mut t = s.clone();
        self.single_step_into(s, action, &mut t).then_some(t)
    }

    /// The state after one single step, written over `t`, which holds a copy of `s`: whether the
    /// step changes anything.
    pub(super) fn single_step_into(
        &self,
        s: &RaftState,
        action: Action,
        t: &mut RaftState,
    ) -> bool {
        match action {
            Action::Canvass(_) | Action::Replicate(_) => {
                unreachable!("macro steps are runs of single steps")
            }
            Action::Timeout(i) | Action::Pause(i) => {
                if action == Action::Pause(i) {
                    t.pauses += 1;
                }
                let m = &mut t.members[i as usize];
                if self.pre_vote {
                    m.role = Role::PreCandidate;
                    m.votes = 1 << i;
                } else {
                    m.term += 1;
                    m.vote = Some(i);
                    m.role = Role::Candidate;
                    m.votes = 1 << i;
                }
                self.tally(t, i);
            }
            Action::RequestVote(c, v) => self.request_vote(t, c, v),
            Action::ClientWrite(l) => {
                t.writes += 1;
                let m = &mut t.members[l as usize];
                m.log.push(Entry {
                    term: m.term,
                    write: t.writes,
                });
                let last = m.last_index();
                m.match_index[l as usize] = last;
                self.advance_commit(t, l);
            }
            Action::AppendEntries(l, f) => self.append_entries(t, l, f),
            Action::StepDown(l) => t.members[l as usize].become_follower(0),
            Action::Crash(i) => {
                t.crashes += 1;
                let m = &mut t.members[i as usize];
                m.become_follower(0);
                m.up = false;
            }
            Action::CrashLosesUnsynced(i, kept) => {
                t.crashes += 1;
                let m = &mut t.members[i as usize];
                m.become_follower(0);
                m.up = false;
                m.log.truncate(kept as usize);
                // The HardState records that carried a later commit index were in the lost part
                // of the WAL too (etcd refuses a commit index past the last entry).
                m.commit = m.commit.min(kept);
            }
            Action::Restart(i) => {
                if self.recovery != 0 {
                    t.op_mut().healed = true;
                }
                let m = &mut t.members[i as usize];
                m.up = true;
                // What it read back from disk is on disk.
                m.synced = m.last_index();
                if !self.keeps(UnsafeRule::PersistTermVote) {
                    // Without its HardState, a member knows only what its log tells: the term
                    // of its last entry, and no vote.
                    m.term = m.last_term();
                    m.vote = None;
                }
            }
            Action::Partition(side) => {
                t.network = Network::Split { side };
                t.splits += 1;
            }
            Action::Heal => {
                if self.recovery != 0 {
                    t.op_mut().healed = true;
                }
                if let Network::Split { .. } = t.network {
                    t.network = Network::Healed;
                }
                t.links_down = 0;
            }
            Action::FailLink(a, b) => {
                t.links_down |= link_bit(a, b);
                t.link_failures += 1;
            }
            Action::Read(i) => self.read(t, i),
            Action::Send(_) | Action::Deliver(_) | Action::Lose(_) | Action::Duplicate(_) => {
                self.network_step(t, action)
            }
            Action::MemberAdd(..)
            | Action::LearnerAdd(..)
            | Action::Promote(..)
            | Action::MemberRemove(..)
            | Action::StartMember(_)
            | Action::ForceNewCluster(_)
            | Action::SnapshotSave(_)
            | Action::SnapshotRestore(_) => self.operate(t, action),
        }
        if self.recovery != 0 {
            self.note_recovery(s, t);
        }
        if self.client_timeouts {
            self.time_out_clients(s, t);
        }
        if matches!(
            action,
            Action::RequestVote(..) | Action::AppendEntries(..) | Action::Deliver(..)
        ) {
            self.note_disruption(s, t);
        }
        self.note_lapses(t);
        for m in &mut t.members {
            // With fsync every entry is on disk before the member answers; without it, only the
            // synced prefix, cut short should the log be truncated below it.
            m.synced = if self.crash_loses_unsynced {
                m.synced.min(m.last_index())
            } else {
                m.last_index()
            };
        }
        *t != *s
    }
}

/// The client writes a log holds, as a bitset of write ids.
pub(super) fn writes_in(log: &[Entry]) -> u8 {
    log.iter().fold(0u8, |acc, e| match e.write_id() {
        Some(w) => acc | 1 << (w - 1),
        None => acc,
    })
}
