//! The TestState operation over HTTP (awsJson1.0 by hand, as in tests/api.rs): AWS's request and response shapes
//! (the API reference's TestState) and its errors. The semantics are pinned in engine/tests/test_state.rs; boto3
//! and the AWS CLI drive it in cli/tests/serve_clients.rs.

use serde_json::{json, Value};
use std::net::SocketAddr;
use stepfn_engine::{Resources, TaskCall, TaskFuture};
use stepfn_serve::{bind, Config};

const STEP: &str = "arn:aws:lambda:us-east-1:123456789012:function:double";

/// A service whose one step doubles `n`, with a fresh data directory.
async fn start() -> (SocketAddr, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("stepfn-serve-test-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut resources = Resources::default();
    resources.resource(STEP, |call: TaskCall| -> TaskFuture {
        Box::pin(async move { Ok(json!({"n": call.input["n"].as_i64().unwrap_or(0) * 2})) })
    });
    let bound = bind(Config {
        port: 0,
        data_dir: dir.clone(),
        resources,
        ..Config::default()
    })
    .await
    .expect("binds");
    let address = bound.address;
    tokio::spawn(bound.serve());
    (address, dir)
}

fn call(address: SocketAddr, request: Value) -> (u16, Value) {
    stepfn_serve::client::call(address, "TestState", &request).expect("the service answers")
}

fn ok(address: SocketAddr, request: Value) -> Value {
    let (status, answer) = call(address, request);
    assert_eq!(status, 200, "{answer}");
    answer
}

/// The `inspectionData` values, each JSON text parsed (the numbers and errorDetails as they are).
fn inspection(answer: &Value) -> Value {
    let data = answer["inspectionData"]
        .as_object()
        .expect("inspectionData");
    Value::Object(
        data.iter()
            .map(|(k, v)| {
                let parsed = match v {
                    Value::String(text) => serde_json::from_str(text).expect("a JSON text"),
                    other => other.clone(),
                };
                (k.clone(), parsed)
            })
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn test_state_answers_with_aws_shapes_and_errors() {
    let (address, dir) = start().await;

    // A Task without a mock runs the service's step; INFO has no inspectionData, DEBUG has each stage as JSON text.
    let task = json!({"Type": "Task", "Resource": STEP, "InputPath": "$.in", "ResultSelector": {"doubled.$": "$.n"},
                      "ResultPath": "$.out", "Next": "After"});
    let request = json!({"definition": task.to_string(), "input": "{\"in\": {\"n\": 21}}"});
    let info = ok(address, request.clone());
    assert_eq!(
        info,
        json!({"status": "SUCCEEDED", "output": "{\"in\":{\"n\":21},\"out\":{\"doubled\":42}}", "nextState": "After"})
    );
    let mut debug_request = request;
    debug_request["inspectionLevel"] = json!("DEBUG");
    let debug = ok(address, debug_request);
    assert_eq!(
        inspection(&debug),
        json!({"input": {"in": {"n": 21}}, "afterInputPath": {"n": 21}, "afterParameters": {"n": 21},
               "result": {"n": 42}, "afterResultSelector": {"doubled": 42},
               "afterResultPath": {"in": {"n": 21}, "out": {"doubled": 42}}})
    );

    // A mocked error with retries left: RETRIABLE, with errorDetails as numbers.
    let retrying = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "BackoffRate": 1.5, "MaxAttempts": 2}],
        "End": true});
    let retriable = ok(
        address,
        json!({"definition": retrying.to_string(), "inspectionLevel": "DEBUG",
               "mock": {"errorOutput": {"error": "Boom", "cause": "b"}}, "stateConfiguration": {"retrierRetryCount": 1}}),
    );
    assert_eq!(retriable["status"], "RETRIABLE");
    assert_eq!(
        (&retriable["error"], &retriable["cause"]),
        (&json!("Boom"), &json!("b"))
    );
    // 3 × 1.5^1 = 4.5, given in whole seconds.
    assert_eq!(
        retriable["inspectionData"]["errorDetails"],
        json!({"retryIndex": 0, "retryBackoffIntervalSeconds": 5})
    );
    let exhausted = ok(
        address,
        json!({"definition": retrying.to_string(), "mock": {"errorOutput": {"error": "Boom"}},
               "stateConfiguration": {"retrierRetryCount": 2}}),
    );
    assert_eq!(exhausted, json!({"status": "FAILED", "error": "Boom"}));

    let pass = json!({"Type": "Pass", "End": true}).to_string();
    let mocked_task = retrying.to_string();
    let cases = [
        // The API reference's errors: InvalidDefinition, InvalidExecutionInput, ValidationException, InvalidArn.
        (
            json!({"definition": "{\"Type\": \"Nope\"}"}),
            "InvalidDefinition",
        ),
        (json!({"definition": "not json"}), "InvalidDefinition"),
        (
            json!({"definition": pass, "input": "{x"}),
            "InvalidExecutionInput",
        ),
        (
            json!({"definition": pass, "variables": "[1]"}),
            "InvalidExecutionInput",
        ),
        (
            json!({"definition": mocked_task, "mock": {"result": "1"}, "context": "nope"}),
            "InvalidExecutionInput",
        ),
        (
            json!({"definition": pass, "context": "{}"}),
            "ValidationException",
        ),
        (
            json!({"definition": mocked_task, "mock": {"result": "1"}, "revealSecrets": true}),
            "ValidationException",
        ),
        (
            json!({"definition": mocked_task, "mock": {"result": "1", "errorOutput": {"error": "E"}}}),
            "ValidationException",
        ),
        (
            json!({"definition": mocked_task, "mock": {"errorOutput": {"cause": "no error"}}}),
            "ValidationException",
        ),
        (
            json!({"definition": mocked_task, "mock": {"result": "1", "fieldValidationMode": "LAX"}}),
            "ValidationException",
        ),
        (
            json!({"definition": pass, "mock": {"result": "1"}}),
            "ValidationException",
        ),
        (
            json!({"definition": pass, "inspectionLevel": "TRACE"}),
            "ValidationException",
        ),
        (
            json!({"definition": pass, "inspectionLevel": "LOUD"}),
            "ValidationException",
        ),
        (
            json!({"definition": pass, "stateName": "Pass"}),
            "InvalidDefinition",
        ),
        (
            json!({"definition": pass, "stateConfiguration": {"retrierRetryCount": -1}}),
            "ValidationException",
        ),
        (
            json!({"definition": pass, "stateConfiguration": {"mapItemReaderData": "a,b"}}),
            "ValidationException",
        ),
        (json!({"definition": mocked_task}), "ValidationException"),
        (json!({"definition": pass, "roleArn": "role"}), "InvalidArn"),
        (
            json!({"definition": pass, "stateConfiguration": "x"}),
            "SerializationException",
        ),
        (json!({"input": "{}"}), "ValidationException"),
    ];
    for (request, kind) in cases {
        let (status, answer) = call(address, request.clone());
        assert_eq!(
            (status, answer["__type"].as_str()),
            (400, Some(kind)),
            "{request}: {answer}"
        );
        assert!(
            answer["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{answer}"
        );
    }

    // Still serving.
    assert_eq!(
        ok(address, json!({"definition": pass}))["status"],
        "SUCCEEDED"
    );
    let _ = std::fs::remove_dir_all(dir);
}
