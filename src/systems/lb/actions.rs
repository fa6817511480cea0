//! The steps of the load-balancer model: faults and repairs, the free choices they open, due
//! checks and requests, the VIP's move, and time jumping to the next event.

use arrayvec::ArrayVec;
use stateright::Model;

use super::state::{
    Backend, Balancer, Check, Clock, Failed, Health, LbState, Measured, Why, FOREVER, PENDING,
};
use super::Lb;
use crate::systems::lb::scenario::{CheckType, Frontend};

/// Something a fault or a repair hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Server(u8),
    Balancer(u8),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Crash(Target),
    Hang(u8),
    Restart(Target),
    /// A hung server answers again.
    Unhang(u8),
    /// Where a fault or a repair lands in the cycles it made matter: each `(balancer, server,
    /// ticks)` says that balancer's next check of that server comes `ticks` later, and `clock`
    /// that the client's next request comes `ticks` later with round robin at server `rr`. One
    /// step sets every waiting timer, so the choice does not depend on the servers' names.
    Choose {
        checks: Vec<(u8, u8, u16)>,
        clock: Option<(u16, u8)>,
    },
    /// A balancer's due check of a server runs (or, in flight, times out).
    Check {
        balancer: u8,
        server: u8,
    },
    /// The client sends a request.
    Request,
    /// A standby claims the VIP.
    TakeOver(u8),
    /// Cluster model: the network cuts these masters (a bit set) off from the others.
    Split(u8),
    /// The partition heals.
    Reunite,
    /// Time passes to the next event.
    Advance(u16),
}

impl Lb {
    /// HAProxy's full health: `rise + fall − 1`.
    pub fn full(&self) -> u8 {
        self.rise + self.fall - 1
    }

    /// Whether a balancer's check marks its server up. With nginx's passive checks: the server
    /// is not serving out its `fail_timeout`.
    pub fn marked_up(&self, c: &Check) -> bool {
        if self.passive.is_some() {
            return c.next.is_none();
        }
        c.health >= self.rise
    }

    /// Whether a check of a server passes: a hung server accepts the TCP connection, so a TCP
    /// check passes; an HTTP check waits for an answer that never comes. `/readyz` also fails
    /// when the server's etcd member has no quorum (cluster model).
    pub fn passes(&self, s: &LbState, b: usize) -> bool {
        match s.backends[b].health {
            Health::Up => self.check == CheckType::Tcp || self.ready(s, b),
            Health::Crashed => false,
            Health::Hung => self.check == CheckType::Tcp,
        }
    }

    /// Whether a server's etcd member can serve a quorum read or commit a write: it is up and
    /// its side of the network holds a quorum of live members. Always, in the load-balancer
    /// model, which has no etcd.
    pub fn ready(&self, s: &LbState, b: usize) -> bool {
        if !self.etcd {
            return true;
        }
        let bit = 1u8 << b;
        let side = if s.split & bit != 0 {
            s.split
        } else {
            !s.split & self.all()
        };
        let live = (0..self.masters as usize)
            .filter(|&m| side & (1 << m) != 0 && s.backends[m].health != Health::Crashed)
            .count();
        s.backends[b].health != Health::Crashed && live > self.masters as usize / 2
    }

    /// Every master, as a bit set.
    pub fn all(&self) -> u8 {
        ((1u16 << self.masters) - 1) as u8
    }

    /// Whether a server answers a request: its API server is up and, in the cluster model,
    /// its etcd member has a quorum.
    pub fn serves(&self, s: &LbState, b: usize) -> bool {
        s.backends[b].health == Health::Up && self.ready(s, b)
    }

    /// HAProxy's `srv_getinter`: `inter` at full health, `downinter` when down with no
    /// success yet, `fastinter` in between.
    pub fn interval(&self, c: &Check) -> u16 {
        if c.health == self.full() {
            self.inter
        } else if c.health == 0 {
            self.downinter
        } else {
            self.fastinter
        }
    }

