//! A definition compiled for running: states indexed by position, paths and templates parsed, transitions resolved,
//! so an execution never re-reads the JSON. Compiling assumes a definition `stepfn_asl::validate_document` accepted
//! (`Machine::from_json` runs it first) and reports what it still cannot run as a [`CompileError`].

use crate::choice;
use crate::jsonata::JValue;
use crate::jsonpath::Query;
use crate::template::Template;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt;
use stepfn_asl::intrinsic::{self, Expr};

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

/// `Arguments`, `Output` and `Assign` of a JSONata state (or of a Choice rule or catcher).
#[derive(Debug, Default)]
pub(crate) struct JsonataFields {
    pub arguments: Option<JValue>,
    pub output: Option<JValue>,
    pub assign: Option<JValue>,
}

impl JsonataFields {
    fn compile(fields: &Map<String, Value>) -> Result<JsonataFields, CompileError> {
        Ok(JsonataFields {
            arguments: jsonata_field(fields, "Arguments")?,
            output: jsonata_field(fields, "Output")?,
            assign: jsonata_field(fields, "Assign")?,
        })
    }
}

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
        let (value, duplicates) =
            stepfn_asl::parse_document(text).map_err(|e| CompileError::Json(e.to_string()))?;
        let mut problems = duplicates;
        problems.extend(stepfn_asl::validate_document(&value));
        if !problems.is_empty() {
            return Err(CompileError::Invalid(
                problems
                    .iter()
                    .map(|p| {
                        format!(
                            "{}: {}",
                            if p.pointer.is_empty() {
                                "/"
                            } else {
                                &p.pointer
                            },
                            p.message
                        )
                    })
                    .collect(),
            ));
        }
        Machine::compile(value)
    }

    /// Compiles a definition that is already valid.
    pub fn compile(definition: Value) -> Result<Machine, CompileError> {
        let root = scope(&definition, false)?;
        let timeout_seconds = definition.get("TimeoutSeconds").and_then(Value::as_u64);
        Ok(Machine {
            name: "StateMachine".to_string(),
            root,
            timeout_seconds,
            definition,
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

fn scope(block: &Value, jsonata_outer: bool) -> Result<Scope, CompileError> {
    let jsonata = match block.get("QueryLanguage").and_then(Value::as_str) {
        Some(language) => language == "JSONata",
        None => jsonata_outer,
    };
    let states = block
        .get("States")
        .and_then(Value::as_object)
        .ok_or_else(|| unsupported("a scope without States"))?;
    let index: HashMap<&str, usize> = states
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let position = |name: &str| {
        index
            .get(name)
            .copied()
            .ok_or_else(|| unsupported(format!("a transition to the unknown state `{name}`")))
    };
    let start = position(
        block
            .get("StartAt")
            .and_then(Value::as_str)
            .unwrap_or_default(),
    )?;
    let states = states
        .iter()
        .map(|(name, body)| state(name, body, jsonata, &position))
        .collect::<Result<_, _>>()?;
    Ok(Scope { start, states })
}

fn state(
    name: &str,
    body: &Value,
    jsonata_outer: bool,
    position: &dyn Fn(&str) -> Result<usize, CompileError>,
) -> Result<State, CompileError> {
    let fields = body
        .as_object()
        .ok_or_else(|| unsupported("a state that is not an object"))?;
    let jsonata = match fields.get("QueryLanguage").and_then(Value::as_str) {
        Some(language) => language == "JSONata",
        None => jsonata_outer,
    };
    let string = |key: &str| fields.get(key).and_then(Value::as_str);
    let jvalue = |key: &str| jsonata_field(fields, key);
    let next = string("Next").map(position).transpose()?;
    let kind = match string("Type").unwrap_or_default() {
        "Task" => Kind::Task(Task {
            resource: string("Resource").unwrap_or_default().to_string(),
            timeout: seconds(fields, "TimeoutSeconds", jsonata)?,
            heartbeat: seconds(fields, "HeartbeatSeconds", jsonata)?,
        }),
        "Pass" => Kind::Pass {
            result: fields.get("Result").cloned(),
        },
        "Choice" => Kind::Choice {
            choices: fields
                .get("Choices")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|rule| branch(rule, jsonata, position))
                .collect::<Result<_, CompileError>>()?,
            default: string("Default").map(position).transpose()?,
        },
        "Wait" if jsonata => Kind::Wait(match (jvalue("Seconds")?, jvalue("Timestamp")?) {
            (Some(seconds), _) => Wait::Jsonata(seconds, false),
            (None, Some(timestamp)) => Wait::Jsonata(timestamp, true),
            (None, None) => Wait::Seconds(0),
        }),
        "Wait" => Kind::Wait(if let Some(s) = fields.get("Seconds") {
            Wait::Seconds(s.as_u64().unwrap_or_default())
        } else if let Some(path) = string("SecondsPath") {
            Wait::SecondsPath(query(path)?)
        } else if let Some(t) = string("Timestamp") {
            Wait::Timestamp(t.to_string())
        } else {
            Wait::TimestampPath(query(string("TimestampPath").unwrap_or("$"))?)
        }),
        "Succeed" => Kind::Succeed,
        "Fail" if jsonata => Kind::Fail {
            error: jvalue("Error")?.map_or(Text::None, Text::Jsonata),
            cause: jvalue("Cause")?.map_or(Text::None, Text::Jsonata),
        },
        "Fail" => Kind::Fail {
            error: text(fields, "Error")?,
            cause: text(fields, "Cause")?,
        },
        "Parallel" => Kind::Parallel {
            branches: fields
                .get("Branches")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|branch| scope(branch, jsonata))
                .collect::<Result<_, _>>()?,
        },
        "Map" => Kind::Map(Box::new(map_state(fields, jsonata)?)),
        other => return Err(unsupported(format!("state type `{other}`"))),
    };
    // JSONPath fields only in JSONPath states; JSONata states have Arguments, Output and Assign instead.
    let jsonpath = |key: &str| match jsonata {
        true => Ok(None),
        false => template(fields, key),
    };
    let parameters = match &kind {
        Kind::Map(_) => None,
        _ => jsonpath("Parameters")?,
    };
    Ok(State {
        name: name.to_string(),
        input_path: io(fields, "InputPath")?,
        output_path: io(fields, "OutputPath")?,
        result_path: io(fields, "ResultPath")?,
        parameters,
        result_selector: jsonpath("ResultSelector")?,
        assign: jsonpath("Assign")?,
        jsonata: jsonata
            .then(|| JsonataFields::compile(fields))
            .transpose()?,
        next,
        retry: fields
            .get("Retry")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(retrier)
            .collect(),
        catch: fields
            .get("Catch")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| {
                let catcher = c.as_object().cloned().unwrap_or_default();
                Ok(Catcher {
                    errors: error_names(c),
                    next: position(c.get("Next").and_then(Value::as_str).unwrap_or_default())?,
                    result_path: io(&catcher, "ResultPath")?,
                    assign: match jsonata {
                        true => None,
                        false => template(&catcher, "Assign")?,
                    },
                    jsonata: jsonata
                        .then(|| JsonataFields::compile(&catcher))
                        .transpose()?,
                })
            })
            .collect::<Result<_, CompileError>>()?,
        kind,
    })
}

