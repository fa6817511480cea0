//! The properties of the model: the safety invariants, the goals of the recoverability
//! properties and the lemmas that decide them.

use super::diagram::log_text;
use super::messages::Message;
use super::state::{Entry, Id, Member, RaftState, Role, LOG_CAPACITY};
use super::{name, Raft};
use crate::property::{Kind, Property};

/// The safety properties, listed once for kcheck's catalogue and for stateright's checker (which
/// takes plain boolean conditions).
/// The names of the properties other modules build on (the fault-tolerance table's columns).
pub const NO_SPLIT_BRAIN: &str = "no-split-brain";
pub const WRITE_AVAILABILITY: &str = "write-availability";
pub const READS_ARE_LINEARIZABLE: &str = "reads-are-linearizable";
/// Not one of Raft's safety properties: Raft allows a disruptive rejoin, and etcd's pre-vote and
/// leases are what prevent it.
pub const NO_DISRUPTIVE_REJOIN: &str = "no-disruptive-rejoin";
pub const TIMED_OUT_WRITE_MAY_COMMIT: &str = "timed-out-write-may-commit";
pub const REVISIONS_NEVER_REUSED: &str = "revisions-never-reused";
pub const RECOVERY_RESTORES_WRITES: &str = "recovery-restores-writes";

macro_rules! invariants {
    ($($check:ident: $name:expr => $meaning:literal,)*) => {
        pub(super) fn invariant_catalogue() -> Vec<Property<Raft>> {
            vec![$(Property { name: $name, meaning: $meaning, kind: Kind::Invariant($check) },)*]
        }

        pub(super) fn stateright_invariants() -> Vec<stateright::Property<Raft>> {
            vec![$(stateright::Property::always($name, |r, s| $check(r, s).is_none()),)*]
        }
    };
}

invariants! {
    single_leader_per_term: "single-leader-per-term" => "no two members are leader in the same term",
    no_split_brain: NO_SPLIT_BRAIN => "no two members ever commit different entries at the same index",
    log_matching: "log-matching" => "two logs with an entry of the same index and term agree on every entry up to it",
    leader_completeness: "leader-completeness" => "every leader holds every entry committed in an earlier term",
    committed_writes_durable: "committed-writes-durable" => "every write acknowledged to a client stays in the logs of a quorum",
    no_disruptive_rejoin: NO_DISRUPTIVE_REJOIN => "a member back from a partition, a restart or a pause never makes a leader that a quorum still follows lose it",
    reads_are_linearizable: READS_ARE_LINEARIZABLE => "a read never returns a state older than a write acknowledged before the read began",
    revisions_never_reused: REVISIONS_NEVER_REUSED => "a revision given to an acknowledged write is never given to a different write",
}

/// etcd's revision of a write is its position among the writes a member applied (the keyspace
/// revision Kubernetes hands out as `resourceVersion`). Once an acknowledged write holds a
/// revision, no member may apply another write at that revision.
fn revisions_never_reused(_: &Raft, s: &RaftState) -> Option<String> {
    for (i, m) in s.members.iter().enumerate().filter(|(_, m)| !m.absent) {
        let mut revision = 0;
        for e in m.committed() {
            let Some(w) = e.write_id() else { continue };
            revision += 1;
            let revision_of = &s.op().revision_of;
            let reused = (1..=revision_of.len() as u8).find(|&v| {
                v != w && s.acked >> (v - 1) & 1 == 1 && revision_of[v as usize - 1] == revision
            });
            if let Some(v) = reused {
                return Some(format!(
                    "revision {revision} names two writes: w{v}, acknowledged to its client, and w{w}, which {} holds committed at revision {revision}; a client that saw one of them at that revision never sees the other",
                    name(i as Id)
                ));
            }
        }
    }
    None
}

/// A write acknowledged after the operator's recovery actions, with every fault still in
/// effect (recorded by the step that acknowledged it).
pub(super) fn recovery_restores_writes(_: &Raft, s: &RaftState) -> bool {
    s.op().recovered
}

/// A leader lost the quorum that followed it to another member's later term (recorded by the
/// step that did it).
fn no_disruptive_rejoin(_: &Raft, s: &RaftState) -> Option<String> {
    s.disrupted.then(|| {
        "a leader still followed by a quorum lost it to another member's later term: \
         the cluster had a working leader and lost it with no fault"
            .to_string()
    })
}

/// A read that missed an acknowledged write (recorded by the read step itself, which alone knows
/// what the read returned).
fn reads_are_linearizable(_: &Raft, s: &RaftState) -> Option<String> {
    (s.stale_read != 0).then(|| {
        format!(
            "a read returned a state without w{}, which was acknowledged to its client before the read began",
            s.stale_read
        )
    })
}

/// A write whose client saw a timeout, committed all the same.
pub(super) fn timed_out_write_commits(_: &Raft, s: &RaftState) -> bool {
    s.timed_out & s.acked != 0
}

/// The members whose state counts: a member stopped after its removal, or whose data a restore
/// discarded, is gone for good.
fn present(s: &RaftState) -> impl Iterator<Item = (usize, &Member)> + Clone {
    s.members.iter().enumerate().filter(|(_, m)| !m.absent)
}

