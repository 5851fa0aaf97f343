//! The interpreter: runs a compiled [`Machine`] state by state with AWS's semantics. A state's run is the driver's
//! (entered and exited events, Retry, Catch) around attempts; an attempt is the query language's input stage, the
//! state's work, and the language's output stage. Parallel branches and Map iterations run concurrently on the
//! calling task; under virtual time they interleave as their waits say ([`crate::clock`]).
//!
//! - [`driver`]: the execution from start to end, a scope's loop over its states, a state's retries and catchers;
//! - [`events`]: the history;
//! - [`work`]: the state's work per kind: the one `match` on a state's kind;
//! - [`stage`]: what a query language does around the work, done by [`jsonpath_io`] and [`jsonata_io`];
//! - [`wait`], [`task`], [`parallel`], [`map`]: the work of the kinds that take more than a few lines;
//! - [`parts`]: a Map's iterations and a Parallel's branches, kept for a redrive;
//! - [`fields`]: numbers and texts given literally, by a path or by an expression;
//! - [`context`]: the context object (`$$`) and what paths read;
//! - [`test_state`]: TestState's one attempt at one state, whose stages record what they produce.

use crate::clock::VirtualClock;
use crate::intrinsics::Entropy;
use crate::machine::Machine;
use crate::{Failure, Options};
use events::Events;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod context;
mod driver;
mod events;
mod fields;
mod jsonata_io;
mod jsonpath_io;
mod map;
mod parallel;
mod parts;
mod stage;
mod task;
mod test_state;
mod wait;
mod work;

pub(crate) use driver::run;
pub(crate) use test_state::test_state;
pub(crate) use work::kind_name;

/// The account and region in the ARNs the executor makes up.
const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

/// State shared by every branch of one execution.
struct Execution<'a> {
    machine: &'a Machine,
    options: &'a Options,
    input: Value,
    name: String,
    /// Wall-clock start of this run, seconds and nanoseconds since the epoch: what the execution's clock counts from.
    start: (i64, u32),
    /// The execution's first start (`$$.Execution.StartTime`): this run's start, or the original one's when redriven.
    first_start: (i64, u32),
    started: Instant,
    events: Mutex<Events>,
    entropy: Mutex<Entropy>,
    clock: Arc<VirtualClock>,
    /// Set by TestState ([`crate::test_state`]): what the stages record, the mock of a Map or Parallel.
    test: Option<test_state::TestRun>,
    /// The last top-level checkpoint told, kept while a checkpoint sink listens ([`parts`]).
    checkpoint: Mutex<Option<crate::resume::Checkpoint>>,
    /// A redrive's succeeded parts of the state it resumes at, until that state takes them ([`parts`]).
    carried_parts: Mutex<Option<(String, std::collections::BTreeMap<usize, Value>)>>,
}

/// The variables one scope sees: its own and a snapshot of the enclosing scopes'.
#[derive(Clone, Default)]
struct Variables {
    outer: Option<Arc<Variables>>,
    local: HashMap<String, Value>,
}

impl Variables {
    fn get(&self, name: &str) -> Option<&Value> {
        self.local
            .get(name)
            .or_else(|| self.outer.as_ref().and_then(|o| o.get(name)))
    }

    /// Every variable in scope, outer ones first (so inner names win when bound in order).
    fn all(&self) -> Vec<(&str, &Value)> {
        let mut all = self.outer.as_ref().map(|o| o.all()).unwrap_or_default();
        all.extend(self.local.iter().map(|(k, v)| (k.as_str(), v)));
        all
    }

    /// A snapshot for inner scopes (Parallel branches, Map iterations), taken once per state.
    fn shared(&self) -> Arc<Variables> {
        Arc::new(self.clone())
    }

    /// The variables of an inner scope: it reads everything of `outer`, and writes its own.
    fn within(outer: &Arc<Variables>) -> Variables {
        Variables {
            outer: Some(outer.clone()),
            local: HashMap::new(),
        }
    }
}

/// One running scope: the machine, a Parallel branch or a Map iteration.
struct Frame {
    variables: Variables,
    last_event: u64,
    /// Inside a distributed Map's child execution, whose events are not the parent's history (on AWS each child
    /// execution has its own).
    detached: bool,
}

/// What the state being run knows about itself, for `$$.State` and error messages.
struct StateInfo<'s> {
    name: &'s str,
    entered: (i64, u32),
    entered_event: u64,
    retry_count: u32,
}

impl StateInfo<'_> {
    /// AWS's prefix of a state's run-time error.
    fn preamble(&self) -> String {
        format!(
            "An error occurred while executing the state '{}' (entered at the event id #{}). ",
            self.name, self.entered_event
        )
    }

    /// `States.Runtime` with AWS's preamble naming the state.
    fn error(&self, detail: impl std::fmt::Display) -> Failure {
        Failure::runtime(format!("{}{detail}", self.preamble()))
    }
}

/// Where a state's fields are evaluated: the execution, the running scope and the state's own facts.
#[derive(Clone, Copy)]
struct Cx<'a> {
    ex: &'a Execution<'a>,
    frame: &'a Frame,
    info: &'a StateInfo<'a>,
}

/// How a state ended.
enum Transition {
    Next(usize),
    End,
}

/// What an attempt at a state gives: its output, where to go, and the variables it assigns.
type Done = (Value, Transition, Option<Map<String, Value>>);

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl Execution<'_> {
    fn cx<'a>(&'a self, frame: &'a Frame, info: &'a StateInfo<'a>) -> Cx<'a> {
        Cx {
            ex: self,
            frame,
            info,
        }
    }

    /// The current time: the start plus virtual time, or the wall clock.
    fn now(&self) -> (i64, u32) {
        let passed = if self.options.virtual_time {
            self.clock.now()
        } else {
            self.started.elapsed()
        };
        let total = Duration::new(self.start.0 as u64, self.start.1) + passed;
        (total.as_secs() as i64, total.subsec_nanos())
    }

    async fn sleep(&self, duration: Duration) {
        if self.options.virtual_time {
            self.clock.sleep(duration).await;
        } else {
            tokio::time::sleep(duration).await;
        }
    }

    /// `$$.Task.Token` of the state being run: unique within the execution.
    fn task_token(&self, info: &StateInfo) -> String {
        format!("{}:{}:{}", self.name, info.name, info.entered_event)
    }

    fn execution_arn(&self) -> String {
        format!(
            "arn:aws:states:{REGION}:{ACCOUNT}:execution:{}:{}",
            self.machine.name, self.name
        )
    }
}
