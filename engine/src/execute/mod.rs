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
use crate::history::{self, Event, EVENT_LIMIT};
use crate::intrinsics::Entropy;
use crate::jsonata;
use crate::jsonpath::{Query, Selection};
use crate::machine::{
    Batcher, Io, Kind, Machine, MapState, Scope, Seconds, State, Task, Text, Wait,
};
use crate::machine::{Condition, JsonataFields};
use crate::resources::TaskCall;
use crate::template::{self, Resolver, Template};
use crate::{Failure, Options, Outcome, Status};
use futures_util::future::{self, Either};
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

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

struct Events {
    count: u64,
    list: Option<Vec<Event>>,
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

    /// Records an event (building its details only when history is kept) and returns its id.
    /// `kind` is the event type in two pieces (`("Task", "StateEntered")`), joined only when history is kept.
    fn event(&self, frame: &mut Frame, kind: (&str, &str), details: impl FnOnce() -> Value) -> u64 {
        if frame.detached {
            return frame.last_event;
        }
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if events.count >= EVENT_LIMIT - 1 && !kind.0.starts_with("Execution") {
            // Past the limit only the execution's last event is kept; the scope stops at its next state.
            return frame.last_event;
        }
        events.count += 1;
        let id = events.count;
        if let Some(list) = &mut events.list {
            let (seconds, nanos) = self.now(frame);
            let details = details();
            list.push(Event {
                id,
                previous_event_id: frame.last_event,
                timestamp: stepfn_asl::timestamp::format_millis(seconds, nanos),
                kind: [kind.0, kind.1].concat(),
                details: (!details.as_object().is_some_and(Map::is_empty) && !details.is_null())
                    .then_some(details),
            });
        }
        frame.last_event = id;
        id
    }

