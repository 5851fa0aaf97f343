//! The interpreter: runs a compiled [`Machine`] state by state with AWS's input/output processing order (InputPath,
//! Parameters, ResultSelector, ResultPath, OutputPath), Retry and Catch, Parallel branches and Map iterations run
//! concurrently on the calling task, variables, the context object, and the history.
//!
//! Time is threaded through as data: each branch or iteration carries its own clock offset, so under virtual time a
//! Parallel of two waits takes the longer wait, as on AWS, without sleeping.

use crate::clock::VirtualClock;
use crate::dataflow::{apply_result_path, bracketed, size_failure};
use crate::errors::{error_output, failure_details, matches, retry_delay};
use crate::failure::names;
use crate::history::{self, EVENT_LIMIT};
use crate::intrinsics::Entropy;
use crate::jsonata;
use crate::machine::{Condition, Io, JsonataFields, Kind, Machine, Scope, State};
use crate::template::{Resolver, Template};
use crate::{Failure, Options, Outcome, Status};
use events::Events;
use futures_util::future::{self, Either};
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

mod context;
mod events;
mod fields;
mod map;
mod parallel;
mod task;
mod wait;

/// The account and region in the ARNs the executor makes up.
const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

/// State shared by every branch of one execution.
struct Execution<'a> {
    machine: &'a Machine,
    options: &'a Options,
    input: Value,
    name: String,
    /// Wall-clock start, seconds and nanoseconds since the epoch.
    start: (i64, u32),
    started: Instant,
    events: Mutex<Events>,
    entropy: Mutex<Entropy>,
    clock: Arc<VirtualClock>,
}

/// The variables one scope sees: its own and a snapshot of the enclosing scopes'.
#[derive(Clone, Default)]
struct Variables {
    outer: Option<Arc<Variables>>,
    local: HashMap<String, Value>,
}

impl Variables {
    fn get(&self, name: &str) -> Option<&Value> {
        self.local
            .get(name)
            .or_else(|| self.outer.as_ref().and_then(|o| o.get(name)))
    }

    /// Every variable in scope, outer ones first (so inner names win when bound in order).
    fn all(&self) -> Vec<(&str, &Value)> {
        let mut all = self.outer.as_ref().map(|o| o.all()).unwrap_or_default();
        all.extend(self.local.iter().map(|(k, v)| (k.as_str(), v)));
        all
    }

    /// A snapshot for inner scopes (Parallel branches, Map iterations), taken once per state.
    fn shared(&self) -> Arc<Variables> {
        Arc::new(self.clone())
    }

    /// The variables of an inner scope: it reads everything of `outer`, and writes its own.
    fn within(outer: &Arc<Variables>) -> Variables {
        Variables {
            outer: Some(outer.clone()),
            local: HashMap::new(),
        }
    }
}

/// One running scope: the machine, a Parallel branch or a Map iteration.
struct Frame {
    variables: Variables,
    last_event: u64,
    /// Inside a distributed Map's child execution, whose events are not the parent's history (on AWS each child
    /// execution has its own).
    detached: bool,
}

/// What the state being run knows about itself, for `$$.State` and error messages.
struct StateInfo<'s> {
    name: &'s str,
    entered: (i64, u32),
    entered_event: u64,
    retry_count: u32,
}

