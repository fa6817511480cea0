//! Symmetry reduction: members are interchangeable, so one renaming of a state stands for all.

use arrayvec::ArrayVec;

use super::state::{Member, Network, RaftState, MAX_MEMBERS};
use super::Raft;

impl Raft {
    /// The representative of a state's renamings, as exploring keeps it.
    #[cfg(test)]
    pub(super) fn canonical(&self, s: &RaftState) -> RaftState {
        self.renamed_canonically(s).unwrap_or_else(|| s.clone())
    }

    /// Members are interchangeable: every property speaks of "some member" or "every member",
    /// never of `m2` in particular. So a state and its renamings share every verdict, and one
    /// representative per orbit suffices. Members are sorted by what they hold (ties keep their
    /// order), and every reference to a member id (votes, vote sets, match indexes, the network
    /// split) is renamed with them. `None` when the representative is the state itself.
    pub(super) fn renamed_canonically(&self, s: &RaftState) -> Option<RaftState> {
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
        // Only the masters are interchangeable: a member the operator may add has its own part.
        // Each member's key is packed once into two words around its log's shape: what it
        // holds up to its log, then the rest (see [`key`]).
        let masters = self.masters as usize;
        let mut head = [0u32; MAX_MEMBERS];
        let mut tail = [0u64; MAX_MEMBERS];
        for i in 0..masters {
            (head[i], tail[i]) = key(&s.members[i], side_of(i as u8));
        }
        let near = ties(s);
        order[..masters].sort_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            head[a]
                .cmp(&head[b])
                .then_with(|| s.members[a].log.cmp_shape(&s.members[b].log))
                .then(tail[a].cmp(&tail[b]))
                .then(near[a].cmp(&near[b]))
                .then(a.cmp(&b))
        });
        if order.iter().enumerate().all(|(i, &o)| i as u8 == o) {
            return None;
        }
        Some(self.permuted(s, &order))
    }

    /// The state with its members renamed: new member `k` is old member `order[k]`.
    pub(super) fn permuted(&self, s: &RaftState, order: &[u8]) -> RaftState {
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
        let mut t = s.clone();
        for (new, &old) in order.iter().enumerate() {
            let m = &s.members[old as usize];
            let r = &mut t.members[new];
            *r = *m;
            r.vote = m.vote.map(|v| rename[v as usize]);
            r.votes = remap_set(m.votes);
            if self.recovery != 0 {
                r.config.voters = remap_set(m.config.voters);
                r.config.learners = remap_set(m.config.learners);
                r.log = m.log.renamed(&rename);
            }
            for (new, &o) in order.iter().enumerate() {
                r.match_index[new] = m.match_index[o as usize];
            }
        }
        if let Network::Split { side } = s.network {
            let side = remap_set(side);
            t.network = Network::Split {
                side: if side & 1 == 1 {
                    side
                } else {
                    self.all() & !side
                },
            };
        }
        if !t.messages.is_empty() {
            for m in &mut t.messages {
                *m = m.renamed(&rename);
            }
            t.messages.sort();
        }
        if let Some(op) = &mut t.operator {
            op.removed_ids = remap_set(op.removed_ids);
            if let Some(log) = &mut op.snapshot {
                *log = log.renamed(&rename);
            }
        }
        t
    }

    /// Whether one state is a renaming of the other. Representatives are not unique when
    /// members tie on every sort key, so traces match states by this rather than by equal
    /// representatives.
    pub(super) fn renaming_of(&self, a: &RaftState, b: &RaftState) -> bool {
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
            // Past the masters, a member keeps its name.
            if k >= r.masters as usize {
                order.push(k as u8);
                let found = assign(r, a, b, order, used);
                order.pop();
                return found;
            }
            (0..r.masters).any(|o| {
                if used >> o & 1 == 1 || !alike(&a.members[o as usize], &b.members[k]) {
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
}

/// What a member holds, in an order blind to renaming, packed in two words that order as the
/// fields they hold: first its role (leaders first), whether it is up and its term; then, after
/// its log (ordered by [`Log::cmp_shape`]: configuration changes without the member they name),
/// its commit index, its synced prefix, the size of its side of the split (`side`), whether it
/// voted, how many votes it holds, whether it lapsed or is absent, and the size of its
/// configuration.
fn key(m: &Member, side: u32) -> (u32, u64) {
    let head = (3 - m.role as u32) << 16 | u32::from(m.up) << 8 | u32::from(m.term);
    let tail = u64::from(m.commit) << 56
        | u64::from(m.synced) << 48
        | u64::from(side) << 40
        | u64::from(m.vote.is_some()) << 32
        | u64::from(m.votes.count_ones()) << 24
        | u64::from(m.lapsed) << 17
        | u64::from(m.absent) << 16
        | u64::from(m.config.voters.count_ones()) << 8
        | u64::from(m.config.learners.count_ones());
    (head, tail)
}

/// What ties each member to the others, blind to renaming: how many others hold its (pre-)vote,
/// how many others voted for it, the role, term and log of the other it voted for, and what the
/// leaders know of its log. Members that tie on [`key`] and
/// log shape but differ here are ordered by it, so that such renamings share a representative.
/// (Link faults turn symmetry reduction off, so the failed links need no part here.)
fn ties(s: &RaftState) -> [u64; MAX_MEMBERS] {
    let n = s.members.len();
    let mut near = [0u64; MAX_MEMBERS];
    for (j, m) in s.members.iter().enumerate() {
        let mut held = m.votes & !(1 << j);
        while held != 0 {
            let i = held.trailing_zeros() as usize;
            held &= held - 1;
            near[i] += 1 << 61;
        }
        if let Some(v) = m.vote.map(usize::from).filter(|&v| v != j) {
            near[v] += 1 << 58;
            let c = &s.members[v];
            let whom = 1 << 22
                | (c.role as u32) << 20
                | u32::from(c.term) << 12
                | (c.log.len() as u32) << 8
                | u32::from(c.last_term());
            near[j] |= u64::from(whom) << 32;
        }
        if m.role == super::state::Role::Leader {
            for (i, &at) in m.match_index.iter().enumerate().take(n) {
                if i != j {
                    near[i] += u64::from(at) << 8;
                }
            }
        }
    }
    near
}

/// Whether two members hold the same up to renaming: the same [`key`] and log shape.
fn alike(x: &Member, y: &Member) -> bool {
    key(x, 0) == key(y, 0) && x.log.cmp_shape(&y.log) == std::cmp::Ordering::Equal
}
