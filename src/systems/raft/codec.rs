//! A Raft state as a few bytes, for the explored graph to keep (see [`crate::engine::store`]).
//!
//! Bit-packed: terms, indexes and counts are small numbers, sets of members are bitsets as wide
//! as the cluster, and what is usually empty (a follower's vote tally, the leader's match
//! indexes, a configuration of every member as a voter, the synced prefix that is the whole
//! log) costs one bit. Every field has a wide form for values beyond the usual range, so the
//! encoding is exact for every state: `decode(encode(s)) == s`.

use super::messages::Message;
use super::state::{
    Config, Entry, Log, Member, Members, Network, Operator, RaftState, Role, MAX_MEMBERS,
};
use crate::engine::store::Codec;

struct Writer<'a> {
    out: &'a mut Vec<u8>,
    acc: u64,
    bits: u32,
}

impl Writer<'_> {
    /// Appends the low `width` bits of `value` (`width` ≤ 32).
    #[inline(always)]
    fn put(&mut self, value: u64, width: u32) {
        debug_assert!(width <= 32 && value >> width == 0);
        self.acc |= value << self.bits;
        self.bits += width;
        if self.bits >= 32 {
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.bits -= 32;
        }
    }

    fn put64(&mut self, value: u64) {
        self.put(value & 0xffff_ffff, 32);
        self.put(value >> 32, 32);
    }

    #[inline(always)]
    fn flag(&mut self, b: bool) {
        self.put(b as u64, 1);
    }

    /// A number, in `width` bits when it fits below the all-ones value, else escaped to 8 bits.
    #[inline(always)]
    fn small(&mut self, v: u8, width: u32) {
        let (bits, width) = Self::small_bits(v, width);
        self.put(bits, width);
    }

    /// [`Writer::small`]'s bits and their width: `v`, or the escape and `v` in 8 more bits.
    #[inline(always)]
    fn small_bits(v: u8, width: u32) -> (u64, u32) {
        let escape = (1u64 << width) - 1;
        if u64::from(v) < escape {
            (u64::from(v), width)
        } else {
            (escape | u64::from(v) << width, width + 8)
        }
    }

    /// A bitset of members: as wide as the cluster when nothing lies beyond it.
    #[inline(always)]
    fn set(&mut self, v: u8, n: u32) {
        if u32::from(v) >> n == 0 {
            self.flag(false);
            self.put(u64::from(v), n);
        } else {
            self.flag(true);
            self.put(u64::from(v), 8);
        }
    }

    #[inline(always)]
    fn byte(&mut self, v: u8) {
        self.put(u64::from(v), 8);
    }

    fn log(&mut self, log: &Log) {
        self.small(log.len() as u8, 4);
        for e in log.iter() {
            // The usual entries in one go: a small term, then no write or a small one.
            if e.term < 15 && e.write < 7 {
                match e.write {
                    0 => self.put(u64::from(e.term), 5),
                    w => self.put(u64::from(e.term) | 1 << 4 | u64::from(w) << 6, 9),
                }
                continue;
            }
            self.small(e.term, 4);
            match e.write {
                0 => self.flag(false),
                w => {
                    self.flag(true);
                    if w < Entry::CHANGE {
                        self.flag(false);
                        self.small(w, 3);
                    } else {
                        self.flag(true);
                        self.put(u64::from(w & !Entry::CHANGE), 7);
                    }
                }
            }
        }
    }

    fn finish(self) {
        let tail = self.bits.div_ceil(8) as usize;
        self.out.extend_from_slice(&self.acc.to_le_bytes()[..tail]);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    acc: u64,
    bits: u32,
}

