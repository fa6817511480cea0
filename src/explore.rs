//! `kcheck explore`: the scenario's model in stateright's web explorer.
//!
//! The explorer runs stateright's own on-demand checker over [`Explorable`], a wrapper of the
//! model that lists kcheck's whole property catalogue as stateright properties, so the page can
//! jump to each property's counterexample:
//! - an invariant becomes `always` (the counterexample is a path to a violating state);
//! - a possibility becomes `sometimes` (the example is a path to a state that satisfies it);
//! - a recoverability property becomes `always` "the goal is still reachable from here". That
//!   condition is global, so stateright cannot evaluate it on a state by itself: kcheck's engine
//!   decides the property first, exactly as `verify` does, and the wrapper looks each state up
//!   in the set of dead states that decision found.
//!
//! stateright's checker searches depth-first, so its own discoveries can be long detours. kcheck
//! serves the page through a thin front that hands each property's discovery over to kcheck's
//! own: the shortest trace, the same one `verify` prints (its steps given as the explorer's
//! action indices). States read like the text reports (the models' `Debug`), each step shows
//! what changed and then the whole state, and the checker starts running to completion at once,
//! so the state counts fill in without a click.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

use rustc_hash::FxHashSet;
use stateright::Model;
use thiserror::Error;

use crate::cli::ExploreArgs;
use crate::engine::{self, recoverability, trace, Limits, Search};
use crate::progress::Meter;
use crate::property::{Cut, Kind, Trace, Verdict};
use crate::scenario::{ModelKind, ScenarioError};
use crate::systems::raft::Raft;
use crate::systems::System;

#[derive(Debug, Error)]
pub enum ExploreError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("--bind `{0}`: expected HOST:PORT or PORT, e.g. 127.0.0.1:3000")]
    Address(String),
    #[error("cannot serve on {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
    #[error("--max-states must be at least 1")]
    MaxStates,
    #[error("the explorer lists at most {MAX_PROPERTIES} properties (the model has {0})")]
    TooManyProperties(usize),
}

/// Serves the explorer until the process is stopped.
pub fn run(args: &ExploreArgs) -> Result<u8, ExploreError> {
    let scenario = args.scenario.scenario()?;
    let valid = scenario.validate()?;
    let addr = address(&args.bind)?;
    if args.max_states == 0 {
        return Err(ExploreError::MaxStates);
    }
    let front = tiny_http::Server::http(addr).map_err(|e| ExploreError::Bind {
        addr,
        reason: match e.downcast_ref::<std::io::Error>() {
            Some(io) => bind_reason(io),
            None => e.to_string(),
        },
    })?;
    // Port 0 asks for any free port: name the one it got.
    let addr = front.server_addr().to_ip().unwrap_or(addr);
    if !addr.ip().is_loopback() {
        eprintln!("kcheck: note: {addr} is reachable from other machines");
    }
    let limits = Limits {
        max_states: args.max_states,
        timeout: None,
    };
    let explorable = match scenario.model {
        ModelKind::Raft => Explorable::new(Raft::new(&valid), limits, !args.quiet)?,
    };
    for line in explorable.notes() {
        eprintln!("{line}");
    }
    let discoveries = explorable.discoveries.clone();
    let title = valid.describe();
    // stateright's own server, on a loopback port of its own behind the front.
    let back = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map_err(|e| ExploreError::Bind {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            reason: e.to_string(),
        })?;
    let max_states = args.max_states;
    std::thread::spawn(move || {
        explorable
            .checker()
            .target_state_count(max_states)
            .serve(back);
    });
    std::thread::spawn(move || start_running(back));
    eprintln!(
        "kcheck explore: {} on http://{addr}/ (Ctrl-C stops)",
        valid.describe()
    );
    for mut request in front.incoming_requests() {
        let response = match forward(&mut request, back) {
            Ok((status, content_type, body)) => {
                let body = if status == 200 && is_json(request.url()) {
                    with_discoveries(&body, &discoveries, &title)
                } else {
                    body
                };
                let mut response = tiny_http::Response::from_data(body).with_status_code(status);
                if let Some(ct) = content_type.and_then(|v| {
                    tiny_http::Header::from_bytes(&b"Content-Type"[..], v.as_bytes()).ok()
                }) {
                    response.add_header(ct);
                }
                response
            }
            Err(e) => tiny_http::Response::from_string(format!("explorer not ready: {e}"))
                .with_status_code(503),
        };
        let _ = request.respond(response);
    }
    Ok(0)
}

