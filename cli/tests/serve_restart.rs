//! Nothing acknowledged is lost: `kill -9` in the middle of many running executions, then a restart on the same data
//! directory. Every execution whose StartExecution returned is listed again; the finished ones as they ended, the
//! ones cut off FAILED with `Stepfn.ServiceStopped` and a cause that says so, and RedriveExecution takes each on
//! from the state it was in, without running the states it had completed again.

use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use stepfn_serve::client::{call, Served};

fn serve(data_dir: &Path, flags: &[&str]) -> Served {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stepfn"));
    command
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(data_dir)
        .args(flags);
    Served::start(command).expect("stepfn serve starts")
}

fn ok(address: SocketAddr, operation: &str, request: Value) -> Value {
    let (status, answer) = call(address, operation, &request).expect("the service answers");
    assert_eq!(status, 200, "{operation}: {answer}");
    answer
}

fn create(address: SocketAddr, name: &str, definition: Value) -> String {
    let request = json!({"name": name, "definition": definition.to_string(), "roleArn": "arn:aws:iam::123456789012:role/r"});
    ok(address, "CreateStateMachine", request)["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_kill_in_the_middle_of_many_executions_loses_none_of_them() {
    let data_dir =
        std::env::temp_dir().join(format!("stepfn-serve-restart-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let served = serve(&data_dir, &[]);
    let address = served.address;
    let slow = create(
        address,
        "Slow",
        json!({"StartAt": "Count", "States": {
            "Count": {"Type": "Pass", "Assign": {"n": 1}, "Result": {"step": 1}, "Next": "Hold"},
            "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
            "Done": {"Type": "Pass", "Parameters": {"step.$": "$.step", "n.$": "$n"}, "End": true}}}),
    );
    let quick = create(
        address,
        "Quick",
        json!({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": 42, "End": true}}}),
    );
    let finished = ok(
        address,
        "StartExecution",
        json!({"stateMachineArn": quick, "name": "finished"}),
    );
    let finished = finished["executionArn"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(10);
    while ok(
        address,
        "DescribeExecution",
        json!({"executionArn": finished}),
    )["status"]
        == "RUNNING"
    {
        assert!(Instant::now() < deadline, "the quick execution ends");
        std::thread::sleep(Duration::from_millis(10));
    }
    let started: Vec<String> = (0..50)
        .map(|i| {
            let answer = ok(
                address,
                "StartExecution",
                json!({"stateMachineArn": slow, "name": format!("run-{i}")}),
            );
            answer["executionArn"].as_str().unwrap().to_owned()
        })
        .collect();
    let history = |address, arn: &str| -> Vec<String> {
        let answer = ok(
            address,
            "GetExecutionHistory",
            json!({"executionArn": arn, "maxResults": 1000}),
        );
        answer["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["type"].as_str().unwrap().to_owned())
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    for arn in &started {
        while !history(address, arn)
            .iter()
            .any(|t| t == "WaitStateEntered")
        {
            assert!(Instant::now() < deadline, "{arn} waits");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    drop(served); // SIGKILL, with 50 executions waiting

    // Virtual time after the restart: the redriven executions' hour-long Wait elapses at once.
    let served = serve(&data_dir, &["--virtual-time"]);
    let address = served.address;
    let listed = ok(
        address,
        "ListExecutions",
        json!({"stateMachineArn": slow, "maxResults": 1000}),
    );
    let listed: Vec<&str> = listed["executions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["executionArn"].as_str().unwrap())
        .collect();
    for arn in &started {
        assert!(
            listed.contains(&arn.as_str()),
            "{arn} is listed after the restart"
        );
        let answer = ok(address, "DescribeExecution", json!({"executionArn": arn}));
        assert_eq!(answer["status"], "FAILED", "{answer}");
        assert_eq!(answer["error"], "Stepfn.ServiceStopped");
        assert!(answer["cause"]
            .as_str()
            .unwrap()
            .contains("stopped while this execution ran"));
    }
    let answer = ok(
        address,
        "DescribeExecution",
        json!({"executionArn": finished}),
    );
    assert_eq!(
        (answer["status"].as_str(), answer["output"].as_str()),
        (Some("SUCCEEDED"), Some("42"))
    );
    for arn in &started {
        ok(address, "RedriveExecution", json!({"executionArn": arn}));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    for arn in &started {
        let answer = loop {
            let answer = ok(address, "DescribeExecution", json!({"executionArn": arn}));
            if answer["status"] != "RUNNING" {
                break answer;
            }
            assert!(Instant::now() < deadline, "{arn} ends after its redrive");
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(
            (answer["status"].as_str(), answer["output"].as_str()),
            (Some("SUCCEEDED"), Some("{\"step\":1,\"n\":1}")),
            "{answer}"
        );
        let types = history(address, arn);
        let count = |kind: &str| types.iter().filter(|t| *t == kind).count();
        assert_eq!(
            count("PassStateEntered"),
            2,
            "Count is not run again: {types:?}"
        );
        assert_eq!(
            count("WaitStateEntered"),
            2,
            "Hold is entered again: {types:?}"
        );
        assert_eq!(
            (
                count("ExecutionFailed"),
                count("ExecutionRedriven"),
                count("ExecutionSucceeded")
            ),
            (1, 1, 1)
        );
    }
    drop(served);
    let _ = std::fs::remove_dir_all(&data_dir);
}
