//! The message pipeline: one Lambda step that reads the JSON string in an API-Gateway-style event's `body`, takes
//! its `message`, and answers `{"statusCode": 200, "body": "{\"processed_message\": \"HELLO\"}"}`; and the
//! `MessagePipeline` workflow whose single Task state invokes it.

use serde::{Deserialize, Serialize};
use stepfn::{step, workflow, StepError};

/// The part of an API Gateway proxy event the step reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiEvent {
    /// The request body: a JSON document, as a string.
    pub body: String,
}

/// An API Gateway proxy response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiResponse {
    pub status_code: u16,
    /// A JSON document, as a string: `{"processed_message": "..."}`.
    pub body: String,
}

/// The body the step expects.
#[derive(Debug, Deserialize)]
struct MessageBody {
    message: String,
}

/// Why a message could not be processed; the variant name is the Lambda `errorType`.
#[derive(Debug, thiserror::Error, StepError)]
pub enum MessageError {
    /// The body is not a JSON object with a string `message`.
    #[error("the body must be a JSON object with a string `message`: {0}")]
    InvalidBody(String),
}

/// Upper-cases the `message` of the event's body.
#[step]
pub async fn uppercase_message(event: ApiEvent) -> Result<ApiResponse, MessageError> {
    let body: MessageBody = serde_json::from_str(&event.body)
        .map_err(|error| MessageError::InvalidBody(error.to_string()))?;
    let processed =
        serde_json::to_string(&body.message.to_uppercase()).expect("a string always serializes");
    Ok(ApiResponse {
        status_code: 200,
        body: format!("{{\"processed_message\": {processed}}}"),
    })
}

workflow! {
    /// The message pipeline: a single Task state that invokes `uppercase_message` and ends.
    pub MessagePipeline {
        Comment: "My Step Functions Workflow",
    }

    uppercase_message -> end;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(body: &str) -> ApiEvent {
        ApiEvent {
            body: body.to_owned(),
        }
    }

    #[tokio::test]
    async fn upper_cases_the_message() {
        let response = uppercase_message(event(r#"{"message": "hello"}"#))
            .await
            .unwrap();
        assert_eq!(
            response,
            ApiResponse {
                status_code: 200,
                body: r#"{"processed_message": "HELLO"}"#.into()
            }
        );
    }

    #[tokio::test]
    async fn escapes_the_message_in_the_body() {
        let response = uppercase_message(event(r#"{"message": "say \"hi\""}"#))
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_str(&response.body).unwrap();
        assert_eq!(body["processed_message"], "SAY \"HI\"");
    }

    #[tokio::test]
    async fn a_body_that_is_not_json_is_an_invalid_body() {
        let error = uppercase_message(event("not json")).await.unwrap_err();
        assert_eq!(stepfn::StepError::name(&error), "InvalidBody");
        assert!(error.to_string().contains("expected ident"), "{error}");
    }

    #[tokio::test]
    async fn a_body_without_message_is_an_invalid_body() {
        let error = uppercase_message(event("{}")).await.unwrap_err();
        assert!(
            error.to_string().contains("missing field `message`"),
            "{error}"
        );
    }
}
