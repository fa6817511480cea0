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
//! - **Faults**: up to `crash` members crash (keeping their persistent state); the network may
//!   split once into two non-empty groups that exchange nothing; with `heal`, crashed members
//!   restart and the partition heals.
//! - **Client writes** reach the leader, which appends them. A write whose leader loses quorum
//!   before committing it stays in the logs it reached and may still commit under a later leader,
//!   exactly as a write that timed out at the client can still take effect in etcd.
//!
//! ## The abstraction
//! Each RPC is one atomic step: `RequestVote(c, v)` is the request and its response;
//! `AppendEntries(l, f)` sends the leader's whole log and returns the follower's match index.
//! Messages are never duplicated, reordered or lost in flight; a lost message is the same as one
//! never sent, which the model already covers by never taking the step. This keeps five masters
//! with a partition exhaustively checkable. Left out: learners, membership changes, snapshots,
//! log compaction, read-index reads, leader leases and leadership transfer.
//!
//! The check starts from a healthy cluster: `m1` leads term 1 and every member has committed its
//! empty entry, the "before" of each failure timeline in the seed document.
//!
//! ## Bounds
//! `max_term` bounds elections and `writes` bounds client writes. Recoverability is decided with
//! a larger budget (two more elections and one more write), see [`Raft::extended`].

use arrayvec::ArrayVec;
use serde::Serialize;

use crate::property::{Goal, Kind, Property};
use crate::scenario::RaftScenario;
use crate::systems::{Event, System};

/// At most this many members (validated in the scenario).
pub const MAX_MEMBERS: usize = 7;
/// Log capacity: the initial entry, one empty entry per election and the writes, within the
/// extended recoverability budget of the largest accepted bounds.
pub const LOG_CAPACITY: usize = 12;

/// A member's index, `0` is `m1`.
pub type Id = u8;

/// A Raft role. Pre-candidates exist only with pre-vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Role {
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}

/// A log entry: its term and the client write it carries (`0` is a leader's empty entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Entry {
    pub term: u8,
    pub write: u8,
}

/// A member's log: a fixed-capacity run of entries, one byte for its length. States are
/// copied on every step, so the log is kept small and inline.
#[derive(Clone, Copy)]
pub struct Log {
    len: u8,
    entries: [Entry; LOG_CAPACITY],
}

impl Log {
    pub fn push(&mut self, e: Entry) {
        self.entries[self.len as usize] = e;
        self.len += 1;
    }

    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len as u8);
    }
}

impl std::ops::Deref for Log {
    type Target = [Entry];
    fn deref(&self) -> &[Entry] {
        &self.entries[..self.len as usize]
    }
}

impl Extend<Entry> for Log {
    fn extend<I: IntoIterator<Item = Entry>>(&mut self, iter: I) {
        for e in iter {
            self.push(e);
        }
    }
}

impl FromIterator<Entry> for Log {
    fn from_iter<I: IntoIterator<Item = Entry>>(iter: I) -> Self {
        let mut log = Log {
            len: 0,
            entries: [Entry { term: 0, write: 0 }; LOG_CAPACITY],
        };
        log.extend(iter);
        log
    }
}

impl PartialEq for Log {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Log {}

impl std::hash::Hash for Log {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (**self).hash(h)
    }
}

impl PartialOrd for Log {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Log {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl std::fmt::Debug for Log {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One etcd member.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Member {
    pub term: u8,
    pub vote: Option<Id>,
    pub log: Log,
    pub commit: u8,
    pub up: bool,
    pub role: Role,
    /// Bitset of members whose (pre-)vote this candidate holds, itself included.
    pub votes: u8,
    /// The leader's knowledge of each member's log; all zero unless `role` is `Leader`.
    pub match_index: [u8; MAX_MEMBERS],
}

impl Member {
    fn last_term(&self) -> u8 {
        self.log.last().map_or(0, |e| e.term)
    }

    /// The committed prefix of the log (all of it, should a faulty variant truncate below the
    /// commit index).
    pub fn committed(&self) -> &[Entry] {
        &self.log[..(self.commit as usize).min(self.log.len())]
    }

    fn last_index(&self) -> u8 {
        self.log.len() as u8
    }

    fn become_follower(&mut self, term: u8) {
        if term > self.term {
            self.term = term;
            self.vote = None;
        }
        self.role = Role::Follower;
        self.votes = 0;
        self.match_index = [0; MAX_MEMBERS];
    }
}

/// The network: whole, split once into two groups (`side` holds the group with `m1`), or healed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Network {
    Whole,
    Split { side: u8 },
    Healed,
}

/// A state of the whole etcd cluster.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RaftState {
    pub members: ArrayVec<Member, MAX_MEMBERS>,
    pub network: Network,
    /// Crashes so far (the fault budget counts them).
    pub crashes: u8,
    /// Client writes issued so far; write ids are `1..=writes`.
    pub writes: u8,
    /// Bitset of write ids a leader has committed and so acknowledged to its client.
    pub acked: u8,
}

/// How a state reads in JSON and ITF traces: members by name, vote sets and acknowledged writes
/// as lists of names, a leader's `match_index` by member, the split as its two sides, and
/// nothing for members the cluster does not have.
impl Serialize for RaftState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct StateView {
            members: Vec<MemberView>,
            network: NetworkView,
            crashes: u8,
            writes: u8,
            acked: Vec<String>,
        }
        #[derive(Serialize)]
        struct MemberView {
            name: String,
            up: bool,
            role: Role,
            term: u8,
            vote: Option<String>,
            log: Vec<EntryView>,
            commit: u8,
            votes: Vec<String>,
            match_index: std::collections::BTreeMap<String, u8>,
        }
        #[derive(Serialize)]
        struct EntryView {
            term: u8,
            /// The client write the entry carries; none for a new leader's empty entry.
            write: Option<String>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "lowercase")]
        enum NetworkView {
            Whole,
            Split { sides: [Vec<String>; 2] },
            Healed,
        }
        let n = self.members.len() as u8;
        let names =
            |set: u8| -> Vec<String> { (0..n).filter(|m| set >> m & 1 == 1).map(name).collect() };
        let writes = |set: u8| -> Vec<String> {
            (0..8)
                .filter(|w| set >> w & 1 == 1)
                .map(|w| format!("w{}", w + 1))
                .collect()
        };
        let members = self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| MemberView {
                name: name(i as Id),
                up: m.up,
                role: m.role,
                term: m.term,
                vote: m.vote.map(name),
                log: m
                    .log
                    .iter()
                    .map(|e| EntryView {
                        term: e.term,
                        write: (e.write != 0).then(|| format!("w{}", e.write)),
                    })
                    .collect(),
                commit: m.commit,
                votes: names(m.votes),
                match_index: if m.role == Role::Leader {
                    (0..n)
                        .map(|j| (name(j), m.match_index[j as usize]))
                        .collect()
                } else {
                    Default::default()
                },
            })
            .collect();
        let network = match self.network {
            Network::Whole => NetworkView::Whole,
            Network::Split { side } => {
                let all = ((1u16 << n) - 1) as u8;
                NetworkView::Split {
                    sides: [names(side), names(all & !side)],
                }
            }
            Network::Healed => NetworkView::Healed,
        };
        StateView {
            members,
            network,
            crashes: self.crashes,
            writes: self.writes,
            acked: writes(self.acked),
        }
        .serialize(s)
    }
}

