//! The `TestState` operation: AWS's request and response shapes (the API reference's TestState, with the
//! `mock`, `stateName`, `context` and `stateConfiguration` AWS added in November 2025) around the engine's
//! [`stepfn_engine::test_state`], which runs the state through the executor's own stages. This module only reads
//! the request (each field with AWS's error when it is missing, mistyped or out of bounds) and writes the answer.
//!
//! Not done here, and said so: a mock is not checked against the service's API model (`fieldValidationMode` is
//! read, but every mode acts as `NONE`: stepfn has no AWS API models), `stateConfiguration.mapItemReaderData` is
//! refused (give a distributed Map's items in the input, as AWS's guide also allows), and HTTP Tasks' `request` and
//! `response` are never shown (stepfn serve makes no HTTP calls).

use crate::api::{ApiError, Service, MAX_DEFINITION_BYTES, MAX_INPUT_BYTES};
use serde_json::{json, Map, Value};
use stepfn_engine::test_state::{self, Outcome, Request, RequestError};
use stepfn_engine::Failure;

/// The longest state name AWS takes (`stateName`, `errorCausedByState`).
const MAX_STATE_NAME: usize = 80;
/// The longest mocked error name and cause (the API reference's `SensitiveError`, `SensitiveCause`).
const MAX_ERROR: usize = 256;
const MAX_CAUSE: usize = 32_768;

/// Answers a TestState request.
pub async fn test_state(service: &Service, request: &Value) -> Result<Value, ApiError> {
    let fields = Fields(request);
    let definition = fields
        .string("definition")?
        .ok_or_else(|| missing("definition"))?;
    fields.bounded("definition", definition, 1, MAX_DEFINITION_BYTES)?;
    if let Some(role) = fields.string("roleArn")? {
        // Optional since AWS's mocks; checked as an ARN when given.
        if !role.starts_with("arn:") || role.len() > 256 {
            return Err(ApiError::invalid_arn(format!(
                "Invalid Arn: 'Resource type not valid in this context: {role}'"
            )));
        }
    }
    let level = fields.string("inspectionLevel")?.unwrap_or("INFO");
    if !matches!(level, "INFO" | "DEBUG" | "TRACE") {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{level}' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]"
        )));
    }
    let input = match fields.string("input")? {
        Some(text) => json_text("input", text)?,
        None => json!({}),
    };
    let variables = match fields.string("variables")? {
        Some(text) => json_object("variables", text)?,
        None => Map::new(),
    };
    let state_name = fields.string("stateName")?;
    if let Some(name) = state_name {
        fields.bounded("stateName", name, 1, MAX_STATE_NAME)?;
    }
    let mock = match fields.0.get("mock").filter(|v| !v.is_null()) {
        Some(mock) => Some(read_mock(mock)?),
        None => None,
    };
    // test-state-isolation.html: "If you specify both revealSecrets and a mock in the TestState API request, Step
    // Functions returns a validation exception."
    if fields.boolean("revealSecrets")? == Some(true) && mock.is_some() {
        return Err(ApiError::validation(
            "revealSecrets cannot be used with a mock",
        ));
    }
    // The API reference, `context`: "This field may only be specified if a mock is specified in the same request."
    let context = match fields.string("context")? {
        Some(_) if mock.is_none() => {
            return Err(ApiError::validation(
                "context may only be specified with a mock in the same request",
            ))
        }
        Some(text) => Some(json_object("context", text)?),
        None => None,
    };
    let mut request = Request {
        definition: definition.to_owned(),
        state_name: state_name.map(str::to_owned),
        input,
        variables,
        context,
        mock,
        trace: level == "TRACE",
        resources: service.resources.clone(),
        ..Request::default()
    };
    if let Some(configuration) = fields.0.get("stateConfiguration").filter(|v| !v.is_null()) {
        read_configuration(configuration, &mut request)?;
    }
    let outcome = test_state::test_state(&request)
        .await
        .map_err(|error| match error {
            RequestError::InvalidDefinition(message) => ApiError::new("InvalidDefinition", message),
            RequestError::Validation(message) => ApiError::validation(message),
        })?;
    Ok(answer(&outcome, level != "INFO"))
}

