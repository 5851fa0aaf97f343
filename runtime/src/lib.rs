//! # stepfn
//!
//! Declare AWS Step Functions workflows in Rust. Mark each Lambda handler with [`macro@step`], wire the steps with
//! [`workflow!`], and `cargo build` gives you the Amazon States Language definition
//! (`target/stepfn/<Name>.asl.json`), the Lambda binary, and compile errors, at the offending token, for every
//! workflow AWS would reject or that could never finish.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use stepfn::{step, workflow, StepError};
//!
//! #[derive(Deserialize, Serialize)]
//! pub struct Greeting { pub text: String }
//!
//! #[derive(Debug, StepError)]
//! pub enum GreetError { Empty }
//! impl std::fmt::Display for GreetError {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("nothing to greet") }
//! }
//!
//! #[step]
//! async fn shout(input: Greeting) -> Result<Greeting, GreetError> {
//!     if input.text.is_empty() { return Err(GreetError::Empty); }
//!     Ok(Greeting { text: input.text.to_uppercase() })
//! }
//!
//! #[step]
//! async fn exclaim(input: Greeting) -> Result<Greeting, std::convert::Infallible> {
//!     Ok(Greeting { text: format!("{}!", input.text) })
//! }
//!
//! workflow! {
//!     /// Shouts, then exclaims.
//!     pub Greeter { Comment: "Shout a greeting" }
//!
//!     shout -> exclaim -> end;
//! }
//!
//! use stepfn::Workflow;
//! assert!(Greeter::DEFINITION.contains(r#""StartAt": "Shout""#));
//! ```

mod accepts;
mod error;
mod invoke;
pub mod lambda;
mod main_entry;
mod step;
mod workflow;

pub use accepts::Accepts;
pub use error::{names as error_names, ErrorPayload, StepError};
pub use invoke::{invoke, Invocation};
pub use main_entry::main;
pub use step::{Context, Step};
pub use workflow::{placeholder, MissingSubstitution, Workflow};

pub use stepfn_macros::{step, workflow, StepError};

/// What generated code needs, under absolute paths. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::lambda::Handler;
    pub use serde_json;
    pub use stepfn_macros::workflow_continue;
    pub use std;

    /// Markers of the edge probes of `workflow!` (see its `expand` module).
    pub enum Same {}
    pub enum Declared {}
    pub enum Never {}
    /// Implemented by nothing: the bound of the probe impl that never holds.
    pub trait Impossible {}
}
