//! The load-balancer model against HAProxy's closed forms, and each property with a scenario
//! where it holds and one where it fails.

use super::properties::*;
use super::*;
use crate::engine::{self, explore_all, Graph, Limits};
use crate::property::{Amount, Kind, Verdict};
use crate::scenario::{ModelKind, Scenario};

fn lb(f: impl FnOnce(&mut Scenario)) -> Lb {
    let mut s = Scenario {
        model: ModelKind::Lb,
        ..Scenario::default()
    };
    f(&mut s);
    Lb::new(&scenario::validate(&s, false).expect("valid scenario"))
}

fn ms(d: &str) -> Option<scenario::Millis> {
    Some(scenario::Millis::parse(d).expect("a duration"))
}

fn limits() -> Limits {
    Limits {
        max_states: 20_000_000,
        timeout: None,
    }
}

fn decide(m: &Lb, graph: &Graph<Lb>, name: &str) -> Verdict<Lb> {
    let p = Lb::catalogue()
        .into_iter()
        .find(|p| p.name == name)
        .expect("a property of the catalogue");
    engine::decide(m, graph, &p, &limits())
}

fn holds(m: &Lb, name: &str) -> bool {
    let graph = explore_all(m, limits());
    match decide(m, &graph, name) {
        Verdict::Holds { .. } => true,
        Verdict::Violated(_) => false,
        Verdict::Incomplete(_) => panic!("{name} was not decided"),
    }
}

/// A measure's (min, max).
fn measure(m: &Lb, graph: &Graph<Lb>, name: &str) -> (Amount, Amount) {
    match decide(m, graph, name) {
        Verdict::Holds {
            extremes: Some(e), ..
        } => (e.min.0, e.max.0),
        _ => panic!("{name} measured nothing"),
    }
}

fn finite(ms: u32) -> Amount {
    Amount::Finite(u64::from(ms))
}

/// HAProxy's detection windows in closed form: a crashed server fails its next check, which
/// comes 0 to `inter` after the crash, then `fall − 1` more at `fastinter`; a restarted one
/// passes its next check, 0 to `downinter` after the restart, then `rise − 1` more at
/// `fastinter`. Exploration must find exactly these extremes on every point of the grid.
#[test]
fn detection_times_match_the_closed_form_over_a_grid() {
    for inter in [500, 1000] {
        for fastinter in [None, Some(200)] {
            for downinter in [None, Some(300)] {
                for rise in 1..=3u32 {
                    for fall in 1..=3u32 {
                        let m = lb(|s| {
                            s.masters = 2;
                            s.tick = ms("100ms");
                            s.inter = ms(&format!("{inter}ms"));
                            s.fastinter = fastinter.and_then(|f| ms(&format!("{f}ms")));
                            s.downinter = downinter.and_then(|d| ms(&format!("{d}ms")));
                            s.rise = Some(rise);
                            s.fall = Some(fall);
                            s.request_rate = Some(1);
                            s.heal = true;
                        });
                        let fast = fastinter.unwrap_or(inter);
                        let down = downinter.unwrap_or(inter);
                        let graph = explore_all(&m, limits());
                        let at = format!(
                            "inter {inter} fast {fast} down {down} rise {rise} fall {fall}"
                        );
                        assert_eq!(
                            measure(&m, &graph, DOWN_DETECTION),
                            (finite((fall - 1) * fast), finite(inter + (fall - 1) * fast)),
                            "down detection, {at}"
                        );
                        assert_eq!(
                            measure(&m, &graph, UP_DETECTION),
                            (finite((rise - 1) * fast), finite(down + (rise - 1) * fast)),
                            "up detection, {at}"
                        );
                    }
                }
            }
        }
    }
}

/// An HTTP check of a hung server waits `timeout check` (or `inter` when unset) for each of the
/// `fall` failures.
#[test]
fn a_hung_server_is_detected_after_fall_timeouts_with_http_checks() {
    for (timeout, fall) in [(None, 1u32), (None, 2), (Some(300), 2), (Some(1500), 3)] {
        let inter = 1000;
        let m = lb(|s| {
            s.masters = 2;
            s.tick = ms("100ms");
            s.inter = ms("1s");
            s.fastinter = ms("200ms");
            s.timeout_check = timeout.and_then(|t| ms(&format!("{t}ms")));
            s.fall = Some(fall);
            s.request_rate = Some(1);
            s.hang = Some(1);
            s.check = Some(CheckType::Http);
        });
        let wait = fall * timeout.unwrap_or(inter) + (fall - 1) * 200;
        let graph = explore_all(&m, limits());
        assert_eq!(
            measure(&m, &graph, DOWN_DETECTION),
            (finite(wait), finite(inter + wait)),
            "timeout {timeout:?}, fall {fall}"
        );
        assert!(holds(&m, HUNG_DETECTED));
    }
}

