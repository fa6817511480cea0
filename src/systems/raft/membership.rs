//! Membership and disaster recovery: configurations, the quorums they make, the operator's
//! `etcdctl member ...` changes, `--force-new-cluster` and restoring a snapshot.
//!
//! A configuration change is a log entry ([`Change`]) that commits through the quorum of the
//! configuration in force. etcd uses a configuration once it has *applied* it, that is once the
//! entry is committed (`raft.applyConfChange`); `--config-on-append` instead uses the newest
//! configuration in the log, committed or not, as the Raft dissertation does.

use super::actions::Action;
use super::state::{Change, Config, Id, Log, Member, RaftState, Role, NO_MEMBER};
use super::Raft;
use crate::scenario::{Recovery, UnsafeRule};

/// One bit per operator action in [`RaftState::ops`]: each is taken at most once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Op {
    MemberAdd,
    LearnerAdd,
    Promote,
    MemberRemove,
    ForceNewCluster,
    SnapshotSave,
    SnapshotRestore,
}

impl Op {
    #[inline]
    pub fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The ops that are recovery actions proper (a snapshot save is a routine backup).
const RECOVERY_OPS: u8 = !(1 << Op::SnapshotSave as u8);

/// etcd's `readyPercentThreshold`: a learner is promoted only once its log reaches 90% of the
/// leader's (`isLearnerReady`, `ErrLearnerNotReady`).
const LEARNER_READY: f64 = 0.9;

impl Raft {
    /// The configuration `m` uses: the one it applied, or with `--config-on-append` the newest in
    /// its log.
    #[inline]
    pub(super) fn config(&self, m: &Member) -> Config {
        if !self.config_on_append {
            return m.config;
        }
        m.log[(m.commit as usize).min(m.log.len())..]
            .iter()
            .filter_map(|e| e.conf_change())
            .fold(m.config, Config::apply)
    }

    /// Votes (or replicas) a configuration needs: its majority once membership can change, the
    /// scenario's quorum (perhaps overridden) otherwise.
    #[inline]
    pub(super) fn quorum_of(&self, c: Config) -> usize {
        if self.recovery == 0 {
            self.quorum as usize
        } else {
            c.voters.count_ones() as usize / 2 + 1
        }
    }

    /// Whether the scenario lets the operator take `action`.
    pub(super) fn allows(&self, action: Recovery) -> bool {
        self.recovery >> action as u8 & 1 == 1
    }

    /// Sets `id`'s commit index and applies what it newly commits: configuration changes take
    /// effect (in etcd's mode), removals are recorded in the membership store, and a member that
    /// applies its own removal stops, as etcd does ("the member has been permanently removed").
    pub(super) fn commit_to(&self, s: &mut RaftState, id: Id, commit: u8) {
        let m = &mut s.members[id as usize];
        let from = (m.commit as usize).min(m.log.len());
        let to = (commit as usize).min(m.log.len());
        m.commit = commit;
        if self.recovery == 0 {
            return;
        }
        let mut config = m.config;
        let mut removed = 0u8;
        for e in &m.log[from.min(to)..to] {
            if let Some(change) = e.conf_change() {
                config = config.apply(change);
                if let Change::Remove(x) = change {
                    removed |= 1 << x;
                }
            }
        }
        m.config = config;
        if removed != 0 {
            s.op_mut().removed_ids |= removed;
        }
        if removed >> id & 1 == 1 {
            stop(&mut s.members[id as usize]);
        }
    }

    /// A member that knows `from` was removed refuses its messages, and `from` stops (etcd's
    /// peer handler answers 410 Gone and the removed member shuts down).
    pub(super) fn refuses(&self, s: &RaftState, to: Id, from: Id) -> bool {
        s.op().removed_ids >> from & 1 == 1
            && self.config(&s.members[to as usize]).members() >> from & 1 == 0
    }