impl Reader<'_> {
    fn take64(&mut self) -> u64 {
        let lo = self.take(32);
        lo | self.take(32) << 32
    }

    /// The next `width` bits (`width` ≤ 32).
    #[inline(always)]
    fn take(&mut self, width: u32) -> u64 {
        if self.bits < width {
            let word = match self.bytes.get(self.at..self.at + 4) {
                Some(four) => u32::from_le_bytes(four.try_into().expect("four bytes")),
                // The last bytes: the encoding's end is padded with zero bits.
                None => {
                    let mut word = [0u8; 4];
                    let rest = self.bytes.get(self.at..).unwrap_or(&[]);
                    word[..rest.len()].copy_from_slice(rest);
                    u32::from_le_bytes(word)
                }
            };
            self.at += 4;
            self.acc |= u64::from(word) << self.bits;
            self.bits += 32;
        }
        let v = self.acc & ((1u64 << width) - 1);
        self.acc >>= width;
        self.bits -= width;
        v
    }

    #[inline(always)]
    fn flag(&mut self) -> bool {
        self.take(1) == 1
    }

    #[inline(always)]
    fn small(&mut self, width: u32) -> u8 {
        let v = self.take(width);
        if v == (1u64 << width) - 1 {
            self.take(8) as u8
        } else {
            v as u8
        }
    }

    #[inline(always)]
    fn set(&mut self, n: u32) -> u8 {
        if self.flag() {
            self.take(8) as u8
        } else {
            self.take(n) as u8
        }
    }

    #[inline(always)]
    fn byte(&mut self) -> u8 {
        self.take(8) as u8
    }

    fn log(&mut self) -> Log {
        let len = self.small(4);
        (0..len)
            .map(|_| {
                let term = self.small(4);
                let write = if !self.flag() {
                    0
                } else if !self.flag() {
                    self.small(3)
                } else {
                    Entry::CHANGE | self.take(7) as u8
                };
                Entry { term, write }
            })
            .collect()
    }
}

fn role_bits(r: Role) -> u64 {
    match r {
        Role::Follower => 0,
        Role::PreCandidate => 1,
        Role::Candidate => 2,
        Role::Leader => 3,
    }
}

fn role_of(bits: u64) -> Role {
    match bits {
        0 => Role::Follower,
        1 => Role::PreCandidate,
        2 => Role::Candidate,
        _ => Role::Leader,
    }
}

impl Codec for RaftState {
    fn encode(&self, out: &mut Vec<u8>) {
        out.reserve(64);
        let mut w = Writer {
            out,
            acc: 0,
            bits: 0,
        };
        let n = self.members.len() as u32;
        w.put(u64::from(n), 3);
        let all = ((1u16 << n) - 1) as u8;
        for m in &self.members {
            // Term, vote, role and flags in one go (at most 12 + 4 + 5 bits).
            let (term, width) = Writer::small_bits(m.term, 4);
            let vote = m.vote.map_or(0, |v| 1 | u64::from(v) << 1);
            let vote_width = if m.vote.is_some() { 4 } else { 1 };
            let flags = role_bits(m.role)
                | u64::from(m.up) << 2
                | u64::from(m.lapsed) << 3
                | u64::from(m.absent) << 4;
            w.put(
                term | vote << width | flags << (width + vote_width),
                width + vote_width + 5,
            );
            w.log(&m.log);
            // The usual follower in one go: a small commit index, the whole log synced, no votes.
            if m.commit < 15 && m.synced as usize == m.log.len() && m.votes == 0 {
                w.put(u64::from(m.commit), 6);
            } else {
                w.small(m.commit, 4);
                if m.synced as usize == m.log.len() {
                    w.flag(false);
                } else {
                    w.flag(true);
                    w.small(m.synced, 4);
                }
                if m.votes == 0 {
                    w.flag(false);
                } else {
                    w.flag(true);
                    w.set(m.votes, n);
                }
            }
            let matched = m
                .match_index
                .iter()
                .rposition(|&x| x != 0)
                .map_or(0, |i| i + 1);
            w.put(matched as u64, 3);
            for &x in &m.match_index[..matched] {
                w.small(x, 4);
            }
            if m.config.voters == all && m.config.learners == 0 {
                w.flag(false);
            } else {
                w.flag(true);
                w.set(m.config.voters, n);
                w.set(m.config.learners, n);
            }
        }
        match self.network {
            Network::Whole => w.put(0, 2),
            Network::Healed => w.put(1, 2),
            Network::Split { side } => {
                w.put(2, 2);
                w.set(side, n);
            }
        }
        w.small(self.crashes, 3);
        w.small(self.writes, 3);
        w.set(self.acked, 4);
        w.set(self.timed_out, 4);
        w.small(self.stale_read, 3);
        w.small(self.pauses, 3);
        if self.links_down == 0 {
            w.flag(false);
        } else {
            w.flag(true);
            w.put64(self.links_down);
        }
        w.small(self.link_failures, 3);
        w.small(self.splits, 3);
        w.flag(self.disrupted);
        w.small(self.messages.len() as u8, 4);
        for message in &self.messages {
            match *message {
                Message::RequestVote {
                    from,
                    to,
                    term,
                    pre,
                    last_index,
                    last_term,
                } => {
                    w.put(0, 2);
                    for v in [from, to, term, last_index, last_term] {
                        w.byte(v);
                    }
                    w.flag(pre);
                }
                Message::VoteResponse {
                    from,
                    to,
                    term,
                    pre,
                    granted,
                } => {
                    w.put(1, 2);
                    for v in [from, to, term] {
                        w.byte(v);
                    }
                    w.flag(pre);
                    w.flag(granted);
                }
                Message::AppendEntries {
                    from,
                    to,
                    term,
                    prev_index,
                    prev_term,
                    ref entries,
                    commit,
                } => {
                    w.put(2, 2);
                    for v in [from, to, term, prev_index, prev_term, commit] {
                        w.byte(v);
                    }
                    w.log(entries);
                }
                Message::AppendResponse {
                    from,
                    to,
                    term,
                    success,
                    match_index,
                } => {
                    w.put(3, 2);
                    for v in [from, to, term, match_index] {
                        w.byte(v);
                    }
                    w.flag(success);
                }
            }
        }
        match &self.operator {
            None => w.flag(false),
            Some(op) => {
                w.flag(true);
                w.byte(op.removed_ids);
                w.byte(op.ops);
                match &op.snapshot {
                    None => w.flag(false),
                    Some(log) => {
                        w.flag(true);
                        w.log(log);
                    }
                }
                for r in op.revision_of {
                    w.byte(r);
                }
                w.flag(op.healed);
                w.flag(op.recovered);
            }
        }
        w.finish();
    }

