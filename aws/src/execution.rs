//! Executions by ARN: start one, describe it, read its whole history, stop it, wait for its end; list a state
//! machine's executions; find a state machine by name.

use crate::error::from_sdk;
use crate::{event_from_sdk, Error, ExecutionError};
use aws_sdk_sfn::primitives::{DateTime, DateTimeFormat};
use aws_sdk_sfn::types::ExecutionStatus;
use aws_sdk_sfn::Client;
use serde_json::Value;
use std::time::Duration;
use stepfn_engine::history::Event;

/// An execution's status, as DescribeExecution and ListExecutions report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
    PendingRedrive,
    /// A status this version of stepfn does not know.
    Other(String),
}

impl Status {
    fn from_sdk(status: &ExecutionStatus) -> Status {
        match status {
            ExecutionStatus::Running => Status::Running,
            ExecutionStatus::Succeeded => Status::Succeeded,
            ExecutionStatus::Failed => Status::Failed,
            ExecutionStatus::TimedOut => Status::TimedOut,
            ExecutionStatus::Aborted => Status::Aborted,
            ExecutionStatus::PendingRedrive => Status::PendingRedrive,
            other => Status::Other(other.as_str().to_owned()),
        }
    }

    /// AWS's name: `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, `PENDING_REDRIVE`.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
            Status::Aborted => "ABORTED",
            Status::PendingRedrive => "PENDING_REDRIVE",
            Status::Other(other) => other,
        }
    }

    /// Whether the execution has ended (a `PENDING_REDRIVE` one is about to run again).
    pub fn is_closed(&self) -> bool {
        !matches!(self, Status::Running | Status::PendingRedrive)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What DescribeExecution tells of an execution. Dates are RFC 3339, UTC.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    pub execution_arn: String,
    pub state_machine_arn: String,
    pub name: String,
    pub status: Status,
    pub start_date: String,
    pub stop_date: Option<String>,
    /// The input as JSON (`None` if the service left it out or it is not JSON).
    pub input: Option<Value>,
    /// The output as JSON text, when the execution succeeded.
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

impl Description {
    /// The execution's error, unless it succeeded or is still running.
    pub fn execution_error(&self) -> Option<ExecutionError> {
        (self.status.is_closed() && self.status != Status::Succeeded).then(|| ExecutionError {
            execution_arn: self.execution_arn.clone(),
            status: self.status.as_str().to_owned(),
            error: self.error.clone(),
            cause: self.cause.clone(),
        })
    }
}

/// One line of ListExecutions.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionSummary {
    pub execution_arn: String,
    pub name: String,
    pub status: Status,
    pub start_date: String,
    pub stop_date: Option<String>,
    /// From start to stop, in milliseconds (`None` while running).
    pub duration_millis: Option<i64>,
}

fn date(value: &DateTime) -> String {
    value.fmt(DateTimeFormat::DateTime).unwrap_or_default()
}

fn millis_between(start: &DateTime, stop: &DateTime) -> i64 {
    let millis =
        |d: &DateTime| d.secs().saturating_mul(1000) + i64::from(d.subsec_nanos() / 1_000_000);
    millis(stop).saturating_sub(millis(start))
}

/// The ARN of the state machine named `name` in the client's account and region, found with ListStateMachines
/// (every page): the caller needs `states:ListStateMachines`.
pub async fn state_machine_arn(client: &Client, name: &str) -> Result<String, Error> {
    let mut pages = client.list_state_machines().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| from_sdk("ListStateMachines", name, e))?;
        if let Some(machine) = page.state_machines().iter().find(|m| m.name() == name) {
            return Ok(machine.state_machine_arn().to_owned());
        }
    }
    let region = client
        .config()
        .region()
        .map_or_else(|| "this region".to_owned(), ToString::to_string);
    Err(Error::StateMachineNotFound {
        name: name.to_owned(),
        region,
    })
}

/// Starts an execution of the state machine `state_machine_arn` on `input`. `name` is the execution's name (AWS
/// makes one up without it): starting again with the same name and input while that execution runs returns it (AWS's
/// idempotency); another input, or a name whose execution has ended, is [`Error::ExecutionAlreadyExists`].
pub async fn start(
    client: &Client,
    state_machine_arn: &str,
    input: &Value,
    name: Option<&str>,
) -> Result<Execution, Error> {
    let started = client
        .start_execution()
        .state_machine_arn(state_machine_arn)
        .input(input.to_string())
        .set_name(name.map(str::to_owned))
        .send()
        .await
        .map_err(|e| from_sdk("StartExecution", name.unwrap_or(state_machine_arn), e))?;
    Ok(Execution::new(client.clone(), started.execution_arn()))
}

