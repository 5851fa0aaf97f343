//! The executor's side of TestState ([`crate::test_state`]): one attempt at one state through the same stages an
//! execution runs, with [`TestRun`] telling them to record what they produce, then what TestState makes of a
//! failure: `RETRIABLE` when a retrier with attempts left matches it, `CAUGHT_ERROR` with the catcher's output, else
//! `FAILED`. Nothing is retried, slept or recorded in a history.

use super::jsonata_io::Jsonata;
use super::jsonpath_io::JsonPath;
use super::stage::Stage;
use super::{Execution, Frame, StateInfo, Transition, Variables};
use crate::dataflow::size_failure;
use crate::errors::{backoff, matches, retrier_for};
use crate::failure::names;
use crate::intrinsics::Entropy;
use crate::machine::{Kind, Machine, Scope, State};
use crate::test_state::{ErrorDetails, Inspection, Outcome, Request, RequestError, Status};
use crate::{Failure, Options, TaskCall, TaskFuture};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

/// What a TestState run adds to an execution; `None` in every other run.
pub(crate) struct TestRun {
    /// What the stages recorded so far.
    inspection: Mutex<Inspection>,
    /// The mocked result or error of a Map or Parallel state, which stands for its iterations.
    pub(super) mock: Option<Result<Value, Failure>>,
    /// How many of a Map's iterations failed.
    pub(super) map_failures: Option<u64>,
    /// The context object given, over the one the execution makes up.
    pub(super) context: Option<Value>,
    /// Why the request is refused, when that shows only while running (a Task that nothing here runs, more failed
    /// iterations than items).
    pub(super) refused: Arc<Mutex<Option<String>>>,
}

impl TestRun {
    pub(super) fn refuse(&self, message: String) -> Failure {
        *self.refused.lock().unwrap_or_else(|e| e.into_inner()) = Some(message.clone());
        Failure::runtime(message)
    }
}

impl Execution<'_> {
    /// Records into the TestState inspection, when this is a TestState run.
    pub(super) fn inspect(&self, record: impl FnOnce(&mut Inspection)) {
        if let Some(test) = &self.test {
            record(&mut test.inspection.lock().unwrap_or_else(|e| e.into_inner()));
        }
    }
}

/// Tests `scope.states[index]` as `request` asks, with `context` over the made-up context object.
pub(crate) async fn test_state(
    machine: &Machine,
    scope: &Scope,
    index: usize,
    request: &Request,
    context: Option<Value>,
) -> Result<Outcome, RequestError> {
    let state = &scope.states[index];
    let refused = Arc::new(Mutex::new(None));
    let mut resources = request.resources.clone();
    if let (Some(mock), Kind::Task(_)) = (&request.mock, &state.kind) {
        let mock = mock.clone();
        resources.state(state.name.clone(), move |_: TaskCall| -> TaskFuture {
            let mock = mock.clone();
            Box::pin(async move { mock })
        });
    }
    let refusing = refused.clone();
    resources.otherwise(move |call: TaskCall| -> TaskFuture {
        let message = format!(
            "Task state '{}' calls '{}', which nothing runs here (stepfn runs a workflow binary's steps): give TestState a mock (a `result` or an `errorOutput`)",
            call.state, call.resource
        );
        *refusing.lock().unwrap_or_else(|e| e.into_inner()) = Some(message.clone());
        Box::pin(async move { Err(Failure::runtime(message)) })
    });
    let options = Options {
        resources,
        ..Options::default()
    };
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let mocked_flow = matches!(state.kind, Kind::Map(_) | Kind::Parallel { .. });
    let mut execution = Execution {
        machine,
        options: &options,
        input: request.input.clone(),
        name: "test-state".into(),
        start: (now.as_secs() as i64, now.subsec_nanos()),
        first_start: (now.as_secs() as i64, now.subsec_nanos()),
        started: Instant::now(),
        events: Mutex::new(super::events::Events::new(false, 0)),
        entropy: Mutex::new(Entropy::seeded(now.as_nanos() as u64)),
        clock: Arc::default(),
        test: Some(TestRun {
            inspection: Mutex::default(),
            mock: request.mock.clone().filter(|_| mocked_flow),
            map_failures: request.map_iteration_failure_count,
            context,
            refused: refused.clone(),
        }),
        checkpoint: Mutex::default(),
        carried_parts: Mutex::default(),
    };
    // A detached frame records no history events.
    let mut frame = Frame {
        variables: Variables {
            outer: None,
            local: request
                .variables
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        },
        last_event: 0,
        detached: true,
    };
    let info = StateInfo {
        name: &state.name,
        entered: execution.now(),
        entered_event: 0,
        retry_count: request.retrier_retry_count,
    };
    execution.inspect(|i| i.input = Some(request.input.clone()));
    let mut outcome = match &state.jsonata {
        Some(fields) => {
            execution
                .test_attempt(&Jsonata(fields), scope, state, &mut frame, &info)
                .await
        }
        None => {
            execution
                .test_attempt(&JsonPath, scope, state, &mut frame, &info)
                .await
        }
    };
    if let Some(message) = refused.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(RequestError::Validation(message));
    }
    if let Some(test) = execution.test.take() {
        outcome.inspection = test
            .inspection
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
    }
    if !frame.variables.local.is_empty() {
        let sorted: std::collections::BTreeMap<_, _> = frame.variables.local.into_iter().collect();
        outcome.inspection.variables = Some(sorted.into_iter().collect::<Map<_, _>>());
    }
    Ok(outcome)
}

