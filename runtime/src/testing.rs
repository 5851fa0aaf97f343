//! Testing a workflow before it is deployed: run it with its real steps, replace chosen Task states with mocked
//! results or errors (per attempt, to exercise retries), on a virtual clock so waits and back-off take no time, and
//! assert on the path taken and the output. Mocks can also come from an AWS Step Functions Local mock configuration
//! file.
//!
//! ```
//! # use serde::{Deserialize, Serialize};
//! # use stepfn::{step, workflow};
//! # #[derive(Deserialize, Serialize)] pub struct Order { pub id: u32 }
//! # #[step] async fn charge(order: Order) -> Result<Order, std::convert::Infallible> { Ok(order) }
//! # workflow! { pub Shop {} charge { Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 2 }] } -> end; }
//! use stepfn::testing::{Response, TestRun};
//! # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! # rt.block_on(async {
//! let run = TestRun::<Shop>::new()
//!     .mock_responses("Charge", [
//!         Response::Throw { error: "Busy".into(), cause: "try later".into() },
//!         Response::Return(serde_json::json!({"id": 7, "charged": true})),
//!     ])
//!     .run(serde_json::json!({"id": 7}))
//!     .await;
//! run.assert_path(&["Charge"]);
//! assert_eq!(run.attempts("Charge"), 2);
//! assert_eq!(run.output()["charged"], true);
//! # });
//! ```

use crate::local::{Mock, MockConfig, Options, Outcome, Status};
use crate::Workflow;
use serde_json::Value;
use std::marker::PhantomData;

pub use crate::local::{Event, Response};

/// A configured test execution of workflow `W`.
pub struct TestRun<W> {
    options: Options,
    workflow: PhantomData<W>,
}

impl<W: Workflow> Default for TestRun<W> {
    fn default() -> Self {
        Self::new()
    }
}

impl<W: Workflow> TestRun<W> {
    /// Real steps, virtual time, history kept, a fixed seed for `States.UUID`/`States.MathRandom`/jitter.
    pub fn new() -> Self {
        TestRun {
            options: Options {
                virtual_time: true,
                history: true,
                seed: Some(0),
                ..Options::default()
            },
            workflow: PhantomData,
        }
    }

    /// Waits and retry back-off sleep for real.
    pub fn real_time(mut self) -> Self {
        self.options.virtual_time = false;
        self
    }

    /// The Task state `state` returns `result` instead of calling its step or service.
    #[track_caller]
    pub fn mock_result(self, state: &str, result: Value) -> Self {
        self.mock(state, Mock::returning(result))
    }

    /// The Task state `state` fails with `error` and `cause` on every attempt.
    #[track_caller]
    pub fn mock_error(self, state: &str, error: &str, cause: &str) -> Self {
        self.mock_responses(
            state,
            [Response::Throw {
                error: error.into(),
                cause: cause.into(),
            }],
        )
    }

    /// The Task state `state` gives `responses[i]` on attempt `i` of each entry (the last one after that).
    #[track_caller]
    pub fn mock_responses(
        self,
        state: &str,
        responses: impl IntoIterator<Item = Response>,
    ) -> Self {
        self.mock(state, Mock::sequence(responses))
    }

    /// Replaces the Task state `state` with `mock`; panics if the workflow has no Task state of that name.
    #[track_caller]
    pub fn mock(mut self, state: &str, mock: Mock) -> Self {
        check_states::<W>([state]).unwrap_or_else(|message| panic!("{message}"));
        mock.install(&mut self.options.resources, state);
        self
    }

    /// Adds the mocks of one test case of a Step Functions Local mock configuration (`MockConfigFile` format);
    /// `machine` may be `None` when the file has one state machine.
    pub fn mock_config(
        mut self,
        config: &str,
        machine: Option<&str>,
        test_case: &str,
    ) -> Result<Self, String> {
        let config = MockConfig::parse(config).map_err(|e| e.to_string())?;
        let mocks = config
            .test_case(machine, Some(test_case))
            .map_err(|e| e.to_string())?;
        check_states::<W>(mocks.keys().map(String::as_str))?;
        for (state, mock) in mocks {
            mock.install(&mut self.options.resources, state);
        }
        Ok(self)
    }