/// Reads like the text reports (the web explorer shows states this way): a member per line with
/// role, term, vote, log and commit, then the network and the client writes. `{:?}` puts it on
/// one line.
impl std::fmt::Debug for RaftState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.members.len() as u8;
        let mut lines: Vec<String> = self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| match m.vote {
                Some(v) => format!(
                    "{}, voted for {} in term {}",
                    member_summary(i as Id, m),
                    name(v),
                    m.term
                ),
                None => member_summary(i as Id, m),
            })
            .collect();
        lines.push(match self.network {
            Network::Whole => "network whole".to_string(),
            Network::Split { side } => {
                let all = ((1u16 << n) - 1) as u8;
                format!(
                    "network split {} | {}",
                    members_of(side, n),
                    members_of(all & !side, n)
                )
            }
            Network::Healed => "network healed".to_string(),
        });
        let acked: Vec<String> = (0..8)
            .filter(|w| self.acked >> w & 1 == 1)
            .map(|w| format!("w{}", w + 1))
            .collect();
        lines.push(format!(
            "client writes sent {}, acknowledged {{{}}}",
            self.writes,
            acked.join(", ")
        ));
        let sep = if f.alternate() { "\n" } else { "; " };
        f.write_str(&lines.join(sep))
    }
}

impl RaftState {
    pub fn connected(&self, a: Id, b: Id) -> bool {
        match self.network {
            Network::Split { side } => (side >> a & 1) == (side >> b & 1),
            Network::Whole | Network::Healed => true,
        }
    }

    /// Members that are up and can exchange messages with `id` (itself included if up).
    pub fn reachable(&self, id: Id) -> impl Iterator<Item = Id> + '_ {
        (0..self.members.len() as Id)
            .filter(move |&m| self.members[m as usize].up && self.connected(id, m))
    }
}

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
    Restart(Id),
    /// The network splits: members in the bitset on one side, the rest on the other.
    Partition(u8),
    Heal,
}

/// A voter's answer to a (pre-)vote request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ballot {
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
    /// Votes are granted without the log up-to-date check.
    NoLogCheck,
    /// A leader counts only itself when committing.
    CommitAlone,
    /// Followers append without truncating a conflicting suffix.
    NoTruncate,
}

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
    /// Explore one representative per renaming of the members (see [`Raft::canonical`]).
    pub symmetry: bool,
    #[cfg(test)]
    pub bug: Option<Bug>,
}

pub fn name(id: Id) -> String {
    format!("m{}", id + 1)
}

