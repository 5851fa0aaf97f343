//! The typed States Language: one model of a definition, produced once from a document the validator accepted, and
//! read by everything after it (the executor compiles from it; nothing re-reads the JSON with defaults of its own).
//!
//! [`Definition::parse`] is the only way to get one: it parses the text (duplicate keys are problems), validates
//! it, and builds the model, or returns every problem. Numbers arrive as the types AWS gives them (`10.0` in an
//! integer field is 10, read by the validator's own [`integer_value`]), transitions as state indexes, paths with
//! their filters parsed, intrinsic calls as [`Expr`], JSONata expressions parsed, and AWS's documented defaults
//! applied here and nowhere else, Choice rules as [`ChoiceRule`] trees.

use crate::check::fields::integer_value;
use crate::choice_rule::ChoiceRule;
use crate::intrinsic::{self, Expr};
use crate::path::Path;
pub use crate::path::PathText;
use crate::problem::{Problem, Rule};
use crate::QueryLanguage;
use serde_json::{Map, Value};
use stepfn_jsonata::Expression;

/// A validated definition.
#[derive(Debug)]
pub struct Definition {
    /// The document as given.
    pub document: Value,
    /// The machine's `TimeoutSeconds`.
    pub timeout_seconds: Option<u64>,
    pub root: Scope,
}

/// One `StartAt` + `States` block: the machine, a Parallel branch or a Map's item processor.
#[derive(Debug)]
pub struct Scope {
    /// The index of the `StartAt` state in `states`.
    pub start: usize,
    /// The states in document order.
    pub states: Vec<State>,
}

/// A state, with the fields every state type shares.
#[derive(Debug)]
pub struct State {
    pub name: String,
    pub language: QueryLanguage,
    pub kind: Kind,
    /// `Next`, as an index into the scope's states; `None` for `End: true` and for the types without transitions.
    pub next: Option<usize>,
    pub input_path: Io,
    pub output_path: Io,
    pub result_path: Io,
    /// `Parameters` (not a Map's: see [`MapState::item_selector`]).
    pub parameters: Option<Template>,
    pub result_selector: Option<Template>,
    /// `Assign` of a JSONPath state.
    pub assign: Option<Template>,
    /// `Arguments`, `Output` and `Assign` of a JSONata state.
    pub jsonata: Option<JsonataFields>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
}

