//! # etcd Raft quorum
//!
//! The consensus core of a Kubernetes control plane: one etcd member per master, electing a
//! leader, replicating the API server's writes and committing them by quorum. This model answers
//! the seed document's "2-node trap", its quorum tables and its split-brain section: which faults
//! a cluster of N masters survives, and why an even number of members buys nothing.
//!
//! ## What is modelled, and how faithfully
//! - **Persistent state per member** (etcd's `HardState` plus its WAL): `term`, `vote`, the `log`
//!   and the `commit` index. etcd persists `commit` in `HardState`, so a restarted member keeps it.
//! - **Volatile state**: the `role`, the votes a candidate has collected and the leader's
//!   `match_index` per peer (etcd's `Progress.Match`). A crash clears all of it.
//! - **Elections** with the log up-to-date check (`raft.isUpToDate`). A new leader appends an
//!   empty entry of its own term, as etcd's `becomeLeader` does; that entry is what lets it
//!   commit entries of earlier terms.
//! - **Replication and commit**: a leader commits an index once a quorum of members store it and
//!   the entry there is of the leader's own term (`raftLog.maybeCommit` never counts replicas of
//!   older-term entries). Followers truncate conflicting suffixes and learn the commit index from
//!   the leader.
//! - **CheckQuorum** (on in every etcd server): a leader that cannot reach a quorum steps down.
//! - **Pre-vote** (`--pre-vote`, etcd's `--pre-vote`): a would-be candidate first asks whether it
//!   could win, without raising its term; a member still hearing from its leader refuses.
//! - **Faults**: up to `crash` members crash (keeping their persistent state, or with
//!   `--crash-loses-unsynced` only what reached the disk, see below); the network may
//!   split once into two non-empty groups that exchange nothing; with `heal`, crashed members
//!   restart and the partition heals.
//! - **Client writes** reach the leader, which appends them. A write whose leader loses quorum
//!   before committing it stays in the logs it reached and may still commit under a later leader,
//!   exactly as a write that timed out at the client can still take effect in etcd.
//!
//! ## The abstraction: two network modes
//! `--network atomic` (the default): each RPC is one atomic step. `RequestVote(c, v)` is the
//! request and its response; `AppendEntries(l, f)` sends the leader's whole log and returns the
//! follower's match index. Messages are never duplicated, reordered or lost in flight; a lost
//! message is the same as one never sent, which the model already covers by never taking the
//! step. This keeps five masters with a partition exhaustively checkable.
//!
//! `--network messages` (`network = "messages"`, see `messages.rs`): requests and responses are
//! separate messages in flight, at most `--max-in-flight` at once (default 2, stated in the
//! bounds line). The network delivers any of them, late and out of order, duplicates one or
//! loses one; a message across the split waits for the heal. An AppendEntries carries any
//! non-empty prefix of the leader's log after its guess of the follower's next index (etcd's
//! `Progress.Next` and `MaxSizePerMsg`), or no entries, to carry the commit index. It costs one
//! to three orders of magnitude more states (README, "Messages can be late").
//!
//! Which questions need the message mode: those about what a late, partial or repeated message
//! does to a follower's log or a leader's commit: Figure 8 (`current-term-commit`), the
//! follower's log check (`log-consistency-check`) and truncation (`truncate-on-conflict-only`).
//! Every other verdict is the same in both modes on every small configuration tested
//! (`messages::tests::the_atomic_mode_agrees_with_the_message_mode`: elections, quorums,
//! crashes, partitions, pre-vote, a quorum override, `vote-log-check`), so the atomic mode stays
//! the default for questions of fault tolerance and availability.
//!
//! Left out in both: log compaction and snapshots sent between members, leader leases and
//! leadership transfer. Heartbeats are timely in both: an election timeout
//! fires only for a member that hears no leader of its term.
//!
//! The check starts from a healthy cluster: `m1` leads term 1 and every member has committed its
//! empty entry, the "before" of each failure timeline in the seed document.
//!
//! ## Bounds
//! `max_term` bounds elections and `writes` bounds client writes. Recoverability is decided with
//! a larger budget (two more elections and one more write), see [`Raft::extended`].
//!
//! ## Safety rules that a scenario may remove
//! `--unsafe RULE` (`unsafe = [...]` in a scenario file) removes one etcd mechanism, to show
//! what it protects. Each has a shipped scenario in which removing it flips a verdict (pinned in
//! `properties/unsafe.toml`, tested in `tests/unsafe_rules.rs`):
//!
//! | rule | etcd | without it | scenario |
//! |---|---|---|---|
//! | `vote-log-check` | a voter refuses a less up-to-date candidate (`raft.isUpToDate`) | a member that missed a committed write is elected and the write is lost: `committed-writes-durable` | `models/unsafe-vote-log-check.toml` |
//! | `persist-term-vote` | term and vote are in the fsynced `HardState` | a restarted member votes twice in one term: two leaders of term 2, `single-leader-per-term` | `models/unsafe-persist-term-vote.toml` |
//! | `current-term-commit` | a leader counts replicas only of an entry of its own term (`raftLog.maybeCommit`) | Figure 8: a leader commits an old entry on two replicas, a member with a later-term entry wins and overwrites it, `committed-writes-durable` (messages; max-term 4) | `models/unsafe-current-term-commit.toml` |
//! | `log-consistency-check` | a follower accepts AppendEntries only if its log matches at the previous index and term | a member commits its own uncommitted entry at an index where the leader committed another, `no-split-brain` (messages) | `models/unsafe-log-consistency-check.toml` |
//! | `truncate-on-conflict-only` | a follower truncates only at a conflicting entry (`raftLog.findConflict`) | a late AppendEntries cuts an entry the follower acknowledged, and a committed write is lost, `committed-writes-durable` (messages) | `models/unsafe-truncate-on-conflict-only.toml` |
//! | `check-quorum` | a leader without a quorum steps down; it also gives members their lease | one failed link: a cut-off member wins the leader's own follower, `no-disruptive-rejoin` | `models/unsafe-check-quorum.toml` |
//! | `pre-vote-lease` | with pre-vote, a member that hears its leader refuses a pre-vote | a paused follower wins pre-votes and the election, `no-disruptive-rejoin` | `models/unsafe-pre-vote-lease.toml` |
//! | `vote-lease` | a member that hears its leader ignores a vote request of a later term | one failed link: the cut-off member is elected by the leader's follower, `no-disruptive-rejoin` | `models/unsafe-vote-lease.toml` |
//! | `strict-reconfig` | `--strict-reconfig-check`: a change that could leave the connected members without a quorum is refused | one of three masters dead: the operator removes a live one, and `{m1, m3}` needs the dead one, `write-availability` | `models/unsafe-strict-reconfig.toml` |
//! | `reconfig-guard` | a new leader proposes no configuration change before committing an entry of its term | with configurations used once appended, the raft-dev 2015 single-server bug: an add and a remove commit in configurations without a common quorum, `no-split-brain` (4 masters, term 3; 7.3 million states) | `models/slow/unsafe-reconfig-guard.toml` |
//!
//! The three log rules change no verdict in the atomic mode, where every AppendEntries carries
//! the leader's whole log in one step: their witnesses need `--network messages`. The lease rules
//! and CheckQuorum need partial links (`--link-faults`) or pauses (`--pauses`).
//!
//! ## Membership and disaster recovery (`membership.rs`)
//! `--recovery ACTION` lets the operator act once every fault of the scenario has happened, each
//! action at most once: `member-add`, `learner-add` (then `member promote`), `member-remove`,
//! `force-new-cluster` and `snapshot-restore` (after a `snapshot save` at any earlier point). A
//! membership change is a configuration entry proposed by a leader and committed through the
//! quorum of the configuration in force; quorums then come from configurations, not from
//! `--masters`. etcd uses a configuration once applied; `--config-on-append` once in the log.
//! One change is pending at a time; learners never vote or count and are promoted only once
//! their log reaches 90% of the leader's (`isLearnerReady`); a member that applies its own
//! removal stops, and a removed member that comes back is refused (410 Gone) and stops.
//! `--force-new-cluster` keeps the survivor's committed log and removes every other member; a
//! restore starts a new cluster from the snapshot and discards the other members' data. The
//! revision of a write (Kubernetes' `resourceVersion`) is its position among the writes a member
//! applied; `revisions-never-reused` checks that none is given to two writes. Symmetry reduction
//! renames configurations and configuration entries with the members; only the masters are
//! interchangeable, an added member keeps its name.
//!
//! ## The disk: what the WAL fsync protects
//! etcd fsyncs its WAL (entries and `HardState`) before a member answers an append or a vote,
//! and before a leader counts its own entry; `--unsafe-no-fsync` turns that off. With
//! `--crash-loses-unsynced` (`crash-loses-unsynced = true`) members run that way, and a crash
//! is the machine's (power loss, kernel panic: a process that dies alone leaves its writes in
//! the page cache). What reached the disk is then whatever the kernel had written back, at
//! times the model does not know, so a crash keeps any prefix of the log that covers what is
//! known to be on disk (`Member::synced`): the entries of the start, which the kernel wrote back
//! long before, and what the member read back at its last restart. The commit index goes with
//! the lost entries (etcd refuses a commit index past the last entry); the term and vote are
//! kept. Losing them too is what `--unsafe persist-term-vote` models, and the two combine;
//! keeping them shows what losing entries alone breaks, with less loss than a real crash (the
//! `HardState` of a lost append is written after its entries), so every violation found is one
//! a real crash allows. Left out: a WAL prefix may hold entries a later conflict overwrote, which
//! a crash could bring back; here a crash keeps a prefix of the current log. Without the option
//! `synced` is always the whole log and a crash loses nothing: no state is added.
//!
//! In `models/no-fsync.toml` (pinned in `properties/disk.toml`, tested in `tests/disk.rs`) the
//! leader commits a write stored by itself and one follower, crashes before the write reached
//! its disk, restarts without it and wins the next election with the vote of the member that
//! never had it: `no-split-brain` and `committed-writes-durable` are VIOLATED; with fsync both
//! hold.

