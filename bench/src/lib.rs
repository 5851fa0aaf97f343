//! Benchmarks of stepfn against hand-written `lambda_runtime` code.
//!
//! This library holds the hand-written baseline: what a developer would write with `lambda_runtime` alone to get
//! the message pipeline's Lambda function (`examples/message-pipeline`, step `uppercase_message`). The benchmark
//! (`benches/entry_point.rs`) and the baseline binary (`src/bin/handwritten_message_lambda.rs`) both use it, so the
//! code timed is the code measured for size. It deliberately names neither `stepfn` nor `message-pipeline`.
//!
//! It also holds [`harness`], one invocation as `lambda_runtime` runs it, which the benchmark and the instruction
//! count (`examples/invocations.rs`) drive both services through.

pub mod harness {
    //! One Lambda invocation as `lambda_runtime` runs it for a buffered event: the request body bytes into the
    //! handler's event type (through `serde_path_to_error`, as `lambda_runtime` reads them), the service call, the
    //! response to bytes.

    use lambda_runtime::{Context, LambdaEvent, Service};
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use serde_json::json;
    use std::fmt::Debug;
    use std::future::Future;

    /// The request: body bytes and the Lambda context.
    pub type Request = (Vec<u8>, Context);

    /// The seed event and one whose message is 4 KiB, as request body bytes.
    pub fn events() -> Vec<(&'static str, Vec<u8>)> {
        let seed = json!({ "body": "{\"message\": \"hello\"}" });
        let message: String = "hello stepfn, ".repeat(300).chars().take(4096).collect();
        let body = serde_json::to_string(&json!({ "message": message })).expect("JSON");
        let large = json!({ "body": body });
        vec![
            ("seed", serde_json::to_vec(&seed).expect("JSON")),
            ("4KiB", serde_json::to_vec(&large).expect("JSON")),
        ]
    }

    /// A context as the Runtime API gives one.
    pub fn context() -> Context {
        let mut context = Context::default();
        context.request_id = "8476a536-e9f4-11e8-9739-2dfe598c3fcd".to_owned();
        context.deadline = 1_542_409_706_888;
        context.invoked_function_arn =
            "arn:aws:lambda:us-east-2:123456789012:function:uppercase".to_owned();
        context
    }

    /// One invocation: body bytes in, response bytes out.
    pub fn call<T, S>(service: &mut S, (body, context): Request) -> impl Future<Output = Vec<u8>>
    where
        T: DeserializeOwned,
        S: Service<LambdaEvent<T>>,
        S::Response: Serialize,
        S::Error: Debug,
    {
        let payload: T =
            serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(&body))
                .expect("the event deserializes");
        let response = service.call(LambdaEvent::new(payload, context));
        async move { serde_json::to_vec(&response.await.expect("the call succeeds")).expect("JSON") }
    }
}

pub mod handwritten {
    //! The message pipeline's Lambda handler, written by hand on `lambda_runtime`.
    //!
    //! Same event, same response, same error names as the stepfn entry point serving `uppercase_message`: the event
    //! is taken as a `serde_json::Value` (as the stepfn entry point takes it), read into [`ApiEvent`], its body parsed
    //! and upper-cased, and the [`ApiResponse`] turned back into a `Value`. A failure is a [`Diagnostic`] named
    //! `InvalidBody` (a body without a string `message`) or `Stepfn.InvalidInput` (an event without a string `body`).

    use lambda_runtime::{Diagnostic, LambdaEvent};
    use serde::{Deserialize, Serialize};
    use serde_json::Value;

    /// The part of an API Gateway proxy event the handler reads (as `message_pipeline::ApiEvent`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct ApiEvent {
        pub body: String,
    }

    /// An API Gateway proxy response (as `message_pipeline::ApiResponse`).
    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ApiResponse {
        pub status_code: u16,
        pub body: String,
    }

    #[derive(Debug, Deserialize)]
    struct MessageBody {
        message: String,
    }

    /// The error names, as the stepfn entry point reports them.
    pub const INVALID_BODY: &str = "InvalidBody";
    pub const INVALID_INPUT: &str = "Stepfn.InvalidInput";

    /// The handler: `lambda_runtime::service_fn(handler)` is the Lambda service.
    pub async fn handler(event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
        let LambdaEvent {
            payload,
            context: _,
        } = event;
        let event: ApiEvent = serde_json::from_value(payload).map_err(|error| Diagnostic {
            error_type: INVALID_INPUT.to_owned(),
            error_message: format!("step UppercaseMessage cannot read its input: {error}"),
        })?;
        let body: MessageBody = serde_json::from_str(&event.body).map_err(|error| Diagnostic {
            error_type: INVALID_BODY.to_owned(),
            error_message: format!(
                "the body must be a JSON object with a string `message`: {error}"
            ),
        })?;
        let processed = serde_json::to_string(&body.message.to_uppercase())
            .expect("a string always serializes");
        let response = ApiResponse {
            status_code: 200,
            body: format!("{{\"processed_message\": {processed}}}"),
        };
        Ok(serde_json::to_value(response).expect("the response always serializes"))
    }

    /// The idiomatic variant: the event typed, so `lambda_runtime` deserializes the request body straight into
    /// [`ApiEvent`] and serializes [`ApiResponse`] straight to the response body, with no `Value` in between.
    pub async fn typed_handler(event: LambdaEvent<ApiEvent>) -> Result<ApiResponse, Diagnostic> {
        let body: MessageBody =
            serde_json::from_str(&event.payload.body).map_err(|error| Diagnostic {
                error_type: INVALID_BODY.to_owned(),
                error_message: format!(
                    "the body must be a JSON object with a string `message`: {error}"
                ),
            })?;
        let processed = serde_json::to_string(&body.message.to_uppercase())
            .expect("a string always serializes");
        Ok(ApiResponse {
            status_code: 200,
            body: format!("{{\"processed_message\": {processed}}}"),
        })
    }
}
