//! The driver: an execution from its start to its end event under the machine's `TimeoutSeconds`, the loop over one
//! scope's states, and one state's run around its attempts: the entered and exited events, `Retry` with its
//! back-off, and `Catch` handing the error output on.

use super::events::Events;
use super::jsonata_io::Jsonata;
use super::jsonpath_io::JsonPath;
use super::stage::Stage;
use super::work::kind_name;
use super::{BoxFuture, Execution, Frame, StateInfo, Transition, Variables, ACCOUNT};
use crate::dataflow::size_failure;
use crate::errors::{failure_details, matches, retry_delay};
use crate::failure::names;
use crate::history::{self, EVENT_LIMIT};
use crate::intrinsics::Entropy;
use crate::machine::{Machine, Scope, State};
use crate::resume::Checkpoint;
use crate::{Failure, Options, Outcome, Status};
use futures_util::future::{self, Either};
use serde_json::{json, Value};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

const EXECUTION_TIMEOUT: &str = "The execution ran longer than the state machine's TimeoutSeconds";

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
        first_start: options
            .resume
            .as_ref()
            .map_or((now.as_secs() as i64, now.subsec_nanos()), |r| r.started),
        started: Instant::now(),
        events: Mutex::new(Events::new(
            options.history,
            options.resume.as_ref().map_or(0, |r| r.events_so_far),
        )),
        entropy: Mutex::new(match options.seed {
            Some(seed) => Entropy::seeded(seed),
            None => Entropy::seeded(now.as_nanos() as u64),
        }),
        input,
        clock: Arc::default(),
        test: None,
        checkpoint: Mutex::default(),
        carried_parts: Mutex::new(
            (options.resume.as_ref())
                .filter(|r| !r.from.parts.is_empty())
                .map(|r| (r.from.state.clone(), r.from.parts.clone())),
        ),
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
        let result = match &self.options.resume {
            Some(resume) => {
                // A redrive goes on after the events recorded so far, from the state where the execution stopped,
                // with the variables assigned before it.
                frame.last_event = resume.events_so_far;
                self.event(
                    &mut frame,
                    ("ExecutionRedriven", ""),
                    || json!({"redriveCount": resume.redrive_count}),
                );
                frame.variables.local = resume.from.variables.clone().into_iter().collect();
                match (self.machine.root.states.iter()).position(|s| s.name == resume.from.state) {
                    Some(start) => {
                        self.run_timed(start, resume.from.input.clone(), &mut frame)
                            .await
                    }
                    None => Err(Failure::runtime(format!(
                        "cannot redrive from state '{}': the definition has no such top-level state",
                        resume.from.state
                    ))),
                }
            }
            None => {
                self.event(&mut frame, ("ExecutionStarted", ""), || {
                    let role = format!("arn:aws:iam::{ACCOUNT}:role/stepfn-local");
                    history::details(None, &[("input", &self.input)], &[("roleArn", json!(role))])
                });
                match size_failure(&self.input, || "the execution input".into()) {
                    Some(failure) => Err(failure),
                    None => {
                        // The first state's entered event follows nothing, as on AWS.
                        frame.last_event = 0;
                        self.run_timed(self.machine.root.start, self.input.clone(), &mut frame)
                            .await
                    }
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
        outcome.history = self.take_history();
        outcome
    }

    /// The machine's states under its `TimeoutSeconds`, or AWS's one-year maximum when it gives none, on the wall
    /// clock or the virtual one.
    async fn run_timed(
        &self,
        start: usize,
        input: Value,
        frame: &mut Frame,
    ) -> Result<Value, Failure> {
        let run = self.run_scope_from(&self.machine.root, start, input, frame);
        let limit = Duration::from_secs(
            self.machine
                .timeout_seconds
                .unwrap_or(stepfn_asl::limits::MAX_EXECUTION_SECONDS),
        );
        let result = if self.options.virtual_time {
            let deadline = self.clock.sleep(limit);
            match self.clock.drive(future::select(run, deadline)).await {
                Either::Left((result, _)) => Some(result),
                Either::Right(_) => None,
            }
        } else {
            tokio::time::timeout(limit, run).await.ok()
        };
        result.unwrap_or_else(|| Err(Failure::new(names::TIMEOUT, EXECUTION_TIMEOUT)))
    }

    /// Runs a scope's states from its `StartAt` to a state that ends it; boxed, as Parallel and Map recurse into it.
    pub(super) fn run_scope<'a>(
        &'a self,
        scope: &'a Scope,
        input: Value,
        frame: &'a mut Frame,
    ) -> BoxFuture<'a, Result<Value, Failure>> {
        self.run_scope_from(scope, scope.start, input, frame)
    }

    /// Runs a scope's states from `start`; at the machine's top level, tells the checkpoint sink each state entered.
    fn run_scope_from<'a>(
        &'a self,
        scope: &'a Scope,
        start: usize,
        input: Value,
        frame: &'a mut Frame,
    ) -> BoxFuture<'a, Result<Value, Failure>> {
        let top_level = std::ptr::eq(scope, &self.machine.root);
        let checkpoints = self.options.on_checkpoint.as_ref().filter(|_| top_level);
        Box::pin(async move {
            let mut current = start;
            let mut input = input;
            loop {
                if self.history_full() {
                    return Err(Failure::runtime(format!(
                        "The execution reached the limit of {EVENT_LIMIT} history events (a loop without an end?)"
                    )));
                }
                let state = &scope.states[current];
                if let Some(sink) = checkpoints {
                    // Resumed at a Map or Parallel: the parts carried over stay told until it tells its own.
                    let parts = (self.carried_parts.lock().unwrap_or_else(|e| e.into_inner()))
                        .as_ref()
                        .filter(|(name, _)| *name == state.name)
                        .map(|(_, parts)| parts.clone())
                        .unwrap_or_default();
                    let checkpoint = Checkpoint {
                        state: state.name.clone(),
                        input: input.clone(),
                        variables: frame.variables.local.clone().into_iter().collect(),
                        parts,
                    };
                    (sink.0)(&checkpoint);
                    // Kept for a Map or Parallel here, which tells it again with the parts that succeeded.
                    *self.checkpoint.lock().unwrap_or_else(|e| e.into_inner()) = Some(checkpoint);
                }
                // Each state's language picks its stage here, once: the stage is static below, so its steps inline
                // into the attempt.
                let ran = match &state.jsonata {
                    Some(fields) => self.run_state(&Jsonata(fields), state, input, frame).await,
                    None => self.run_state(&JsonPath, state, input, frame).await,
                };
                if top_level {
                    // A redrive's parts are for the state it resumed at, this one run of it only.
                    self.carried_parts
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .take();
                }
                let (output, transition) = ran?;
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
        stage: &impl Stage,
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
            entered: self.now(),
            entered_event,
            retry_count: 0,
        };
        // A state without retriers or catchers never needs its input again: the attempt takes it, and ResultPath
        // places the result into it without a copy. The stage hears of each failed attempt before Retry and Catch
        // do (told here rather than inside the attempt, whose large future would otherwise be nested in another).
        let (result, kept_input) = if state.retry.is_empty() && state.catch.is_empty() {
            let result = self
                .attempt(stage, state, Cow::Owned(input), frame, &info)
                .await;
            if let Err(failure) = &result {
                stage.failed(self, state, failure, frame);
            }
            (result, None)
        } else {
            let mut attempts = vec![0u32; state.retry.len()];
            let result = loop {
                match self
                    .attempt(stage, state, Cow::Borrowed(&input), frame, &info)
                    .await
                {
                    Ok(done) => break Ok(done),
                    Err(failure) => {
                        stage.failed(self, state, &failure, frame);
                        // A retry loop never transitions, so the event limit is checked here too: AWS ends such an
                        // execution at 25,000 events however many attempts remain.
                        if self.history_full() {
                            break Err(Failure::runtime(format!(
                                "The execution reached the limit of {EVENT_LIMIT} history events while retrying state '{}'",
                                state.name
                            )));
                        }
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
                let (output, assigned) =
                    stage.caught(self.cx(frame, &info), state, catcher, input, &failure)?;
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
}