    fn decode(bytes: &[u8]) -> RaftState {
        let mut r = Reader {
            bytes,
            at: 0,
            acc: 0,
            bits: 0,
        };
        let n = r.take(3) as u32;
        let all = ((1u16 << n) - 1) as u8;
        let mut members = Members::new();
        for _ in 0..n {
            let term = r.small(4);
            let vote = r.flag().then(|| r.take(3) as u8);
            let role = role_of(r.take(2));
            let up = r.flag();
            let lapsed = r.flag();
            let absent = r.flag();
            let log = r.log();
            let commit = r.small(4);
            let synced = if r.flag() {
                r.small(4)
            } else {
                log.len() as u8
            };
            let votes = if r.flag() { r.set(n) } else { 0 };
            let mut match_index = [0; MAX_MEMBERS];
            let matched = r.take(3) as usize;
            for x in &mut match_index[..matched] {
                *x = r.small(4);
            }
            let config = if r.flag() {
                Config {
                    voters: r.set(n),
                    learners: r.set(n),
                }
            } else {
                Config {
                    voters: all,
                    learners: 0,
                }
            };
            members.push(Member {
                term,
                vote,
                log,
                commit,
                synced,
                up,
                role,
                votes,
                match_index,
                lapsed,
                config,
                absent,
            });
        }
        let network = match r.take(2) {
            0 => Network::Whole,
            1 => Network::Healed,
            _ => Network::Split { side: r.set(n) },
        };
        let crashes = r.small(3);
        let writes = r.small(3);
        let acked = r.set(4);
        let timed_out = r.set(4);
        let stale_read = r.small(3);
        let pauses = r.small(3);
        let links_down = if r.flag() { r.take64() } else { 0 };
        let link_failures = r.small(3);
        let splits = r.small(3);
        let disrupted = r.flag();
        let in_flight = r.small(4);
        let messages = (0..in_flight)
            .map(|_| match r.take(2) {
                0 => {
                    let [from, to, term, last_index, last_term] = [(); 5].map(|_| r.byte());
                    Message::RequestVote {
                        from,
                        to,
                        term,
                        pre: r.flag(),
                        last_index,
                        last_term,
                    }
                }
                1 => {
                    let [from, to, term] = [(); 3].map(|_| r.byte());
                    let pre = r.flag();
                    Message::VoteResponse {
                        from,
                        to,
                        term,
                        pre,
                        granted: r.flag(),
                    }
                }
                2 => {
                    let [from, to, term, prev_index, prev_term, commit] = [(); 6].map(|_| r.byte());
                    Message::AppendEntries {
                        from,
                        to,
                        term,
                        prev_index,
                        prev_term,
                        entries: r.log(),
                        commit,
                    }
                }
                _ => {
                    let [from, to, term, match_index] = [(); 4].map(|_| r.byte());
                    Message::AppendResponse {
                        from,
                        to,
                        term,
                        success: r.flag(),
                        match_index,
                    }
                }
            })
            .collect();
        let operator = r.flag().then(|| {
            let removed_ids = r.byte();
            let ops = r.byte();
            let snapshot = r.flag().then(|| r.log());
            let revision_of = [(); 4].map(|_| r.byte());
            let healed = r.flag();
            let recovered = r.flag();
            Box::new(Operator {
                removed_ids,
                ops,
                snapshot,
                revision_of,
                healed,
                recovered,
            })
        });
        RaftState {
            members,
            network,
            crashes,
            writes,
            acked,
            timed_out,
            stale_read,
            pauses,
            links_down,
            link_failures,
            splits,
            disrupted,
            messages,
            operator,
        }
    }
}