mod actions;
mod codec;
mod diagram;
mod liveness;
mod membership;
mod messages;
mod properties;
mod state;
mod symmetry;
#[cfg(test)]
mod tests;

use crate::property::{Goal, Kind, Liveness, Property};
use crate::scenario::{RaftScenario, Reads, UnsafeRule};
use crate::systems::{Event, System};

pub use actions::{Action, Bug};
pub use liveness::LEADER_EVENTUALLY_ELECTED;
pub use membership::Op;
pub use messages::Message;
pub use properties::{
    NO_DISRUPTIVE_REJOIN, NO_SPLIT_BRAIN, READS_ARE_LINEARIZABLE, RECOVERY_RESTORES_WRITES,
    REVISIONS_NEVER_REUSED, TIMED_OUT_WRITE_MAY_COMMIT, WRITE_AVAILABILITY,
};
pub use state::{
    Change, Config, Entry, Id, Log, Member, Network, RaftState, Role, LOG_CAPACITY, MAX_MEMBERS,
};

use diagram::{log_text, member_summary, members_of, picture, role_word, votes};
use messages::in_flight_changes;
use properties::{
    failed_over, has_working_leader, invariant_catalogue, no_quorum_ever, no_write_can_ever_commit,
    recovery_restores_writes, timed_out_write_commits, write_commits, write_ready, writes_spent,
};

