//! The AWS SDK for Rust (`aws-sdk-sfn`) against the order pipeline's `serve`, as a user's code would drive it: create
//! the pipeline, start it, read DescribeExecution and the history, complete a callback task with SendTaskSuccess,
//! redrive a failed execution, run StartSyncExecution and call TestState (the SDK puts `sync-` before the endpoint's
//! host for those two operations: the client below takes it off, as the README shows).

use aws_sdk_sfn::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_sfn::config::{ConfigBag, Credentials, Intercept, Region, RuntimeComponents};
use aws_sdk_sfn::error::BoxError;
use aws_sdk_sfn::types::{
    ExecutionStatus, HistoryEventType, InspectionLevel, MockErrorOutput, MockInput,
    StateMachineType, SyncExecutionStatus, TestExecutionStatus,
};
use aws_sdk_sfn::Client;
use order_pipeline::OrderPipeline;
use serde_json::{json, Value};
use std::process::Command;
use std::time::{Duration, Instant};
use stepfn_serve::client::Served;

const ROLE: &str = "arn:aws:iam::123456789012:role/stepfn";

/// Takes the `sync-` host prefix off StartSyncExecution's request: `sync-127.0.0.1` names no host.
#[derive(Debug)]
struct NoHostPrefix;

impl Intercept for NoHostPrefix {
    fn name(&self) -> &'static str {
        "NoHostPrefix"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let uri = request.uri().replacen("://sync-", "://", 1);
        request.set_uri(uri)?;
        Ok(())
    }
}

fn client(endpoint: &str) -> Client {
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version_latest()
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(endpoint)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .interceptor(NoHostPrefix)
        .build();
    Client::from_conf(config)
}

