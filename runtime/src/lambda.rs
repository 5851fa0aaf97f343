//! Lambda entry points on `lambda_runtime`.
//!
//! stepfn builds one binary per workflow crate: it serves whichever step the Lambda function's handler setting
//! (`_HANDLER`) names, so `cargo lambda build` gives one `bootstrap` that every function of the workflow deploys,
//! each with its own handler. With a single step the handler setting may be left at `bootstrap`.

use crate::invoke::StepInput;
#[cfg(feature = "local")]
use crate::invoke::{invoke_boxed, Invocation};
use crate::panic_report;
use crate::{Context, ErrorPayload, Step, Workflow};
use futures_util::FutureExt;
use lambda_runtime::{service_fn, LambdaEvent};
#[cfg(feature = "local")]
use serde_json::Value;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// Serving one step until the Lambda runtime stops.
type Serving = Pin<Box<dyn Future<Output = Result<(), ServeError>>>>;

/// A step as the entry point sees it: its names, how to invoke it on JSON, and how to serve it.
#[derive(Clone, Copy)]
pub struct Handler {
    /// The Task state name.
    pub state_name: &'static str,
    /// The Rust function name.
    pub fn_name: &'static str,
    /// The key of the ARN placeholder, `${<resource_key>FunctionArn}`.
    pub resource_key: &'static str,
    /// Only local runs invoke a step on JSON; a Lambda build does not link that path.
    #[cfg(feature = "local")]
    invoke: fn(Value, Context) -> Invocation,
    serve: fn() -> Serving,
}

impl Handler {
    pub fn of<S: Step>() -> Self {
        Handler {
            state_name: S::NAME,
            fn_name: S::FN_NAME,
            resource_key: S::RESOURCE_KEY,
            #[cfg(feature = "local")]
            invoke: invoke_boxed::<S>,
            serve: || Box::pin(serve::<S>()),
        }
    }

    /// Invokes the step on a JSON event.
    #[cfg(feature = "local")]
    pub fn invoke(&self, event: Value, context: Context) -> Invocation {
        (self.invoke)(event, context)
    }

    /// Serves the step as a Lambda function until the runtime stops. The step's type is erased once, here, so
    /// each invocation runs unboxed.
    pub async fn serve(&self) -> Result<(), ServeError> {
        (self.serve)().await
    }

    fn answers_to(&self, handler: &str) -> bool {
        [self.fn_name, self.state_name, self.resource_key].contains(&handler)
    }
}

impl fmt::Debug for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handler")
            .field("state_name", &self.state_name)
            .field("fn_name", &self.fn_name)
            .finish()
    }
}

/// Why the entry point could not start.
#[derive(Debug)]
pub enum ServeError {
    /// `_HANDLER` names no step of the workflow.
    HandlerNotFound {
        handler: String,
        available: Vec<&'static str>,
    },
    /// The Lambda runtime failed (for example, the Runtime API is unreachable).
    Runtime(String),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::HandlerNotFound { handler, available } => write!(
                f,
                "Runtime.HandlerNotFound: the function's handler setting is `{handler}`, which names no step of this \
                 workflow; set it to one of: {}",
                available.join(", ")
            ),
            ServeError::Runtime(message) => write!(f, "Runtime.Error: {message}"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Picks the step named by the handler setting. `None`, empty or `bootstrap` picks the only step, if there is one.
pub fn select(handlers: &[Handler], handler: Option<&str>) -> Result<Handler, ServeError> {
    let wanted = handler
        .map(str::trim)
        .filter(|h| !h.is_empty() && *h != "bootstrap");
    let found = match wanted {
        Some(name) => handlers.iter().find(|h| h.answers_to(name)),
        None if handlers.len() == 1 => handlers.first(),
        None => None,
    };
    found.copied().ok_or_else(|| ServeError::HandlerNotFound {
        handler: handler.unwrap_or("").to_owned(),
        available: handlers.iter().map(|h| h.fn_name).collect(),
    })
}

/// Serves step `S` as a Lambda function until the runtime stops.
pub async fn serve<S: Step>() -> Result<(), ServeError> {
    panic_report::install();
    let service = service_fn(|event: LambdaEvent<StepInput<S::Input>>| invocation::<S>(event));
    lambda_runtime::run(service)
        .await
        .map_err(|e| ServeError::Runtime(e.to_string()))
}

/// One Lambda invocation of step `S`, as [`serve`] runs it for each event: `lambda_runtime` reads the request bytes
/// straight into the step's input and writes its output straight to the response, with no `serde_json::Value`.
///
/// Not an `async fn`: the Lambda context is read (or dropped) before the future is built, so the future carries
/// only the input, the step's [`Context`] and the step's own future. An `async fn` would keep the whole
/// `LambdaEvent` in its state and nest one more future around the step's, and moving that larger future is most of
/// what the entry point would cost over a hand-written handler.
pub fn invocation<S: Step>(
    event: LambdaEvent<StepInput<S::Input>>,
) -> impl Future<Output = Result<S::Output, ErrorPayload>> {
    let LambdaEvent { payload, context } = event;
    // Under `panic = "abort"` it names the invocation to the panic hook until the call ends; otherwise it is empty.
    let in_progress = panic_report::InProgress::start(&context.request_id, S::NAME);
    let context = if S::TAKES_CONTEXT {
        context.into()
    } else {
        Context::default()
    };
    payload.into_call::<S>(context).map(move |result| {
        drop(in_progress);
        result
    })
}

/// Serves the step of workflow `W` that the `_HANDLER` environment variable names.
pub async fn serve_workflow<W: Workflow>() -> Result<(), ServeError> {
    let handler = select(&W::handlers(), std::env::var("_HANDLER").ok().as_deref())?;
    handler.serve().await
}
