//! Executions in flight: each runs as a tokio task on stepfn's engine; each history event is queued to the store as
//! it happens (no SQLite work in the engine's event callback: the store's writer thread commits it with its next
//! batch, with the execution's other events queued meanwhile as one chunk) and its end (status, output) is written
//! once the run is over. StopExecution aborts the task. Express executions run by StartSyncExecution are not stored
//! (AWS keeps no record of them).

use crate::api::{ApiError, Mocks, Service};
use crate::lambda_endpoint::LambdaEndpoint;
use crate::store::{now, Execution, Machine, PendingEvents};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use stepfn_engine::resume::{Checkpoint, CheckpointSink, Resume};
use stepfn_engine::{
    EventSink, Failure, Heartbeat, Options, Resources, Status, TaskCall, TaskFuture,
};
use tokio::task::AbortHandle;

pub struct Runner {
    virtual_time: bool,
    resources: Resources,
    running: Mutex<HashMap<String, Running>>,
    /// The `.waitForTaskToken` and activity tasks waiting for SendTaskSuccess or SendTaskFailure.
    pub callbacks: Arc<Callbacks>,
    /// Activity tasks scheduled and not yet handed to a worker (GetActivityTask), by activity ARN.
    pub activities: Arc<ActivityQueues>,
    /// Executions ended since the start, for the retention check.
    ended: std::sync::atomic::AtomicUsize,
    /// Each machine's definition compiled once (by machine name, with the text it was compiled from), not at every
    /// execution.
    compiled: Mutex<HashMap<String, (String, Arc<stepfn_engine::Machine>)>>,
}

/// The most executions that end between two retention checks.
const RETENTION_EVERY: usize = 100;

/// One activity task for a worker.
#[derive(Debug, Clone)]
pub struct ActivityTask {
    pub token: String,
    pub input: String,
}

/// The scheduled tasks of each activity, and a wake-up for workers polling.
#[derive(Default)]
pub struct ActivityQueues {
    queues: Mutex<HashMap<String, std::collections::VecDeque<ActivityTask>>>,
    scheduled: tokio::sync::Notify,
}

impl ActivityQueues {
    fn push(&self, activity: &str, task: ActivityTask) {
        self.queues
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(activity.to_owned())
            .or_default()
            .push_back(task);
        self.scheduled.notify_waiters();
    }

    fn pop(&self, activity: &str) -> Option<ActivityTask> {
        self.queues
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get_mut(activity)
            .and_then(std::collections::VecDeque::pop_front)
    }

    /// The next task of `activity`, waiting up to `poll` for one (GetActivityTask's long poll).
    pub async fn next(&self, activity: &str, poll: std::time::Duration) -> Option<ActivityTask> {
        let deadline = tokio::time::Instant::now() + poll;
        loop {
            let scheduled = self.scheduled.notified();
            if let Some(task) = self.pop(activity) {
                return Some(task);
            }
            if tokio::time::timeout_at(deadline, scheduled).await.is_err() {
                return self.pop(activity);
            }
        }
    }
}

/// Tasks waiting for their token, each with the sender that completes it and its heartbeat.
#[derive(Default)]
pub struct Callbacks {
    waiting: Mutex<HashMap<String, Waiting>>,
}

type Waiting = (
    tokio::sync::oneshot::Sender<Result<Value, Failure>>,
    Heartbeat,
);

impl Callbacks {
    fn waiting(&self) -> std::sync::MutexGuard<'_, HashMap<String, Waiting>> {
        self.waiting
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for the token's result (the task's output, or its failure).
    fn wait(&self, token: String, heartbeat: Heartbeat) -> TaskFuture {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        self.waiting().insert(token, (sender, heartbeat));
        Box::pin(async move {
            receiver.await.unwrap_or_else(|_| {
                Err(Failure::runtime(
                    "the service stopped waiting for this task's token",
                ))
            })
        })
    }

    /// Completes the task waiting for `token`: AWS's `TaskDoesNotExist` when none is, `TaskTimedOut` when its
    /// execution has ended meanwhile.
    pub fn complete(&self, token: &str, result: Result<Value, Failure>) -> Result<(), ApiError> {
        let (sender, _) = self.waiting().remove(token).ok_or_else(|| no_task(token))?;
        sender
            .send(result)
            .map_err(|_| ApiError::new("TaskTimedOut", format!("Task Timed Out: '{token}'")))
    }

    /// SendTaskHeartbeat: the task waiting for `token` is alive (its `HeartbeatSeconds` count again).
    pub fn beat(&self, token: &str) -> Result<(), ApiError> {
        match self.waiting().get(token) {
            Some((sender, heartbeat)) if !sender.is_closed() => {
                heartbeat.beat();
                Ok(())
            }
            Some(_) => Err(ApiError::new(
                "TaskTimedOut",
                format!("Task Timed Out: '{token}'"),
            )),
            None => Err(no_task(token)),
        }
    }
}

