//! The parts of a Map (its iterations) or a Parallel (its branches) and what became of each, so that a redrive runs
//! only the parts that did not succeed: "For workflows that include an Inline Map or Parallel state,
//! RedriveExecution API action reschedules and redrives only the iterations and branches that failed or aborted"
//! (Step Functions API reference, RedriveExecution).
//!
//! Only a top-level state's parts are kept (where a [`Checkpoint`] is): when that state stops short (it fails, is
//! retried, the execution times out under it or is stopped), the outputs of its succeeded parts go to the checkpoint
//! sink with the state's checkpoint; a redrive from that state hands them back and they are not run again. Parts
//! nested deeper are run again whole with the top-level part that holds them. A state whose parts all succeeded and
//! that failed after them (its ResultSelector, say) runs them all again.

use super::Execution;
use crate::machine::State;
use crate::resume::{Checkpoint, CheckpointSink};
use serde_json::Value;
use std::collections::BTreeMap;

/// What became of one part.
enum Slot {
    Pending,
    Succeeded(Value),
    /// A tolerated failure of a Map iteration: its error output stands in the Map's result, and a redrive runs it
    /// again.
    Failed(Value),
}

/// The parts of one run of a Map or Parallel state.
pub(super) struct Parts<'e> {
    slots: Vec<Slot>,
    /// Where to tell the succeeded parts if this run stops short: top-level states only.
    report: Option<(&'e CheckpointSink, Checkpoint)>,
}

impl<'e> Parts<'e> {
    /// `length` parts of `state`; when a redrive resumes at this state, the parts that succeeded before are
    /// already filled (handed over once: a retry of the state runs every part).
    pub(super) fn new(execution: &'e Execution<'_>, state: &State, length: usize) -> Parts<'e> {
        let top_level = execution
            .machine
            .root
            .states
            .iter()
            .any(|s| std::ptr::eq(s, state));
        let mut slots: Vec<Slot> = (0..length).map(|_| Slot::Pending).collect();
        if !top_level {
            return Parts {
                slots,
                report: None,
            };
        }
        let carried = execution
            .carried_parts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take_if(|(name, _)| *name == state.name);
        for (index, output) in carried.map(|(_, parts)| parts).unwrap_or_default() {
            if let Some(slot) = slots.get_mut(index) {
                *slot = Slot::Succeeded(output);
            }
        }
        let report = execution.options.on_checkpoint.as_ref().and_then(|sink| {
            let checkpoint = execution
                .checkpoint
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
                .filter(|c| c.state == state.name)?;
            Some((sink, checkpoint))
        });
        Parts { slots, report }
    }

    /// Whether the part has its output already (from before a redrive).
    pub(super) fn done(&self, index: usize) -> bool {
        matches!(self.slots.get(index), Some(Slot::Succeeded(_)))
    }

    pub(super) fn succeeded(&mut self, index: usize, output: Value) {
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Slot::Succeeded(output);
        }
    }

    pub(super) fn failed(&mut self, index: usize, error_output: Value) {
        if let Some(slot) = self.slots.get_mut(index) {
            *slot = Slot::Failed(error_output);
        }
    }

    /// Every part's output, in order, once every part has ended; nothing is reported then.
    pub(super) fn outputs(mut self) -> Option<Vec<Value>> {
        self.report = None;
        std::mem::take(&mut self.slots)
            .into_iter()
            .map(|slot| match slot {
                Slot::Succeeded(output) | Slot::Failed(output) => Some(output),
                Slot::Pending => None,
            })
            .collect()
    }
}

impl Drop for Parts<'_> {
    /// Stopped short: the checkpoint is told the parts that succeeded.
    fn drop(&mut self) {
        let Some((sink, mut checkpoint)) = self.report.take() else {
            return;
        };
        checkpoint.parts = self
            .slots
            .iter_mut()
            .enumerate()
            .filter_map(
                |(index, slot)| match std::mem::replace(slot, Slot::Pending) {
                    Slot::Succeeded(output) => Some((index, output)),
                    _ => None,
                },
            )
            .collect::<BTreeMap<_, _>>();
        // Told even with none: the parts of an earlier attempt (before a retry) must not stand for this one's.
        (sink.0)(&checkpoint);
    }
}
