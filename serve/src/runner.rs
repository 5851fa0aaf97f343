//! Executions in flight: each runs as a tokio task on stepfn's engine; its end (status, output, history) is written
//! to the store in one transaction. StopExecution aborts the task.

use crate::api::{ApiError, Mocks, Service};
use crate::lambda_endpoint::LambdaEndpoint;
use crate::store::{now, Execution, Machine};
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
    running: Mutex<HashMap<String, AbortHandle>>,
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

    fn running(&self) -> std::sync::MutexGuard<'_, HashMap<String, AbortHandle>> {
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
        let task = tokio::spawn(async move {
            if let Err(error) = service
                .runner
                .run(&service, &machine, execution, mocks, resume)
                .await
            {
                eprintln!("stepfn serve: {}", error.message);
            }
        });
        if !task.is_finished() {
            running.insert(arn, task.abort_handle());
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
        let input: Value = stepfn_asl::json_text::from_str(&execution.input).unwrap_or(Value::Null);
        let mut resources = self.resources.clone();
        for (state, mock) in mocks {
            mock.install(&mut resources, state);
        }
        // Each event is stored as it happens, so a running execution's history is readable.
        let store = service.store.clone();
        let arn = execution.arn.clone();
        let sink = EventSink(Arc::new(move |event: &stepfn_engine::history::Event| {
            if let Err(error) = store.append_event(&arn, event.id, &aws_event(event).to_string()) {
                eprintln!("stepfn serve: {}", error.message);
            }
        }));
        // A standard execution keeps where it stands, for RedriveExecution (express executions cannot be redriven).
        let on_checkpoint = (machine.kind == "STANDARD").then(|| {
            let store = service.store.clone();
            let arn = execution.arn.clone();
            CheckpointSink(Arc::new(move |checkpoint: &Checkpoint| {
                let text = serde_json::to_string(checkpoint).unwrap_or_default();
                if let Err(error) = store.save_checkpoint(&arn, &text) {
                    eprintln!("stepfn serve: {}", error.message);
                }
            }))
        });
        let options = Options {
            virtual_time: self.virtual_time,
            history: true,
            execution_name: Some(execution.name.clone()),
            resources,
            on_event: Some(sink),
            on_checkpoint,
            resume,
            ..Options::default()
        };
        let outcome = match self.compiled(&machine.name, &execution.definition) {
            Ok(compiled) => Some(compiled.run(input, &options).await),
            Err(_) => None,
        };
        let finished = match &outcome {
            Some(outcome) => Execution {
                status: match outcome.status {
                    Status::Succeeded => "SUCCEEDED",
                    Status::Failed => "FAILED",
                    Status::TimedOut => "TIMED_OUT",
                }
                .into(),
                output: outcome.output.as_ref().map(Value::to_string),
                error: outcome.error.clone(),
                cause: outcome.cause.clone(),
                stopped: Some(now()),
                ..execution
            },
            None => Execution {
                status: "FAILED".into(),
                error: Some("States.Runtime".into()),
                cause: Some("stepfn's engine cannot run this definition".into()),
                stopped: Some(now()),
                ..execution
            },
        };
        let events: Vec<(u64, String)> = outcome
            .iter()
            .flat_map(|o| &o.history)
            .map(|event| (event.id, aws_event(event).to_string()))
            .collect();
        service.store.finish_execution(&finished, &events)?;
        self.running().remove(&finished.arn);
        // The retention bound, checked every so often rather than at each end (it is one query over the index): at
        // most a tenth of the bound (and 100) executions past it are kept between two checks.
        let every = (service.retain / 10).clamp(1, RETENTION_EVERY);
        if self
            .ended
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            % every
            == 0
        {
            service.store.retain_closed(service.retain)?;
        }
        Ok(finished)
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

    /// Stops a running execution's task; its record is the caller's to write.
    pub fn stop(&self, arn: &str) {
        if let Some(task) = self.running().remove(arn) {
            task.abort();
        }
    }
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

/// An engine event as GetExecutionHistory returns it: epoch-second `timestamp`, `type`, ids, and the details under
/// AWS's key.
fn aws_event(event: &stepfn_engine::history::Event) -> Value {
    let timestamp = stepfn_asl::timestamp::parse(&event.timestamp)
        .map_or(0.0, |(seconds, nanos)| {
            seconds as f64 + f64::from(nanos / 1_000_000) / 1000.0
        });
    let mut answer = json!({
        "timestamp": timestamp,
        "type": event.kind,
        "id": event.id,
        "previousEventId": event.previous_event_id,
    });
    if let Some(details) = &event.details {
        answer[event.details_key()] = details.clone();
    }
    answer
}