/// What a state does.
#[derive(Debug)]
pub enum Kind {
    Task(Task),
    Pass {
        result: Option<Value>,
    },
    Choice {
        choices: Vec<ChoiceBranch>,
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
pub struct Task {
    pub resource: String,
    pub timeout: Seconds,
    pub heartbeat: Seconds,
}

/// A number given literally, by a reference path, or by a JSONata expression (`TimeoutSeconds`,
/// `MaxConcurrency`, `ToleratedFailureCount`, `MaxItemsPerBatch`, ...).
#[derive(Debug)]
pub enum Seconds {
    None,
    Fixed(u64),
    Path(PathText),
    Jsonata(JsonataValue),
}

/// One Choice rule: its test, target, and what it assigns (and, in JSONata, outputs).
#[derive(Debug)]
pub struct ChoiceBranch {
    pub condition: Condition,
    pub next: usize,
    pub assign: Option<Template>,
    pub jsonata: Option<JsonataFields>,
}

/// A Choice rule's test.
#[derive(Debug)]
pub enum Condition {
    /// A JSONPath rule (comparisons, `And`/`Or`/`Not`).
    Rule(ChoiceRule),
    /// A JSONata `Condition`.
    Jsonata(JsonataValue),
}

#[derive(Debug)]
pub enum Wait {
    Seconds(u64),
    SecondsPath(PathText),
    Timestamp(String),
    TimestampPath(PathText),
    /// JSONata `Seconds` (`false`) or `Timestamp` (`true`).
    Jsonata(JsonataValue, bool),
}

/// A Fail state's `Error` or `Cause`: absent, literal, a path, an intrinsic call, or JSONata.
#[derive(Debug)]
pub enum Text {
    None,
    Literal(String),
    Path(PathText),
    Intrinsic(Expr),
    Jsonata(JsonataValue),
}

#[derive(Debug)]
pub struct MapState {
    pub items_path: Io,
    /// `ItemSelector`, or the older `Parameters` of a Map.
    pub item_selector: Option<Template>,
    pub processor: Scope,
    /// `ProcessorConfig.Mode` is `DISTRIBUTED`.
    pub distributed: bool,
    /// Whether the Map reads its items with an `ItemReader` (from S3).
    pub item_reader: bool,
    pub max_concurrency: Seconds,
    pub tolerated_count: Seconds,
    pub tolerated_percentage: Option<f64>,
    pub tolerated_percentage_path: Option<PathText>,
    pub batcher: Option<Batcher>,
    /// JSONata `Items` and `ItemSelector`.
    pub items_jsonata: Option<JsonataValue>,
    pub item_selector_jsonata: Option<JsonataValue>,
}

/// A Map's `ItemBatcher`.
#[derive(Debug)]
pub struct Batcher {
    pub max_items: Seconds,
    pub max_bytes: Seconds,
    /// `BatchInput` of a JSONPath Map.
    pub batch_input: Option<Template>,
    /// `BatchInput` of a JSONata Map.
    pub batch_input_jsonata: Option<JsonataValue>,
}

/// A retrier with AWS's defaults applied ("Handling errors in Step Functions workflows": `IntervalSeconds` 1,
/// `MaxAttempts` 3, `BackoffRate` 2.0, `JitterStrategy` `NONE`).
#[derive(Debug)]
pub struct Retrier {
    pub errors: Vec<String>,
    pub interval_seconds: u64,
    pub max_attempts: u32,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<u64>,
    pub full_jitter: bool,
}

#[derive(Debug)]
pub struct Catcher {
    pub errors: Vec<String>,
    pub next: usize,
    pub result_path: Io,
    pub assign: Option<Template>,
    pub jsonata: Option<JsonataFields>,
}

/// `InputPath`, `OutputPath`, `ResultPath` or `ItemsPath`: absent or `$` (the whole value), `null`, or a path.
#[derive(Debug)]
pub enum Io {
    Whole,
    Null,
    Path(PathText),
}

/// A payload template of a JSONPath state: object keys ending in `.$` take their value from a path or an intrinsic.
#[derive(Debug)]
pub enum Template {
    /// A value without any `.$` key inside: used as written.
    Literal(Value),
    Object(Vec<(String, Template)>),
    Array(Vec<Template>),
    /// `"key.$": "$.path"`; `key` keeps the `.$`, for messages.
    Path {
        key: String,
        path: PathText,
    },
    /// `"key.$": "States.Format(...)"`.
    Intrinsic {
        text: String,
        expr: Expr,
    },
}

/// A field value of a JSONata state: strings in `{% %}` are expressions, everything else literal.
#[derive(Debug)]
pub enum JsonataValue {
    Literal(Value),
    /// The expression's text (trimmed, without delimiters) and its parse.
    Expr {
        text: String,
        expr: Box<Expression>,
    },
    Object(Vec<(String, JsonataValue)>),
    Array(Vec<JsonataValue>),
}

/// `Arguments`, `Output` and `Assign` of a JSONata state, Choice rule or catcher.
#[derive(Debug, Default)]
pub struct JsonataFields {
    pub arguments: Option<JsonataValue>,
    pub output: Option<JsonataValue>,
    pub assign: Option<JsonataValue>,
}

impl Definition {
    /// Parses, validates and builds a definition: the model, or every problem (duplicate keys included).
    pub fn parse(text: &str) -> Result<Definition, Vec<Problem>> {
        let (document, mut problems) = crate::parse_document(text).map_err(|error| {
            vec![Problem {
                rule: Rule::FieldType,
                pointer: String::new(),
                message: format!("the definition is not JSON: {error}"),
                cause: None,
            }]
        })?;
        problems.extend(crate::validate_document(&document));
        if !problems.is_empty() {
            return Err(problems);
        }
        Definition::from_document(document)
    }

    /// Validates and builds a definition from a JSON value (duplicate keys are already merged in a value: prefer
    /// [`Definition::parse`] for text).
    pub fn from_document(document: Value) -> Result<Definition, Vec<Problem>> {
        let problems = crate::validate_document(&document);
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut builder = Builder::default();
        let built = builder.definition(&document);
        match built {
            Some((timeout_seconds, root)) if builder.problems.is_empty() => Ok(Definition {
                document,
                timeout_seconds,
                root,
            }),
            _ => Err(builder.problems),
        }
    }
}

/// Builds the model from a validated document. The validator has checked every shape read here; a shape it let
/// through that the model cannot hold is reported as a problem, never a panic or a default.
#[derive(Default)]
struct Builder {
    problems: Vec<Problem>,
}

/// Where a state's transitions point: the scope's names in order.
struct Names<'d>(Vec<&'d str>);

impl Builder {
    fn problem<T>(&mut self, pointer: &str, message: impl Into<String>) -> Option<T> {
        self.problems.push(Problem {
            rule: Rule::FieldType,
            pointer: pointer.to_string(),
            message: message.into(),
            cause: None,
        });
        None
    }