    /// A check that nothing it does can change: a passing server at full health, a failing one
    /// at 0 with no check waiting.
    fn steady(&self, c: &Check, passes: bool) -> bool {
        !c.in_flight
            && if passes {
                c.health == self.full()
            } else {
                c.health == 0
            }
    }

    /// Whether a balancer's view can matter: it serves, or it may claim the VIP.
    fn relevant(&self, s: &LbState, i: usize) -> bool {
        s.balancers[i].up
            && (s.holder == Some(i as u8)
                || (self.frontend == Frontend::Vip
                    && (s.takeover.is_some() || s.lb_crashes < self.lb_crash)))
    }

    /// A check's view of its server at the start: healthy and at full health.
    fn fresh(&self) -> ArrayVec<Check, 7> {
        (0..self.masters)
            .map(|_| Check {
                health: if self.passive.is_some() {
                    0
                } else {
                    self.full()
                },
                next: None,
                in_flight: false,
            })
            .collect()
    }

    pub fn initial(&self) -> LbState {
        let balancers = (0..self.balancers)
            .map(|_| Balancer {
                up: true,
                checks: self.fresh(),
            })
            .collect();
        let mut s = LbState {
            backends: (0..self.masters)
                .map(|_| Backend {
                    health: Health::Up,
                    since: None,
                    detected: false,
                    held: None,
                })
                .collect(),
            balancers,
            holder: (self.balancers > 0).then_some(0),
            takeover: None,
            crashes: 0,
            hangs: 0,
            lb_crashes: 0,
            split: 0,
            split_used: false,
            clock: None,
            failed: 0,
            last: None,
            measured: None,
        };
        self.settle(&mut s);
        s
    }

    /// Whether a request could fail now: the client's requests need a clock.
    fn exposed(&self, s: &LbState) -> bool {
        if self.frontend == Frontend::None {
            return !self.serves(s, 0);
        }
        let Some(b) = s.serving() else {
            return true;
        };
        // nginx's failed-attempt counts change with answered requests too (an answer resets
        // one): the requests matter while a count is not zero.
        if self.passive.is_some() && b.checks.iter().any(|c| c.health > 0) {
            return true;
        }
        let mut any = false;
        for (server, c) in b.checks.iter().enumerate() {
            if self.marked_up(c) {
                any = true;
                if !self.serves(s, server) {
                    return true;
                }
            }
        }
        !any
    }

    /// Restores what every state keeps true: irrelevant views dropped, steady checks untimed,
    /// changed ones waiting for their phase, and the clock present exactly while a request
    /// could fail.
    fn settle(&self, s: &mut LbState) {
        for i in 0..s.balancers.len() {
            if !self.relevant(s, i) {
                if s.balancers[i].up {
                    s.balancers[i].checks.clear();
                }
                continue;
            }
            if self.passive.is_some() {
                // No active checks: only `fail_timeout` runs, set when a server is taken out.
                continue;
            }
            for b in 0..s.backends.len() {
                let steady = self.steady(&s.balancers[i].checks[b], self.passes(s, b));
                let c = &mut s.balancers[i].checks[b];
                if steady {
                    c.next = None;
                } else if c.next.is_none() {
                    c.next = Some(PENDING);
                }
            }
        }
        if s.failed != FOREVER && self.exposed(s) {
            if s.clock.is_none() {
                s.clock = Some(Clock {
                    next: PENDING,
                    rr: 0,
                });
            }
        } else {
            s.clock = None;
            if s.failed != FOREVER {
                s.failed = 0;
            }
        }
        // A server's load counts only while the serving balancer may pick it: a crashed
        // server's connections are reset, one that answers again answers them, and a balancer
        // counts only its own (a new holder of the VIP, or a restarted HAProxy, has none).
        // The load is followed while the request clock runs: the next `Advance` past `timeout
        // server` ends it before the next request reads it. When the clock stops (requests to
        // the hung server fail for ever), the open connection is forgotten: when a new fault
        // restarts the clock, after a time no state records, it counts as closed.
        for b in 0..s.backends.len() {
            if s.backends[b].health != Health::Hung
                || !self.serving_marks_up(s, b)
                || s.clock.is_none()
            {
                s.backends[b].held = None;
            }
        }
    }

