//! The query language as a stage around a state's work. Before the work, the stage gives what the work reads: the
//! effective input, a Task's or Parallel's arguments, a Pass state's result, a Map's items and each item's input;
//! after it, what the state hands on: its output and the variables it assigns. A Choice state's rules and a
//! catcher's output are written in the language too. [`super::work`] calls the stage and never asks which
//! language it is; [`super::jsonpath_io`] and [`super::jsonata_io`] are the two stages.

use super::{Cx, Execution, Frame};
use crate::machine::{Branch, Catcher, MapState, State};
use crate::Failure;
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The variables a state (or a catcher) assigns.
pub(super) type Assigned = Option<Map<String, Value>>;

/// A state's input on its way through the stage: the raw input as the state received it and, when the language
/// selected a part of it (JSONPath's `InputPath`), that part. Without a selection the raw input is the effective
/// input, so it is never copied just to be read. The output step takes what it hands on out of it: it is lent, not
/// moved, as moving two JSON values' worth of bytes costs a `memcpy` per state.
pub(super) struct Input<'r> {
    raw: Cow<'r, Value>,
    selected: Option<Value>,
}

impl<'r> Input<'r> {
    pub fn new(raw: Cow<'r, Value>, selected: Option<Value>) -> Input<'r> {
        Input { raw, selected }
    }

    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// What the work reads.
    pub fn effective(&self) -> &Value {
        self.selected.as_ref().unwrap_or(&self.raw)
    }

    /// The raw input, taken to be handed on (left `null`).
    pub fn take_raw(&mut self) -> Value {
        std::mem::take(&mut self.raw).into_owned()
    }

    /// The effective input, taken to be handed on (left `null`).
    pub fn take_effective(&mut self) -> Value {
        match self.selected.take() {
            Some(selected) => selected,
            None => self.take_raw(),
        }
    }
}

/// One query language's processing of a state's input and output.
pub(super) trait Stage: Sync {
    /// The part of the raw input the work reads, or `None` for all of it.
    fn input(&self, cx: Cx<'_>, state: &State, raw: &Value) -> Result<Option<Value>, Failure>;

    /// What a Task calls its resource with and what a Parallel's branches start from.
    fn arguments(&self, cx: Cx<'_>, state: &State, effective: &Value) -> Result<Value, Failure>;

    /// A Pass state's result (its `Result` field as given), or `None` when it has none.
    fn pass(
        &self,
        cx: Cx<'_>,
        state: &State,
        result: Option<&Value>,
        effective: &Value,
    ) -> Result<Option<Value>, Failure>;

    /// A Map state's items, read in place when they are a part of the input; `None` when they select nothing.
    fn items<'v>(
        &self,
        cx: Cx<'_>,
        map: &MapState,
        effective: &'v Value,
    ) -> Result<Option<Cow<'v, Value>>, Failure>;

    /// The input of a Map's iteration over `item`, the `index`th item.
    fn item(
        &self,
        cx: Cx<'_>,
        map: &MapState,
        effective: &Value,
        index: usize,
        item: &Value,
    ) -> Result<Value, Failure>;

    /// A Choice state's decision: where it goes (a state's position), its output and the variables it assigns.
    fn choose(
        &self,
        cx: Cx<'_>,
        state: &State,
        choices: &[Branch],
        default: Option<usize>,
        input: &mut Input<'_>,
    ) -> Result<(usize, Value, Map<String, Value>), Failure>;

    /// The state's output and the variables it assigns, from its input and the work's result (`None` for the states
    /// that have none: Wait, Succeed, and a JSONata Pass).
    fn output(
        &self,
        cx: Cx<'_>,
        state: &State,
        input: &mut Input<'_>,
        result: Option<Value>,
    ) -> Result<(Value, Assigned), Failure>;

    /// What a catcher hands on from the state's input and the failure it caught, and the variables it assigns.
    fn caught(
        &self,
        cx: Cx<'_>,
        state: &State,
        catcher: &Catcher,
        input: Value,
        failure: &Failure,
    ) -> Result<(Value, Assigned), Failure>;

    /// Called with the failure of an attempt, before Retry and Catch see it.
    fn failed(&self, ex: &Execution<'_>, state: &State, failure: &Failure, frame: &mut Frame);
}
