//! TestState: one state run once, in isolation, with AWS Step Functions' TestState semantics (the API reference's
//! `TestState` and the developer guide's "Testing state machines with TestState API", test-state-isolation.html).
//!
//! The state is parsed into the same typed model an execution runs (a lone state is wrapped into a one-state
//! machine whose transitions lead to placeholder states), and its attempt is the executor's own: the same stages
//! (InputPath, Parameters, ResultSelector, ResultPath, OutputPath; Arguments, Output, Assign) record what they
//! produce into an [`Inspection`] as they go, so what TestState shows is what an execution does. What differs is
//! only what TestState itself defines: one attempt, never a retry (a matching retrier with attempts left makes the
//! state `RETRIABLE`, with the back-off it would wait), no waiting in Wait states, a mocked result or error in place
//! of a Task's call or a Map's or Parallel's iterations, and a given context object and variables.
//!
//! [`test_state`] answers a [`Request`] with an [`Outcome`], or a [`RequestError`] for a request AWS refuses.

use crate::machine::{Kind, Machine, Scope};
use crate::{Failure, Resources};
use serde_json::{json, Map, Value};
use stepfn_asl::model;

/// The most a test may run before it fails with `States.Timeout` (the API reference: "up to five minutes").
pub const TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(300);

/// What to test, as TestState's request gives it (its JSON texts already parsed).
#[derive(Clone, Default)]
pub struct Request {
    /// The state's definition, or a whole state machine's when `state_name` is given.
    pub definition: String,
    /// The state to test within a whole state machine's definition (it may be in a Parallel branch or a Map).
    pub state_name: Option<String>,
    /// The state's input.
    pub input: Value,
    /// The variables in scope when the state starts.
    pub variables: Map<String, Value>,
    /// The context object (`$$`, `$states.context`), over the one an execution would make up.
    pub context: Option<Map<String, Value>>,
    /// The mocked result or error of a Task, Map or Parallel state.
    pub mock: Option<Result<Value, Failure>>,
    /// How many retries of the retrier matching the error have happened (`$$.State.RetryCount` too).
    pub retrier_retry_count: u32,
    /// The state inside a Map or Parallel that raised a mocked error.
    pub error_caused_by_state: Option<String>,
    /// How many of a Map's iterations failed (with a mocked result).
    pub map_iteration_failure_count: Option<u64>,
    /// `inspectionLevel` TRACE, which only an HTTP Task takes.
    pub trace: bool,
    /// What a Task without a mock calls: only handlers by resource or by state name (any other Task is refused).
    pub resources: Resources,
}

/// The status of the tested state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Succeeded,
    Failed,
    /// Failed with an error that a retrier with attempts left matches.
    Retriable,
    /// Failed with an error that a catcher takes.
    CaughtError,
}

impl Status {
    /// AWS's name: `SUCCEEDED`, `FAILED`, `RETRIABLE`, `CAUGHT_ERROR`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::Retriable => "RETRIABLE",
            Status::CaughtError => "CAUGHT_ERROR",
        }
    }
}

/// Which handler took the error (`inspectionData.errorDetails`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorDetails {
    pub catch_index: Option<usize>,
    pub retry_index: Option<usize>,
    pub retry_backoff_interval_seconds: Option<u64>,
}

/// The values the state's data flow went through, up to where it failed (`inspectionData`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inspection {
    /// The raw state input.
    pub input: Option<Value>,
    /// JSONPath: the input after `InputPath`.
    pub after_input_path: Option<Value>,
    /// JSONPath: the effective input after `Parameters`.
    pub after_parameters: Option<Value>,
    /// JSONata: the input after `Arguments`.
    pub after_arguments: Option<Value>,
    /// The raw result of a Task, Map or Parallel.
    pub result: Option<Value>,
    /// JSONPath: the result after `ResultSelector`.
    pub after_result_selector: Option<Value>,
    /// JSONPath: the result placed into the raw input by `ResultPath`.
    pub after_result_path: Option<Value>,
    /// The variables after the state: those given and those it assigned.
    pub variables: Option<Map<String, Value>>,
    pub error_details: Option<ErrorDetails>,
    /// Map, JSONPath: the items `ItemsPath` selected.
    pub after_items_path: Option<Value>,
    /// Map: each iteration's input after `ItemSelector`.
    pub after_item_selector: Option<Vec<Value>>,
    /// Map: the batches `ItemBatcher` made.
    pub after_item_batcher: Option<Vec<Value>>,
    pub tolerated_failure_count: Option<u64>,
    pub tolerated_failure_percentage: Option<f64>,
    pub max_concurrency: Option<u64>,
}

