//! The order pipeline served: its mocked Task states run from Step Functions Local's mock file, the test case picked
//! as Step Functions Local picks it (`stateMachineArn#TestCase`), and the execution ends as `run --test-case` does.

use serde_json::{json, Value};
use std::process::Command;
use std::time::{Duration, Instant};
use stepfn_serve::client::{call, Served};

#[path = "../../../tests/src/shared_data.rs"]
mod shared_data;

#[test]
fn a_test_case_of_the_mock_file_runs_the_whole_workflow() {
    let data_dir =
        std::env::temp_dir().join(format!("order-pipeline-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let mut command = Command::new(env!("CARGO_BIN_EXE_order-pipeline"));
    command
        .args(["serve", "--port", "0", "--virtual-time", "--mock"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/mocks.json"))
        .arg("--data-dir")
        .arg(&data_dir);
    let served = Served::start(command).expect("the binary serves");
    let machine = "arn:aws:states:us-east-1:123456789012:stateMachine:OrderPipeline";
    let request = json!({"stateMachineArn": format!("{machine}#AllMocked"), "input": include_str!("../order.json")});
    let (status, started) = call(served.address, "StartExecution", &request).unwrap();
    assert_eq!(status, 200, "{started}");
    let execution = started["executionArn"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let done = loop {
        let (_, answer) = call(
            served.address,
            "DescribeExecution",
            &json!({"executionArn": execution}),
        )
        .unwrap();
        if answer["status"] != "RUNNING" || Instant::now() > deadline {
            break answer;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!(done["stateMachineArn"], machine);
    let output: Value = serde_json::from_str(done["output"].as_str().unwrap()).unwrap();
    assert_eq!(
        output,
        json!({"orderId": "o-1", "trackingNumber": "TRK-MOCKED", "parcels": 1})
    );

    // A test case the file does not have is refused when the execution is asked for.
    let request = json!({"stateMachineArn": format!("{machine}#NoSuchCase"), "input": "{}"});
    let (status, answer) = call(served.address, "StartExecution", &request).unwrap();
    assert_eq!(
        (status, answer["__type"].as_str()),
        (400, Some("ValidationException")),
        "{answer}"
    );
    drop(served);
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// boto3 and the AWS CLI (installed by `scripts/test` into `.tools/venv`) drive the pipeline the binary serves:
/// `tests/clients/order_pipeline.py` creates it, starts it, reads the execution and its history, completes a
/// callback after a redrive, and runs StartSyncExecution.
#[test]
fn boto3_and_the_aws_cli_drive_the_served_pipeline() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = std::env::var_os("STEPFN_VENV")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join(".tools/venv"));
    let (python, aws) = (venv.join("bin/python"), venv.join("bin/aws"));
    if !python.is_file() || !aws.is_file() {
        shared_data::skip_or_fail(&format!(
            "boto3 and the AWS CLI are not installed in {}; run `scripts/test`",
            venv.display()
        ));
        return;
    }
    let data_dir =
        std::env::temp_dir().join(format!("order-pipeline-clients-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    std::fs::create_dir_all(&data_dir).unwrap();
    let definition = data_dir.join("OrderPipeline.asl.json");
    std::fs::write(&definition, order_pipeline::OrderPipeline::definition()).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_order-pipeline"));
    command
        .args(["serve", "--port", "0", "--virtual-time", "--mock"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/mocks.json"))
        .arg("--data-dir")
        .arg(data_dir.join("db"));
    let served = Served::start(command).expect("the binary serves");
    let output = Command::new(&python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/clients/order_pipeline.py"
        ))
        .arg(format!("http://{}", served.address))
        .arg(&definition)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/order.json"))
        .arg("--aws")
        .arg(&aws)
        .output()
        .expect("python runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{printed}");
    println!("{printed}");
    drop(served);
    let _ = std::fs::remove_dir_all(&data_dir);
}