    /// The ids of the members the scenario may add: `m(masters+1)` for a member add, the next
    /// for a learner add.
    fn added_id(&self, action: Recovery) -> Id {
        let first = self.masters;
        match action {
            Recovery::LearnerAdd if self.allows(Recovery::MemberAdd) => first + 1,
            _ => first,
        }
    }

    /// Whether leader `l` may propose a configuration change now: none is pending (etcd allows
    /// one at a time: `pendingConfIndex` beyond what it applied), and, with the reconfiguration
    /// guard, it has committed an entry of its own term. etcd sets `pendingConfIndex` to the
    /// last index when a member becomes leader, which with configurations used on apply is
    /// enough; used on append, the rule is the Raft dissertation's fix of the single-server
    /// membership change bug (raft-dev, 2015).
    fn may_reconfigure(&self, l: &Member) -> bool {
        let commit = (l.commit as usize).min(l.log.len());
        let pending = l.log[commit..].iter().any(|e| e.conf_change().is_some());
        let own_term_committed = commit > 0 && l.log[commit - 1].term == l.term;
        !pending && (own_term_committed || !self.keeps(UnsafeRule::ReconfigGuard))
    }

    /// etcd's strict reconfiguration check (`--strict-reconfig-check`), as the member that takes
    /// the request sees it. `mayAddMember` refuses (ErrUnhealthy) unless the connected voters,
    /// itself included, make a quorum of the configuration with the new member counted as down
    /// (`isConnectedToQuorumAfterAddingNewMemberSince`; a single voter may always add).
    /// `mayRemoveMember` lets a down member go ("downed member is safe to remove"), and otherwise
    /// refuses unless the connected voters left make a quorum of the smaller configuration.
    /// Every member here has started once, so the started-member counts
    /// (`IsReadyToAddVotingMember`, ErrNotEnoughStartedMembers) never refuse.
    fn strict_allows(&self, s: &RaftState, l: Id, change: Change) -> bool {
        if !self.keeps(UnsafeRule::StrictReconfig) {
            return true;
        }
        let config = self.config(&s.members[l as usize]);
        let active = s.reachable(l).fold(0u8, |acc, p| acc | 1 << p) & config.voters;
        let connected = active.count_ones() as usize;
        match change {
            Change::AddVoter(x) | Change::AddLearner(x) => {
                let grown = Config {
                    voters: config.voters | 1 << x,
                    ..config
                };
                config.voters.count_ones() == 1 || connected >= self.quorum_of(grown)
            }
            Change::Remove(x) => {
                if !config.is_voter(x) || (x != l && active >> x & 1 == 0) {
                    return true;
                }
                let left = Config {
                    voters: config.voters & !(1 << x),
                    ..config
                };
                connected.saturating_sub(1) >= self.quorum_of(left)
            }
            Change::Promote(_) => true,
        }
    }

    /// Whether every fault of the budget has happened: the operator acts on the cluster the
    /// faults left, and a runbook is checked against exactly the failure it answers.
    fn after_the_faults(&self, s: &RaftState) -> bool {
        s.crashes == self.crash
            && (!self.partition || s.splits > 0)
            && s.link_failures == self.link_faults
            && s.pauses == self.pauses
    }

