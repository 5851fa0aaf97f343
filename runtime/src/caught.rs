//! What a `Catch` passes on: the error output Step Functions builds from a caught error.

use serde::{Deserialize, Serialize};

/// The value a `Catch` passes to its `Next` state when its `ResultPath` is `$` (the default): the error's name and
/// its cause, as Step Functions writes them (`{"Error": "...", "Cause": "..."}`; AWS, "Handling errors in Step
/// Functions workflows", *Error output*). A step that handles the error takes it as its input:
///
/// ```
/// #[stepfn::step]
/// async fn report(caught: stepfn::Caught) -> Result<String, std::convert::Infallible> {
///     Ok(format!("{}: {}", caught.error, caught.cause.unwrap_or_default()))
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caught {
    /// The error name (`errorType` of a step, or a `States.*` name).
    #[serde(rename = "Error")]
    pub error: String,
    /// The cause: a step's error message, or a JSON text with details; absent when a Fail state gives none.
    #[serde(rename = "Cause", default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
}
