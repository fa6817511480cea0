//! `kcheck explore`: the scenario's model in a web page, step by step, with kcheck's verdicts.
//!
//! Two servers, one page:
//! - **stateright's explorer server** (on a loopback port of its own) serves the model's
//!   state-stepping API, `/.states/<path>`: the successors of the state a path leads to, each
//!   with its action, what changed, the whole state and its picture. Its checker is never asked
//!   to run: every verdict on the page is kcheck's.
//! - **kcheck's front** (on `--bind`) serves kcheck's own page, answers `/.kcheck` with the
//!   check's progress and then its report (the same verdicts, bounds and counts `verify`
//!   prints, with each counterexample or witness as an explorer path), and passes
//!   `/.states/<path>` on to stateright after checking that the path is a path of the model.
//!   On the way back it drops actions that change nothing and marks every state from kcheck's
//!   own results: an invariant it violates, a possibility it is an example of, a recoverability
//!   property whose goal is unreachable from it (the dead region kcheck found), and the
//!   counterexamples and witnesses that pass through it.
//!
//! The page is served at once; the check runs behind it and the page shows its progress, so a
//! large model is explorable while it is being checked.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustc_hash::FxHashSet;
use serde::Serialize;
use serde_json::{json, Value};
use stateright::Model;
use thiserror::Error;

use crate::check::{self, CheckError};
use crate::cli::ExploreArgs;
use crate::engine::{Deadline, Limits, Progress};
use crate::progress::Meter;
use crate::property::{Kind, Property, Trace, Verdict};
use crate::report::Report;
use crate::scenario::{ScenarioError, Valid};
use crate::systems::cluster::Cluster;
use crate::systems::lb::Lb;
use crate::systems::raft::Raft;
use crate::systems::reconcile::Reconcile;
use crate::systems::System;

#[derive(Debug, Error)]
pub enum ExploreError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error("--bind `{0}`: expected HOST:PORT or PORT, e.g. 127.0.0.1:3000")]
    Address(String),
    #[error("--bind `{0}`: cannot resolve host `{1}`")]
    Resolve(String, String),
    #[error("cannot serve on {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
    #[error("--max-states must be at least 1")]
    MaxStates,
}

const PAGE: &str = include_str!("ui/index.html");
const SCRIPT: &str = include_str!("ui/app.js");
const STYLE: &str = include_str!("ui/app.css");
const DOCS: &str = include_str!("../../README.md");

/// Serves the explorer until the process is stopped.
pub fn run(args: &ExploreArgs) -> Result<u8, ExploreError> {
    let scenario = args.scenario.scenario()?;
    let valid = scenario.validate()?;
    let addr = address(&args.bind)?;
    if args.budget.max_states == 0 {
        return Err(ExploreError::MaxStates);
    }
    let timeout = match args.budget.timeout {
        Some(t) => Some(check::timeout(t).ok_or(CheckError::Timeout(t))?),
        None => None,
    };
    // The deadline counts from when the check starts, as verify's does.
    let limits = Limits {
        max_states: args.budget.max_states,
        timeout: timeout.map(Deadline::from_now),
    };
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
    let description = scenario.description.clone();
    match &valid {
        Valid::Raft(s) => serve(
            Explorer::new(Raft::new(s), &valid, description),
            limits,
            args,
            front,
            addr,
        ),
        Valid::Lb(s) => serve(
            Explorer::new(Lb::new(s), &valid, description),
            limits,
            args,
            front,
            addr,
        ),
        Valid::Cluster(s) => serve(
            Explorer::new(Cluster::new(s), &valid, description),
            limits,
            args,
            front,
            addr,
        ),
        Valid::Reconcile(s) => serve(
            Explorer::new(Reconcile::new(s), &valid, description),
            limits,
            args,
            front,
            addr,
        ),
    }
}

fn serve<M: System + Send + 'static>(
    explorer: Explorer<M>,
    limits: Limits,
    args: &ExploreArgs,
    front: tiny_http::Server,
    addr: SocketAddr,
) -> Result<u8, ExploreError>
where
    M::State: Send + Sync,
    M::Action: PartialEq,
{
    let explorer = Arc::new(explorer);
    let back = start_stepping(&explorer)?;
    let checking = Arc::clone(&explorer);
    let progress = !args.budget.quiet;
    std::thread::spawn(move || checking.check(limits, progress));
    eprintln!(
        "kcheck explore: {}; serving http://{addr}/ (Ctrl-C stops)",
        explorer.scenario.describe()
    );
    for request in front.incoming_requests() {
        let response = explorer.answer(&request, back);
        let _ = request.respond(response);
    }
    Ok(0)
}