    /// The operator's steps available in `s`.
    pub(super) fn operator_actions(&self, s: &RaftState, actions: &mut Vec<Action>) {
        let fresh = |op: Op| s.op().ops & op.bit() == 0;
        let n = self.slots;
        // A snapshot is a routine backup: taken at any time, from a member that is up.
        if self.allows(Recovery::SnapshotRestore) && s.op().snapshot.is_none() {
            for i in (0..n).filter(|&i| live(&s.members[i as usize])) {
                actions.push(Action::SnapshotSave(i));
            }
        }
        // The added members start once a member has them in its configuration.
        for x in self.masters..n {
            let m = &s.members[x as usize];
            if m.absent
                && s.op().removed_ids >> x & 1 == 0
                && (0..n).any(|p| {
                    let q = &s.members[p as usize];
                    q.up && self.config(q).members() >> x & 1 == 1
                })
            {
                actions.push(Action::StartMember(x));
            }
        }
        if !self.after_the_faults(s) {
            return;
        }
        for i in (0..n).filter(|&i| live(&s.members[i as usize])) {
            if self.allows(Recovery::ForceNewCluster) && fresh(Op::ForceNewCluster) {
                actions.push(Action::ForceNewCluster(i));
            }
            if self.allows(Recovery::SnapshotRestore)
                && fresh(Op::SnapshotRestore)
                && s.op().snapshot.is_some()
            {
                actions.push(Action::SnapshotRestore(i));
            }
        }
        for l in 0..n {
            let leader = &s.members[l as usize];
            if !(leader.up && leader.role == Role::Leader && self.may_reconfigure(leader)) {
                continue;
            }
            let config = self.config(leader);
            for (action, op) in [
                (Recovery::MemberAdd, Op::MemberAdd),
                (Recovery::LearnerAdd, Op::LearnerAdd),
            ] {
                let x = self.added_id(action);
                let change = if op == Op::MemberAdd {
                    Change::AddVoter(x)
                } else {
                    Change::AddLearner(x)
                };
                if self.allows(action)
                    && fresh(op)
                    && s.op().removed_ids >> x & 1 == 0
                    && self.strict_allows(s, l, change)
                {
                    actions.push(if op == Op::MemberAdd {
                        Action::MemberAdd(l, x)
                    } else {
                        Action::LearnerAdd(l, x)
                    });
                }
            }
            if self.allows(Recovery::LearnerAdd) && fresh(Op::Promote) {
                let x = self.added_id(Recovery::LearnerAdd);
                let ready = leader.match_index[x as usize] as f64
                    >= leader.match_index[l as usize] as f64 * LEARNER_READY;
                if config.learners >> x & 1 == 1 && ready {
                    actions.push(Action::Promote(l, x));
                }
            }
            if self.allows(Recovery::MemberRemove) && fresh(Op::MemberRemove) {
                for x in (0..n).filter(|&x| config.members() >> x & 1 == 1) {
                    // raft refuses a configuration without voters.
                    let last_voter = config.voters == 1 << x;
                    if !last_voter && self.strict_allows(s, l, Change::Remove(x)) {
                        actions.push(Action::MemberRemove(l, x));
                    }
                }
            }
        }
    }

    /// An operator step.
    pub(super) fn operate(&self, t: &mut RaftState, action: Action) {
        let n = self.slots;
        match action {
            Action::MemberAdd(l, x) => self.propose(t, l, Change::AddVoter(x), Op::MemberAdd),
            Action::LearnerAdd(l, x) => self.propose(t, l, Change::AddLearner(x), Op::LearnerAdd),
            Action::Promote(l, x) => self.propose(t, l, Change::Promote(x), Op::Promote),
            Action::MemberRemove(l, x) => self.propose(t, l, Change::Remove(x), Op::MemberRemove),
            Action::StartMember(x) => {
                // It starts empty with `--initial-cluster-state existing`, knowing the
                // configuration it was added to, and learns the log from the leader.
                let config = (0..n)
                    .map(|p| &t.members[p as usize])
                    .filter(|q| q.up && self.config(q).members() >> x & 1 == 1)
                    .map(|q| self.config(q))
                    .next()
                    .unwrap_or_default();
                let m = &mut t.members[x as usize];
                *m = Member {
                    up: true,
                    absent: false,
                    config,
                    ..empty_member()
                };
            }
            Action::ForceNewCluster(i) => {
                // etcd's `restartAsStandaloneNode`: discard the uncommitted entries, force-commit
                // the removal of every other member; the cluster id is kept.
                t.op_mut().ops |= Op::ForceNewCluster.bit();
                let others = (0..n)
                    .filter(|&p| p != i && !t.members[p as usize].absent)
                    .fold(0u8, |acc, p| acc | 1 << p);
                t.op_mut().removed_ids |= others;
                let m = &mut t.members[i as usize];
                let commit = (m.commit as usize).min(m.log.len());
                m.log.truncate(commit);
                m.become_follower(0);
                m.config = Config {
                    voters: 1 << i,
                    learners: 0,
                };
            }
            Action::SnapshotSave(i) => {
                let snapshot = t.members[i as usize].committed().iter().copied().collect();
                let op = t.op_mut();
                op.ops |= Op::SnapshotSave.bit();
                op.snapshot = Some(snapshot);
            }
            Action::SnapshotRestore(i) => {
                // `etcdutl snapshot restore` makes a new cluster (a new cluster id): the other
                // members' data is discarded and they are gone until added again.
                let snapshot: Log = t.op().snapshot.unwrap_or_default();
                let others = (0..n)
                    .filter(|&p| p != i && !t.members[p as usize].absent)
                    .fold(0u8, |acc, p| acc | 1 << p);
                for p in (0..n).filter(|&p| others >> p & 1 == 1) {
                    stop(&mut t.members[p as usize]);
                }
                let op = t.op_mut();
                op.ops |= Op::SnapshotRestore.bit();
                op.removed_ids |= others;
                t.messages.clear();
                let m = &mut t.members[i as usize];
                m.become_follower(0);
                m.term = m.term.max(snapshot.last().map_or(0, |e| e.term));
                m.vote = None;
                m.commit = snapshot.len() as u8;
                m.log = snapshot;
                m.config = Config {
                    voters: 1 << i,
                    learners: 0,
                };
            }
            _ => unreachable!("not an operator step"),
        }
    }