/// `mock`: a `result` (JSON text) or an `errorOutput` (`error`, `cause`), not both, and `fieldValidationMode`.
fn read_mock(mock: &Value) -> Result<Result<Value, Failure>, ApiError> {
    let fields = Fields(mock);
    if !mock.is_object() {
        return Err(mistyped("mock", "an object"));
    }
    if let Some(mode) = fields.string("fieldValidationMode")? {
        if !matches!(mode, "STRICT" | "PRESENT" | "NONE") {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{mode}' at 'mock.fieldValidationMode' failed to satisfy constraint: Member must satisfy enum value set: [STRICT, PRESENT, NONE]"
            )));
        }
    }
    let result = fields.string("result")?;
    let error_output = mock.get("errorOutput").filter(|v| !v.is_null());
    match (result, error_output) {
        // test-state-isolation.html: "You cannot provide both mock.result and mock.errorOutput in the same API
        // call. This results in a validation exception."
        (Some(_), Some(_)) => Err(ApiError::validation(
            "a mock gives a result or an errorOutput, not both",
        )),
        (None, None) => Err(ApiError::validation(
            "a mock gives a result or an errorOutput",
        )),
        (Some(text), None) => {
            fields.bounded("mock.result", text, 0, MAX_INPUT_BYTES)?;
            stepfn_asl::json_text::from_str::<Value>(text)
                .map(Ok)
                .map_err(|e| ApiError::validation(format!("mock.result is not JSON: {e}")))
        }
        (None, Some(error_output)) => {
            if !error_output.is_object() {
                return Err(mistyped("mock.errorOutput", "an object"));
            }
            let output = Fields(error_output);
            // The API reference, MockErrorOutput `error`: "required if mock.errorOutput is specified".
            let error = output
                .string("error")?
                .ok_or_else(|| missing("mock.errorOutput.error"))?;
            output.bounded("mock.errorOutput.error", error, 0, MAX_ERROR)?;
            let cause = output.string("cause")?;
            if let Some(cause) = cause {
                output.bounded("mock.errorOutput.cause", cause, 0, MAX_CAUSE)?;
            }
            Ok(Err(Failure {
                error: Some(error.to_owned()),
                cause: cause.map(str::to_owned),
            }))
        }
    }
}

/// `stateConfiguration`: `retrierRetryCount`, `errorCausedByState`, `mapIterationFailureCount`; refusing
/// `mapItemReaderData`, which would need a reader of every ItemReader format.
fn read_configuration(configuration: &Value, request: &mut Request) -> Result<(), ApiError> {
    if !configuration.is_object() {
        return Err(mistyped("stateConfiguration", "an object"));
    }
    let fields = Fields(configuration);
    if let Some(count) = fields.count("retrierRetryCount")? {
        request.retrier_retry_count = u32::try_from(count).unwrap_or(u32::MAX);
    }
    request.map_iteration_failure_count = fields.count("mapIterationFailureCount")?;
    if let Some(name) = fields.string("errorCausedByState")? {
        fields.bounded(
            "stateConfiguration.errorCausedByState",
            name,
            1,
            MAX_STATE_NAME,
        )?;
        request.error_caused_by_state = Some(name.to_owned());
    }
    if fields.string("mapItemReaderData")?.is_some() {
        return Err(ApiError::validation(
            "stateConfiguration.mapItemReaderData is not supported by stepfn serve: give a distributed Map's items in the input, where its ItemsPath reads them",
        ));
    }
    Ok(())
}

