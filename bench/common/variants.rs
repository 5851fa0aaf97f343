//! What the benchmarks and `examples/invoke_count.rs` share (included with `#[path]`): the events, the Lambda
//! context, the stepfn service, and the variants that rebuild stepfn's invocation piece by piece.
#![allow(dead_code)]

use futures_util::FutureExt;
use lambda_runtime::{Context as LambdaContext, LambdaEvent};
use message_pipeline::uppercase_message;
use serde_json::{json, Value};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use stepfn::lambda::Handler;
use stepfn::{ErrorPayload, Step};

/// The events: the example's seed event and one whose message is 4 KiB.
pub fn events() -> Vec<(&'static str, Value)> {
    let seed = json!({ "body": "{\"message\": \"hello\"}" });
    let message: String = "hello stepfn, "
        .repeat(4096 / 14 + 1)
        .chars()
        .take(4096)
        .collect();
    let large = json!({ "body": serde_json::to_string(&json!({ "message": message })).unwrap() });
    vec![("seed", seed), ("4KiB", large)]
}

/// A context as the Runtime API gives one.
pub fn lambda_context() -> LambdaContext {
    let mut context = LambdaContext::default();
    context.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd".to_owned();
    context.deadline = 1_542_409_706_888;
    context.invoked_function_arn =
        "arn:aws:lambda:us-east-2:123456789012:function:custom-runtime".to_owned();
    context.xray_trace_id =
        Some("Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419".to_owned());
    context
}

/// Exactly the closure `stepfn::lambda::serve_handler` wraps in `service_fn` and hands to `lambda_runtime::run`.
pub fn stepfn_fn() -> impl FnMut(LambdaEvent<Value>) -> stepfn::Invocation + Clone {
    let handler = Handler::of::<uppercase_message>();
    move |event: LambdaEvent<Value>| handler.invoke(event.payload, event.context.into())
}

// The breakdown: each variant adds one piece of `stepfn::invoke` to the previous one.

type Input = <uppercase_message as Step>::Input;

fn invalid_input(error: impl std::fmt::Display) -> ErrorPayload {
    ErrorPayload::new(
        stepfn::error_names::INVALID_INPUT,
        format!("cannot read: {error}"),
    )
}

fn step_error(error: message_pipeline::MessageError) -> ErrorPayload {
    ErrorPayload::new(stepfn::StepError::name(&error), error.to_string())
}

fn output(value: impl serde::Serialize) -> Result<Value, ErrorPayload> {
    serde_json::to_value(value)
        .map_err(|e| ErrorPayload::new(stepfn::error_names::INVALID_OUTPUT, e.to_string()))
}

/// 2: `from_value`, the step's own function, `to_value`; errors as `ErrorPayload`.
pub async fn plain(event: LambdaEvent<Value>) -> Result<Value, ErrorPayload> {
    let input: Input = serde_json::from_value(event.payload).map_err(invalid_input)?;
    output(uppercase_message(input).await.map_err(step_error)?)
}

/// 3: and `lambda_runtime::Context` into `stepfn::Context`, the step called through `Step::call`.
pub async fn with_context(event: LambdaEvent<Value>) -> Result<Value, ErrorPayload> {
    let context: stepfn::Context = event.context.into();
    let input: Input = serde_json::from_value(event.payload).map_err(invalid_input)?;
    output(
        uppercase_message::call(input, context)
            .await
            .map_err(step_error)?,
    )
}

/// 4: and `serde_path_to_error::deserialize` instead of `from_value`.
pub async fn with_path_to_error(event: LambdaEvent<Value>) -> Result<Value, ErrorPayload> {
    let context: stepfn::Context = event.context.into();
    let input: Input = serde_path_to_error::deserialize(event.payload).map_err(invalid_input)?;
    output(
        uppercase_message::call(input, context)
            .await
            .map_err(step_error)?,
    )
}

/// 5: and the step's future under `catch_unwind`: `stepfn::invoke` written out.
pub async fn with_catch_unwind(event: LambdaEvent<Value>) -> Result<Value, ErrorPayload> {
    let context: stepfn::Context = event.context.into();
    let input: Input = serde_path_to_error::deserialize(event.payload).map_err(invalid_input)?;
    match AssertUnwindSafe(uppercase_message::call(input, context))
        .catch_unwind()
        .await
    {
        Ok(Ok(out)) => output(out),
        Ok(Err(error)) => Err(step_error(error)),
        Err(_) => Err(ErrorPayload::new(stepfn::error_names::PANIC, "panicked")),
    }
}

/// 6: and the future boxed: `invoke_boxed` written out.
pub fn with_box(
    event: LambdaEvent<Value>,
) -> Pin<Box<dyn Future<Output = Result<Value, ErrorPayload>> + Send>> {
    Box::pin(with_catch_unwind(event))
}

/// 7: the real `stepfn::invoke::<uppercase_message>`, unboxed.
pub fn stepfn_invoke(
    event: LambdaEvent<Value>,
) -> impl Future<Output = Result<Value, ErrorPayload>> {
    stepfn::invoke::<uppercase_message>(event.payload, event.context.into())
}

/// 4 without 3: `serde_path_to_error` alone on top of `plain`.
pub async fn path_to_error_only(event: LambdaEvent<Value>) -> Result<Value, ErrorPayload> {
    let input: Input = serde_path_to_error::deserialize(event.payload).map_err(invalid_input)?;
    output(uppercase_message(input).await.map_err(step_error)?)
}