/// The explorer's JSON endpoints, whose property lists carry discoveries.
fn is_json(url: &str) -> bool {
    url == "/.status" || url.starts_with("/.states")
}

/// Passes a request on to stateright's server; returns its status, content type and body.
/// HTTP/1.0, so the answer comes whole (never chunked) and ends when the connection closes.
fn forward(
    request: &mut tiny_http::Request,
    back: SocketAddr,
) -> std::io::Result<(u16, Option<String>, Vec<u8>)> {
    let mut body = Vec::new();
    request.as_reader().read_to_end(&mut body)?;
    let mut stream = TcpStream::connect(back)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let head = format!(
        "{} {} HTTP/1.0\r\nHost: {back}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        request.method(),
        request.url(),
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "malformed answer");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(bad)?;
    let head = String::from_utf8_lossy(&answer[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(bad)?;
    let mut content_type = None;
    for line in head.lines().skip(1) {
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-type") {
                content_type = Some(value.trim().to_string());
            }
            if name.eq_ignore_ascii_case("transfer-encoding") && value.contains("chunked") {
                return Err(std::io::Error::other("chunked answers are not expected"));
            }
        }
    }
    Ok((status, content_type, answer[split + 4..].to_vec()))
}

/// Replaces the discovery of every property kcheck decided by kcheck's own, wherever the JSON
/// lists properties (`[expectation, name, path]` entries), and names the model by its scenario.
pub fn with_discoveries(
    body: &[u8],
    discoveries: &[(&'static str, Option<String>)],
    title: &str,
) -> Vec<u8> {
    let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(body) else {
        return body.to_vec();
    };
    if let Some(model) = json.get_mut("model") {
        *model = title.into();
    }
    fn walk(v: &mut serde_json::Value, d: &[(&'static str, Option<String>)]) {
        match v {
            serde_json::Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if key == "properties" {
                        if let Some(list) = value.as_array_mut() {
                            for entry in list {
                                replace(entry, d);
                            }
                        }
                    } else {
                        walk(value, d);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|i| walk(i, d)),
            _ => {}
        }
    }
    fn replace(entry: &mut serde_json::Value, d: &[(&'static str, Option<String>)]) {
        let Some(fields) = entry.as_array_mut() else {
            return;
        };
        let Some(name) = fields.get(1).and_then(|n| n.as_str()) else {
            return;
        };
        if let Some((_, path)) = d.iter().find(|(n, _)| *n == name) {
            if fields.len() == 3 {
                fields[2] = path.clone().map_or(serde_json::Value::Null, Into::into);
            }
        }
    }
    walk(&mut json, discoveries);
    serde_json::to_vec(&json).unwrap_or_else(|_| body.to_vec())
}

/// `PORT`, `HOST:PORT` or `[V6]:PORT`; a bare port means loopback.
fn address(text: &str) -> Result<SocketAddr, ExploreError> {
    let bad = || ExploreError::Address(text.to_string());
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    // A host name such as localhost:3000: its first address.
    let (_, port) = text.rsplit_once(':').ok_or_else(bad)?;
    port.parse::<u16>().map_err(|_| bad())?;
    text.to_socket_addrs()
        .map_err(|_| bad())?
        .next()
        .ok_or_else(bad)
}

fn bind_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            "address already in use (is another explorer running?)".into()
        }
        std::io::ErrorKind::AddrNotAvailable => "no such address on this machine".into(),
        std::io::ErrorKind::PermissionDenied => {
            "permission denied (ports below 1024 need privileges)".into()
        }
        _ => e.to_string(),
    }
}

/// Asks the server, once it answers, to run its checker to completion, so every property's
/// discovery shows up without a click on "Run to completion".
fn start_running(addr: SocketAddr) {
    for _ in 0..200 {
        if let Ok(mut stream) = TcpStream::connect(addr) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let request = format!(
                "POST /.runtocompletion HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            if stream.write_all(request.as_bytes()).is_ok() {
                let mut answer = Vec::new();
                let _ = stream.read_to_end(&mut answer);
            }
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The most properties a model may list in the explorer (one condition function each).
pub const MAX_PROPERTIES: usize = 16;

/// How the explorer decides one property on a state.
enum Check<M: System> {
    Invariant(fn(&M, &M::State) -> Option<String>),
    Possibility(fn(&M, &M::State) -> bool),
    /// The goal is still reachable from every state but these (representatives, as the engine
    /// stores them).
    Recoverable(FxHashSet<M::State>),
    /// kcheck's search was cut: the explorer leaves the property out.
    Undecided(Cut),
}

/// A model with its property catalogue in stateright's form; see the module docs.
pub struct Explorable<M: System> {
    pub model: M,
    checks: Vec<(&'static str, Check<M>)>,
    /// Each decided property's discovery, in the explorer's path encoding (initial state
    /// index, then one action index per step); `None` when there is none (an invariant or a
    /// recoverability property that holds, an impossible possibility).
    pub discoveries: Vec<(&'static str, Option<String>)>,
    /// Properties whose trace has no path in the explorer's encoding.
    unencoded: Vec<&'static str>,
}

impl<M: System> Explorable<M>
where
    M::State: Send + Sync,
{
    /// Decides every property with kcheck's engine (within `limits`), and wraps the model.
    pub fn new(model: M, limits: Limits, progress: bool) -> Result<Self, ExploreError> {
        let catalogue = M::catalogue();
        if catalogue.len() > MAX_PROPERTIES {
            return Err(ExploreError::TooManyProperties(catalogue.len()));
        }
        let meter = Meter::new(progress);
        let tick = |p| meter.tick(p);
        let graph = engine::explore(&model, Search::whole(limits, &tick));
        let rest = limits.after(graph.elapsed);
        let mut checks = Vec::new();
        let mut discoveries = Vec::new();
        let mut unencoded = Vec::new();
        for p in &catalogue {
            let (check, trace) = match &p.kind {
                Kind::Recoverability { goal, hopeless } => {
                    match recoverability::dead_states(&model, &graph, goal, *hopeless, &rest, &tick)
                    {
                        Ok(dead) => {
                            let trace = dead.first().map(|&id| trace::shortest(&model, &graph, id));
                            let dead = dead.into_iter().map(|id| graph.state(id).clone());
                            (Check::Recoverable(dead.collect()), Some(trace))
                        }
                        Err(cut) => (Check::Undecided(cut), None),
                    }
                }
                kind => {
                    let check = match kind {
                        Kind::Invariant(f) => Check::Invariant(*f),
                        Kind::Possibility(f) => Check::Possibility(*f),
                        Kind::Recoverability { .. } => unreachable!("handled above"),
                    };
                    let trace = match engine::decide(&model, &graph, p, &rest) {
                        Verdict::Violated(v) => Some(v.trace),
                        Verdict::Holds { witness, .. } => Some(witness),
                        Verdict::Incomplete(_) => None,
                    };
                    (check, trace)
                }
            };
            match trace {
                Some(Some(t)) => match encode(&model, &t) {
                    Some(path) => discoveries.push((p.name, Some(path))),
                    // Never expected (traces replay), but then the page keeps stateright's own
                    // discovery rather than showing none.
                    None => unencoded.push(p.name),
                },
                Some(None) => discoveries.push((p.name, None)),
                None => {}
            }
            checks.push((p.name, check));
        }
        meter.clear();
        Ok(Explorable {
            model,
            checks,
            discoveries,
            unencoded,
        })
    }
}

/// A trace as the explorer's path: the index of its initial state, then for each step the
/// index of the action (in the model's action order) that leads to the next state.
pub fn encode<M: System>(model: &M, trace: &Trace<M>) -> Option<String> {
    let init = model.init_states().iter().position(|s| *s == trace.init)?;
    let mut parts = vec![init.to_string()];
    let mut state = trace.init.clone();
    for (_, next) in &trace.steps {
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        let i = actions
            .into_iter()
            .position(|a| model.next_state(&state, a).as_ref() == Some(next))?;
        parts.push(i.to_string());
        state = next.clone();
    }
    Some(parts.join("/"))
}

impl<M: System> Explorable<M> {
    /// One line for each property the explorer leaves out or shows with stateright's own
    /// discovery.
    pub fn notes(&self) -> Vec<String> {
        let left_out = self.checks.iter().filter_map(|(name, c)| match c {
            Check::Undecided(cut) => Some(format!(
                "kcheck explore: {name} is left out of the explorer: {cut}"
            )),
            _ => None,
        });
        let own = self.unencoded.iter().map(|name| {
            format!("kcheck explore: {name}: kcheck's trace has no explorer path; the page shows stateright's own discovery")
        });
        left_out.chain(own).collect()
    }

    /// Whether property `i` of the catalogue holds on `state` (for a possibility: whether the
    /// state is an example of it).
    fn holds(&self, i: usize, state: &M::State) -> bool {
        match &self.checks[i].1 {
            Check::Invariant(f) => f(&self.model, state).is_none(),
            Check::Possibility(f) => f(&self.model, state),
            Check::Recoverable(dead) => match self.model.representative(state) {
                Some(rep) => !dead.contains(&rep),
                None => !dead.contains(state),
            },
            Check::Undecided(_) => true,
        }
    }
}

/// stateright's condition for catalogue entry `I`.
fn condition<M: System, const I: usize>(e: &Explorable<M>, state: &M::State) -> bool {
    e.holds(I, state)
}

/// stateright takes plain functions as conditions, so each catalogue position gets its own.
fn condition_at<M: System>(i: usize) -> fn(&Explorable<M>, &M::State) -> bool {
    macro_rules! table {
        ($($n:literal)*) => {
            match i {
                $($n => condition::<M, $n>,)*
                _ => |_, _| true,
            }
        };
    }
    table!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
}

impl<M: System> Model for Explorable<M>
where
    M::State: Send + Sync,
{
    type State = M::State;
    type Action = M::Action;

    fn init_states(&self) -> Vec<Self::State> {
        self.model.init_states()
    }

    fn actions(&self, state: &Self::State, actions: &mut Vec<Self::Action>) {
        self.model.actions(state, actions)
    }

    fn next_state(&self, state: &Self::State, action: Self::Action) -> Option<Self::State> {
        self.model.next_state(state, action)
    }

    fn format_action(&self, action: &Self::Action) -> String {
        self.model.describe(action)
    }

    /// What the step changed, then the whole state after it.
    fn format_step(&self, last: &Self::State, action: Self::Action) -> Option<String> {
        self.model.next_state(last, action).map(|next| {
            let changes = self.model.changes(last, &next);
            format!("{}\n\n{next:#?}", changes.join("\n"))
        })
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        self.checks
            .iter()
            .enumerate()
            .filter_map(|(i, (name, check))| match check {
                Check::Invariant(_) | Check::Recoverable(_) => {
                    Some(stateright::Property::always(name, condition_at::<M>(i)))
                }
                Check::Possibility(_) => {
                    Some(stateright::Property::sometimes(name, condition_at::<M>(i)))
                }
                Check::Undecided(_) => None,
            })
            .collect()
    }

    fn as_svg(&self, path: stateright::Path<Self::State, Self::Action>) -> Option<String> {
        self.model.picture(path.last_state())
    }

    fn within_boundary(&self, state: &Self::State) -> bool {
        self.model.within_boundary(state)
    }
}
