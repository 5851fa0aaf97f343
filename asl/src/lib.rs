//! The Amazon States Language (ASL) for stepfn: JSONPath and intrinsic-function syntax, static validation of any
//! document (as JSON), the typed model of a valid definition ([`model::Definition`]), and deterministic JSON
//! emission.
//!
//! The `workflow!` macro builds a document and validates it with [`validate_document`]; the runtime and the CLI
//! read and check documents through the same code, so a rule is written once and holds everywhere.
//!
//! This crate has no proc-macro or async dependencies.

mod check;
pub mod choice_rule;
mod emit;
pub mod error_names;
mod fold;
pub mod graph;
pub mod intrinsic;
pub mod json_text;
pub mod jsonata_text;
pub mod limits;
pub mod locate;
pub mod model;
mod names;
mod parse;
pub mod path;
mod problem;
mod suggest;
pub mod timestamp;

pub use check::{lint_document, validate_document, QueryLanguage};
pub use emit::to_pretty_json;
pub use fold::fold;
pub use indexmap::IndexMap;
pub use names::{
    check_state_name, check_workflow_name, function_arn_placeholder, placeholders,
    MAX_STATE_NAME_CHARS,
};
pub use parse::parse_document;
pub use problem::{pointer_segment, state_pointer, Problem, Rule};
pub use suggest::closest;
