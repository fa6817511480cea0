//! The load balancer's state: the API servers, each HAProxy instance's view of them, the VIP,
//! the client's requests and what the last step measured.

use arrayvec::ArrayVec;
use serde::Serialize;

/// A timer whose value the next step chooses: the moment of a failure in a check cycle, or the
/// phase of the client's requests, is free.
pub const PENDING: u16 = u16::MAX;
/// `failed` once requests fail with no end in sight: no check or failover will route around the
/// failure, only a repair can.
pub const FOREVER: u8 = u8::MAX;

/// An API server as its clients see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Up,
    /// The process is gone: connections are refused at once.
    Crashed,
    /// The process accepts TCP connections and never answers (a stuck API server, an etcd it
    /// waits on forever).
    Hung,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Backend {
    pub health: Health,
    /// Ticks since it failed (or recovered) while the serving balancer has not yet marked it
    /// down (or up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<u16>,
    /// The front end has marked it down since it failed: routing to it now is a regression.
    pub detected: bool,
    /// With `balance leastconn`: ticks until the last connection a hung server holds times
    /// out (`timeout server`). While it holds one, its load is above an idle server's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<u16>,
}

/// One HAProxy instance's health check of one server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Check {
    /// HAProxy's `check->health`: 0 to rise + fall − 1; the server is up at `rise` or more.
    pub health: u8,
    /// Ticks to the next check (or, in flight, to its timeout); `None` when nothing this check
    /// could do would change anything (a healthy server at full health, a failed one at 0): the
    /// check's phase matters again only when the server changes, and is then chosen freely.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<u16>,
    /// A check is waiting for an answer that a hung server will not give.
    pub in_flight: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Balancer {
    pub up: bool,
    /// Its checks, one per API server; empty while its view cannot matter (a standby that no
    /// fault left in the budget can promote).
    pub checks: ArrayVec<Check, 7>,
}

/// The client's requests while one can fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Clock {
    /// Ticks to the next request.
    pub next: u16,
    /// Round robin: the first server to try for the next request.
    pub rr: u8,
}

/// Why a request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Why {
    /// The pinned master (no load balancer) is down.
    Pinned,
    /// No balancer holds the front-end address.
    NoBalancer,
    /// The balancer has every server marked down: HAProxy answers 503.
    NoServer,
    /// The server refused the connection and no retry reached a live one.
    Refused,
    /// The server accepted the request and never answered.
    NoAnswer,
    /// The API server answered with an error: its etcd member has no quorum.
    NoQuorum,
    /// Not a failure: the request was answered by another server after `to` refused it.
    Retried,
}

/// A request that failed: the servers it was sent to and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Failed {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<u8>,
    /// The server of the redispatched last retry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redispatched: Option<u8>,
    pub why: Why,
}

/// What the last step measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measured {
    /// The serving balancer marked a failed server down, `after` ticks after it failed, with
    /// `failed` requests failed since the fault.
    Down { after: u16, failed: u8 },
    /// The serving balancer marked a recovered server up, `after` ticks after it recovered.
    Up { after: u16 },
    /// A standby claimed the VIP, with `failed` requests failed since the fault.
    TookOver { failed: u8 },
    /// A server hung that the checks cannot see: it will never be marked down.
    Undetectable,
    /// A request failed and nothing but a repair will end such failures.
    Forever,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct LbState {
    pub backends: ArrayVec<Backend, 7>,
    pub balancers: ArrayVec<Balancer, 3>,
    /// The balancer that serves the front-end address (the single one while up, the VIP's
    /// holder).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder: Option<u8>,
    /// Ticks until a standby claims the VIP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub takeover: Option<u16>,
    pub crashes: u8,
    pub hangs: u8,
    pub lb_crashes: u8,
    /// Cluster model: the masters cut off from the others by a network partition (the side
    /// without m1... canonically the side not holding the lowest-numbered master), 0 for none.
    pub split: u8,
    /// The partition of the budget has happened.
    pub split_used: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock: Option<Clock>,
    /// Requests failed since the last fault ([`FOREVER`]: without end).
    pub failed: u8,
    /// The request of this step, if it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<Failed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<Measured>,
}

impl LbState {
    /// The balancer serving the front-end address, if one does.
    pub fn serving(&self) -> Option<&Balancer> {
        self.holder.map(|h| &self.balancers[h as usize])
    }

    /// Whether a timer waits for its value.
    pub fn choosing(&self) -> bool {
        self.clock.is_some_and(|c| c.next == PENDING)
            || self
                .balancers
                .iter()
                .any(|b| b.checks.iter().any(|c| c.next == Some(PENDING)))
    }
}

impl LbState {
    /// The same state with every API server's name moved `r` places on (m1 → m(1+r)): round
    /// robin takes servers in a cycle, so a rotation renames a behaviour into another one.
    pub fn rotated(&self, r: usize) -> LbState {
        let n = self.backends.len();
        let turn = |b: u8| ((b as usize + r) % n) as u8;
        let mut s = self.clone();
        s.backends.rotate_right(r % n);
        for b in &mut s.balancers {
            if !b.checks.is_empty() {
                b.checks.rotate_right(r % n);
            }
        }
        // A clock waiting for its phase has no round-robin position yet.
        if let Some(c) = s.clock.as_mut().filter(|c| c.next != PENDING) {
            c.rr = turn(c.rr);
        }
        if let Some(f) = s.last.as_mut() {
            f.to = f.to.map(turn);
            f.redispatched = f.redispatched.map(turn);
        }
        if s.split != 0 {
            let all = ((1u16 << n) - 1) as u8;
            let mut mask = 0u8;
            for b in 0..n {
                if self.split & (1 << b) != 0 {
                    mask |= 1 << turn(b as u8);
                }
            }
            // A partition is named by the side without m1.
            s.split = if mask & 1 != 0 { !mask & all } else { mask };
        }
        s
    }
}