    fn history_full(&self) -> bool {
        // Entering and leaving a state takes two events, and the execution's end one more.
        self.events.lock().unwrap_or_else(|e| e.into_inner()).count + 3 > EVENT_LIMIT
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

    fn resolver<'r>(
        &'r self,
        input: &'r Value,
        frame: &'r Frame,
        info: &'r StateInfo<'r>,
        item: Option<(usize, &'r Value)>,
    ) -> StateResolver<'r> {
        StateResolver {
            execution: self,
            input,
            frame,
            info,
            item,
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

    fn text(
        &self,
        text: &Text,
        field: &str,
        resolver: &StateResolver<'_>,
    ) -> Result<Option<String>, Failure> {
        let value = match text {
            Text::None => return Ok(None),
            Text::Literal(s) => return Ok(Some(s.clone())),
            Text::Path(query) => resolver.select(query).ok_or_else(|| {
                self.state_error(
                    resolver.info,
                    format!("Invalid path '{}' for {field}: no value at it", query.text),
                )
            })?,
            Text::Intrinsic(expr) => template::evaluate_intrinsic(expr, resolver)?,
            Text::Jsonata(value) => {
                let field = field.trim_end_matches("Path");
                let scope = self.jscope(
                    resolver.input,
                    None,
                    None,
                    resolver.frame,
                    resolver.info,
                    None,
                );
                match value.evaluate(field, &scope, &self.preamble(resolver.info))? {
                    Value::String(s) => return Ok(Some(s)),
                    other => {
                        return Err(Failure::new(
                            names::QUERY_EVALUATION_ERROR,
                            format!(
                                "{}The {field} must be a string, not {other}",
                                self.preamble(resolver.info)
                            ),
                        ))
                    }
                }
            }
        };
        match value {
            Value::String(s) => Ok(Some(s)),
            other => Err(self.state_error(
                resolver.info,
                format!("The {field} must select a string, not {other}"),
            )),
        }
    }

    fn wait_for(
        &self,
        wait: &Wait,
        input: &Value,
        frame: &Frame,
        info: &StateInfo<'_>,
    ) -> Result<Duration, Failure> {
        let until = |text: &str| stepfn_asl::timestamp::parse(text);
        let from_now = |(seconds, nanos): (i64, u32)| {
            let target = Duration::new(seconds.max(0) as u64, nanos);
            let (now_s, now_n) = self.now(frame);
            target.saturating_sub(Duration::new(now_s.max(0) as u64, now_n))
        };
        match wait {
            Wait::Jsonata(value, timestamp) => {
                let field = if *timestamp { "Timestamp" } else { "Seconds" };
                let scope = self.jscope(input, None, None, frame, info, None);
                let value = value.evaluate(field, &scope, &self.preamble(info))?;
                let invalid = |what: &str| {
                    Failure::new(
                        names::QUERY_EVALUATION_ERROR,
                        format!(
                            "{}The {field} field {what}: {}",
                            self.preamble(info),
                            match &value {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            }
                        ),
                    )
                };
                match (timestamp, &value) {
                    (true, Value::String(text)) => until(text).map(from_now).ok_or_else(|| {
                        invalid("cannot be parsed as an ISO-8601 extended offset date-time format string")
                    }),
                    (false, Value::Number(n)) if n.as_u64().is_some() => Ok(Duration::from_secs(n.as_u64().unwrap_or(0))),
                    (true, _) => Err(invalid("must be a string")),
                    (false, _) => Err(invalid("must be a non-negative integer")),
                }
            }
            Wait::Seconds(seconds) => Ok(Duration::from_secs(*seconds)),
            Wait::Timestamp(text) => Ok(until(text).map(from_now).unwrap_or_default()),
            Wait::SecondsPath(query) => {
                let value = self.resolver(input, frame, info, None).select(query);
                let shown = value
                    .as_ref()
                    .map(Value::to_string)
                    .unwrap_or_else(|| "null".into());
                match value.as_ref().and_then(Value::as_i64) {
                    Some(n) if n >= 0 => Ok(Duration::from_secs(n as u64)),
                    Some(_) => Err(self.state_error(info, format!("The SecondsPath parameter references a negative value: {} == {shown}", query.text))),
                    None => Err(self.state_error(info, format!("The SecondsPath parameter cannot be parsed as a long value: {} == {shown}", query.text))),
                }
            }
            Wait::TimestampPath(query) => {
                let value = self.resolver(input, frame, info, None).select(query);
                match value.as_ref().and_then(Value::as_str).and_then(until) {
                    Some(at) => Ok(from_now(at)),
                    None => Err(self.state_error(
                        info,
                        format!(
                            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}",
                            query.text,
                            value.as_ref().map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())).unwrap_or_default()
                        ),
                    )),
                }
            }
        }
    }

    /// A number of seconds from a literal or a path (`MaxConcurrencyPath`, `TimeoutSecondsPath`, ...).
    fn seconds(
        &self,
        seconds: &Seconds,
        field: &str,
        input: &Value,
        frame: &Frame,
        info: &StateInfo<'_>,
    ) -> Result<Option<u64>, Failure> {
        match seconds {
            Seconds::None => Ok(None),
            Seconds::Fixed(n) => Ok(Some(*n)),
            Seconds::Jsonata(value) => {
                let scope = self.jscope(input, None, None, frame, info, None);
                let value = value.evaluate(field, &scope, &self.preamble(info))?;
                // Timeouts are positive; counts such as MaxConcurrency may be 0.
                let least = u64::from(field.ends_with("Seconds"));
                value
                    .as_u64()
                    .filter(|n| *n >= least)
                    .map(Some)
                    .ok_or_else(|| {
                        Failure::new(
                            names::QUERY_EVALUATION_ERROR,
                            format!(
                                "{}The {field} field must be a non-negative integer, not {value}",
                                self.preamble(info)
                            ),
                        )
                    })
            }
            Seconds::Path(query) => {
                let value = self.resolver(input, frame, info, None).select(query);
                let number = match &value {
                    Some(Value::Number(n)) => n.as_u64(),
                    Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
                    _ => None,
                };
                number.map(Some).ok_or_else(|| {
                    let shown = match &value {
                        Some(Value::String(s)) => s.clone(),
                        Some(other) => other.to_string(),
                        None => "null".into(),
                    };
                    self.state_error(info, format!("The {field}Path field refers to value \"{shown}\" which is not a valid integer: {}", query.text))
                })
            }
        }
    }

    async fn task(
        &self,
        task: &Task,
        state: &State,
        state_input: &Value,
        input: Value,
        frame: &mut Frame,
        info: &StateInfo<'_>,
    ) -> Result<Value, Failure> {
        // The timeouts read the state's input (`$states.input`, or the effective input for `...Path`), not the
        // task's arguments.
        let timeout = self.seconds(&task.timeout, "TimeoutSeconds", state_input, frame, info)?;
        let heartbeat = self.seconds(
            &task.heartbeat,
            "HeartbeatSeconds",
            state_input,
            frame,
            info,
        )?;
        let lambda = is_lambda(&task.resource);
        let prefix = if lambda { "LambdaFunction" } else { "Task" };
        // Lambda function ARNs get LambdaFunction* events with `resource` and `input`; service integrations get
        // Task* events naming `resourceType` and `resource` apart, with `parameters`, as GetExecutionHistory does.
        let service = (!lambda).then(|| service_parts(&task.resource));
        let with_service = |mut details: Value| {
            if let (Some((kind, name)), Value::Object(map)) = (&service, &mut details) {
                map.insert("resourceType".into(), json!(kind));
                map.insert("resource".into(), json!(name));
            }
            details
        };
        self.event(frame, (prefix, "Scheduled"), || {
            let mut details = match &service {
                None => history::details(
                    None,
                    &[("input", &input)],
                    &[("resource", json!(task.resource))],
                ),
                Some(_) => with_service(json!({
                    "region": REGION,
                    "parameters": input.to_string(),
                })),
            };
            if let Some(timeout) = timeout {
                details["timeoutInSeconds"] = json!(timeout);
            }
            details
        });
        self.event(frame, (prefix, "Started"), || Value::Null);
        let call = TaskCall {
            state: state.name.clone(),
            resource: task.resource.clone(),
            input,
            attempt: info.retry_count,
            execution_id: self.execution_arn(),
        };
        let invocation = self.options.resources.invoke(call);
        let limit = match (timeout, heartbeat) {
            (Some(t), Some(h)) if h < t => Some((h, names::HEARTBEAT_TIMEOUT)),
            (Some(t), _) => Some((t, names::TIMEOUT)),
            (None, Some(h)) => Some((h, names::HEARTBEAT_TIMEOUT)),
            (None, None) => None,
        };
        // A task is real work: under virtual time the clock waits for it rather than running ahead.
        let busy = self.clock.busy();
        let result = match limit {
            Some((seconds, error)) if tokio::runtime::Handle::try_current().is_ok() => {
                match tokio::time::timeout(Duration::from_secs(seconds), invocation).await {
                    Ok(result) => result,
                    Err(_) => Err(Failure::new(
                        error,
                        format!(
                            "Task state '{}' did not finish within {seconds} seconds",
                            state.name
                        ),
                    )),
                }
            }
            _ => invocation.await,
        };
        drop(busy);
        let result = result.and_then(|output| {
            match size_failure(&output, || format!("the result of task '{}'", state.name)) {
                Some(failure) => Err(failure),
                None => Ok(output),
            }
        });
        match &result {
            Ok(output) => self.event(frame, (prefix, "Succeeded"), || {
                with_service(history::details(None, &[("output", output)], &[]))
            }),
            Err(failure)
                if failure.error.as_deref() == Some(names::TIMEOUT)
                    || failure.error.as_deref() == Some(names::HEARTBEAT_TIMEOUT) =>
            {
                self.event(frame, (prefix, "TimedOut"), || {
                    with_service(failure_details(failure))
                })
            }
            Err(failure) => self.event(frame, (prefix, "Failed"), || {
                with_service(failure_details(failure))
            }),
        };
        result
    }

    async fn parallel(
        &self,
        branches: &[Scope],
        input: Value,
        frame: &mut Frame,
    ) -> Result<Value, Failure> {
        self.event(frame, ("ParallelStateStarted", ""), || Value::Null);
        let start_event = frame.last_event;
        let outer = frame.variables.shared();
        let mut frames: Vec<Frame> = branches
            .iter()
            .map(|_| Frame {
                variables: Variables::within(&outer),
                last_event: start_event,
                detached: frame.detached,
            })
            .collect();
        let runs = branches
            .iter()
            .zip(frames.iter_mut())
            .map(|(branch, branch_frame)| self.run_scope(branch, input.clone(), branch_frame));
        let results = futures_util::future::try_join_all(runs).await;
        frame.last_event = frames
            .iter()
            .map(|f| f.last_event)
            .max()
            .unwrap_or(start_event);
        match results {
            Ok(outputs) => {
                self.event(frame, ("ParallelStateSucceeded", ""), || Value::Null);
                Ok(Value::Array(outputs))
            }
            Err(failure) => {
                self.event(frame, ("ParallelStateFailed", ""), || {
                    failure_details(&failure)
                });
                Err(failure)
            }
        }
    }

    async fn map(
        &self,
        state: &State,
        map: &MapState,
        effective: &Value,
        frame: &mut Frame,
        info: &StateInfo<'_>,
    ) -> Result<Value, Failure> {
        // The items are read in place (one copy per item, made below), unless the path builds a new array.
        let built;
        let from_jsonata = match state.jsonata.is_some() {
            false => None,
            true => match &map.items_jsonata {
                Some(items) => {
                    let scope = self.jscope(effective, None, None, frame, info, None);
                    Some(items.evaluate("Items", &scope, &self.preamble(info))?)
                }
                None => Some(effective.clone()),
            },
        };
        if let Some(other) = from_jsonata.as_ref().filter(|v| !v.is_array()) {
            return Err(Failure::new(
                names::QUERY_EVALUATION_ERROR,
                format!(
                    "{}Map state input must be an array but was: {other}",
                    self.preamble(info)
                ),
            ));
        }
        let items = match &map.items_path {
            _ if from_jsonata.is_some() => from_jsonata.as_ref(),
            Io::Whole => Some(effective),
            Io::Null => None,
            Io::Path(query) if query.root == stepfn_asl::path::Root::Input => {
                match query.select(effective) {
                    Selection::One(node) => node,
                    many => {
                        built = many.into_value();
                        built.as_ref()
                    }
                }
            }
            Io::Path(query) => {
                built = self.resolver(effective, frame, info, None).select(query);
                built.as_ref()
            }
        };
        let items = match items {
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(self.state_error(
                    info,
                    format!("Map state input must be an array, but the items are {other}"),
                ));
            }
            None => {
                return Err(self.state_error(info, "Map state's ItemsPath selects nothing"));
            }
        };
        let max_concurrency = self
            .seconds(
                &map.max_concurrency,
                "MaxConcurrency",
                effective,
                frame,
                info,
            )?
            .unwrap_or(0);
        let tolerated_count = self.seconds(
            &map.tolerated_count,
            "ToleratedFailureCount",
            effective,
            frame,
            info,
        )?;
        let tolerated_percentage = match &map.tolerated_percentage_path {
            Some(query) => {
                let value = self.resolver(effective, frame, info, None).select(query);
                match value.as_ref().and_then(Value::as_f64).filter(|p| (0.0..=100.0).contains(p)) {
                    Some(percentage) => Some(percentage),
                    None => {
                        return Err(self.state_error(
                            info,
                            format!(
                                "The ToleratedFailurePercentagePath field refers to value \"{}\" which is not a valid percentage between 0 and 100: {}",
                                value.map(|v| v.to_string()).unwrap_or_else(|| "null".into()),
                                query.text
                            ),
                        ))
                    }
                }
            }
            None => map.tolerated_percentage,
        };
        let tolerant = tolerated_count.is_some() || tolerated_percentage.is_some();
        let selected = items
            .iter()
            .enumerate()
            .map(
                |(index, item)| match (&map.item_selector, &map.item_selector_jsonata) {
                    (Some(selector), _) => selector.evaluate(&self.resolver(
                        effective,
                        frame,
                        info,
                        Some((index, item)),
                    )),
                    (None, Some(selector)) => {
                        let scope =
                            self.jscope(effective, None, None, frame, info, Some((index, item)));
                        selector.evaluate("ItemSelector", &scope, &self.preamble(info))
                    }
                    (None, None) => Ok(item.clone()),
                },
            )
            .collect::<Result<Vec<_>, _>>()?;
        let selected = match &map.batcher {
            Some(batcher) => self.batches(batcher, selected, effective, frame, info)?,
            None => selected,
        };
        let length = selected.len();
        self.event(frame, ("MapStateStarted", ""), || json!({"length": length}));
        let start_event = frame.last_event;
        if map.distributed {
            self.event(
                frame,
                ("MapRunStarted", ""),
                || json!({"mapRunArn": format!("{}/{}:local", self.execution_arn(), state.name)}),
            );
        }
        let outer = frame.variables.shared();
        let detached = frame.detached;
        let limit = if max_concurrency == 0 {
            length.max(1)
        } else {
            max_concurrency as usize
        };
        let name = &state.name;
        let iterations = stream::iter(selected.into_iter().enumerate()).map(|(index, item)| {
            let outer = &outer;
            async move {
                let mut iteration = Frame {
                    variables: Variables::within(outer),
                    last_event: start_event,
                    detached: detached || map.distributed,
                };
                self.event(
                    &mut iteration,
                    ("MapIterationStarted", ""),
                    || json!({"name": name, "index": index}),
                );
                let result = self.run_scope(&map.processor, item, &mut iteration).await;
                let kind = if result.is_ok() {
                    "MapIterationSucceeded"
                } else {
                    "MapIterationFailed"
                };
                self.event(
                    &mut iteration,
                    (kind, ""),
                    || json!({"name": name, "index": index}),
                );
                (result, iteration.last_event)
            }
        });
        let mut outputs = Vec::with_capacity(length);
        let mut failures = 0usize;
        let mut first_failure = None;
        let mut last_event = start_event;
        let mut runs = iterations.buffered(limit);
        while let Some((result, event)) = runs.next().await {
            last_event = last_event.max(event);
            match result {
                Ok(output) => outputs.push(output),
                Err(failure) if tolerant => {
                    failures += 1;
                    outputs.push(error_output(&failure));
                    first_failure.get_or_insert(failure);
                }
                Err(failure) => {
                    first_failure = Some(failure);
                    break;
                }
            }
        }
        drop(runs);
        frame.last_event = last_event;
        if let Some(failure) = first_failure {
            let within = tolerant && {
                let by_count = tolerated_count.is_some_and(|n| failures as u64 <= n);
                let by_percentage = tolerated_percentage
                    .is_some_and(|p| (failures as f64) * 100.0 <= p * length as f64);
                by_count || by_percentage
            };
            if !within {
                let failure = if tolerant {
                    Failure::new(
                        names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                        format!("The number of failed items ({failures} of {length}) exceeded the tolerated failure threshold"),
                    )
                } else {
                    failure
                };
                if map.distributed {
                    self.event(frame, ("MapRunFailed", ""), || failure_details(&failure));
                }
                self.event(frame, ("MapStateFailed", ""), || failure_details(&failure));
                return Err(failure);
            }
        }
        if map.distributed {
            self.event(frame, ("MapRunSucceeded", ""), || Value::Null);
        }
        self.event(frame, ("MapStateSucceeded", ""), || Value::Null);
        Ok(Value::Array(outputs))
    }
}