    /// Leader `l` appends a configuration change (`etcdctl member ...` reaches it).
    fn propose(&self, t: &mut RaftState, l: Id, change: Change, op: Op) {
        t.op_mut().ops |= op.bit();
        let m = &mut t.members[l as usize];
        m.log.push(super::state::Entry::change(m.term, change));
        let last = m.last_index();
        m.match_index[l as usize] = last;
        self.advance_commit(t, l);
    }

    /// Records what a step did for recovery-restores-writes: a write newly acknowledged, with
    /// every fault still in effect, by a leader counting a quorum of a configuration the
    /// operator made (a write the original configuration could commit needed no recovery).
    pub(super) fn note_recovery(&self, s: &RaftState, t: &mut RaftState) {
        if t.acked & !s.acked == 0 || t.op().ops & RECOVERY_OPS == 0 || t.op().healed {
            return;
        }
        let original = ((1u16 << self.masters) - 1) as u8;
        let recovered = (0..self.slots).any(|l| {
            let (before, after) = (&s.members[l as usize], &t.members[l as usize]);
            after.role == Role::Leader
                && after.commit > before.commit
                && self.config(after).voters != original
        });
        if recovered {
            t.op_mut().recovered = true;
        }
    }
}

/// Up and a member of the cluster.
fn live(m: &Member) -> bool {
    m.up && !m.absent
}

/// A member that stops for good: removed, or discarded by a restore.
pub(super) fn stop(m: &mut Member) {
    m.become_follower(0);
    m.up = false;
    m.absent = true;
}

/// A member with nothing: the slot of a member not yet added.
pub(super) fn empty_member() -> Member {
    Member {
        absent: true,
        ..NO_MEMBER
    }
}

#[cfg(test)]
mod tests {
    use stateright::Model;

    use super::super::properties::invariant_catalogue;
    use super::super::*;
    use crate::property::Kind;
    use crate::scenario::{Recovery, Scenario, UnsafeRule};

    fn raft(s: Scenario) -> Raft {
        Raft::new(&s.raft().expect("valid scenario"))
    }

    fn step(model: &Raft, s: &RaftState, a: Action) -> RaftState {
        model
            .next_state(s, a)
            .unwrap_or_else(|| panic!("{a:?} changes the state"))
    }

    fn offered(model: &Raft, s: &RaftState, a: Action) -> bool {
        let mut actions = Vec::new();
        model.actions(s, &mut actions);
        actions.contains(&a)
    }

