//! The awsJson1.0 protocol: `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>` and a JSON body; the answer
//! is JSON (`application/x-amz-json-1.0`), an error `{"__type": ..., "message": ...}` with AWS's HTTP status.
//! Signatures are not checked: any credentials work, as with Step Functions Local.

use crate::api::{ApiError, Service, MAX_DEFINITION_BYTES};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;

/// The largest request body read: room for a definition past AWS's limit (refused by name, with its size) and the
/// rest of the request; a larger body is refused unread.
const MAX_BODY_BYTES: usize = 4 * MAX_DEFINITION_BYTES;
const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

pub fn router(service: Arc<Service>) -> Router {
    Router::new()
        .route("/", post(handle).get(crate::console::page))
        .merge(crate::console::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(service)
}

async fn handle(
    State(service): State<Arc<Service>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let answered = match body {
        Ok(body) => answer(&service, &headers, &body).await,
        Err(rejection) => Err(ApiError {
            status: rejection.status().as_u16(),
            kind: "ValidationException",
            message: format!("the request body cannot be read: {}", rejection.body_text()),
        }),
    };
    match answered {
        Ok(value) => reply(StatusCode::OK, &value),
        Err(error) => {
            let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
            reply(
                status,
                &json!({"__type": error.kind, "message": error.message}),
            )
        }
    }
}

async fn answer(
    service: &Arc<Service>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, ApiError> {
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            ApiError::new(
                "UnknownOperationException",
                "the request has no X-Amz-Target header",
            )
        })?;
    let operation = target.strip_prefix("AWSStepFunctions.").ok_or_else(|| {
        ApiError::new(
            "UnknownOperationException",
            format!("`{target}` is not a Step Functions operation (X-Amz-Target: AWSStepFunctions.<Operation>)"),
        )
    })?;
    let text = std::str::from_utf8(body).map_err(|_| {
        ApiError::new(
            "SerializationException",
            "the request body is not UTF-8 text",
        )
    })?;
    let request: Value = if text.trim().is_empty() {
        json!({})
    } else {
        stepfn_asl::json_text::from_str(text).map_err(|error| {
            ApiError::new(
                "SerializationException",
                format!("the request body is not JSON: {error}"),
            )
        })?
    };
    if !request.is_object() {
        return Err(ApiError::new(
            "SerializationException",
            "the request body must be a JSON object",
        ));
    }
    service.call(operation, &request).await
}

fn reply(status: StatusCode, value: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        value.to_string(),
    )
        .into_response()
}
