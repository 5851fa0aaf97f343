//! Redrive: an execution run again from the top-level state where it stopped, as AWS's `RedriveExecution` does.
//!
//! While it runs, the engine tells [`Options::on_checkpoint`](crate::Options) where the execution stands at each
//! top-level state it enters (the state, its input, the variables assigned so far); a service keeps the last one.
//! Given back as a [`Resume`], the engine continues from there: the history goes on from the events already
//! recorded with an `ExecutionRedriven` event, and the states that completed are not run again. Of a top-level
//! Parallel or Map state, only the branches and iterations that did not succeed run again, as on AWS
//! ([`Checkpoint::parts`]).

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Where an execution stands when it enters a top-level state.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// The state entered.
    pub state: String,
    /// Its input.
    pub input: Value,
    /// The top-level variables assigned before it.
    pub variables: Map<String, Value>,
    /// When the state is a Map or Parallel that stopped short: the outputs of its iterations or branches that
    /// succeeded, by index. A redrive from here does not run them again.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parts: BTreeMap<usize, Value>,
}

/// A callback told each [`Checkpoint`] as the execution reaches it.
#[derive(Clone)]
pub struct CheckpointSink(pub std::sync::Arc<dyn Fn(&Checkpoint) + Send + Sync>);

impl std::fmt::Debug for CheckpointSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckpointSink")
    }
}

/// How to continue an execution: from its last checkpoint, after the events it already has.
#[derive(Debug, Clone, PartialEq)]
pub struct Resume {
    pub from: Checkpoint,
    /// The events recorded so far: the new ones are numbered after them.
    pub events_so_far: u64,
    /// How many times the execution has been redriven, this time included (`$$.Execution.RedriveCount`).
    pub redrive_count: u32,
    /// The execution's first start, seconds and nanoseconds since the epoch (`$$.Execution.StartTime` keeps it).
    pub started: (i64, u32),
}

impl Checkpoint {
    /// Before the machine's first state: where an execution stands until it enters one.
    pub fn at_start(machine: &crate::Machine, input: Value) -> Checkpoint {
        Checkpoint {
            state: (machine.root.states.get(machine.root.start))
                .map(|state| state.name.clone())
                .unwrap_or_default(),
            input,
            variables: Map::new(),
            parts: BTreeMap::new(),
        }
    }
}
