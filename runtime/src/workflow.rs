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

    /// Runs the workflow locally on `input` (its first step's input, see [`WorkflowInput`], or its JSON) with its real steps, on a virtual clock: Wait states and retry back-off
    /// move simulated time and take none. Keeps the history. Tasks that are not steps of this workflow need mocks:
    /// see [`crate::testing`] (virtual time too, with mocks and assertions) or [`Workflow::run_with`].
    #[cfg(feature = "local")]
    fn run_virtual_time<Kind>(input: impl StartInput<Self, Kind>) -> LocalRun
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
    fn run_real_time<Kind>(input: impl StartInput<Self, Kind>) -> LocalRun
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
    fn run_with<Kind>(input: impl StartInput<Self, Kind>, options: Options) -> LocalRun
    where
        Self: Sized,
    {
        let input = input.into_json();
        let options = with_steps(&Self::handlers(), options);
        let machine = Self::machine();
        Box::pin(async move { Ok(machine?.run(input, &options).await) })
    }

    /// Starts the workflow's state machine on AWS Step Functions (the `aws` feature) on `input`, its first step's
    /// input type (see [`WorkflowInput`]) or JSON; `.await` it for the execution's handle, whose `wait` gives the
    /// workflow's output type. The machine is the one named [`Self::NAME`] in the client's account and region
    /// (found with ListStateMachines), unless `.state_machine_arn(..)` names another; `.name(..)` names the
    /// execution (AWS's idempotency). See [`crate::aws`].
    #[cfg(feature = "aws")]
    fn start<Kind>(
        client: &crate::aws::sdk::Client,
        input: impl StartInput<Self, Kind>,
    ) -> crate::aws::Start<Self>
    where
        Self: Sized,
    {
        crate::aws::Start::new(client, input)
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

    /// The CloudFormation deployment template, byte for byte the `target/stepfn/<NAME>.template.json` that
    /// `cargo build` wrote: a Lambda function per step (handler: the step's function name), the state machine with
    /// its definition and `DefinitionSubstitutions`, its least-privilege role, log group and tracing (README,
    /// "Deployment template"). The error is a definition `workflow!` did not accept.
    #[cfg(feature = "local")]
    fn template() -> Result<String, String> {
        let steps: Vec<stepfn_template::Step> = Self::handlers()
            .iter()
            .map(|handler| stepfn_template::Step {
                function: handler.fn_name.to_owned(),
                resource_key: handler.resource_key.to_owned(),
            })
            .collect();
        stepfn_template::cloudformation(Self::NAME, Self::DEFINITION, &steps)
    }
}

/// A local run of a workflow, to `.await`. Boxed, so its type does not depend on the input's: a wrong input is one
/// error at the argument, not one more at every use of the future.
#[cfg(feature = "local")]
pub type LocalRun =
    std::pin::Pin<Box<dyn Future<Output = Result<Outcome, CompileError>> + Send + 'static>>;

/// The typed input of a workflow: `workflow!` implements `WorkflowInput<T>` when the workflow starts at a step whose
/// input type is `T` and reads the execution's input unchanged (no `InputPath`, `Parameters` or `Arguments`). The run
/// methods then take a `T`, so rustc checks a test's input like an edge between two steps; every workflow also takes
/// JSON (see [`StartInput`]).
#[diagnostic::on_unimplemented(
    message = "workflow `{Self}` does not start with `{I}`",
    label = "not the input of `{Self}`",
    note = "pass the input type of the workflow's first step, or the input as JSON: a `serde_json::Value` (`json!(...)`) or a `stepfn::Json`"
)]
pub trait WorkflowInput<I> {}

/// The output of a workflow: `workflow!` implements `WorkflowOutput<T>` for exactly one `T`, the type every way to
/// the workflow's successful end leaves the data in (the last step's output, a Map's `Vec` of them, a Parallel's
/// tuple, ...), or `serde_json::Value` when a way to the end reshapes the data (`Parameters`, `ResultPath` into the
/// input, `OutputPath`, JSONata's `Output`, a Pass with a `Result`, a Task that is not a step) or two ways end with
/// different types. An execution's `wait` (the `aws` feature) gives this type.
pub trait WorkflowOutput<O> {}

/// JSON to start a workflow with. A `serde_json::Value` does as well, except for a workflow whose first step takes
/// `serde_json::Value` itself: there, a bare `Value` could be either, and rustc asks which; wrap it in `Json`.
#[derive(Debug, Clone, PartialEq)]
pub struct Json(pub serde_json::Value);

/// What starts workflow `W`: its typed input (see [`WorkflowInput`]), a `serde_json::Value` or a [`Json`].
///
/// `Kind` tells the three apart so that none needs an annotation (`stepfn::__private` names them).
pub trait StartInput<W, Kind> {
    /// The input as JSON, or why a typed input does not serialize.
    fn try_into_json(self) -> Result<serde_json::Value, String>;

    /// The input as JSON. Panics if a typed input does not serialize, as `serde_json::json!` does.
    fn into_json(self) -> serde_json::Value
    where
        Self: Sized,
    {
        self.try_into_json().unwrap_or_else(|error| {
            panic!("the workflow's input does not serialize to JSON: {error}")
        })
    }
}

impl<W: WorkflowInput<I>, I: serde::Serialize> StartInput<W, crate::__private::TypedInput> for I {
    fn try_into_json(self) -> Result<serde_json::Value, String> {
        serde_json::to_value(self).map_err(|error| error.to_string())
    }
}

impl<W> StartInput<W, crate::__private::ValueInput> for serde_json::Value {
    fn try_into_json(self) -> Result<serde_json::Value, String> {
        Ok(self)
    }
}

impl<W> StartInput<W, crate::__private::JsonInput> for Json {
    fn try_into_json(self) -> Result<serde_json::Value, String> {
        Ok(self.0)
    }
}
