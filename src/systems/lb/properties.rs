//! What the load-balancer model checks: invariants about requests, recoverability of the API
//! and of a hung server's detection, and the measures of detection and failed requests.

use super::state::{Health, LbState, Measured, Why};
use super::Lb;
use stateright::Model;

use crate::property::{Amount, Goal, Kind, Property};
use crate::systems::lb::scenario::{CheckType, Frontend};

pub const NO_FAILED_REQUESTS: &str = "no-failed-requests";
pub const NO_REQUEST_TO_DEAD: &str = "no-request-to-dead-backend-after-detection";
pub const HUNG_DETECTED: &str = "hung-backend-detected";
pub const API_REACHABLE: &str = "api-reachable-after-one-failure";
pub const DOWN_DETECTION: &str = "down-detection-time";
pub const UP_DETECTION: &str = "up-detection-time";
pub const FAILED_REQUESTS: &str = "failed-requests-per-failure";

/// A model whose states are the load balancer's: the load-balancer model itself, and the
/// cluster model, which adds etcd under it. Both share this catalogue.
pub trait OverLb: Model<State = LbState> {
    fn lb(&self) -> &Lb;
}

impl OverLb for Lb {
    fn lb(&self) -> &Lb {
        self
    }
}

pub fn catalogue<M: OverLb>() -> Vec<Property<M>> {
    vec![
        Property {
            name: NO_FAILED_REQUESTS,
            meaning: "no client request ever fails",
            kind: Kind::Invariant(no_failed_request::<M>),
        },
        Property {
            name: NO_REQUEST_TO_DEAD,
            meaning: "once the front end has marked a failed API server down, no request reaches it until it recovers",
            kind: Kind::Invariant(no_request_to_dead::<M>),
        },
        Property {
            name: HUNG_DETECTED,
            meaning: "from every reachable state, the serving balancer can still come to mark every hung API server down",
            kind: Kind::Recoverability {
                goal: Goal::State(|m: &M, s| hung_marked_down(m.lb(), s)),
                hopeless: |m: &M, s| hung_never_marked_down(m.lb(), s),
                spent: |_, _| false,
            },
        },
        Property {
            name: API_REACHABLE,
            meaning: "from every reachable state after the faults, the API can still come to answer every request",
            kind: Kind::Recoverability {
                goal: Goal::State(|m: &M, s| api_answers(m.lb(), s)),
                hopeless: |m: &M, s| api_never_answers(m.lb(), s),
                spent: |_, _| false,
            },
        },
        Property {
            name: DOWN_DETECTION,
            meaning: "the time from an API server's failure to the serving balancer marking it down",
            kind: Kind::Measure {
                value: |m: &M, s: &LbState| match s.measured? {
                    Measured::Down { after, .. } => Some(Amount::Finite(m.lb().ms(after))),
                    Measured::Undetectable => Some(Amount::Unbounded),
                    _ => None,
                },
                unit: "ms",
            },
        },
        Property {
            name: UP_DETECTION,
            meaning: "the time from an API server's recovery to the serving balancer marking it up",
            kind: Kind::Measure {
                value: |m: &M, s: &LbState| match s.measured? {
                    Measured::Up { after } => Some(Amount::Finite(m.lb().ms(after))),
                    _ => None,
                },
                unit: "ms",
            },
        },
        Property {
            name: FAILED_REQUESTS,
            meaning: "the client requests that fail because of one fault, until the front end routes around it",
            kind: Kind::Measure {
                value: |_, s: &LbState| match s.measured? {
                    Measured::Down { failed, .. } | Measured::TookOver { failed } => {
                        Some(Amount::Finite(u64::from(failed)))
                    }
                    Measured::Forever => Some(Amount::Unbounded),
                    _ => None,
                },
                unit: "requests",
            },
        },
    ]
}

/// The invariants, as stateright's checker (and explorer) take them.
pub fn stateright_invariants<M: OverLb>() -> Vec<stateright::Property<M>> {
    vec![
        stateright::Property::always(NO_FAILED_REQUESTS, |m: &M, s: &LbState| {
            no_failed_request(m, s).is_none()
        }),
        stateright::Property::always(NO_REQUEST_TO_DEAD, |m: &M, s: &LbState| {
            no_request_to_dead(m, s).is_none()
        }),
    ]
}

