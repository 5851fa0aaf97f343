//! The hand-written baseline is only a fair baseline if it does what the stepfn entry point does: same response for
//! the same event, same error names. These tests hold it to that.

use lambda_runtime::{service_fn, Context, Diagnostic, LambdaEvent, Service};
use message_pipeline::uppercase_message;
use serde_json::{json, Value};
use stepfn_bench::handwritten;

async fn stepfn_answer(event: Value) -> Result<Value, Diagnostic> {
    // The function the deployed binary runs per event.
    let mut service = service_fn(stepfn::lambda::invocation::<uppercase_message>);
    let input = serde_json::from_value(event).unwrap();
    let answer = service
        .call(LambdaEvent::new(input, Context::default()))
        .await
        .map_err(Diagnostic::from)?;
    Ok(serde_json::to_value(answer).unwrap())
}

async fn handwritten_answer(event: Value) -> Result<Value, Diagnostic> {
    let mut service = service_fn(handwritten::handler);
    service
        .call(LambdaEvent::new(event, Context::default()))
        .await
}

#[tokio::test]
async fn same_response() {
    for message in ["hello", "say \"hi\"", "ünïcödé ß", &"x".repeat(4096)] {
        let event =
            json!({ "body": serde_json::to_string(&json!({ "message": message })).unwrap() });
        let ours = stepfn_answer(event.clone()).await.unwrap();
        assert_eq!(ours, handwritten_answer(event).await.unwrap());
        assert_eq!(ours["statusCode"], 200);
    }
}

#[tokio::test]
async fn same_error_for_a_bad_body() {
    for body in ["not json", "{}", "{\"message\": 5}"] {
        let event = json!({ "body": body });
        let ours = stepfn_answer(event.clone()).await.unwrap_err();
        assert_eq!(ours.error_type, "InvalidBody");
        assert_eq!(ours, handwritten_answer(event).await.unwrap_err());
    }
}

#[tokio::test]
async fn same_error_name_for_an_unreadable_event() {
    for event in [json!({}), json!({ "body": 5 }), json!("body")] {
        let ours = stepfn_answer(event.clone()).await.unwrap_err();
        assert_eq!(ours.error_type, "Stepfn.InvalidInput");
        assert_eq!(
            ours.error_type,
            handwritten_answer(event).await.unwrap_err().error_type
        );
    }
}
