//! Testing a workflow before it is deployed: run it with its real steps, replace chosen Task states with mocked
//! results or errors (per attempt, to exercise retries), on a virtual clock so waits and back-off take no time, and
//! assert on the path taken and the output. Mocks can also come from an AWS Step Functions Local mock configuration
//! file. Part of the `local` feature.
//!
//! Setting up is infallible to write; what cannot work (a mocked state the workflow does not have, a mock file that
//! does not fit, a definition the local executor cannot compile) comes back from [`TestRun::run`] as a
//! [`TestError`]. The assertions of [`TestExecution`] panic, as test assertions do, with the execution's trace.
//!
//! ```
//! # use serde::{Deserialize, Serialize};
//! # use stepfn::{step, workflow};
//! # #[derive(Deserialize, Serialize)] pub struct Order { pub id: u32 }
//! # #[step] async fn charge(order: Order) -> Result<Order, std::convert::Infallible> { Ok(order) }
//! # workflow! { pub Shop {} charge { Retry: [{ ErrorEquals: ["States.ALL"], MaxAttempts: 2 }] } -> end; }
//! use stepfn::testing::{json, Response, TestRun};
//! # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! # rt.block_on(async {
//! let run = TestRun::<Shop>::new()
//!     .mock_responses("Charge", [
//!         Response::Throw { error: "Busy".into(), cause: "try later".into() },
//!         Response::Return(json!({"id": 7, "charged": true})),
//!     ])
//!     .run(json!({"id": 7}))
//!     .await?;
//! run.assert_path(&["Charge"]);
//! assert_eq!(run.attempts("Charge"), 2);
//! assert_eq!(run.output()["charged"], true);
//! # Ok::<(), stepfn::testing::TestError>(())
//! # }).unwrap();
//! ```

use crate::local::{with_steps, Options};
use crate::{StartInput, Workflow};
use std::fmt;
use std::marker::PhantomData;
use stepfn_engine::{check_mocked_states, load_test_case, Machine};

pub use crate::local::{
    CompileError, Event, Mock, MockConfigError, MockItem, Outcome, Response, Status,
};
/// A test run, to `.await`. Boxed, so its type does not depend on the input's: a wrong input is one error at the
/// argument, not one more at every use of the future.
pub type TestRunFuture = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<TestExecution, TestError>> + Send + 'static>,
>;

/// JSON that starts any workflow (see [`StartInput`]).
pub use crate::Json;
/// The JSON that inputs, mocked results and outputs are.
pub use serde_json::{json, Value};

/// A configured test execution of workflow `W`.
pub struct TestRun<W> {
    options: Options,
    /// The mocks, in the order given (a later one for the same state wins).
    mocks: Vec<MockSource>,
    workflow: PhantomData<fn() -> W>,
}

/// Where a mock comes from; checked against the workflow when the test runs.
enum MockSource {
    State(String, Mock),
    Config {
        text: String,
        machine: Option<String>,
        test_case: String,
    },
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
            mocks: Vec::new(),
            workflow: PhantomData,
        }
    }

    /// Waits and retry back-off sleep for real.
    pub fn real_time(mut self) -> Self {
        self.options.virtual_time = false;
        self
    }

    /// The Task state `state` returns `result` instead of calling its step or service.
    pub fn mock_result(self, state: &str, result: Value) -> Self {
        self.mock(state, Mock::returning(result))
    }

    /// The Task state `state` fails with `error` and `cause` on every attempt.
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
    pub fn mock_responses(
        self,
        state: &str,
        responses: impl IntoIterator<Item = Response>,
    ) -> Self {
        self.mock(state, Mock::sequence(responses))
    }

    /// Replaces the Task state `state` with `mock`. [`TestRun::run`] fails with
    /// [`TestError::Mock`] if the workflow has no Task state of that name.
    pub fn mock(mut self, state: &str, mock: Mock) -> Self {
        self.mocks.push(MockSource::State(state.to_string(), mock));
        self
    }

    /// Adds the mocks of test case `test_case` of a Step Functions Local mock configuration (`MockConfigFile`
    /// format). `machine` names its state machine; `None` takes the one named like the workflow, or the file's
    /// only one. [`TestRun::run`] fails with [`TestError::Mock`] if the file does not fit the workflow.
    pub fn mock_config(mut self, config: &str, machine: Option<&str>, test_case: &str) -> Self {
        self.mocks.push(MockSource::Config {
            text: config.to_string(),
            machine: machine.map(str::to_string),
            test_case: test_case.to_string(),
        });
        self
    }

    /// Runs the workflow on `input`: its first step's input type (see
    /// [`WorkflowInput`](crate::WorkflowInput)) or its JSON (`json!(...)`).
    /// The error is a mock or definition that cannot be used, never a failed execution (that is an [`Outcome`] with
    /// its status).
    pub fn run<Kind>(self, input: impl StartInput<W, Kind>) -> TestRunFuture
    where
        W: 'static,
    {
        let input = input.into_json();
        Box::pin(self.run_json(input))
    }

    async fn run_json(mut self, input: serde_json::Value) -> Result<TestExecution, TestError> {
        let machine = W::machine().map_err(TestError::Compile)?;
        for source in std::mem::take(&mut self.mocks) {
            self.install(&machine, source)?;
        }
        let options = with_steps(&W::handlers(), self.options);
        Ok(TestExecution {
            outcome: machine.run(input, &options).await,
        })
    }

    fn install(&mut self, machine: &Machine, source: MockSource) -> Result<(), MockConfigError> {
        let resources = &mut self.options.resources;
        match source {
            MockSource::State(state, mock) => {
                check_mocked_states([state.as_str()], &machine.definition)?;
                mock.install(resources, state);
            }
            MockSource::Config {
                text,
                machine: name,
                test_case,
            } => {
                let mocks = load_test_case(&text, machine, name.as_deref(), Some(&test_case))?;
                mocks
                    .into_iter()
                    .for_each(|(state, mock)| mock.install(resources, state));
            }
        }
        Ok(())
    }
}

/// Why a [`TestRun`] could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TestError {
    /// The local executor cannot compile the workflow's definition.
    Compile(CompileError),
    /// A mock names no Task state of the workflow, or the mock configuration does not fit it.
    Mock(MockConfigError),
}

impl fmt::Display for TestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TestError::Compile(error) => write!(f, "the workflow cannot run locally: {error}"),
            TestError::Mock(error) => write!(f, "cannot use the mocks: {error}"),
        }
    }
}

impl std::error::Error for TestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TestError::Compile(error) => Some(error),
            TestError::Mock(error) => Some(error),
        }
    }
}

impl From<MockConfigError> for TestError {
    fn from(error: MockConfigError) -> Self {
        TestError::Mock(error)
    }
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
