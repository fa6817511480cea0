//! # kcheck
//!
//! A model checker for Kubernetes control-plane high availability. kcheck explores every
//! behaviour of explicit-state models of the parts of a control plane that decide whether it
//! survives a fault (etcd's Raft quorum, the load balancer in front of the API servers, and the
//! path of a `kubectl` request through both), and says for each property whether it
//! HOLDS within the printed bounds, is VIOLATED (with a readable counterexample that replays on
//! the model), or is INCOMPLETE because a limit cut the search.
//!
//! ## Data flow
//! ```text
//! flags or models/*.toml ─► Scenario ─► Model (stateright::Model) ─► engine::explore ─► Graph
//!                                                                                 │
//!            properties of the model ◄────────────────────────────────────────────┘
//!                 │ engine::decide, one verdict per property
//!                 ▼
//!              Verdicts ─► Report (text | json | itf | mermaid) ─► stdout + exit code
//! ```
//!
//! ## Modules
//! - [`scenario`]: the cluster and its fault budget; TOML loading; validation.
//! - [`systems`]: the modelled systems ([`systems::raft`], [`systems::lb`], [`systems::cluster`])
//!   and the [`systems::System`] trait.
//! - [`property`]: properties, their kinds, verdicts and traces.
//! - [`engine`]: exploration and the decision procedure of each property kind.
//! - [`check`]: scenario to report.
//! - [`progress`]: the progress line on stderr.
//! - [`report`]: text, JSON, ITF and Mermaid output.
//! - [`gate`]: CI gate files (`kcheck gate`), with JUnit XML.
//! - [`table`]: the fault-tolerance table decided by checking (`kcheck table`).
//! - [`explore`]: the model as a web page with kcheck's verdicts, stepped by stateright's explorer server (`kcheck explore`).
//! - [`cli`]: command-line definitions.
//! - [`stdout`]: standard output that a closed pipe does not turn into a panic.

pub mod check;
pub mod cli;
pub mod engine;
pub mod explore;
pub mod gate;
pub mod progress;
pub mod property;
pub mod report;
pub mod scenario;
pub mod stdout;
pub mod systems;
pub mod table;
