//! The Task state's work: calling the resource through [`crate::Resources`] under the state's timeout and heartbeat,
//! with the history events AWS records (`LambdaFunction*` for Lambda ARNs, `Task*` for service integrations).

use super::{Execution, Frame, StateInfo, REGION};
use crate::dataflow::size_failure;
use crate::errors::failure_details;
use crate::failure::names;
use crate::history;
use crate::machine::{State, Task};
use crate::resources::{Heartbeat, TaskCall};
use crate::Failure;
use serde_json::{json, Value};
use std::time::Duration;

impl Execution<'_> {
    /// Calls the task's resource with `input` (the arguments); `state_input` is what its timeout paths read.
    pub(super) async fn task(
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
        let heartbeat_signal = Heartbeat::default();
        let call = TaskCall {
            state: state.name.clone(),
            resource: task.resource.clone(),
            input,
            attempt: info.retry_count,
            execution_id: self.execution_arn(),
            task_token: self.task_token(info),
            heartbeat: heartbeat_signal.clone(),
        };
        let invocation = self.options.resources.invoke(call);
        // A task is real work: under virtual time the clock waits for it rather than running ahead.
        let busy = self.clock.busy();
        let result = if (timeout.is_some() || heartbeat.is_some())
            && tokio::runtime::Handle::try_current().is_ok()
        {
            within_limits(
                invocation,
                timeout,
                heartbeat,
                &heartbeat_signal,
                &state.name,
            )
            .await
        } else {
            invocation.await
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

/// The task's result, unless `TimeoutSeconds` passes first (`States.Timeout`) or `HeartbeatSeconds` passes without a
/// beat (`States.HeartbeatTimeout`); each beat restarts the heartbeat's count.
async fn within_limits(
    invocation: crate::TaskFuture,
    timeout: Option<u64>,
    heartbeat: Option<u64>,
    signal: &Heartbeat,
    state: &str,
) -> Result<Value, Failure> {
    use tokio::time::{sleep_until, Instant};
    let started = Instant::now();
    // A limit past what the clock can count (`TimeoutSecondsPath` may read any integer) never comes: no deadline.
    let after = |from: Instant, seconds: u64| from.checked_add(Duration::from_secs(seconds));
    let timeout_at = timeout.and_then(|t| after(started, t));
    let mut beat_by = heartbeat.and_then(|h| after(started, h));
    let mut invocation = invocation;
    loop {
        // The nearer deadline; a timeout no later than the heartbeat's wins.
        let (deadline, failure) = match (timeout_at, beat_by) {
            (Some(t), Some(b)) if b < t => (b, heartbeat_failure(heartbeat, state)),
            (Some(t), _) => (t, timeout_failure(timeout, state)),
            (None, Some(b)) => (b, heartbeat_failure(heartbeat, state)),
            (None, None) => return invocation.await,
        };
        tokio::select! {
            result = &mut invocation => return result,
            () = sleep_until(deadline) => return Err(failure),
            () = signal.beaten(), if heartbeat.is_some() => {
                beat_by = heartbeat.and_then(|h| after(Instant::now(), h));
            }
        }
    }
}

fn timeout_failure(seconds: Option<u64>, state: &str) -> Failure {
    Failure::new(
        names::TIMEOUT,
        format!(
            "Task state '{state}' did not finish within {} seconds",
            seconds.unwrap_or_default()
        ),
    )
}

fn heartbeat_failure(seconds: Option<u64>, state: &str) -> Failure {
    Failure::new(
        names::HEARTBEAT_TIMEOUT,
        format!(
            "Task state '{state}' sent no heartbeat for {} seconds",
            seconds.unwrap_or_default()
        ),
    )
}
