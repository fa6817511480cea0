//! # The API servers behind a load balancer
//!
//! Every master runs an API server; clients reach them through a front end. This model answers
//! the seed document's "load balancer vs leader election" chapter: how long after an API server
//! dies the balancer stops sending it requests, how many requests fail in that window, and what
//! happens when the balancer itself fails.
//!
//! ## What is modelled, and how faithfully
//! - **API servers** (`--masters N`) are up, crashed (the connection is refused at once) or hung
//!   (the kernel accepts the connection, nothing answers). `--crash K` crashes API servers,
//!   `--hang K` hangs them, `--lb-crash K` crashes balancer instances, and `--heal` restarts
//!   and unhangs whatever failed.
//! - **HAProxy's active checks**, as its configuration manual defines them: the health counter
//!   `check->health` from 0 to `rise + fall − 1`, up at `rise` or more; a success raises it (to
//!   full once it reaches `rise`), a failure lowers it (to 0 once it is at `rise`), so `fall`
//!   consecutive failures mark a server down and `rise` consecutive successes mark it up. The
//!   next check comes `inter` after the last one ended at full health, `downinter` when down
//!   with no success yet, `fastinter` in between (`srv_getinter`).
//! - **Check types**: `tcp` passes once the connection is accepted, so a hung API server passes
//!   it; `http` (`GET /readyz`, 200 expected) waits for an answer, `timeout check` if set, else
//!   `inter` (HAProxy's rule), and fails when none comes.
//! - **Routing**: `balance roundrobin` over the servers the serving balancer marks up; a refused
//!   connection is retried `retries` times, to the same server unless `option redispatch`, which
//!   sends the last retry to another one. A request a hung server accepted is not retried
//!   (HAProxy's `retry-on` default, `conn-failure`).
//! - **`balance leastconn`** picks the server with the fewest open connections, in turn among
//!   equals. A working server's requests end at once; a hung server holds each connection it
//!   accepted until `timeout server`, so it gets one request per `timeout server`. The state
//!   keeps whether a server holds one (`held`, with its timeout), not how many: the count matters
//!   only when every candidate holds one, and then each is hung and the request fails whichever
//!   it reaches. Each balancer counts its own connections, so `held` is dropped when the serving
//!   balancer changes; and it is dropped when requests stop being followed (they fail for ever),
//!   a later fault finding the connection closed.
//! - **Front ends** (`--frontend`): `none`, every client pinned to master 1 (a kubeconfig naming
//!   one master); `single`, one HAProxy; `vip`, 2 or 3 HAProxy instances, each checking every
//!   server, one holding the VIP, a standby claiming it `vip-failover` after the holder fails
//!   (keepalived's or kube-vip's failover delay).
//! - **Requests** come at `--request-rate` per second; each is a new `kubectl` call, a new
//!   connection, balanced on its own.
//!
//! ## Time
//! Discrete, in ticks of `--tick` (10 ms by default); every duration is a whole number of
//! ticks. Time jumps from one event (a check, a timeout, a request, the VIP's move) to the next,
//! and only timers that can change something are kept: a check of a healthy server at full
//! health, or of a failed one at 0, has no phase in the state. When a fault or a repair makes
//! such a check matter again, the next steps choose its phase freely (from 0 to the interval):
//! the failure may land anywhere in the check cycle, the exact range of behaviours. The client's
//! requests get a clock only while one could fail, its phase and the round-robin position again
//! chosen freely. A fault happens at an event instant or at the fault's own chosen phase, which
//! covers every order of events.
//!
//! - **nginx** (`--lb nginx`): no active checks; passive ones as `ngx_http_upstream_round_robin`
//!   keeps them: a refused connection counts against its server (`max_fails` of them take it out
//!   for `fail_timeout`, after which the next request tries it again), an answer resets the count,
//!   and the request goes on to the next server (`proxy_next_upstream`). An accepted connection
//!   counts as nothing, so a hung server is never taken out.
//!
//! Left out: HAProxy's other algorithms and weights, nginx's `least_conn`, HAProxy's passive
//! checks, `spread-checks`, and the time retries take. After a balancer restart, HAProxy starts
//! every server at `rise`; a healthy server's first check is taken to pass before it can fail.
//!
//! ## Bounds
//! The state space is finite: faults are bounded by `crash` and `hang`, repairs by the faults,
//! and timers by the configured durations. Every verdict is exhaustive over all behaviours.

pub mod actions;
pub mod properties;
pub mod scenario;
pub mod state;

use crate::property::Property;
use crate::systems::{Event, System};
use actions::{Action, Target};
use scenario::{CheckType, Frontend, LbScenario};
use state::{Health, LbState, Measured, PENDING};