/// A TCP check passes a hung server: it is never marked down, and its share of the requests
/// fails for ever.
#[test]
fn a_hung_server_passes_tcp_checks_for_ever() {
    let m = lb(|s| {
        s.hang = Some(1);
        s.check = Some(CheckType::Tcp);
    });
    assert!(!holds(&m, HUNG_DETECTED));
    assert!(!holds(&m, API_REACHABLE));
    let graph = explore_all(&m, limits());
    assert_eq!(
        measure(&m, &graph, DOWN_DETECTION),
        (Amount::Unbounded, Amount::Unbounded)
    );
    assert_eq!(measure(&m, &graph, FAILED_REQUESTS).1, Amount::Unbounded);
}

/// Requests sent to a crashed server before it is marked down, in closed form: with two
/// servers in round robin, every other request goes to it, so its requests come every `2P`
/// at a free phase; the window is the detection time.
#[test]
fn failed_requests_match_the_closed_form() {
    for (inter, fall, rate) in [(1000u32, 3u32, 2u32), (1000, 1, 4), (500, 2, 5)] {
        let m = lb(|s| {
            s.masters = 2;
            s.tick = ms("50ms");
            s.inter = ms(&format!("{inter}ms"));
            s.fall = Some(fall);
            s.request_rate = Some(rate);
            s.retries = Some(0);
        });
        let period = 2 * 1000 / rate;
        let (low, high) = ((fall - 1) * inter, fall * inter);
        let graph = explore_all(&m, limits());
        assert_eq!(
            measure(&m, &graph, FAILED_REQUESTS),
            (
                finite(low.div_ceil(period).saturating_sub(1)),
                finite(high / period + 1)
            ),
            "inter {inter} fall {fall} rate {rate}"
        );
    }
}

#[test]
fn retries_with_redispatch_hide_a_crash_and_without_it_requests_fail() {
    let with = lb(|s| s.redispatch = true);
    assert!(holds(&with, NO_FAILED_REQUESTS));
    let graph = explore_all(&with, limits());
    assert_eq!(
        measure(&with, &graph, FAILED_REQUESTS),
        (finite(0), finite(0))
    );
    let without = lb(|_| {});
    let graph = explore_all(&without, limits());
    let Verdict::Violated(v) = decide(&without, &graph, NO_FAILED_REQUESTS) else {
        panic!("requests fail without redispatch");
    };
    assert!(v.why.contains("all 3 retries go to it"), "{}", v.why);
    // Redispatch happens on the last retry: with no retry there is none.
    let no_retry = lb(|s| {
        s.redispatch = true;
        s.retries = Some(0);
    });
    assert!(!holds(&no_retry, NO_FAILED_REQUESTS));
}

/// A hung server accepted the request: HAProxy does not retry it, redispatch or not.
#[test]
fn redispatch_does_not_save_a_request_a_hung_server_accepted() {
    let m = lb(|s| {
        s.redispatch = true;
        s.hang = Some(1);
        s.check = Some(CheckType::Http);
        s.inter = ms("1s");
        s.tick = ms("100ms");
        s.request_rate = Some(2);
    });
    let graph = explore_all(&m, limits());
    let Verdict::Violated(v) = decide(&m, &graph, NO_FAILED_REQUESTS) else {
        panic!("a hung server's requests fail");
    };
    assert!(v.why.contains("never answered"), "{}", v.why);
}

