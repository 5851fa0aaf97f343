//! The [`Workflow`] trait that `workflow!` implements: the emitted definition and the steps behind it. With the
//! `local` feature (the default) it also runs the workflow in process and fills in the deployment placeholders;
//! a Lambda build, without the feature, keeps only what serving a step needs.

use crate::lambda::Handler;
#[cfg(feature = "local")]
use crate::local::{with_steps, CompileError, Machine, Options, Outcome};
#[cfg(feature = "local")]
use crate::placeholders::{fill_placeholders, placeholders_in, SubstitutionError};
#[cfg(feature = "local")]
use std::future::Future;

/// A workflow declared with `workflow!`.
pub trait Workflow {
    /// The workflow's name; its definition is written to `target/stepfn/<NAME>.asl.json`.
    const NAME: &'static str;
    /// The ASL definition, byte for byte the file `cargo build` wrote. Task states over steps name their Lambda
    /// function with a placeholder, `${<Key>FunctionArn}`, for CloudFormation/SAM `DefinitionSubstitutions`.
    const DEFINITION: &'static str;

    /// The steps the workflow invokes, one per Lambda function.
    fn handlers() -> Vec<Handler>;

    /// The definition compiled for the local executor, named after the workflow. `workflow!` has validated it;
    /// an error means the local executor cannot run something in it.
    #[cfg(feature = "local")]
    fn machine() -> Result<Machine, CompileError> {
        Machine::from_json(Self::DEFINITION).map(|machine| machine.named(Self::NAME))
    }

    /// Runs the workflow locally on `input` with its real steps, on a virtual clock: Wait states and retry back-off
    /// move simulated time and take none. Keeps the history. Tasks that are not steps of this workflow need mocks:
    /// see [`crate::testing`] (virtual time too, with mocks and assertions) or [`Workflow::run_with`].
    #[cfg(feature = "local")]
    fn run_virtual_time(
        input: serde_json::Value,
    ) -> impl Future<Output = Result<Outcome, CompileError>> + Send
    where
        Self: Sized,
    {
        let options = Options {
            virtual_time: true,
            history: true,
            ..Options::default()
        };
        Self::run_with(input, options)
    }

    /// Runs the workflow locally on `input` with its real steps, in real time: a one-hour Wait takes an hour, as
    /// on AWS. Keeps the history.
    #[cfg(feature = "local")]
    fn run_real_time(
        input: serde_json::Value,
    ) -> impl Future<Output = Result<Outcome, CompileError>> + Send
    where
        Self: Sized,
    {
        let options = Options {
            history: true,
            ..Options::default()
        };
        Self::run_with(input, options)
    }

    /// Runs the workflow locally with the given options (the clock is `options.virtual_time`); the workflow's
    /// steps are added to `options.resources` (handlers already there for the same resource or state, such as
    /// mocks, win). The error is a definition the local executor cannot compile.
    #[cfg(feature = "local")]
    fn run_with(
        input: serde_json::Value,
        options: Options,
    ) -> impl Future<Output = Result<Outcome, CompileError>> + Send
    where
        Self: Sized,
    {
        let options = with_steps(&Self::handlers(), options);
        let machine = Self::machine();
        async move { Ok(machine?.run(input, &options).await) }
    }

    /// The placeholder names in [`Self::DEFINITION`] (`${Name}` anywhere in it, such as
    /// `UppercaseMessageFunctionArn` for a step or one written by hand in a `Task("${QueueArn}")`), sorted.
    #[cfg(feature = "local")]
    fn placeholders() -> Vec<String> {
        placeholders_in(Self::DEFINITION)
    }

    /// The definition with each placeholder replaced by the value given for it, for deploying without
    /// `DefinitionSubstitutions` (e.g. `aws stepfunctions create-state-machine`). Every placeholder needs a
    /// non-empty value, and every value must name a placeholder.
    #[cfg(feature = "local")]
    fn definition_with<'a>(
        values: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<String, SubstitutionError> {
        fill_placeholders(Self::DEFINITION, values)
    }
}