/// Starts stateright's server on a free loopback port of its own behind the front, and returns
/// its address once it answers. The port is free when chosen but could be taken before
/// stateright binds it (its server then stops at once): a few tries with other ports.
fn start_stepping<M: System + Send + 'static>(
    explorer: &Arc<Explorer<M>>,
) -> Result<SocketAddr, ExploreError>
where
    M::State: Send + Sync,
    M::Action: PartialEq,
{
    let loopback = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
    let mut reason = String::from("it did not start");
    for _ in 0..5 {
        let back = TcpListener::bind(loopback)
            .and_then(|l| l.local_addr())
            .map_err(|e| ExploreError::Bind {
                addr: loopback,
                reason: e.to_string(),
            })?;
        let stepping = Stepping(Arc::clone(explorer));
        let server = std::thread::spawn(move || {
            stepping.checker().serve(back);
        });
        let start = std::time::Instant::now();
        while !server.is_finished() && start.elapsed() < Duration::from_secs(5) {
            if TcpStream::connect(back).is_ok() {
                return Ok(back);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        reason = format!("the state-stepping server could not serve on {back}");
    }
    Err(ExploreError::Bind {
        addr: loopback,
        reason,
    })
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
    let (host, port) = text.rsplit_once(':').ok_or_else(bad)?;
    port.parse::<u16>().map_err(|_| bad())?;
    if host.is_empty() {
        return Err(bad());
    }
    let unresolved = || ExploreError::Resolve(text.to_string(), host.to_string());
    text.to_socket_addrs()
        .map_err(|_| unresolved())?
        .next()
        .ok_or_else(unresolved)
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

/// The model, its catalogue and what kcheck has decided so far: everything the front needs.
pub struct Explorer<M: System> {
    pub model: M,
    catalogue: Vec<Property<M>>,
    scenario: Valid,
    /// The scenario file's own description, if it has one.
    description: Option<String>,
    started: Instant,
    live: Mutex<Live<M>>,
}

/// The check behind the page, as far as it has got.
struct Live<M: System> {
    progress: Option<Progress>,
    decided: Option<Decided<M>>,
}

/// The finished check.
pub struct Decided<M: System> {
    /// The report `verify` would print, as JSON.
    pub report: Value,
    /// Each property's counterexample or witness as an explorer path (see [`encode`]), where
    /// it has one.
    pub paths: Vec<(&'static str, String)>,
    /// For each lasso among them: where its cycle starts (the number of steps before it).
    pub cycles: Vec<(&'static str, usize)>,
    /// For each recoverability property that was decided: the dead states (as the engine
    /// stores them, representatives under symmetry).
    dead: Vec<(&'static str, FxHashSet<M::State>)>,
    pub seconds: f64,
}

/// What kcheck says of one state for one property.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mark {
    pub property: &'static str,
    /// `violates` (an invariant fails here), `example` (a possibility is satisfied here),
    /// `dead` (no goal of a recoverability property is reachable from here), or `on-trace`
    /// (the property's counterexample or witness passes through here).
    pub mark: &'static str,
    /// Why, in words.
    pub note: String,
}

impl<M: System> Explorer<M>
where
    M::State: Send + Sync,
    M::Action: PartialEq,
{
    pub fn new(model: M, scenario: &Valid, description: Option<String>) -> Self {
        // Naming no property cannot fail: every property that applies to the scenario.
        let catalogue = check::select(&model, &[], "").unwrap_or_default();
        Explorer {
            model,
            catalogue,
            scenario: scenario.clone(),
            description,
            started: Instant::now(),
            live: Mutex::new(Live {
                progress: None,
                decided: None,
            }),
        }
    }

    fn live(&self) -> std::sync::MutexGuard<'_, Live<M>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs the check `verify` runs, within `limits`, publishing its progress and then its
    /// outcome to the page.
    pub fn check(&self, limits: Limits, progress: bool) {
        let meter = Meter::new(progress);
        let tick = |p: Progress| {
            meter.tick(p);
            self.live().progress = Some(p);
        };
        let checked = check::decide_all(&self.model, &self.catalogue, limits, &tick);
        meter.clear();
        let paths = checked
            .verdicts
            .iter()
            .filter_map(|(p, v)| {
                let trace = match v {
                    Verdict::Violated(x) => x.trace.as_ref(),
                    Verdict::Holds {
                        witness, extremes, ..
                    } => witness.as_ref().or(extremes.as_ref().map(|e| &e.max.1)),
                    Verdict::Incomplete(_) => None,
                }?;
                // Traces replay on the model, so every trace has a path. A lasso lives on the
                // model's liveness abstraction: its actions, replayed here, are the path.
                encode(&self.model, trace)
                    .or_else(|| encode_actions(&self.model, trace))
                    .map(|path| (p.name, path))
            })
            .collect();
        let cycles = checked
            .verdicts
            .iter()
            .filter_map(|(p, v)| match v {
                Verdict::Violated(x) => x.cycle_start.map(|c| (p.name, c)),
                _ => None,
            })
            .collect();
        let graph = &checked.graph;
        let dead = checked
            .dead
            .iter()
            .map(|(name, ids)| {
                (
                    *name,
                    ids.iter().map(|&id| graph.state(id).into_owned()).collect(),
                )
            })
            .collect();
        let seconds = self.started.elapsed().as_secs_f64();
        let report = Report::new(
            &self.model,
            &self.scenario,
            self.description.clone(),
            graph,
            checked.verdicts,
            seconds,
        );
        let decided = Decided {
            report: serde_json::to_value(&report).unwrap_or(Value::Null),
            paths,
            cycles,
            dead,
            seconds,
        };
        self.live().decided = Some(decided);
    }

    /// The page's view of the check: the scenario, the catalogue, and the progress or the
    /// report.
    pub fn status(&self) -> Value {
        let live = self.live();
        let properties: Vec<Value> = self
            .catalogue
            .iter()
            .map(|p| json!({"property": p.name, "kind": p.kind.label(), "meaning": p.meaning}))
            .collect();
        let progress = live.progress.map(|p| {
            json!({
                "stage": p.stage,
                "states": p.states,
                "depth": p.depth,
                "seconds": p.elapsed.as_secs_f64(),
            })
        });
        let decided = live.decided.as_ref().map(|d| {
            json!({
                "report": d.report,
                "paths": d.paths.iter().map(|(n, p)| (n.to_string(), Value::from(p.as_str())))
                    .collect::<serde_json::Map<_, _>>(),
                "seconds": d.seconds,
            })
        });
        let symmetry = self.model.reduces_symmetry();
        json!({
            "scenario": {
                "text": self.scenario.describe(),
                "description": self.description,
                "bounds": self.model.bounds(),
                "symmetry": symmetry,
                "fields": self.scenario,
            },
            "properties": properties,
            "done": decided.is_some(),
            "seconds": self.started.elapsed().as_secs_f64(),
            "progress": progress,
            "decided": decided,
        })
    }

    /// Follows an explorer path from the model's initial states: the state it leads to, or
    /// why it leads nowhere. An action the model ignores (no next state) is not a step.
    pub fn follow(&self, path: &[usize]) -> Result<M::State, String> {
        let inits = self.model.init_states();
        let Some((&first, steps)) = path.split_first() else {
            return Err("an empty path".into());
        };
        let mut state = inits.get(first).cloned().ok_or_else(|| {
            format!(
                "there {} {} initial state{}, and no initial state {first}",
                if inits.len() == 1 { "is" } else { "are" },
                inits.len(),
                if inits.len() == 1 { "" } else { "s" }
            )
        })?;
        for (depth, &i) in steps.iter().enumerate() {
            let mut actions = Vec::new();
            self.model.actions(&state, &mut actions);
            let next = actions
                .get(i)
                .and_then(|a| self.model.next_state(&state, a.clone()));
            state = next.ok_or_else(|| {
                format!(
                    "step {} takes action {i}, but the state after step {depth} has no such \
                     step (it has {} action{}, numbered from 0, some of them ignored)",
                    depth + 1,
                    actions.len(),
                    if actions.len() == 1 { "" } else { "s" }
                )
            })?;
        }
        Ok(state)
    }

    /// What kcheck says of `state`, reached by `path`: the invariants it violates, the
    /// possibilities it is an example of, the recoverability properties it is dead for, and the
    /// traces through it.
    pub fn marks(&self, state: &M::State, path: &str) -> Vec<Mark> {
        let live = self.live();
        let mut marks = Vec::new();
        for p in &self.catalogue {
            match &p.kind {
                Kind::Invariant(f) => {
                    if let Some(why) = f(&self.model, state) {
                        marks.push(Mark {
                            property: p.name,
                            mark: "violates",
                            note: why,
                        });
                    }
                }
                Kind::Possibility(f) => {
                    if f(&self.model, state) {
                        marks.push(Mark {
                            property: p.name,
                            mark: "example",
                            note: p.meaning.to_string(),
                        });
                    }
                }
                Kind::Recoverability { .. } => {
                    let dead = live
                        .decided
                        .as_ref()
                        .and_then(|d| d.dead.iter().find(|(n, _)| *n == p.name));
                    if let Some((_, dead)) = dead {
                        let rep = self.model.representative(state);
                        if dead.contains(rep.as_ref().unwrap_or(state)) {
                            marks.push(Mark {
                                property: p.name,
                                mark: "dead",
                                note: self.model.explain_stuck(state),
                            });
                        }
                    }
                }
                // A lasso is marked along its trace, below.
                Kind::Liveness(_) => {}
                Kind::Measure { value, unit } => {
                    if let Some(amount) = value(&self.model, state) {
                        marks.push(Mark {
                            property: p.name,
                            mark: "measured",
                            note: format!("{amount} {unit} measured here"),
                        });
                    }
                }
            }
        }
        if let Some(d) = &live.decided {
            for (name, trace) in &d.paths {
                let steps = trace.split('/').count() - 1;
                if trace == path || trace.starts_with(&format!("{path}/")) {
                    let at = path.split('/').count() - 1;
                    let cycle = d.cycles.iter().find(|(n, _)| n == name).map(|&(_, c)| c);
                    marks.push(Mark {
                        property: name,
                        mark: "on-trace",
                        note: match cycle {
                            Some(c) => format!(
                                "step {at} of {steps} of its lasso, whose steps {}–{steps} repeat for ever",
                                c + 1
                            ),
                            None => format!("step {at} of {steps} of its trace"),
                        },
                    });
                    if cycle == Some(at) {
                        marks.push(Mark {
                            property: name,
                            mark: "cycle",
                            note: format!(
                                "the lasso's cycle starts here: steps {}–{steps} come back to this state (as the model identifies states), for ever",
                                at + 1
                            ),
                        });
                    }
                }
            }
        }
        marks
    }

    /// kcheck's answer to one request of the page.
    fn answer(&self, request: &tiny_http::Request, back: SocketAddr) -> tiny_http::ResponseBox {
        let url = request.url();
        let typed = |body: String, kind: &str| {
            let mut r = tiny_http::Response::from_string(body);
            if let Ok(h) = tiny_http::Header::from_bytes(&b"Content-Type"[..], kind.as_bytes()) {
                r.add_header(h);
            }
            r.boxed()
        };
        if *request.method() != tiny_http::Method::Get {
            return typed("kcheck explore answers GET only".into(), "text/plain")
                .with_status_code(405)
                .boxed();
        }
        match url {
            "/" | "/index.html" => typed(PAGE.into(), "text/html; charset=utf-8"),
            "/app.js" => typed(SCRIPT.into(), "text/javascript; charset=utf-8"),
            "/app.css" => typed(STYLE.into(), "text/css; charset=utf-8"),
            "/docs" => typed(DOCS.into(), "text/plain; charset=utf-8"),
            "/.kcheck" => typed(self.status().to_string(), "application/json"),
            _ => match url.strip_prefix("/.states") {
                Some(path) => match self.states(path, back) {
                    Ok(v) => typed(v.to_string(), "application/json"),
                    Err((status, why)) => typed(why, "text/plain; charset=utf-8")
                        .with_status_code(status)
                        .boxed(),
                },
                None => typed(format!("no page at {url}"), "text/plain; charset=utf-8")
                    .with_status_code(404)
                    .boxed(),
            },
        }
    }

    /// The successors of the state `path` leads to (the initial states for an empty path), as
    /// stateright's server describes them, less the actions the model ignores, each with its
    /// path and kcheck's marks.
    pub fn states(&self, path: &str, back: SocketAddr) -> Result<Value, (u16, String)> {
        let path = path.trim_matches('/');
        let indices: Vec<usize> = if path.is_empty() {
            Vec::new()
        } else {
            path.split('/')
                .map(|p| p.parse::<usize>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    (
                        404,
                        format!("no state at path {path}: not a list of numbers"),
                    )
                })?
        };
        let (current, successors): (Option<M::State>, Vec<Option<M::State>>) = if indices.is_empty()
        {
            let inits = self.model.init_states();
            (None, inits.into_iter().map(Some).collect())
        } else {
            let state = self
                .follow(&indices)
                .map_err(|why| (404, format!("no state at path {path}: {why}")))?;
            let mut actions = Vec::new();
            self.model.actions(&state, &mut actions);
            let next = actions
                .into_iter()
                .map(|a| self.model.next_state(&state, a))
                .collect();
            (Some(state), next)
        };
        let body = fetch(back, &format!("/.states/{path}"))
            .map_err(|e| (503, format!("the state-stepping server is not ready: {e}")))?;
        let Value::Array(entries) = serde_json::from_slice::<Value>(&body).map_err(|e| {
            (
                502,
                format!("the state-stepping server answered badly: {e}"),
            )
        })?
        else {
            return Err((502, "the state-stepping server answered badly".into()));
        };
        let mut out = Vec::new();
        for mut entry in entries {
            let Some(i) = entry["actionIndex"].as_u64().map(|i| i as usize) else {
                continue;
            };
            let Some(Some(next)) = successors.get(i) else {
                continue;
            };
            let here = if path.is_empty() {
                i.to_string()
            } else {
                format!("{path}/{i}")
            };
            entry["marks"] = serde_json::to_value(self.marks(next, &here)).unwrap_or_default();
            entry["path"] = here.into();
            if current.is_none() {
                entry["action"] = "initial state".into();
            }
            if let Some(map) = entry.as_object_mut() {
                // stateright's own property list: never shown, kcheck's marks replace it.
                map.remove("properties");
            }
            out.push(entry);
        }
        Ok(Value::Array(out))
    }
}

/// A GET to stateright's server. The answer ends after the `Content-Length` its head gives
/// (the server may keep the connection open a while after it), or when the connection closes.
fn fetch(back: SocketAddr, url: &str) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(back)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let head = format!("GET {url} HTTP/1.0\r\nHost: {back}\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes())?;
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, "malformed answer");
    let mut answer = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let mut body_start = None;
    let mut length = None;
    loop {
        if let (Some(start), Some(len)) = (body_start, length) {
            if answer.len() >= start + len {
                break;
            }
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buf[..n]);
        if body_start.is_none() {
            if let Some(split) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
                body_start = Some(split + 4);
                let head = String::from_utf8_lossy(&answer[..split]);
                length = head.lines().find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.trim()
                        .eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())
                        .flatten()
                });
            }
        }
    }
    let split = body_start.ok_or_else(bad)? - 4;
    let head = String::from_utf8_lossy(&answer[..split]);
    if head.split_whitespace().nth(1) != Some("200") {
        return Err(std::io::Error::other(
            head.lines().next().unwrap_or_default().to_string(),
        ));
    }
    let end = length.map_or(answer.len(), |len| (split + 4 + len).min(answer.len()));
    Ok(answer[split + 4..end].to_vec())
}