#[test]
fn the_api_survives_a_balancer_crash_only_behind_a_vip() {
    let fast = |s: &mut Scenario| {
        s.tick = ms("100ms");
        s.inter = ms("1s");
        s.request_rate = Some(2);
    };
    for masters in 1..=3 {
        let pinned = lb(|s| {
            fast(s);
            s.masters = masters;
            s.frontend = Some(Frontend::None);
        });
        assert!(!holds(&pinned, API_REACHABLE), "none, {masters} masters");
        let single = lb(|s| {
            fast(s);
            s.masters = masters;
            s.lb_crash = Some(1);
        });
        assert!(!holds(&single, API_REACHABLE), "single, {masters} masters");
        let vip = lb(|s| {
            fast(s);
            s.masters = masters;
            s.frontend = Some(Frontend::Vip);
            s.lb_crash = Some(1);
            s.crash = Some(u32::from(masters > 1));
        });
        assert!(holds(&vip, API_REACHABLE), "vip, {masters} masters");
    }
    // One master behind a VIP: its crash leaves nothing to route to.
    let alone = lb(|s| {
        fast(s);
        s.masters = 1;
        s.frontend = Some(Frontend::Vip);
    });
    assert!(!holds(&alone, API_REACHABLE));
}

/// A standby checks on its own schedule. When the VIP moves faster than the spread of two
/// balancers' detections, the new holder still routes to a server the old one had marked down.
#[test]
fn a_fast_vip_failover_can_route_to_a_server_the_old_holder_marked_down() {
    let vip = |failover: &str| {
        let failover = ms(failover);
        lb(move |s| {
            s.frontend = Some(Frontend::Vip);
            s.crash = Some(1);
            s.lb_crash = Some(1);
            s.tick = ms("100ms");
            s.inter = ms("1s");
            s.request_rate = Some(2);
            s.vip_failover = failover;
        })
    };
    assert!(!holds(&vip("500ms"), NO_REQUEST_TO_DEAD));
    assert!(holds(&vip("3s"), NO_REQUEST_TO_DEAD));
}

/// A restarted HAProxy starts every server at `rise`, up: it sends requests to a dead server
/// until its first check fails.
#[test]
fn a_restarted_balancer_routes_to_a_dead_server_again() {
    let m = |heal| {
        lb(move |s| {
            s.crash = Some(1);
            s.lb_crash = Some(1);
            s.heal = heal;
            s.tick = ms("100ms");
            s.inter = ms("1s");
            s.request_rate = Some(2);
        })
    };
    assert!(!holds(&m(true), NO_REQUEST_TO_DEAD));
    assert!(holds(&m(false), NO_REQUEST_TO_DEAD));
}

/// The recoverability lemmas are sound: no goal is reachable from a state they call hopeless.
#[test]
fn hopeless_states_cannot_reach_the_goal() {
    let scenarios = [
        lb(|s| s.frontend = Some(Frontend::None)),
        lb(|s| {
            s.lb_crash = Some(1);
            s.tick = ms("100ms");
            s.inter = ms("1s");
        }),
        lb(|s| {
            s.hang = Some(1);
            s.tick = ms("100ms");
            s.inter = ms("1s");
        }),
    ];
    for m in &scenarios {
        let graph = explore_all(m, limits());
        let mut preds = vec![Vec::new(); graph.len()];
        for id in 0..graph.len() {
            for &next in graph.successors(id) {
                preds[next as usize].push(id);
            }
        }
        let mut some = false;
        for p in Lb::catalogue() {
            let Kind::Recoverability {
                goal: crate::property::Goal::State(goal),
                hopeless,
                ..
            } = p.kind
            else {
                continue;
            };
            let mut reach = vec![false; graph.len()];
            let mut stack: Vec<usize> = (0..graph.len())
                .filter(|&id| goal(m, &graph.state(id)))
                .collect();
            for &id in &stack {
                reach[id] = true;
            }
            while let Some(id) = stack.pop() {
                for &p in &preds[id] {
                    if !reach[p] {
                        reach[p] = true;
                        stack.push(p);
                    }
                }
            }
            for (id, reaches) in reach.iter().enumerate() {
                if hopeless(m, &graph.state(id)) {
                    some = true;
                    assert!(!reaches, "{}: a hopeless state reaches the goal", p.name);
                }
            }
        }
        assert!(
            some,
            "the lemmas prove nothing here: the test would pass without them"
        );
    }
}