/// A state machine's executions, newest first (as ListExecutions returns them), at most `max` of them, optionally
/// only those with `status`.
pub async fn list_executions(
    client: &Client,
    state_machine_arn: &str,
    status: Option<&str>,
    max: usize,
) -> Result<Vec<ExecutionSummary>, Error> {
    let mut request = client
        .list_executions()
        .state_machine_arn(state_machine_arn);
    if let Some(status) = status {
        request =
            request.status_filter(ExecutionStatus::from(status.to_ascii_uppercase().as_str()));
    }
    let mut pages = request.into_paginator().send();
    let mut executions = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| from_sdk("ListExecutions", state_machine_arn, e))?;
        for item in page.executions() {
            if executions.len() == max {
                return Ok(executions);
            }
            executions.push(ExecutionSummary {
                execution_arn: item.execution_arn().to_owned(),
                name: item.name().to_owned(),
                status: Status::from_sdk(item.status()),
                start_date: date(item.start_date()),
                stop_date: item.stop_date().map(date),
                duration_millis: item
                    .stop_date()
                    .map(|stop| millis_between(item.start_date(), stop)),
            });
        }
    }
    Ok(executions)
}

/// An execution on Step Functions, by ARN.
#[derive(Debug, Clone)]
pub struct Execution {
    client: Client,
    arn: String,
}

/// How long `wait` sleeps between DescribeExecution calls: from the first to the last, each 1.5 times the one before.
const FIRST_POLL: Duration = Duration::from_millis(100);
const LONGEST_POLL: Duration = Duration::from_secs(5);

pub(crate) fn next_poll(interval: Duration) -> Duration {
    (interval * 3 / 2).min(LONGEST_POLL)
}

impl Execution {
    /// The execution `arn`, through `client`.
    pub fn new(client: Client, arn: impl Into<String>) -> Execution {
        Execution {
            client,
            arn: arn.into(),
        }
    }

    pub fn arn(&self) -> &str {
        &self.arn
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// DescribeExecution.
    pub async fn describe(&self) -> Result<Description, Error> {
        let described = self
            .client
            .describe_execution()
            .execution_arn(&self.arn)
            .send()
            .await
            .map_err(|e| from_sdk("DescribeExecution", &self.arn, e))?;
        Ok(Description {
            execution_arn: described.execution_arn().to_owned(),
            state_machine_arn: described.state_machine_arn().to_owned(),
            name: described.name().unwrap_or_default().to_owned(),
            status: Status::from_sdk(described.status()),
            start_date: date(described.start_date()),
            stop_date: described.stop_date().map(date),
            input: described
                .input()
                .and_then(|text| serde_json::from_str(text).ok()),
            output: described.output().map(str::to_owned),
            error: described.error().map(str::to_owned),
            cause: described.cause().map(str::to_owned),
        })
    }

    /// The whole history so far (every page of GetExecutionHistory), oldest first, as the engine's events: the
    /// events a local run keeps, in the same shape.
    pub async fn history(&self) -> Result<Vec<Event>, Error> {
        let mut pages = self
            .client
            .get_execution_history()
            .execution_arn(&self.arn)
            .max_results(1000)
            .into_paginator()
            .send();
        let mut events = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| from_sdk("GetExecutionHistory", &self.arn, e))?;
            events.extend(page.events().iter().map(event_from_sdk));
        }
        Ok(events)
    }

    /// StopExecution, with an optional error name and cause (AWS records them on the `ExecutionAborted` event).
    pub async fn stop(&self, error: Option<&str>, cause: Option<&str>) -> Result<(), Error> {
        self.client
            .stop_execution()
            .execution_arn(&self.arn)
            .set_error(error.map(str::to_owned))
            .set_cause(cause.map(str::to_owned))
            .send()
            .await
            .map_err(|e| from_sdk("StopExecution", &self.arn, e))?;
        Ok(())
    }

    /// Polls DescribeExecution (every 100 ms at first, backing off to every 5 s) until the execution ends; its
    /// output as JSON when it succeeded, else [`Error::Failed`] with its status, error and cause.
    pub async fn wait_json(&self) -> Result<Value, Error> {
        let text = self.wait_output().await?;
        serde_json::from_str(&text).map_err(|e| Error::Output {
            message: e.to_string(),
            output: text,
        })
    }

    /// [`Execution::wait_json`]'s output as the JSON text the service sent (`null` if it sent none).
    pub async fn wait_output(&self) -> Result<String, Error> {
        let described = self.wait_closed().await?;
        match described.execution_error() {
            Some(error) => Err(Error::Failed(error)),
            None => Ok(described.output.unwrap_or_else(|| "null".to_owned())),
        }
    }

    /// Polls DescribeExecution until the execution has ended, and returns that description.
    pub async fn wait_closed(&self) -> Result<Description, Error> {
        let mut interval = FIRST_POLL;
        loop {
            let described = self.describe().await?;
            if described.status.is_closed() {
                return Ok(described);
            }
            tokio::time::sleep(interval).await;
            interval = next_poll(interval);
        }
    }
}