/// What the test gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    /// The state's output (SUCCEEDED), or what its catcher hands on (CAUGHT_ERROR).
    pub output: Option<Value>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// Where the state goes: its `Next`, the chosen rule's, or the catcher's; `None` when it ends or fails.
    pub next_state: Option<String>,
    pub inspection: Inspection,
}

/// A request TestState refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// The definition is not a valid state (or state machine): AWS's `InvalidDefinition`.
    InvalidDefinition(String),
    /// The request asks for something TestState does not do: AWS's `ValidationException`.
    Validation(String),
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestError::InvalidDefinition(m) | RequestError::Validation(m) => f.write_str(m),
        }
    }
}

/// The name a lone state is tested under, when none of its transitions takes it.
const LONE_STATE: &str = "TestState";

/// Tests one state.
pub async fn test_state(request: &Request) -> Result<Outcome, RequestError> {
    let (machine, name) = compile(request)?;
    let (scope, index, in_map) = find(&machine.root, &name, false).ok_or_else(|| {
        RequestError::Validation(format!(
            "stateName '{name}' names no state of the definition"
        ))
    })?;
    let state = &scope.states[index];
    let document = state_document(&machine.definition, &name);
    check(request, state, document)?;
    // A state inside a Map sees the first iteration's item when no context is given (test-state-isolation.html,
    // "Automatic Context population").
    let context = match (&request.context, in_map) {
        (Some(context), _) => Some(Value::Object(context.clone())),
        (None, true) => Some(json!({"Map": {"Item": {"Index": 0, "Value": request.input}}})),
        (None, false) => None,
    };
    crate::execute::test_state(&machine, scope, index, request, context).await
}

/// The machine the state is tested in (the whole definition, or a lone state wrapped with placeholders for the
/// states it goes to) and the tested state's name in it.
fn compile(request: &Request) -> Result<(Machine, String), RequestError> {
    let invalid = |message: String| RequestError::InvalidDefinition(message);
    let document: Value = stepfn_asl::json_text::from_str(&request.definition).map_err(|e| {
        invalid(format!(
            "Invalid State Machine Definition: the definition is not JSON: {e}"
        ))
    })?;
    let whole = document.get("States").is_some();
    let (text, name) = match (&request.state_name, whole) {
        (Some(_), false) => {
            return Err(invalid(
                "Invalid State Machine Definition: with stateName, the definition must be a whole state machine (StartAt and States)".into(),
            ))
        }
        (None, true) => {
            return Err(invalid(
                "Invalid State Machine Definition: a whole state machine was given: name the state to test with stateName".into(),
            ))
        }
        (Some(name), true) => (request.definition.clone(), name.clone()),
        (None, false) => wrap(&document).map_err(invalid)?,
    };
    let definition = model::Definition::parse(&text).map_err(|problems| {
        let prefix = format!("/States/{name}");
        let lines: Vec<String> = problems
            .iter()
            .map(|p| {
                let pointer = match (whole, p.pointer.strip_prefix(&prefix)) {
                    (false, Some("")) => "/",
                    (false, Some(rest)) => rest,
                    _ if p.pointer.is_empty() => "/",
                    _ => &p.pointer,
                };
                format!("{} at {pointer}", p.message)
            })
            .collect();
        invalid(format!(
            "Invalid State Machine Definition: '{}'",
            lines.join(", ")
        ))
    })?;
    // Built directly rather than by `Machine::new`: a distributed Map's ItemReader is never read here (its
    // iterations are mocked), so TestState takes it as AWS does.
    let machine = Machine {
        name: "StateMachine".into(),
        root: definition.root,
        timeout_seconds: definition.timeout_seconds,
        definition: definition.document,
    };
    Ok((machine, name))
}