/// The load-balancer model: the validated scenario's settings, durations in ticks.
#[derive(Clone, Debug)]
pub struct Lb {
    pub masters: u8,
    pub frontend: Frontend,
    pub balancers: u8,
    pub check: CheckType,
    pub tick_ms: u32,
    pub inter: u16,
    pub fastinter: u16,
    pub downinter: u16,
    pub check_timeout: u16,
    pub rise: u8,
    pub fall: u8,
    pub retries: u8,
    pub redispatch: bool,
    /// `balance leastconn`, with `timeout server` in ticks; `None` for round robin.
    pub leastconn: Option<u16>,
    pub request_every: u16,
    pub vip_failover: u16,
    /// nginx's passive checks: `max_fails` and `fail_timeout` (ticks); `None` for HAProxy.
    pub passive: Option<(u8, u16)>,
    pub crash: u8,
    pub hang: u8,
    pub lb_crash: u8,
    pub heal: bool,
    /// Explore one state per rotation of the servers' names (not with the client pinned to m1).
    pub symmetry: bool,
    /// Cluster model: each master's API server uses its own etcd member, which serves only
    /// with a quorum on its side of the network.
    pub etcd: bool,
    /// Cluster model: the network may split the masters once.
    pub partition: bool,
}

impl Lb {
    pub fn new(s: &LbScenario) -> Lb {
        Lb {
            masters: s.masters,
            frontend: s.frontend,
            balancers: s.balancers,
            check: s.check,
            tick_ms: s.tick_ms,
            inter: s.inter,
            fastinter: s.fastinter,
            downinter: s.downinter,
            check_timeout: s.check_timeout,
            rise: s.rise,
            fall: s.fall,
            retries: s.retries,
            redispatch: s.redispatch,
            leastconn: s.timeout_server,
            request_every: s.request_every,
            vip_failover: s.vip_failover,
            passive: s.max_fails.zip(s.fail_timeout),
            crash: s.crash,
            hang: s.hang,
            lb_crash: s.lb_crash,
            heal: s.heal,
            symmetry: s.symmetry && s.frontend != Frontend::None,
            etcd: s.etcd,
            partition: s.partition,
        }
    }

