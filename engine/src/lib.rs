//! The stepfn executor: runs an Amazon States Language definition in process with AWS Step Functions' semantics.
//!
//! ```
//! # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! # rt.block_on(async {
//! use stepfn_engine::{Machine, Options};
//! let machine = Machine::from_json(r#"{"StartAt": "Hello", "States": {
//!     "Hello": {"Type": "Pass", "Result": "world", "ResultPath": "$.hello", "End": true}}}"#).unwrap();
//! let outcome = machine.run(serde_json::json!({}), &Options::default()).await;
//! assert_eq!(outcome.output, Some(serde_json::json!({"hello": "world"})));
//! # });
//! ```

pub mod choice;
mod clock;
mod dataflow;
mod errors;
mod execute;
pub mod failure;
pub mod history;
pub mod intrinsics;
mod jsonata;
pub mod jsonpath;
mod machine;
pub mod mock;
mod resources;
pub mod resume;
#[cfg(feature = "cli")]
pub mod run_command;
mod template;
pub mod test_state;

pub use dataflow::PAYLOAD_LIMIT;
pub use failure::Failure;
pub use history::Event;
pub use machine::{CompileError, Machine};
pub use mock::{
    check_mocked_states, load_test_case, task_states, Mock, MockConfig, MockConfigError, MockItem,
    Response,
};
pub use resources::{Heartbeat, Resources, TaskCall, TaskFuture, TaskHandler};

use serde_json::{json, Value};

/// The fields of the one-line summary, borrowed from the outcome.
#[derive(serde::Serialize)]
struct Summary<'a> {
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<&'a Option<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<&'a Option<String>>,
}

/// How to run an execution.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Wait states and retry back-off advance a simulated clock instead of sleeping.
    pub virtual_time: bool,
    /// Keep the execution's history events.
    pub history: bool,
    /// What Task states call.
    pub resources: Resources,
    /// The execution's name (`$$.Execution.Name`); `local` when not given.
    pub execution_name: Option<String>,
    /// Seed for `States.UUID`, `States.MathRandom` and retry jitter, so runs repeat.
    pub seed: Option<u64>,
    /// Told each history event as it happens (with `history` on), for a service that shows a running execution.
    pub on_event: Option<EventSink>,
    /// Told where the execution stands at each top-level state it enters, for a service that can redrive it.
    pub on_checkpoint: Option<resume::CheckpointSink>,
    /// Continue a stopped execution from its last checkpoint (a redrive) instead of starting anew.
    pub resume: Option<resume::Resume>,
}

/// A callback told each history event as it is recorded.
#[derive(Clone)]
pub struct EventSink(pub std::sync::Arc<dyn Fn(&history::Event) + Send + Sync>);

impl std::fmt::Debug for EventSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventSink")
    }
}

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Succeeded,
    Failed,
    TimedOut,
}

impl Status {
    /// The name AWS uses: `SUCCEEDED`, `FAILED`, `TIMED_OUT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Succeeded => "SUCCEEDED",
            Status::Failed => "FAILED",
            Status::TimedOut => "TIMED_OUT",
        }
    }
}

/// The result of an execution.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    /// The output, when it succeeded.
    pub output: Option<Value>,
    /// The error name, when it failed (`None` for a `Fail` state without `Error`).
    pub error: Option<String>,
    pub cause: Option<String>,
    /// The history events, when [`Options::history`] was set.
    pub history: Vec<Event>,
}

impl Outcome {
    /// The one-line summary `stepfn run` prints: `{"status":"SUCCEEDED","output":...}` or
    /// `{"status":"FAILED","error":...,"cause":...}`.
    pub fn summary(&self) -> Value {
        serde_json::to_value(self.summary_fields()).expect("a summary is JSON")
    }

    /// Writes [`Outcome::summary`] as one line of JSON text, without copying the output.
    pub fn write_summary(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer(&mut *out, &self.summary_fields())?;
        out.write_all(b"\n")
    }

    fn summary_fields(&self) -> Summary<'_> {
        let succeeded = self.status == Status::Succeeded;
        Summary {
            status: self.status.as_str(),
            output: succeeded.then_some(&self.output),
            error: (!succeeded).then_some(&self.error),
            cause: (!succeeded).then_some(&self.cause),
        }
    }

    /// The history as `GetExecutionHistory` returns it: `{"events": [...]}`.
    pub fn history_json(&self) -> Value {
        json!({ "events": self.history.iter().map(Event::to_json).collect::<Vec<_>>() })
    }

    /// A readable trace, one line per event, each with the time since the execution started (`+1.250s`, on the
    /// clock the execution ran on, virtual or real); the first line also gives the start's timestamp.
    pub fn trace(&self) -> String {
        let mut tracer = history::Tracer::new();
        let lines: Vec<history::TraceLine> = self.history.iter().map(|e| tracer.line(e)).collect();
        // One column for the times, as wide as the longest, so the events line up.
        let width = lines.iter().map(|l| l.elapsed.len()).max().unwrap_or(0);
        let mut trace = String::new();
        for line in &lines {
            trace.push_str(&line.render(width));
            trace.push('\n');
        }
        trace
    }
}

impl Machine {
    /// Runs one execution on `input`.
    pub async fn run(&self, input: Value, options: &Options) -> Outcome {
        execute::run(self, input, options).await
    }
}
