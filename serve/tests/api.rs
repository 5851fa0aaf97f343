//! The service over HTTP, as a client speaks to it (awsJson1.0 by hand, with std's TCP): the operations' shapes,
//! AWS's errors, idempotent starts, stops, sync executions, bad input. boto3 and the AWS CLI drive it in
//! cli/tests/serve_clients.rs.

use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use stepfn_serve::lambda_endpoint::percent_encode;
use stepfn_serve::{bind, Config};

const ROLE: &str = "arn:aws:iam::123456789012:role/stepfn";

/// A service on 127.0.0.1 with a fresh data directory, stopped when the test's runtime ends.
async fn start(virtual_time: bool) -> (SocketAddr, tempdir::Dir) {
    let dir = tempdir::Dir::new();
    let bound = bind(Config {
        port: 0,
        data_dir: dir.path.clone(),
        virtual_time,
        ..Config::default()
    })
    .await
    .expect("binds");
    let address = bound.address;
    tokio::spawn(bound.serve());
    (address, dir)
}

mod tempdir {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub struct Dir {
        pub path: PathBuf,
    }

    impl Dir {
        pub fn new() -> Dir {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "stepfn-serve-test-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            let _ = std::fs::remove_dir_all(&path);
            Dir { path }
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn raw(address: SocketAddr, target: Option<&str>, body: &[u8]) -> (u16, Value) {
    stepfn_serve::client::raw(address, target, body).expect("the service answers")
}

fn call(address: SocketAddr, operation: &str, request: Value) -> (u16, Value) {
    stepfn_serve::client::call(address, operation, &request).expect("the service answers")
}

fn ok(address: SocketAddr, operation: &str, request: Value) -> Value {
    let (status, answer) = call(address, operation, request);
    assert_eq!(status, 200, "{operation}: {answer}");
    answer
}

fn error(address: SocketAddr, operation: &str, request: Value) -> String {
    let (status, answer) = call(address, operation, request);
    assert_eq!(status, 400, "{operation}: {answer}");
    assert!(answer["message"].is_string(), "{answer}");
    answer["__type"].as_str().unwrap_or_default().to_owned()
}

fn create(address: SocketAddr, name: &str, definition: Value, kind: &str) -> String {
    let answer = ok(
        address,
        "CreateStateMachine",
        json!({"name": name, "definition": definition.to_string(), "roleArn": ROLE, "type": kind}),
    );
    answer["stateMachineArn"].as_str().unwrap().to_owned()
}

async fn until_done(address: SocketAddr, execution: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answer = ok(
            address,
            "DescribeExecution",
            json!({"executionArn": execution}),
        );
        if answer["status"] != "RUNNING" || Instant::now() > deadline {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The token of the `nth` (from 1) callback task scheduled in `execution`, read from its history (a client reads it
/// from the message the task sent; the history's `TaskScheduled` event holds that message).
fn callback_token(address: SocketAddr, execution: &str, nth: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let history = ok(
            address,
            "GetExecutionHistory",
            json!({"executionArn": execution}),
        );
        let scheduled: Vec<&Value> = history["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "TaskScheduled")
            .collect();
        if let Some(event) = scheduled.get(nth - 1) {
            let parameters: Value = serde_json::from_str(
                event["taskScheduledEventDetails"]["parameters"]
                    .as_str()
                    .unwrap(),
            )
            .unwrap();
            return parameters["MessageBody"]["token"]
                .as_str()
                .unwrap()
                .to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "task {nth} is scheduled: {history}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn waits_then_passes(seconds: u64) -> Value {
    json!({"StartAt": "Hold", "States": {
        "Hold": {"Type": "Wait", "Seconds": seconds, "Next": "Each"},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "Double", "States": {
            "Double": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($, $)"}, "End": true}}},
            "ResultPath": "$.doubled", "Next": "Done"},
        "Done": {"Type": "Succeed"}}})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_machine_runs_executions_and_keeps_their_history() {
    let (address, _dir) = start(true).await;
    let machine = create(address, "Orders", waits_then_passes(3600), "STANDARD");
    let described = ok(
        address,
        "DescribeStateMachine",
        json!({"stateMachineArn": machine}),
    );
    assert_eq!(described["name"], "Orders");
    assert_eq!(described["status"], "ACTIVE");
    assert_eq!(described["type"], "STANDARD");
    let listed = ok(address, "ListStateMachines", json!({}));
    assert_eq!(listed["stateMachines"][0]["stateMachineArn"], machine);

    let started = ok(
        address,
        "StartExecution",
        json!({"stateMachineArn": machine, "name": "first", "input": "{\"items\": [1, 2]}"}),
    );
    let execution = started["executionArn"].as_str().unwrap();
    assert_eq!(
        execution,
        "arn:aws:states:us-east-1:123456789012:execution:Orders:first"
    );
    // A one-hour Wait on virtual time: done at once.
    let done = until_done(address, execution).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    let output: Value = serde_json::from_str(done["output"].as_str().unwrap()).unwrap();
    assert_eq!(output["doubled"], json!([{"n": 2}, {"n": 4}]));

    let history = ok(
        address,
        "GetExecutionHistory",
        json!({"executionArn": execution}),
    );
    let events = history["events"].as_array().unwrap();
    assert_eq!(events.first().unwrap()["type"], "ExecutionStarted");
    assert_eq!(events.last().unwrap()["type"], "ExecutionSucceeded");
    assert!(events.iter().any(|e| e["type"] == "MapIterationSucceeded"));
    // Pages of 3 read back the same events; reverseOrder turns them round; no data when asked.
    let mut paged = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = json!({"executionArn": execution, "maxResults": 3});
        if let Some(token) = &token {
            request["nextToken"] = json!(token);
        }
        let page = ok(address, "GetExecutionHistory", request);
        paged.extend(page["events"].as_array().unwrap().iter().cloned());
        match page["nextToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(&paged, events);
    let reversed = ok(
        address,
        "GetExecutionHistory",
        json!({"executionArn": execution, "reverseOrder": true}),
    );
    assert_eq!(reversed["events"][0]["type"], "ExecutionSucceeded");
    let bare = ok(
        address,
        "GetExecutionHistory",
        json!({"executionArn": execution, "includeExecutionData": false}),
    );
    assert!(bare["events"][0]["executionStartedEventDetails"]
        .get("input")
        .is_none());

    let listed = ok(
        address,
        "ListExecutions",
        json!({"stateMachineArn": machine, "statusFilter": "SUCCEEDED"}),
    );
    assert_eq!(listed["executions"][0]["executionArn"], execution);
    let none = ok(
        address,
        "ListExecutions",
        json!({"stateMachineArn": machine, "statusFilter": "FAILED"}),
    );
    assert_eq!(none["executions"], json!([]));
    let for_execution = ok(
        address,
        "DescribeStateMachineForExecution",
        json!({"executionArn": execution}),
    );
    assert_eq!(
        for_execution["definition"],
        waits_then_passes(3600).to_string()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn starts_are_idempotent_while_running_and_a_stop_aborts() {
    let (address, _dir) = start(false).await;
    let machine = create(address, "Slow", waits_then_passes(3600), "STANDARD");
    let request = json!({"stateMachineArn": machine, "name": "once", "input": "{\"items\": []}"});
    let first = ok(address, "StartExecution", request.clone());
    // AWS: the same name and input as a running execution answers with it.
    let again = ok(address, "StartExecution", request);
    assert_eq!(first["executionArn"], again["executionArn"]);
    let other_input =
        json!({"stateMachineArn": machine, "name": "once", "input": "{\"items\": [1]}"});
    assert_eq!(
        error(address, "StartExecution", other_input),
        "ExecutionAlreadyExists"
    );

    let execution = first["executionArn"].as_str().unwrap();
    assert_eq!(
        ok(
            address,
            "DescribeExecution",
            json!({"executionArn": execution})
        )["status"],
        "RUNNING"
    );
    ok(
        address,
        "StopExecution",
        json!({"executionArn": execution, "error": "Operator", "cause": "no longer needed"}),
    );
    let stopped = ok(
        address,
        "DescribeExecution",
        json!({"executionArn": execution}),
    );
    assert_eq!(stopped["status"], "ABORTED");
    assert_eq!(stopped["error"], "Operator");
    let history = ok(
        address,
        "GetExecutionHistory",
        json!({"executionArn": execution, "reverseOrder": true}),
    );
    assert_eq!(history["events"][0]["type"], "ExecutionAborted");
    // Closed: the same name and input is now a conflict.
    let request = json!({"stateMachineArn": machine, "name": "once", "input": "{\"items\": []}"});
    assert_eq!(
        error(address, "StartExecution", request),
        "ExecutionAlreadyExists"
    );
}

/// DescribeExecution's `stopDate` is the moment of the history's last event (on AWS the two are one), so under
/// virtual time an hour's Wait shows in both, and the console's list and its execution page agree.
#[tokio::test(flavor = "multi_thread")]
async fn the_stop_date_is_the_last_events_time_under_virtual_time_too() {
    let (address, _dir) = start(true).await;
    let machine = create(address, "Hour", waits_then_passes(3600), "STANDARD");
    let started = ok(
        address,
        "StartExecution",
        json!({"stateMachineArn": machine, "input": "{\"items\": [1]}"}),
    );
    let execution = started["executionArn"].as_str().unwrap();
    let done = until_done(address, execution).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    let history = ok(
        address,
        "GetExecutionHistory",
        json!({"executionArn": execution, "reverseOrder": true, "maxResults": 1}),
    );
    let last = history["events"][0]["timestamp"].as_f64().unwrap();
    let (start, stop) = (
        done["startDate"].as_f64().unwrap(),
        done["stopDate"].as_f64().unwrap(),
    );
    assert_eq!(stop, last, "{done}");
    assert!(stop - start >= 3600.0, "{done}");
}

#[tokio::test(flavor = "multi_thread")]
async fn express_machines_run_synchronously_and_failures_carry_their_error() {
    let (address, _dir) = start(true).await;
    let express = create(address, "Quick", waits_then_passes(10), "EXPRESS");
    let answer = ok(
        address,
        "StartSyncExecution",
        json!({"stateMachineArn": express, "input": "{\"items\": [5]}"}),
    );
    assert_eq!(answer["status"], "SUCCEEDED", "{answer}");
    assert!(answer["output"].as_str().unwrap().contains("10"));
    let standard = create(address, "Standard", waits_then_passes(1), "STANDARD");
    assert_eq!(
        error(
            address,
            "StartSyncExecution",
            json!({"stateMachineArn": standard})
        ),
        "StateMachineTypeNotSupported"
    );

    let failing = json!({"StartAt": "No", "States": {"No": {"Type": "Fail", "Error": "Refused", "Cause": "by design"}}});
    let machine = create(address, "Failing", failing, "STANDARD");
    let started = ok(
        address,
        "StartExecution",
        json!({"stateMachineArn": machine}),
    );
    let done = until_done(address, started["executionArn"].as_str().unwrap()).await;
    assert_eq!(
        (
            done["status"].as_str(),
            done["error"].as_str(),
            done["cause"].as_str()
        ),
        (Some("FAILED"), Some("Refused"), Some("by design"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_aws_errors_and_the_service_keeps_serving() {
    let (address, _dir) = start(true).await;
    let good = waits_then_passes(1);
    let machine = create(address, "Kept", good.clone(), "STANDARD");
    // Creating the same machine again is idempotent; another definition under its name is a conflict.
    assert_eq!(create(address, "Kept", good.clone(), "STANDARD"), machine);
    let other =
        json!({"name": "Kept", "definition": waits_then_passes(2).to_string(), "roleArn": ROLE});
    assert_eq!(
        error(address, "CreateStateMachine", other),
        "StateMachineAlreadyExists"
    );

    let cases = [
        (
            "CreateStateMachine",
            json!({"name": "a b", "definition": good.to_string(), "roleArn": ROLE}),
            "InvalidName",
        ),
        (
            "CreateStateMachine",
            json!({"name": "x", "definition": "{\"StartAt\": \"Nope\", \"States\": {}}", "roleArn": ROLE}),
            "InvalidDefinition",
        ),
        (
            "CreateStateMachine",
            json!({"name": "x", "definition": good.to_string()}),
            "ValidationException",
        ),
        (
            "CreateStateMachine",
            json!({"name": 7, "definition": good.to_string(), "roleArn": ROLE}),
            "SerializationException",
        ),
        (
            "CreateStateMachine",
            json!({"name": "x", "definition": good.to_string(), "roleArn": "role"}),
            "InvalidArn",
        ),
        (
            "CreateStateMachine",
            json!({"name": "x", "definition": good.to_string(), "roleArn": ROLE, "type": "FAST"}),
            "ValidationException",
        ),
        (
            "DescribeStateMachine",
            json!({"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Gone"}),
            "StateMachineDoesNotExist",
        ),
        (
            "DescribeStateMachine",
            json!({"stateMachineArn": "nonsense"}),
            "InvalidArn",
        ),
        (
            "DescribeExecution",
            json!({"executionArn": "arn:aws:states:us-east-1:123456789012:execution:Kept:none"}),
            "ExecutionDoesNotExist",
        ),
        (
            "StartExecution",
            json!({"stateMachineArn": machine, "input": "{not json"}),
            "InvalidExecutionInput",
        ),
        (
            "StartExecution",
            json!({"stateMachineArn": machine, "input": format!("\"{}\"", "x".repeat(300_000))}),
            "ValidationException",
        ),
        (
            "ListExecutions",
            json!({"stateMachineArn": machine, "maxResults": 5000}),
            "ValidationException",
        ),
        (
            "ListExecutions",
            json!({"stateMachineArn": machine, "nextToken": "garbage"}),
            "InvalidToken",
        ),
        (
            "SendTaskSuccess",
            json!({"taskToken": "t", "output": "{}"}),
            "TaskDoesNotExist",
        ),
        (
            "TestState",
            json!({"definition": "{}", "roleArn": ROLE}),
            "InvalidDefinition",
        ),
    ];
    for (operation, request, expected) in cases {
        assert_eq!(
            error(address, operation, request.clone()),
            expected,
            "{operation} {request}"
        );
    }
    // A definition past AWS's 1 MiB.
    let big = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "x".repeat(1_100_000), "End": true}}});
    let request = json!({"name": "Big", "definition": big.to_string(), "roleArn": ROLE});
    assert_eq!(
        error(address, "CreateStateMachine", request),
        "InvalidDefinition"
    );

    // Malformed requests, and a thousand garbage bodies: each a 4xx with a JSON `__type`.
    let (status, answer) = raw(address, None, b"{}");
    assert_eq!(
        (status, answer["__type"].as_str()),
        (400, Some("UnknownOperationException"))
    );
    let (status, answer) = raw(
        address,
        Some("AWSStepFunctions.ListStateMachines"),
        b"{\"a\":",
    );
    assert_eq!(
        (status, answer["__type"].as_str()),
        (400, Some("SerializationException"))
    );
    let (status, answer) = raw(
        address,
        Some("AWSStepFunctions.CreateStateMachine"),
        &vec![b' '; 5 * 1_048_576],
    );
    assert_eq!(
        (status, answer["__type"].as_str()),
        (413, Some("ValidationException"))
    );
    let deep = "[".repeat(100_000);
    let (status, _) = raw(
        address,
        Some("AWSStepFunctions.ListStateMachines"),
        deep.as_bytes(),
    );
    assert_eq!(status, 400);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for n in 0..1000 {
        let body: Vec<u8> = (0..(n % 200))
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed % 256) as u8
            })
            .collect();
        let target = [
            "AWSStepFunctions.CreateStateMachine",
            "AWSStepFunctions.StartExecution",
            "Nope",
        ][n % 3];
        let (status, answer) = raw(address, Some(target), &body);
        assert!(
            (400..500).contains(&status) && answer["__type"].is_string(),
            "{status} {answer}"
        );
    }
    assert_eq!(
        ok(address, "ListStateMachines", json!({}))["stateMachines"][0]["stateMachineArn"],
        machine
    );
}

/// A restart finds what was running cut off: it is listed, FAILED with a cause that says so.
/// A restart fails the executions it cut off, with a cause that says so and an `ExecutionFailed` event ending their
/// history, and RedriveExecution goes on from the state each was in (its last checkpoint).
#[tokio::test(flavor = "multi_thread")]
async fn executions_cut_off_by_a_stop_fail_with_the_reason_and_redrive_from_their_state() {
    let dir = tempdir::Dir::new();
    let store = stepfn_serve::store::Store::open(&dir.path).unwrap();
    let definition = json!({"StartAt": "First", "States": {
        "First": {"Type": "Pass", "Result": "first ran again", "Next": "Second"},
        "Second": {"Type": "Pass", "Parameters": {"x.$": "$.x", "seen.$": "$seen"}, "End": true}}});
    store.preset_machine("M", &definition.to_string()).unwrap();
    let running = stepfn_serve::store::Execution {
        arn: "arn:aws:states:us-east-1:123456789012:execution:M:cut".into(),
        machine: "M".into(),
        name: "cut".into(),
        input: "{}".into(),
        status: "RUNNING".into(),
        output: None,
        error: None,
        cause: None,
        started: 1.0,
        stopped: None,
        definition: definition.to_string(),
        redrive_count: 0,
        redrive_date: None,
        checkpoint: None,
        test_case: None,
    };
    store.insert_execution(&running).unwrap();
    store
        .save_checkpoint(
            &running.arn,
            &json!({"state": "Second", "input": {"x": 1}, "variables": {"seen": true}}).to_string(),
        )
        .unwrap();
    drop(store);
    let bound = bind(Config {
        port: 0,
        data_dir: dir.path.clone(),
        ..Config::default()
    })
    .await
    .unwrap();
    let address = bound.address;
    tokio::spawn(bound.serve());
    let answer = ok(
        address,
        "DescribeExecution",
        json!({"executionArn": running.arn}),
    );
    assert_eq!(answer["status"], "FAILED");
    assert_eq!(answer["error"], "Stepfn.ServiceStopped");
    assert_eq!(answer["redriveStatus"], "REDRIVABLE");
    let history = ok(
        address,
        "GetExecutionHistory",
        json!({"executionArn": running.arn}),
    );
    let types: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["ExecutionStarted", "ExecutionFailed"]);

    ok(
        address,
        "RedriveExecution",
        json!({"executionArn": running.arn}),
    );
    let done = until_done(address, &running.arn).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["output"], "{\"x\":1,\"seen\":true}");
    assert_eq!(done["redriveCount"], 1);
}

/// RedriveExecution (API_RedriveExecution): a failed standard execution goes on from the failed state with its
/// input and the variables assigned before it, under the same ARN; the states that completed are not run again; the
/// history continues with `ExecutionRedriven`; only FAILED, TIMED_OUT and ABORTED executions are redrivable.
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_execution_redrives_from_its_failed_state() {
    let (address, _dir) = start(false).await;
    let definition = json!({"StartAt": "Price", "States": {
        "Price": {"Type": "Pass", "Assign": {"price": 42}, "Result": {"order": 7}, "Next": "Approve"},
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                               "MessageBody": {"token.$": "$$.Task.Token"}},
                "ResultPath": "$.approval", "Next": "Done"},
        "Done": {"Type": "Pass", "Parameters": {"order.$": "$.order", "price.$": "$price",
                                                "redrives.$": "$$.Execution.RedriveCount"}, "End": true}}});
    let machine = create(address, "Redrive", definition, "STANDARD");
    let execution = ok(
        address,
        "StartExecution",
        json!({"stateMachineArn": machine, "name": "order-7"}),
    )["executionArn"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        error(
            address,
            "RedriveExecution",
            json!({"executionArn": execution})
        ),
        "ExecutionNotRedrivable",
        "a running execution"
    );
    let token = callback_token(address, &execution, 1);
    ok(
        address,
        "SendTaskFailure",
        json!({"taskToken": token, "error": "Rejected", "cause": "not yet"}),
    );
    let failed = until_done(address, &execution).await;
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["redriveStatus"], "REDRIVABLE");
    assert_eq!(failed["redriveCount"], 0);

    let redriven = ok(
        address,
        "RedriveExecution",
        json!({"executionArn": execution, "clientToken": "retry-1"}),
    );
    assert!(redriven["redriveDate"].as_f64().unwrap() > 0.0);
    // The same client token again answers the same redrive (AWS's idempotent retry).
    let again = ok(
        address,
        "RedriveExecution",
        json!({"executionArn": execution, "clientToken": "retry-1"}),
    );
    assert_eq!(again["redriveDate"], redriven["redriveDate"]);
    let token = callback_token(address, &execution, 2);
    ok(
        address,
        "SendTaskSuccess",
        json!({"taskToken": token, "output": "{\"ok\": true}"}),
    );
    let done = until_done(address, &execution).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["output"], "{\"order\":7,\"price\":42,\"redrives\":1}");
    assert_eq!(done["redriveCount"], 1);
    assert_eq!(done["redriveStatus"], "NOT_REDRIVABLE");
    assert_eq!(
        done["redriveStatusReason"],
        "Execution is SUCCEEDED and cannot be redriven."
    );

    let history = ok(
        address,
        "GetExecutionHistory",
        json!({"executionArn": execution}),
    );
    let events = history["events"].as_array().unwrap();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types.iter().filter(|t| **t == "ExecutionRedriven").count(),
        1
    );
    assert_eq!(
        types.iter().filter(|t| **t == "PassStateEntered").count(),
        2,
        "Price once, Done once: {types:?}"
    );
    for (index, event) in events.iter().enumerate() {
        assert_eq!(
            event["id"],
            index + 1,
            "ids go on after the redrive: {types:?}"
        );
    }
    assert_eq!(
        error(
            address,
            "RedriveExecution",
            json!({"executionArn": execution})
        ),
        "ExecutionNotRedrivable"
    );
    let listed = ok(
        address,
        "ListExecutions",
        json!({"stateMachineArn": machine, "redriveFilter": "REDRIVEN"}),
    );
    assert_eq!(listed["executions"].as_array().unwrap().len(), 1);
    assert_eq!(listed["executions"][0]["redriveCount"], 1);
    let listed = ok(
        address,
        "ListExecutions",
        json!({"stateMachineArn": machine, "redriveFilter": "NOT_REDRIVEN"}),
    );
    assert_eq!(listed["executions"].as_array().unwrap().len(), 0);
}

/// RedriveExecution "reschedules and redrives only the iterations and branches that failed or aborted" of an Inline
/// Map or Parallel (API_RedriveExecution): the Map's quick iteration is not run again, the one that failed is.
#[tokio::test(flavor = "multi_thread")]
async fn a_redriven_map_runs_only_its_failed_iterations() {
    let (address, _dir) = start(false).await;
    let definition = json!({"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items", "End": true,
        "ItemProcessor": {"StartAt": "Slow", "States": {
            "Slow": {"Type": "Choice", "Choices": [{"Variable": "$.wait", "BooleanEquals": true, "Next": "Approve"}],
                "Default": "Quick"},
            "Quick": {"Type": "Pass", "Result": "quick", "End": true},
            "Approve": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                               "MessageBody": {"token.$": "$$.Task.Token"}}, "End": true}}}}}});
    let machine = create(address, "RedriveMap", definition, "STANDARD");
    // Ended by its failed iteration, and stopped while that iteration waits (the stopped task's parts are kept too).
    for stop in [false, true] {
        let execution = ok(
            address,
            "StartExecution",
            json!({"stateMachineArn": machine,
                   "input": json!({"items": [{"wait": false}, {"wait": true}]}).to_string()}),
        )["executionArn"]
            .as_str()
            .unwrap()
            .to_owned();
        let token = callback_token(address, &execution, 1);
        if stop {
            ok(address, "StopExecution", json!({"executionArn": execution}));
            assert_eq!(until_done(address, &execution).await["status"], "ABORTED");
        } else {
            ok(
                address,
                "SendTaskFailure",
                json!({"taskToken": token, "error": "Rejected"}),
            );
            assert_eq!(until_done(address, &execution).await["status"], "FAILED");
        }

        ok(
            address,
            "RedriveExecution",
            json!({"executionArn": execution}),
        );
        let token = callback_token(address, &execution, 2);
        ok(
            address,
            "SendTaskSuccess",
            json!({"taskToken": token, "output": "\"approved\""}),
        );
        let done = until_done(address, &execution).await;
        assert_eq!(done["status"], "SUCCEEDED", "{done}");
        assert_eq!(done["output"], "[\"quick\",\"approved\"]");
        let history = ok(
            address,
            "GetExecutionHistory",
            json!({"executionArn": execution}),
        );
        let events = history["events"].as_array().unwrap();
        for (index, event) in events.iter().enumerate() {
            assert_eq!(
                event["id"],
                index + 1,
                "ids without gaps or repeats (stop: {stop})"
            );
        }
        let redriven = events
            .iter()
            .position(|e| e["type"] == "ExecutionRedriven")
            .unwrap();
        let started: Vec<&Value> = events[redriven..]
            .iter()
            .filter(|e| e["type"] == "MapIterationStarted")
            .map(|e| &e["mapIterationStartedEventDetails"]["index"])
            .collect();
        assert_eq!(
            started,
            [&json!(1)],
            "only the failed iteration ran again (stop: {stop})"
        );
    }
}

