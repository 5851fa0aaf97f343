//! Workflows on AWS Step Functions (the `aws` feature): start the deployed state machine with the workflow's typed
//! input, and follow the execution to its typed output or its error.
//!
//! ```no_run
//! # use stepfn::{step, workflow};
//! # #[derive(serde::Serialize, serde::Deserialize)] pub struct Order { id: String }
//! # #[derive(serde::Serialize, serde::Deserialize)] pub struct Receipt { id: String }
//! # #[step] async fn place(o: Order) -> Result<Receipt, std::convert::Infallible> { Ok(Receipt { id: o.id }) }
//! # workflow! { pub Orders; place -> end; }
//! # async fn demo() -> Result<(), stepfn::aws::Error> {
//! use stepfn::Workflow;
//!
//! let client = stepfn::aws::connect(&stepfn::aws::Connection::default()).await?; // or any aws_sdk_sfn::Client
//! let execution = Orders::start(&client, Order { id: "o-1".into() }).name("o-1").await?;
//! let receipt: Receipt = execution.wait().await?; // the workflow's output type, or Error::Failed
//! # Ok(()) }
//! ```
//!
//! The state machine is found by the workflow's name (`Workflow::NAME`) in the client's account and region, with
//! ListStateMachines; `.state_machine_arn(arn)` names another (a machine deployed under another name, or
//! `stepfn serve`'s `ARN#TestCase` for a mock test case).

use crate::{StartInput, Workflow, WorkflowOutput};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

pub use stepfn_aws::sdk;
pub use stepfn_aws::{
    connect, list_executions, state_machine_arn, Connection, Description, Error, Event,
    ExecutionError, ExecutionSummary, Status,
};

/// An execution of workflow `W` on Step Functions: what [`Workflow::start`] returns.
#[derive(Debug, Clone)]
pub struct Execution<W> {
    inner: stepfn_aws::Execution,
    workflow: PhantomData<fn() -> W>,
}

impl<W> Execution<W> {
    /// The execution `arn` of workflow `W` (one started elsewhere), through `client`.
    pub fn attach(client: &sdk::Client, arn: impl Into<String>) -> Execution<W> {
        Execution {
            inner: stepfn_aws::Execution::new(client.clone(), arn),
            workflow: PhantomData,
        }
    }

    /// The execution's ARN.
    pub fn arn(&self) -> &str {
        self.inner.arn()
    }

    /// DescribeExecution: status, dates, input, output or error and cause.
    pub async fn describe(&self) -> Result<Description, Error> {
        self.inner.describe().await
    }

    /// The whole history so far (every page of GetExecutionHistory), in the shape a local run keeps
    /// (`Outcome::history`).
    pub async fn history(&self) -> Result<Vec<Event>, Error> {
        self.inner.history().await
    }

    /// StopExecution, with an optional error name and cause; the execution ends `ABORTED`.
    pub async fn stop(&self, error: Option<&str>, cause: Option<&str>) -> Result<(), Error> {
        self.inner.stop(error, cause).await
    }

    /// Waits for the end (DescribeExecution, every 100 ms backing off to every 5 s) and gives the output as the
    /// workflow's output type ([`WorkflowOutput`]: the last step's output, or `serde_json::Value` where the
    /// workflow reshapes it); [`Error::Failed`] with the status, error and cause when it did not succeed, and
    /// [`Error::Output`] when the output does not deserialize into the type.
    pub async fn wait<O>(&self) -> Result<O, Error>
    where
        W: WorkflowOutput<O>,
        O: DeserializeOwned,
    {
        self.wait_as().await
    }

    /// [`Execution::wait`] into a type of your choice (for a workflow whose output type is not known at compile
    /// time, such as one ending in a Pass with `Parameters`).
    pub async fn wait_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let text = self.inner.wait_output().await?;
        serde_json::from_str(&text).map_err(|e| Error::Output {
            message: e.to_string(),
            output: text,
        })
    }

    /// [`Execution::wait`] giving the output as JSON.
    pub async fn wait_json(&self) -> Result<Value, Error> {
        self.inner.wait_json().await
    }

    /// The untyped handle (`stepfn_aws::Execution`), for `stepfn_aws::watch` and the like.
    pub fn untyped(&self) -> &stepfn_aws::Execution {
        &self.inner
    }
}

/// A StartExecution of workflow `W` to `.await`, with its options: [`Start::name`], [`Start::state_machine_arn`].
#[must_use = "a start does nothing until it is awaited"]
pub struct Start<W> {
    client: sdk::Client,
    input: Result<Value, Error>,
    name: Option<String>,
    state_machine_arn: Option<String>,
    workflow: PhantomData<fn() -> W>,
}

impl<W> Start<W> {
    pub(crate) fn new<Kind>(client: &sdk::Client, input: impl StartInput<W, Kind>) -> Start<W> {
        Start {
            client: client.clone(),
            input: input.try_into_json().map_err(Error::Input),
            name: None,
            state_machine_arn: None,
            workflow: PhantomData,
        }
    }

    /// The execution's name (1 to 80 characters; AWS makes one up without it). Starting again with the same name
    /// and input while the execution runs returns the same execution; a different input, or a name whose execution
    /// has ended, is [`Error::ExecutionAlreadyExists`].
    pub fn name(mut self, name: impl Into<String>) -> Start<W> {
        self.name = Some(name.into());
        self
    }

    /// Starts this state machine instead of the one named like the workflow.
    pub fn state_machine_arn(mut self, arn: impl Into<String>) -> Start<W> {
        self.state_machine_arn = Some(arn.into());
        self
    }
}

impl<W: Workflow + 'static> IntoFuture for Start<W> {
    type Output = Result<Execution<W>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let input = self.input?;
            let arn = match self.state_machine_arn {
                Some(arn) => arn,
                None => state_machine_arn(&self.client, W::NAME).await?,
            };
            let inner = stepfn_aws::start(&self.client, &arn, &input, self.name.as_deref()).await?;
            Ok(Execution {
                inner,
                workflow: PhantomData,
            })
        })
    }
}
