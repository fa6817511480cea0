//! Symmetry reduction: members are interchangeable, so one renaming of a state stands for all.

use arrayvec::ArrayVec;

use super::state::{Log, Member, Network, Operator, RaftState, Role, MAX_MEMBERS};
use super::Raft;

impl Raft {
    /// Members are interchangeable: every property speaks of "some member" or "every member",
    /// never of `m2` in particular. So a state and its renamings share every verdict, and one
    /// representative per orbit suffices. Members are sorted by what they hold (ties keep their
    /// order), and every reference to a member id (votes, vote sets, match indexes, the network
    /// split) is renamed with them.
    pub(super) fn canonical(&self, s: &RaftState) -> RaftState {
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
        order[..self.masters as usize].sort_by(|&a, &b| {
            let (x, y) = (&s.members[a as usize], &s.members[b as usize]);
            let (kx, ky) = (key(x), key(y));
            (kx.0, kx.1, kx.2, kx.3, kx.4, kx.5)
                .cmp(&(ky.0, ky.1, ky.2, ky.3, ky.4, ky.5))
                .then(side_of(a).cmp(&side_of(b)))
                .then(
                    (kx.6, kx.7, kx.8, kx.9, kx.10, kx.11)
                        .cmp(&(ky.6, ky.7, ky.8, ky.9, ky.10, ky.11)),
                )
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
                if self.recovery != 0 {
                    t.config.voters = remap_set(m.config.voters);
                    t.config.learners = remap_set(m.config.learners);
                    t.log = m.log.renamed(&rename);
                }
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
        let mut messages: Vec<_> = s.messages.iter().map(|m| m.renamed(&rename)).collect();
        messages.sort();
        RaftState {
            members,
            network,
            messages,
            operator: s.operator.as_ref().map(|op| {
                Box::new(Operator {
                    removed_ids: remap_set(op.removed_ids),
                    snapshot: op.snapshot.as_ref().map(|log| log.renamed(&rename)),
                    ..(**op).clone()
                })
            }),
            ..s.clone()
        }
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
}

/// What a member holds, in an order blind to renaming: configuration changes in its log are
/// compared without the member they name, and its configuration by its size.
type Key<'a> = (
    std::cmp::Reverse<Role>,
    bool,
    u8,
    ByShape<'a>,
    u8,
    u8,
    bool,
    u32,
    bool,
    bool,
    u32,
    u32,
);

fn key(m: &Member) -> Key<'_> {
    (
        std::cmp::Reverse(m.role),
        m.up,
        m.term,
        ByShape(&m.log),
        m.commit,
        m.synced,
        m.vote.is_some(),
        m.votes.count_ones(),
        m.lapsed,
        m.absent,
        m.config.voters.count_ones(),
        m.config.learners.count_ones(),
    )
}

/// A log ordered by [`Log::cmp_shape`].
struct ByShape<'a>(&'a Log);

impl PartialEq for ByShape<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for ByShape<'_> {}

impl PartialOrd for ByShape<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ByShape<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp_shape(other.0)
    }
}