    /// Applies a check's result to HAProxy's health counter; returns the server's new marking
    /// when it changes (true: marked up).
    pub(super) fn result(&self, c: &mut Check, ok: bool) -> Option<bool> {
        let was_up = self.marked_up(c);
        if ok {
            if c.health < self.full() {
                c.health += 1;
                if c.health >= self.rise {
                    c.health = self.full();
                }
            }
        } else if c.health > self.rise {
            c.health -= 1;
        } else {
            c.health = 0;
        }
        c.next = Some(self.interval(c));
        let now_up = self.marked_up(c);
        (was_up != now_up).then_some(now_up)
    }

    /// The serving balancer changed its marking of a server.
    fn marked(&self, s: &mut LbState, i: u8, server: usize, up: bool) {
        if s.holder != Some(i) {
            return;
        }
        let serves = self.serves(s, server);
        let b = &mut s.backends[server];
        if !up && !serves {
            b.detected = true;
            if let Some(t) = b.since.take() {
                s.measured = Some(Measured::Down {
                    after: t,
                    failed: s.failed,
                });
            }
        } else if up && serves {
            if let Some(t) = b.since.take() {
                s.measured = Some(Measured::Up { after: t });
            }
        }
    }

    /// Whether the serving balancer has a server marked up.
    fn serving_marks_up(&self, s: &LbState, server: usize) -> bool {
        s.serving()
            .is_some_and(|b| b.checks.get(server).is_some_and(|c| self.marked_up(c)))
    }

    /// After a fault or a repair: a server that stopped answering while the serving balancer
    /// marks it up is a failure to detect (the clock of `down-detection-time` starts, or, if
    /// its checks cannot see it, it is undetectable); one that answers again while marked down
    /// is a recovery to detect. Either way what the front end knew of it is old news.
    fn watch(&self, before: &LbState, s: &mut LbState) {
        for b in 0..s.backends.len() {
            let (was, is) = (self.serves(before, b), self.serves(s, b));
            if was == is {
                continue;
            }
            s.backends[b].detected = false;
            let marked_up = self.serving_marks_up(s, b);
            // nginx never marks a server up (it tries it again after `fail_timeout`): no
            // recovery to time.
            let watched =
                s.serving().is_some() && marked_up == was && (was || self.passive.is_none());
            s.backends[b].since = None;
            if !watched {
                continue;
            }
            let unseen = match self.passive {
                // Passive checks see only refused connections.
                Some(_) => s.backends[b].health != Health::Crashed,
                None => self.passes(s, b),
            };
            if !is && unseen {
                s.measured = Some(Measured::Undetectable);
            } else {
                s.backends[b].since = Some(0);
            }
        }
    }

    /// A new fault: failures are counted afresh from here.
    fn fault(&self, s: &mut LbState) {
        s.failed = 0;
    }

