//! What Task states call: handlers registered by resource ARN (the workflow's Rust steps) or by state name (mocks).
//! A Task whose resource has no handler fails with a clear `States.Runtime` naming it, never a guess.

use crate::Failure;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What a task handler returns.
pub type TaskFuture = Pin<Box<dyn Future<Output = Result<Value, Failure>> + Send>>;

/// One invocation of a Task state.
#[derive(Debug, Clone)]
pub struct TaskCall {
    /// The Task state's name.
    pub state: String,
    /// Its `Resource`.
    pub resource: String,
    /// The effective input (after `InputPath` and `Parameters`).
    pub input: Value,
    /// 0 for the first attempt of this entry into the state, 1 for its first retry, ...
    pub attempt: u32,
    /// The execution's ARN.
    pub execution_id: String,
    /// `$$.Task.Token`: what a `.waitForTaskToken` task is completed with (SendTaskSuccess in `stepfn serve`).
    pub task_token: String,
    /// Beat it while the task works: each beat restarts the state's `HeartbeatSeconds` (SendTaskHeartbeat).
    pub heartbeat: Heartbeat,
}

/// A running task's heartbeat: [`Heartbeat::beat`] tells the state the task is alive, so `HeartbeatSeconds` counts
/// again from now. Clones beat the same task.
#[derive(Debug, Clone, Default)]
pub struct Heartbeat(std::sync::Arc<tokio::sync::Notify>);

impl Heartbeat {
    pub fn beat(&self) {
        // A stored permit: a beat between two waits is not lost.
        self.0.notify_one();
    }

    /// The next beat.
    pub(crate) async fn beaten(&self) {
        self.0.notified().await;
    }
}

/// Something that runs a Task state.
pub trait TaskHandler: Send + Sync {
    fn invoke(&self, call: TaskCall) -> TaskFuture;
}

impl<F> TaskHandler for F
where
    F: Fn(TaskCall) -> TaskFuture + Send + Sync,
{
    fn invoke(&self, call: TaskCall) -> TaskFuture {
        self(call)
    }
}

/// The handlers an execution may call.
#[derive(Clone, Default)]
pub struct Resources {
    by_resource: HashMap<String, Arc<dyn TaskHandler>>,
    by_state: HashMap<String, Arc<dyn TaskHandler>>,
    /// What runs a Task that nothing above handles (`stepfn serve`: a Lambda endpoint, or a clear failure).
    otherwise: Option<Arc<dyn TaskHandler>>,
}

impl std::fmt::Debug for Resources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resources")
            .field("resources", &self.by_resource.keys().collect::<Vec<_>>())
            .field("states", &self.by_state.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The resource of AWS's optimized Lambda integration, which wraps the function's output in `Payload`.
const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";

impl Resources {
    /// Calls `handler` for Task states whose `Resource` is `resource` (a function ARN or a `${...}` placeholder),
    /// and for `arn:aws:states:::lambda:invoke` tasks whose `FunctionName` is `resource`.
    pub fn resource(
        &mut self,
        resource: impl Into<String>,
        handler: impl TaskHandler + 'static,
    ) -> &mut Self {
        self.by_resource.insert(resource.into(), Arc::new(handler));
        self
    }

    /// Calls `handler` for the Task state named `state`, whatever its resource (mocks).
    pub fn state(
        &mut self,
        state: impl Into<String>,
        handler: impl TaskHandler + 'static,
    ) -> &mut Self {
        self.by_state.insert(state.into(), Arc::new(handler));
        self
    }

    /// Calls `handler` for Task states that no resource or state handler takes (instead of failing them).
    pub fn otherwise(&mut self, handler: impl TaskHandler + 'static) -> &mut Self {
        self.otherwise = Some(Arc::new(handler));
        self
    }

    /// Adds every handler of `other`, replacing those with the same key.
    pub fn merge(&mut self, other: &Resources) -> &mut Self {
        if let Some(otherwise) = &other.otherwise {
            self.otherwise = Some(otherwise.clone());
        }
        self.by_resource.extend(
            other
                .by_resource
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        self.by_state
            .extend(other.by_state.iter().map(|(k, v)| (k.clone(), v.clone())));
        self
    }

    /// Runs the task, or fails naming the resource nobody handles.
    pub(crate) fn invoke(&self, call: TaskCall) -> TaskFuture {
        if let Some(handler) = self.by_state.get(&call.state) {
            return handler.invoke(call);
        }
        if let Some(handler) = self.by_resource.get(&call.resource) {
            return handler.invoke(call);
        }
        let resource = call
            .resource
            .split(".waitForTaskToken")
            .next()
            .unwrap_or_default();
        if resource == LAMBDA_INVOKE {
            let function = call
                .input
                .get("FunctionName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if let Some(handler) = self.by_resource.get(function) {
                let payload = call.input.get("Payload").cloned().unwrap_or(json!({}));
                let inner = handler.invoke(TaskCall {
                    input: payload,
                    ..call
                });
                return Box::pin(async move {
                    let output = inner.await?;
                    Ok(json!({
                        "ExecutedVersion": "$LATEST",
                        "Payload": output,
                        "StatusCode": 200
                    }))
                });
            }
        }
        if let Some(otherwise) = &self.otherwise {
            return otherwise.invoke(call);
        }
        let message = format!(
            "Task state '{}' calls '{}', which nothing runs here: it has no mock and is no step of a workflow \
             binary; give it a mock (`--mock FILE --test-case NAME` on `stepfn run` or a workflow binary's `run`, \
             or stepfn::testing)",
            call.state, call.resource
        );
        Box::pin(async move { Err(Failure::runtime(message)) })
    }
}