/// A `.waitForTaskToken` task waits until SendTaskSuccess or SendTaskFailure names its token, which a client reads
/// from the running execution's history (here; on AWS, from the message the task sent).
#[tokio::test(flavor = "multi_thread")]
async fn callback_tasks_wait_for_their_token() {
    let (address, _dir) = start(false).await;
    let definition = json!({"StartAt": "Ask", "States": {
        "Ask": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                               "MessageBody": {"token.$": "$$.Task.Token"}},
                "Next": "Done"},
        "Done": {"Type": "Succeed"}}});
    let machine = create(address, "Callback", definition, "STANDARD");

    let started = ok(
        address,
        "StartExecution",
        json!({"stateMachineArn": machine, "name": "yes"}),
    );
    let execution = started["executionArn"].as_str().unwrap().to_owned();
    let token = callback_token(address, &execution, 1);
    ok(address, "SendTaskHeartbeat", json!({"taskToken": token}));
    assert_eq!(
        error(
            address,
            "SendTaskSuccess",
            json!({"taskToken": token, "output": "{not json"})
        ),
        "InvalidOutput"
    );
    ok(
        address,
        "SendTaskSuccess",
        json!({"taskToken": token, "output": "{\"approved\": true}"}),
    );
    let done = until_done(address, &execution).await;
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["output"], "{\"approved\":true}");
    assert_eq!(
        error(
            address,
            "SendTaskSuccess",
            json!({"taskToken": token, "output": "{}"})
        ),
        "TaskDoesNotExist"
    );

    let started = ok(
        address,
        "StartExecution",
        json!({"stateMachineArn": machine, "name": "no"}),
    );
    let execution = started["executionArn"].as_str().unwrap().to_owned();
    let token = callback_token(address, &execution, 1);
    ok(
        address,
        "SendTaskFailure",
        json!({"taskToken": token, "error": "Rejected", "cause": "by a person"}),
    );
    let done = until_done(address, &execution).await;
    assert_eq!(
        (
            done["status"].as_str(),
            done["error"].as_str(),
            done["cause"].as_str()
        ),
        (Some("FAILED"), Some("Rejected"), Some("by a person"))
    );
}