/// Every counterexample and extreme behaviour replays on the model.
#[test]
fn traces_replay() {
    let m = lb(|s| {
        s.frontend = Some(Frontend::Vip);
        s.crash = Some(1);
        s.lb_crash = Some(1);
        s.tick = ms("100ms");
        s.inter = ms("1s");
        s.request_rate = Some(2);
        s.vip_failover = ms("500ms");
    });
    let graph = explore_all(&m, limits());
    for p in Lb::catalogue() {
        if m.vacuous(p.name).is_some() {
            continue;
        }
        let traces = match engine::decide(&m, &graph, &p, &limits()) {
            Verdict::Violated(v) => v.trace.into_iter().collect(),
            Verdict::Holds {
                extremes: Some(e), ..
            } => vec![e.min.1, e.max.1],
            _ => Vec::new(),
        };
        for t in traces {
            assert_eq!(
                engine::trace::replay(&m, &t).as_ref(),
                Ok(t.last()),
                "{}",
                p.name
            );
        }
    }
}

/// Symmetry reduction is sound only if renaming the servers by a rotation commutes with every
/// step: the successors of a rotated state are the rotated successors.
#[test]
fn rotating_the_servers_commutes_with_every_step() {
    use stateright::Model;
    let scenarios = [
        lb(|s| {
            s.crash = Some(1);
            s.lb_crash = Some(1);
            s.heal = true;
            s.tick = ms("100ms");
            s.inter = ms("1s");
            s.request_rate = Some(2);
            s.symmetry = false;
        }),
        lb(|s| {
            s.frontend = Some(Frontend::Vip);
            s.crash = Some(1);
            s.lb_crash = Some(1);
            s.tick = ms("100ms");
            s.inter = ms("1s");
            s.request_rate = Some(2);
            s.vip_failover = ms("500ms");
            s.symmetry = false;
        }),
        lb(|s| {
            s.lb = Some(scenario::LbKind::Nginx);
            s.max_fails = Some(2);
            s.fail_timeout = ms("500ms");
            s.crash = Some(2);
            s.heal = true;
            s.tick = ms("100ms");
            s.request_rate = Some(2);
            s.symmetry = false;
        }),
        lb(|s| {
            s.balance = Some(scenario::Balance::Leastconn);
            s.timeout_server = ms("500ms");
            s.hang = Some(1);
            s.crash = Some(1);
            s.heal = true;
            s.tick = ms("100ms");
            s.inter = ms("1s");
            s.request_rate = Some(2);
            s.symmetry = false;
        }),
    ];
    let successors = |m: &Lb, s: &LbState| {
        let mut actions = Vec::new();
        m.actions(s, &mut actions);
        let mut next: Vec<LbState> = actions
            .into_iter()
            .filter_map(|a| m.next_state(s, a))
            .collect();
        next.sort();
        next.dedup();
        next
    };
    for m in &scenarios {
        let graph = explore_all(m, limits());
        for id in 0..graph.len() {
            let s = graph.state(id);
            let s = &*s;
            for r in 1..m.masters as usize {
                let mut rotated: Vec<LbState> =
                    successors(m, s).iter().map(|t| t.rotated(r)).collect();
                rotated.sort();
                assert_eq!(
                    successors(m, &s.rotated(r)),
                    rotated,
                    "state {s:?}, rotation {r}"
                );
            }
        }
    }
}

/// HAProxy's health counter: `rise` consecutive successes mark a server up and set its health
/// to full, so it then takes `fall` consecutive failures to go down; a success in between puts
/// it back at full.
#[test]
fn the_health_counter_follows_haproxy() {
    let m = lb(|s| {
        s.rise = Some(2);
        s.fall = Some(3);
    });
    let mut c = state::Check {
        health: 0,
        next: None,
        in_flight: false,
    };
    let results: Vec<Option<bool>> = [true, true, false, false, true, false, false, false]
        .into_iter()
        .map(|ok| m.result(&mut c, ok))
        .collect();
    assert_eq!(
        results,
        [None, Some(true), None, None, None, None, None, Some(false)]
    );
    assert_eq!(c.health, 0);
}