    /// Runs the steps in order, each of which must be offered.
    fn run(model: &Raft, steps: &[Action]) -> RaftState {
        steps.iter().fold(model.init(), |s, &a| {
            assert!(offered(model, &s, a), "{a:?} offered in {s:?}");
            step(model, &s, a)
        })
    }

    fn violated(model: &Raft, s: &RaftState, property: &str) -> bool {
        invariant_catalogue()
            .into_iter()
            .find(|p| p.name == property)
            .map(|p| match p.kind {
                Kind::Invariant(check) => check(model, s).is_some(),
                _ => unreachable!(),
            })
            .expect("an invariant")
    }

    fn scenario(masters: u32, crash: u32, recovery: &[Recovery]) -> Scenario {
        Scenario {
            masters,
            crash: Some(crash),
            recovery: recovery.to_vec(),
            ..Scenario::default()
        }
    }

    /// [`scenario`] without etcd's strict reconfiguration check.
    fn loose(masters: u32, crash: u32, recovery: &[Recovery]) -> Scenario {
        Scenario {
            unsafe_rules: vec![UnsafeRule::StrictReconfig],
            ..scenario(masters, crash, recovery)
        }
    }

    /// etcd refuses to promote a learner that has not caught up (`isLearnerReady`).
    #[test]
    fn a_lagging_learner_is_not_promoted() {
        // etcd's connectivity check refuses even a learner while one of three is down.
        let strict = raft(scenario(3, 1, &[Recovery::LearnerAdd]));
        let s = step(&strict, &strict.init(), Action::Crash(2));
        assert!(!offered(&strict, &s, Action::LearnerAdd(0, 3)));
        let m = raft(loose(3, 1, &[Recovery::LearnerAdd]));
        let s = run(
            &m,
            &[
                Action::Crash(2),
                Action::LearnerAdd(0, 3),
                Action::AppendEntries(0, 1),
                Action::StartMember(3),
            ],
        );
        assert_eq!(s.members[0].config.learners, 1 << 3, "{s:?}");
        assert!(!offered(&m, &s, Action::Promote(0, 3)), "{s:?}");
        // The learner never votes and never counts: the leader's quorum is still 2 of 3.
        assert!(!offered(&m, &s, Action::Timeout(3)));
        let s = step(&m, &s, Action::AppendEntries(0, 3));
        assert!(offered(&m, &s, Action::Promote(0, 3)), "{s:?}");
    }

    /// A removed member that restarts with its data is refused by a member that applied its
    /// removal, and stops.
    #[test]
    fn a_removed_member_that_comes_back_is_refused_and_stops() {
        let m = raft(Scenario {
            heal: true,
            ..scenario(3, 1, &[Recovery::MemberRemove])
        });
        let s = run(
            &m,
            &[
                Action::Crash(2),
                Action::MemberRemove(0, 2),
                Action::AppendEntries(0, 1),
                Action::Restart(2),
                Action::Timeout(2),
            ],
        );
        assert_eq!(s.op().removed_ids, 1 << 2);
        let t = step(&m, &s, Action::RequestVote(2, 0));
        assert!(t.members[2].absent && !t.members[2].up, "{t:?}");
        assert_eq!(
            t.members[0].term, s.members[0].term,
            "the refusal moves no term"
        );
        assert!(!offered(&m, &t, Action::Restart(2)), "it never comes back");
    }

    /// etcd's strict reconfiguration check refuses to remove a live member when the connected
    /// members left would not make a quorum; a dead member may go.
    #[test]
    fn the_strict_check_refuses_a_removal_that_loses_the_quorum() {
        let strict = raft(scenario(3, 1, &[Recovery::MemberRemove]));
        let loose = raft(loose(3, 1, &[Recovery::MemberRemove]));
        let s = step(&strict, &strict.init(), Action::Crash(2));
        assert!(offered(&strict, &s, Action::MemberRemove(0, 2)));
        assert!(!offered(&strict, &s, Action::MemberRemove(0, 1)));
        assert!(!offered(&strict, &s, Action::MemberRemove(0, 0)));
        assert!(offered(&loose, &s, Action::MemberRemove(0, 1)));
        // Adding a voter while one of three is down would need three of four: refused.
        let adds = raft(scenario(3, 1, &[Recovery::MemberAdd]));
        let s = step(&adds, &adds.init(), Action::Crash(2));
        assert!(!offered(&adds, &s, Action::MemberAdd(0, 3)));
    }