/// A lone state as a machine: the state under a name none of its transitions uses, and a `Succeed` placeholder for
/// each state it may go to (`Next`, a Choice rule's `Next` and `Default`, a catcher's `Next`).
fn wrap(state: &Value) -> Result<(String, String), String> {
    let Some(fields) = state.as_object() else {
        return Err(
            "Invalid State Machine Definition: a state's definition must be a JSON object".into(),
        );
    };
    if !fields.contains_key("Type") {
        return Err("Invalid State Machine Definition: the state has no Type".into());
    }
    let mut found: Vec<Option<&Value>> = vec![fields.get("Next"), fields.get("Default")];
    for list in ["Choices", "Catch"] {
        if let Some(Value::Array(entries)) = fields.get(list) {
            found.extend(entries.iter().map(|entry| entry.get("Next")));
        }
    }
    let targets: Vec<&str> = found
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut name = LONE_STATE.to_string();
    let mut n = 1;
    while targets.contains(&name.as_str()) {
        name = format!("{LONE_STATE}{n}");
        n += 1;
    }
    let mut states = Map::new();
    states.insert(name.clone(), state.clone());
    for target in targets {
        states
            .entry(target)
            .or_insert_with(|| json!({"Type": "Succeed"}));
    }
    let machine = json!({"StartAt": name, "States": states});
    Ok((machine.to_string(), name))
}

/// The scope holding the state named `name` (searched through Parallel branches and Map processors), its position,
/// and whether it runs inside a Map.
fn find<'m>(scope: &'m Scope, name: &str, in_map: bool) -> Option<(&'m Scope, usize, bool)> {
    if let Some(index) = scope.states.iter().position(|s| s.name == name) {
        return Some((scope, index, in_map));
    }
    scope.states.iter().find_map(|state| match &state.kind {
        Kind::Parallel { branches } => branches.iter().find_map(|b| find(b, name, in_map)),
        Kind::Map(map) => find(&map.processor, name, true),
        _ => None,
    })
}

/// The state's JSON in the definition, for what the typed model leaves out (a Map's `ResultWriter`).
fn state_document<'d>(document: &'d Value, name: &str) -> Option<&'d Value> {
    let states = document.get("States")?.as_object()?;
    if let Some(state) = states.get(name) {
        return Some(state);
    }
    states.values().find_map(|state| {
        let scopes = match state.get("Branches") {
            Some(Value::Array(branches)) => branches.iter().collect(),
            _ => ["ItemProcessor", "Iterator"]
                .iter()
                .filter_map(|key| state.get(*key))
                .collect::<Vec<_>>(),
        };
        scopes
            .into_iter()
            .find_map(|scope| state_document(scope, name))
    })
}

/// The names of every state in the scopes, nested ones too.
fn names_in<'m>(scopes: impl IntoIterator<Item = &'m Scope>, into: &mut Vec<&'m str>) {
    for scope in scopes {
        for state in &scope.states {
            into.push(&state.name);
            match &state.kind {
                Kind::Parallel { branches } => names_in(branches, into),
                Kind::Map(map) => names_in([&map.processor], into),
                _ => {}
            }
        }
    }
}