impl Execution<'_> {
    /// `ItemBatcher`: the selected items grouped into `{"BatchInput": ..., "Items": [...]}` inputs, each at most
    /// `MaxItemsPerBatch` items and `MaxInputBytesPerBatch` bytes of items.
    fn batches(
        &self,
        batcher: &Batcher,
        items: Vec<Value>,
        effective: &Value,
        frame: &Frame,
        info: &StateInfo<'_>,
    ) -> Result<Vec<Value>, Failure> {
        let max_items = self.seconds(
            &batcher.max_items,
            "MaxItemsPerBatch",
            effective,
            frame,
            info,
        )?;
        let max_bytes = self.seconds(
            &batcher.max_bytes,
            "MaxInputBytesPerBatch",
            effective,
            frame,
            info,
        )?;
        let batch_input = match &batcher.batch_input {
            Some(template) => {
                Some(template.evaluate(&self.resolver(effective, frame, info, None))?)
            }
            None => None,
        };
        let mut batches: Vec<Vec<Value>> = Vec::new();
        let mut bytes = 0u64;
        for item in items {
            let size = item.to_string().len() as u64;
            let full = batches.last().map_or(true, |batch| {
                max_items.is_some_and(|n| batch.len() as u64 >= n.max(1))
                    || max_bytes.is_some_and(|n| bytes + size > n && !batch.is_empty())
            });
            if full {
                batches.push(Vec::new());
                bytes = 0;
            }
            bytes += size;
            batches
                .last_mut()
                .expect("a batch was just pushed")
                .push(item);
        }
        Ok(batches
            .into_iter()
            .map(|items| {
                let mut batch = Map::new();
                if let Some(input) = &batch_input {
                    batch.insert("BatchInput".into(), input.clone());
                }
                batch.insert("Items".into(), Value::Array(items));
                Value::Object(batch)
            })
            .collect())
    }
}