    fn definition(&mut self, document: &Value) -> Option<(Option<u64>, Scope)> {
        let language = match document.get("QueryLanguage").and_then(Value::as_str) {
            Some("JSONata") => QueryLanguage::Jsonata,
            _ => QueryLanguage::JsonPath,
        };
        let timeout = self.count(document.as_object()?, "", "TimeoutSeconds");
        Some((timeout, self.scope("", document, language)?))
    }

    fn scope(&mut self, at: &str, block: &Value, outer: QueryLanguage) -> Option<Scope> {
        let language = language_of(block, outer);
        let Some(states) = block.get("States").and_then(Value::as_object) else {
            return self.problem(at, "a scope needs `States`");
        };
        let names = Names(states.keys().map(String::as_str).collect());
        let start_name = block
            .get("StartAt")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let start = self.position(&names, &format!("{at}/StartAt"), start_name)?;
        let mut built = Vec::with_capacity(states.len());
        for (name, body) in states {
            let state_at = format!("{at}/States/{}", crate::pointer_segment(name));
            built.push(self.state(&state_at, name, body, language, &names)?);
        }
        Some(Scope {
            start,
            states: built,
        })
    }

    fn position(&mut self, names: &Names, at: &str, name: &str) -> Option<usize> {
        match names.0.iter().position(|n| *n == name) {
            Some(index) => Some(index),
            None => self.problem(at, format!("there is no state named `{name}` here")),
        }
    }