/// One Choice rule: its test, target, and what it assigns (and, in JSONata, outputs).
fn branch(
    rule: &Value,
    jsonata: bool,
    position: &dyn Fn(&str) -> Result<usize, CompileError>,
) -> Result<Branch, CompileError> {
    let fields = rule.as_object().cloned().unwrap_or_default();
    Ok(Branch {
        rule: match (jsonata, fields.get("Condition")) {
            (true, Some(condition)) => {
                Condition::Jsonata(JValue::compile(condition).map_err(unsupported)?)
            }
            _ => Condition::Rule(choice::compile(rule).map_err(unsupported)?),
        },
        next: position(rule.get("Next").and_then(Value::as_str).unwrap_or_default())?,
        assign: match jsonata {
            true => None,
            false => template(&fields, "Assign")?,
        },
        jsonata: jsonata
            .then(|| JsonataFields::compile(&fields))
            .transpose()?,
    })
}

fn jsonata_field(fields: &Map<String, Value>, key: &str) -> Result<Option<JValue>, CompileError> {
    fields
        .get(key)
        .map(JValue::compile)
        .transpose()
        .map_err(unsupported)
}

fn map_state(fields: &Map<String, Value>, jsonata: bool) -> Result<MapState, CompileError> {
    let processor = fields
        .get("ItemProcessor")
        .or_else(|| fields.get("Iterator"))
        .ok_or_else(|| unsupported("a Map state without ItemProcessor"))?;
    let distributed = processor
        .pointer("/ProcessorConfig/Mode")
        .and_then(Value::as_str)
        == Some("DISTRIBUTED");
    if distributed && fields.contains_key("ItemReader") {
        return Err(unsupported(
            "a distributed Map with an ItemReader (reading items from S3 needs AWS)",
        ));
    }
    let item_selector = match (jsonata, template(fields, "ItemSelector")?) {
        (true, _) => None,
        (false, Some(selector)) => Some(selector),
        (false, None) => template(fields, "Parameters")?,
    };
    Ok(MapState {
        items_path: io(fields, "ItemsPath")?,
        item_selector,
        processor: scope(processor, jsonata)?,
        distributed,
        max_concurrency: seconds(fields, "MaxConcurrency", jsonata)?,
        tolerated_count: seconds(fields, "ToleratedFailureCount", jsonata)?,
        tolerated_percentage: fields
            .get("ToleratedFailurePercentage")
            .and_then(Value::as_f64),
        batcher: match fields.get("ItemBatcher").and_then(Value::as_object) {
            Some(batcher) => Some(Batcher {
                max_items: seconds(batcher, "MaxItemsPerBatch", jsonata)?,
                max_bytes: seconds(batcher, "MaxInputBytesPerBatch", jsonata)?,
                batch_input: match jsonata {
                    true => None,
                    false => template(batcher, "BatchInput")?,
                },
            }),
            None => None,
        },
        tolerated_percentage_path: fields
            .get("ToleratedFailurePercentagePath")
            .and_then(Value::as_str)
            .map(query)
            .transpose()?,
        items_jsonata: if jsonata {
            jsonata_field(fields, "Items")?
        } else {
            None
        },
        item_selector_jsonata: if jsonata {
            jsonata_field(fields, "ItemSelector")?
        } else {
            None
        },
    })
}