    /// nginx sends the request: round robin over the servers not serving out a
    /// `fail_timeout`; a refused connection counts against its server (`max_fails` of them take
    /// it out for `fail_timeout`) and the request goes to the next server
    /// (`proxy_next_upstream`), until one accepts. An accepted connection is never retried.
    fn route_passive(&self, s: &mut LbState) -> Option<Failed> {
        let n = self.masters as usize;
        let (max_fails, fail_timeout) = self.passive.expect("passive checks");
        let Some(h) = s.holder else {
            return Some(Failed {
                to: None,
                redispatched: None,
                why: Why::NoBalancer,
            });
        };
        let h = h as usize;
        let mut refused: Option<usize> = None;
        // The first refusing server the front end had already taken out before this request.
        let mut again: Option<usize> = None;
        let mut tried = 0u8;
        loop {
            let rr = s.clock.as_ref().expect("requests run on the clock").rr as usize;
            let pick = (0..n)
                .map(|k| (rr + k) % n)
                .find(|&j| self.marked_up(&s.balancers[h].checks[j]) && tried & (1 << j) == 0);
            let Some(pick) = pick else {
                return Some(Failed {
                    to: refused.map(|r| r as u8),
                    redispatched: None,
                    why: if refused.is_some() {
                        Why::Refused
                    } else {
                        Why::NoServer
                    },
                });
            };
            tried |= 1 << pick;
            if let Some(c) = s.clock.as_mut() {
                c.rr = ((pick + 1) % n) as u8;
            }
            let failed = |why| {
                Some(Failed {
                    to: Some(refused.unwrap_or(pick) as u8),
                    redispatched: refused.map(|_| pick as u8),
                    why,
                })
            };
            match s.backends[pick].health {
                Health::Up if self.ready(s, pick) => {
                    s.balancers[h].checks[pick].health = 0;
                    // Answered after a refusal: record the refused server when the front end
                    // had already taken it out (nginx's trial after `fail_timeout`).
                    return again.map(|r| Failed {
                        to: Some(r as u8),
                        redispatched: Some(pick as u8),
                        why: Why::Retried,
                    });
                }
                Health::Up => return failed(Why::NoQuorum),
                Health::Hung => return failed(Why::NoAnswer),
                Health::Crashed => {
                    if s.backends[pick].detected {
                        again = again.or(Some(pick));
                    }
                    let c = &mut s.balancers[h].checks[pick];
                    c.health = (c.health + 1).min(max_fails);
                    if c.health >= max_fails {
                        c.next = Some(fail_timeout);
                        self.marked(s, h as u8, pick, false);
                    }
                    refused = refused.or(Some(pick));
                }
            }
        }
    }

    /// Sends the client's request: `None` when it is answered.
    fn route(&self, s: &mut LbState) -> Option<Failed> {
        if self.passive.is_some() {
            return self.route_passive(s);
        }
        let n = self.masters as usize;
        if self.frontend == Frontend::None {
            return match s.backends[0].health {
                Health::Up if self.ready(s, 0) => None,
                Health::Up => Some(Failed {
                    to: Some(0),
                    redispatched: None,
                    why: Why::NoQuorum,
                }),
                _ => Some(Failed {
                    to: Some(0),
                    redispatched: None,
                    why: Why::Pinned,
                }),
            };
        }
        let Some(b) = s.serving() else {
            return Some(Failed {
                to: None,
                redispatched: None,
                why: Why::NoBalancer,
            });
        };
        let mut up = 0u8;
        for (j, c) in b.checks.iter().enumerate() {
            if self.marked_up(c) {
                up |= 1 << j;
            }
        }
        let busy = s
            .backends
            .iter()
            .enumerate()
            .fold(0u8, |m, (j, b)| m | (u8::from(b.held.is_some()) << j));
        let rr = s.clock.as_ref().expect("requests run on the clock").rr as usize;
        let Some(pick) = self.pick(up, busy, rr, None) else {
            return Some(Failed {
                to: None,
                redispatched: None,
                why: Why::NoServer,
            });
        };
        let answered = |s: &mut LbState, b: usize| match s.backends[b].health {
            Health::Up => self.ready(s, b),
            Health::Hung => {
                // The connection stays open, counted against the server, until `timeout server`.
                if let Some(t) = self.leastconn {
                    s.backends[b].held = Some(t);
                }
                false
            }
            Health::Crashed => false,
        };
        let failed = |to: usize, redispatched: Option<usize>, h: Health| Failed {
            to: Some(to as u8),
            redispatched: redispatched.map(|r| r as u8),
            why: match h {
                Health::Hung => Why::NoAnswer,
                Health::Crashed => Why::Refused,
                // The API server answers, with an error: etcd cannot commit or read.
                Health::Up => Why::NoQuorum,
            },
        };
        let set_rr = |s: &mut LbState, b: usize| {
            s.clock.as_mut().expect("requests run on the clock").rr = ((b + 1) % n) as u8;
        };
        set_rr(s, pick);
        let health = s.backends[pick].health;
        if answered(s, pick) {
            return None;
        }
        match health {
            // The connection was accepted: HAProxy retries only failed connections.
            Health::Up | Health::Hung => Some(failed(pick, None, health)),
            // Refused: `retries` more attempts; with `option redispatch` the last one goes to
            // another server (HAProxy's default `redispatch -1`), else all to this one.
            Health::Crashed if self.retries > 0 && self.redispatch => {
                match self.pick(up, busy, (pick + 1) % n, Some(pick)) {
                    Some(q) => {
                        set_rr(s, q);
                        let h = s.backends[q].health;
                        (!answered(s, q)).then(|| failed(pick, Some(q), h))
                    }
                    None => Some(failed(pick, None, Health::Crashed)),
                }
            }
            Health::Crashed => Some(failed(pick, None, Health::Crashed)),
        }
    }

