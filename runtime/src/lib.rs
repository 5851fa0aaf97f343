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

//! # Features
//!
//! - `local` (default): everything a developer's machine uses and a deployed Lambda does not: running workflows
//!   in process ([`local`], [`testing`], `Workflow::run_virtual_time`...), the workflow binary's command line
//!   (`run`, `graph`, `definition`, ...) and the deployment helpers (`Workflow::definition_with`). It brings in
//!   the local executor (`stepfn-engine`, with JSONata) and clap. A workflow crate forwards it as its own default
//!   feature and tells `cargo lambda build` to leave it out, so the binary that runs in Lambda is the step, the
//!   Lambda entry point and `lambda_runtime`, nothing more (see the README, "Deploying").
//! - `aws`: workflows on AWS Step Functions with the AWS SDK for Rust ([`aws`]): `Workflow::start` with the typed
//!   input, the execution's `wait` with the typed output, and with `local` the binary's `start`, `watch` and
//!   `executions`. Like `local`, a workflow crate makes it a default feature, so the Lambda build leaves it out.

mod accepts;
#[cfg(feature = "aws")]
pub mod aws;
mod caught;
#[cfg(feature = "local")]
mod command_line;
mod error;
mod invoke;
pub mod lambda;
#[cfg(feature = "local")]
pub mod local;
mod main_entry;
mod panic_report;
#[cfg(feature = "local")]
mod placeholders;
mod step;
mod template_fit;
#[cfg(feature = "local")]
pub mod testing;
mod workflow;

pub use accepts::{Accepts, MapItems};
pub use caught::Caught;
pub use error::{names as error_names, ErrorPayload, StepError};
pub use invoke::{invoke, Invocation, StepInput};
pub use main_entry::main;
#[cfg(feature = "local")]
pub use placeholders::{placeholder, placeholders_in, SubstitutionError};
pub use step::{Context, Step};
#[cfg(feature = "local")]
pub use workflow::LocalRun;
pub use workflow::{Json, StartInput, Workflow, WorkflowInput, WorkflowOutput};

/// Makes an `async fn` a workflow step and a Lambda handler.
///
/// Accepts `async fn name(input: T) -> Result<U, E>`, optionally with a second parameter `context: stepfn::Context`;
/// `T: Deserialize`, `U: Serialize`, `E: StepError`. The state name is the PascalCase of the function name unless
/// `#[step(name = "...")]` gives another. The function is kept as written; beside it, a type of the same name
/// implements [`Step`], which `workflow!` and the Lambda entry point use. Misuse is a compile error that says what
/// to write.
pub use stepfn_macros::step;

/// Declares a Step Functions workflow over steps, checks it at compile time, and writes its ASL definition to
/// `target/stepfn/<Name>.asl.json`.
///
/// ```text
/// workflow! {
///     pub Name { Comment: "...", Version: "1.0", TimeoutSeconds: 300 }
///     step_a -> step_b { TimeoutSeconds: 30 } -> Done;   // `->` is Next, `-> end` is End: true
///     Done: Succeed;                                     // `Name: Type(arg) { Field: value }`
/// }
/// ```
/// The generated unit struct implements [`Workflow`]. See the README for the whole syntax and the checks.
pub use stepfn_macros::workflow;

/// Implements [`StepError`](trait@StepError): an enum raises each variant's name, a struct its own name;
/// `#[step_error(name = "...")]` renames one.
pub use stepfn_macros::StepError;

/// What generated code needs, under absolute paths. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::lambda::Handler;
    pub use crate::template_fit::{check_templates, misfit, TemplateFeed};
    pub use serde_json;
    pub use std;
    pub use stepfn_macros::workflow_continue;

    /// Markers of the edge probes of `workflow!` (see its `expand` module).
    pub enum Same {}
    pub enum Declared {}
    pub enum Never {}
    /// Implemented by nothing: the bound of the probe impl that never holds.
    pub trait Impossible {}

    /// The marker of an edge probe that takes a Map's results item by item (see `Takes`).
    pub struct Each<Marker>(std::marker::PhantomData<Marker>);

    /// `Self` takes a `Prev` by being the same type or by `Accepts`: what the edge probes of `workflow!` ask of each
    /// item of a Map's results and each element of a Parallel's.
    pub trait Takes<Prev, Marker> {}
    impl<T> Takes<T, Same> for T {}
    impl<Prev, Next: crate::Accepts<Prev>> Takes<Prev, Declared> for Next {}

    /// A tuple of `N` elements: the input a Parallel of `N` branches may feed.
    pub trait Arity<const N: usize> {}
    /// The `I`-th element type of a tuple.
    pub trait Element<const I: usize> {
        type Type;
    }

    /// `Arity` and every `Element` of the tuples up to 16 elements (a Parallel with more branches is compared as a
    /// whole).
    macro_rules! tuples {
        ($( ($n:literal: $($index:tt $name:ident),+) )*) => {$(
            impl<$($name),+> Arity<$n> for ($($name,)+) {}
            tuples!(@elements ($($name),+) $($index $name)+);
        )*};
        (@elements $all:tt $($index:tt $name:ident)+) => {$(
            tuples!(@element $all $index $name);
        )+};
        (@element ($($all:ident),+) $index:tt $name:ident) => {
            impl<$($all),+> Element<$index> for ($($all,)+) {
                type Type = $name;
            }
        };
    }
    tuples! {
        (1: 0 A)
        (2: 0 A, 1 B)
        (3: 0 A, 1 B, 2 C)
        (4: 0 A, 1 B, 2 C, 3 D)
        (5: 0 A, 1 B, 2 C, 3 D, 4 E)
        (6: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F)
        (7: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G)
        (8: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H)
        (9: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I)
        (10: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J)
        (11: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K)
        (12: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L)
        (13: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L, 12 M)
        (14: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L, 12 M, 13 N)
        (15: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L, 12 M, 13 N, 14 O)
        (16: 0 A, 1 B, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 J, 10 K, 11 L, 12 M, 13 N, 14 O, 15 P)
    }

    /// What a run method's input is (see `StartInput`): the workflow's typed input, a `serde_json::Value`, a `Json`.
    pub enum TypedInput {}
    pub enum ValueInput {}
    pub enum JsonInput {}

    /// Whether `names` holds `name`, at compile time: the check behind a `Retry`/`Catch` on a step.
    pub const fn raises(names: &[&str], name: &str) -> bool {
        let mut i = 0;
        while i < names.len() {
            let (a, b) = (names[i].as_bytes(), name.as_bytes());
            if a.len() == b.len() {
                let mut j = 0;
                while j < a.len() && a[j] == b[j] {
                    j += 1;
                }
                if j == a.len() {
                    return true;
                }
            }
            i += 1;
        }
        false
    }
}