/// The etcd Raft model of one scenario.
#[derive(Clone, Debug)]
pub struct Raft {
    pub masters: u8,
    pub quorum: u8,
    pub crash: u8,
    pub partition: bool,
    pub heal: bool,
    pub pre_vote: bool,
    pub max_term: u8,
    pub max_writes: u8,
    /// Only the steps that can help the cluster recover: no new faults, and only the member
    /// best placed to win may campaign. See [`Raft::recovery`].
    pub recovery_only: bool,
    /// Explore one representative per renaming of the members (see [`Raft::renamed_canonically`]).
    pub symmetry: bool,
    /// The etcd safety mechanisms the scenario removed, one bit per [`UnsafeRule`].
    pub removed: u16,
    /// Client reads, if the scenario has them.
    pub reads: Option<Reads>,
    /// Whether clients whose leader stopped leading see their write time out.
    pub client_timeouts: bool,
    /// Pauses (an election timeout although the leader is alive) allowed.
    pub pauses: u8,
    /// Single links that may fail, and splits of the network that may happen.
    pub link_faults: u8,
    pub splits: u8,
    /// Whether members run without fsync, so that a crash may lose unsynced entries.
    pub crash_loses_unsynced: bool,
    /// Most messages in flight; 0 is the atomic mode, where each RPC is one step.
    pub max_in_flight: u8,
    /// Member slots: the masters, then one for each member the operator may add.
    pub slots: u8,
    /// The operator's recovery actions allowed, one bit per [`Recovery`]; 0 is a fixed
    /// membership, where the quorum is the scenario's.
    pub recovery: u8,
    /// Members use the newest configuration in their log (`--config-on-append`).
    pub config_on_append: bool,
    /// The system liveness is decided on ([`System::for_liveness`]): see "Liveness" in the
    /// module docs.
    pub liveness: bool,
    #[cfg(test)]
    pub bug: Option<Bug>,
}

