//! What the load-balancer model checks: invariants about requests, recoverability of the API
//! and of a hung server's detection, and the measures of detection and failed requests.

use super::state::{Health, LbState, Measured, Why};
use super::Lb;
use crate::property::{Amount, Goal, Kind, Property};
use crate::systems::lb::scenario::{CheckType, Frontend};

pub const NO_FAILED_REQUESTS: &str = "no-failed-requests";
pub const NO_REQUEST_TO_DEAD: &str = "no-request-to-dead-backend-after-detection";
pub const HUNG_DETECTED: &str = "hung-backend-detected";
pub const API_REACHABLE: &str = "api-reachable-after-one-failure";
pub const DOWN_DETECTION: &str = "down-detection-time";
pub const UP_DETECTION: &str = "up-detection-time";
pub const FAILED_REQUESTS: &str = "failed-requests-per-failure";

pub fn catalogue() -> Vec<Property<Lb>> {
    vec![
        Property {
            name: NO_FAILED_REQUESTS,
            meaning: "no client request ever fails",
            kind: Kind::Invariant(|m: &Lb, s: &LbState| s.last.map(|f| m.failure(s, &f))),
        },
        Property {
            name: NO_REQUEST_TO_DEAD,
            meaning: "once the front end has marked a failed API server down, no request reaches it until it recovers",
            kind: Kind::Invariant(|m: &Lb, s: &LbState| {
                let f = s.last?;
                [f.to, f.redispatched]
                    .into_iter()
                    .flatten()
                    .find(|&b| s.backends[b as usize].detected)
                    .map(|b| {
                        format!(
                            "{}; the front end had marked {} down already",
                            m.failure(s, &f),
                            super::name(b)
                        )
                    })
            }),
        },
        Property {
            name: HUNG_DETECTED,
            meaning: "from every reachable state, the serving balancer can still come to mark every hung API server down",
            kind: Kind::Recoverability {
                goal: Goal::State(hung_marked_down),
                hopeless: hung_never_marked_down,
                spent: |_, _| false,
            },
        },
        Property {
            name: API_REACHABLE,
            meaning: "from every reachable state after the faults, the API can still come to answer every request",
            kind: Kind::Recoverability {
                goal: Goal::State(api_answers),
                hopeless: api_never_answers,
                spent: |_, _| false,
            },
        },
        Property {
            name: DOWN_DETECTION,
            meaning: "the time from an API server's failure to the serving balancer marking it down",
            kind: Kind::Measure {
                value: |m, s| match s.measured? {
                    Measured::Down { after, .. } => Some(Amount::Finite(m.ms(after))),
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
                value: |m, s| match s.measured? {
                    Measured::Up { after } => Some(Amount::Finite(m.ms(after))),
                    _ => None,
                },
                unit: "ms",
            },
        },
        Property {
            name: FAILED_REQUESTS,
            meaning: "the client requests that fail because of one fault, until the front end routes around it",
            kind: Kind::Measure {
                value: |_, s| match s.measured? {
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
        DOWN_DETECTION | UP_DETECTION if m.crash + m.hang == 0 => {
            Some("no API server fails (set --crash or --hang)")
        }
        UP_DETECTION if !m.heal => Some("no API server recovers (set --heal)"),
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

/// Every request would be answered: the pinned master is up, or the serving balancer marks some
/// server up and only live ones.
pub fn api_answers(m: &Lb, s: &LbState) -> bool {
    if m.frontend == Frontend::None {
        return s.backends[0].health == Health::Up;
    }
    s.serving().is_some_and(|b| {
        let mut any = false;
        for (server, c) in s.backends.iter().zip(&b.checks) {
            if m.marked_up(c) {
                if server.health != Health::Up {
                    return false;
                }
                any = true;
            }
        }
        any
    })
}

/// Lemma: no fault or repair is left and the failure stays: the pinned master is down, nothing
/// serves, every server is down, or a hung server passes the TCP checks of the serving
/// balancer.
fn api_never_answers(m: &Lb, s: &LbState) -> bool {
    if !final_faults(m, s) {
        return false;
    }
    if m.frontend == Frontend::None {
        return s.backends[0].health != Health::Up;
    }
    nothing_serves_ever(m, s)
        || s.backends.iter().all(|b| b.health != Health::Up)
        || (m.check == CheckType::Tcp
            && s.takeover.is_none()
            && s.serving().is_some_and(|b| {
                s.backends
                    .iter()
                    .zip(&b.checks)
                    .any(|(server, c)| server.health == Health::Hung && m.marked_up(c))
            }))
}

/// No repair is possible and no fault is left that could change who serves.
fn final_faults(m: &Lb, s: &LbState) -> bool {
    !m.heal && s.crashes == m.crash && s.hangs == m.hang && s.lb_crashes == m.lb_crash
}

fn nothing_serves_ever(m: &Lb, s: &LbState) -> bool {
    m.frontend != Frontend::None && s.holder.is_none() && s.takeover.is_none()
}

impl Lb {
    /// A failed request in words.
    pub fn failure(&self, _s: &LbState, f: &super::state::Failed) -> String {
        let to = f.to.map(super::name).unwrap_or_default();
        match (f.why, f.redispatched) {
            (Why::Pinned, _) => format!("a request to the pinned master {to} fails: it is down"),
            (Why::NoBalancer, _) => {
                "a request fails: no balancer holds the front-end address".to_string()
            }
            (Why::NoServer, _) => {
                "a request fails: the balancer has every API server marked down (503)".to_string()
            }
            (Why::Refused, None) => format!(
                "a request fails: {to} refuses the connection{}",
                if self.retries == 0 {
                    String::new()
                } else {
                    format!(" and all {} retries go to it", self.retries)
                }
            ),
            (Why::Refused, Some(r)) => format!(
                "a request fails: {to} refuses it and the redispatched retry goes to {}, down too",
                super::name(r)
            ),
            (Why::NoAnswer, None) => {
                format!("a request fails: {to} accepts it and never answers (HAProxy does not retry a request it sent)")
            }
            (Why::NoAnswer, Some(r)) => format!(
                "a request fails: {to} refuses it and the redispatched retry goes to {}, which hangs",
                super::name(r)
            ),
        }
    }

    /// Ticks as milliseconds.
    pub fn ms(&self, ticks: u16) -> u64 {
        u64::from(ticks) * u64::from(self.tick_ms)
    }
}
