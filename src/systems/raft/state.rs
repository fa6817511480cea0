//! The state of an etcd cluster: members, their logs and roles, and the network.

use serde::Serialize;

use super::diagram::{member_summary, members_of};
use super::messages::Message;
use super::name;

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

/// A log entry: its term and what it carries: `0` is a leader's empty entry, `1..` a client
/// write's id, and from [`Entry::CHANGE`] on a configuration change (see [`Change`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Entry {
    pub term: u8,
    pub write: u8,
}

impl Entry {
    /// The first payload that is a configuration change: `CHANGE | kind << 3 | member`.
    pub const CHANGE: u8 = 0x80;

    /// A configuration change entry (etcd's `EntryConfChange`).
    pub fn change(term: u8, change: Change) -> Entry {
        let (kind, id) = match change {
            Change::AddVoter(id) => (0, id),
            Change::AddLearner(id) => (1, id),
            Change::Promote(id) => (2, id),
            Change::Remove(id) => (3, id),
        };
        Entry {
            term,
            write: Entry::CHANGE | kind << 3 | id,
        }
    }

    /// The client write the entry carries, if any.
    #[inline]
    pub fn write_id(&self) -> Option<u8> {
        (self.write > 0 && self.write < Entry::CHANGE).then_some(self.write)
    }

    /// The entry with the member a configuration change names renamed (`rename[old] = new`).
    pub fn renamed(self, rename: &[u8]) -> Entry {
        if self.write < Entry::CHANGE {
            return self;
        }
        Entry {
            write: self.write & !7 | rename[(self.write & 7) as usize],
            ..self
        }
    }

    /// What the entry is with the member a configuration change names left out: blind to
    /// renaming.
    #[inline]
    fn shape(&self) -> (u8, u8) {
        if self.write < Entry::CHANGE {
            (self.term, self.write)
        } else {
            (self.term, self.write & !7)
        }
    }

    /// The configuration change the entry carries, if any.
    #[inline]
    pub fn conf_change(&self) -> Option<Change> {
        if self.write < Entry::CHANGE {
            return None;
        }
        let id = self.write & 7;
        Some(match self.write >> 3 & 3 {
            0 => Change::AddVoter(id),
            1 => Change::AddLearner(id),
            2 => Change::Promote(id),
            _ => Change::Remove(id),
        })
    }
}

/// A single-member configuration change, as `etcdctl member ...` proposes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Change {
    AddVoter(Id),
    AddLearner(Id),
    Promote(Id),
    Remove(Id),
}

/// A configuration: the voters (whose majority is the quorum) and the learners (who receive
/// the log but never vote and never count toward a quorum), as bitsets of member ids.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Config {
    pub voters: u8,
    pub learners: u8,
}

impl Config {
    pub fn apply(self, change: Change) -> Config {
        let bit = |id: Id| 1u8 << id;
        match change {
            Change::AddVoter(id) | Change::Promote(id) => Config {
                voters: self.voters | bit(id),
                learners: self.learners & !bit(id),
            },
            Change::AddLearner(id) => Config {
                voters: self.voters & !bit(id),
                learners: self.learners | bit(id),
            },
            Change::Remove(id) => Config {
                voters: self.voters & !bit(id),
                learners: self.learners & !bit(id),
            },
        }
    }

    /// Everyone the configuration names, voters and learners.
    #[inline]
    pub fn members(&self) -> u8 {
        self.voters | self.learners
    }

    #[inline]
    pub fn is_voter(&self, id: Id) -> bool {
        self.voters >> id & 1 == 1
    }
}

/// What fills the slots of a new [`Run`].
pub trait Blank: Copy {
    const BLANK: Self;
}

impl Blank for Entry {
    const BLANK: Entry = Entry { term: 0, write: 0 };
}

/// A fixed-capacity run of items, one byte for its length: a member's log, a state's members.
/// States are copied on every step, so runs are kept inline and copied as one block. Slots past
/// the end may hold what was truncated; comparing, hashing and ordering see only the run.
#[derive(Clone, Copy)]
pub struct Run<T, const N: usize> {
    len: u8,
    items: [T; N],
}

/// A member's log.
pub type Log = Run<Entry, LOG_CAPACITY>;

impl<T: Blank, const N: usize> Run<T, N> {
    pub const fn new() -> Self {
        Run {
            len: 0,
            items: [T::BLANK; N],
        }
    }

