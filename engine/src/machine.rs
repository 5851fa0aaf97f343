//! A definition compiled for running, from the typed model of `stepfn_asl::model` (the only input it takes, so
//! nothing runs that the validator has not accepted): paths compiled for evaluation, everything else moved over as
//! the model parsed it. An execution never re-reads the JSON.

use crate::choice;
use crate::jsonata::JValue;
use crate::jsonpath::Query;
use crate::template::Template;
use serde_json::Value;
use std::fmt;
use stepfn_asl::intrinsic::Expr;
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

/// One `StartAt` + `States` block: the machine, a Parallel branch or a Map's item processor.
#[derive(Debug)]
pub(crate) struct Scope {
    pub start: usize,
    pub states: Vec<State>,
}

#[derive(Debug)]
pub(crate) struct State {
    pub name: String,
    pub kind: Kind,
    pub input_path: Io,
    pub output_path: Io,
    pub result_path: Io,
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    pub assign: Option<Template>,
    pub next: Option<usize>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    /// The JSONata fields, for states in `QueryLanguage: "JSONata"`.
    pub jsonata: Option<JsonataFields>,
}

/// `Arguments`, `Output` and `Assign` of a JSONata state (or of a Choice rule or catcher), as the model parsed them.
pub(crate) use model::JsonataFields;

/// `InputPath`, `OutputPath` or `ResultPath`: absent (`$`), `null`, or a path.
#[derive(Debug)]
pub(crate) enum Io {
    Whole,
    Null,
    Path(Query),
}

#[derive(Debug)]
pub(crate) enum Kind {
    Task(Task),
    Pass {
        result: Option<Value>,
    },
    Choice {
        choices: Vec<Branch>,
        default: Option<usize>,
    },
    Wait(Wait),
    Succeed,
    Fail {
        error: Text,
        cause: Text,
    },
    Parallel {
        branches: Vec<Scope>,
    },
    Map(Box<MapState>),
}

#[derive(Debug)]
pub(crate) struct Task {
    pub resource: String,
    pub timeout: Seconds,
    pub heartbeat: Seconds,
}

/// A number of seconds given literally or by a path.
#[derive(Debug)]
pub(crate) enum Seconds {
    None,
    Fixed(u64),
    Path(Query),
    Jsonata(JValue),
}

#[derive(Debug)]
pub(crate) struct Branch {
    pub rule: Condition,
    pub next: usize,
    pub assign: Option<Template>,
    pub jsonata: Option<JsonataFields>,
}

/// A Choice rule's test: a JSONPath rule, or a JSONata `Condition`.
#[derive(Debug)]
pub(crate) enum Condition {
    Rule(choice::Rule),
    Jsonata(JValue),
}

#[derive(Debug)]
pub(crate) enum Wait {
    Seconds(u64),
    SecondsPath(Query),
    Timestamp(String),
    TimestampPath(Query),
    /// JSONata `Seconds` (false) or `Timestamp` (true).
    Jsonata(JValue, bool),
}

/// A Fail state's `Error` or `Cause`: absent, literal, a path, or an intrinsic call.
#[derive(Debug)]
pub(crate) enum Text {
    None,
    Literal(String),
    Path(Query),
    Intrinsic(Expr),
    Jsonata(JValue),
}

#[derive(Debug)]
pub(crate) struct MapState {
    pub items_path: Io,
    pub item_selector: Option<Template>,
    pub processor: Scope,
    /// `ProcessorConfig.Mode` is `DISTRIBUTED`: each iteration is a child execution with its own history.
    pub distributed: bool,
    pub max_concurrency: Seconds,
    pub tolerated_count: Seconds,
    pub tolerated_percentage: Option<f64>,
    pub tolerated_percentage_path: Option<Query>,
    pub batcher: Option<Batcher>,
    /// JSONata `Items` and `ItemSelector`.
    pub items_jsonata: Option<JValue>,
    pub item_selector_jsonata: Option<JValue>,
}

/// A distributed Map's `ItemBatcher`.
#[derive(Debug)]
pub(crate) struct Batcher {
    pub max_items: Seconds,
    pub max_bytes: Seconds,
    pub batch_input: Option<Template>,
    /// `BatchInput` of a JSONata Map.
    pub batch_input_jsonata: Option<JValue>,
}

#[derive(Debug)]
pub(crate) struct Retrier {
    pub errors: Vec<String>,
    pub interval_seconds: u64,
    pub max_attempts: u32,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<u64>,
    pub full_jitter: bool,
}