    /// The server HAProxy picks among those marked up (a bit set), from round-robin position
    /// `from`, never `skip`: the first in turn, or with `balance leastconn` the first in turn
    /// of the least loaded. Requests to working servers end at once, so a server's load is
    /// above an idle one's exactly while it holds a hung connection (`busy`). kcheck keeps no
    /// count above that: when every candidate is busy, each is hung and the request fails
    /// whichever gets it.
    fn pick(&self, up: u8, busy: u8, from: usize, skip: Option<usize>) -> Option<usize> {
        let n = self.masters as usize;
        let mut order = (0..n)
            .map(|k| (from + k) % n)
            .filter(|&j| up & (1 << j) != 0 && Some(j) != skip);
        if self.leastconn.is_some() {
            let first = order.clone().next();
            order.find(|&j| busy & (1 << j) == 0).or(first)
        } else {
            order.next()
        }
    }

    /// Whether failures like this one end without a repair: a check will mark the server
    /// down, or a standby will claim the VIP.
    fn ends(&self, s: &LbState, f: &Failed) -> bool {
        match f.why {
            Why::Pinned => false,
            Why::NoBalancer => s.takeover.is_some(),
            Why::NoServer => (0..s.backends.len()).any(|b| self.serves(s, b)),
            Why::Refused => true,
            // Only /readyz sees a hung server or one whose etcd has no quorum.
            Why::NoAnswer | Why::NoQuorum => {
                self.passive.is_none() && self.check == CheckType::Http
            }
            Why::Retried => true,
        }
    }

    fn timers(s: &LbState) -> impl Iterator<Item = u16> + '_ {
        s.balancers
            .iter()
            .flat_map(|b| b.checks.iter().filter_map(|c| c.next))
            .chain(s.clock.map(|c| c.next))
            .chain(s.takeover)
    }

    /// Every way to set the timers that wait for their value.
    fn choices(&self, s: &LbState, actions: &mut Vec<Action>) {
        let mut options: Vec<Vec<(u8, u8, u16)>> = vec![Vec::new()];
        for (i, b) in s.balancers.iter().enumerate() {
            for (server, c) in b.checks.iter().enumerate() {
                if c.next == Some(PENDING) {
                    let bound = if c.in_flight {
                        self.check_timeout
                    } else {
                        self.interval(c)
                    };
                    options = options
                        .into_iter()
                        .flat_map(|picked| {
                            (0..=bound).map(move |ticks| {
                                let mut p = picked.clone();
                                p.push((i as u8, server as u8, ticks));
                                p
                            })
                        })
                        .collect();
                }
            }
        }
        let clocks: Vec<Option<(u16, u8)>> = if s.clock.is_some_and(|c| c.next == PENDING) {
            let servers = if self.frontend == Frontend::None {
                1
            } else {
                self.masters
            };
            (0..=self.request_every)
                .flat_map(|ticks| (0..servers).map(move |rr| Some((ticks, rr))))
                .collect()
        } else {
            vec![None]
        };
        for checks in &options {
            for &clock in &clocks {
                actions.push(Action::Choose {
                    checks: checks.clone(),
                    clock,
                });
            }
        }
    }
}

impl Model for Lb {
    type State = LbState;
    type Action = Action;

    fn init_states(&self) -> Vec<LbState> {
        vec![self.initial()]
    }