/// How a state ended.
enum Transition {
    Next(usize),
    End,
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Runs one execution.
pub(crate) async fn run(machine: &Machine, input: Value, options: &Options) -> Outcome {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let name = options
        .execution_name
        .clone()
        .unwrap_or_else(|| "local".to_string());
    let execution = Execution {
        machine,
        options,
        name,
        start: (now.as_secs() as i64, now.subsec_nanos()),
        started: Instant::now(),
        events: Mutex::new(Events {
            count: 0,
            list: options.history.then(Vec::new),
        }),
        entropy: Mutex::new(match options.seed {
            Some(seed) => Entropy::seeded(seed),
            None => Entropy::seeded(now.as_nanos() as u64),
        }),
        input,
        clock: Arc::default(),
    };
    execution.execute().await
}

impl Execution<'_> {
    async fn execute(&self) -> Outcome {
        let mut frame = Frame {
            variables: Variables::default(),
            last_event: 0,
            detached: false,
        };
        self.event(&mut frame, ("ExecutionStarted", ""), || {
            let role = format!("arn:aws:iam::{ACCOUNT}:role/stepfn-local");
            history::details(None, &[("input", &self.input)], &[("roleArn", json!(role))])
        });
        let result = match size_failure(&self.input, || "the execution input".into()) {
            Some(failure) => Err(failure),
            None => {
                // The first state's entered event follows nothing, as on AWS.
                frame.last_event = 0;
                let run = self.run_scope(&self.machine.root, self.input.clone(), &mut frame);
                let limit = self.machine.timeout_seconds.map(Duration::from_secs);
                let result = match (limit, self.options.virtual_time) {
                    (Some(limit), false) => tokio::time::timeout(limit, run).await.ok(),
                    (Some(limit), true) => {
                        let deadline = self.clock.sleep(limit);
                        match self.clock.drive(future::select(run, deadline)).await {
                            Either::Left((result, _)) => Some(result),
                            Either::Right(_) => None,
                        }
                    }
                    (None, false) => Some(run.await),
                    (None, true) => Some(self.clock.drive(run).await),
                };
                match result {
                    Some(result) => result,
                    None => Err(Failure::new(names::TIMEOUT, EXECUTION_TIMEOUT)),
                }
            }
        };
        let timed_out = matches!(&result, Err(f) if f.error.as_deref() == Some(names::TIMEOUT)
            && f.cause.as_deref() == Some(EXECUTION_TIMEOUT));
        let mut outcome = match result {
            _ if timed_out => {
                self.event(
                    &mut frame,
                    ("ExecutionTimedOut", ""),
                    || json!({"error": names::TIMEOUT, "cause": EXECUTION_TIMEOUT}),
                );
                Outcome {
                    status: Status::TimedOut,
                    output: None,
                    error: Some(names::TIMEOUT.into()),
                    cause: Some(EXECUTION_TIMEOUT.into()),
                    history: Vec::new(),
                }
            }
            Ok(output) => {
                self.event(&mut frame, ("ExecutionSucceeded", ""), || {
                    history::details(None, &[("output", &output)], &[])
                });
                Outcome {
                    status: Status::Succeeded,
                    output: Some(output),
                    error: None,
                    cause: None,
                    history: Vec::new(),
                }
            }
            Err(failure) => {
                self.event(&mut frame, ("ExecutionFailed", ""), || {
                    failure_details(&failure)
                });
                Outcome {
                    status: Status::Failed,
                    output: None,
                    error: failure.error,
                    cause: failure.cause,
                    history: Vec::new(),
                }
            }
        };
        outcome.history = self
            .events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .list
            .take()
            .unwrap_or_default();
        outcome
    }

    /// The current time: the start plus virtual time, or the wall clock.
    fn now(&self, _frame: &Frame) -> (i64, u32) {
        let passed = if self.options.virtual_time {
            self.clock.now()
        } else {
            self.started.elapsed()
        };
        let total = Duration::new(self.start.0 as u64, self.start.1) + passed;
        (total.as_secs() as i64, total.subsec_nanos())
    }

    async fn sleep(&self, duration: Duration) {
        if self.options.virtual_time {
            self.clock.sleep(duration).await;
        } else {
            tokio::time::sleep(duration).await;
        }
    }

    fn execution_arn(&self) -> String {
        format!(
            "arn:aws:states:{REGION}:{ACCOUNT}:execution:{}:{}",
            self.machine.name, self.name
        )
    }