const EXECUTION_TIMEOUT: &str = "The execution ran longer than the state machine's TimeoutSeconds";

/// The context object and variables a state's paths read, besides its input.
struct StateResolver<'r> {
    execution: &'r Execution<'r>,
    input: &'r Value,
    frame: &'r Frame,
    info: &'r StateInfo<'r>,
    /// `$$.Map.Item` while a Map's `ItemSelector` is evaluated.
    item: Option<(usize, &'r Value)>,
}

impl StateResolver<'_> {
    fn context(&self) -> Value {
        let execution = self.execution;
        let timestamp = |(s, n): (i64, u32)| stepfn_asl::timestamp::format_millis(s, n);
        let mut context = json!({
            "Execution": {
                "Id": execution.execution_arn(),
                "Input": execution.input,
                "Name": execution.name,
                "RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/stepfn-local"),
                "StartTime": timestamp(execution.start),
                "RedriveCount": 0
            },
            "State": {
                "EnteredTime": timestamp(self.info.entered),
                "Name": self.info.name,
                "RetryCount": self.info.retry_count
            },
            "StateMachine": {
                "Id": format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{}", execution.machine.name),
                "Name": execution.machine.name
            },
            "Task": {
                "Token": format!("{}:{}:{}", execution.name, self.info.name, self.info.entered_event)
            }
        });
        if let Some((index, value)) = self.item {
            context["Map"] = json!({"Item": {"Index": index, "Value": value}});
        }
        context
    }
}