    fn actions(&self, s: &LbState, actions: &mut Vec<Action>) {
        if s.choosing() {
            self.choices(s, actions);
            return;
        }
        let mut due = false;
        for (i, b) in s.balancers.iter().enumerate() {
            for (server, c) in b.checks.iter().enumerate() {
                if c.next == Some(0) {
                    due = true;
                    actions.push(Action::Check {
                        balancer: i as u8,
                        server: server as u8,
                    });
                }
            }
        }
        if s.clock.is_some_and(|c| c.next == 0) {
            due = true;
            actions.push(Action::Request);
        }
        if s.takeover == Some(0) {
            due = true;
            for (i, b) in s.balancers.iter().enumerate() {
                if b.up {
                    actions.push(Action::TakeOver(i as u8));
                }
            }
        }
        for (i, b) in s.backends.iter().enumerate() {
            let i = i as u8;
            match b.health {
                Health::Up => {
                    if s.crashes < self.crash {
                        actions.push(Action::Crash(Target::Server(i)));
                    }
                    if s.hangs < self.hang {
                        actions.push(Action::Hang(i));
                    }
                }
                Health::Crashed if self.heal => actions.push(Action::Restart(Target::Server(i))),
                Health::Hung if self.heal => actions.push(Action::Unhang(i)),
                _ => {}
            }
        }
        for (i, b) in s.balancers.iter().enumerate() {
            let i = i as u8;
            if b.up && s.lb_crashes < self.lb_crash {
                actions.push(Action::Crash(Target::Balancer(i)));
            } else if !b.up && self.heal {
                actions.push(Action::Restart(Target::Balancer(i)));
            }
        }
        if self.partition && !s.split_used {
            // Each way to split the masters in two, named by the side without m1.
            for mask in 1..self.all() {
                if mask & 1 == 0 {
                    actions.push(Action::Split(mask));
                }
            }
        }
        if self.heal && s.split != 0 {
            actions.push(Action::Reunite);
        }
        if !due {
            if let Some(delta) = Self::timers(s).min() {
                actions.push(Action::Advance(delta));
            }
        }
    }