/// An activity: a worker takes its tasks with GetActivityTask (a long poll) and ends each with SendTaskSuccess.
#[tokio::test(flavor = "multi_thread")]
async fn activity_workers_take_tasks_and_complete_them() {
    let (address, _dir) = start(false).await;
    let created = ok(address, "CreateActivity", json!({"name": "approve"}));
    let activity = created["activityArn"].as_str().unwrap().to_owned();
    assert_eq!(
        activity,
        "arn:aws:states:us-east-1:123456789012:activity:approve"
    );
    assert_eq!(
        ok(address, "CreateActivity", json!({"name": "approve"}))["activityArn"],
        activity
    );
    assert_eq!(
        ok(
            address,
            "DescribeActivity",
            json!({"activityArn": activity})
        )["name"],
        "approve"
    );
    assert_eq!(
        ok(address, "ListActivities", json!({}))["activities"][0]["activityArn"],
        activity
    );

    let definition = json!({"StartAt": "Approve", "States": {
        "Approve": {"Type": "Task", "Resource": activity, "End": true}}});
    let machine = create(address, "Approvals", definition, "STANDARD");
    let started = ok(
        address,
        "StartExecution",
        json!({"stateMachineArn": machine, "input": "{\"amount\": 5}"}),
    );
    let execution = started["executionArn"].as_str().unwrap().to_owned();
    let worker = tokio::task::spawn_blocking(move || {
        ok(
            address,
            "GetActivityTask",
            json!({"activityArn": activity, "workerName": "w1"}),
        )
    });
    let task = worker.await.unwrap();
    assert_eq!(task["input"], "{\"amount\":5}");
    let token = task["taskToken"].as_str().unwrap();
    ok(
        address,
        "SendTaskSuccess",
        json!({"taskToken": token, "output": "{\"approved\": 5}"}),
    );
    let done = until_done(address, &execution).await;
    assert_eq!(
        (done["status"].as_str(), done["output"].as_str()),
        (Some("SUCCEEDED"), Some("{\"approved\":5}"))
    );

    let gone = "arn:aws:states:us-east-1:123456789012:activity:gone";
    assert_eq!(
        error(address, "DescribeActivity", json!({"activityArn": gone})),
        "ActivityDoesNotExist"
    );
    ok(
        address,
        "DeleteActivity",
        json!({"activityArn": "arn:aws:states:us-east-1:123456789012:activity:approve"}),
    );
    assert_eq!(
        ok(address, "ListActivities", json!({}))["activities"],
        json!([])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn state_machines_and_activities_take_tags() {
    let (address, _dir) = start(true).await;
    let request = json!({"name": "Tagged", "definition": waits_then_passes(1).to_string(), "roleArn": ROLE,
                         "tags": [{"key": "team", "value": "orders"}]});
    let machine = ok(address, "CreateStateMachine", request)["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        address,
        "TagResource",
        json!({"resourceArn": machine, "tags": [{"key": "stage", "value": "dev"}, {"key": "team", "value": "payments"}]}),
    );
    let tags = ok(
        address,
        "ListTagsForResource",
        json!({"resourceArn": machine}),
    );
    assert_eq!(
        tags["tags"],
        json!([{"key": "stage", "value": "dev"}, {"key": "team", "value": "payments"}])
    );
    ok(
        address,
        "UntagResource",
        json!({"resourceArn": machine, "tagKeys": ["stage"]}),
    );
    let tags = ok(
        address,
        "ListTagsForResource",
        json!({"resourceArn": machine}),
    );
    assert_eq!(tags["tags"], json!([{"key": "team", "value": "payments"}]));
    let many: Vec<Value> = (0..51)
        .map(|i| json!({"key": format!("k{i}"), "value": "v"}))
        .collect();
    assert_eq!(
        error(
            address,
            "TagResource",
            json!({"resourceArn": machine, "tags": many})
        ),
        "TooManyTags"
    );
    let missing = "arn:aws:states:us-east-1:123456789012:stateMachine:Missing";
    assert_eq!(
        error(
            address,
            "ListTagsForResource",
            json!({"resourceArn": missing})
        ),
        "ResourceNotFound"
    );
    let activity = ok(
        address,
        "CreateActivity",
        json!({"name": "a", "tags": [{"key": "k", "value": "v"}]}),
    );
    let tags = ok(
        address,
        "ListTagsForResource",
        json!({"resourceArn": activity["activityArn"]}),
    );
    assert_eq!(tags["tags"], json!([{"key": "k", "value": "v"}]));
}

/// The retention bound: closed executions past the newest `retain` are deleted with their histories.
#[tokio::test(flavor = "multi_thread")]
async fn closed_executions_past_the_retention_bound_are_deleted() {
    let dir = tempdir::Dir::new();
    let bound = bind(Config {
        port: 0,
        data_dir: dir.path.clone(),
        virtual_time: true,
        retain: 5,
        ..Config::default()
    })
    .await
    .unwrap();
    let address = bound.address;
    tokio::spawn(bound.serve());
    let quick = json!({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}});
    let machine = create(address, "Quick", quick, "STANDARD");
    let mut last = String::new();
    for i in 0..30 {
        let started = ok(
            address,
            "StartExecution",
            json!({"stateMachineArn": machine, "name": format!("run-{i}")}),
        );
        last = started["executionArn"].as_str().unwrap().to_owned();
        until_done(address, &last).await;
    }
    let listed = ok(
        address,
        "ListExecutions",
        json!({"stateMachineArn": machine}),
    );
    let listed = listed["executions"].as_array().unwrap();
    assert_eq!(listed.len(), 5, "{listed:?}");
    assert_eq!(listed[0]["executionArn"], last, "the newest are kept");
    let first = "arn:aws:states:us-east-1:123456789012:execution:Quick:run-0";
    assert_eq!(
        error(
            address,
            "GetExecutionHistory",
            json!({"executionArn": first})
        ),
        "ExecutionDoesNotExist"
    );
}

/// `--lambda-endpoint` that nothing answers: the task fails with `Lambda.SdkClientException` (Step Functions' name
/// for a Lambda service it cannot reach, from its Lambda error-handling guidance) naming the function and endpoint.
#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_lambda_endpoint_fails_the_task_with_a_named_error() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let dir = tempdir::Dir::new();
    let bound = bind(Config {
        port: 0,
        data_dir: dir.path.clone(),
        lambda_endpoint: Some(
            stepfn_serve::lambda_endpoint::LambdaEndpoint::parse(&format!(
                "http://127.0.0.1:{port}"
            ))
            .unwrap(),
        ),
        ..Config::default()
    })
    .await
    .unwrap();
    let address = bound.address;
    tokio::spawn(bound.serve());
    let definition = json!({"StartAt": "Call", "States": {"Call": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:far-away", "End": true}}});
    let machine = create(address, "Far", definition, "EXPRESS");
    let done = ok(
        address,
        "StartSyncExecution",
        json!({"stateMachineArn": machine}),
    );
    assert_eq!(done["status"], "FAILED");
    assert_eq!(done["error"], "Lambda.SdkClientException");
    let cause = done["cause"].as_str().unwrap();
    assert!(
        cause.contains("far-away") && cause.contains(&format!("127.0.0.1:{port}")),
        "{cause}"
    );
}

/// `GET path` over plain HTTP/1.1: the status and the body.
fn get(address: SocketAddr, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("connects");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer[9..12].parse().unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    // axum answers small bodies with Content-Length and large ones chunked; undo the chunking.
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut rest = body;
        let mut joined = String::new();
        while let Some((size, after)) = rest.split_once("\r\n") {
            let size = usize::from_str_radix(size.trim(), 16).unwrap();
            if size == 0 {
                break;
            }
            joined.push_str(&after[..size]);
            rest = &after[size + 2..];
        }
        return (status, joined);
    }
    (status, body.to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_is_served_beside_the_api_and_reads_executions_into_visits() {
    let (address, _dir) = start(false).await;
    // One branch fails after a second while the other waits: the Parallel fails, the waiting branch is cancelled.
    let definition = json!({"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 1, "Next": "Broken"},
                                        "Broken": {"Type": "Fail", "Error": "Broke", "Cause": "on purpose"}}},
        {"StartAt": "Slow", "States": {"Slow": {"Type": "Wait", "Seconds": 100, "End": true}}}
    ]}}});
    let machine = create(address, "Console", definition, "STANDARD");
    let started = ok(
        address,
        "StartExecution",
        json!({"stateMachineArn": machine, "input": "{}"}),
    );
    let execution = started["executionArn"].as_str().unwrap();
    assert_eq!(until_done(address, execution).await["status"], "FAILED");

    let (status, page) = get(address, "/");
    assert_eq!(status, 200);
    assert!(page.contains(r#"<script src="/console/app.js">"#), "{page}");
    let (status, page) = get(
        address,
        &format!("/executions/{}", percent_encode(execution)),
    );
    assert_eq!((status, page.contains("/console/elk.js")), (200, true));
    let (status, elk) = get(address, "/console/elk.js");
    assert_eq!(status, 200);
    assert!(
        elk.len() > 1_000_000 && elk.contains("ELK"),
        "{}",
        elk.len()
    );

    let (status, machines) = get(address, "/console/api/machines");
    let machines: Value = serde_json::from_str(&machines).unwrap();
    assert_eq!(status, 200, "{machines}");
    assert_eq!(machines["stateMachines"][0]["name"], "Console");
    assert_eq!(
        machines["stateMachines"][0]["executionCounts"],
        json!({"FAILED": 1})
    );

    let (status, view) = get(
        address,
        &format!("/console/api/execution?arn={}", percent_encode(execution)),
    );
    let view: Value = serde_json::from_str(&view).unwrap();
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["execution"]["status"], "FAILED");
    let statuses: std::collections::BTreeMap<&str, &str> = view["visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["state"].as_str().unwrap(), v["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("Both", "failed"),
            ("Broken", "failed"),
            ("Pause", "succeeded"),
            ("Slow", "cancelled")
        ]
        .into()
    );
    assert_eq!(
        view["graph"]["states"][0]["branches"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        view["events"].as_array().unwrap().len(),
        ok(
            address,
            "GetExecutionHistory",
            json!({"executionArn": execution})
        )["events"]
            .as_array()
            .unwrap()
            .len()
    );
    // A poll that knows where the execution stands is answered without its history; one that does not, in full.
    let signature = view["signature"].as_str().unwrap();
    let events = view["events"].as_array().unwrap().len();
    assert!(
        signature.starts_with(&format!("{events}|FAILED|0|")),
        "{signature}"
    );
    let poll = |known: &str| {
        get(
            address,
            &format!(
                "/console/api/execution?arn={}&unless={}",
                percent_encode(execution),
                percent_encode(known)
            ),
        )
    };
    assert_eq!(poll(signature), (200, r#"{"unchanged":true}"#.to_owned()));
    let (status, moved) = poll(&format!("{}|RUNNING|0|", events - 1));
    let moved: Value = serde_json::from_str(&moved).unwrap();
    assert_eq!((status, &moved["signature"]), (200, &json!(signature)));
    assert_eq!(moved["visits"], view["visits"]);

    let (status, missing) = get(
        address,
        "/console/api/execution?arn=arn:aws:states:us-east-1:123456789012:execution:Console:nope",
    );
    assert_eq!(status, 400, "{missing}");
    assert!(missing.contains("ExecutionDoesNotExist"), "{missing}");

    // Any query (no arn, garbage, very long, control characters) gets a 4xx JSON error, and any poll signature a
    // full answer; the service keeps serving.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let length = (seed % 64) as usize * if round % 50 == 0 { 400 } else { 1 };
        let garbage: String = (0..length)
            .map(|i| char::from(((seed >> (i % 56)) as u8).wrapping_add(i as u8) % 128))
            .collect();
        let read = ["execution", "machine"][round % 2];
        if round % 5 == 1 {
            // A poll's signature of any shape for a real execution: answered in full.
            let query = format!(
                "arn={}&unless={}",
                percent_encode(execution),
                percent_encode(&garbage)
            );
            let (status, body) = get(address, &format!("/console/api/execution?{query}"));
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                (status, &body["signature"]),
                (200, &view["signature"]),
                "{query}"
            );
            continue;
        }
        let query = if round % 7 == 0 {
            "x=1".to_owned()
        } else {
            format!("arn={}", percent_encode(&garbage))
        };
        let (status, body) = get(address, &format!("/console/api/{read}?{query}"));
        assert!(
            (400..500).contains(&status),
            "{read}?{query}: {status} {body}"
        );
        assert!(
            serde_json::from_str::<Value>(&body).is_ok_and(|b| b["__type"].is_string()),
            "{body}"
        );
    }
    assert_eq!(get(address, "/console/api/machines").0, 200);
}