fn members_of(set: u8, n: u8) -> String {
    let names: Vec<String> = (0..n).filter(|m| set >> m & 1 == 1).map(name).collect();
    format!("{{{}}}", names.join(", "))
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
            symmetry: s.symmetry,
            #[cfg(test)]
            bug: None,
        }
    }

    /// The member whose campaign can win if any can: up, able to reach a quorum, with the most
    /// up-to-date log (lowest id on a tie). Recovery searches let only it campaign.
    fn best_candidate(&self, s: &RaftState) -> Option<Id> {
        (0..self.masters)
            .filter(|&i| s.members[i as usize].up && s.reachable(i).count() >= self.quorum as usize)
            .max_by_key(|&i| {
                let m = &s.members[i as usize];
                (m.last_term(), m.last_index(), std::cmp::Reverse(i))
            })
    }

    /// Members are interchangeable: every property speaks of "some member" or "every member",
    /// never of `m2` in particular. So a state and its renamings share every verdict, and one
    /// representative per orbit suffices. Members are sorted by what they hold (ties keep their
    /// order), and every reference to a member id (votes, vote sets, match indexes, the network
    /// split) is renamed with them.
    fn canonical(&self, s: &RaftState) -> RaftState {
        let n = s.members.len();
        let mut order: ArrayVec<u8, MAX_MEMBERS> = (0..n as u8).collect();
        // The size of a member's side of the split is blind to renaming (which side holds m1
        // is not), so sorting on it gives the same order whichever renaming we start from.
        let side_of = |i: u8| match s.network {
            Network::Split { side } => {
                let mine = if side >> i & 1 == 1 {
                    side
                } else {
                    self.all() & !side
                };
                mine.count_ones()
            }
            _ => 0,
        };
        order.sort_by(|&a, &b| {
            let (x, y) = (&s.members[a as usize], &s.members[b as usize]);
            (
                std::cmp::Reverse(x.role),
                x.up,
                x.term,
                &x.log,
                x.commit,
                side_of(a),
                x.vote.is_some(),
                x.votes.count_ones(),
            )
                .cmp(&(
                    std::cmp::Reverse(y.role),
                    y.up,
                    y.term,
                    &y.log,
                    y.commit,
                    side_of(b),
                    y.vote.is_some(),
                    y.votes.count_ones(),
                ))
                .then(a.cmp(&b))
        });
        if order.iter().enumerate().all(|(i, &o)| i as u8 == o) {
            return s.clone();
        }
        self.permuted(s, &order)
    }

    /// The state with its members renamed: new member `k` is old member `order[k]`.
    fn permuted(&self, s: &RaftState, order: &[u8]) -> RaftState {
        let n = s.members.len();
        // rename[old] = new
        let mut rename = [0u8; MAX_MEMBERS];
        for (new, &old) in order.iter().enumerate() {
            rename[old as usize] = new as u8;
        }
        let remap_set = |set: u8| {
            (0..n)
                .filter(|&i| set >> i & 1 == 1)
                .fold(0u8, |acc, i| acc | 1 << rename[i])
        };
        let members = order
            .iter()
            .map(|&old| {
                let m = &s.members[old as usize];
                let mut t = m.clone();
                t.vote = m.vote.map(|v| rename[v as usize]);
                t.votes = remap_set(m.votes);
                for (new, &o) in order.iter().enumerate() {
                    t.match_index[new] = m.match_index[o as usize];
                }
                t
            })
            .collect();
        let network = match s.network {
            Network::Split { side } => {
                let side = remap_set(side);
                Network::Split {
                    side: if side & 1 == 1 {
                        side
                    } else {
                        self.all() & !side
                    },
                }
            }
            other => other,
        };
        RaftState {
            members,
            network,
            ..s.clone()
        }
    }

    /// Whether one state is a renaming of the other. Representatives are not unique when
    /// members tie on every sort key, so traces match states by this rather than by equal
    /// representatives.
    fn renaming_of(&self, a: &RaftState, b: &RaftState) -> bool {
        fn key(m: &Member) -> (Role, bool, u8, &Log, u8, bool, u32) {
            (
                m.role,
                m.up,
                m.term,
                &m.log,
                m.commit,
                m.vote.is_some(),
                m.votes.count_ones(),
            )
        }
        fn assign(
            r: &Raft,
            a: &RaftState,
            b: &RaftState,
            order: &mut ArrayVec<u8, MAX_MEMBERS>,
            used: u8,
        ) -> bool {
            let k = order.len();
            if k == b.members.len() {
                return r.permuted(a, order) == *b;
            }
            (0..a.members.len() as u8).any(|o| {
                if used >> o & 1 == 1 || key(&a.members[o as usize]) != key(&b.members[k]) {
                    return false;
                }
                order.push(o);
                let found = assign(r, a, b, order, used | 1 << o);
                order.pop();
                found
            })
        }
        a.members.len() == b.members.len()
            && a.writes == b.writes
            && a.acked == b.acked
            && a.crashes == b.crashes
            && assign(self, a, b, &mut ArrayVec::new(), 0)
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

    fn all(&self) -> u8 {
        ((1u16 << self.masters) - 1) as u8
    }

    fn init(&self) -> RaftState {
        let n = self.masters as usize;
        let first = Entry { term: 1, write: 0 };
        let members = (0..n)
            .map(|i| Member {
                term: 1,
                vote: Some(0),
                log: [first].into_iter().collect(),
                commit: 1,
                up: true,
                role: if i == 0 { Role::Leader } else { Role::Follower },
                votes: 0,
                match_index: std::array::from_fn(|p| u8::from(i == 0 && p < n)),
            })
            .collect();
        RaftState {
            members,
            network: Network::Whole,
            crashes: 0,
            writes: 0,
            acked: 0,
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
    fn advance_commit(&self, s: &mut RaftState, id: Id) {
        let m = &s.members[id as usize];
        let mut commit = m.commit;
        for index in (m.commit + 1..=m.last_index()).rev() {
            if m.log[index as usize - 1].term != m.term {
                break;
            }
            let stored = if self.has_bug(Bug::CommitAlone) {
                self.quorum as usize
            } else {
                m.match_index.iter().filter(|&&x| x >= index).count()
            };
            if stored >= self.quorum as usize {
                commit = index;
                break;
            }
        }
        if commit > m.commit {
            let acked = m.log[..commit as usize].iter().fold(0u8, |acc, e| {
                if e.write > 0 {
                    acc | 1 << (e.write - 1)
                } else {
                    acc
                }
            });
            s.members[id as usize].commit = commit;
            s.acked |= acked;
        }
    }

    /// After a (pre-)vote is granted: has the candidate won?
    fn tally(&self, s: &mut RaftState, id: Id) {
        let m = &mut s.members[id as usize];
        if m.votes.count_ones() < self.quorum as u32 {
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
    fn hears_leader(&self, s: &RaftState, voter: Id) -> bool {
        let term = s.members[voter as usize].term;
        s.reachable(voter).any(|l| {
            let m = &s.members[l as usize];
            m.role == Role::Leader && m.term == term
        })
    }

    /// The voter's answer to a (pre-)vote request, decided on the state before the request.
    fn ballot(&self, s: &RaftState, c: Id, v: Id) -> Ballot {
        let (cand, voter) = (&s.members[c as usize], &s.members[v as usize]);
        let pre = cand.role == Role::PreCandidate;
        // A pre-vote asks for term + 1, so it is always above a voter it does not step down for.
        if voter.term > cand.term {
            return Ballot::NewerTerm;
        }
        let up_to_date = self.has_bug(Bug::NoLogCheck)
            || (cand.last_term(), cand.last_index()) >= (voter.last_term(), voter.last_index());
        if !up_to_date {
            return Ballot::LogBehind;
        }
        if pre {
            if self.hears_leader(s, v) {
                return Ballot::HearsLeader;
            }
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
        let ballot = self.ballot(s, c, v);
        let pre = s.members[c as usize].role == Role::PreCandidate;
        let (c_term, v_term) = (s.members[c as usize].term, s.members[v as usize].term);
        // A response carrying a higher term turns the (pre-)candidate into a follower.
        if ballot == Ballot::NewerTerm {
            s.members[c as usize].become_follower(v_term);
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
        let l_term = s.members[l as usize].term;
        if s.members[f as usize].term > l_term {
            let t = s.members[f as usize].term;
            s.members[l as usize].become_follower(t);
            return;
        }
        let leader = s.members[l as usize].clone();
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
            follower.commit = commit;
        }
        s.members[l as usize].match_index[f as usize] = last_new;
        self.advance_commit(s, l);
    }
}

impl System for Raft {
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
            name: "failover-possible",
            meaning: "some behaviour elects another member leader, followed by a quorum, while the first leader is still in term 1",
            kind: Kind::Possibility(failed_over),
        });
        all
    }

    /// The bounds in words, for "holds for all behaviours with ...".
    fn bounds(&self) -> String {
        format!(
            "term ≤ {}, ≤ {} client write{}",
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
            Action::RequestVote(c, v) => format!("{} asks {} for its vote", name(c), name(v)),
            Action::ClientWrite(l) => format!("a client write reaches leader {}", name(l)),
            Action::AppendEntries(l, p) => format!("{} replicates its log to {}", name(l), name(p)),
            Action::StepDown(l) => format!(
                "{} cannot reach a quorum and steps down (CheckQuorum)",
                name(l)
            ),
            Action::Crash(i) => format!("{} crashes", name(i)),
            Action::Restart(i) => format!("{} restarts", name(i)),
            Action::Partition(side) => format!(
                "the network splits {} | {}",
                members_of(side, self.masters),
                members_of(self.all() & !side, self.masters)
            ),
            Action::Heal => "the network heals".to_string(),
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
                members_of(side, self.masters),
                members_of(self.all() & !side, self.masters)
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
            if x.up != y.up {
                out.push(format!(
                    "{who} {}",
                    if y.up {
                        "restarts as follower"
                    } else {
                        "crashes (keeps term, vote, log, commit)"
                    }
                ));
            }
            if x.term != y.term {
                out.push(format!("{who} term {} → {}", x.term, y.term));
            }
            if x.role != y.role && (x.up == y.up) {
                out.push(format!("{who} becomes {}", role_word(y.role)));
            }
            if x.vote != y.vote && y.vote.is_some() {
                out.push(format!(
                    "{who} votes for {}",
                    name(y.vote.unwrap_or_default())
                ));
            }
            if x.votes != y.votes && y.votes != 0 && y.role != Role::Leader {
                out.push(format!(
                    "{who} has {}, needs {}",
                    votes(y.votes.count_ones() as usize),
                    self.quorum
                ));
            }
            if x.log != y.log {
                out.push(format!("{who} log {}", log_text(&y.log)));
            }
            if x.commit != y.commit {
                out.push(format!("{who} commit {} → {}", x.commit, y.commit));
            }
        }
        if a.network != b.network {
            match b.network {
                Network::Split { side } => out.push(format!(
                    "network splits {} | {}",
                    members_of(side, self.masters),
                    members_of(self.all() & !side, self.masters)
                )),
                _ => out.push("network heals".to_string()),
            }
        }
        let newly = b.acked & !a.acked;
        for w in 0..8 {
            if newly >> w & 1 == 1 {
                out.push(format!(
                    "write w{} is committed and acknowledged to the client",
                    w + 1
                ));
            }
        }
        out
    }
    /// Why no goal can be reached from here: who can gather how many votes.
    fn explain_stuck(&self, s: &RaftState) -> String {
        let q = self.quorum as usize;
        let mut groups: Vec<String> = Vec::new();
        let mut seen = 0u8;
        for id in 0..self.masters {
            if !s.members[id as usize].up || seen >> id & 1 == 1 {
                continue;
            }
            let group: Vec<Id> = s.reachable(id).collect();
            for &g in &group {
                seen |= 1 << g;
            }
            let names: Vec<String> = group.iter().map(|&g| name(g)).collect();
            let verb = if group.len() >= q { "can" } else { "cannot" };
            groups.push(format!(
                "{{{}}} {verb} gather a quorum (has {}, needs {q})",
                names.join(", "),
                votes(group.len())
            ));
        }
        let down: Vec<String> = (0..self.masters)
            .filter(|&m| !s.members[m as usize].up)
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

    fn representative(&self, state: &RaftState) -> Option<RaftState> {
        self.symmetry.then(|| self.canonical(state))
    }

    fn same_orbit(&self, a: &RaftState, b: &RaftState) -> bool {
        a == b || (self.symmetry && self.renaming_of(a, b))
    }

    fn participants(&self) -> Vec<String> {
        (0..self.masters).map(name).collect()
    }

    /// Each RPC as a request and its response, faults as notes, and what follows from the step:
    /// elections won, step-downs, commits and the client's acknowledgements.
    fn events(&self, a: &RaftState, action: &Action, b: &RaftState) -> Vec<Event> {
        let note = |over: Vec<String>, text: String| Event::Note { over, text };
        let message = |from: String, to: String, text: String, reply: bool| Event::Message {
            from,
            to,
            text,
            reply,
        };
        let mut out = Vec::new();
        // Members whose role change this action's own events already tell.
        let mut told = 0u8;
        match *action {
            Action::Timeout(i) => {
                told |= 1 << i;
                let text = if self.pre_vote {
                    format!(
                        "election timeout: asks for pre-votes for term {}",
                        a.members[i as usize].term + 1
                    )
                } else {
                    format!(
                        "election timeout: campaigns for term {}",
                        b.members[i as usize].term
                    )
                };
                out.push(note(vec![name(i)], text));
            }
            Action::RequestVote(c, v) => {
                let cand = &a.members[c as usize];
                let pre = cand.role == Role::PreCandidate;
                let (kind, term) = if pre {
                    ("PreVote", cand.term + 1)
                } else {
                    ("RequestVote", cand.term)
                };
                out.push(message(
                    name(c),
                    name(v),
                    format!("{kind} term {term}, log {}", log_text(&cand.log)),
                    false,
                ));
                let vote = if pre { "pre-vote" } else { "vote" };
                let answer = match self.ballot(a, c, v) {
                    Ballot::Granted => format!("{vote} granted"),
                    Ballot::NewerTerm => {
                        format!("refused: term {} is newer", a.members[v as usize].term)
                    }
                    Ballot::LogBehind => format!(
                        "refused: log {} is more up to date",
                        log_text(&a.members[v as usize].log)
                    ),
                    Ballot::VotedFor(other) => {
                        format!("refused: voted for {} in term {term}", name(other))
                    }
                    Ballot::HearsLeader => "refused: still hears its leader".to_string(),
                };
                out.push(message(name(v), name(c), answer, true));
            }
            Action::ClientWrite(l) => {
                out.push(message(
                    "Client".to_string(),
                    name(l),
                    format!("write w{}", b.writes),
                    false,
                ));
            }
            Action::AppendEntries(l, f) => {
                let leader = &a.members[l as usize];
                out.push(message(
                    name(l),
                    name(f),
                    format!(
                        "AppendEntries term {}, log {}, commit {}",
                        leader.term,
                        log_text(&leader.log),
                        leader.commit
                    ),
                    false,
                ));
                let follower = &a.members[f as usize];
                let answer = if follower.term > leader.term {
                    format!("refused: term {} is newer", follower.term)
                } else {
                    format!(
                        "appended, match index {}",
                        b.members[l as usize].match_index[f as usize]
                    )
                };
                out.push(message(name(f), name(l), answer, true));
            }
            Action::StepDown(l) => {
                told |= 1 << l;
                out.push(note(
                    vec![name(l)],
                    "cannot reach a quorum: steps down (CheckQuorum)".to_string(),
                ));
            }
            Action::Crash(i) => out.push(note(
                vec![name(i)],
                "crashes (keeps term, vote, log, commit)".to_string(),
            )),
            Action::Restart(i) => out.push(note(vec![name(i)], "restarts as follower".to_string())),
            Action::Partition(side) => out.push(note(
                Vec::new(),
                format!(
                    "network splits {} | {}",
                    members_of(side, self.masters),
                    members_of(self.all() & !side, self.masters)
                ),
            )),
            Action::Heal => out.push(note(Vec::new(), "network heals".to_string())),
        }
        for (i, (x, y)) in a.members.iter().zip(b.members.iter()).enumerate() {
            let id = i as Id;
            if !(x.up && y.up) {
                continue;
            }
            if x.role != y.role && told >> id & 1 == 0 {
                let text = match y.role {
                    Role::Leader => format!("leader of term {}", y.term),
                    Role::Candidate => format!("wins the pre-vote: campaigns for term {}", y.term),
                    Role::Follower => format!("steps down: follower in term {}", y.term),
                    Role::PreCandidate => format!("pre-candidate in term {}", y.term),
                };
                out.push(note(vec![name(id)], text));
            } else if x.role != y.role && y.role == Role::Leader {
                // A single-member quorum wins at once.
                out.push(note(vec![name(id)], format!("leader of term {}", y.term)));
            }
            if y.role == Role::Leader && y.commit > x.commit {
                out.push(note(
                    vec![name(id)],
                    format!("commits up to index {}", y.commit),
                ));
                let newly = b.acked & !a.acked;
                for w in (0..8).filter(|w| newly >> w & 1 == 1) {
                    out.push(message(
                        name(id),
                        "Client".to_string(),
                        format!("w{} committed", w + 1),
                        true,
                    ));
                }
            }
        }
        out
    }
}

/// The safety properties, listed once for kcheck's catalogue and for stateright's checker (which
/// takes plain boolean conditions).
/// The names of the properties other modules build on (the fault-tolerance table's columns).
pub const NO_SPLIT_BRAIN: &str = "no-split-brain";
pub const WRITE_AVAILABILITY: &str = "write-availability";

macro_rules! invariants {
    ($($check:ident: $name:expr => $meaning:literal,)*) => {
        fn invariant_catalogue() -> Vec<Property<Raft>> {
            vec![$(Property { name: $name, meaning: $meaning, kind: Kind::Invariant($check) },)*]
        }

        fn stateright_invariants() -> Vec<stateright::Property<Raft>> {
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
}

/// An SVG of one state: a box per member (name, role, term, log, commit), grouped by the side of
/// the network split it is on.
fn picture(s: &RaftState) -> String {
    use std::fmt::Write;
    let n = s.members.len() as u8;
    let groups: Vec<Vec<Id>> = match s.network {
        Network::Split { side } => vec![
            (0..n).filter(|m| side >> m & 1 == 1).collect(),
            (0..n).filter(|m| side >> m & 1 == 0).collect(),
        ],
        Network::Whole | Network::Healed => vec![(0..n).collect()],
    };
    let longest = s
        .members
        .iter()
        .map(|m| log_text(&m.log).len() + 4)
        .max()
        .unwrap_or(0) as i32;
    let (w, h, gap) = ((8 * longest + 16).max(150), 96, 12);
    let width = n as i32 * (w + gap) + groups.len() as i32 * 2 * gap;
    let mut svg = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{}' font-family='monospace' font-size='12'>",
        h + 2 * gap + 18
    );
    let mut x = gap;
    for (g, group) in groups.iter().enumerate() {
        if groups.len() > 1 {
            let gw = group.len() as i32 * (w + gap) + gap;
            let _ = write!(
                svg,
                "<rect x='{}' y='4' width='{gw}' height='{}' rx='8' fill='none' stroke='#ffcc80' stroke-dasharray='6 4'/>\
                 <text x='{}' y='{}' fill='#ffcc80'>side {}</text>",
                x - gap / 2,
                h + gap + 8,
                x,
                h + gap + 26,
                g + 1
            );
        }
        for &id in group {
            let m = &s.members[id as usize];
            let (role, fill) = match (m.up, m.role) {
                (false, _) => ("down", "#8e2b2b"),
                (true, Role::Leader) => ("leader", "#2e7d32"),
                (true, Role::Candidate) => ("candidate", "#b26a00"),
                (true, Role::PreCandidate) => ("pre-candidate", "#8d6e00"),
                (true, Role::Follower) => ("follower", "#455a64"),
            };
            let lines = [
                format!("{} {role}", name(id)),
                format!("term {}", m.term),
                format!("log {}", log_text(&m.log)),
                format!("commit {}", m.commit),
            ];
            let _ = write!(
                svg,
                "<rect x='{x}' y='{gap}' width='{w}' height='{h}' rx='6' fill='{fill}'/>"
            );
            for (i, line) in lines.iter().enumerate() {
                let _ = write!(
                    svg,
                    "<text x='{}' y='{}' fill='white'{}>{line}</text>",
                    x + 8,
                    gap + 20 + 20 * i as i32,
                    if i == 0 { " font-weight='bold'" } else { "" }
                );
            }
            x += w + gap;
        }
        x += 2 * gap;
    }
    svg.push_str("</svg>");
    svg
}

fn log_text(log: &[Entry]) -> String {
    let entries: Vec<String> = log
        .iter()
        .map(|e| {
            if e.write == 0 {
                format!("t{}", e.term)
            } else {
                format!("t{}:w{}", e.term, e.write)
            }
        })
        .collect();
    format!("[{}]", entries.join(" "))
}

/// A role as traces write it, in lower case as etcd's logs do ("became leader").
fn role_word(role: Role) -> &'static str {
    match role {
        Role::Follower => "follower",
        Role::PreCandidate => "pre-candidate",
        Role::Candidate => "candidate",
        Role::Leader => "leader",
    }
}

/// "1 vote", "2 votes".
fn votes(n: usize) -> String {
    format!("{n} vote{}", if n == 1 { "" } else { "s" })
}

fn member_summary(id: Id, m: &Member) -> String {
    let role = if m.up { role_word(m.role) } else { "down" };
    format!(
        "{} {role} term {} log {} commit {}",
        name(id),
        m.term,
        log_text(&m.log),
        m.commit
    )
}

// ---- properties ----

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
    for (i, a) in s.members.iter().enumerate() {
        for (j, b) in s.members.iter().enumerate().skip(i + 1) {
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
    for (i, a) in s.members.iter().enumerate() {
        for (j, b) in s.members.iter().enumerate().skip(i + 1) {
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
        for (i, m) in s.members.iter().enumerate() {
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

fn write_commits(_: &Raft, before: &RaftState, after: &RaftState) -> bool {
    after.acked & !before.acked != 0
}

/// The cluster failed over: a leader of a later term, followed by a quorum, while the first
/// leader is still in term 1 (down, cut off, or not yet told of the new term). So the new leader
/// is another member, and it won without the first leader's vote: the first leader winning again
/// once it is back is no failover. The first leader is the one member of term 1 that voted for
/// itself (the others voted for it, and campaigning leaves term 1), which names no member and so
/// holds under any renaming of them.
fn failed_over(r: &Raft, s: &RaftState) -> bool {
    let first_still_in_term_1 = s
        .members
        .iter()
        .enumerate()
        .any(|(i, m)| m.term == 1 && m.vote == Some(i as Id));
    first_still_in_term_1
        && (0..r.masters).any(|l| s.members[l as usize].term > 1 && leads_a_quorum(r, s, l))
}

/// Without `heal`, groups of up, connected members only shrink (crashes) and never merge again.
/// If none reaches a quorum, no leader can ever be followed by a quorum.
fn no_quorum_ever(r: &Raft, s: &RaftState) -> bool {
    !r.heal
        && (0..r.masters)
            .all(|i| !s.members[i as usize].up || s.reachable(i).count() < r.quorum as usize)
}

/// Within `r`'s budget no write can commit any more: every client write has been sent and no log
/// holds one that is not yet acknowledged, and only a write in some log can be committed. A
/// larger budget (one more write) may still commit one, so this prunes searches and proves
/// nothing beyond them.
fn writes_spent(r: &Raft, s: &RaftState) -> bool {
    s.writes >= r.max_writes && !s.members.iter().any(|m| holds_unacked_write(s, m))
}

/// No write can ever commit (the goal of write-availability), whatever the budget: no quorum can
/// ever form ([`no_quorum_ever`]), and no leader still holds entries it has not committed whose
/// replicas, with its own group, make a quorum: a leader's entries only reach its own group, and
/// a new leader starts with no replicas counted outside it.
fn no_write_can_ever_commit(r: &Raft, s: &RaftState) -> bool {
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
fn write_ready(r: &Raft, s: &RaftState) -> bool {
    (0..r.masters).any(|l| {
        let m = &s.members[l as usize];
        leads_a_quorum(r, s, l)
            && (holds_unacked_write(s, m) || s.writes < r.max_writes && m.log.len() < LOG_CAPACITY)
    })
}

/// Whether the member's log holds a client write not yet acknowledged.
fn holds_unacked_write(s: &RaftState, m: &Member) -> bool {
    m.log
        .iter()
        .any(|e| e.write > 0 && s.acked >> (e.write - 1) & 1 == 0)
}

/// A leader that a quorum of up, connected members will follow: none of them is in a later term.
fn has_working_leader(r: &Raft, s: &RaftState) -> bool {
    (0..r.masters).any(|l| leads_a_quorum(r, s, l))
}

/// Whether `l` is an up leader that a quorum of up, connected members (itself included) will
/// follow: none of them is in a later term.
fn leads_a_quorum(r: &Raft, s: &RaftState, l: Id) -> bool {
    let m = &s.members[l as usize];
    m.up && m.role == Role::Leader
        && s.reachable(l)
            .filter(|&p| s.members[p as usize].term <= m.term)
            .count()
            >= r.quorum as usize
}

impl stateright::Model for Raft {
    type State = RaftState;
    type Action = Action;

    fn init_states(&self) -> Vec<RaftState> {
        vec![self.init()]
    }

    fn actions(&self, s: &RaftState, actions: &mut Vec<Action>) {
        let n = self.masters;
        for i in 0..n {
            let m = &s.members[i as usize];
            if !m.up {
                if self.heal {
                    actions.push(Action::Restart(i));
                }
                continue;
            }
            match m.role {
                Role::Leader => {
                    if s.writes < self.max_writes && m.log.len() < LOG_CAPACITY {
                        actions.push(Action::ClientWrite(i));
                    }
                    for p in 0..n {
                        if p != i && s.members[p as usize].up && s.connected(i, p) {
                            actions.push(Action::AppendEntries(i, p));
                        }
                    }
                    if s.reachable(i).count() < self.quorum as usize {
                        actions.push(Action::StepDown(i));
                    }
                }
                Role::Candidate | Role::PreCandidate => {
                    for p in 0..n {
                        if p != i
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
                && m.term < self.max_term
                && !self.hears_leader(s, i)
                && (!self.recovery_only || self.best_candidate(s) == Some(i))
            {
                actions.push(Action::Timeout(i));
            }
            if s.crashes < self.crash && !self.recovery_only {
                actions.push(Action::Crash(i));
            }
        }
        if self.partition && s.network == Network::Whole && !self.recovery_only {
            // Every split into two non-empty groups, named by the group holding m1.
            let all = self.all();
            for side in (1..all).filter(|side| side & 1 == 1) {
                actions.push(Action::Partition(side));
            }
        }
        if self.heal && matches!(s.network, Network::Split { .. }) {
            actions.push(Action::Heal);
        }
    }

    fn next_state(&self, s: &RaftState, action: Action) -> Option<RaftState> {
        let mut t = s.clone();
        match action {
            Action::Timeout(i) => {
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
                self.tally(&mut t, i);
            }
            Action::RequestVote(c, v) => self.request_vote(&mut t, c, v),
            Action::ClientWrite(l) => {
                t.writes += 1;
                let m = &mut t.members[l as usize];
                m.log.push(Entry {
                    term: m.term,
                    write: t.writes,
                });
                let last = m.last_index();
                m.match_index[l as usize] = last;
                self.advance_commit(&mut t, l);
            }
            Action::AppendEntries(l, f) => self.append_entries(&mut t, l, f),
            Action::StepDown(l) => t.members[l as usize].become_follower(0),
            Action::Crash(i) => {
                t.crashes += 1;
                let m = &mut t.members[i as usize];
                m.become_follower(0);
                m.up = false;
            }
            Action::Restart(i) => t.members[i as usize].up = true,
            Action::Partition(side) => t.network = Network::Split { side },
            Action::Heal => t.network = Network::Healed,
        }
        (t != *s).then_some(t)
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

#[cfg(test)]
mod tests {
    use stateright::Model;

    use super::*;
    use crate::engine::{decide, explore, explore_all, Graph, Limits, Search};
    use crate::property::Verdict;
    use crate::scenario::Scenario;

    fn raft(s: Scenario) -> Raft {
        Raft::new(&s.validate().expect("valid scenario"))
    }

    fn limits() -> Limits {
        Limits {
            max_states: 5_000_000,
            timeout: None,
        }
    }

    /// The verdict label and, when violated, the reason, for one property.
    fn verdict(model: &Raft, property: &str) -> (&'static str, String) {
        let graph = explore_all(model, limits());
        let p = Raft::catalogue()
            .into_iter()
            .find(|p| p.name == property)
            .expect("known property");
        match decide(model, &graph, &p, &limits()) {
            Verdict::Violated(v) => {
                // Only an unreachable possibility has no trace.
                let needs_trace = !matches!(p.kind, Kind::Possibility(_));
                assert_eq!(v.trace.is_some(), needs_trace, "{property}");
                if let Some(trace) = v.trace {
                    assert_eq!(
                        crate::engine::trace::replay(model, &trace).as_ref(),
                        Ok(trace.last()),
                        "the counterexample replays"
                    );
                }
                ("violated", v.why)
            }
            other => (other.label(), String::new()),
        }
    }

    fn with_bug(s: Scenario, bug: Bug) -> Raft {
        Raft {
            bug: Some(bug),
            ..raft(s)
        }
    }

    fn step(model: &Raft, s: &RaftState, a: Action) -> RaftState {
        model
            .next_state(s, a)
            .unwrap_or_else(|| panic!("{a:?} changes the state"))
    }

    #[test]
    fn a_leader_commits_a_write_once_a_quorum_stores_it() {
        let m = raft(Scenario {
            masters: 3,
            ..Scenario::default()
        });
        let s = m.init_states().remove(0);
        let s = step(&m, &s, Action::ClientWrite(0));
        assert_eq!(
            (s.members[0].commit, s.acked),
            (1, 0),
            "one copy of three is no quorum"
        );
        let s = step(&m, &s, Action::AppendEntries(0, 1));
        assert_eq!((s.members[0].commit, s.acked), (2, 1));
        assert_eq!(
            s.members[1].commit, 1,
            "the follower learns the commit on the next append"
        );
        let s = step(&m, &s, Action::AppendEntries(0, 1));
        assert_eq!(s.members[1].commit, 2);
    }

    #[test]
    fn a_vote_needs_an_up_to_date_log_and_a_free_vote() {
        let m = raft(Scenario {
            masters: 3,
            ..Scenario::default()
        });
        let s = m.init_states().remove(0);
        let s = step(&m, &s, Action::ClientWrite(0));
        let s = step(&m, &s, Action::AppendEntries(0, 1));
        let s = step(&m, &s, Action::Crash(0));
        // m3 lacks w1: m2 refuses it, but m3 still steps m2 up to its term.
        let s = step(&m, &s, Action::Timeout(2));
        let s = step(&m, &s, Action::RequestVote(2, 1));
        assert_eq!(s.members[2].role, Role::Candidate);
        assert_eq!((s.members[1].term, s.members[1].vote), (2, None));
        // m2 has w1 and wins with m3's vote at the next term.
        let s = step(&m, &s, Action::Timeout(1));
        let s = step(&m, &s, Action::RequestVote(1, 2));
        assert_eq!(s.members[1].role, Role::Leader);
        assert_eq!(
            s.members[1].log.last(),
            Some(&Entry { term: 3, write: 0 }),
            "a new leader appends an empty entry"
        );
    }

    #[test]
    fn a_diagram_shows_each_request_its_answer_and_what_follows() {
        let m = raft(Scenario {
            masters: 3,
            max_term: 3,
            ..Scenario::default()
        });
        let texts = |a: &RaftState, action: Action| -> (Vec<String>, RaftState) {
            let b = step(&m, a, action);
            let texts = m
                .events(a, &action, &b)
                .into_iter()
                .map(|e| match e {
                    Event::Message {
                        from,
                        to,
                        text,
                        reply,
                    } => format!("{from}{}{to}: {text}", if reply { "-->>" } else { "->>" }),
                    Event::Note { over, text } => format!("[{}] {text}", over.join(",")),
                })
                .collect();
            (texts, b)
        };
        let s = m.init_states().remove(0);
        let (t, s) = texts(&s, Action::ClientWrite(0));
        assert_eq!(t, ["Client->>m1: write w1"]);
        let (t, s) = texts(&s, Action::AppendEntries(0, 1));
        assert_eq!(
            t,
            [
                "m1->>m2: AppendEntries term 1, log [t1 t1:w1], commit 1",
                "m2-->>m1: appended, match index 2",
                "[m1] commits up to index 2",
                "m1-->>Client: w1 committed",
            ]
        );
        let (t, s) = texts(&s, Action::Crash(0));
        assert_eq!(t, ["[m1] crashes (keeps term, vote, log, commit)"]);
        let (t, s) = texts(&s, Action::Timeout(2));
        assert_eq!(t, ["[m3] election timeout: campaigns for term 2"]);
        let (t, s) = texts(&s, Action::RequestVote(2, 1));
        assert_eq!(
            t,
            [
                "m3->>m2: RequestVote term 2, log [t1]",
                "m2-->>m3: refused: log [t1 t1:w1] is more up to date",
            ]
        );
        // A refusal that changes nothing is no step of the model, but still has its reason.
        let mut asking = s.clone();
        asking.members[1].role = Role::Candidate;
        let t = m.events(&asking, &Action::RequestVote(1, 2), &asking);
        assert!(
            matches!(&t[1], Event::Message { text, .. } if text == "refused: voted for m3 in term 2"),
            "{t:?}"
        );
        let (_, s) = texts(&s, Action::Timeout(1));
        let (t, s) = texts(&s, Action::RequestVote(2, 1));
        assert_eq!(
            t[1..],
            [
                "m2-->>m3: refused: term 3 is newer",
                "[m3] steps down: follower in term 3",
            ]
        );
        let (t, _) = texts(&s, Action::RequestVote(1, 2));
        assert_eq!(t[1..], ["m3-->>m2: vote granted", "[m2] leader of term 3"]);
    }

    #[test]
    fn a_crash_keeps_persistent_state_and_drops_leadership() {
        let m = raft(Scenario {
            masters: 3,
            heal: true,
            ..Scenario::default()
        });
        let s = m.init_states().remove(0);
        let s = step(&m, &s, Action::Crash(0));
        let down = &s.members[0];
        assert_eq!(
            (down.up, down.role, down.term, down.commit),
            (false, Role::Follower, 1, 1)
        );
        let s = step(&m, &s, Action::Restart(0));
        assert!(s.members[0].up);
    }

    #[test]
    fn with_pre_vote_a_member_that_hears_its_leader_refuses() {
        let m = raft(Scenario {
            masters: 3,
            pre_vote: true,
            partition: true,
            heal: true,
            max_term: 3,
            ..Scenario::default()
        });
        let init = m.init_states().remove(0);
        let s = step(&m, &init, Action::Partition(0b001));
        let s = step(&m, &s, Action::Timeout(1));
        assert_eq!(
            (s.members[1].role, s.members[1].term),
            (Role::PreCandidate, 1),
            "a pre-candidate keeps its term"
        );
        // m3 hears no leader across the split: it grants, and m2 campaigns for term 2.
        let s = step(&m, &s, Action::RequestVote(1, 2));
        assert_eq!((s.members[1].role, s.members[1].term), (Role::Candidate, 2));
        // The split heals before m2 asks m3 for its real vote. m1 never stepped down, so m3,
        // still in term 1, hears its leader again; m2, in term 2, hears none and asks again.
        let s = step(&m, &s, Action::Heal);
        let s = step(&m, &s, Action::Timeout(1));
        assert_eq!(
            (s.members[1].role, s.members[1].term),
            (Role::PreCandidate, 2)
        );
        let mut offered = Vec::new();
        m.actions(&s, &mut offered);
        assert!(offered.contains(&Action::RequestVote(1, 2)));
        assert_eq!(m.ballot(&s, 1, 2), Ballot::HearsLeader);
        assert_eq!(
            m.next_state(&s, Action::RequestVote(1, 2)),
            None,
            "m3 refuses: m2 stays a pre-candidate of term 2 and m1 keeps leading term 1"
        );
        assert!(matches!(&m.events(&s, &Action::RequestVote(1, 2), &s)[1],
                Event::Message { text, .. } if text == "refused: still hears its leader"));

        // m1, cut off, cannot time out while it still counts itself leader; once it steps down
        // its pre-vote campaign cannot raise its term.
        let s = step(&m, &init, Action::Partition(0b001));
        let s = step(&m, &s, Action::StepDown(0));
        let s = step(&m, &s, Action::Timeout(0));
        assert_eq!(
            (s.members[0].role, s.members[0].term),
            (Role::PreCandidate, 1)
        );
        assert_eq!(m.next_state(&s, Action::Timeout(0)), None);
    }

    #[test]
    fn each_safety_property_holds_on_the_real_model() {
        for s in [
            Scenario {
                masters: 3,
                ..Scenario::default()
            },
            Scenario {
                masters: 3,
                partition: true,
                heal: true,
                writes: 2,
                ..Scenario::default()
            },
        ] {
            let m = raft(s);
            for p in invariant_catalogue() {
                assert_eq!(verdict(&m, p.name).0, "holds", "{}", p.name);
            }
        }
    }

    #[test]
    fn voting_twice_elects_two_leaders_in_one_term() {
        let m = with_bug(
            Scenario {
                masters: 3,
                heal: true,
                ..Scenario::default()
            },
            Bug::VoteTwice,
        );
        let (v, why) = verdict(&m, "single-leader-per-term");
        assert_eq!(v, "violated");
        assert!(why.contains("both leader of term 2"), "{why}");
    }

    #[test]
    fn skipping_the_log_check_loses_committed_writes() {
        let m = with_bug(
            Scenario {
                masters: 3,
                ..Scenario::default()
            },
            Bug::NoLogCheck,
        );
        assert_eq!(verdict(&m, "leader-completeness").0, "violated");
        let (v, why) = verdict(&m, "committed-writes-durable");
        assert_eq!(v, "violated");
        assert!(why.contains("w1 was acknowledged"), "{why}");
    }

    #[test]
    fn committing_without_a_quorum_splits_the_brain() {
        let m = with_bug(
            Scenario {
                masters: 3,
                ..Scenario::default()
            },
            Bug::CommitAlone,
        );
        let (v, why) = verdict(&m, "no-split-brain");
        assert_eq!(v, "violated");
        assert!(why.contains("committed"), "{why}");
    }

    #[test]
    fn appending_without_truncating_breaks_log_matching() {
        let s = Scenario {
            masters: 3,
            partition: true,
            heal: true,
            writes: 2,
            ..Scenario::default()
        };
        let (v, why) = verdict(&with_bug(s, Bug::NoTruncate), "log-matching");
        assert_eq!(v, "violated");
        assert!(why.contains("logs differ"), "{why}");
    }

    /// A split vote at the term bound cannot be resolved within the bound, yet the cluster is
    /// not stuck: the extended budget lets a third election settle it.
    #[test]
    fn a_split_vote_at_the_term_bound_is_not_reported_unrecoverable() {
        let m = raft(Scenario {
            masters: 3,
            crash: Some(1),
            ..Scenario::default()
        });
        let s = m.init_states().remove(0);
        let s = step(&m, &s, Action::Crash(0));
        let s = step(&m, &s, Action::Timeout(1));
        let stuck = step(&m, &s, Action::Timeout(2));
        assert_eq!(stuck.members[2].term, m.max_term);
        let within = explore(
            &m,
            Search {
                init: Some(vec![stuck.clone()]),
                limits: limits(),
                leaf: None,
                stage: "exploring",
                progress: &|_| {},
            },
        );
        assert!(
            !within.states().any(|s| has_working_leader(&m, s)),
            "no leader within the main bound"
        );
        assert_eq!(verdict(&m, "leader-availability").0, "holds");
        assert_eq!(verdict(&m, "write-availability").0, "holds");
    }

    #[test]
    fn two_masters_split_can_never_elect_or_write_again() {
        let m = raft(Scenario {
            masters: 2,
            partition: true,
            ..Scenario::default()
        });
        let (v, why) = verdict(&m, "write-availability");
        assert_eq!(v, "violated");
        assert!(
            why.contains("{m1} cannot gather a quorum (has 1 vote, needs 2)"),
            "{why}"
        );
        assert_eq!(verdict(&m, "no-split-brain").0, "holds");
    }

    /// Which states of an exhaustive graph reach the goal of a recoverability property, found
    /// by search alone: goal states (or states with a step that is the goal), then backwards.
    fn reaching(model: &Raft, graph: &Graph<Raft>, goal: &Goal<Raft>) -> Vec<bool> {
        let n = graph.len();
        let mut good: Vec<bool> = (0..n)
            .map(|a| match goal {
                Goal::State(f) => f(model, graph.state(a)),
                Goal::Step { step, .. } => graph
                    .successors(a)
                    .iter()
                    .any(|&b| step(model, graph.state(a), graph.state(b as usize))),
            })
            .collect();
        let mut preds = vec![Vec::new(); n];
        for a in 0..n {
            for &b in graph.successors(a) {
                preds[b as usize].push(a);
            }
        }
        let mut queue: Vec<usize> = (0..n).filter(|&a| good[a]).collect();
        while let Some(b) = queue.pop() {
            for &a in &preds[b] {
                if !good[a] {
                    good[a] = true;
                    queue.push(a);
                }
            }
        }
        good
    }

    /// The lemmas recoverability searches trust, against exhaustive search: every state a
    /// `ready` lemma marks reaches the goal, and no state a `hopeless` lemma marks does, within
    /// the budget of the system asked. Checked on the graphs the engine asks them of: the whole
    /// extended graph ([`Raft::extended`]) and the restricted recovery graph from every main
    /// state ([`Raft::recovery`]), with crashes, partitions, healing, pre-vote, more writes and
    /// quorum overrides.
    #[test]
    fn recoverability_lemmas_agree_with_exhaustive_search() {
        let configurations = [
            (1, None, Some(1), false, true, false, 2, 1),
            (2, None, Some(1), false, false, false, 2, 1),
            (2, None, None, true, false, false, 2, 1),
            (2, None, Some(1), true, true, false, 2, 1),
            (2, Some(1), None, true, true, false, 2, 1),
            (3, None, Some(2), false, false, false, 2, 1),
            (3, None, Some(1), false, true, false, 2, 1),
            (3, None, None, true, true, true, 2, 1),
            (3, None, None, true, true, false, 2, 2),
            (3, Some(3), Some(1), false, false, false, 2, 1),
            (3, Some(1), Some(1), false, true, false, 2, 1),
            (4, None, Some(1), false, false, false, 2, 1),
            (4, None, None, true, false, false, 2, 1),
            (4, Some(2), None, true, false, false, 2, 0),
            (5, None, Some(2), false, false, false, 2, 0),
        ];
        // How many states each lemma marked, over all configurations: (ready, hopeless).
        let mut marked: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        for (masters, quorum, crash, partition, heal, pre_vote, max_term, writes) in configurations
        {
            let m = raft(Scenario {
                masters,
                quorum,
                crash,
                partition,
                heal,
                pre_vote,
                max_term,
                writes,
                ..Scenario::default()
            });
            let main = explore_all(&m, limits());
            let extended = m.extended();
            let recovery = m.recovery();
            let graphs = [
                (&extended, explore_all(&extended, limits())),
                (
                    &recovery,
                    explore(
                        &recovery,
                        Search {
                            init: Some(main.states().cloned().collect()),
                            limits: limits(),
                            leaf: None,
                            stage: "exploring",
                            progress: &|_| {},
                        },
                    ),
                ),
            ];
            for (model, graph) in &graphs {
                assert!(graph.cut.is_none());
                for p in Raft::catalogue() {
                    let Kind::Recoverability {
                        goal,
                        hopeless,
                        spent,
                    } = &p.kind
                    else {
                        continue;
                    };
                    let wider = model.extended();
                    let reaches = reaching(model, graph, goal);
                    let count = marked.entry(p.name).or_default();
                    for (id, s) in graph.states().enumerate() {
                        if let Goal::Step { ready, .. } = goal {
                            if ready(model, s) {
                                assert!(
                                    reaches[id],
                                    "{}: ready, yet no goal within {}: {}",
                                    p.name,
                                    model.bounds(),
                                    m.summary(s)
                                );
                                count.0 += 1;
                            }
                        }
                        if hopeless(model, s) || spent(model, s) {
                            assert!(
                                !reaches[id],
                                "{}: hopeless or spent, yet a goal within {}: {}",
                                p.name,
                                model.bounds(),
                                m.summary(s)
                            );
                            count.1 += 1;
                        }
                        // `hopeless` proves a verdict for every budget, so a larger budget
                        // must not change its answer.
                        assert_eq!(
                            hopeless(model, s),
                            hopeless(&wider, s),
                            "{}: hopeless depends on the budget: {}",
                            p.name,
                            m.summary(s)
                        );
                    }
                }
            }
        }
        // Each lemma is exercised, not vacuously true.
        for (name, (ready, hopeless)) in &marked {
            assert!(*hopeless > 100, "{name}: {hopeless} hopeless states");
            if *name == WRITE_AVAILABILITY {
                assert!(*ready > 1000, "{name}: {ready} ready states");
            }
        }
        assert_eq!(marked.len(), 2);
    }

    /// Two split masters that heal elect a leader of term 2 again, but only with the first
    /// leader's vote: it comes back, no one replaced it.
    #[test]
    fn the_first_leader_winning_again_is_no_failover() {
        let m = raft(Scenario {
            masters: 2,
            partition: true,
            heal: true,
            ..Scenario::default()
        });
        let graph = explore_all(&m, limits());
        assert!(
            graph.states().any(|s| (0..2).any(|l| {
                let x = &s.members[l as usize];
                x.term == 2 && leads_a_quorum(&m, s, l)
            })),
            "a leader of term 2 is elected"
        );
        assert_eq!(verdict(&m, "failover-possible").0, "violated");
    }

    /// Symmetry reduction picks one representative per orbit: applying it twice changes
    /// nothing, and it keeps every invariant's verdict.
    #[test]
    fn representatives_are_stable_and_keep_verdicts() {
        let m = Raft {
            symmetry: false,
            ..raft(Scenario {
                masters: 5,
                partition: true,
                writes: 2,
                ..Scenario::default()
            })
        };
        let graph = explore_all(&m, limits());
        for state in graph.states() {
            let rep = m.canonical(state);
            assert_eq!(m.canonical(&rep), rep, "{}", m.summary(state));
            for p in invariant_catalogue() {
                if let Kind::Invariant(check) = p.kind {
                    assert_eq!(
                        check(&m, state).is_some(),
                        check(&m, &rep).is_some(),
                        "{}",
                        p.name
                    );
                }
            }
        }
    }

    /// Two masters, one of which may crash (the 2-node trap), cannot fail over; three can.
    #[test]
    fn failover_needs_a_quorum_without_the_old_leader() {
        let two = raft(Scenario {
            masters: 2,
            crash: Some(1),
            ..Scenario::default()
        });
        let (v, why) = verdict(&two, "failover-possible");
        assert_eq!(v, "violated");
        assert!(why.contains("no reachable state satisfies it"), "{why}");
        let three = raft(Scenario {
            masters: 3,
            crash: Some(1),
            ..Scenario::default()
        });
        let graph = explore_all(&three, limits());
        let p = Raft::catalogue()
            .into_iter()
            .find(|p| p.name == "failover-possible")
            .expect("property");
        match decide(&three, &graph, &p, &limits()) {
            Verdict::Holds {
                witness: Some(w), ..
            } => {
                let end = crate::engine::trace::replay(&three, &w).expect("the witness replays");
                assert!(failed_over(&three, &end));
                // The replay starts from the initial state, where m1 leads term 1.
                assert!(
                    (1..3).any(|l| leads_a_quorum(&three, &end, l)) && end.members[0].term == 1,
                    "another member leads: {}",
                    three.summary(&end)
                );
                assert!(
                    w.steps.iter().any(|(a, _)| matches!(a, Action::Crash(_))),
                    "it takes a fault to fail over"
                );
            }
            other => panic!("expected a witness, got {}", other.label()),
        }
    }

    /// Modelled rules no catalogue property depends on yet, each given a verdict of its own by a
    /// property defined here: each verdict changes when its rule is deleted.
    #[test]
    fn rules_without_a_catalogue_verdict_have_their_own() {
        let decide_one = |s: Scenario, p: Property<Raft>| {
            let m = raft(s);
            let graph = explore_all(&m, limits());
            decide(&m, &graph, &p, &limits()).label()
        };
        // CheckQuorum: a leader cut off from a quorum can always step down, so it never keeps
        // the role forever on the minority side of a split.
        let cut_off_leader_steps_down = Property {
            name: "cut-off-leader-steps-down",
            meaning: "from every state, no leader is left that cannot reach a quorum",
            kind: Kind::Recoverability {
                goal: Goal::State(|r: &Raft, s: &RaftState| {
                    (0..r.masters).all(|l| {
                        let m = &s.members[l as usize];
                        !m.up
                            || m.role != Role::Leader
                            || s.reachable(l).count() >= r.quorum as usize
                    })
                }),
                hopeless: |_: &Raft, _: &RaftState| false,
                spent: |_: &Raft, _: &RaftState| false,
            },
        };
        let two_split = Scenario {
            masters: 2,
            partition: true,
            ..Scenario::default()
        };
        assert_eq!(decide_one(two_split, cut_off_leader_steps_down), "holds");
        // Timely heartbeats: no election timeout fires while a member hears its leader, so
        // without a fault the first leader is never deposed.
        let healthy = || Scenario {
            masters: 3,
            crash: Some(0),
            ..Scenario::default()
        };
        let stays_in_term_1 = Property {
            name: "no-fault-no-election",
            meaning: "without faults every member stays in term 1",
            kind: Kind::Invariant(|_: &Raft, s: &RaftState| {
                s.members
                    .iter()
                    .any(|m| m.term > 1)
                    .then(|| "a member left term 1".to_string())
            }),
        };
        assert_eq!(decide_one(healthy(), stays_in_term_1), "holds");
        // Followers learn the commit index from the leader's next append.
        let follower_learns_commit = Property {
            name: "follower-learns-commit",
            meaning: "some follower learns that a client write committed",
            kind: Kind::Possibility(|_: &Raft, s: &RaftState| {
                s.members
                    .iter()
                    .any(|m| m.role == Role::Follower && m.committed().iter().any(|e| e.write > 0))
            }),
        };
        assert_eq!(decide_one(healthy(), follower_learns_commit), "holds");
    }

    /// Exact state and transition counts of four configurations, pinned because some rules
    /// change no verdict yet (the test above covers three), and a snapshot's count is easy to
    /// accept without noticing. Each count changes when any rule named beside it is deleted;
    /// a change here must be explained by a change to the model.
    #[test]
    fn state_counts_pin_the_rules_no_verdict_catches() {
        let pinned = [
            // 28 states: CheckQuorum (12 without), followers learning the commit (21), election
            // timeouts only for members that hear no leader (79).
            (
                Scenario {
                    masters: 2,
                    partition: true,
                    ..Scenario::default()
                },
                (28, 37),
            ),
            // 3048 states: pre-vote's refusal by a member that hears its leader (3179 without),
            // a candidate stepping down on a newer term (1970), CheckQuorum (1615), a voter
            // moving to the candidate's term even when it refuses (3018), a new leader's empty
            // entry (2709).
            (
                Scenario {
                    masters: 3,
                    partition: true,
                    heal: true,
                    pre_vote: true,
                    max_term: 3,
                    ..Scenario::default()
                },
                (3048, 11420),
            ),
            // 312 states: a crash dropping the role and votes (262 without), a new leader's
            // empty entry (252), followers learning the commit (164), timeouts only without a
            // leader (1333).
            (
                Scenario {
                    masters: 3,
                    crash: Some(1),
                    heal: true,
                    ..Scenario::default()
                },
                (312, 667),
            ),
            // 1986 states: CheckQuorum (1101 without), followers learning the commit (807),
            // a voter moving to the candidate's term (1913), a new leader's empty entry (1724).
            (
                Scenario {
                    masters: 3,
                    partition: true,
                    heal: true,
                    writes: 2,
                    ..Scenario::default()
                },
                (1986, 5176),
            ),
        ];
        for (s, counts) in pinned {
            let graph = explore_all(&raft(s.clone()), limits());
            assert_eq!((graph.len(), graph.edge_count()), counts, "{s:?}");
        }
    }
}