/// What TestState refuses before running the state, each rule from AWS's documentation.
fn check(
    request: &Request,
    state: &crate::machine::State,
    document: Option<&Value>,
) -> Result<(), RequestError> {
    let refuse = |message: String| Err(RequestError::Validation(message));
    let kind = crate::execute::kind_name(&state.kind);
    // The API reference, `mock`: "A mock can only be specified for Task, Map, or Parallel states."
    let mockable = matches!(
        state.kind,
        Kind::Task(_) | Kind::Map(_) | Kind::Parallel { .. }
    );
    if request.mock.is_some() && !mockable {
        return refuse(format!(
            "a mock can only be specified for Task, Map, or Parallel states, not a {kind} state"
        ));
    }
    // The API reference: "TestState only supports the following when a mock is specified: Activity tasks, .sync or
    // .waitForTaskToken service integration patterns, Parallel, or Map states."
    if request.mock.is_none() {
        let needs_mock = match &state.kind {
            Kind::Map(_) | Kind::Parallel { .. } => Some(format!("a {kind} state")),
            Kind::Task(task) if task.resource.contains(".waitForTaskToken") => {
                Some("a .waitForTaskToken Task".into())
            }
            Kind::Task(task) if task.resource.contains(".sync") => Some("a .sync Task".into()),
            Kind::Task(task) if task.resource.contains(":activity:") => {
                Some("an Activity Task".into())
            }
            _ => None,
        };
        if let Some(what) = needs_mock {
            return refuse(format!(
                "TestState runs {what} only with a mock: give `mock` a `result` or an `errorOutput`"
            ));
        }
    }
    // test-state-isolation.html, TRACE: "This level is only applicable for HTTP Task. Step Functions throws an
    // error if you use this level for other state types."
    let http = matches!(&state.kind, Kind::Task(task) if task.resource.starts_with("arn:aws:states:::http:invoke"));
    if request.trace && !http {
        return refuse(format!(
            "inspectionLevel TRACE is for HTTP Tasks (arn:aws:states:::http:invoke) only, not a {kind} state"
        ));
    }
    if let Some(count) = request.map_iteration_failure_count {
        if !matches!(state.kind, Kind::Map(_)) {
            return refuse(format!(
                "stateConfiguration.mapIterationFailureCount applies to Map states only, not a {kind} state"
            ));
        }
        if !matches!(request.mock, Some(Ok(_))) {
            return refuse(format!(
                "stateConfiguration.mapIterationFailureCount ({count}) needs a mocked result of the Map state"
            ));
        }
    }
    // test-state-isolation.html, "Specifying error source with errorCausedByState": "When mocking errors for Map or
    // Parallel states, you must specify which sub-state caused the error".
    let inner = match &state.kind {
        Kind::Map(map) => Some(vec![&map.processor]),
        Kind::Parallel { branches } => Some(branches.iter().collect()),
        _ => None,
    };
    match (&inner, &request.error_caused_by_state, &request.mock) {
        (Some(scopes), cause, Some(Err(_))) => {
            let mut names = Vec::new();
            names_in(scopes.iter().copied(), &mut names);
            match cause {
                None => {
                    return refuse(format!(
                        "a mocked error of a {kind} state needs stateConfiguration.errorCausedByState: the state inside it that raised the error"
                    ))
                }
                Some(cause) if !names.contains(&cause.as_str()) => {
                    return refuse(format!(
                        "stateConfiguration.errorCausedByState '{cause}' names no state inside {kind} state '{}'",
                        state.name
                    ))
                }
                Some(_) => {}
            }
        }
        (_, Some(cause), _) => {
            return refuse(format!(
                "stateConfiguration.errorCausedByState ('{cause}') applies to a mocked error of a Map or Parallel state"
            ))
        }
        _ => {}
    }
    // test-state-isolation.html, "Testing Parallel states": "the mocked result must be a JSON array with one element
    // for each branch"; "Testing a Map state": "a valid JSON array or JSON object depending on your Map state
    // configuration" (an object when it writes its results with ResultWriter).
    match (&state.kind, &request.mock) {
        (Kind::Parallel { branches }, Some(Ok(result)))
            if result.as_array().map(Vec::len) != Some(branches.len()) =>
        {
            return refuse(format!(
                "the mocked result of a Parallel state must be a JSON array with one element for each of its {} branches",
                branches.len()
            ));
        }
        (Kind::Map(_), Some(Ok(result))) => {
            let writes = document.is_some_and(|d| d.get("ResultWriter").is_some());
            let fits = result.is_array() || (writes && result.is_object());
            if !fits {
                let expected = if writes {
                    "a JSON array or object"
                } else {
                    "a JSON array"
                };
                return refuse(format!(
                    "the mocked result of a Map state must be {expected}"
                ));
            }
        }
        _ => {}
    }
    Ok(())
}