fn single_leader_per_term(_: &Raft, s: &RaftState) -> Option<String> {
    for (i, a) in s.members.iter().enumerate() {
        for (j, b) in s.members.iter().enumerate().skip(i + 1) {
            if a.up && b.up && a.role == Role::Leader && b.role == Role::Leader && a.term == b.term
            {
                return Some(format!(
                    "{} and {} are both leader of term {}",
                    name(i as Id),
                    name(j as Id),
                    a.term
                ));
            }
        }
    }
    None
}

fn no_split_brain(_: &Raft, s: &RaftState) -> Option<String> {
    // etcd panics rather than truncate a committed entry; here it is the same violation.
    for (i, m) in s.members.iter().enumerate() {
        if m.commit as usize > m.log.len() {
            return Some(format!(
                "{} committed {} entries but its log now holds {}: a committed entry was overwritten",
                name(i as Id),
                m.commit,
                m.log.len()
            ));
        }
    }
    for (i, a) in present(s) {
        for (j, b) in present(s).filter(|&(j, _)| j > i) {
            let both = a.committed().len().min(b.committed().len());
            if let Some(k) = (0..both).find(|&k| a.log[k] != b.log[k]) {
                return Some(format!(
                    "{} committed {} at index {} but {} committed {}",
                    name(i as Id),
                    log_text(&a.log[k..=k]),
                    k + 1,
                    name(j as Id),
                    log_text(&b.log[k..=k])
                ));
            }
        }
    }
    None
}

fn log_matching(_: &Raft, s: &RaftState) -> Option<String> {
    for (i, a) in present(s) {
        for (j, b) in present(s).filter(|&(j, _)| j > i) {
            let both = a.log.len().min(b.log.len());
            for k in (0..both).rev() {
                if a.log[k].term == b.log[k].term {
                    if a.log[..=k] != b.log[..=k] {
                        return Some(format!(
                            "{} and {} both have a term-{} entry at index {} but their logs differ before it",
                            name(i as Id),
                            name(j as Id),
                            a.log[k].term,
                            k + 1
                        ));
                    }
                    break;
                }
            }
        }
    }
    None
}

/// A member's commit index was learned in a term no later than its own, so a leader whose term
/// is at least that member's must hold the member's whole committed prefix (Raft's Leader
/// Completeness, stated on states instead of on a history of commits).
fn leader_completeness(_: &Raft, s: &RaftState) -> Option<String> {
    for (l, leader) in s.members.iter().enumerate() {
        if !leader.up || leader.role != Role::Leader {
            continue;
        }
        for (i, m) in present(s) {
            if i == l || m.term > leader.term {
                continue;
            }
            if let Some(k) =
                (0..m.committed().len()).find(|&k| leader.log.get(k) != Some(&m.log[k]))
            {
                return Some(format!(
                    "leader {} of term {} lacks {} at index {}, which {} (term {}) has committed",
                    name(l as Id),
                    leader.term,
                    log_text(&m.log[k..=k]),
                    k + 1,
                    name(i as Id),
                    m.term
                ));
            }
        }
    }
    None
}

fn committed_writes_durable(r: &Raft, s: &RaftState) -> Option<String> {
    if r.recovery != 0 {
        return durable_in_every_configuration(r, s);
    }
    for w in 1..=s.writes {
        if s.acked >> (w - 1) & 1 == 1 {
            let holders = s
                .members
                .iter()
                .filter(|m| m.log.iter().any(|e| e.write == w))
                .count();
            if holders < r.quorum as usize {
                return Some(format!(
                    "write w{w} was acknowledged but only {holders} member{} still store{} it (a quorum is {})",
                    if holders == 1 { "" } else { "s" },
                    if holders == 1 { "s" } else { "" },
                    r.quorum
                ));
            }
        }
    }
    None
}

/// With membership changes the quorum is each configuration's. A write is lost once the voters
/// of some configuration still in use that do not store it make a quorum of it: they can elect
/// a leader without it. A member that stopped for good never votes again, so it counts with the
/// holders.
fn durable_in_every_configuration(r: &Raft, s: &RaftState) -> Option<String> {
    for (i, m) in present(s).filter(|&(i, _)| s.op().removed_ids >> i & 1 == 0) {
        let config = r.config(m);
        for w in (1..=s.writes).filter(|w| s.acked >> (w - 1) & 1 == 1) {
            let lacking = present(s)
                .filter(|&(p, h)| {
                    config.is_voter(p as Id) && !h.log.iter().any(|e| e.write_id() == Some(w))
                })
                .fold(0u8, |acc, (p, _)| acc | 1 << p);
            if lacking.count_ones() as usize >= r.quorum_of(config) {
                return Some(format!(
                    "write w{w} was acknowledged but {} {} not store it, a quorum of the configuration {} that {} uses: {} can elect a leader without it, and the write is lost",
                    super::diagram::members_of(lacking, r.slots),
                    if lacking.count_ones() == 1 { "does" } else { "do" },
                    super::diagram::members_of(config.voters, r.slots),
                    name(i as Id),
                    if lacking.count_ones() == 1 { "it" } else { "they" },
                ));
            }
        }
    }
    None
}