impl StateResolver<'_> {
    fn root_of<'v>(
        &self,
        root: &stepfn_asl::path::Root,
        context: &'v mut Option<Value>,
    ) -> Option<&'v Value>
    where
        Self: 'v,
    {
        use stepfn_asl::path::Root;
        match root {
            Root::Input => Some(self.input),
            Root::Context => Some(context.insert(self.context())),
            Root::Variable(name) => self.frame.variables.get(name),
        }
    }
}

impl Resolver for StateResolver<'_> {
    fn select_path(&self, path: &stepfn_asl::path::Path) -> Option<Value> {
        let mut context = None;
        let root = self.root_of(&path.root, &mut context)?;
        match crate::jsonpath::walk_definite(path, root) {
            Some(node) => node.cloned(),
            None => Query::compile("", path).ok()?.select(root).into_value(),
        }
    }

    fn select(&self, query: &Query) -> Option<Value> {
        use stepfn_asl::path::Root;
        match &query.root {
            Root::Input => query.select(self.input).into_value(),
            Root::Context => query.select(&self.context()).into_value(),
            Root::Variable(name) => self
                .frame
                .variables
                .get(name)
                .and_then(|v| query.select(v).into_value()),
        }
    }

    fn describe(&self, query: &Query) -> String {
        use stepfn_asl::path::Root;
        match &query.root {
            Root::Input => self.input.to_string(),
            Root::Context => self.context().to_string(),
            Root::Variable(name) => self
                .frame
                .variables
                .get(name)
                .map(Value::to_string)
                .unwrap_or_else(|| format!("(no variable ${name})")),
        }
    }

    fn entropy(&self) -> MutexGuard<'_, Entropy> {
        self.execution
            .entropy
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }
}

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

/// `arn:aws:states:::dynamodb:putItem` → (`dynamodb`, `putItem`); other resources (activities, placeholders) whole.
fn service_parts(resource: &str) -> (String, String) {
    match resource
        .strip_prefix("arn:aws:states:::")
        .and_then(|rest| rest.split_once(':'))
    {
        Some((kind, name)) => (kind.to_string(), name.to_string()),
        None => (String::new(), resource.to_string()),
    }
}

fn is_lambda(resource: &str) -> bool {
    resource.starts_with("arn:aws:lambda:")
        || (resource.starts_with("${") && resource.ends_with("FunctionArn}"))
}
