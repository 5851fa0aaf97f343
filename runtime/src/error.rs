//! Step errors and their names. Step Functions `Retry` and `Catch` match the Lambda `errorType`, so a step error
//! must carry a stable, user-chosen name, never a Rust type path.

use std::convert::Infallible;
use std::fmt::Display;

/// An error a step can return. `#[derive(StepError)]` implements it: an enum raises each variant's name, a struct
/// its own name. Pair it with a `Display` implementation (by hand or with `thiserror`) for the message.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a step error: it does not implement `stepfn::StepError`, which names the errors it raises",
    label = "the error type of this step",
    note = "derive it beside a `Display` impl: `#[derive(stepfn::StepError)]` (an enum raises its variant names, a struct its own name)"
)]
pub trait StepError: Display {
    /// Every name this type can raise; `Retry`/`Catch` on the step may name these, the `States.*` errors and the
    /// errors Lambda and stepfn raise around every step (`Lambda.ServiceException`, `Stepfn.Panic`, ...).
    const NAMES: &'static [&'static str];

    /// The name of this error: the Lambda `errorType`.
    fn name(&self) -> &'static str;
}

impl StepError for Infallible {
    const NAMES: &'static [&'static str] = &[];

    fn name(&self) -> &'static str {
        match *self {}
    }
}

/// Names of the errors stepfn itself raises around a step (`stepfn_asl::error_names::STEPFN` lists them too, for
/// `workflow!`; a test keeps the two the same).
pub mod names {
    /// The event did not deserialize into the step's input type; the message names the field.
    pub const INVALID_INPUT: &str = "Stepfn.InvalidInput";
    /// The step's output could not be serialized to JSON.
    pub const INVALID_OUTPUT: &str = "Stepfn.InvalidOutput";
    /// The step panicked; the message carries the panic message.
    pub const PANIC: &str = "Stepfn.Panic";
}

/// A failed invocation as Lambda reports it: `{"errorType": ..., "errorMessage": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorPayload {
    pub error_type: String,
    pub error_message: String,
}

impl ErrorPayload {
    pub fn new(error_type: impl Into<String>, error_message: impl Into<String>) -> Self {
        ErrorPayload {
            error_type: error_type.into(),
            error_message: error_message.into(),
        }
    }

    pub(crate) fn from_step_error<E: StepError>(error: &E) -> Self {
        ErrorPayload::new(error.name(), error.to_string())
    }
}

impl Display for ErrorPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error_type, self.error_message)
    }
}

impl std::error::Error for ErrorPayload {}

impl From<ErrorPayload> for lambda_runtime::Diagnostic {
    fn from(payload: ErrorPayload) -> Self {
        lambda_runtime::Diagnostic {
            error_type: payload.error_type,
            error_message: payload.error_message,
        }
    }
}

#[cfg(all(test, feature = "local"))]
mod tests {
    /// `workflow!` accepts these names on every step through `stepfn_asl::error_names`; the two lists are one.
    #[test]
    fn stepfn_names_agree_with_the_macro() {
        assert_eq!(
            stepfn_asl::error_names::STEPFN,
            [
                super::names::INVALID_INPUT,
                super::names::INVALID_OUTPUT,
                super::names::PANIC
            ]
        );
    }
}