fn no_failed_request<M: OverLb>(m: &M, s: &LbState) -> Option<String> {
    s.last
        .filter(|f| f.why != Why::Retried)
        .map(|f| m.lb().failure(s, &f))
}

fn no_request_to_dead<M: OverLb>(m: &M, s: &LbState) -> Option<String> {
    let f = s.last?;
    [f.to, f.redispatched]
        .into_iter()
        .flatten()
        .find(|&b| s.backends[b as usize].detected)
        .map(|b| {
            format!(
                "{}; the front end had marked {} down already",
                m.lb().failure(s, &f),
                super::name(b)
            )
        })
}

/// Why a property says nothing about a configuration.
pub fn vacuous(m: &Lb, property: &str) -> Option<&'static str> {
    match property {
        HUNG_DETECTED if m.hang == 0 => Some("no API server may hang (set --hang)"),
        HUNG_DETECTED if m.frontend == Frontend::None => {
            Some("with no load balancer nothing checks the API servers")
        }
        HUNG_DETECTED if m.heal => Some(
            "with --heal a hung server may answer again before any check: check it without --heal",
        ),
        DOWN_DETECTION | UP_DETECTION if m.frontend == Frontend::None => {
            Some("with no load balancer nothing marks an API server down or up")
        }
        DOWN_DETECTION | UP_DETECTION if m.crash + m.hang == 0 && !m.partition => {
            Some("no API server fails (set --crash or --hang)")
        }
        UP_DETECTION if !m.heal => Some("no API server recovers (set --heal)"),
        UP_DETECTION if m.passive.is_some() => {
            Some("nginx marks no server up: after fail_timeout it simply tries the server again")
        }
        _ => None,
    }
}

/// No hung server is marked up by the serving balancer.
fn hung_marked_down(m: &Lb, s: &LbState) -> bool {
    s.serving().is_some_and(|b| {
        s.backends
            .iter()
            .zip(&b.checks)
            .all(|(server, c)| server.health != Health::Hung || !m.marked_up(c))
    })
}

/// Lemma: no fault or repair is left, and a TCP check passes a hung server the serving balancer
/// marks up, or nothing serves and nothing will.
fn hung_never_marked_down(m: &Lb, s: &LbState) -> bool {
    final_faults(m, s)
        && (nothing_serves_ever(m, s)
            || (m.check == CheckType::Tcp && !hung_marked_down(m, s) && s.takeover.is_none()))
}

/// Whether a server's API server is up (it answers, maybe with an error).
pub fn up(_: &Lb, s: &LbState, b: usize) -> bool {
    s.backends[b].health == Health::Up
}

/// Whether a server answers with success: up, and its etcd member has a quorum.
pub fn serves(m: &Lb, s: &LbState, b: usize) -> bool {
    m.serves(s, b)
}

/// Every request would reach a live API server.
pub fn api_answers(m: &Lb, s: &LbState) -> bool {
    answers_all(m, s, up)
}

fn api_never_answers(m: &Lb, s: &LbState) -> bool {
    never_answers(m, s, up)
}

/// Every request would be answered as `works` says: the pinned master works, or the serving
/// balancer marks some server up and only working ones.
pub fn answers_all(m: &Lb, s: &LbState, works: fn(&Lb, &LbState, usize) -> bool) -> bool {
    if m.frontend == Frontend::None {
        return works(m, s, 0);
    }
    s.serving().is_some_and(|b| {
        let mut any = false;
        for (server, c) in b.checks.iter().enumerate() {
            if m.marked_up(c) {
                if !works(m, s, server) {
                    return false;
                }
                any = true;
            }
        }
        any
    })
}