#[derive(Debug)]
pub(crate) struct Catcher {
    pub errors: Vec<String>,
    pub next: usize,
    pub result_path: Io,
    pub assign: Option<Template>,
    pub jsonata: Option<JsonataFields>,
}

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

    /// Compiles a validated definition.
    pub fn new(definition: model::Definition) -> Result<Machine, CompileError> {
        Ok(Machine {
            name: "StateMachine".to_string(),
            root: scope(definition.root)?,
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

fn unsupported(what: impl Into<String>) -> CompileError {
    CompileError::Unsupported(what.into())
}

fn scope(scope: model::Scope) -> Result<Scope, CompileError> {
    Ok(Scope {
        start: scope.start,
        states: scope
            .states
            .into_iter()
            .map(state)
            .collect::<Result<_, _>>()?,
    })
}

fn state(state: model::State) -> Result<State, CompileError> {
    let kind = match state.kind {
        model::Kind::Task(task) => Kind::Task(Task {
            resource: task.resource,
            timeout: seconds(task.timeout),
            heartbeat: seconds(task.heartbeat),
        }),
        model::Kind::Pass { result } => Kind::Pass { result },
        model::Kind::Choice { choices, default } => Kind::Choice {
            choices: choices.into_iter().map(branch).collect(),
            default,
        },
        model::Kind::Wait(wait) => Kind::Wait(match wait {
            model::Wait::Seconds(seconds) => Wait::Seconds(seconds),
            model::Wait::SecondsPath(path) => Wait::SecondsPath(query(path)),
            model::Wait::Timestamp(text) => Wait::Timestamp(text),
            model::Wait::TimestampPath(path) => Wait::TimestampPath(query(path)),
            model::Wait::Jsonata(value, timestamp) => Wait::Jsonata(value, timestamp),
        }),
        model::Kind::Succeed => Kind::Succeed,
        model::Kind::Fail { error, cause } => Kind::Fail {
            error: text(error),
            cause: text(cause),
        },
        model::Kind::Parallel { branches } => Kind::Parallel {
            branches: branches.into_iter().map(scope).collect::<Result<_, _>>()?,
        },
        model::Kind::Map(map) => Kind::Map(Box::new(map_state(*map)?)),
    };
    Ok(State {
        name: state.name,
        kind,
        input_path: io(state.input_path),
        output_path: io(state.output_path),
        result_path: io(state.result_path),
        parameters: state.parameters.map(Template::from_model),
        result_selector: state.result_selector.map(Template::from_model),
        assign: state.assign.map(Template::from_model),
        next: state.next,
        retry: state.retry.into_iter().map(retrier).collect(),
        catch: state
            .catch
            .into_iter()
            .map(|catcher| Catcher {
                errors: catcher.errors,
                next: catcher.next,
                result_path: io(catcher.result_path),
                assign: catcher.assign.map(Template::from_model),
                jsonata: catcher.jsonata,
            })
            .collect(),
        jsonata: state.jsonata,
    })
}

/// One Choice rule: its test, target, and what it assigns (and, in JSONata, outputs).
fn branch(branch: model::ChoiceBranch) -> Branch {
    Branch {
        rule: match branch.condition {
            model::Condition::Jsonata(value) => Condition::Jsonata(value),
            model::Condition::Rule(rule) => Condition::Rule(choice::Rule::from_model(rule)),
        },
        next: branch.next,
        assign: branch.assign.map(Template::from_model),
        jsonata: branch.jsonata,
    }
}

fn map_state(map: model::MapState) -> Result<MapState, CompileError> {
    if map.distributed && map.item_reader {
        return Err(unsupported(
            "a distributed Map with an ItemReader (reading items from S3 needs AWS)",
        ));
    }
    Ok(MapState {
        items_path: io(map.items_path),
        item_selector: map.item_selector.map(Template::from_model),
        processor: scope(map.processor)?,
        distributed: map.distributed,
        max_concurrency: seconds(map.max_concurrency),
        tolerated_count: seconds(map.tolerated_count),
        tolerated_percentage: map.tolerated_percentage,
        tolerated_percentage_path: map.tolerated_percentage_path.map(query),
        batcher: map.batcher.map(|batcher| Batcher {
            max_items: seconds(batcher.max_items),
            max_bytes: seconds(batcher.max_bytes),
            batch_input: batcher.batch_input.map(Template::from_model),
            batch_input_jsonata: batcher.batch_input_jsonata,
        }),
        items_jsonata: map.items_jsonata,
        item_selector_jsonata: map.item_selector_jsonata,
    })
}

fn query(path: model::PathText) -> Query {
    Query::compile(&path.text, &path.path)
}

fn io(io: model::Io) -> Io {
    match io {
        model::Io::Whole => Io::Whole,
        model::Io::Null => Io::Null,
        model::Io::Path(path) => Io::Path(query(path)),
    }
}

fn seconds(seconds: model::Seconds) -> Seconds {
    match seconds {
        model::Seconds::None => Seconds::None,
        model::Seconds::Fixed(n) => Seconds::Fixed(n),
        model::Seconds::Path(path) => Seconds::Path(query(path)),
        model::Seconds::Jsonata(value) => Seconds::Jsonata(value),
    }
}

fn text(text: model::Text) -> Text {
    match text {
        model::Text::None => Text::None,
        model::Text::Literal(text) => Text::Literal(text),
        model::Text::Path(path) => Text::Path(query(path)),
        model::Text::Intrinsic(expr) => Text::Intrinsic(expr),
        model::Text::Jsonata(value) => Text::Jsonata(value),
    }
}

fn retrier(retrier: model::Retrier) -> Retrier {
    Retrier {
        errors: retrier.errors,
        interval_seconds: retrier.interval_seconds,
        max_attempts: retrier.max_attempts,
        backoff_rate: retrier.backoff_rate,
        max_delay_seconds: retrier.max_delay_seconds,
        full_jitter: retrier.full_jitter,
    }
}