fn no_task(token: &str) -> ApiError {
    ApiError::new(
        "TaskDoesNotExist",
        format!("Task Does Not Exist: '{token}'"),
    )
}

impl Runner {
    /// Runs Task states with `resources`, then Lambda functions at `lambda_endpoint`; any other Task fails with
    /// `States.TaskFailed` naming its resource.
    pub fn new(
        virtual_time: bool,
        mut resources: Resources,
        lambda_endpoint: Option<LambdaEndpoint>,
    ) -> Runner {
        let callbacks = Arc::new(Callbacks::default());
        let activities = Arc::new(ActivityQueues::default());
        let (waiting, queues) = (callbacks.clone(), activities.clone());
        resources.otherwise(move |call: TaskCall| -> TaskFuture {
            if call.resource.ends_with(".waitForTaskToken") {
                waiting.wait(call.task_token, call.heartbeat)
            } else if crate::arn::activity_name(&call.resource).is_ok() {
                // An activity: a worker takes the task with GetActivityTask and ends it with SendTask*.
                let result = waiting.wait(call.task_token.clone(), call.heartbeat);
                let task = ActivityTask {
                    token: call.task_token,
                    input: call.input.to_string(),
                };
                queues.push(&call.resource, task);
                result
            } else if let Some(task) = lambda_endpoint.as_ref().and_then(|e| e.task(&call)) {
                task
            } else {
                unhandled(call)
            }
        });
        Runner {
            virtual_time,
            resources,
            running: Mutex::new(HashMap::new()),
            callbacks,
            activities,
            ended: std::sync::atomic::AtomicUsize::new(0),
            compiled: Mutex::new(HashMap::new()),
        }
    }

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, Running>> {
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts `execution` (already stored as RUNNING) in the background, or goes on with it after a redrive.
    pub fn start(
        &self,
        service: Arc<Service>,
        machine: Machine,
        execution: Execution,
        mocks: Mocks,
        resume: Option<Resume>,
    ) {
        let arn = execution.arn.clone();
        let mut running = self.running();
        // Dropped with the task, however it ends: what `stop` waits for.
        let (gone, ended) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _gone = gone;
            if let Err(error) = service
                .runner
                .run(&service, &machine, execution, mocks, resume)
                .await
            {
                eprintln!("stepfn serve: {}", error.message);
            }
        });
        if !task.is_finished() {
            running.insert(
                arn,
                Running {
                    task: task.abort_handle(),
                    ended,
                },
            );
        }
    }

    /// Runs `execution` to its end (from its checkpoint, with `resume`) and records it.
    pub async fn run(
        &self,
        service: &Service,
        machine: &Machine,
        execution: Execution,
        mocks: Mocks,
        resume: Option<Resume>,
    ) -> Result<Execution, ApiError> {
        // Each event is stored as it happens, so a running execution's history is readable. The callback runs under
        // the engine's event lock: it only appends the event's text to the execution's pending chunk, and queues a
        // write for the store's writer thread when that chunk was empty. The events recorded until the write runs
        // join the chunk, so a batch writes one row per execution, not one per event (as the checkpoints below).
        let store = service.store.clone();
        let arn: Arc<str> = execution.arn.as_str().into();
        let pending: Arc<Mutex<PendingEvents>> = Arc::default();
        let sink = EventSink(Arc::new(move |event: &stepfn_engine::history::Event| {
            let text = aws_event(event);
            let first = pending
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(event.id, &text);
            if first {
                store.append_events_later(arn.clone(), pending.clone());
            }
        }));
        // A standard execution keeps where it stands, for RedriveExecution: the last top-level state entered is
        // queued for the writer like the events (and committed before the execution's end). States entered while
        // one is queued replace it, so a batch writes one checkpoint per execution, not one per state.
        let on_checkpoint = (machine.kind == "STANDARD").then(|| {
            let store = service.store.clone();
            let arn: Arc<str> = execution.arn.as_str().into();
            let run = execution.redrive_count;
            let pending: Arc<Mutex<Option<String>>> = Arc::default();
            CheckpointSink(Arc::new(move |checkpoint: &Checkpoint| {
                let text = serde_json::to_string(checkpoint).unwrap_or_default();
                let queued = pending
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .replace(text)
                    .is_some();
                if !queued {
                    store.save_checkpoint_later(arn.clone(), run, pending.clone());
                }
            }))
        });
        let finished = self
            .execute(machine, execution, mocks, Some(sink), on_checkpoint, resume)
            .await;
        self.running().remove(&finished.arn);
        // The history is in the store already (queued before this, so committed no later): only the end is written.
        let retain = self.retention_due(service);
        service
            .store
            .finish_execution_async(&finished, retain)
            .await?;
        Ok(finished)
    }

    /// Runs an EXPRESS execution for StartSyncExecution, whose answer is the whole record: nothing is stored, no
    /// history is kept. AWS keeps neither for express executions: GetExecutionHistory, DescribeExecution,
    /// ListExecutions and DescribeStateMachineForExecution do not support them (the API reference of each).
    pub async fn run_sync(
        &self,
        machine: &Machine,
        execution: Execution,
        mocks: Mocks,
    ) -> Execution {
        self.execute(machine, execution, mocks, None, None, None)
            .await
    }

    /// Runs `execution` on the engine (its history told to `on_event`, if given, as it happens) and returns it ended.
    async fn execute(
        &self,
        machine: &Machine,
        execution: Execution,
        mocks: Mocks,
        on_event: Option<EventSink>,
        on_checkpoint: Option<CheckpointSink>,
        resume: Option<Resume>,
    ) -> Execution {
        let input: Value = stepfn_asl::json_text::from_str(&execution.input).unwrap_or(Value::Null);
        let mut resources = self.resources.clone();
        for (state, mock) in mocks {
            mock.install(&mut resources, state);
        }
        let options = Options {
            virtual_time: self.virtual_time,
            history: on_event.is_some(),
            execution_name: Some(execution.name.clone()),
            resources,
            on_event,
            on_checkpoint,
            resume,
            ..Options::default()
        };
        let outcome = match self.compiled(&machine.name, &execution.definition) {
            Ok(compiled) => Some(compiled.run(input, &options).await),
            Err(_) => None,
        };
        match &outcome {
            Some(outcome) => Execution {
                // The moment of the history's last event, as on AWS, where the two are one: under virtual time
                // the history's clock runs ahead of the wall's.
                stopped: Some(
                    (outcome.history.last())
                        .and_then(|event| epoch_seconds(&event.timestamp))
                        .unwrap_or_else(now),
                ),
                status: match outcome.status {
                    Status::Succeeded => "SUCCEEDED",
                    Status::Failed => "FAILED",
                    Status::TimedOut => "TIMED_OUT",
                }
                .into(),
                output: outcome.output.as_ref().map(Value::to_string),
                error: outcome.error.clone(),
                cause: outcome.cause.clone(),
                ..execution
            },
            None => Execution {
                status: "FAILED".into(),
                error: Some("States.Runtime".into()),
                cause: Some("stepfn's engine cannot run this definition".into()),
                stopped: Some(now()),
                ..execution
            },
        }
    }

    /// Counts an execution's end; the retention bound to apply with its record, when due. The bound is checked every
    /// so often rather than at each end (it is one query over the index): at most a tenth of the bound (and 100)
    /// executions past it are kept between two checks.
    fn retention_due(&self, service: &Service) -> Option<usize> {
        let every = (service.retain / 10).clamp(1, RETENTION_EVERY);
        let ended = self
            .ended
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ended.is_multiple_of(every).then_some(service.retain)
    }

    /// `definition` compiled for the machine `name`, from the cache while the machine keeps that definition.
    pub fn compiled(
        &self,
        name: &str,
        definition: &str,
    ) -> Result<Arc<stepfn_engine::Machine>, stepfn_engine::CompileError> {
        let mut cache = self
            .compiled
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((text, machine)) = cache.get(name) {
            if text == definition {
                return Ok(machine.clone());
            }
        }
        let machine = Arc::new(stepfn_engine::Machine::from_json(definition)?.named(name));
        cache.insert(name.to_owned(), (definition.to_owned(), machine.clone()));
        Ok(machine)
    }

    /// Drops the compiled definition of a deleted machine.
    pub fn forget(&self, name: &str) {
        self.compiled
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(name);
    }

    /// Stops a running execution's task and waits until it is gone (at most a few seconds), so that everything it
    /// wrote (its events, where it stood) is queued before the caller writes the execution's end.
    pub async fn stop(&self, arn: &str) {
        let running = self.running().remove(arn);
        if let Some(Running { task, ended }) = running {
            task.abort();
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), ended).await;
        }
    }
}