    fn state(
        &mut self,
        at: &str,
        name: &str,
        body: &Value,
        outer: QueryLanguage,
        names: &Names,
    ) -> Option<State> {
        let Some(fields) = body.as_object() else {
            return self.problem(at, "a state must be an object");
        };
        let language = language_of(body, outer);
        let jsonata = language == QueryLanguage::Jsonata;
        let string = |key: &str| fields.get(key).and_then(Value::as_str);
        let next = match string("Next") {
            Some(next) => Some(self.position(names, &format!("{at}/Next"), next)?),
            None => None,
        };
        let kind = match string("Type").unwrap_or_default() {
            "Task" => Kind::Task(Task {
                resource: match string("Resource") {
                    Some(resource) => resource.to_string(),
                    None => return self.problem(at, "a Task state needs a `Resource` string"),
                },
                timeout: self.seconds(at, fields, "TimeoutSeconds", jsonata)?,
                heartbeat: self.seconds(at, fields, "HeartbeatSeconds", jsonata)?,
            }),
            "Pass" => Kind::Pass {
                result: fields.get("Result").cloned(),
            },
            "Choice" => {
                let mut choices = Vec::new();
                let rules = fields.get("Choices").and_then(Value::as_array);
                for (i, rule) in rules.into_iter().flatten().enumerate() {
                    let rule_at = format!("{at}/Choices/{i}");
                    choices.push(self.branch(&rule_at, rule, jsonata, names)?);
                }
                let default = match string("Default") {
                    Some(default) => {
                        Some(self.position(names, &format!("{at}/Default"), default)?)
                    }
                    None => None,
                };
                Kind::Choice { choices, default }
            }
            "Wait" => Kind::Wait(self.wait(at, fields, jsonata)?),
            "Succeed" => Kind::Succeed,
            "Fail" => Kind::Fail {
                error: self.text(at, fields, "Error", jsonata)?,
                cause: self.text(at, fields, "Cause", jsonata)?,
            },
            "Parallel" => {
                let mut branches = Vec::new();
                let blocks = fields.get("Branches").and_then(Value::as_array);
                for (i, branch) in blocks.into_iter().flatten().enumerate() {
                    branches.push(self.scope(&format!("{at}/Branches/{i}"), branch, language)?);
                }
                Kind::Parallel { branches }
            }
            "Map" => Kind::Map(Box::new(self.map_state(at, fields, language)?)),
            other => return self.problem(at, format!("unknown state type `{other}`")),
        };
        let parameters = match (&kind, jsonata) {
            (Kind::Map(_), _) | (_, true) => None,
            _ => self.template(at, fields, "Parameters")?,
        };
        let mut retry = Vec::new();
        for (i, entry) in array(fields, "Retry").iter().enumerate() {
            retry.push(self.retrier(&format!("{at}/Retry/{i}"), entry)?);
        }
        let mut catch = Vec::new();
        for (i, entry) in array(fields, "Catch").iter().enumerate() {
            catch.push(self.catcher(&format!("{at}/Catch/{i}"), entry, jsonata, names)?);
        }
        Some(State {
            name: name.to_string(),
            language,
            input_path: self.io(at, fields, "InputPath")?,
            output_path: self.io(at, fields, "OutputPath")?,
            result_path: self.io(at, fields, "ResultPath")?,
            parameters,
            result_selector: self.jsonpath_template(at, fields, "ResultSelector", jsonata)?,
            assign: self.jsonpath_template(at, fields, "Assign", jsonata)?,
            jsonata: self.jsonata_fields(at, fields, jsonata)?,
            next,
            retry,
            catch,
            kind,
        })
    }

    fn branch(
        &mut self,
        at: &str,
        rule: &Value,
        jsonata: bool,
        names: &Names,
    ) -> Option<ChoiceBranch> {
        let Some(fields) = rule.as_object() else {
            return self.problem(at, "a choice rule must be an object");
        };
        let condition = match (jsonata, fields.get("Condition")) {
            (true, Some(condition)) => {
                Condition::Jsonata(self.jsonata(&format!("{at}/Condition"), condition)?)
            }
            _ => match ChoiceRule::parse(rule) {
                Ok(rule) => Condition::Rule(rule),
                Err(message) => return self.problem(at, message),
            },
        };
        let next = fields
            .get("Next")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Some(ChoiceBranch {
            condition,
            next: self.position(names, &format!("{at}/Next"), next)?,
            assign: self.jsonpath_template(at, fields, "Assign", jsonata)?,
            jsonata: self.jsonata_fields(at, fields, jsonata)?,
        })
    }

    fn catcher(
        &mut self,
        at: &str,
        entry: &Value,
        jsonata: bool,
        names: &Names,
    ) -> Option<Catcher> {
        let Some(fields) = entry.as_object() else {
            return self.problem(at, "a catcher must be an object");
        };
        let next = fields
            .get("Next")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Some(Catcher {
            errors: error_names(fields),
            next: self.position(names, &format!("{at}/Next"), next)?,
            result_path: self.io(at, fields, "ResultPath")?,
            assign: self.jsonpath_template(at, fields, "Assign", jsonata)?,
            jsonata: self.jsonata_fields(at, fields, jsonata)?,
        })
    }