/// Lemma: no fault or repair is left and the failure stays: the pinned master does not work,
/// nothing serves, no server works, or a TCP check keeps a server that does not work in
/// rotation (a TCP check passes whatever the server answers).
pub fn never_answers(m: &Lb, s: &LbState, works: fn(&Lb, &LbState, usize) -> bool) -> bool {
    if !final_faults(m, s) {
        return false;
    }
    if m.frontend == Frontend::None {
        return !works(m, s, 0);
    }
    let n = s.backends.len();
    nothing_serves_ever(m, s)
        || (0..n).all(|b| !works(m, s, b))
        || (m.check == CheckType::Tcp
            && s.takeover.is_none()
            && s.serving().is_some_and(|lb| {
                (0..n).any(|b| {
                    m.marked_up(&lb.checks[b])
                        && s.backends[b].health != Health::Crashed
                        && !works(m, s, b)
                })
            }))
}

/// No repair is possible and no fault is left that could change who serves.
fn final_faults(m: &Lb, s: &LbState) -> bool {
    !m.heal
        && s.crashes == m.crash
        && s.hangs == m.hang
        && s.lb_crashes == m.lb_crash
        && s.split_used == m.partition
}

fn nothing_serves_ever(m: &Lb, s: &LbState) -> bool {
    m.frontend != Frontend::None && s.holder.is_none() && s.takeover.is_none()
}

impl Lb {
    /// A failed request in words, hop by hop.
    pub fn failure(&self, s: &LbState, f: &super::state::Failed) -> String {
        let to = f.to.map(super::name).unwrap_or_default();
        let front = match s.holder {
            Some(h) if self.frontend != Frontend::None => {
                format!("client → {}", super::balancer(h))
            }
            _ => "client".to_string(),
        };
        let api = |b: &str| format!("{b}'s API server");
        match (f.why, f.redispatched) {
            (Why::Pinned, _) => format!(
                "a request fails: client → {} (the address in every kubeconfig): {}",
                api(&to),
                if f.to.is_some_and(|b| s.backends[b as usize].health == Health::Hung) {
                    "accepted, never answered"
                } else {
                    "connection refused"
                }
            ),
            (Why::NoBalancer, _) => {
                "a request fails: client → front-end address: no balancer holds it".to_string()
            }
            (Why::NoServer, _) => format!(
                "a request fails: {front}: every API server is marked down, HAProxy answers 503"
            ),
            (Why::Refused, _) if self.passive.is_some() => format!(
                "a request fails: {front} → {}: connection refused, and so does every other server nginx still has in rotation",
                api(&to)
            ),
            (Why::Refused, None) => format!(
                "a request fails: {front} → {}: connection refused{}",
                api(&to),
                if self.retries == 0 {
                    String::new()
                } else {
                    format!(", and all {} retries go to it", self.retries)
                }
            ),
            (Why::Refused, Some(r)) => format!(
                "a request fails: {front} → {}: connection refused; the redispatched last retry → {}: refused too",
                api(&to),
                api(&super::name(r))
            ),
            (Why::NoAnswer, None) => format!(
                "a request fails: {front} → {}: accepted, never answered (HAProxy does not retry a request it sent)",
                api(&to)
            ),
            (Why::NoAnswer, Some(r)) => format!(
                "a request fails: {front} → {}: connection refused; the redispatched last retry → {}: accepted, never answered",
                api(&to),
                api(&super::name(r))
            ),
            (Why::Retried, r) => format!(
                "a request reaches {} again: client → {} → {}: connection refused; nginx tries the next server, {}, which answers",
                api(&to),
                front.trim_start_matches("client → "),
                api(&to),
                api(&r.map(super::name).unwrap_or_default())
            ),
            (Why::NoQuorum, r) => {
                let b = r.or(f.to).unwrap_or(0);
                let (a, c) = self.sides(s.split);
                let why = if s.split == 0 {
                    "too few etcd members are up for a quorum".to_string()
                } else {
                    format!("its side of the partition ({a} | {c}) holds no quorum of live members")
                };
                format!(
                    "a request fails: {front} → {} → {}'s etcd member: {why}; the API server answers an error and nothing is committed",
                    api(&super::name(b)),
                    super::name(b)
                )
            }
        }
    }

    /// Ticks as milliseconds.
    pub fn ms(&self, ticks: u16) -> u64 {
        u64::from(ticks) * u64::from(self.tick_ms)
    }
}