    /// Runs the workflow on `input`.
    pub async fn run(self, input: Value) -> TestExecution {
        TestExecution {
            outcome: W::run_with(input, self.options).await,
        }
    }
}

/// Whether every state named is a Task state of workflow `W`.
fn check_states<'a, W: Workflow>(states: impl IntoIterator<Item = &'a str>) -> Result<(), String> {
    let definition: Value = serde_json::from_str(W::DEFINITION).map_err(|e| e.to_string())?;
    stepfn_engine::check_mocked_states(states, &definition)
        .map_err(|e| format!("{} workflow: {e}", W::NAME))
}

/// A finished test execution, with assertions that panic with the execution's trace.
#[derive(Debug, Clone)]
pub struct TestExecution {
    pub outcome: Outcome,
}

impl TestExecution {
    #[track_caller]
    fn fail(&self, message: String) -> ! {
        panic!(
            "{message}\nexecution: {}\ntrace:\n{}",
            self.outcome.summary(),
            self.outcome.trace()
        )
    }

    /// The output; panics if the execution did not succeed.
    #[track_caller]
    pub fn output(&self) -> &Value {
        match (&self.outcome.status, &self.outcome.output) {
            (Status::Succeeded, Some(output)) => output,
            _ => self.fail("expected the execution to succeed".into()),
        }
    }

    /// Panics unless the execution failed with `error`.
    #[track_caller]
    pub fn assert_failed_with(&self, error: &str) {
        if self.outcome.status != Status::Failed || self.outcome.error.as_deref() != Some(error) {
            self.fail(format!("expected the execution to fail with `{error}`"));
        }
    }

    /// The states entered, in order (nested branch and iteration states included).
    pub fn path(&self) -> Vec<String> {
        self.outcome
            .history
            .iter()
            .filter(|e| e.kind.ends_with("StateEntered"))
            .filter_map(|e| {
                e.details
                    .as_ref()?
                    .get("name")?
                    .as_str()
                    .map(str::to_string)
            })
            .collect()
    }

    /// Panics unless the states entered were exactly `expected`, in order.
    #[track_caller]
    pub fn assert_path(&self, expected: &[&str]) {
        let path = self.path();
        if path != expected {
            self.fail(format!(
                "expected the path {expected:?}, but it was {path:?}"
            ));
        }
    }

    /// The output of the last exit from `state`.
    pub fn state_output(&self, state: &str) -> Option<Value> {
        self.outcome
            .history
            .iter()
            .rev()
            .filter(|e| e.kind.ends_with("StateExited"))
            .filter_map(|e| e.details.as_ref())
            .find(|d| d.get("name").and_then(Value::as_str) == Some(state))
            .and_then(|d| {
                d.get("output")?
                    .as_str()
                    .and_then(|text| serde_json::from_str(text).ok())
            })
    }

    /// How many times the task of `state` was attempted (first attempts plus retries), in every branch.
    #[track_caller]
    pub fn attempts(&self, state: &str) -> usize {
        // Each task event follows (by previousEventId) the events of its own state, back to that state's entered
        // event, so interleaved branches are told apart.
        let history = &self.outcome.history;
        let by_id: std::collections::HashMap<u64, usize> =
            history.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
        let entered_name = |start: &Event| -> Option<String> {
            let mut event = start;
            loop {
                if event.kind.ends_with("StateEntered") {
                    return event
                        .details
                        .as_ref()?
                        .get("name")?
                        .as_str()
                        .map(str::to_string);
                }
                event = &history[*by_id.get(&event.previous_event_id)?];
            }
        };
        self.outcome
            .history
            .iter()
            .filter(|e| e.kind.ends_with("Scheduled"))
            .filter(|e| entered_name(e).as_deref() == Some(state))
            .count()
    }

    /// The readable trace.
    pub fn trace(&self) -> String {
        self.outcome.trace()
    }
}