    fn retrier(&mut self, at: &str, entry: &Value) -> Option<Retrier> {
        let Some(fields) = entry.as_object() else {
            return self.problem(at, "a retrier must be an object");
        };
        let max_attempts = self.count(fields, at, "MaxAttempts").unwrap_or(3);
        Some(Retrier {
            errors: error_names(fields),
            interval_seconds: self.count(fields, at, "IntervalSeconds").unwrap_or(1),
            max_attempts: u32::try_from(max_attempts).unwrap_or(u32::MAX),
            backoff_rate: fields
                .get("BackoffRate")
                .and_then(Value::as_f64)
                .unwrap_or(2.0),
            max_delay_seconds: self.count(fields, at, "MaxDelaySeconds"),
            full_jitter: fields.get("JitterStrategy").and_then(Value::as_str) == Some("FULL"),
        })
    }

    fn wait(&mut self, at: &str, fields: &Map<String, Value>, jsonata: bool) -> Option<Wait> {
        if jsonata {
            return Some(match (fields.get("Seconds"), fields.get("Timestamp")) {
                (Some(seconds), _) => {
                    Wait::Jsonata(self.jsonata(&format!("{at}/Seconds"), seconds)?, false)
                }
                (None, Some(timestamp)) => {
                    Wait::Jsonata(self.jsonata(&format!("{at}/Timestamp"), timestamp)?, true)
                }
                (None, None) => {
                    return self.problem(at, "a Wait state needs `Seconds` or `Timestamp`")
                }
            });
        }
        if fields.contains_key("Seconds") {
            return Some(Wait::Seconds(self.count(fields, at, "Seconds")?));
        }
        if let Some(path) = self.path_field(at, fields, "SecondsPath")? {
            return Some(Wait::SecondsPath(path));
        }
        if let Some(timestamp) = fields.get("Timestamp").and_then(Value::as_str) {
            return Some(Wait::Timestamp(timestamp.to_string()));
        }
        match self.path_field(at, fields, "TimestampPath")? {
            Some(path) => Some(Wait::TimestampPath(path)),
            None => self.problem(at, "a Wait state needs one of its four durations"),
        }
    }

    fn map_state(
        &mut self,
        at: &str,
        fields: &Map<String, Value>,
        language: QueryLanguage,
    ) -> Option<MapState> {
        let jsonata = language == QueryLanguage::Jsonata;
        let (key, processor) = match (fields.get("ItemProcessor"), fields.get("Iterator")) {
            (Some(processor), _) => ("ItemProcessor", processor),
            (None, Some(iterator)) => ("Iterator", iterator),
            (None, None) => return self.problem(at, "a Map state needs `ItemProcessor`"),
        };
        let distributed = processor
            .pointer("/ProcessorConfig/Mode")
            .and_then(Value::as_str)
            == Some("DISTRIBUTED");
        let item_selector = match (jsonata, fields.contains_key("ItemSelector")) {
            (true, _) => None,
            (false, true) => self.template(at, fields, "ItemSelector")?,
            (false, false) => self.template(at, fields, "Parameters")?,
        };
        let batcher = match fields.get("ItemBatcher").and_then(Value::as_object) {
            Some(batcher) => {
                let batcher_at = format!("{at}/ItemBatcher");
                Some(Batcher {
                    max_items: self.seconds(&batcher_at, batcher, "MaxItemsPerBatch", jsonata)?,
                    max_bytes: self.seconds(
                        &batcher_at,
                        batcher,
                        "MaxInputBytesPerBatch",
                        jsonata,
                    )?,
                    batch_input: self.jsonpath_template(
                        &batcher_at,
                        batcher,
                        "BatchInput",
                        jsonata,
                    )?,
                    batch_input_jsonata: match (jsonata, batcher.get("BatchInput")) {
                        (true, Some(value)) => {
                            Some(self.jsonata(&format!("{batcher_at}/BatchInput"), value)?)
                        }
                        _ => None,
                    },
                })
            }
            None => None,
        };
        let jsonata_field = |builder: &mut Builder, key: &str| match (jsonata, fields.get(key)) {
            (true, Some(value)) => builder.jsonata(&format!("{at}/{key}"), value).map(Some),
            _ => Some(None),
        };
        Some(MapState {
            items_path: self.io(at, fields, "ItemsPath")?,
            item_selector,
            processor: self.scope(&format!("{at}/{key}"), processor, language)?,
            distributed,
            item_reader: fields.contains_key("ItemReader"),
            max_concurrency: self.seconds(at, fields, "MaxConcurrency", jsonata)?,
            tolerated_count: self.seconds(at, fields, "ToleratedFailureCount", jsonata)?,
            tolerated_percentage: fields
                .get("ToleratedFailurePercentage")
                .and_then(Value::as_f64),
            tolerated_percentage_path: self.path_field(
                at,
                fields,
                "ToleratedFailurePercentagePath",
            )?,
            batcher,
            items_jsonata: jsonata_field(self, "Items")?,
            item_selector_jsonata: jsonata_field(self, "ItemSelector")?,
        })
    }

