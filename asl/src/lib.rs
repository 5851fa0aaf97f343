//! The Amazon States Language (ASL) for stepfn: a serde document model, static validation of any document, and
//! deterministic JSON emission.
//!
//! The `workflow!` macro builds a [`StateMachine`] and validates it with [`validate`]; the runtime and the CLI read
//! and check documents through the same code, so a rule is written once and holds everywhere.
//!
//! This crate has no proc-macro or async dependencies.

mod check;
mod emit;
mod graph;
pub mod intrinsic;
mod model;
mod names;
pub mod path;
mod suggest;
pub mod timestamp;
mod validate;

pub use check::{validate_document, QueryLanguage};
pub use emit::to_pretty_json;
pub use graph::Graph;
pub use indexmap::IndexMap;
pub use model::{Fail, Pass, State, StateMachine, Succeed, Task, Transition};
pub use names::{
    check_state_name, check_workflow_name, function_arn_placeholder, MAX_STATE_NAME_CHARS,
};
pub use suggest::closest;
pub use validate::{state_pointer, validate, Problem, Rule};