/// A stopped execution redriven: the state it was stopped in is cancelled in the first run and entered anew (a new
/// visit at the top level, not inside the old one) in the redrive; the events after the redrive belong to no old state.
#[tokio::test(flavor = "multi_thread")]
async fn the_console_reads_a_redrive_as_new_visits() {
    let (address, _dir) = start(false).await;
    let definition = json!({"StartAt": "Before", "States": {
        "Before": {"Type": "Pass", "Next": "Hold"},
        "Hold": {"Type": "Wait", "Seconds": 2, "Next": "After"},
        "After": {"Type": "Pass", "End": true}}});
    let machine = create(address, "Redriven", definition, "STANDARD");
    let started = ok(
        address,
        "StartExecution",
        json!({"stateMachineArn": machine, "input": "{}"}),
    );
    let execution = started["executionArn"].as_str().unwrap();
    // Stopped once it waits in Hold.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ok(
        address,
        "GetExecutionHistory",
        json!({"executionArn": execution}),
    )["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["type"] == "WaitStateEntered")
    {
        assert!(Instant::now() < deadline, "never entered Hold");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    ok(address, "StopExecution", json!({"executionArn": execution}));
    ok(
        address,
        "RedriveExecution",
        json!({"executionArn": execution}),
    );
    assert_eq!(until_done(address, execution).await["status"], "SUCCEEDED");

    let (status, view) = get(
        address,
        &format!("/console/api/execution?arn={}", percent_encode(execution)),
    );
    let view: Value = serde_json::from_str(&view).unwrap();
    assert_eq!(status, 200, "{view}");
    let visits: Vec<(&str, &str, &Value)> = view["visits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["state"].as_str().unwrap(),
                v["status"].as_str().unwrap(),
                &v["parent"],
            )
        })
        .collect();
    let holds: Vec<_> = visits
        .iter()
        .filter(|(state, _, _)| *state == "Hold")
        .collect();
    assert_eq!(holds.len(), 2, "{visits:?}");
    assert_eq!(
        (holds[0].1, holds[1].1),
        ("cancelled", "succeeded"),
        "{visits:?}"
    );
    assert!(
        visits.iter().all(|(_, _, parent)| parent.is_null()),
        "{visits:?}"
    );
    let last = view["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (&last["type"], &last["state"]),
        (&json!("ExecutionSucceeded"), &Value::Null),
        "{last}"
    );
}

/// AWS: RedriveExecution "is not supported by EXPRESS state machines" (API_RedriveExecution), whichever way the
/// execution was started.
#[tokio::test(flavor = "multi_thread")]
async fn express_executions_are_not_redrivable() {
    let (address, _dir) = start(true).await;
    let definition = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "X"}}});
    let machine = create(address, "Quick", definition, "EXPRESS");
    let started = ok(
        address,
        "StartExecution",
        json!({"stateMachineArn": machine, "input": "{}"}),
    );
    let execution = started["executionArn"].as_str().unwrap();
    let described = until_done(address, execution).await;
    assert_eq!(
        (&described["status"], &described["redriveStatus"]),
        (&json!("FAILED"), &json!("NOT_REDRIVABLE")),
        "{described}"
    );
    assert!(error(
        address,
        "RedriveExecution",
        json!({"executionArn": execution})
    )
    .contains("ExecutionNotRedrivable"));
}