    /// One pending change at a time, and in etcd a change counts once applied: a removal
    /// that has not committed leaves the quorum as it was.
    #[test]
    fn a_configuration_takes_effect_on_apply_or_on_append() {
        for on_append in [false, true] {
            let m = raft(Scenario {
                config_on_append: on_append,
                ..scenario(2, 1, &[Recovery::MemberRemove])
            });
            let s = run(&m, &[Action::Crash(1), Action::MemberRemove(0, 1)]);
            // etcd: {m1, m2} is in force until the removal commits, which needs the dead m2.
            // On append: m1 counts {m1} at once and commits the removal alone.
            assert_eq!(s.members[0].commit == 2, on_append, "{s:?}");
            assert!(!offered(&m, &s, Action::MemberRemove(0, 0)));
        }
    }

    /// `--force-new-cluster` keeps only the committed log: an acknowledged write the survivor
    /// stored but did not know was committed is discarded.
    #[test]
    fn force_new_cluster_discards_what_the_survivor_had_not_committed() {
        let m = raft(Scenario {
            writes: 2,
            ..scenario(2, 1, &[Recovery::ForceNewCluster])
        });
        let s = run(
            &m,
            &[
                Action::ClientWrite(0),
                Action::AppendEntries(0, 1),
                Action::Crash(0),
                Action::ForceNewCluster(1),
            ],
        );
        assert_eq!(s.members[1].log.len(), 1, "{s:?}");
        assert_eq!(s.members[1].config.voters, 1 << 1);
        assert!(violated(&m, &s, "committed-writes-durable"));
        let s = run(
            &m,
            &[
                Action::ClientWrite(0),
                Action::AppendEntries(0, 1),
                Action::Crash(0),
                Action::ForceNewCluster(1),
                Action::Timeout(1),
                Action::ClientWrite(1),
            ],
        );
        assert!(s.op().recovered);
        assert!(violated(&m, &s, "revisions-never-reused"), "{s:?}");
    }

    /// A snapshot restore starts a new cluster from the snapshot: writes after it are lost,
    /// and the other members are gone.
    #[test]
    fn a_restore_keeps_the_snapshot_and_discards_the_rest() {
        let m = raft(scenario(3, 2, &[Recovery::SnapshotRestore]));
        let s = run(
            &m,
            &[
                Action::SnapshotSave(0),
                Action::ClientWrite(0),
                Action::AppendEntries(0, 1),
                Action::Crash(1),
                Action::Crash(2),
                Action::SnapshotRestore(0),
            ],
        );
        assert_eq!(s.members[0].log.len(), 1);
        assert!(s.members[1].absent && s.members[2].absent);
        assert!(violated(&m, &s, "committed-writes-durable"));
        assert!(
            !violated(&m, &s, "no-split-brain"),
            "the discarded logs count for nothing"
        );
    }