/// A running execution's task, and what tells when it is gone.
struct Running {
    task: AbortHandle,
    ended: tokio::sync::oneshot::Receiver<()>,
}

/// A Task no handler takes: `States.TaskFailed`, naming the resource and what would run it.
fn unhandled(call: TaskCall) -> TaskFuture {
    let cause = if call.resource.starts_with("arn:aws:lambda:")
        || call.resource.contains(":::lambda:invoke")
    {
        format!(
            "no Lambda function runs here for Task state '{}' ('{}'): serve a workflow binary (`cargo run -p CRATE -- serve`) to run its steps in process, or give `--lambda-endpoint URL` to invoke functions at a Lambda Invoke API (e.g. `cargo lambda watch`)",
            call.state, call.resource
        )
    } else {
        format!(
            "stepfn serve does not call '{}' (Task state '{}'): it runs Pass, Choice, Wait, Parallel, Map, Succeed and Fail states and a workflow binary's steps",
            call.resource, call.state
        )
    };
    Box::pin(async move { Err(Failure::new("States.TaskFailed", cause)) })
}

/// An engine event's time as the API's dates are: seconds since the epoch, to the millisecond.
fn epoch_seconds(timestamp: &str) -> Option<f64> {
    stepfn_asl::timestamp::parse(timestamp)
        .map(|(seconds, nanos)| seconds as f64 + f64::from(nanos / 1_000_000) / 1000.0)
}

