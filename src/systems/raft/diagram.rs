//! States and steps drawn and written out: the SVG picture, member and log text, and the
//! sequence-diagram events of a step.

use super::actions::{Action, Ballot};
use super::state::{Change, Entry, Id, Member, Network, RaftState, Role};
use super::{name, Raft};
use crate::systems::Event;

pub(super) fn members_of(set: u8, n: u8) -> String {
    let names: Vec<String> = (0..n).filter(|m| set >> m & 1 == 1).map(name).collect();
    format!("{{{}}}", names.join(", "))
}

/// An SVG of one state: a box per member (name, role, term, log, commit), grouped by the side of
/// the network split it is on.
pub(super) fn picture(s: &RaftState) -> String {
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

pub(super) fn log_text(log: &[Entry]) -> String {
    let entries: Vec<String> = log
        .iter()
        .map(|e| match (e.write_id(), e.conf_change()) {
            (Some(w), _) => format!("t{}:w{w}", e.term),
            (None, Some(Change::AddVoter(id))) => format!("t{}:+{}", e.term, name(id)),
            (None, Some(Change::AddLearner(id))) => format!("t{}:+{}(learner)", e.term, name(id)),
            (None, Some(Change::Promote(id))) => format!("t{}:^{}", e.term, name(id)),
            (None, Some(Change::Remove(id))) => format!("t{}:-{}", e.term, name(id)),
            (None, None) => format!("t{}", e.term),
        })
        .collect();
    format!("[{}]", entries.join(" "))
}

/// A configuration change in etcdctl's words.
pub(super) fn change_text(change: Change) -> String {
    match change {
        Change::AddVoter(id) => format!("member add {}", name(id)),
        Change::AddLearner(id) => format!("member add {} --learner", name(id)),
        Change::Promote(id) => format!("member promote {}", name(id)),
        Change::Remove(id) => format!("member remove {}", name(id)),
    }
}

/// A role as traces write it, in lower case as etcd's logs do ("became leader").
pub(super) fn role_word(role: Role) -> &'static str {
    match role {
        Role::Follower => "follower",
        Role::PreCandidate => "pre-candidate",
        Role::Candidate => "candidate",
        Role::Leader => "leader",
    }
}

/// "1 vote", "2 votes".
pub(super) fn votes(n: usize) -> String {
    format!("{n} vote{}", if n == 1 { "" } else { "s" })
}

pub(super) fn member_summary(id: Id, m: &Member) -> String {
    if m.absent {
        return format!("{} not a member", name(id));
    }
    let role = if m.up { role_word(m.role) } else { "down" };
    format!(
        "{} {role} term {} log {} commit {}",
        name(id),
        m.term,
        log_text(&m.log),
        m.commit
    )
}

impl Raft {
    /// The body of `System::events`: a step as sequence-diagram events.
    pub(super) fn sequence_events(
        &self,
        a: &RaftState,
        action: &Action,
        b: &RaftState,
    ) -> Vec<Event> {
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
            Action::Timeout(i) | Action::Pause(i) => {
                told |= 1 << i;
                if matches!(action, Action::Pause(_)) {
                    out.push(note(
                        vec![name(i)],
                        "pauses (GC, slow disk): misses its leader's heartbeats".to_string(),
                    ));
                }
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
                    Ballot::HearsLeader if pre => "refused: still hears its leader".to_string(),
                    Ballot::HearsLeader => "ignored: still hears its leader (in lease)".to_string(),
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
            Action::Crash(i) => {
                out.push(note(vec![name(i)], self.what_a_crash_keeps().to_string()))
            }
            Action::CrashLosesUnsynced(i, _) => out.push(note(
                vec![name(i)],
                super::lost_unsynced(&a.members[i as usize], &b.members[i as usize]),
            )),
            Action::Restart(i) => out.push(note(vec![name(i)], "restarts as follower".to_string())),
            Action::Partition(side) => out.push(note(
                Vec::new(),
                format!(
                    "network splits {} | {}",
                    members_of(side, self.slots),
                    members_of(self.all() & !side, self.slots)
                ),
            )),
            Action::Heal => out.push(note(Vec::new(), "network heals".to_string())),
            Action::FailLink(x, y) => out.push(note(
                vec![name(x), name(y)],
                format!("link {}–{} fails", name(x), name(y)),
            )),
            Action::Read(i) => {
                out.push(message(
                    "Client".to_string(),
                    name(i),
                    "read".to_string(),
                    false,
                ));
                if b.stale_read != a.stale_read {
                    out.push(message(
                        name(i),
                        "Client".to_string(),
                        format!("a state without w{}", b.stale_read),
                        true,
                    ));
                }
            }
            // A message is drawn when it arrives; its sending, loss or duplication is a note.
            Action::Send(m) => out.push(note(
                vec![name(m.from())],
                format!("sends {} to {}", m.content(), name(m.to())),
            )),
            Action::Deliver(m) => out.push(message(
                name(m.from()),
                name(m.to()),
                m.content(),
                m.is_response(),
            )),
            Action::Lose(m) => {
                out.push(note(Vec::new(), format!("the network loses {}", m.words())))
            }
            Action::Duplicate(m) => out.push(note(
                Vec::new(),
                format!("the network duplicates {}", m.words()),
            )),
            Action::MemberAdd(l, x)
            | Action::LearnerAdd(l, x)
            | Action::Promote(l, x)
            | Action::MemberRemove(l, x) => {
                let change = match *action {
                    Action::MemberAdd(..) => Change::AddVoter(x),
                    Action::LearnerAdd(..) => Change::AddLearner(x),
                    Action::Promote(..) => Change::Promote(x),
                    _ => Change::Remove(x),
                };
                out.push(message(
                    "Operator".to_string(),
                    name(l),
                    format!("etcdctl {}", change_text(change)),
                    false,
                ));
            }
            Action::StartMember(x) => out.push(message(
                "Operator".to_string(),
                name(x),
                "start etcd (--initial-cluster-state existing)".to_string(),
                false,
            )),
            Action::ForceNewCluster(i) => out.push(message(
                "Operator".to_string(),
                name(i),
                "etcd --force-new-cluster".to_string(),
                false,
            )),
            Action::SnapshotSave(i) => out.push(message(
                "Operator".to_string(),
                name(i),
                "etcdctl snapshot save".to_string(),
                false,
            )),
            Action::SnapshotRestore(i) => out.push(message(
                "Operator".to_string(),
                name(i),
                "etcdutl snapshot restore".to_string(),
                false,
            )),
            Action::Canvass(c) => out.push(note(
                vec![name(c)],
                "asks every voter it reaches for its vote".to_string(),
            )),
            Action::Replicate(l) => out.push(note(
                vec![name(l)],
                "replicates its log to every member it reaches".to_string(),
            )),
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