pub fn name(id: Id) -> String {
    format!("m{}", id + 1)
}

/// A crash that lost the unsynced end of the log, in words: what was lost, and what survives.
pub(crate) fn lost_unsynced(before: &Member, after: &Member) -> String {
    format!(
        "crashes and loses {}, never fsynced (its disk holds {})",
        log_text(&before.log[after.log.len()..]),
        log_text(&after.log)
    )
}

impl Raft {
    pub fn new(s: &RaftScenario) -> Self {
        Raft {
            masters: s.masters,
            quorum: s.quorum,
            crash: s.crash,
            partition: s.partition,
            heal: s.heal,
            pre_vote: s.pre_vote,
            max_term: s.max_term,
            max_writes: s.writes,
            recovery_only: false,
            // Failed links are named by their two members: no renaming leaves them alone.
            symmetry: s.symmetry && s.link_faults == 0,
            removed: s
                .unsafe_rules
                .iter()
                .fold(0u16, |bits, &rule| bits | 1 << rule as u16),
            reads: s.reads,
            client_timeouts: s.client_timeouts,
            pauses: s.pauses,
            link_faults: s.link_faults,
            splits: s.splits,
            crash_loses_unsynced: s.crash_loses_unsynced,
            max_in_flight: s.max_in_flight,
            slots: s.masters + s.recovery.iter().filter(|r| r.adds()).count() as u8,
            recovery: s.recovery.iter().fold(0, |bits, &r| bits | 1 << r as u8),
            config_on_append: s.config_on_append,
            liveness: false,
            #[cfg(test)]
            bug: None,
        }
    }

    /// A crash in words: what the member keeps on disk.
    pub(crate) fn what_a_crash_keeps(&self) -> &'static str {
        if self.keeps(UnsafeRule::PersistTermVote) {
            "crashes (keeps term, vote, log, commit)"
        } else {
            "crashes (keeps log and commit; term and vote are not persisted)"
        }
    }

    /// Whether the model keeps an etcd safety mechanism (the scenario did not remove it).
    #[inline]
    pub fn keeps(&self, rule: UnsafeRule) -> bool {
        self.removed >> rule as u16 & 1 == 0
    }

    /// A configuration in words: its voters, and its learners if it has any.
    fn config_words(&self, c: Config) -> String {
        if c.learners == 0 {
            members_of(c.voters, self.slots)
        } else {
            format!(
                "{} with learner{} {}",
                members_of(c.voters, self.slots),
                if c.learners.count_ones() == 1 {
                    ""
                } else {
                    "s"
                },
                members_of(c.learners, self.slots)
            )
        }
    }

    /// What the cluster can do in `s`, for the runbook lines after an operator's step.
    fn capability(&self, s: &RaftState) -> String {
        match (0..self.slots).find(|&l| properties::leads_a_quorum(self, s, l)) {
            Some(l) => format!(
                "{} leads, followed by a quorum of {}: writes can commit",
                name(l),
                self.config_words(self.config(&s.members[l as usize]))
            ),
            None => format!("no leader with a quorum yet; {}", self.explain_stuck(s)),
        }
    }

    fn all(&self) -> u8 {
        ((1u16 << self.slots) - 1) as u8
    }
}

