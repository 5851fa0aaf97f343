//! The workflow binary's `serve`: the Step Functions API with this workflow's machine already created and its step
//! running in process, as an SDK user's code would drive it.

use serde_json::{json, Value};
use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};
use stepfn_serve::client::{call, Served};

fn ok(address: SocketAddr, operation: &str, request: Value) -> Value {
    let (status, answer) = call(address, operation, &request).expect("the service answers");
    assert_eq!(status, 200, "{operation}: {answer}");
    answer
}

#[test]
fn the_served_workflow_runs_its_real_step() {
    let data_dir =
        std::env::temp_dir().join(format!("message-pipeline-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let mut command = Command::new(env!("CARGO_BIN_EXE_message-pipeline"));
    command
        .args(["serve", "--port", "0", "--virtual-time", "--data-dir"])
        .arg(&data_dir);
    let served = Served::start(command).expect("the binary serves");
    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:MessagePipeline";
    let listed = ok(served.address, "ListStateMachines", json!({}));
    assert_eq!(listed["stateMachines"][0]["stateMachineArn"], machine);
    let input = json!({"body": "{\"message\": \"hello world\"}"}).to_string();
    let started = ok(
        served.address,
        "StartExecution",
        json!({"stateMachineArn": machine, "input": input}),
    );
    let execution = started["executionArn"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let done = loop {
        let answer = ok(
            served.address,
            "DescribeExecution",
            json!({"executionArn": execution}),
        );
        if answer["status"] != "RUNNING" || Instant::now() > deadline {
            break answer;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    let output: Value = serde_json::from_str(done["output"].as_str().unwrap()).unwrap();
    assert_eq!(output["body"], "{\"processed_message\": \"HELLO WORLD\"}");

    // An input the step cannot read fails the execution with the step's error, as on AWS.
    let started = ok(
        served.address,
        "StartExecution",
        json!({"stateMachineArn": machine, "input": "{\"body\": \"{}\"}"}),
    );
    let execution = started["executionArn"].as_str().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let failed = ok(
        served.address,
        "DescribeExecution",
        json!({"executionArn": execution}),
    );
    assert_eq!(failed["status"], "FAILED", "{failed}");
    drop(served);
    let _ = std::fs::remove_dir_all(&data_dir);
}