/// A hung server that answers again answers the check waiting on it: back in rotation between
/// (rise − 1)·fastinter and downinter + (rise − 1)·fastinter later, as after a crash.
#[test]
fn a_check_waiting_on_a_hung_server_gets_its_answer_when_it_recovers() {
    let m = lb(|s| {
        s.masters = 2;
        s.hang = Some(1);
        s.heal = true;
        s.check = Some(CheckType::Http);
        s.tick = ms("100ms");
        s.inter = ms("500ms");
        s.fastinter = ms("200ms");
        s.downinter = ms("300ms");
        s.timeout_check = ms("400ms");
        s.rise = Some(2);
        s.request_rate = Some(1);
    });
    let graph = explore_all(&m, limits());
    assert_eq!(
        measure(&m, &graph, UP_DETECTION),
        (finite(200), finite(300 + 200))
    );
}

/// A check waiting on a hung server that answers again is answered at once: a success, not a
/// time-out that would count against a server that is healthy again.
#[test]
fn a_waiting_check_is_answered_when_the_hung_server_recovers() {
    use stateright::Model;
    let m = lb(|s| {
        s.hang = Some(1);
        s.heal = true;
        s.check = Some(CheckType::Http);
        s.tick = ms("100ms");
        s.inter = ms("500ms");
        s.request_rate = Some(1);
    });
    let graph = explore_all(&m, limits());
    let waiting = graph
        .states()
        .find(|s| {
            s.balancers[0]
                .checks
                .iter()
                .any(|c| c.in_flight && c.health > m.rise)
                && !s.choosing()
        })
        .expect("a check waits on a hung server during detection");
    let b = waiting.balancers[0]
        .checks
        .iter()
        .position(|c| c.in_flight)
        .expect("waiting");
    let after = m
        .next_state(&waiting, actions::Action::Unhang(b as u8))
        .expect("the server answers again");
    let c = after.balancers[0].checks[b];
    assert!(!c.in_flight);
    assert_eq!(c.health, m.full());
}

/// A standby that claims the VIP with a dead server already marked down brings that knowledge
/// with it: the front end has detected the server, and routing to it later is a regression.
#[test]
fn a_takeover_keeps_what_the_new_holder_has_detected() {
    use stateright::Model;
    let m = lb(|s| {
        s.frontend = Some(Frontend::Vip);
        s.crash = Some(1);
        s.lb_crash = Some(1);
        s.tick = ms("100ms");
        s.inter = ms("500ms");
        s.request_rate = Some(1);
        s.vip_failover = ms("2s");
    });
    let graph = explore_all(&m, limits());
    let (state, standby, server) = graph
        .states()
        .filter(|s| s.takeover == Some(0) && !s.choosing())
        .find_map(|s| {
            let i = s.balancers.iter().position(|b| b.up)?;
            let b = (0..s.backends.len()).find(|&b| {
                s.backends[b].health == Health::Crashed
                    && !s.backends[b].detected
                    && !m.marked_up(&s.balancers[i].checks[b])
            })?;
            Some((s, i, b))
        })
        .expect("the old holder crashed before detecting what the standby did");
    let after = m
        .next_state(&state, actions::Action::TakeOver(standby as u8))
        .expect("the standby claims the VIP");
    assert!(after.backends[server].detected);
}

fn nginx(f: impl FnOnce(&mut Scenario)) -> Lb {
    lb(|s| {
        s.lb = Some(scenario::LbKind::Nginx);
        s.tick = ms("100ms");
        f(s);
    })
}

/// nginx's passive checks count refused connections: with two servers, a refused request is
/// tried on the other one and the next request comes back to the dead one, so its `max_fails`
/// failed attempts come one request interval P apart after the first, which comes 0 to 2P
/// after the crash.
#[test]
fn nginx_takes_a_server_out_after_max_fails_refused_attempts() {
    for max_fails in 1..=3u32 {
        let m = nginx(|s| {
            s.masters = 2;
            s.max_fails = Some(max_fails);
            s.request_rate = Some(2);
        });
        let graph = explore_all(&m, limits());
        let p = 500;
        assert_eq!(
            measure(&m, &graph, DOWN_DETECTION),
            (finite((max_fails - 1) * p), finite((max_fails + 1) * p)),
            "max_fails {max_fails}"
        );
    }
}

/// nginx tries a refused connection on the next server (`proxy_next_upstream`): a crash costs
/// no request. A hung server accepts the connection, so nothing counts against it and its share
/// of the requests fails for ever.
#[test]
fn nginx_retries_a_refused_connection_but_not_a_hung_server() {
    let crash = nginx(|s| s.request_rate = Some(2));
    assert!(holds(&crash, NO_FAILED_REQUESTS));
    let hang = nginx(|s| {
        s.hang = Some(1);
        s.request_rate = Some(2);
    });
    assert!(!holds(&hang, NO_FAILED_REQUESTS));
    assert!(!holds(&hang, HUNG_DETECTED));
}