    /// The single-server membership change bug (raft-dev, 2015), as kcheck found it in
    /// `models/slow/unsafe-reconfig-guard.toml`: m2 wins term 2 and, without committing an entry
    /// of its term, adds m5 while m1 (term 1, then 3) removes m2; each commits in a
    /// configuration the other's quorum misses. With the guard, m2 may not propose the add;
    /// with configurations used on apply (etcd), the trace does not get there.
    #[test]
    fn the_reconfiguration_guard_prevents_the_2015_bug() {
        let bug = [
            Action::Partition(1),
            Action::Timeout(1),
            Action::RequestVote(1, 2),
            Action::Heal,
            Action::MemberRemove(0, 1),
            Action::AppendEntries(0, 2),
            Action::Timeout(0),
            Action::RequestVote(0, 2),
            Action::AppendEntries(0, 2),
            Action::RequestVote(1, 3),
            Action::AppendEntries(1, 3),
            Action::MemberAdd(1, 4),
            Action::StartMember(4),
            Action::AppendEntries(1, 4),
        ];
        let shipped = Scenario::from_file(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/slow/unsafe-reconfig-guard.toml"
        )))
        .expect("the shipped scenario");
        let m = raft(shipped.clone());
        let end = run(&m, &bug);
        assert!(violated(&m, &end, "no-split-brain"), "{end:?}");
        // With the guard: the same steps up to m2's add, which it may not propose.
        let guarded = raft(Scenario {
            unsafe_rules: Vec::new(),
            ..shipped.clone()
        });
        let before_add = run(&guarded, &bug[..11]);
        assert!(!offered(&guarded, &before_add, Action::MemberAdd(1, 4)));
        // Used on apply, the removal is not in force before it commits: m1 cannot win term 3
        // with m3's vote alone, and no step of the trace splits the cluster.
        let on_apply = raft(Scenario {
            config_on_append: false,
            ..shipped
        });
        let mut s = on_apply.init();
        for &a in &bug {
            if !offered(&on_apply, &s, a) {
                break;
            }
            s = step(&on_apply, &s, a);
        }
        assert!(!violated(&on_apply, &s, "no-split-brain"), "{s:?}");
        assert_ne!(s.members[0].role, Role::Leader, "{s:?}");
    }

    /// One configuration change at a time: while a removal is pending, no add is proposed.
    #[test]
    fn one_change_is_pending_at_a_time() {
        let m = raft(loose(3, 1, &[Recovery::MemberAdd, Recovery::MemberRemove]));
        let s = run(&m, &[Action::Crash(2), Action::MemberRemove(0, 2)]);
        assert!(!offered(&m, &s, Action::MemberAdd(0, 3)), "{s:?}");
        let s = step(&m, &s, Action::AppendEntries(0, 1));
        assert!(offered(&m, &s, Action::MemberAdd(0, 3)), "{s:?}");
    }

    /// A learner's replica never counts toward a quorum, even in a configuration used at once.
    #[test]
    fn a_learner_never_counts_toward_a_quorum() {
        let m = raft(Scenario {
            unsafe_rules: vec![UnsafeRule::StrictReconfig],
            config_on_append: true,
            ..scenario(3, 2, &[Recovery::LearnerAdd])
        });
        let s = run(
            &m,
            &[
                Action::Crash(1),
                Action::Crash(2),
                Action::LearnerAdd(0, 3),
                Action::StartMember(3),
                Action::AppendEntries(0, 3),
            ],
        );
        assert_eq!(
            s.members[3].log.len(),
            2,
            "the learner stores the entry: {s:?}"
        );
        assert_eq!(
            s.members[0].commit, 1,
            "m1 and a learner are no quorum: {s:?}"
        );
        // Nor does its vote: a candidate does not ask it, and would not count it.
        let mut c = s.clone();
        c.members[0].become_follower(2);
        c.members[0].role = Role::Candidate;
        c.members[0].votes = 1 << 0;
        assert!(!offered(&m, &c, Action::RequestVote(0, 3)), "{c:?}");
        c.members[0].votes = 1 << 0 | 1 << 3;
        m.tally(&mut c, 0);
        assert_eq!(c.members[0].role, Role::Candidate, "{c:?}");
    }

    /// A member that applies its own removal stops, as etcd does; the leader that removed
    /// itself leads no more.
    #[test]
    fn a_member_that_applies_its_own_removal_stops() {
        let m = raft(loose(3, 1, &[Recovery::MemberRemove]));
        let s = run(
            &m,
            &[
                Action::Crash(2),
                Action::MemberRemove(0, 0),
                Action::AppendEntries(0, 1),
            ],
        );
        assert!(s.members[0].absent && !s.members[0].up, "{s:?}");
        assert_eq!(s.op().removed_ids, 1 << 0);
    }
}