/// A trace as a path by its actions: each step's action, found among the model's actions in the
/// state reached so far (a lasso found on the model's liveness abstraction, replayed on the
/// model itself), or `None` where the model does not take it.
pub fn encode_actions<M: System>(model: &M, trace: &Trace<M>) -> Option<String>
where
    M::Action: PartialEq,
{
    let canon = |s: &M::State| model.representative(s).unwrap_or_else(|| s.clone());
    let init = model
        .init_states()
        .iter()
        .position(|s| canon(s) == canon(&trace.init))?;
    let mut parts = vec![init.to_string()];
    let mut state = model.init_states().swap_remove(init);
    for (action, _) in &trace.steps {
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        let i = actions.iter().position(|a| a == action)?;
        state = model.next_state(&state, action.clone())?;
        parts.push(i.to_string());
    }
    Some(parts.join("/"))
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

/// The model as stateright's explorer server steps through it: no properties of its own (the
/// page shows kcheck's), actions and states in kcheck's words, and the model's picture.
struct Stepping<M: System>(Arc<Explorer<M>>);

impl<M: System> Model for Stepping<M>
where
    M::State: Send + Sync,
{
    type State = M::State;
    type Action = M::Action;

    fn init_states(&self) -> Vec<Self::State> {
        self.0.model.init_states()
    }

    fn actions(&self, state: &Self::State, actions: &mut Vec<Self::Action>) {
        self.0.model.actions(state, actions)
    }

    fn next_state(&self, state: &Self::State, action: Self::Action) -> Option<Self::State> {
        self.0.model.next_state(state, action)
    }

    fn format_action(&self, action: &Self::Action) -> String {
        self.0.model.describe(action)
    }

    /// What the step changed, then the whole state after it.
    fn format_step(&self, last: &Self::State, action: Self::Action) -> Option<String> {
        self.0.model.next_state(last, action).map(|next| {
            let changes = self.0.model.changes(last, &next);
            format!("{}\n\n{next:#?}", changes.join("\n"))
        })
    }

    fn properties(&self) -> Vec<stateright::Property<Self>> {
        Vec::new()
    }

    fn as_svg(&self, path: stateright::Path<Self::State, Self::Action>) -> Option<String> {
        self.0.model.picture(path.last_state())
    }

    fn within_boundary(&self, state: &Self::State) -> bool {
        self.0.model.within_boundary(state)
    }
}