impl System for Raft {
    type Store = crate::engine::store::Packed<RaftState>;
    /// The property catalogue of this system.
    fn catalogue() -> Vec<Property<Raft>> {
        let mut all = invariant_catalogue();
        all.push(Property {
            name: WRITE_AVAILABILITY,
            meaning: "from every reachable state a new client write can still commit",
            kind: Kind::Recoverability {
                goal: Goal::Step {
                    step: write_commits,
                    ready: write_ready,
                },
                hopeless: no_write_can_ever_commit,
                spent: writes_spent,
            },
        });
        all.push(Property {
            name: "leader-availability",
            meaning:
                "from every reachable state a leader followed by a quorum can still be elected",
            kind: Kind::Recoverability {
                goal: Goal::State(has_working_leader),
                hopeless: no_quorum_ever,
                spent: |_, _| false,
            },
        });
        all.push(Property {
            name: LEADER_EVENTUALLY_ELECTED,
            meaning: "under fair election timeouts, vote requests, replication and step-downs, a leader followed by a quorum is elected again and again: every behaviour that loses one gets one back",
            kind: Kind::Liveness(Liveness::AlwaysEventually(has_working_leader)),
        });
        all.push(Property {
            name: "failover-possible",
            meaning: "some behaviour elects another member leader, followed by a quorum, while the first leader is still in term 1",
            kind: Kind::Possibility(failed_over),
        });
        all.push(Property {
            name: RECOVERY_RESTORES_WRITES,
            meaning: "some sequence of the operator's recovery actions brings writes back while every fault is still in effect",
            kind: Kind::Possibility(recovery_restores_writes),
        });
        all.push(Property {
            name: TIMED_OUT_WRITE_MAY_COMMIT,
            meaning: "a write whose client saw a timeout can still be committed later",
            kind: Kind::Possibility(timed_out_write_commits),
        });
        all
    }