    /// A whole number the validator accepted (`None` when absent).
    fn count(&mut self, fields: &Map<String, Value>, at: &str, key: &str) -> Option<u64> {
        let value = fields.get(key)?;
        match integer_value(value).and_then(|n| u64::try_from(n).ok()) {
            Some(n) => Some(n),
            None => self.problem(
                &format!("{at}/{key}"),
                format!("`{key}` must be a whole number, 0 or more"),
            ),
        }
    }

    /// `<key>` (a number, or JSONata) or `<key>Path`. `None` is a problem; `Some(Seconds::None)` absent.
    fn seconds(
        &mut self,
        at: &str,
        fields: &Map<String, Value>,
        key: &str,
        jsonata: bool,
    ) -> Option<Seconds> {
        match fields.get(key) {
            Some(value @ Value::String(_)) if jsonata => {
                return Some(Seconds::Jsonata(
                    self.jsonata(&format!("{at}/{key}"), value)?,
                ))
            }
            Some(_) => return Some(Seconds::Fixed(self.count(fields, at, key)?)),
            None => {}
        }
        Some(match self.path_field(at, fields, &format!("{key}Path"))? {
            Some(path) => Seconds::Path(path),
            None => Seconds::None,
        })
    }

    fn text(
        &mut self,
        at: &str,
        fields: &Map<String, Value>,
        key: &str,
        jsonata: bool,
    ) -> Option<Text> {
        match fields.get(key) {
            Some(value) if jsonata => {
                return Some(Text::Jsonata(self.jsonata(&format!("{at}/{key}"), value)?))
            }
            Some(Value::String(text)) => return Some(Text::Literal(text.clone())),
            Some(_) => {
                return self.problem(&format!("{at}/{key}"), format!("`{key}` must be a string"))
            }
            None => {}
        }
        let path_key = format!("{key}Path");
        match fields.get(&path_key).and_then(Value::as_str) {
            Some(call) if intrinsic::looks_like_call(call) => match intrinsic::parse(call) {
                Ok(expr) => Some(Text::Intrinsic(expr)),
                Err(error) => self.problem(&format!("{at}/{path_key}"), error.message),
            },
            Some(_) => self.path_field(at, fields, &path_key)?.map(Text::Path),
            None => Some(Text::None),
        }
    }

    /// An optional field holding a path; `Some(None)` when absent.
    fn path_field(
        &mut self,
        at: &str,
        fields: &Map<String, Value>,
        key: &str,
    ) -> Option<Option<PathText>> {
        match fields.get(key) {
            None => Some(None),
            Some(Value::String(text)) => self.path(&format!("{at}/{key}"), text).map(Some),
            Some(_) => self.problem(&format!("{at}/{key}"), format!("`{key}` must be a path")),
        }
    }

    fn path(&mut self, at: &str, text: &str) -> Option<PathText> {
        match Path::parse(text) {
            Ok(path) => Some(PathText {
                text: text.to_string(),
                path,
            }),
            Err(error) => self.problem(at, error.message),
        }
    }