#[cfg(test)]
mod tests {
    use stateright::Model;

    use super::*;
    use crate::engine::{explore_all, Limits};
    use crate::scenario::{NetworkMode, Reads, Recovery, Scenario};
    use crate::systems::raft::Raft;
    use crate::systems::System;

    fn encoded(s: &RaftState) -> Vec<u8> {
        let mut out = Vec::new();
        s.encode(&mut out);
        out
    }

    /// Every state of every kind of scenario, and every successor as the model builds it (not
    /// decoded from the graph), reads back equal from its encoding; and unequal states never
    /// share an encoding. The successor as exploring builds it, written over the last one
    /// (`next_state_into`), is the one `next_state` returns.
    #[test]
    fn every_state_decodes_to_itself() {
        let base = Scenario {
            max_term: 2,
            symmetry: false,
            ..Scenario::default()
        };
        let scenarios = [
            Scenario {
                masters: 3,
                partition: true,
                heal: true,
                pre_vote: true,
                ..base.clone()
            },
            Scenario {
                masters: 3,
                crash: Some(1),
                heal: true,
                crash_loses_unsynced: true,
                writes: 2,
                ..base.clone()
            },
            Scenario {
                masters: 3,
                link_faults: 1,
                pauses: 1,
                reads: Some(Reads::Linearizable),
                client_timeouts: true,
                heal: true,
                ..base.clone()
            },
            Scenario {
                masters: 3,
                partition: true,
                network: NetworkMode::Messages,
                max_in_flight: Some(2),
                ..base.clone()
            },
            Scenario {
                masters: 3,
                crash: Some(1),
                heal: true,
                recovery: vec![Recovery::MemberRemove, Recovery::LearnerAdd],
                ..base.clone()
            },
            Scenario {
                masters: 5,
                crash: Some(3),
                recovery: vec![Recovery::ForceNewCluster, Recovery::SnapshotRestore],
                ..base.clone()
            },
            Scenario {
                masters: 7,
                partition: true,
                ..base
            },
        ];
        let mut fields = std::collections::BTreeSet::new();
        for scenario in scenarios {
            let m = Raft::new(&scenario.raft().expect("valid scenario"));
            let graph = explore_all(
                &m,
                Limits {
                    max_states: 200_000,
                    timeout: None,
                },
            );
            let mut seen: std::collections::HashMap<Vec<u8>, RaftState> = Default::default();
            let mut actions = Vec::new();
            let mut reused = m.init_states().remove(0);
            for s in graph.states() {
                actions.clear();
                m.actions(&s, &mut actions);
                for a in actions.drain(..) {
                    let t = m.next_state(&s, a);
                    reused.clone_from(&s);
                    let written = m.next_state_into(&s, a, &mut reused);
                    assert_eq!(written.then_some(&reused), t.as_ref(), "{a:?}");
                    let Some(t) = t else {
                        continue;
                    };
                    let bytes = encoded(&t);
                    assert_eq!(RaftState::decode(&bytes), t, "{t:?}");
                    if let Some(other) = seen.insert(bytes, t.clone()) {
                        assert_eq!(other, t, "two states share an encoding");
                    }
                    // Which of the usually empty fields the states exercised.
                    fields.extend(
                        [
                            ("messages", !t.messages.is_empty()),
                            ("operator", t.operator.is_some()),
                            ("links", t.links_down != 0),
                            (
                                "unsynced",
                                t.members.iter().any(|x| x.synced as usize != x.log.len()),
                            ),
                            ("learners", t.members.iter().any(|x| x.config.learners != 0)),
                            ("timed out", t.timed_out != 0),
                            ("split", matches!(t.network, Network::Split { .. })),
                        ]
                        .into_iter()
                        .filter_map(|(name, on)| on.then_some(name)),
                    );
                }
            }
        }
        assert_eq!(fields.len(), 7, "{fields:?}");
    }
}