/// After `fail_timeout` nginx tries a server it took out again, with a live request: a request
/// reaches the dead server after the front end marked it down (retried elsewhere, so it does not
/// fail). HAProxy's active checks keep it out.
#[test]
fn nginx_tries_a_dead_server_again_after_fail_timeout() {
    let m = nginx(|s| {
        s.request_rate = Some(2);
        s.fail_timeout = ms("1s");
    });
    let graph = explore_all(&m, limits());
    let Verdict::Violated(v) = decide(&m, &graph, NO_REQUEST_TO_DEAD) else {
        panic!("nginx's trial request reaches the dead server");
    };
    assert!(v.why.contains("nginx tries the next server"), "{}", v.why);
    let haproxy = lb(|s| {
        s.tick = ms("100ms");
        s.inter = ms("1s");
        s.request_rate = Some(2);
    });
    assert!(holds(&haproxy, NO_REQUEST_TO_DEAD));
}

/// nginx forgets a server's failed attempts when it answers a request (`peer->fails = 0` on
/// success): one refusal, a recovery and an answer leave it with a clean slate.
#[test]
fn nginx_forgets_failed_attempts_when_a_server_answers() {
    use stateright::Model;
    let m = nginx(|s| {
        s.masters = 2;
        s.max_fails = Some(2);
        s.heal = true;
        s.request_rate = Some(2);
        s.symmetry = false;
    });
    let graph = explore_all(&m, limits());
    let state = graph
        .states()
        .find(|s| {
            s.backends[0].health == Health::Up
                && s.balancers[0].checks[0].health == 1
                && s.clock.is_some_and(|c| c.next == 0 && c.rr == 0)
                && !s.choosing()
        })
        .expect("m1 back with one failed attempt on record, a request about to go to it");
    let after = m
        .next_state(&state, actions::Action::Request)
        .expect("the request is sent");
    assert_eq!(after.balancers[0].checks[0].health, 0);
}

/// The state after the first enabled action that `pick` accepts.
fn step(m: &Lb, s: &LbState, pick: &dyn Fn(&Action) -> bool) -> LbState {
    use stateright::Model;
    let mut actions = Vec::new();
    m.actions(s, &mut actions);
    let a = actions
        .into_iter()
        .find(|a| pick(a))
        .unwrap_or_else(|| panic!("no such action in {s:?}"));
    m.next_state(s, a).expect("a step")
}

/// m1 hangs, and the client's next request, sent at once, goes to it.
fn m1_hangs_and_takes_a_request(m: &Lb) -> LbState {
    use stateright::Model;
    let mut s = m.init_states().remove(0);
    s = step(m, &s, &|a| *a == Action::Hang(0));
    s = step(m, &s, &|a| {
        matches!(
            a,
            Action::Choose {
                clock: Some((0, 0)),
                ..
            }
        )
    });
    step(m, &s, &|a| *a == Action::Request)
}

/// The scenario of the `balance leastconn` tests: three servers, one may hang, HTTP checks.
fn leastconn(timeout_server: Option<&str>, f: impl FnOnce(&mut Scenario)) -> Lb {
    lb(|s| {
        s.hang = Some(1);
        s.check = Some(CheckType::Http);
        s.tick = ms("100ms");
        s.inter = ms("1s");
        s.balance = timeout_server.map(|_| scenario::Balance::Leastconn);
        s.timeout_server = timeout_server.and_then(ms);
        f(s);
    })
}

