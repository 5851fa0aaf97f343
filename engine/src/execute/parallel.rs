//! The Parallel state's work: every branch runs concurrently on the calling task with the same input and its own
//! variables; the first failure stops the others and fails the state.

use super::{Execution, Frame, Variables};
use crate::errors::failure_details;
use crate::machine::Scope;
use crate::Failure;
use serde_json::Value;

impl Execution<'_> {
    /// Runs the branches on `input`: their outputs in order, or the first failure.
    pub(super) async fn parallel(
        &self,
        branches: &[Scope],
        input: Value,
        frame: &mut Frame,
    ) -> Result<Value, Failure> {
        self.event(frame, ("ParallelStateStarted", ""), || Value::Null);
        let start_event = frame.last_event;
        let outer = frame.variables.shared();
        let mut frames: Vec<Frame> = branches
            .iter()
            .map(|_| Frame {
                variables: Variables::within(&outer),
                last_event: start_event,
                detached: frame.detached,
            })
            .collect();
        let runs = branches
            .iter()
            .zip(frames.iter_mut())
            .map(|(branch, branch_frame)| self.run_scope(branch, input.clone(), branch_frame));
        let results = futures_util::future::try_join_all(runs).await;
        frame.last_event = frames
            .iter()
            .map(|f| f.last_event)
            .max()
            .unwrap_or(start_event);
        match results {
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