impl Execution<'_> {
    /// One attempt under TestState's time limit, and what TestState makes of its failure.
    async fn test_attempt(
        &self,
        stage: &impl Stage,
        scope: &Scope,
        state: &State,
        frame: &mut Frame,
        info: &StateInfo<'_>,
    ) -> Outcome {
        let attempt = self.attempt(stage, state, Cow::Borrowed(&self.input), frame, info);
        let result = if tokio::runtime::Handle::try_current().is_ok() {
            tokio::time::timeout(crate::test_state::TIME_LIMIT, attempt)
                .await
                .unwrap_or_else(|_| {
                    Err(Failure::new(
                        names::TIMEOUT,
                        "The state ran longer than TestState's five minutes",
                    ))
                })
        } else {
            attempt.await
        };
        let name = |index: usize| scope.states.get(index).map(|s| s.name.clone());
        let output_failure = |output: &Value| {
            size_failure(output, || format!("the output of state '{}'", state.name))
        };
        let mut outcome = Outcome {
            status: Status::Failed,
            output: None,
            error: None,
            cause: None,
            next_state: None,
            inspection: Inspection::default(),
        };
        let failure = match result {
            Ok((output, transition, assigned)) => match output_failure(&output) {
                Some(failure) => failure,
                None => {
                    frame.variables.local.extend(assigned.unwrap_or_default());
                    outcome.status = Status::Succeeded;
                    outcome.output = Some(output);
                    outcome.next_state = match transition {
                        Transition::Next(next) => name(next),
                        Transition::End => None,
                    };
                    return outcome;
                }
            },
            Err(failure) => failure,
        };
        outcome.error.clone_from(&failure.error);
        outcome.cause.clone_from(&failure.cause);
        // test-state-isolation.html, "Simulating retry attempts": with `retrierRetryCount` below the matching
        // retrier's MaxAttempts the state is RETRIABLE, with that retrier's index and the back-off before the next
        // attempt (IntervalSeconds × BackoffRate^retrierRetryCount).
        if let Some(index) = retrier_for(&state.retry, &failure) {
            let retrier = &state.retry[index];
            if info.retry_count < retrier.max_attempts {
                let wait = backoff(retrier, info.retry_count, &self.entropy);
                outcome.status = Status::Retriable;
                self.inspect(|i| {
                    i.error_details = Some(ErrorDetails {
                        retry_index: Some(index),
                        retry_backoff_interval_seconds: Some(wait.as_secs_f64().round() as u64),
                        ..ErrorDetails::default()
                    })
                });
                return outcome;
            }
        }
        // "Testing catch handlers": the catcher's Next, and its output per ResultPath (or Output).
        let Some((index, catcher)) = state
            .catch
            .iter()
            .enumerate()
            .find(|(_, c)| matches(&c.errors, &failure))
        else {
            return outcome;
        };
        let caught = stage
            .caught(
                self.cx(frame, info),
                state,
                catcher,
                self.input.clone(),
                &failure,
            )
            .and_then(|(output, assigned)| match output_failure(&output) {
                Some(failure) => Err(failure),
                None => Ok((output, assigned)),
            });
        match caught {
            Ok((output, assigned)) => {
                frame.variables.local.extend(assigned.unwrap_or_default());
                outcome.status = Status::CaughtError;
                outcome.output = Some(output);
                outcome.next_state = name(catcher.next);
                self.inspect(|i| {
                    i.error_details = Some(ErrorDetails {
                        catch_index: Some(index),
                        ..ErrorDetails::default()
                    })
                });
            }
            Err(failure) => {
                outcome.error = failure.error;
                outcome.cause = failure.cause;
            }
        }
        outcome
    }
}
