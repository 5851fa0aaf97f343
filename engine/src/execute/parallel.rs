//! The Parallel state's work: every branch runs concurrently on the calling task with the same input and its own
//! variables; the first failure stops the others and fails the state.

use super::parts::Parts;
use super::{Execution, Frame, Variables};
use crate::errors::failure_details;
use crate::machine::{Scope, State};
use crate::Failure;
use futures_util::stream::{FuturesUnordered, StreamExt};
use serde_json::Value;

impl Execution<'_> {
    /// Runs the branches on `input`: their outputs in order, or the first failure. After a redrive, the branches
    /// that succeeded before are not run again.
    pub(super) async fn parallel(
        &self,
        state: &State,
        branches: &[Scope],
        input: Value,
        frame: &mut Frame,
    ) -> Result<Value, Failure> {
        self.event(frame, ("ParallelStateStarted", ""), || Value::Null);
        let start_event = frame.last_event;
        let outer = frame.variables.shared();
        let mut parts = Parts::new(self, state, branches.len());
        let mut frames: Vec<Frame> = branches
            .iter()
            .map(|_| Frame {
                variables: Variables::within(&outer),
                last_event: start_event,
                detached: frame.detached,
            })
            .collect();
        let mut runs: FuturesUnordered<_> = (branches.iter().zip(frames.iter_mut()).enumerate())
            .filter(|(index, _)| !parts.done(*index))
            .map(|(index, (branch, branch_frame))| {
                let input = input.clone();
                async move { (index, self.run_scope(branch, input, branch_frame).await) }
            })
            .collect();
        let mut failure = None;
        while let Some((index, result)) = runs.next().await {
            match result {
                Ok(output) => parts.succeeded(index, output),
                Err(error) => {
                    // "If any branch fails [...] the entire Parallel state fails and all its branches are stopped"
                    // (States Language, Parallel State).
                    failure = Some(error);
                    break;
                }
            }
        }
        drop(runs);
        frame.last_event = frames
            .iter()
            .map(|f| f.last_event)
            .max()
            .unwrap_or(start_event);
        let result = match failure {
            Some(failure) => Err(failure),
            None => parts
                .outputs()
                .ok_or_else(|| Failure::runtime("a Parallel branch ended without a result")),
        };
        match result {
            Ok(outputs) => {
                self.event(frame, ("ParallelStateSucceeded", ""), || Value::Null);
                Ok(Value::Array(outputs))
            }
            Err(failure) => {
                self.event(frame, ("ParallelStateFailed", ""), || {
                    failure_details(&failure)
                });
                Err(failure)
            }
        }
    }
}