    fn vacuous(&self, property: &str) -> Option<&'static str> {
        match property {
            READS_ARE_LINEARIZABLE if self.reads.is_none() => {
                Some("it speaks of client reads: add --reads linearizable or --reads serializable")
            }
            TIMED_OUT_WRITE_MAY_COMMIT if !self.client_timeouts => {
                Some("it speaks of clients that time out: add --client-timeouts")
            }
            REVISIONS_NEVER_REUSED if self.recovery == 0 => Some(
                "it speaks of the operator's recovery: add --recovery ACTION (without one, a revision is reused only if a committed write is lost, which committed-writes-durable decides)",
            ),
            RECOVERY_RESTORES_WRITES if self.recovery == 0 => {
                Some("it speaks of the operator's recovery: add --recovery ACTION")
            }
            _ => None,
        }
    }

    /// The bounds in words, for "holds for all behaviours with ...".
    fn bounds(&self) -> String {
        let in_flight = if self.messages() {
            format!(
                ", ≤ {} message{} in flight",
                self.max_in_flight,
                if self.max_in_flight == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        let shift = if self.liveness {
            " (liveness: renumbered, terms no member can use again squeezed out)"
        } else {
            ""
        };
        format!(
            "term ≤ {}{shift}, ≤ {} client write{}{in_flight}",
            self.max_term,
            self.max_writes,
            if self.max_writes == 1 { "" } else { "s" }
        )
    }
    /// The budget recoverability is decided under: two more elections than the main bound (a
    /// first candidate may lose to a member with a longer log, the second then wins) and one
    /// more write (the write whose commit is the goal).
    fn extended(&self) -> Self {
        Raft {
            max_term: self.max_term + 2,
            max_writes: self.max_writes + 1,
            ..self.clone()
        }
    }
    /// The extended budget restricted to the steps that can help recovery. Every path of this
    /// model is a path of [`Raft::extended`], so a goal reached here is reachable there.
    fn recovery(&self) -> Self {
        Raft {
            recovery_only: true,
            ..self.extended()
        }
    }
    /// An action in words.
    fn describe(&self, action: &Action) -> String {
        match *action {
            Action::Timeout(i) if self.pre_vote => format!(
                "{}'s election timeout fires: it asks for pre-votes",
                name(i)
            ),
            Action::Timeout(i) => format!("{}'s election timeout fires: it campaigns", name(i)),
            Action::Pause(i) => format!(
                "{} pauses (GC, slow disk) and its election timeout fires although its leader is alive",
                name(i)
            ),
            Action::RequestVote(c, v) => format!("{} asks {} for its vote", name(c), name(v)),
            Action::ClientWrite(l) => format!("a client write reaches leader {}", name(l)),
            Action::AppendEntries(l, p) => format!("{} replicates its log to {}", name(l), name(p)),
            Action::StepDown(l) => format!(
                "{} cannot reach a quorum and steps down (CheckQuorum)",
                name(l)
            ),
            Action::Crash(i) => format!("{} crashes", name(i)),
            Action::CrashLosesUnsynced(i, kept) => format!(
                "{} crashes; only its log up to index {kept} reached the disk (no fsync)",
                name(i)
            ),
            Action::Restart(i) => format!("{} restarts", name(i)),
            Action::Partition(side) => format!(
                "the network splits {} | {}",
                members_of(side, self.slots),
                members_of(self.all() & !side, self.slots)
            ),
            Action::Heal => "the network heals".to_string(),
            Action::FailLink(a, b) => format!("the link {}–{} fails", name(a), name(b)),
            Action::Read(i) => format!(
                "a client reads from {} ({})",
                name(i),
                self.reads.map_or("", Reads::name)
            ),
            Action::Send(_) | Action::Deliver(_) | Action::Lose(_) | Action::Duplicate(_) => {
                self.describe_network_step(action)
            }
            Action::MemberAdd(l, x) => format!(
                "operator: etcdctl member add {} (leader {} proposes it)",
                name(x),
                name(l)
            ),
            Action::LearnerAdd(l, x) => format!(
                "operator: etcdctl member add {} --learner (leader {} proposes it)",
                name(x),
                name(l)
            ),
            Action::Promote(l, x) => format!(
                "operator: etcdctl member promote {} (leader {} proposes it)",
                name(x),
                name(l)
            ),
            Action::MemberRemove(l, x) => format!(
                "operator: etcdctl member remove {} (leader {} proposes it)",
                name(x),
                name(l)
            ),
            Action::StartMember(x) => format!(
                "operator: starts etcd on {} with --initial-cluster-state existing",
                name(x)
            ),
            Action::ForceNewCluster(i) => format!(
                "operator: restarts {} with etcd --force-new-cluster",
                name(i)
            ),
            Action::SnapshotSave(i) => {
                format!("operator: etcdctl snapshot save (from {})", name(i))
            }
            Action::SnapshotRestore(i) => format!(
                "operator: etcdutl snapshot restore on {}, which starts a new one-member cluster (the other members' data is discarded)",
                name(i)
            ),
            Action::Canvass(c) => format!(
                "{} asks every voter it reaches for its vote, until no answer changes",
                name(c)
            ),
            Action::Replicate(l) => format!(
                "{} replicates its log to every member it reaches, until no answer changes",
                name(l)
            ),
        }
    }
    /// One line per member: role, term, log and commit, and the network.
    fn summary(&self, s: &RaftState) -> String {
        let mut parts: Vec<String> = s
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| member_summary(i as Id, m))
            .collect();
        if let Network::Split { side } = s.network {
            parts.push(format!(
                "network split {} | {}",
                members_of(side, self.slots),
                members_of(self.all() & !side, self.slots)
            ));
        }
        parts.join("; ")
    }
    /// The members as boxes coloured by role, each group of a split network in its own frame.
    fn picture(&self, s: &RaftState) -> Option<String> {
        Some(picture(s))
    }
    /// What changed between two states, in words.
    fn changes(&self, a: &RaftState, b: &RaftState) -> Vec<String> {
        let mut out = Vec::new();
        for (i, (x, y)) in a.members.iter().zip(b.members.iter()).enumerate() {
            let who = name(i as Id);
            if x.absent != y.absent {
                out.push(if y.absent {
                    format!("{who} is no longer a member and stops")
                } else {
                    format!(
                        "{who} starts empty and joins configuration {}",
                        self.config_words(self.config(y))
                    )
                });
                continue;
            }
            if x.up != y.up {
                out.push(format!(
                    "{who} {}",
                    if y.up {
                        "restarts as follower".to_string()
                    } else if y.log.len() < x.log.len() {
                        lost_unsynced(x, y)
                    } else {
                        self.what_a_crash_keeps().to_string()
                    }
                ));
            }
            if x.term != y.term {
                out.push(format!("{who} term {} → {}", x.term, y.term));
            }
            if x.role != y.role && (x.up == y.up) {
                out.push(format!("{who} becomes {}", role_word(y.role)));
            }
            match (x.vote, y.vote) {
                (Some(_), None) if x.up != y.up => out.push(format!("{who} forgets its vote")),
                (_, Some(v)) if x.vote != y.vote => {
                    out.push(format!("{who} votes for {}", name(v)))
                }
                _ => {}
            }
            if x.votes != y.votes && y.votes != 0 && y.role != Role::Leader {
                let config = self.config(y);
                out.push(format!(
                    "{who} has {}, needs {}",
                    votes((y.votes & config.voters).count_ones() as usize),
                    self.quorum_of(config)
                ));
            }
            if x.log != y.log && x.up == y.up {
                out.push(format!("{who} log {}", log_text(&y.log)));
            }
            if x.commit != y.commit {
                out.push(format!("{who} commit {} → {}", x.commit, y.commit));
            }
            if self.recovery != 0 && self.config(x) != self.config(y) {
                out.push(format!(
                    "{who} now uses configuration {}",
                    self.config_words(self.config(y))
                ));
            }
        }
        if a.network != b.network || a.links_down & !b.links_down != 0 {
            match b.network {
                Network::Split { side } => out.push(format!(
                    "network splits {} | {}",
                    members_of(side, self.slots),
                    members_of(self.all() & !side, self.slots)
                )),
                _ => out.push("network heals".to_string()),
            }
        }
        for x in 0..self.slots {
            for y in x + 1..self.slots {
                if b.links_down & !a.links_down & state::link_bit(x, y) != 0 {
                    out.push(format!("link {}–{} down", name(x), name(y)));
                }
            }
        }
        let newly = b.acked & !a.acked;
        for w in 0..8 {
            if newly >> w & 1 == 1 {
                out.push(if b.timed_out >> w & 1 == 1 {
                    format!(
                        "write w{} is committed, though its client already saw a timeout: \
                         a client that retries it writes it twice unless the write is idempotent",
                        w + 1
                    )
                } else if self.recovery != 0 {
                    format!(
                        "write w{} is committed and acknowledged to the client, at revision {}",
                        w + 1,
                        b.op().revision_of[w]
                    )
                } else {
                    format!(
                        "write w{} is committed and acknowledged to the client",
                        w + 1
                    )
                });
            }
        }
        let timed_out = b.timed_out & !a.timed_out;
        for w in 0..8 {
            if timed_out >> w & 1 == 1 {
                out.push(format!(
                    "the client of w{} times out: its leader stopped leading before committing \
                     it (the entry stays in the logs it reached)",
                    w + 1
                ));
            }
        }
        if b.disrupted && !a.disrupted {
            out.push(
                "a leader still followed by a quorum loses it to a later term: disrupted"
                    .to_string(),
            );
        }
        if a.messages != b.messages {
            out.extend(in_flight_changes(&a.messages, &b.messages));
        }
        let (before, after) = (a.op().ops, b.op().ops);
        if after != before && after != Op::SnapshotSave.bit() | before {
            out.push(format!("the cluster now: {}", self.capability(b)));
        }
        if b.stale_read != a.stale_read {
            out.push(format!(
                "the read misses w{}, acknowledged before the read began",
                b.stale_read
            ));
        }
        out
    }
    /// Why no goal can be reached from here: who can gather how many votes.
    fn explain_stuck(&self, s: &RaftState) -> String {
        let mut groups: Vec<String> = Vec::new();
        let mut seen = 0u8;
        for id in 0..self.slots {
            if !s.members[id as usize].up || seen >> id & 1 == 1 {
                continue;
            }
            let group: Vec<Id> = s.reachable(id).collect();
            for &g in &group {
                seen |= 1 << g;
            }
            let names: Vec<String> = group.iter().map(|&g| name(g)).collect();
            // The configuration the group's best-placed voter would campaign under.
            let config = group
                .iter()
                .map(|&g| self.config(&s.members[g as usize]))
                .find(|c| group.iter().any(|&g| c.is_voter(g)))
                .unwrap_or_else(|| self.config(&s.members[id as usize]));
            let q = self.quorum_of(config);
            let has = group.iter().filter(|&&g| config.is_voter(g)).count();
            let verb = if has >= q { "can" } else { "cannot" };
            let of = if self.recovery == 0 {
                String::new()
            } else {
                format!(" of {}", members_of(config.voters, self.slots))
            };
            groups.push(format!(
                "{{{}}} {verb} gather a quorum{of} (has {}, needs {q})",
                names.join(", "),
                votes(has)
            ));
        }
        let down: Vec<String> = (0..self.slots)
            .filter(|&m| !s.members[m as usize].up && !s.members[m as usize].absent)
            .map(name)
            .collect();
        let mut text = groups.join("; ");
        if !down.is_empty() {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(&format!(
                "{} down{}",
                down.join(", "),
                if self.heal {
                    ""
                } else {
                    " for good (no --heal)"
                }
            ));
        }
        if groups.is_empty() {
            text = format!(
                "every member is down{}",
                if self.heal {
                    ""
                } else {
                    " for good (no --heal)"
                }
            );
        }
        text
    }

    fn next_state_into(&self, s: &RaftState, action: Action, next: &mut RaftState) -> bool {
        match action {
            Action::Canvass(_) | Action::Replicate(_) => {
                match stateright::Model::next_state(self, s, action) {
                    Some(t) => {
                        *next = t;
                        true
                    }
                    None => false,
                }
            }
            _ => self.single_step_into(s, action, next),
        }
    }

    fn reduces_symmetry(&self) -> bool {
        self.symmetry
    }

    /// `None` for a state already in canonical form, so that exploring copies no state it need
    /// not.
    fn representative(&self, state: &RaftState) -> Option<RaftState> {
        let shifted = self.liveness.then(|| self.shift_terms(state)).flatten();
        match (self.symmetry, shifted) {
            (true, Some(s)) => Some(self.renamed_canonically(&s).unwrap_or(s)),
            (true, None) => self.renamed_canonically(state),
            (false, shifted) => shifted,
        }
    }

    fn fairness(&self) -> Vec<String> {
        self.fair_classes()
    }

    fn fair_class(&self, action: &Action) -> Option<usize> {
        self.class_of(action)
    }

    /// Election timeouts are randomised: see the liveness module.
    fn random_classes(&self) -> u128 {
        1
    }

    fn blocked(&self, s: &RaftState) -> u128 {
        u128::from((0..self.slots).any(|i| self.times_out_but_for_the_bound(s, i)))
    }

    fn for_liveness(&self) -> Option<Self> {
        self.liveness_model()
    }

    fn same_orbit(&self, a: &RaftState, b: &RaftState) -> bool {
        a == b || (self.symmetry && self.renaming_of(a, b))
    }

    fn participants(&self) -> Vec<String> {
        (0..self.slots).map(name).collect()
    }

    /// Each RPC as a request and its response, faults as notes, and what follows from the step:
    /// elections won, step-downs, commits and the client's acknowledgements.
    fn events(&self, a: &RaftState, action: &Action, b: &RaftState) -> Vec<Event> {
        self.sequence_events(a, action, b)
    }
}