/// With `balance leastconn` a hung server holds each request it accepts until `timeout
/// server`, and HAProxy sends new ones to idle servers meanwhile: one request fails per
/// `timeout server` instead of the hung server's share of them all (round robin).
#[test]
fn leastconn_sends_a_hung_server_one_request_per_timeout_server() {
    let failed = |m: &Lb| measure(m, &explore_all(m, limits()), FAILED_REQUESTS);
    let detection = {
        let m = leastconn(None, |_| {});
        measure(&m, &explore_all(&m, limits()), DOWN_DETECTION)
    };
    assert_eq!(detection, (finite(5000), finite(6000)));
    // 10 requests a second, a third of them to the hung server for 5 to 6 s.
    assert_eq!(
        failed(&leastconn(None, |_| {})),
        (Amount::Finite(16), Amount::Finite(21))
    );
    // A timeout longer than the detection window: the first request is the only one.
    assert_eq!(
        failed(&leastconn(Some("60s"), |_| {})),
        (Amount::Finite(1), Amount::Finite(1))
    );
    // One a second, from the first, until the server is marked down 5 to 6 s after it hung.
    assert_eq!(
        failed(&leastconn(Some("1s"), |_| {})),
        (Amount::Finite(5), Amount::Finite(6))
    );
}

/// Least connections among servers that are all busy is still one of them: a lone hung server
/// gets every request, as with round robin.
#[test]
fn leastconn_picks_a_busy_server_when_every_server_is_busy() {
    let failed = |m: &Lb| measure(m, &explore_all(m, limits()), FAILED_REQUESTS);
    let alone = |s: &mut Scenario| s.masters = 1;
    let rr = failed(&leastconn(None, alone));
    assert_eq!(rr.0, Amount::Finite(49));
    assert_eq!(failed(&leastconn(Some("60s"), alone)), rr);
}

/// A hung server that answers again answers the connections it held: it is idle, and takes
/// requests in its turn again. Here m3 has crashed and is not yet marked down: it gets one
/// request in three; if m1 still counted as busy, m3 would get one in two.
#[test]
fn a_server_that_answers_again_holds_no_connection() {
    use stateright::Model;
    let m = leastconn(Some("60s"), |s| {
        s.crash = Some(1);
        s.heal = true;
    });
    let step = |s: &LbState, pick: &dyn Fn(&Action) -> bool| step(&m, s, pick);
    let mut s = m1_hangs_and_takes_a_request(&m);
    assert!(s.backends[0].held.is_some(), "m1 holds the request");
    s = step(&s, &|a| *a == Action::Crash(Target::Server(2)));
    s = step(&s, &|a| matches!(a, Action::Choose { .. }));
    s = step(&s, &|a| *a == Action::Unhang(0));
    let (mut requests, mut failed) = (0, 0);
    while requests < 6 {
        let mut actions = Vec::new();
        m.actions(&s, &mut actions);
        if actions.contains(&Action::Request) {
            s = step(&s, &|a| *a == Action::Request);
            requests += 1;
            failed += usize::from(s.last.is_some());
        } else {
            s = step(&s, &|a| {
                matches!(
                    a,
                    Action::Choose { .. } | Action::Advance(_) | Action::Check { .. }
                )
            });
        }
    }
    assert!(s.backends[2].since.is_some(), "m3 is not marked down yet");
    assert_eq!(failed, 2, "m3 got two of six requests");
}

/// Each HAProxy counts only its own connections: when the VIP moves, the new holder sends the
/// hung server (not yet marked down) its turn at once, though the old holder's connection to
/// it is still open.
#[test]
fn a_new_holder_of_the_vip_counts_no_connection_of_the_old_one() {
    let m = leastconn(Some("60s"), |s| {
        s.frontend = Some(Frontend::Vip);
        s.lb_crash = Some(1);
        s.vip_failover = ms("1s");
    });
    let step = |s: &LbState, pick: &dyn Fn(&Action) -> bool| step(&m, s, pick);
    let time = |a: &Action| {
        matches!(
            a,
            Action::Choose { .. } | Action::Advance(_) | Action::Request | Action::Check { .. }
        )
    };
    let mut s = m1_hangs_and_takes_a_request(&m);
    assert_eq!(s.last.map(|f| f.to), Some(Some(0)), "m1 took the request");
    s = step(&s, &|a| *a == Action::Crash(Target::Balancer(0)));
    while s.holder.is_none() {
        s = step(&s, &|a| *a == Action::TakeOver(1) || time(a));
    }
    // Three requests at most reach m1 in its turn; with no connection counted it fails.
    let to_m1 = (0..20).any(|_| {
        s = step(&s, &time);
        s.last
            .is_some_and(|f| f.to == Some(0) && f.why == state::Why::NoAnswer)
    });
    assert!(to_m1, "lb2 sends m1 a request within 20 steps");
}