    pub fn push(&mut self, item: T) {
        self.items[self.len as usize] = item;
        self.len += 1;
    }

    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len as u8);
    }
}

impl<T: Blank, const N: usize> Default for Run<T, N> {
    fn default() -> Self {
        Run::new()
    }
}

impl<T, const N: usize> std::ops::Deref for Run<T, N> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        &self.items[..self.len as usize]
    }
}

impl<T, const N: usize> std::ops::DerefMut for Run<T, N> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.items[..self.len as usize]
    }
}

impl<T: Blank, const N: usize> Extend<T> for Run<T, N> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for item in iter {
            self.push(item);
        }
    }
}

impl<T: Blank, const N: usize> FromIterator<T> for Run<T, N> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut run = Run::new();
        run.extend(iter);
        run
    }
}

impl<'a, T, const N: usize> IntoIterator for &'a Run<T, N> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T, const N: usize> IntoIterator for &'a mut Run<T, N> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<T: PartialEq, const N: usize> PartialEq for Run<T, N> {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Eq, const N: usize> Eq for Run<T, N> {}

impl<T: std::hash::Hash, const N: usize> std::hash::Hash for Run<T, N> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (**self).hash(h)
    }
}

impl<T: Ord, const N: usize> PartialOrd for Run<T, N> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: Ord, const N: usize> Ord for Run<T, N> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (**self).cmp(&**other)
    }
}

impl<T: std::fmt::Debug, const N: usize> std::fmt::Debug for Run<T, N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Log {
    /// The log with the members its configuration changes name renamed.
    pub fn renamed(&self, rename: &[u8]) -> Log {
        self.iter().map(|e| e.renamed(rename)).collect()
    }

    /// Orders logs by their entries' shapes ([`Entry::shape`]): the same for a log and any
    /// renaming of it; the plain order for logs without configuration changes.
    pub fn cmp_shape(&self, other: &Log) -> std::cmp::Ordering {
        self.iter()
            .map(Entry::shape)
            .cmp(other.iter().map(Entry::shape))
    }
}

/// One etcd member.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Member {
    pub term: u8,
    pub vote: Option<Id>,
    pub log: Log,
    pub commit: u8,
    /// How much of the log is on disk. With fsync (etcd's default) a member fsyncs its WAL
    /// before it answers, so this is the whole log; with `--crash-loses-unsynced` only the
    /// prefix it read back at its last restart (or held at the start) is known to be.
    pub synced: u8,
    pub up: bool,
    pub role: Role,
    /// Bitset of members whose (pre-)vote this candidate holds, itself included.
    pub votes: u8,
    /// The leader's knowledge of each member's log; all zero unless `role` is `Leader`.
    pub match_index: [u8; MAX_MEMBERS],
    /// A leader that has been without a quorum to follow it at some moment since it won (cut off,
    /// or its followers moved on); false for every other role.
    pub lapsed: bool,
    /// The configuration the member has applied (etcd's `ConfState`): every change up to its
    /// commit index, or what a recovery action set.
    pub config: Config,
    /// Not running as a member of the cluster: a slot for a member not yet added and started,
    /// a member stopped after its removal, or one whose data a restore discarded. It never
    /// comes back.
    pub absent: bool,
}

impl Member {
    pub(crate) fn last_term(&self) -> u8 {
        self.log.last().map_or(0, |e| e.term)
    }

    /// The committed prefix of the log (all of it, should a faulty variant truncate below the
    /// commit index).
    pub fn committed(&self) -> &[Entry] {
        &self.log[..(self.commit as usize).min(self.log.len())]
    }

    pub(super) fn last_index(&self) -> u8 {
        self.log.len() as u8
    }

    pub(super) fn become_follower(&mut self, term: u8) {
        if term > self.term {
            self.term = term;
            self.vote = None;
        }
        self.role = Role::Follower;
        self.votes = 0;
        self.match_index = [0; MAX_MEMBERS];
        self.lapsed = false;
    }
}

/// The members of a state.
pub type Members = Run<Member, MAX_MEMBERS>;

/// A member with nothing: what fills the slots past the members a state has.
pub(super) const NO_MEMBER: Member = Member {
    term: 0,
    vote: None,
    log: Log::new(),
    commit: 0,
    synced: 0,
    up: false,
    role: Role::Follower,
    votes: 0,
    match_index: [0; MAX_MEMBERS],
    lapsed: false,
    config: Config {
        voters: 0,
        learners: 0,
    },
    absent: false,
};

