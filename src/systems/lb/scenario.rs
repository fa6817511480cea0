//! The load balancer's scenario fields: the front end, HAProxy's check settings, the request
//! rate and the faults, validated once into an [`LbScenario`] whose durations are whole ticks.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::scenario::{Scenario, ScenarioError, MAX_MASTERS};

/// What stands between the clients and the API servers (`--frontend`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Frontend {
    /// No load balancer: every client's kubeconfig names master 1's address.
    None,
    /// One HAProxy in front of the masters: itself a single point of failure.
    Single,
    /// A floating VIP held by one of several HAProxy instances (keepalived or kube-vip style),
    /// which moves to a standby after a failover delay when its holder fails.
    Vip,
}

impl Frontend {
    pub fn name(self) -> &'static str {
        match self {
            Frontend::None => "none",
            Frontend::Single => "single",
            Frontend::Vip => "vip",
        }
    }
}

/// HAProxy's health check of each API server (`--check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum CheckType {
    /// `option tcp-check` with no rules: the check passes once the TCP connection is accepted.
    Tcp,
    /// `option httpchk GET /readyz` with `http-check expect status 200`.
    Http,
}

impl CheckType {
    pub fn name(self) -> &'static str {
        match self {
            CheckType::Tcp => "tcp",
            CheckType::Http => "http",
        }
    }
}

/// How HAProxy picks a server for a new connection (`--balance`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Balance {
    /// Each server in turn.
    #[default]
    Roundrobin,
    /// The server with the fewest open connections; round robin among equals.
    Leastconn,
}

impl Balance {
    pub fn name(self) -> &'static str {
        match self {
            Balance::Roundrobin => "roundrobin",
            Balance::Leastconn => "leastconn",
        }
    }
}

/// HAProxy `timeout server` when none is given: HAProxy itself has no default (it warns and
/// waits forever); 30s is a common setting in front of API servers.
pub const DEFAULT_TIMEOUT_SERVER: u32 = 30_000;

/// The balancer software (`--lb`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum LbKind {
    /// HAProxy's active health checks.
    #[default]
    Haproxy,
    /// nginx open source: no active checks, passive ones (`max_fails`, `fail_timeout`), and a
    /// refused connection tried on the next server (`proxy_next_upstream`).
    Nginx,
}

/// A duration as configuration files write it: `2s`, `200ms`, `1.5s`. A bare number is refused:
/// HAProxy reads one as milliseconds and people write seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct Millis(pub u32);

impl Millis {
    /// Parses `2s`, `200ms`, `1.5s`.
    pub fn parse(text: &str) -> Result<Millis, String> {
        let t = text.trim();
        let bad = || {
            format!("{t:?} is not a duration: write a whole number of ms or s, e.g. 200ms or 2s")
        };
        let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
            (n, 1.0)
        } else if let Some(n) = t.strip_suffix('s') {
            (n, 1000.0)
        } else if t.parse::<f64>().is_ok() {
            return Err(format!(
                "{t:?} has no unit: write {t}ms or {t}s (HAProxy reads a bare number as ms)"
            ));
        } else {
            return Err(bad());
        };
        let value: f64 = number.trim().parse().map_err(|_| bad())?;
        let ms = value * scale;
        if !ms.is_finite() || ms < 0.0 || ms > f64::from(u32::MAX) || ms.fract() != 0.0 {
            return Err(bad());
        }
        Ok(Millis(ms as u32))
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= 1000 && self.0.is_multiple_of(1000) {
            write!(f, "{}s", self.0 / 1000)
        } else {
            write!(f, "{}ms", self.0)
        }
    }
}

impl From<Millis> for String {
    fn from(m: Millis) -> String {
        m.to_string()
    }
}

impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Millis, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Millis;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration with a unit, such as \"200ms\" or \"2s\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Millis, E> {
                Millis::parse(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Millis, E> {
                Err(E::custom(format!(
                    "{v} has no unit: write \"{v}ms\" or \"{v}s\" (HAProxy reads a bare number as ms)"
                )))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Millis, E> {
                Err(E::custom(format!(
                    "{v} has no unit: write \"{v}s\" or a whole number of ms"
                )))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Default tick: 10 ms, finer than any HAProxy timer people set.
pub const DEFAULT_TICK: u32 = 10;
/// Most ticks in one configured duration: each tick of a check interval is a moment a failure
/// may land on, so the bound keeps the exploration small.
pub const MAX_TICKS: u32 = 10_000;
/// Most consecutive checks `rise` and `fall` may ask for.
pub const MAX_RISE_FALL: u32 = 10;
/// Most connection retries.
pub const MAX_RETRIES: u32 = 10;
/// Most HAProxy instances sharing the VIP.
pub const MAX_BALANCERS: u32 = 3;
/// Most client requests per second.
pub const MAX_RATE: u32 = 1000;

/// A validated load-balancer scenario. Durations are in ticks of `tick_ms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LbScenario {
    pub model: &'static str,
    pub masters: u8,
    pub frontend: Frontend,
    /// HAProxy instances: 0 with no front end, 1 for `single`, 2 or 3 sharing the VIP.
    pub balancers: u8,
    pub lb: LbKind,
    pub check: CheckType,
    pub tick_ms: u32,
    pub inter: u16,
    pub fastinter: u16,
    pub downinter: u16,
    /// How long a check waits for an answer from a backend that accepted its connection:
    /// `timeout check` if set, `inter` otherwise (HAProxy).
    pub check_timeout: u16,
    /// Whether `timeout check` was set (for the scenario's words).
    pub timeout_check_set: bool,
    pub rise: u8,
    pub fall: u8,
    pub retries: u8,
    pub redispatch: bool,
    pub balance: Balance,
    /// With `balance leastconn`: HAProxy `timeout server`, how long a connection to a server
    /// that never answers stays open, counted against that server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_server: Option<u16>,
    /// Requests per second, and the ticks between two.
    pub request_rate: u32,
    pub request_every: u16,
    pub vip_failover: u16,
    /// nginx: failed attempts that make a server unavailable, and for how long (ticks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_fails: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_timeout: Option<u16>,
    /// API servers that may crash, hang; balancer instances that may crash.
    pub crash: u8,
    pub hang: u8,
    pub lb_crash: u8,
    pub heal: bool,
    pub symmetry: bool,
    /// Cluster model: API servers over etcd, and the etcd network may split once.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub etcd: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partition: bool,
    /// Cluster model: how `kubectl get` reads (a quorum read by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reads: Option<crate::scenario::Reads>,
}

impl LbScenario {
    /// Ticks as words: "2s", "150ms".
    pub fn time(&self, ticks: u32) -> String {
        Millis(ticks * self.tick_ms).to_string()
    }

    /// The scenario in words, for report headers.
    pub fn describe(&self) -> String {
        let software = match self.lb {
            LbKind::Haproxy => "HAProxy",
            LbKind::Nginx => "nginx",
        };
        let front = match self.frontend {
            Frontend::None => "no load balancer: clients pinned to m1".to_string(),
            Frontend::Single => format!("one {software} in front"),
            Frontend::Vip => format!(
                "a VIP shared by {} {software} instances (failover {})",
                self.balancers,
                self.time(self.vip_failover.into())
            ),
        };
        let mut faults = Vec::new();
        if self.crash > 0 {
            faults.push(format!(
                "up to {} {} crash{}",
                self.crash,
                if self.etcd {
                    "master (API server and etcd member)"
                } else {
                    "API server"
                },
                if self.crash == 1 { "" } else { "es" }
            ));
        }
        if self.hang > 0 {
            faults.push(format!(
                "up to {} hung API server{}",
                self.hang,
                if self.hang == 1 { "" } else { "s" }
            ));
        }
        if self.lb_crash > 0 {
            faults.push(format!(
                "up to {} balancer crash{}",
                self.lb_crash,
                if self.lb_crash == 1 { "" } else { "es" }
            ));
        }
        let checks = if self.frontend == Frontend::None {
            String::new()
        } else if let (Some(max_fails), Some(fail_timeout)) = (self.max_fails, self.fail_timeout) {
            format!(
                ", nginx passive checks max_fails={max_fails} fail_timeout={} (a refused connection is tried on the next server)",
                self.time(fail_timeout.into())
            )
        } else {
            let mut c = format!(
                ", {} check inter {} rise {} fall {}",
                self.check.name(),
                self.time(self.inter.into()),
                self.rise,
                self.fall
            );
            if self.fastinter != self.inter {
                c += &format!(" fastinter {}", self.time(self.fastinter.into()));
            }
            if self.downinter != self.inter {
                c += &format!(" downinter {}", self.time(self.downinter.into()));
            }
            if self.timeout_check_set {
                c += &format!(", timeout check {}", self.time(self.check_timeout.into()));
            }
            c += &format!(", retries {}", self.retries);
            if self.redispatch {
                c += ", option redispatch";
            }
            if let Some(t) = self.timeout_server {
                c += &format!(
                    ", balance leastconn (timeout server {})",
                    self.time(t.into())
                );
            }
            c
        };
        if self.partition {
            faults.push("one network partition between the masters".to_string());
        }
        let etcd = if self.etcd {
            format!(
                " (each over its own etcd member, quorum {}{})",
                self.masters / 2 + 1,
                match self.reads {
                    Some(crate::scenario::Reads::Serializable) => {
                        ", kubectl get served from the watch cache"
                    }
                    _ => "",
                }
            )
        } else {
            String::new()
        };
        format!(
            "{} API server{}{etcd} behind {front}{checks}, {} request{}/s, {}, {}, {} ms ticks",
            self.masters,
            if self.masters == 1 { "" } else { "s" },
            self.request_rate,
            if self.request_rate == 1 { "" } else { "s" },
            faults.join(" and "),
            if self.heal {
                "what fails recovers"
            } else {
                "no recovery"
            },
            self.tick_ms
        )
    }
}

/// Whole ticks in a duration, or the error that says why not.
pub(crate) fn ticks(field: &'static str, d: Millis, tick: u32) -> Result<u16, ScenarioError> {
    if d.0 == 0 {
        return Err(ScenarioError::ZeroDuration { field });
    }
    if !d.0.is_multiple_of(tick) {
        return Err(ScenarioError::Tick {
            field,
            value: d.to_string(),
            tick,
        });
    }
    let n = d.0 / tick;
    if n > MAX_TICKS {
        return Err(ScenarioError::TooManyTicks {
            field,
            value: d.to_string(),
            tick,
            ticks: n,
        });
    }
    Ok(n as u16)
}

pub(crate) fn count(
    field: &'static str,
    v: Option<u32>,
    low: u32,
    high: u32,
    default: u32,
) -> Result<u8, ScenarioError> {
    let v = v.unwrap_or(default);
    if !(low..=high).contains(&v) {
        return Err(ScenarioError::Range {
            field,
            low,
            high,
            got: v,
        });
    }
    Ok(v as u8)
}

/// The name of the first field that is set.
pub(crate) fn first_set<const N: usize>(fields: [(bool, &'static str); N]) -> Option<&'static str> {
    fields
        .into_iter()
        .find(|(set, _)| *set)
        .map(|(_, name)| name)
}

/// The first etcd field a load-balancer scenario sets, if any; the cluster model reads
/// `partition` and `reads` itself.
fn raft_field(s: &Scenario, cluster: bool) -> Option<&'static str> {
    let d = Scenario::default();
    first_set([
        (s.quorum.is_some(), "quorum"),
        (s.partition && !cluster, "partition"),
        (s.pre_vote, "pre-vote"),
        (s.max_term != d.max_term, "max-term"),
        (s.writes != d.writes, "writes"),
        (!s.unsafe_rules.is_empty(), "unsafe"),
        (s.reads.is_some() && !cluster, "reads"),
        (s.link_faults != 0, "link-faults"),
        (s.splits != d.splits, "splits"),
        (s.pauses != 0, "pauses"),
        (s.client_timeouts, "client-timeouts"),
        (s.crash_loses_unsynced, "crash-loses-unsynced"),
        (s.network != d.network, "network"),
        (s.max_in_flight.is_some(), "max-in-flight"),
        (!s.recovery.is_empty(), "recovery"),
        (s.config_on_append, "config-on-append"),
    ])
}

/// HAProxy's own settings, each with whether the scenario sets it.
fn haproxy_fields(s: &Scenario) -> [(bool, &'static str); 11] {
    [
        (s.check.is_some(), "check"),
        (s.inter.is_some(), "inter"),
        (s.fastinter.is_some(), "fastinter"),
        (s.downinter.is_some(), "downinter"),
        (s.timeout_check.is_some(), "timeout-check"),
        (s.rise.is_some(), "rise"),
        (s.fall.is_some(), "fall"),
        (s.retries.is_some(), "retries"),
        (s.redispatch, "redispatch"),
        (s.balance.is_some(), "balance"),
        (s.timeout_server.is_some(), "timeout-server"),
    ]
}

/// The first load-balancer field a Raft scenario sets, if any.
pub fn lb_field(s: &Scenario) -> Option<&'static str> {
    first_set([
        (s.frontend.is_some(), "frontend"),
        (s.balancers.is_some(), "balancers"),
        (s.lb.is_some(), "lb"),
    ])
    .or_else(|| first_set(haproxy_fields(s)))
    .or_else(|| {
        first_set([
            (s.tick.is_some(), "tick"),
            (s.request_rate.is_some(), "request-rate"),
            (s.vip_failover.is_some(), "vip-failover"),
            (s.hang.is_some(), "hang"),
            (s.lb_crash.is_some(), "lb-crash"),
            (s.max_fails.is_some(), "max-fails"),
            (s.fail_timeout.is_some(), "fail-timeout"),
        ])
    })
}

/// Checks a load-balancer scenario and resolves its defaults: HAProxy's (`inter 2s`, `rise 2`,
/// `fall 3`, `retries 3`, `fastinter` and `downinter` equal to `inter`), a single HAProxy in
/// front, TCP checks, 10 requests per second and one crash.
pub fn validate(s: &Scenario, cluster: bool) -> Result<LbScenario, ScenarioError> {
    if let Some(field) = raft_field(s, cluster) {
        return Err(ScenarioError::RaftFieldForLb {
            field,
            model: if cluster { "cluster" } else { "lb" },
        });
    }
    if let Some(field) = crate::systems::reconcile::scenario::reconcile_field(s) {
        return Err(ScenarioError::ReconcileField { field });
    }
    let masters = s.masters;
    if !(1..=MAX_MASTERS).contains(&masters) {
        return Err(ScenarioError::Masters(masters));
    }
    if s.partition && masters < 2 {
        return Err(ScenarioError::PartitionOfOne);
    }
    let frontend = s.frontend.unwrap_or(Frontend::Single);
    let balancers = match (frontend, s.balancers) {
        (Frontend::None, None) => 0,
        (Frontend::Single, None) => 1,
        (Frontend::Vip, None) => 2,
        (Frontend::Vip, Some(n)) if (2..=MAX_BALANCERS).contains(&n) => n as u8,
        (Frontend::Vip, Some(n)) => {
            return Err(ScenarioError::Range {
                field: "balancers",
                low: 2,
                high: MAX_BALANCERS,
                got: n,
            })
        }
        (f, Some(_)) => return Err(ScenarioError::BalancersWithout { frontend: f.name() }),
    };
    let lb = s.lb.unwrap_or_default();
    if lb == LbKind::Nginx {
        // nginx open source has no active checks and retries every server on a refused
        // connection: HAProxy's settings mean nothing to it.
        if let Some(field) = first_set(haproxy_fields(s)) {
            return Err(ScenarioError::HaproxyFieldForNginx { field });
        }
        if frontend == Frontend::None {
            return Err(ScenarioError::NginxWithoutBalancer);
        }
    } else if let Some(field) = [
        (s.max_fails.is_some(), "max-fails"),
        (s.fail_timeout.is_some(), "fail-timeout"),
    ]
    .into_iter()
    .find(|(set, _)| *set)
    .map(|(_, f)| f)
    {
        return Err(ScenarioError::NginxFieldForHaproxy { field });
    }
    let check = s.check.unwrap_or(CheckType::Tcp);
    if frontend == Frontend::None {
        if s.check == Some(CheckType::Http) {
            return Err(ScenarioError::CheckWithoutBalancer);
        }
        if s.vip_failover.is_some() {
            return Err(ScenarioError::VipFailoverWithout { frontend: "none" });
        }
        if s.balance.is_some() {
            return Err(ScenarioError::BalanceWithoutBalancer);
        }
    }
    if frontend == Frontend::Single && s.vip_failover.is_some() {
        return Err(ScenarioError::VipFailoverWithout { frontend: "single" });
    }
    let tick = s.tick.unwrap_or(Millis(DEFAULT_TICK));
    if tick.0 == 0 {
        return Err(ScenarioError::ZeroDuration { field: "tick" });
    }
    let tick_ms = tick.0;
    let inter = ticks("inter", s.inter.unwrap_or(Millis(2000)), tick_ms)?;
    let fastinter = match s.fastinter {
        Some(d) => ticks("fastinter", d, tick_ms)?,
        None => inter,
    };
    let downinter = match s.downinter {
        Some(d) => ticks("downinter", d, tick_ms)?,
        None => inter,
    };
    // HAProxy accepts a `timeout check` longer than `inter`: the next check waits for the
    // current one to end, then for the interval.
    let check_timeout = match s.timeout_check {
        Some(d) => ticks("timeout-check", d, tick_ms)?,
        None => inter,
    };
    let rise = count("rise", s.rise, 1, MAX_RISE_FALL, 2)?;
    let fall = count("fall", s.fall, 1, MAX_RISE_FALL, 3)?;
    let retries = count("retries", s.retries, 0, MAX_RETRIES, 3)?;
    let request_rate = s.request_rate.unwrap_or(10);
    if !(1..=MAX_RATE).contains(&request_rate) {
        return Err(ScenarioError::Range {
            field: "request-rate",
            low: 1,
            high: MAX_RATE,
            got: request_rate,
        });
    }
    if 1000 % request_rate != 0 {
        return Err(ScenarioError::RequestRate { rate: request_rate });
    }
    let request_every =
        ticks("request-rate", Millis(1000 / request_rate), tick_ms).map_err(|_| {
            ScenarioError::RateTick {
                rate: request_rate,
                tick: tick_ms,
            }
        })?;
    let vip_failover = ticks(
        "vip-failover",
        s.vip_failover.unwrap_or(Millis(3000)),
        tick_ms,
    )?;
    let balance = s.balance.unwrap_or_default();
    let timeout_server = match (balance, s.timeout_server) {
        (Balance::Leastconn, d) => Some(ticks(
            "timeout-server",
            d.unwrap_or(Millis(DEFAULT_TIMEOUT_SERVER)),
            tick_ms,
        )?),
        (Balance::Roundrobin, Some(_)) => return Err(ScenarioError::TimeoutServerWithout),
        (Balance::Roundrobin, None) => None,
    };
    let (max_fails, fail_timeout) = if lb == LbKind::Nginx {
        (
            Some(count("max-fails", s.max_fails, 1, MAX_RISE_FALL, 1)?),
            Some(ticks(
                "fail-timeout",
                s.fail_timeout.unwrap_or(Millis(10_000)),
                tick_ms,
            )?),
        )
    } else {
        (None, None)
    };
    let hang = s.hang.unwrap_or(0);
    if hang > masters {
        return Err(ScenarioError::Range {
            field: "hang",
            low: 0,
            high: masters,
            got: hang,
        });
    }
    let lb_crash = s.lb_crash.unwrap_or(0);
    if lb_crash > 0 && balancers == 0 {
        return Err(ScenarioError::LbCrashWithoutBalancer);
    }
    if lb_crash > u32::from(balancers) {
        return Err(ScenarioError::Range {
            field: "lb-crash",
            low: 0,
            high: u32::from(balancers),
            got: lb_crash,
        });
    }
    let crash = s
        .crash
        .unwrap_or(if hang > 0 || lb_crash > 0 || s.partition {
            0
        } else {
            1
        });
    if crash + hang > masters {
        return Err(ScenarioError::Range {
            field: "crash + hang",
            low: 0,
            high: masters,
            got: crash + hang,
        });
    }
    if crash + hang + lb_crash == 0 && !s.partition {
        return Err(ScenarioError::LbWithoutFaults);
    }
    Ok(LbScenario {
        model: if cluster { "cluster" } else { "lb" },
        masters: masters as u8,
        frontend,
        balancers,
        lb,
        check,
        tick_ms,
        inter,
        fastinter,
        downinter,
        check_timeout,
        timeout_check_set: s.timeout_check.is_some(),
        rise,
        fall,
        retries,
        redispatch: s.redispatch,
        balance,
        timeout_server,
        request_rate,
        request_every,
        vip_failover,
        max_fails,
        fail_timeout,
        crash: crash as u8,
        hang: hang as u8,
        lb_crash: lb_crash as u8,
        heal: s.heal,
        symmetry: s.symmetry,
        etcd: cluster,
        partition: s.partition,
        reads: if cluster { s.reads } else { None },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(Millis::parse("2s"), Ok(Millis(2000)));
        assert_eq!(Millis::parse("200ms"), Ok(Millis(200)));
        assert_eq!(Millis::parse("1.5s"), Ok(Millis(1500)));
        assert!(Millis::parse("2000").unwrap_err().contains("no unit"));
        assert!(Millis::parse("2m").is_err());
        assert!(Millis::parse("0.0001s").is_err());
        assert_eq!(Millis(2000).to_string(), "2s");
        assert_eq!(Millis(1500).to_string(), "1500ms");
    }
}