pub(super) fn write_commits(_: &Raft, before: &RaftState, after: &RaftState) -> bool {
    after.acked & !before.acked != 0
}

/// The cluster failed over: a leader of a later term, followed by a quorum, while the first
/// leader is still in term 1 (down, cut off, or not yet told of the new term). So the new leader
/// is another member, and it won without the first leader's vote: the first leader winning again
/// once it is back is no failover. The first leader is the one member of term 1 that voted for
/// itself (the others voted for it, and campaigning leaves term 1), which names no member and so
/// holds under any renaming of them.
pub(super) fn failed_over(r: &Raft, s: &RaftState) -> bool {
    let first_still_in_term_1 = s
        .members
        .iter()
        .enumerate()
        .any(|(i, m)| m.term == 1 && m.vote == Some(i as Id));
    first_still_in_term_1
        && (0..r.slots).any(|l| s.members[l as usize].term > 1 && leads_a_quorum(r, s, l))
}

/// Without `heal`, groups of up, connected members only shrink (crashes) and never merge again.
/// If none reaches a quorum, no leader can ever be followed by a quorum.
/// An operator's recovery action may still form a new quorum, so with any allowed this lemma
/// never applies.
pub(super) fn no_quorum_ever(r: &Raft, s: &RaftState) -> bool {
    !r.heal
        && r.recovery == 0
        && (0..r.masters)
            .all(|i| !s.members[i as usize].up || s.reachable(i).count() < r.quorum as usize)
}

/// Within `r`'s budget no write can commit any more: every client write has been sent and no log
/// holds one that is not yet acknowledged, and only a write in some log can be committed. A
/// larger budget (one more write) may still commit one, so this prunes searches and proves
/// nothing beyond them.
/// In the message mode an AppendEntries in flight may carry a write that no log holds any more
/// (its leader's log was since truncated), and deliver it late: that write counts too.
pub(super) fn writes_spent(r: &Raft, s: &RaftState) -> bool {
    s.writes >= r.max_writes
        && !s.members.iter().any(|m| holds_unacked_write(s, &m.log))
        && !s.messages.iter().any(|m| match m {
            Message::AppendEntries { entries, .. } => holds_unacked_write(s, entries),
            _ => false,
        })
}

/// No write can ever commit (the goal of write-availability), whatever the budget: no quorum can
/// ever form ([`no_quorum_ever`]), and no leader still holds entries it has not committed whose
/// replicas, with its own group, make a quorum: a leader's entries only reach its own group, and
/// a new leader starts with no replicas counted outside it.
pub(super) fn no_write_can_ever_commit(r: &Raft, s: &RaftState) -> bool {
    no_quorum_ever(r, s)
        && (0..r.masters).all(|l| {
            let m = &s.members[l as usize];
            if !m.up || m.role != Role::Leader {
                return true;
            }
            let group = s.reachable(l).fold(0u8, |acc, p| acc | 1 << p);
            let holders = (0..r.masters)
                .filter(|&p| group >> p & 1 == 1 || m.match_index[p as usize] > m.commit)
                .count();
            holders < r.quorum as usize
        })
}

/// The lemma behind write-availability's `ready`: a working leader commits a write not yet
/// acknowledged within `r`'s budget if its log holds one, or if it has room for one and a client
/// write is left in the budget. It appends the new write and replicates its log to the quorum
/// that follows it: none of them is in a later term, so each accepts, and its last entry is of
/// its own term (its election's empty entry or a write it took), so it commits its whole log
/// once the quorum stores it. On the main graph every state has a write left in the extended
/// budget, but a recovery search may use the last one up, and then a leader is not enough.
pub(super) fn write_ready(r: &Raft, s: &RaftState) -> bool {
    (0..r.slots).any(|l| {
        let m = &s.members[l as usize];
        leads_a_quorum(r, s, l)
            && (holds_unacked_write(s, &m.log)
                || s.writes < r.max_writes && m.log.len() < LOG_CAPACITY)
    })
}

/// Whether a log (or a message's entries) holds a client write not yet acknowledged.
fn holds_unacked_write(s: &RaftState, log: &[Entry]) -> bool {
    log.iter()
        .filter_map(Entry::write_id)
        .any(|w| s.acked >> (w - 1) & 1 == 0)
}

/// A leader that a quorum of up, connected members will follow: none of them is in a later term.
pub(super) fn has_working_leader(r: &Raft, s: &RaftState) -> bool {
    (0..r.slots).any(|l| leads_a_quorum(r, s, l))
}

/// Whether `l` is an up leader that a quorum of up, connected members (itself included) will
/// follow: none of them is in a later term.
pub(super) fn leads_a_quorum(r: &Raft, s: &RaftState, l: Id) -> bool {
    let m = &s.members[l as usize];
    if !(m.up && m.role == Role::Leader) {
        return false;
    }
    let config = r.config(m);
    s.reachable(l)
        .filter(|&p| config.is_voter(p) && s.members[p as usize].term <= m.term)
        .count()
        >= r.quorum_of(config)
}