impl Blank for Member {
    const BLANK: Member = NO_MEMBER;
}

/// The network: whole, split once into two groups (`side` holds the group with `m1`), or healed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Network {
    Whole,
    Split { side: u8 },
    Healed,
}

/// A state of the whole etcd cluster.
#[derive(PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RaftState {
    pub members: Members,
    pub network: Network,
    /// Crashes so far (the fault budget counts them).
    pub crashes: u8,
    /// Client writes issued so far; write ids are `1..=writes`.
    pub writes: u8,
    /// Bitset of write ids a leader has committed and so acknowledged to its client.
    pub acked: u8,
    /// Bitset of write ids whose client saw a timeout: the leader that took the write stopped
    /// leading before committing it (etcd fails the proposal; the entry stays in the logs).
    pub timed_out: u8,
    /// The write a client read missed although it was acknowledged before the read began
    /// (0: no read has missed one).
    pub stale_read: u8,
    /// Pauses so far (the fault budget counts them).
    pub pauses: u8,
    /// Failed links, one bit per pair of members (`link_bit`).
    pub links_down: u64,
    /// Links failed so far, and splits so far (the fault budget counts them).
    pub link_failures: u8,
    pub splits: u8,
    /// A leader that a quorum followed was made to lose it by another member's later term.
    pub disrupted: bool,
    /// The message mode's messages in flight, sorted (a multiset); always empty in the atomic
    /// mode, where an empty `Vec` costs no allocation.
    pub messages: Vec<Message>,
    /// What the operator's recovery actions need; `None` in every scenario without them, so
    /// that their states carry one pointer and no more.
    pub operator: Option<Box<Operator>>,
}

/// Every field but the two that may own memory is `Copy`, so a state copies as one block.
impl Clone for RaftState {
    fn clone(&self) -> Self {
        RaftState {
            messages: self.messages.clone(),
            operator: self.operator.clone(),
            ..*self
        }
    }

    /// In place, reusing what `self` owns: exploring writes each successor over the last one.
    fn clone_from(&mut self, source: &Self) {
        let mut messages = std::mem::take(&mut self.messages);
        messages.clone_from(&source.messages);
        let mut operator = self.operator.take();
        operator.clone_from(&source.operator);
        *self = RaftState {
            messages,
            operator,
            ..*source
        };
    }
}

/// The part of a state only the operator's recovery actions use (see [`RaftState::operator`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Operator {
    /// Members some member has applied the removal of (etcd's membership store): a member that
    /// knows it refuses their messages, and they stop.
    pub removed_ids: u8,
    /// The operator's recovery actions taken so far, one bit per [`super::Op`].
    pub ops: u8,
    /// `etcdctl snapshot save`: the committed log of the member it was taken from.
    pub snapshot: Option<Log>,
    /// The revision each acknowledged write was given (etcd's revision counter: the write's
    /// position among the committed writes), by write id; 0 for none.
    pub revision_of: [u8; 4],
    /// A member restarted or the network healed: a fault was undone.
    pub healed: bool,
    /// A write was acknowledged after the operator's recovery actions with every fault still in
    /// effect (the witness of recovery-restores-writes).
    pub recovered: bool,
}

const NO_OPERATOR: Operator = Operator {
    removed_ids: 0,
    ops: 0,
    snapshot: None,
    revision_of: [0; 4],
    healed: false,
    recovered: false,
};

impl RaftState {
    /// The operator's part of the state (all empty without recovery actions).
    #[inline]
    pub fn op(&self) -> &Operator {
        self.operator.as_deref().unwrap_or(&NO_OPERATOR)
    }