fn serve() -> (Served, std::path::PathBuf) {
    let data_dir = std::env::temp_dir().join(format!("order-pipeline-sdk-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let mut command = Command::new(env!("CARGO_BIN_EXE_order-pipeline"));
    command
        .args(["serve", "--port", "0", "--virtual-time", "--mock"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/mocks.json"))
        .arg("--data-dir")
        .arg(&data_dir);
    (Served::start(command).expect("the binary serves"), data_dir)
}

async fn until_closed(
    client: &Client,
    execution: &str,
) -> aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let described = client
            .describe_execution()
            .execution_arn(execution)
            .send()
            .await
            .unwrap();
        if described.status() != &ExecutionStatus::Running {
            return described;
        }
        assert!(Instant::now() < deadline, "{execution} ends");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The token of the `nth` (from 1) callback task scheduled in the execution, from its history.
async fn token(client: &Client, execution: &str, nth: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let history = client
            .get_execution_history()
            .execution_arn(execution)
            .send()
            .await
            .unwrap();
        let scheduled: Vec<_> = history
            .events()
            .iter()
            .filter_map(|e| e.task_scheduled_event_details())
            .collect();
        if let Some(details) = scheduled.get(nth - 1) {
            let parameters: Value = serde_json::from_str(details.parameters()).unwrap();
            return parameters["MessageBody"]["token"]
                .as_str()
                .unwrap()
                .to_owned();
        }
        assert!(Instant::now() < deadline, "the callback task is scheduled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rust_sdk_drives_the_order_pipeline_through_serve() {
    let (served, data_dir) = serve();
    let client = client(&format!("http://{}", served.address));
    let order = include_str!("../order.json");

    // Create the pipeline from the workflow's definition (the binary has created it already: the same definition
    // is the same machine); its Task states run the real steps in process.
    let machine = client
        .create_state_machine()
        .name("OrderPipeline")
        .definition(OrderPipeline::definition())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap()
        .state_machine_arn()
        .to_owned();
    // Step Functions Local's test case (the DynamoDB write is mocked; the steps are real).
    let started = client
        .start_execution()
        .state_machine_arn(format!("{machine}#HappyPath"))
        .name("order-o-1")
        .input(order)
        .send()
        .await
        .unwrap();
    let done = until_closed(&client, started.execution_arn()).await;
    assert_eq!(done.status(), &ExecutionStatus::Succeeded, "{done:?}");
    let output: Value = serde_json::from_str(done.output().unwrap()).unwrap();
    assert_eq!(output["orderId"], "o-1", "{output}");
    let history = client
        .get_execution_history()
        .execution_arn(started.execution_arn())
        .reverse_order(true)
        .max_results(3)
        .send()
        .await
        .unwrap();
    assert_eq!(
        history.events()[0].r#type(),
        &HistoryEventType::ExecutionSucceeded
    );
    assert!(history.next_token().is_some(), "the history pages");

    // A callback task: failed with SendTaskFailure, redriven, then completed with SendTaskSuccess.
    let approval = json!({"StartAt": "Price", "States": {
        "Price": {"Type": "Pass", "Assign": {"price": 42}, "Next": "Approve"},
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals",
                                   "MessageBody": {"token.$": "$$.Task.Token"}},
                    "HeartbeatSeconds": 600, "Next": "Approved"},
        "Approved": {"Type": "Pass", "Parameters": {"approved.$": "$.approved", "price.$": "$price"}, "End": true}}});
    let approval = client
        .create_state_machine()
        .name("Approval")
        .definition(approval.to_string())
        .role_arn(ROLE)
        .send()
        .await
        .unwrap()
        .state_machine_arn()
        .to_owned();
    let execution = client
        .start_execution()
        .state_machine_arn(&approval)
        .send()
        .await
        .unwrap()
        .execution_arn()
        .to_owned();
    let first = token(&client, &execution, 1).await;
    client
        .send_task_heartbeat()
        .task_token(&first)
        .send()
        .await
        .unwrap();
    client
        .send_task_failure()
        .task_token(&first)
        .error("NotYet")
        .cause("the approver was away")
        .send()
        .await
        .unwrap();
    let failed = until_closed(&client, &execution).await;
    assert_eq!(
        (failed.status(), failed.error()),
        (&ExecutionStatus::Failed, Some("NotYet"))
    );
    let redriven = client
        .redrive_execution()
        .execution_arn(&execution)
        .send()
        .await
        .unwrap();
    assert!(redriven.redrive_date().secs() > 0);
    let second = token(&client, &execution, 2).await;
    client
        .send_task_success()
        .task_token(&second)
        .output(r#"{"approved": true}"#)
        .send()
        .await
        .unwrap();
    let done = until_closed(&client, &execution).await;
    assert_eq!(done.status(), &ExecutionStatus::Succeeded, "{done:?}");
    assert_eq!(done.output(), Some(r#"{"approved":true,"price":42}"#));
    assert_eq!(done.redrive_count(), Some(1));

    // TestState of the pipeline's first state: the real step, then a mocked error its Catch takes.
    let tested = client
        .test_state()
        .definition(OrderPipeline::definition())
        .state_name("ValidateOrder")
        .input(order)
        .inspection_level(InspectionLevel::Debug)
        .send()
        .await
        .unwrap();
    assert_eq!(
        tested.status(),
        Some(&TestExecutionStatus::Succeeded),
        "{tested:?}"
    );
    assert_eq!(tested.next_state(), Some("CheckAmount"));
    let inspected: Value =
        serde_json::from_str(tested.inspection_data().unwrap().input().unwrap()).unwrap();
    assert_eq!(inspected, serde_json::from_str::<Value>(order).unwrap());
    let caught = client
        .test_state()
        .definition(OrderPipeline::definition())
        .state_name("ValidateOrder")
        .input(order)
        .mock(
            MockInput::builder()
                .error_output(
                    MockErrorOutput::builder()
                        .error("InvalidOrder")
                        .cause("no lines")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        caught.status(),
        Some(&TestExecutionStatus::CaughtError),
        "{caught:?}"
    );
    assert_eq!(caught.next_state(), Some("Rejected"));

    // StartSyncExecution of an express copy of the pipeline.
    let express = client
        .create_state_machine()
        .name("OrderPipelineExpress")
        .definition(OrderPipeline::definition())
        .role_arn(ROLE)
        .r#type(StateMachineType::Express)
        .send()
        .await
        .unwrap()
        .state_machine_arn()
        .to_owned();
    let sync = client
        .start_sync_execution()
        .state_machine_arn(format!("{express}#HappyPath"))
        .input(order)
        .send()
        .await
        .unwrap();
    assert_eq!(sync.status(), &SyncExecutionStatus::Succeeded, "{sync:?}");
    let output: Value = serde_json::from_str(sync.output().unwrap()).unwrap();
    assert_eq!(output["orderId"], "o-1");

    drop(served);
    let _ = std::fs::remove_dir_all(&data_dir);
}