    fn run_scope<'a>(
        &'a self,
        scope: &'a Scope,
        input: Value,
        frame: &'a mut Frame,
    ) -> BoxFuture<'a, Result<Value, Failure>> {
        Box::pin(async move {
            let mut current = scope.start;
            let mut input = input;
            loop {
                if self.history_full() {
                    return Err(Failure::runtime(format!(
                        "The execution reached the limit of {EVENT_LIMIT} history events (a loop without an end?)"
                    )));
                }
                let state = &scope.states[current];
                let (output, transition) = self.run_state(state, input, frame).await?;
                match transition {
                    Transition::Next(next) => {
                        current = next;
                        input = output;
                    }
                    Transition::End => return Ok(output),
                }
            }
        })
    }

    /// Runs one state with its retriers and catchers; returns its output and where to go.
    async fn run_state(
        &self,
        state: &State,
        input: Value,
        frame: &mut Frame,
    ) -> Result<(Value, Transition), Failure> {
        let kind_name = kind_name(&state.kind);
        let entered_event = self.event(frame, (kind_name, "StateEntered"), || {
            history::details(Some(&state.name), &[("input", &input)], &[])
        });
        let mut info = StateInfo {
            name: &state.name,
            entered: self.now(frame),
            entered_event,
            retry_count: 0,
        };
        // A state without retriers or catchers never needs its input again: the attempt takes it, and ResultPath
        // places the result into it without a copy.
        let (result, kept_input) = if state.retry.is_empty() && state.catch.is_empty() {
            (
                self.attempt(state, Cow::Owned(input), frame, &info).await,
                None,
            )
        } else {
            let mut attempts = vec![0u32; state.retry.len()];
            let result = loop {
                match self
                    .attempt(state, Cow::Borrowed(&input), frame, &info)
                    .await
                {
                    Ok(done) => break Ok(done),
                    Err(failure) => {
                        let Some(delay) =
                            retry_delay(&state.retry, &mut attempts, &failure, &self.entropy)
                        else {
                            break Err(failure);
                        };
                        self.sleep(delay).await;
                        info.retry_count += 1;
                    }
                }
            };
            (result, Some(input))
        };
        let (output, transition, assigned) = match result {
            Ok(done) => done,
            Err(failure) => {
                let catcher = state.catch.iter().find(|c| matches(&c.errors, &failure));
                // Uncaught, the failure ends the state without an exited event (AWS's history goes straight from
                // the task's or state's failure to the execution's).
                let (Some(catcher), Some(input)) = (catcher, kept_input) else {
                    return Err(failure);
                };
                let error_output = error_output(&failure);
                let (output, assigned) = match &catcher.jsonata {
                    // JSONata: Output (default: the error output) and Assign see `$states.errorOutput`.
                    Some(fields) => {
                        let scope =
                            self.jscope(&input, None, Some(&error_output), frame, &info, None);
                        let assigned =
                            self.assign_jsonata(fields.assign.as_ref(), &scope, &info)?;
                        let output = match &fields.output {
                            Some(output) => {
                                output.evaluate("Output", &scope, &self.preamble(&info))?
                            }
                            None => error_output,
                        };
                        (output, assigned)
                    }
                    None => {
                        let output = apply_result_path(
                            &catcher.result_path,
                            input,
                            error_output.clone(),
                            &state.name,
                        )?;
                        let assigned = match &catcher.assign {
                            Some(assign) => {
                                Some(self.assign(assign, &error_output, frame, &info)?)
                            }
                            None => None,
                        };
                        (output, assigned)
                    }
                };
                (output, Transition::Next(catcher.next), assigned)
            }
        };
        if let Some(failure) =
            size_failure(&output, || format!("the output of state '{}'", state.name))
        {
            return Err(failure);
        }
        self.event(frame, (kind_name, "StateExited"), || {
            history::details(Some(&state.name), &[("output", &output)], &[])
        });
        if let Some(assigned) = assigned {
            frame.variables.local.extend(assigned);
        }
        Ok((output, transition))
    }

    /// One attempt at a state: its work and data processing, up to the variables it assigns.
    async fn attempt(
        &self,
        state: &State,
        raw: Cow<'_, Value>,
        frame: &mut Frame,
        info: &StateInfo<'_>,
    ) -> Result<(Value, Transition, Option<Map<String, Value>>), Failure> {
        if let Some(fields) = &state.jsonata {
            let result = self
                .attempt_jsonata(state, fields, raw.into_owned(), frame, info)
                .await;
            if let Err(failure) = &result {
                // AWS records a failed expression as its own event before the state's failure is handled.
                if failure.error.as_deref() == Some(names::QUERY_EVALUATION_ERROR) {
                    self.event(frame, ("EvaluationFailed", ""), || {
                        let mut details = failure_details(failure);
                        details["state"] = json!(state.name);
                        details
                    });
                }
            }
            return result;
        }
        // Borrowed when InputPath keeps the whole input: most states copy the document once, not twice.
        let effective: Cow<'_, Value> = match &state.kind {
            Kind::Fail { .. } => Cow::Borrowed(&*raw),
            _ => self.input_path(&state.input_path, &raw, frame, info)?,
        };
        let next = || match state.next {
            Some(next) => Transition::Next(next),
            None => Transition::End,
        };
        let parameters = |frame: &Frame| match &state.parameters {
            Some(template) => {
                let input = template.evaluate(&self.resolver(&effective, frame, info, None))?;
                // "After Parameters processing, the input of a state is larger than the payload quota."
                match size_failure(&input, || format!("the input of state '{}'", state.name)) {
                    Some(failure) => Err(failure),
                    None => Ok(input),
                }
            }
            None => Ok(effective.clone().into_owned()),
        };
        let (result, transition) = match &state.kind {
            Kind::Pass { result } => match (result, &state.parameters) {
                (Some(result), None) => (Some(result.clone()), next()),
                (Some(result), Some(_)) => {
                    parameters(frame)?;
                    (Some(result.clone()), next())
                }
                (None, _) => (Some(parameters(frame)?), next()),
            },
            Kind::Task(task) => {
                let parameters = parameters(frame)?;
                (
                    Some(
                        self.task(task, state, &effective, parameters, frame, info)
                            .await?,
                    ),
                    next(),
                )
            }
            Kind::Parallel { branches } => {
                let parameters = parameters(frame)?;
                (
                    Some(self.parallel(branches, parameters, frame).await?),
                    next(),
                )
            }
            Kind::Map(map) => (
                Some(self.map(state, map, &effective, frame, info).await?),
                next(),
            ),
            Kind::Choice { choices, default } => {
                let mut chosen = None;
                for branch in choices {
                    let resolver = self.resolver(&effective, frame, info, None);
                    let mut resolve = |path: &stepfn_asl::path::Path| resolver.select_path(path);
                    let matched = match &branch.rule {
                        Condition::Rule(rule) => rule.evaluate(&mut resolve)?,
                        Condition::Jsonata(_) => false,
                    };
                    if matched {
                        chosen = Some(branch);
                        break;
                    }
                }
                let target = choice_target(state, chosen.map(|b| b.next), *default)?;
                let mut assigned = match &state.assign {
                    Some(assign) => self.assign(assign, &effective, frame, info)?,
                    None => Map::new(),
                };
                if let Some(assign) = chosen.and_then(|b| b.assign.as_ref()) {
                    assigned.extend(self.assign(assign, &effective, frame, info)?);
                }
                let output =
                    self.output_path(&state.output_path, effective.into_owned(), frame, info)?;
                return Ok((output, Transition::Next(target), Some(assigned)));
            }
            Kind::Wait(wait) => {
                let delay = self.wait_for(wait, &effective, frame, info)?;
                self.sleep(delay).await;
                (None, next())
            }
            Kind::Succeed => (None, Transition::End),
            Kind::Fail { error, cause } => {
                let resolver = self.resolver(&raw, frame, info, None);
                let error = self.text(error, "ErrorPath", &resolver)?;
                let cause = self.text(cause, "CausePath", &resolver)?;
                return Err(Failure { error, cause });
            }
        };
        // Assign reads the result (or, for states without one, the effective input) before ResultPath places it.
        let assign = |from: &Value| match &state.assign {
            Some(assign) => self.assign(assign, from, frame, info).map(Some),
            None => Ok(None),
        };
        let (output, assigned) = match result {
            Some(result) => {
                let result = match &state.result_selector {
                    Some(selector) => {
                        selector.evaluate(&self.resolver(&result, frame, info, None))?
                    }
                    None => result,
                };
                let assigned = assign(&result)?;
                drop(effective);
                let input = match state.result_path {
                    Io::Whole => Value::Null,
                    _ => raw.into_owned(),
                };
                (
                    apply_result_path(&state.result_path, input, result, &state.name)?,
                    assigned,
                )
            }
            None => {
                let assigned = assign(&effective)?;
                (effective.into_owned(), assigned)
            }
        };
        let output = self.output_path(&state.output_path, output, frame, info)?;
        Ok((output, transition, assigned))
    }

    /// AWS's prefix of a state's run-time error.
    fn preamble(&self, info: &StateInfo<'_>) -> String {
        format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). ",
            info.name, info.entered_event
        )
    }

    /// What JSONata expressions of the state see: `$states` and the variables in scope.
    fn jscope<'s>(
        &'s self,
        input: &Value,
        result: Option<&Value>,
        error_output: Option<&Value>,
        frame: &'s Frame,
        info: &StateInfo<'_>,
        item: Option<(usize, &Value)>,
    ) -> jsonata::Scope {
        let context = self.resolver(input, frame, info, item).context();
        let mut states = Map::new();
        states.insert("input".into(), input.clone());
        if let Some(result) = result {
            states.insert("result".into(), result.clone());
        }
        if let Some(error_output) = error_output {
            states.insert("errorOutput".into(), error_output.clone());
        }
        states.insert("context".into(), context);
        jsonata::Scope::new(Value::Object(states), &frame.variables.all(), &self.entropy)
    }

    /// Evaluates a JSONata `Assign` into the variables it sets.
    fn assign_jsonata(
        &self,
        assign: Option<&jsonata::JValue>,
        scope: &jsonata::Scope,
        info: &StateInfo<'_>,
    ) -> Result<Option<Map<String, Value>>, Failure> {
        match assign {
            Some(assign) => match assign.evaluate("Assign", scope, &self.preamble(info))? {
                Value::Object(map) => Ok(Some(map)),
                _ => Ok(None),
            },
            None => Ok(None),
        }
    }

    /// One attempt at a JSONata state: `Arguments` → work → `Output` (default: the result, or the input for states
    /// without one), `Assign` reading the same `$states`.
    async fn attempt_jsonata(
        &self,
        state: &State,
        fields: &JsonataFields,
        input: Value,
        frame: &mut Frame,
        info: &StateInfo<'_>,
    ) -> Result<(Value, Transition, Option<Map<String, Value>>), Failure> {
        let preamble = self.preamble(info);
        let next = match state.next {
            Some(next) => Transition::Next(next),
            None => Transition::End,
        };
        let arguments = |frame: &Frame| match &fields.arguments {
            Some(arguments) => {
                let scope = self.jscope(&input, None, None, frame, info, None);
                arguments.evaluate("Arguments", &scope, &preamble)
            }
            None => Ok(input.clone()),
        };
        let (result, transition) = match &state.kind {
            Kind::Task(task) => {
                let arguments = arguments(frame)?;
                (
                    Some(
                        self.task(task, state, &input, arguments, frame, info)
                            .await?,
                    ),
                    next,
                )
            }
            Kind::Parallel { branches } => {
                let arguments = arguments(frame)?;
                (Some(self.parallel(branches, arguments, frame).await?), next)
            }
            Kind::Map(map) => (Some(self.map(state, map, &input, frame, info).await?), next),
            Kind::Choice { choices, default } => {
                let scope = self.jscope(&input, None, None, frame, info, None);
                let mut chosen = None;
                for (i, branch) in choices.iter().enumerate() {
                    let matched = match &branch.rule {
                        Condition::Jsonata(condition) => {
                            match condition.evaluate(&format!("Choices[{i}].Condition"), &scope, &preamble)? {
                                Value::Bool(matched) => matched,
                                other => {
                                    return Err(Failure::new(
                                        names::QUERY_EVALUATION_ERROR,
                                        format!("{preamble}The Condition of choice rule {i} must be a boolean, not {other}"),
                                    ))
                                }
                            }
                        }
                        Condition::Rule(_) => false,
                    };
                    if matched {
                        chosen = Some(branch);
                        break;
                    }
                }
                let target = choice_target(state, chosen.map(|b| b.next), *default)?;
                let rule = chosen.and_then(|b| b.jsonata.as_ref());
                let mut assigned = self
                    .assign_jsonata(fields.assign.as_ref(), &scope, info)?
                    .unwrap_or_default();
                if let Some(rule_assigned) =
                    self.assign_jsonata(rule.and_then(|r| r.assign.as_ref()), &scope, info)?
                {
                    assigned.extend(rule_assigned);
                }
                let output = match rule
                    .and_then(|r| r.output.as_ref())
                    .or(fields.output.as_ref())
                {
                    Some(output) => output.evaluate("Output", &scope, &preamble)?,
                    None => input,
                };
                return Ok((output, Transition::Next(target), Some(assigned)));
            }
            Kind::Wait(wait) => {
                let delay = self.wait_for(wait, &input, frame, info)?;
                self.sleep(delay).await;
                (None, next)
            }
            Kind::Pass { .. } => (None, next),
            Kind::Succeed => (None, Transition::End),
            Kind::Fail { error, cause } => {
                let resolver = self.resolver(&input, frame, info, None);
                let error = self.text(error, "Error", &resolver)?;
                let cause = self.text(cause, "Cause", &resolver)?;
                return Err(Failure { error, cause });
            }
        };
        let scope = self.jscope(&input, result.as_ref(), None, frame, info, None);
        let assigned = self.assign_jsonata(fields.assign.as_ref(), &scope, info)?;
        let output = match &fields.output {
            Some(output) => output.evaluate("Output", &scope, &preamble)?,
            None => result.unwrap_or(input),
        };
        Ok((output, transition, assigned))
    }

    fn assign(
        &self,
        assign: &Template,
        input: &Value,
        frame: &Frame,
        info: &StateInfo<'_>,
    ) -> Result<Map<String, Value>, Failure> {
        match assign.evaluate(&self.resolver(input, frame, info, None))? {
            Value::Object(map) => Ok(map),
            _ => Ok(Map::new()),
        }
    }

    fn input_path<'v>(
        &self,
        io: &Io,
        raw: &'v Value,
        frame: &Frame,
        info: &StateInfo<'_>,
    ) -> Result<Cow<'v, Value>, Failure> {
        match io {
            Io::Whole => Ok(Cow::Borrowed(raw)),
            Io::Null => Ok(Cow::Owned(json!({}))),
            Io::Path(query) => self
                .resolver(raw, frame, info, None)
                .select(query)
                .map(Cow::Owned)
                .ok_or_else(|| {
                    self.state_error(
                        info,
                        format!(
                            "Invalid path '{}' : No results for path: {}",
                            query.text,
                            bracketed(&query.text)
                        ),
                    )
                }),
        }
    }

    fn output_path(
        &self,
        io: &Io,
        output: Value,
        frame: &Frame,
        info: &StateInfo<'_>,
    ) -> Result<Value, Failure> {
        match io {
            Io::Whole => Ok(output),
            Io::Null => Ok(json!({})),
            Io::Path(query) => self
                .resolver(&output, frame, info, None)
                .select(query)
                .ok_or_else(|| {
                    self.state_error(
                        info,
                        format!(
                            "Invalid path '{}' : No results for path: {}",
                            query.text,
                            bracketed(&query.text)
                        ),
                    )
                }),
        }
    }

    /// `States.Runtime` with AWS's preamble naming the state.
    fn state_error(&self, info: &StateInfo<'_>, detail: impl std::fmt::Display) -> Failure {
        Failure::runtime(format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). {detail}",
            info.name, info.entered_event
        ))
    }
}

const EXECUTION_TIMEOUT: &str = "The execution ran longer than the state machine's TimeoutSeconds";

/// Where a Choice state goes: the matched rule's `Next`, else `Default`, else `States.NoChoiceMatched`.
fn choice_target(
    state: &State,
    matched: Option<usize>,
    default: Option<usize>,
) -> Result<usize, Failure> {
    matched.or(default).ok_or_else(|| {
        Failure::new(
            names::NO_CHOICE_MATCHED,
            format!(
                "No Choice Rule of state '{}' matched, and it has no Default",
                state.name
            ),
        )
    })
}

fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Task(_) => "Task",
        Kind::Pass { .. } => "Pass",
        Kind::Choice { .. } => "Choice",
        Kind::Wait(_) => "Wait",
        Kind::Succeed => "Succeed",
        Kind::Fail { .. } => "Fail",
        Kind::Parallel { .. } => "Parallel",
        Kind::Map(_) => "Map",
    }
}