    fn next_state(&self, before: &LbState, action: Action) -> Option<LbState> {
        let mut s = before.clone();
        s.last = None;
        s.measured = None;
        match action {
            Action::Crash(Target::Server(b)) => {
                self.fault(&mut s);
                s.backends[b as usize].health = Health::Crashed;
                s.crashes += 1;
            }
            Action::Hang(b) => {
                self.fault(&mut s);
                s.backends[b as usize].health = Health::Hung;
                s.hangs += 1;
            }
            Action::Crash(Target::Balancer(i)) => {
                self.fault(&mut s);
                s.lb_crashes += 1;
                let lb = &mut s.balancers[i as usize];
                lb.up = false;
                lb.checks.clear();
                if s.holder == Some(i) {
                    s.holder = None;
                    if s.balancers.iter().any(|b| b.up) {
                        s.takeover = Some(self.vip_failover);
                    } else {
                        // Nothing serves until a restart: detection times lose their meaning.
                        for b in &mut s.backends {
                            b.since = None;
                        }
                    }
                }
            }
            Action::Restart(Target::Server(b)) => {
                s.backends[b as usize].health = Health::Up;
            }
            Action::Unhang(b) => {
                let b = b as usize;
                s.backends[b].health = Health::Up;
                self.watch(before, &mut s);
                // A check waiting on the hung server gets its answer now.
                let passes = self.passes(&s, b);
                for i in 0..s.balancers.len() {
                    let Some(c) = s.balancers[i].checks.get_mut(b) else {
                        continue;
                    };
                    if c.in_flight {
                        c.in_flight = false;
                        if let Some(up) = self.result(c, passes) {
                            self.marked(&mut s, i as u8, b, up);
                        }
                    }
                }
            }
            Action::Restart(Target::Balancer(i)) => {
                // HAProxy starts every server at `rise` (up, one failed check from down).
                // A healthy server's first check is taken to pass before it can fail.
                let checks = s
                    .backends
                    .iter()
                    .map(|b| Check {
                        health: if b.health == Health::Up {
                            self.full()
                        } else {
                            self.rise
                        },
                        next: None,
                        in_flight: false,
                    })
                    .collect();
                s.balancers[i as usize] = Balancer { up: true, checks };
                if s.holder.is_none() && s.takeover.is_none() {
                    match self.frontend {
                        Frontend::Vip => s.takeover = Some(self.vip_failover),
                        _ => s.holder = Some(i),
                    }
                }
            }
            Action::Choose { checks, clock } => {
                for (i, server, ticks) in checks {
                    s.balancers[i as usize].checks[server as usize].next = Some(ticks);
                }
                if let Some((ticks, rr)) = clock {
                    s.clock = Some(Clock { next: ticks, rr });
                }
                return Some(s);
            }
            Action::Check { balancer, server } if self.passive.is_some() => {
                // `fail_timeout` is over: nginx tries the server again with the next request.
                s.balancers[balancer as usize].checks[server as usize].next = None;
            }
            Action::Check { balancer, server } => {
                let (i, b) = (balancer as usize, server as usize);
                let health = s.backends[b].health;
                let passes = self.passes(&s, b);
                let c = &mut s.balancers[i].checks[b];
                let change = if c.in_flight {
                    c.in_flight = false;
                    self.result(c, false)
                } else if health == Health::Hung && self.check == CheckType::Http {
                    c.in_flight = true;
                    c.next = Some(self.check_timeout);
                    None
                } else {
                    self.result(c, passes)
                };
                if let Some(up) = change {
                    self.marked(&mut s, balancer, b, up);
                }
            }
            Action::Request => {
                let failed = self.route(&mut s);
                if let Some(c) = s.clock.as_mut() {
                    c.next = self.request_every;
                }
                if let Some(f) = failed {
                    s.last = Some(f);
                    if f.why == Why::Retried {
                        // Answered: nothing failed.
                    } else if self.ends(&s, &f) {
                        s.failed = s.failed.saturating_add(1).min(FOREVER - 1);
                    } else {
                        s.failed = FOREVER;
                        s.measured = Some(Measured::Forever);
                    }
                }
            }
            Action::TakeOver(i) => {
                s.holder = Some(i);
                s.takeover = None;
                s.measured = Some(Measured::TookOver { failed: s.failed });
                // The new holder's view decides now: a server it has marked down is detected.
                // A working server it already has up needs no detection either.
                for b in 0..s.backends.len() {
                    let (serves, up) = (self.serves(&s, b), self.serving_marks_up(&s, b));
                    if !serves && !up {
                        s.backends[b].detected = true;
                        s.backends[b].since = None;
                    } else if serves && up {
                        s.backends[b].since = None;
                    }
                }
            }
            Action::Split(mask) => {
                self.fault(&mut s);
                s.split = mask;
                s.split_used = true;
            }
            Action::Reunite => s.split = 0,
            Action::Advance(delta) => {
                for b in &mut s.balancers {
                    for c in &mut b.checks {
                        if let Some(t) = c.next.as_mut() {
                            *t -= delta;
                        }
                    }
                }
                if let Some(c) = s.clock.as_mut() {
                    c.next -= delta;
                }
                if let Some(t) = s.takeover.as_mut() {
                    *t -= delta;
                }
                for b in &mut s.backends {
                    if let Some(t) = b.since.as_mut() {
                        *t = t.saturating_add(delta).min(PENDING - 1);
                    }
                    // `timeout server` closes the hung connection: the server is idle again.
                    b.held = b.held.and_then(|t| t.checked_sub(delta).filter(|&t| t > 0));
                }
            }
        }
        if matches!(
            action,
            Action::Crash(Target::Server(_))
                | Action::Hang(_)
                | Action::Restart(Target::Server(_))
                | Action::Split(_)
                | Action::Reunite
        ) {
            self.watch(before, &mut s);
        }
        self.settle(&mut s);
        Some(s)
    }

    fn format_action(&self, action: &Action) -> String {
        crate::systems::System::describe(self, action)
    }

    fn format_step(&self, last: &LbState, action: Action) -> Option<String> {
        self.next_state(last, action)
            .map(|next| crate::systems::System::changes(self, last, &next).join("\n"))
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        super::properties::stateright_invariants()
    }
}