/// The answer: `status`, `output`, `error`, `cause`, `nextState`, and at DEBUG and TRACE `inspectionData`, whose
/// values are JSON texts as AWS writes them.
fn answer(outcome: &Outcome, inspect: bool) -> Value {
    let mut answer = json!({"status": outcome.status.as_str()});
    let text = |value: &Value| json!(value.to_string());
    if let Some(output) = &outcome.output {
        answer["output"] = text(output);
    }
    for (key, value) in [
        ("error", &outcome.error),
        ("cause", &outcome.cause),
        ("nextState", &outcome.next_state),
    ] {
        if let Some(value) = value {
            answer[key] = json!(value);
        }
    }
    if !inspect {
        return answer;
    }
    let i = &outcome.inspection;
    let mut data = Map::new();
    let values = [
        ("input", &i.input),
        ("afterInputPath", &i.after_input_path),
        ("afterParameters", &i.after_parameters),
        ("afterArguments", &i.after_arguments),
        ("result", &i.result),
        ("afterResultSelector", &i.after_result_selector),
        ("afterResultPath", &i.after_result_path),
        ("afterItemsPath", &i.after_items_path),
    ];
    for (key, value) in values {
        if let Some(value) = value {
            data.insert(key.into(), text(value));
        }
    }
    let lists = [
        ("afterItemSelector", &i.after_item_selector),
        ("afterItemBatcher", &i.after_item_batcher),
    ];
    for (key, list) in lists {
        if let Some(list) = list {
            data.insert(key.into(), text(&Value::Array(list.clone())));
        }
    }
    if let Some(variables) = &i.variables {
        data.insert("variables".into(), text(&Value::Object(variables.clone())));
    }
    let numbers = [
        (
            "toleratedFailureCount",
            i.tolerated_failure_count.map(|n| json!(n)),
        ),
        (
            "toleratedFailurePercentage",
            i.tolerated_failure_percentage.map(|p| json!(p)),
        ),
        ("maxConcurrency", i.max_concurrency.map(|n| json!(n))),
    ];
    for (key, number) in numbers {
        if let Some(number) = number {
            data.insert(key.into(), number);
        }
    }
    if let Some(details) = &i.error_details {
        let mut map = Map::new();
        let entries = [
            ("catchIndex", details.catch_index.map(|n| n as u64)),
            ("retryIndex", details.retry_index.map(|n| n as u64)),
            (
                "retryBackoffIntervalSeconds",
                details.retry_backoff_interval_seconds,
            ),
        ];
        for (key, value) in entries {
            if let Some(value) = value {
                map.insert(key.into(), json!(value));
            }
        }
        data.insert("errorDetails".into(), Value::Object(map));
    }
    answer["inspectionData"] = Value::Object(data);
    answer
}

/// A request's (or a nested structure's) fields, read with AWS's errors.
#[derive(Clone, Copy)]
struct Fields<'a>(&'a Value);

impl<'a> Fields<'a> {
    fn string(&self, key: &str) -> Result<Option<&'a str>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(mistyped(key, "a string")),
        }
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(mistyped(key, "a boolean")),
        }
    }

    /// A whole number of at least 0.
    fn count(&self, key: &str) -> Result<Option<u64>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
            Some(Value::Number(n)) if n.as_i64().is_some() => Err(ApiError::validation(format!(
                "1 validation error detected: Value '{n}' at '{key}' failed to satisfy constraint: Member must have value greater than or equal to 0"
            ))),
            Some(_) => Err(mistyped(key, "a whole number")),
        }
    }

    /// AWS's length constraint on a text field, in bytes.
    fn bounded(&self, key: &str, text: &str, min: usize, max: usize) -> Result<(), ApiError> {
        if text.len() < min || text.len() > max {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value at '{key}' failed to satisfy constraint: Member must have length between {min} and {max} (it has {})",
                text.len()
            )));
        }
        Ok(())
    }
}

/// A JSON text of the request (`input`, `variables`, `context`): AWS's `InvalidExecutionInput` when it is not JSON.
fn json_text(key: &str, text: &str) -> Result<Value, ApiError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value at '{key}' failed to satisfy constraint: Member must have length less than or equal to {MAX_INPUT_BYTES}"
        )));
    }
    stepfn_asl::json_text::from_str(text).map_err(|e| {
        ApiError::new(
            "InvalidExecutionInput",
            format!("Invalid {key}: not JSON: {e}"),
        )
    })
}

/// `variables` and `context`: JSON objects.
fn json_object(key: &str, text: &str) -> Result<Map<String, Value>, ApiError> {
    match json_text(key, text)? {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::new(
            "InvalidExecutionInput",
            format!("Invalid {key}: must be a JSON object"),
        )),
    }
}

fn missing(key: &str) -> ApiError {
    ApiError::validation(format!(
        "1 validation error detected: Value null at '{key}' failed to satisfy constraint: Member must not be null"
    ))
}

fn mistyped(key: &str, expected: &str) -> ApiError {
    ApiError::new(
        "SerializationException",
        format!("`{key}` must be {expected}"),
    )
}