    /// The operator's part, to change; only scenarios with recovery actions change it, and
    /// their initial state has it, so a state never holds an empty one that another lacks.
    pub fn op_mut(&mut self) -> &mut Operator {
        self.operator.get_or_insert_with(Default::default)
    }
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
            timed_out: Vec<String>,
            stale_read: Option<String>,
            links_down: Vec<[String; 2]>,
            #[serde(skip_serializing_if = "Vec::is_empty")]
            in_flight: Vec<String>,
            /// Members whose removal some member applied (membership scenarios only).
            #[serde(skip_serializing_if = "Vec::is_empty")]
            removed: Vec<String>,
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
            /// Only when part of the log is not on disk (`--crash-loses-unsynced`).
            #[serde(skip_serializing_if = "Option::is_none")]
            synced: Option<u8>,
            votes: Vec<String>,
            match_index: std::collections::BTreeMap<String, u8>,
            /// The configuration the member applied, when it is not every member as a voter
            /// (membership scenarios only).
            #[serde(skip_serializing_if = "Option::is_none")]
            configuration: Option<ConfigView>,
            /// Not a member: not yet added, removed, or discarded by a restore.
            #[serde(skip_serializing_if = "std::ops::Not::not")]
            absent: bool,
        }
        #[derive(Serialize)]
        struct ConfigView {
            voters: Vec<String>,
            learners: Vec<String>,
        }
        #[derive(Serialize)]
        struct EntryView {
            term: u8,
            /// The client write the entry carries; none for a new leader's empty entry.
            write: Option<String>,
            /// The configuration change the entry carries, in etcdctl's words.
            #[serde(skip_serializing_if = "Option::is_none")]
            change: Option<String>,
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
                        write: e.write_id().map(|w| format!("w{w}")),
                        change: e.conf_change().map(super::diagram::change_text),
                    })
                    .collect(),
                commit: m.commit,
                synced: (m.synced < m.last_index()).then_some(m.synced),
                votes: names(m.votes),
                match_index: if m.role == Role::Leader {
                    (0..n)
                        .map(|j| (name(j), m.match_index[j as usize]))
                        .collect()
                } else {
                    Default::default()
                },
                configuration: (m.config.voters != ((1u16 << n) - 1) as u8
                    || m.config.learners != 0)
                    .then(|| ConfigView {
                        voters: names(m.config.voters),
                        learners: names(m.config.learners),
                    }),
                absent: m.absent,
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
            timed_out: writes(self.timed_out),
            stale_read: (self.stale_read != 0).then(|| format!("w{}", self.stale_read)),
            links_down: (0..n)
                .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
                .filter(|&(a, b)| self.links_down & link_bit(a, b) != 0)
                .map(|(a, b)| [name(a), name(b)])
                .collect(),
            in_flight: self.messages.iter().map(Message::words).collect(),
            removed: names(self.op().removed_ids),
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
        if self.links_down != 0 {
            let mut down = Vec::new();
            for a in 0..n {
                for b in a + 1..n {
                    if self.links_down & link_bit(a, b) != 0 {
                        down.push(format!("{}–{}", name(a), name(b)));
                    }
                }
            }
            lines.push(format!("links down {}", down.join(", ")));
        }
        let writes = |set: u8| -> String {
            let ids: Vec<String> = (0..8)
                .filter(|w| set >> w & 1 == 1)
                .map(|w| format!("w{}", w + 1))
                .collect();
            ids.join(", ")
        };
        let mut client = format!(
            "client writes sent {}, acknowledged {{{}}}",
            self.writes,
            writes(self.acked)
        );
        if self.timed_out != 0 {
            client.push_str(&format!(", timed out {{{}}}", writes(self.timed_out)));
        }
        if self.stale_read != 0 {
            client.push_str(&format!(", a read missed w{}", self.stale_read));
        }
        lines.push(client);
        if !self.messages.is_empty() {
            let flying: Vec<String> = self.messages.iter().map(Message::words).collect();
            lines.push(format!("in flight: {}", flying.join("; ")));
        }
        let sep = if f.alternate() { "\n" } else { "; " };
        f.write_str(&lines.join(sep))
    }
}

/// The bit of the link between two members in [`RaftState::links_down`].
pub fn link_bit(a: Id, b: Id) -> u64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    1 << (lo * 8 + hi)
}

impl RaftState {
    pub fn connected(&self, a: Id, b: Id) -> bool {
        let sides = match self.network {
            Network::Split { side } => (side >> a & 1) == (side >> b & 1),
            Network::Whole | Network::Healed => true,
        };
        sides && (a == b || self.links_down & link_bit(a, b) == 0)
    }

    /// Members that are up and can exchange messages with `id` (itself included if up).
    pub fn reachable(&self, id: Id) -> impl Iterator<Item = Id> + '_ {
        (0..self.members.len() as Id)
            .filter(move |&m| self.members[m as usize].up && self.connected(id, m))
    }
}