    /// The two sides of a partition, in words: "m1, m3 | m2".
    pub fn sides(&self, mask: u8) -> (String, String) {
        let side = |inside: bool| {
            (0..self.masters)
                .filter(|&b| (mask & (1 << b) != 0) == inside)
                .map(name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        (side(false), side(true))
    }

    fn time(&self, ticks: u16) -> String {
        scenario::Millis(u32::from(ticks) * self.tick_ms).to_string()
    }

    fn target(t: Target) -> String {
        match t {
            Target::Server(b) => name(b),
            Target::Balancer(i) => balancer(i),
        }
    }
}

/// An API server's name: its master's.
pub fn name(b: u8) -> String {
    format!("m{}", b + 1)
}

/// A balancer's name.
pub fn balancer(i: u8) -> String {
    format!("lb{}", i + 1)
}

impl System for Lb {
    type Store = crate::engine::store::Plain<<Self as stateright::Model>::State>;
    fn catalogue() -> Vec<Property<Lb>> {
        properties::catalogue::<Lb>()
    }

    fn vacuous(&self, property: &str) -> Option<&'static str> {
        properties::vacuous(self, property)
    }

    fn bounds(&self) -> String {
        format!("time in {} ms ticks", self.tick_ms)
    }

    /// No bound of this model stops a recovery: faults and repairs are the scenario's own.
    fn extended(&self) -> Self {
        self.clone()
    }

    fn recovery(&self) -> Self {
        self.clone()
    }

    fn describe(&self, action: &Action) -> String {
        match *action {
            Action::Crash(Target::Server(b)) if self.etcd => format!(
                "{} crashes: its API server refuses connections, its etcd member is gone",
                name(b)
            ),
            Action::Crash(Target::Server(b)) => {
                format!("{}'s API server crashes: connections are refused", name(b))
            }
            Action::Crash(Target::Balancer(i)) => format!("{} crashes", balancer(i)),
            Action::Hang(b) => format!(
                "{}'s API server hangs: it accepts connections and never answers",
                name(b)
            ),
            Action::Restart(t) => format!("{} restarts", Self::target(t)),
            Action::Unhang(b) => format!("{}'s API server answers again", name(b)),
            Action::Choose { ref checks, clock } => {
                let mut parts: Vec<String> = checks
                    .iter()
                    .map(|&(i, server, ticks)| {
                        format!(
                            "{}'s next check of {} comes {} later",
                            balancer(i),
                            name(server),
                            self.time(ticks)
                        )
                    })
                    .collect();
                if let Some((ticks, rr)) = clock {
                    parts.push(if self.frontend == Frontend::None {
                        format!("the client's next request comes {} later", self.time(ticks))
                    } else {
                        format!(
                            "the client's next request comes {} later, round robin at {}",
                            self.time(ticks),
                            name(rr)
                        )
                    });
                }
                parts.join("; ")
            }
            Action::Check {
                balancer: i,
                server,
            } if self.passive.is_some() => format!(
                "{}'s fail_timeout for {} runs out",
                balancer(i),
                name(server)
            ),
            Action::Check {
                balancer: i,
                server,
            } => format!("{} checks {}", balancer(i), name(server)),
            Action::Request => "the client sends a request".to_string(),
            Action::TakeOver(i) => format!("{} claims the VIP", balancer(i)),
            Action::Split(mask) => {
                let (a, b) = self.sides(mask);
                format!("the network splits the masters: {a} | {b}")
            }
            Action::Reunite => "the partition heals".to_string(),
            Action::Advance(t) => format!("{} pass", self.time(t)),
        }
    }

    fn summary(&self, s: &LbState) -> String {
        let servers: Vec<String> = s
            .backends
            .iter()
            .enumerate()
            .map(|(b, server)| {
                let mark = match s.serving() {
                    Some(lb) if self.marked_up(&lb.checks[b]) => " (UP)",
                    Some(_) => " (DOWN)",
                    None => "",
                };
                let health = format!("{:?}", server.health).to_lowercase();
                let quorum = if self.etcd && server.health != Health::Crashed && !self.ready(s, b) {
                    " without etcd quorum"
                } else {
                    ""
                };
                format!("{} {health}{mark}{quorum}", name(b as u8))
            })
            .collect();
        let front = match (self.frontend, s.holder) {
            (Frontend::None, _) => "pinned to m1".to_string(),
            (_, Some(h)) => format!("{} serves", balancer(h)),
            (_, None) => "no balancer serves".to_string(),
        };
        let split = if s.split != 0 {
            let (a, b) = self.sides(s.split);
            format!("; network split: {a} | {b}")
        } else {
            String::new()
        };
        format!("{}; {front}{split}", servers.join(", "))
    }

    fn changes(&self, before: &LbState, after: &LbState) -> Vec<String> {
        let mut out = Vec::new();
        for (i, (b0, b1)) in before.balancers.iter().zip(&after.balancers).enumerate() {
            for (server, (c0, c1)) in b0.checks.iter().zip(&b1.checks).enumerate() {
                let word = match (self.marked_up(c0), self.marked_up(c1)) {
                    (true, false) => " — marked DOWN".to_string(),
                    (false, true) => " — marked UP".to_string(),
                    _ => String::new(),
                };
                if let Some((_, fail_timeout)) = self.passive {
                    if c0.health != c1.health {
                        out.push(format!(
                            "{}: {} failed attempts {} → {}",
                            balancer(i as u8),
                            name(server as u8),
                            c0.health,
                            c1.health
                        ));
                    }
                    if c0.next != c1.next && (c0.next.is_none() || c1.next.is_none()) {
                        out.push(match c1.next {
                            Some(_) => format!(
                                "{}: {} out of rotation for {} (fail_timeout){word}",
                                balancer(i as u8),
                                name(server as u8),
                                self.time(fail_timeout)
                            ),
                            None => format!(
                                "{}: {}'s fail_timeout is over: the next request may try it",
                                balancer(i as u8),
                                name(server as u8)
                            ),
                        });
                    }
                    continue;
                }
                if c0.health != c1.health {
                    out.push(format!(
                        "{}: {} health {} → {}{word}",
                        balancer(i as u8),
                        name(server as u8),
                        c0.health,
                        c1.health
                    ));
                }
                if c1.in_flight && !c0.in_flight {
                    out.push(format!(
                        "{}: check of {} waits for an answer (timeout {})",
                        balancer(i as u8),
                        name(server as u8),
                        self.time(self.check_timeout)
                    ));
                } else if c0.in_flight
                    && !c1.in_flight
                    && after.backends[server].health != Health::Up
                {
                    out.push(format!(
                        "{}: check of {} timed out",
                        balancer(i as u8),
                        name(server as u8)
                    ));
                }
                if let (Some(t), false) = (c1.next, c1.next == c0.next || c1.next == Some(PENDING))
                {
                    if c0.next.is_none_or(|t0| t0 < t) {
                        out.push(format!(
                            "{}: next check of {} in {}",
                            balancer(i as u8),
                            name(server as u8),
                            self.time(t)
                        ));
                    }
                }
            }
        }
        for (b, (b0, b1)) in before.backends.iter().zip(&after.backends).enumerate() {
            match (b0.held, b1.held, self.leastconn) {
                (None, Some(_), Some(t)) => out.push(format!(
                    "{}'s connection stays open until timeout server ({}): leastconn sends new requests to idler servers",
                    name(b as u8),
                    self.time(t)
                )),
                (Some(_), None, _) if b1.health == Health::Hung && after.clock.is_some() => {
                    out.push(format!(
                        "{}'s open connection times out: it counts as idle again",
                        name(b as u8)
                    ))
                }
                _ => {}
            }
        }
        if before.holder != after.holder {
            match after.holder {
                Some(h) => out.push(format!("{} serves the front-end address", balancer(h))),
                None => out.push("no balancer serves the front-end address".to_string()),
            }
        }
        if let (Some(t), None) = (after.takeover, before.takeover) {
            out.push(format!("a standby claims the VIP in {}", self.time(t)));
        }
        if let Some(f) = &after.last {
            out.push(self.failure(after, f));
        }
        if after.failed != before.failed && after.failed != state::FOREVER && after.failed > 0 {
            out.push(format!("failed requests since the fault: {}", after.failed));
        }
        match after.measured {
            Some(Measured::Down { after: t, failed }) => out.push(format!(
                "detected {} after the failure, {failed} request{} failed",
                self.time(t),
                if failed == 1 { "" } else { "s" }
            )),
            Some(Measured::Up { after: t }) => out.push(format!(
                "back in rotation {} after the recovery",
                self.time(t)
            )),
            Some(Measured::TookOver { failed }) => out.push(format!(
                "the VIP moved, {failed} request{} failed meanwhile",
                if failed == 1 { "" } else { "s" }
            )),
            Some(Measured::Undetectable) => out
                .push("the TCP checks still pass (the connection is accepted): the failed API server will never be marked down".to_string()),
            Some(Measured::Forever) => {
                out.push("requests fail from now on until a repair".to_string())
            }
            None => {}
        }
        out
    }

    fn explain_stuck(&self, s: &LbState) -> String {
        if self.frontend == Frontend::None && s.backends[0].health != Health::Up {
            return "every client is pinned to m1, which is down, and nothing repairs it"
                .to_string();
        }
        if s.holder.is_none() && s.takeover.is_none() {
            return "no balancer serves the front-end address and none will".to_string();
        }
        if s.backends.iter().all(|b| b.health != Health::Up) {
            return "every API server is down".to_string();
        }
        if self.check == CheckType::Tcp && s.backends.iter().any(|b| b.health == Health::Hung) {
            return "a hung API server passes every TCP check, so it stays in rotation".to_string();
        }
        if let Some(b) =
            (0..s.backends.len()).find(|&b| s.backends[b].health == Health::Up && !self.ready(s, b))
        {
            return format!(
                "{}'s etcd member has no quorum and nothing will restore one{}",
                name(b as u8),
                if self.check == CheckType::Tcp {
                    "; its API server accepts connections, so its TCP check passes and it stays in rotation"
                } else {
                    ""
                }
            );
        }
        "no behaviour from here reaches the goal".to_string()
    }

    /// The least of the state's rotations. Round robin visits servers in a cycle, so only
    /// rotations (not every permutation) keep behaviours; with the client pinned to m1 none do.
    fn representative(&self, s: &LbState) -> Option<LbState> {
        if !self.symmetry {
            return None;
        }
        (1..self.masters as usize)
            .map(|r| s.rotated(r))
            .filter(|t| t < s)
            .min()
    }

    fn same_orbit(&self, a: &LbState, b: &LbState) -> bool {
        a == b || (self.symmetry && (1..self.masters as usize).any(|r| a.rotated(r) == *b))
    }

    fn participants(&self) -> Vec<String> {
        let mut p = vec!["client".to_string()];
        p.extend((0..self.balancers).map(balancer));
        p.extend((0..self.masters).map(name));
        p
    }

    fn events(&self, before: &LbState, action: &Action, after: &LbState) -> Vec<Event> {
        match *action {
            Action::Check {
                balancer: i,
                server,
            } => vec![Event::Message {
                from: balancer(i),
                to: name(server),
                text: format!("{} check", self.check.name()),
                reply: false,
            }],
            Action::Request => {
                let from = match before.holder {
                    Some(h) => balancer(h),
                    None => "client".to_string(),
                };
                let mut ev = vec![Event::Message {
                    from: "client".to_string(),
                    to: from.clone(),
                    text: "request".to_string(),
                    reply: false,
                }];
                if let Some(f) = &after.last {
                    ev.push(Event::Note {
                        over: vec![from],
                        text: self.failure(after, f),
                    });
                }
                ev
            }
            _ => vec![Event::Note {
                over: Vec::new(),
                text: self.describe(action),
            }],
        }
    }
}

#[cfg(test)]
mod tests;
