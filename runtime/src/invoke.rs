//! One invocation of a step on JSON: deserialize the event, call the function, serialize the result. The Lambda
//! entry point uses this, and so does anything else that runs a step on JSON, so a type mismatch fails the same way
//! everywhere. Errors are always an [`ErrorPayload`] with a name; a panic in the step becomes one too.

use crate::error::names;
use crate::{Context, ErrorPayload, Step};
use futures_util::future::{ready, Either};
use futures_util::FutureExt;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

/// A boxed invocation future, for tables of steps of different types.
pub type Invocation = Pin<Box<dyn Future<Output = Result<Value, ErrorPayload>> + Send>>;

/// Runs step `S` on a JSON value (for running steps in process).
pub async fn invoke<S: Step>(event: Value, context: Context) -> Result<Value, ErrorPayload> {
    let input: S::Input = serde_path_to_error::deserialize(event).map_err(invalid_input::<S, _>)?;
    let output = call::<S>(input, context).await?;
    serde_json::to_value(output).map_err(invalid_output::<S>)
}

/// An event as the Lambda entry point reads it: the step's input, or why the event is not one.
///
/// It never fails to deserialize, so a bad event reaches stepfn's own error path (a named `Stepfn.InvalidInput`)
/// instead of `lambda_runtime`'s (whose `errorType` is a Rust type path), and the input is read straight from the
/// request bytes, with no `serde_json::Value` or second parse in between. The reason given is serde's message, with
/// the line and column (such as "missing field `body` at line 1 column 2"): tracking the field path here as well as
/// in `lambda_runtime`, on every invocation, cost more than the rest of the entry point (bench/README.md).
/// In-process runs ([`invoke`]) name the field path.
pub struct StepInput<T>(Result<T, String>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for StepInput<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(StepInput(
            T::deserialize(deserializer).map_err(|error| error.to_string()),
        ))
    }
}

impl<T> StepInput<T> {
    /// The call of step `S` on this event: the step's future, or at once the `Stepfn.InvalidInput` error. A plain
    /// future of combinators, not an `async fn`, so it holds the step's future once and nothing else (see
    /// [`crate::lambda::invocation`]).
    pub(crate) fn into_call<S: Step<Input = T>>(
        self,
        context: Context,
    ) -> impl Future<Output = Result<S::Output, ErrorPayload>> {
        match self.0 {
            Ok(input) => Either::Left(call::<S>(input, context)),
            Err(reason) => Either::Right(ready(Err(ErrorPayload::new(
                names::INVALID_INPUT,
                format!("step {} cannot read its input: {reason}", S::NAME),
            )))),
        }
    }
}

/// Calls the step, turning its error or panic into a named [`ErrorPayload`].
fn call<S: Step>(
    input: S::Input,
    context: Context,
) -> impl Future<Output = Result<S::Output, ErrorPayload>> {
    AssertUnwindSafe(S::call(input, context))
        .catch_unwind()
        .map(|outcome| match outcome {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(error)) => Err(ErrorPayload::from_step_error(&error)),
            Err(panic) => Err(ErrorPayload::new(
                names::PANIC,
                format!("step {} panicked: {}", S::NAME, panic_message(&*panic)),
            )),
        })
}

fn invalid_input<S: Step, E: std::fmt::Display>(
    error: serde_path_to_error::Error<E>,
) -> ErrorPayload {
    let path = error.path().to_string();
    let place = if path == "." {
        "the event".to_owned()
    } else {
        format!("field `{path}`")
    };
    ErrorPayload::new(
        names::INVALID_INPUT,
        format!(
            "step {} cannot read its input: {place}: {}",
            S::NAME,
            error.inner()
        ),
    )
}

fn invalid_output<S: Step>(error: serde_json::Error) -> ErrorPayload {
    ErrorPayload::new(
        names::INVALID_OUTPUT,
        format!("step {} returned output that is not JSON: {error}", S::NAME),
    )
}

/// [`invoke`] boxed, so steps of different types fit one table (local runs).
#[cfg(feature = "local")]
pub fn invoke_boxed<S: Step>(event: Value, context: Context) -> Invocation {
    Box::pin(invoke::<S>(event, context))
}

pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> &str {
    if let Some(message) = panic.downcast_ref::<&str>() {
        message
    } else if let Some(message) = panic.downcast_ref::<String>() {
        message
    } else {
        "(a panic without a message)"
    }
}
