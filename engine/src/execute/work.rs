//! A state's work, per kind: the one `match` on a state's [`Kind`], the same for both query languages. Each arm
//! takes what it reads from the language's [`Stage`] (arguments, a Pass result, a Choice's decision) and hands its
//! result to the stage's output step. Wait, Task, Parallel and Map do their work in modules of their own.

use super::stage::{Input, Stage};
use super::{Done, Execution, Frame, StateInfo, Transition};
use crate::failure::names;
use crate::machine::{Branch, Kind, State};
use crate::Failure;
use serde_json::Value;
use std::borrow::Cow;

impl Execution<'_> {
    /// One attempt at a state: the stage's input, the work, the stage's output, up to the variables it assigns.
    pub(super) async fn attempt(
        &self,
        stage: &impl Stage,
        state: &State,
        raw: Cow<'_, Value>,
        frame: &mut Frame,
        info: &StateInfo<'_>,
    ) -> Result<Done, Failure> {
        let selected = stage.input(self.cx(frame, info), state, &raw)?;
        let mut input = Input::new(raw, selected);
        let effective = input.effective();
        let next = || match state.next {
            Some(next) => Transition::Next(next),
            None => Transition::End,
        };
        let (result, transition) = match &state.kind {
            Kind::Pass { result } => (
                stage.pass(self.cx(frame, info), state, result.as_ref(), effective)?,
                next(),
            ),
            Kind::Task(task) => {
                let arguments = stage.arguments(self.cx(frame, info), state, effective)?;
                let result = self
                    .task(task, state, effective, arguments, frame, info)
                    .await?;
                self.inspect(|i| i.result = Some(result.clone()));
                (Some(result), next())
            }
            Kind::Parallel { branches } => {
                let arguments = stage.arguments(self.cx(frame, info), state, effective)?;
                // Under TestState a Parallel's mocked result stands for its branches.
                let result = match self.test.as_ref().and_then(|t| t.mock.clone()) {
                    Some(mocked) => mocked?,
                    None => self.parallel(state, branches, arguments, frame).await?,
                };
                self.inspect(|i| i.result = Some(result.clone()));
                (Some(result), next())
            }
            Kind::Map(map) => {
                let result = self.map(stage, state, map, effective, frame, info).await?;
                self.inspect(|i| i.result = Some(result.clone()));
                (Some(result), next())
            }
            Kind::Choice { choices, default } => {
                let (target, output, assigned) =
                    stage.choose(self.cx(frame, info), state, choices, *default, &mut input)?;
                return Ok((output, Transition::Next(target), Some(assigned)));
            }
            Kind::Wait(wait) => {
                let delay = self.wait_for(wait, effective, frame, info)?;
                // TestState does not wait.
                if self.test.is_none() {
                    self.sleep(delay).await;
                }
                (None, next())
            }
            Kind::Succeed => (None, Transition::End),
            Kind::Fail { error, cause } => {
                // The stage leaves a Fail state's input whole: its error and cause read the raw input.
                let resolver = self.resolver(input.raw(), frame, info, None);
                let error = self.text(error, "Error", &resolver)?;
                let cause = self.text(cause, "Cause", &resolver)?;
                return Err(Failure { error, cause });
            }
        };
        let (output, assigned) = stage.output(self.cx(frame, info), state, &mut input, result)?;
        Ok((output, transition, assigned))
    }
}

/// A Choice state's decision: the first branch whose rule passes `test` (given the branch's index), and where it
/// goes: that branch's `Next`, else `Default`, else `States.NoChoiceMatched`.
pub(super) fn decide<'c>(
    state: &State,
    choices: &'c [Branch],
    default: Option<usize>,
    mut test: impl FnMut(usize, &Branch) -> Result<bool, Failure>,
) -> Result<(Option<&'c Branch>, usize), Failure> {
    let mut chosen = None;
    for (index, branch) in choices.iter().enumerate() {
        if test(index, branch)? {
            chosen = Some(branch);
            break;
        }
    }
    let target = chosen.map(|b| b.next).or(default).ok_or_else(|| {
        Failure::new(
            names::NO_CHOICE_MATCHED,
            format!(
                "No Choice Rule of state '{}' matched, and it has no Default",
                state.name
            ),
        )
    })?;
    Ok((chosen, target))
}

/// A state's type as its history events name it (`TaskStateEntered`, `PassStateExited`, ...).
pub(crate) fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Task(_) => "Task",
        Kind::Pass { .. } => "Pass",
        Kind::Choice { .. } => "Choice",
        Kind::Wait(_) => "Wait",
        Kind::Succeed => "Succeed",
        Kind::Fail { .. } => "Fail",
        Kind::Parallel { .. } => "Parallel",
        Kind::Map(_) => "Map",
    }
}