    fn io(&mut self, at: &str, fields: &Map<String, Value>, key: &str) -> Option<Io> {
        Some(match fields.get(key) {
            None => Io::Whole,
            Some(Value::Null) => Io::Null,
            Some(Value::String(path)) if path == "$" => Io::Whole,
            Some(Value::String(path)) => Io::Path(self.path(&format!("{at}/{key}"), path)?),
            Some(_) => {
                return self.problem(
                    &format!("{at}/{key}"),
                    format!("`{key}` must be a path or null"),
                )
            }
        })
    }

    /// A JSONPath template field of a JSONPath state (`None` inside for JSONata states and absent fields).
    fn jsonpath_template(
        &mut self,
        at: &str,
        fields: &Map<String, Value>,
        key: &str,
        jsonata: bool,
    ) -> Option<Option<Template>> {
        match jsonata {
            true => Some(None),
            false => self.template(at, fields, key),
        }
    }

    fn template(
        &mut self,
        at: &str,
        fields: &Map<String, Value>,
        key: &str,
    ) -> Option<Option<Template>> {
        match fields.get(key) {
            None => Some(None),
            Some(value) => self.template_value(&format!("{at}/{key}"), value).map(Some),
        }
    }

    fn template_value(&mut self, at: &str, value: &Value) -> Option<Template> {
        if !has_dynamic_key(value) {
            return Some(Template::Literal(value.clone()));
        }
        Some(match value {
            Value::Object(map) => {
                let mut fields = Vec::with_capacity(map.len());
                for (key, value) in map {
                    let key_at = format!("{at}/{}", crate::pointer_segment(key));
                    let Some(name) = key.strip_suffix(".$") else {
                        fields.push((key.clone(), self.template_value(&key_at, value)?));
                        continue;
                    };
                    let Some(text) = value.as_str() else {
                        return self.problem(
                            &key_at,
                            format!("`{key}` needs a path or an intrinsic function"),
                        );
                    };
                    let template = if intrinsic::looks_like_call(text) {
                        match intrinsic::parse(text) {
                            Ok(expr) => Template::Intrinsic {
                                text: text.to_string(),
                                expr,
                            },
                            Err(error) => return self.problem(&key_at, error.message),
                        }
                    } else {
                        Template::Path {
                            key: key.clone(),
                            path: self.path(&key_at, text)?,
                        }
                    };
                    fields.push((name.to_string(), template));
                }
                Template::Object(fields)
            }
            Value::Array(items) => {
                let mut templates = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    templates.push(self.template_value(&format!("{at}/{i}"), item)?);
                }
                Template::Array(templates)
            }
            other => Template::Literal(other.clone()),
        })
    }

    fn jsonata_fields(
        &mut self,
        at: &str,
        fields: &Map<String, Value>,
        jsonata: bool,
    ) -> Option<Option<JsonataFields>> {
        if !jsonata {
            return Some(None);
        }
        let mut field = |key: &str| match fields.get(key) {
            Some(value) => self.jsonata(&format!("{at}/{key}"), value).map(Some),
            None => Some(None),
        };
        Some(Some(JsonataFields {
            arguments: field("Arguments")?,
            output: field("Output")?,
            assign: field("Assign")?,
        }))
    }

    fn jsonata(&mut self, at: &str, value: &Value) -> Option<JsonataValue> {
        Some(match value {
            Value::String(text) => match crate::jsonata_text::expression_body(text) {
                Some(body) => match Expression::parse(body) {
                    Ok(expr) => JsonataValue::Expr {
                        text: body.trim().to_string(),
                        expr: Box::new(expr),
                    },
                    Err(error) => {
                        return self.problem(
                            at,
                            format!(
                                "`{}` is not a valid JSONata expression: {}",
                                body.trim(),
                                error.message
                            ),
                        )
                    }
                },
                None => JsonataValue::Literal(value.clone()),
            },
            Value::Object(map) if has_expression(value) => {
                let mut fields = Vec::with_capacity(map.len());
                for (key, item) in map {
                    let key_at = format!("{at}/{}", crate::pointer_segment(key));
                    fields.push((key.clone(), self.jsonata(&key_at, item)?));
                }
                JsonataValue::Object(fields)
            }
            Value::Array(items) if has_expression(value) => {
                let mut values = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    values.push(self.jsonata(&format!("{at}/{i}"), item)?);
                }
                JsonataValue::Array(values)
            }
            other => JsonataValue::Literal(other.clone()),
        })
    }
}