fn query(text: &str) -> Result<Query, CompileError> {
    Query::parse(text).map_err(unsupported)
}

fn io(fields: &Map<String, Value>, key: &str) -> Result<Io, CompileError> {
    Ok(match fields.get(key) {
        None => Io::Whole,
        Some(Value::Null) => Io::Null,
        Some(Value::String(path)) if path == "$" => Io::Whole,
        Some(Value::String(path)) => Io::Path(query(path)?),
        Some(_) => return Err(unsupported(format!("`{key}` that is not a string"))),
    })
}

/// `TimeoutSeconds`-style fields: `<key>` literal or `<key>Path`.
fn seconds(fields: &Map<String, Value>, key: &str, jsonata: bool) -> Result<Seconds, CompileError> {
    if let (true, Some(value @ Value::String(_))) = (jsonata, fields.get(key)) {
        return Ok(Seconds::Jsonata(
            JValue::compile(value).map_err(unsupported)?,
        ));
    }
    if let Some(value) = fields.get(key).and_then(Value::as_u64) {
        return Ok(Seconds::Fixed(value));
    }
    match fields.get(&format!("{key}Path")).and_then(Value::as_str) {
        Some(path) => Ok(Seconds::Path(query(path)?)),
        None => Ok(Seconds::None),
    }
}

fn text(fields: &Map<String, Value>, key: &str) -> Result<Text, CompileError> {
    if let Some(value) = fields.get(key).and_then(Value::as_str) {
        return Ok(Text::Literal(value.to_string()));
    }
    match fields.get(&format!("{key}Path")).and_then(Value::as_str) {
        Some(call) if intrinsic::looks_like_call(call) => Ok(Text::Intrinsic(
            intrinsic::parse(call).map_err(|e| unsupported(e.message))?,
        )),
        Some(path) => Ok(Text::Path(query(path)?)),
        None => Ok(Text::None),
    }
}

fn template(fields: &Map<String, Value>, key: &str) -> Result<Option<Template>, CompileError> {
    fields
        .get(key)
        .map(Template::compile)
        .transpose()
        .map_err(unsupported)
}

fn error_names(entry: &Value) -> Vec<String> {
    entry
        .get("ErrorEquals")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect()
}

fn retrier(entry: &Value) -> Retrier {
    let number = |key: &str| entry.get(key).and_then(Value::as_f64);
    Retrier {
        errors: error_names(entry),
        interval_seconds: entry
            .get("IntervalSeconds")
            .and_then(Value::as_u64)
            .unwrap_or(1),
        max_attempts: entry
            .get("MaxAttempts")
            .and_then(Value::as_u64)
            .unwrap_or(3) as u32,
        backoff_rate: number("BackoffRate").unwrap_or(2.0),
        max_delay_seconds: entry.get("MaxDelaySeconds").and_then(Value::as_u64),
        full_jitter: entry.get("JitterStrategy").and_then(Value::as_str) == Some("FULL"),
    }
}