/// An engine event as GetExecutionHistory returns it, as JSON text: epoch-second `timestamp`, `type`, ids, and the
/// details under AWS's key. Written straight to text (the details are not copied into a new document first): it runs
/// for every event, inside the engine's event callback.
fn aws_event(event: &stepfn_engine::history::Event) -> String {
    let timestamp = epoch_seconds(&event.timestamp).unwrap_or(0.0);
    let mut text = Vec::with_capacity(160);
    let written: serde_json::Result<()> = (|| {
        text.extend_from_slice(b"{\"timestamp\":");
        serde_json::to_writer(&mut text, &timestamp)?;
        text.extend_from_slice(b",\"type\":");
        serde_json::to_writer(&mut text, &event.kind)?;
        text.extend_from_slice(
            format!(
                ",\"id\":{},\"previousEventId\":{}",
                event.id, event.previous_event_id
            )
            .as_bytes(),
        );
        if let Some(details) = &event.details {
            text.push(b',');
            serde_json::to_writer(&mut text, &event.details_key())?;
            text.push(b':');
            serde_json::to_writer(&mut text, details)?;
        }
        text.push(b'}');
        Ok(())
    })();
    match written.map(|()| String::from_utf8(text)) {
        Ok(Ok(text)) => text,
        // serde_json writes UTF-8 and cannot fail into a Vec: never taken.
        _ => json!({"timestamp": timestamp, "type": event.kind, "id": event.id}).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use stepfn_engine::history::Event;

    /// The text is the document GetExecutionHistory answers, key for key and in order.
    #[test]
    fn events_are_written_as_aws_answers_them() {
        let events = [
            Event {
                id: 3,
                previous_event_id: 2,
                timestamp: "2024-05-01T12:00:00.123Z".into(),
                kind: "PassStateEntered".into(),
                details: Some(
                    json!({"name": "S\"0", "input": "{\"n\": 1.5}", "inputDetails": {"truncated": false}}),
                ),
            },
            Event {
                id: 1,
                previous_event_id: 0,
                timestamp: "2024-05-01T12:00:00.000Z".into(),
                kind: "ExecutionSucceeded".into(),
                details: None,
            },
        ];
        for event in &events {
            let text = super::aws_event(event);
            let mut expected = json!({
                "timestamp": if event.id == 3 { 1714564800.123 } else { 1714564800.0 },
                "type": event.kind, "id": event.id, "previousEventId": event.previous_event_id,
            });
            if let Some(details) = &event.details {
                expected[event.details_key()] = details.clone();
            }
            assert_eq!(text, expected.to_string());
            assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), expected);
        }
    }
}