fn language_of(block: &Value, outer: QueryLanguage) -> QueryLanguage {
    match block.get("QueryLanguage").and_then(Value::as_str) {
        Some("JSONata") => QueryLanguage::Jsonata,
        Some(_) => QueryLanguage::JsonPath,
        None => outer,
    }
}

fn array<'v>(fields: &'v Map<String, Value>, key: &str) -> &'v [Value] {
    fields
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn error_names(fields: &Map<String, Value>) -> Vec<String> {
    array(fields, "ErrorEquals")
        .iter()
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect()
}

/// Whether a template has a `.$` key anywhere inside.
fn has_dynamic_key(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| key.ends_with(".$") || has_dynamic_key(value)),
        Value::Array(items) => items.iter().any(has_dynamic_key),
        _ => false,
    }
}

/// Whether a JSONata field value has an expression anywhere inside.
fn has_expression(value: &Value) -> bool {
    match value {
        Value::String(text) => crate::jsonata_text::expression_body(text).is_some(),
        Value::Object(map) => map.values().any(has_expression),
        Value::Array(items) => items.iter().any(has_expression),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Definition {
        Definition::parse(text).unwrap_or_else(|problems| panic!("{problems:?}"))
    }

    #[test]
    fn numbers_are_read_as_aws_reads_them_with_its_defaults() {
        let definition = parse(
            r#"{"TimeoutSeconds": 60.0, "StartAt": "T", "States": {"T": {"Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage", "TimeoutSeconds": 30,
                "Retry": [{"ErrorEquals": ["A"], "MaxAttempts": 5.0}, {"ErrorEquals": ["B"]}], "Next": "W"},
                "W": {"Type": "Wait", "Seconds": 10.0, "End": true}}}"#,
        );
        assert_eq!(definition.timeout_seconds, Some(60));
        let task = &definition.root.states[0];
        assert_eq!(task.next, Some(1));
        assert_eq!(task.retry[0].max_attempts, 5);
        let defaults = &task.retry[1];
        assert_eq!(
            (
                defaults.interval_seconds,
                defaults.max_attempts,
                defaults.backoff_rate
            ),
            (1, 3, 2.0)
        );
        assert!(matches!(
            task.kind,
            Kind::Task(Task {
                timeout: Seconds::Fixed(30),
                ..
            })
        ));
        assert!(matches!(
            definition.root.states[1].kind,
            Kind::Wait(Wait::Seconds(10))
        ));
    }

    #[test]
    fn an_invalid_document_gives_every_problem_and_no_model() {
        let problems = Definition::parse(
            r#"{"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 10.5, "Next": "Nowhere"}}}"#,
        )
        .unwrap_err();
        assert!(problems.len() >= 2, "{problems:?}");
        assert!(Definition::parse("{").is_err());
    }

    #[test]
    fn jsonata_and_paths_arrive_parsed() {
        let definition = parse(
            r#"{"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass",
                "Output": {"total": "{% $states.input.a + 1 %}", "fixed": 1}, "End": true}}}"#,
        );
        let fields = definition.root.states[0].jsonata.as_ref().unwrap();
        let Some(JsonataValue::Object(output)) = &fields.output else {
            panic!("{:?}", fields.output)
        };
        assert!(
            matches!(&output[0].1, JsonataValue::Expr { text, .. } if text == "$states.input.a + 1")
        );
        let definition = parse(
            r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.items[?(@.n > 1)]",
                "Parameters": {"first.$": "$[0]", "n.$": "States.ArrayLength($)"}, "End": true}}}"#,
        );
        let state = &definition.root.states[0];
        assert!(matches!(&state.input_path, Io::Path(p) if !p.path.is_definite()));
        assert!(matches!(&state.parameters, Some(Template::Object(fields)) if fields.len() == 2));
    }
}
