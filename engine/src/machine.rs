//! A state machine ready to run: the typed model of `stepfn_asl::model` (the only input it takes, so nothing runs
//! that the validator has not accepted), read directly by the executor. An execution never re-reads the JSON.

use serde_json::Value;
use std::fmt;
use stepfn_asl::model;

/// A state machine ready to run.
#[derive(Debug)]
pub struct Machine {
    /// The definition as given.
    pub definition: Value,
    /// The name executions report as `$$.StateMachine.Name`.
    pub name: String,
    pub(crate) root: Scope,
    pub(crate) timeout_seconds: Option<u64>,
}

/// Why a definition cannot run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// The text is not JSON.
    Json(String),
    /// The definition breaks the States Language: each problem as `pointer: message`.
    Invalid(Vec<String>),
    /// Valid, but uses something this executor does not run yet.
    Unsupported(String),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompileError::Json(e) => write!(f, "the definition is not JSON: {e}"),
            CompileError::Invalid(problems) => {
                write!(f, "the definition is not valid:")?;
                problems.iter().try_for_each(|p| write!(f, "\n  {p}"))
            }
            CompileError::Unsupported(what) => {
                write!(f, "not supported by the local executor: {what}")
            }
        }
    }
}

impl std::error::Error for CompileError {}

/// The definition's parts, as the typed model holds them: the executor reads them directly.
pub(crate) use model::{
    Batcher, Catcher, ChoiceBranch as Branch, Condition, Io, JsonataFields, Kind, MapState,
    Retrier, Scope, Seconds, State, Task, Text, Wait,
};

impl Machine {
    /// Parses, validates and compiles a definition.
    pub fn from_json(text: &str) -> Result<Machine, CompileError> {
        if let Err(error) = stepfn_asl::json_text::from_str::<serde::de::IgnoredAny>(text) {
            return Err(CompileError::Json(error.to_string()));
        }
        let definition = model::Definition::parse(text).map_err(|problems| {
            CompileError::Invalid(
                problems
                    .iter()
                    .map(|p| {
                        let pointer = if p.pointer.is_empty() {
                            "/"
                        } else {
                            &p.pointer
                        };
                        format!("{pointer}: {}", p.message)
                    })
                    .collect(),
            )
        })?;
        Machine::new(definition)
    }

    /// A machine for a validated definition (refusing only what this executor cannot run).
    pub fn new(definition: model::Definition) -> Result<Machine, CompileError> {
        if let Some(state) = distributed_map_reading_items(&definition.root) {
            return Err(CompileError::Unsupported(format!(
                "state `{state}`: a distributed Map with an ItemReader (reading items from S3 needs AWS)"
            )));
        }
        Ok(Machine {
            name: "StateMachine".to_string(),
            root: definition.root,
            timeout_seconds: definition.timeout_seconds,
            definition: definition.document,
        })
    }

    /// The same machine under another name (`$$.StateMachine.Name`, execution ARNs).
    pub fn named(mut self, name: impl Into<String>) -> Machine {
        self.name = name.into();
        self
    }
}

/// The first distributed Map state with an `ItemReader`, in any scope.
fn distributed_map_reading_items(scope: &Scope) -> Option<&str> {
    scope.states.iter().find_map(|state| match &state.kind {
        Kind::Map(map) if map.distributed && map.item_reader => Some(state.name.as_str()),
        Kind::Map(map) => distributed_map_reading_items(&map.processor),
        Kind::Parallel { branches } => branches.iter().find_map(distributed_map_reading_items),
        _ => None,
    })
}
