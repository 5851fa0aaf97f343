//! Typed start and watch of executions (the `aws` feature) against `stepfn serve` in process: `Workflow::start`
//! with the first step's input type, the execution's handle (`describe`, `history`, `stop`, `wait` giving the
//! workflow's output type or its error and cause), AWS's idempotent names, and the binary's `start --watch`,
//! `watch` and `executions` (the trace, the graph marking what each state did, the exit status).

use aws_sdk_sfn::config::{Credentials, Region};
use order_pipeline::{LineItem, Order, OrderPipeline};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::process::Output;
use stepfn::aws::{Error, Execution, Status};
use stepfn::{step, workflow, Workflow};

const MACHINES: &str = "arn:aws:states:us-east-1:123456789012:stateMachine";

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Greeting {
    pub text: String,
}

/// Shouts a greeting.
#[step]
pub async fn shout(greeting: Greeting) -> Result<Greeting, std::convert::Infallible> {
    Ok(Greeting {
        text: greeting.text.to_uppercase(),
    })
}

workflow! {
    /// One step: its output type is the workflow's, so `wait` gives a `Greeting`.
    pub ShoutOnAws;
    shout -> end;
}

/// The order pipeline's summary, as its last state (a Pass with `Parameters`) writes it.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Summary {
    order_id: String,
    tracking_number: String,
    parcels: u32,
}

fn order(customer: &str, total: u64) -> Order {
    Order {
        id: "o-1".into(),
        customer: customer.into(),
        total,
        lines: vec![LineItem {
            sku: "a".into(),
            quantity: 12,
        }],
        express: None,
    }
}

/// The service's data directory, removed when the test ends.
struct DataDir(std::path::PathBuf);

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `stepfn serve` in this process on a free port of 127.0.0.1, with both workflows and their steps and the
/// order pipeline's mocks; it stops with the test's runtime.
async fn serve(virtual_time: bool) -> (SocketAddr, DataDir) {
    let data_dir = std::env::temp_dir().join(format!(
        "order-pipeline-aws-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let mut handlers = OrderPipeline::handlers();
    handlers.extend(ShoutOnAws::handlers());
    let config = stepfn_serve::Config {
        port: 0,
        data_dir: data_dir.clone(),
        virtual_time,
        resources: stepfn::local::step_resources(&handlers),
        machines: vec![
            stepfn_serve::Preset {
                name: OrderPipeline::NAME.into(),
                definition: OrderPipeline::DEFINITION.into(),
            },
            stepfn_serve::Preset {
                name: ShoutOnAws::NAME.into(),
                definition: ShoutOnAws::DEFINITION.into(),
            },
        ],
        mocks: Some(include_str!("../mocks.json").into()),
        ..stepfn_serve::Config::default()
    };
    let bound = stepfn_serve::bind(config).await.expect("serve binds");
    let address = bound.address;
    tokio::spawn(bound.serve());
    (address, DataDir(data_dir))
}

fn client(address: SocketAddr) -> aws_sdk_sfn::Client {
    let config = aws_sdk_sfn::Config::builder()
        .behavior_version_latest()
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(format!("http://{address}"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_sfn::Client::from_conf(config)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_typed_start_waits_for_the_typed_output() {
    let (address, _data) = serve(true).await;
    let client = client(address);
    // Found by name (ListStateMachines), started with the first step's input type, waited for its output type.
    let execution = ShoutOnAws::start(
        &client,
        Greeting {
            text: "hello".into(),
        },
    )
    .await
    .unwrap();
    let greeting = execution.wait().await.unwrap();
    assert_eq!(
        greeting,
        Greeting {
            text: "HELLO".into()
        }
    );
    let described = execution.describe().await.unwrap();
    assert_eq!(described.status, Status::Succeeded);
    assert_eq!(described.input, Some(json!({"text": "hello"})));

    // The order pipeline ends in a Pass with `Parameters`: its output type is JSON (`wait`), or one of your
    // choosing (`wait_as`). A mock test case is started through the machine's ARN, `ARN#TestCase`.
    let execution = OrderPipeline::start(&client, order("ada", 4200))
        .state_machine_arn(format!("{MACHINES}:OrderPipeline#HappyPath"))
        .await
        .unwrap();
    let output: Value = execution.wait().await.unwrap();
    assert_eq!(
        output,
        json!({"orderId": "o-1", "trackingNumber": "TRK-O-1", "parcels": 2})
    );
    let summary: Summary = execution.wait_as().await.unwrap();
    assert_eq!(summary.tracking_number, "TRK-O-1");
    assert_eq!((summary.order_id.as_str(), summary.parcels), ("o-1", 2));
    // An output that does not fit the type asked for is a named error with serde's reason, not a panic.
    match execution.wait_as::<Greeting>().await {
        Err(Error::Output { message, output }) => {
            assert!(message.contains("missing field `text`"), "{message}");
            assert!(output.contains("TRK-O-1"), "{output}");
        }
        other => panic!("expected Error::Output, got {other:?}"),
    }
    // The history, every page, in the shape a local run keeps.
    let history = execution.history().await.unwrap();
    assert_eq!(
        history.first().map(|e| e.kind.as_str()),
        Some("ExecutionStarted")
    );
    assert_eq!(
        history.last().map(|e| e.kind.as_str()),
        Some("ExecutionSucceeded")
    );
    assert!(history.iter().any(|e| e.kind == "MapIterationStarted"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_execution_is_an_execution_error_with_its_error_and_cause() {
    let (address, _data) = serve(true).await;
    let client = client(address);
    let execution = OrderPipeline::start(&client, order("declined", 4200))
        .state_machine_arn(format!("{MACHINES}:OrderPipeline#HappyPath"))
        .await
        .unwrap();
    let error = execution.wait::<Value>().await.unwrap_err();
    let Error::Failed(failed) = &error else {
        panic!("expected Error::Failed, got {error:?}");
    };
    assert_eq!(failed.status, "FAILED");
    assert_eq!(failed.error.as_deref(), Some("OrderRejected"));
    assert!(
        failed
            .cause
            .as_deref()
            .unwrap_or_default()
            .contains("the card was declined"),
        "{failed:?}"
    );
    assert_eq!(failed.execution_arn, execution.arn());
    let message = error.to_string();
    assert!(
        message.starts_with("the execution FAILED with OrderRejected: "),
        "{message}"
    );

    // Started by name without a test case, the DynamoDB task has no mock in `serve`: the execution fails there.
    let execution = OrderPipeline::start(&client, order("ada", 4200))
        .await
        .unwrap();
    match execution.wait::<Value>().await {
        Err(Error::Failed(failed)) => {
            assert_eq!(
                failed.error.as_deref(),
                Some("States.TaskFailed"),
                "{failed:?}"
            )
        }
        other => panic!("expected Error::Failed, got {other:?}"),
    }

    // A machine that is not there is a named error that says what to do.
    let execution = Execution::<OrderPipeline>::attach(
        &client,
        "arn:aws:states:us-east-1:123456789012:execution:OrderPipeline:nobody",
    );
    let error = execution.describe().await.unwrap_err();
    assert!(matches!(error, Error::NotFound { .. }), "{error:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_makes_a_start_idempotent_while_it_runs_and_stop_aborts_it() {
    // Real time: an order over 100,000 waits an hour for review, so the execution stays running.
    let (address, _data) = serve(false).await;
    let client = client(address);
    let big = order("ada", 200_000);
    let first = OrderPipeline::start(&client, big.clone())
        .name("big-order")
        .await
        .unwrap();
    let again = OrderPipeline::start(&client, big.clone())
        .name("big-order")
        .await
        .unwrap();
    assert_eq!(
        first.arn(),
        again.arn(),
        "same name and input while running: the same execution"
    );
    assert!(first.arn().ends_with(":execution:OrderPipeline:big-order"));
    let other = OrderPipeline::start(&client, order("grace", 200_000))
        .name("big-order")
        .await;
    match other {
        Err(Error::ExecutionAlreadyExists { name, .. }) => assert_eq!(name, "big-order"),
        other => panic!("expected ExecutionAlreadyExists, got {other:?}"),
    }

    let described = first.describe().await.unwrap();
    assert_eq!(described.status, Status::Running);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !first
        .history()
        .await
        .unwrap()
        .iter()
        .any(|e| e.kind == "WaitStateEntered")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the execution reaches its Wait"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    first
        .stop(Some("Cancelled"), Some("the customer called"))
        .await
        .unwrap();
    match first.wait::<Value>().await {
        Err(Error::Failed(failed)) => {
            assert_eq!(failed.status, "ABORTED");
            assert_eq!(failed.error.as_deref(), Some("Cancelled"));
            assert_eq!(failed.cause.as_deref(), Some("the customer called"));
        }
        other => panic!("expected an ABORTED execution, got {other:?}"),
    }
    // Its name stays taken after it ended, whatever the input.
    let reused = OrderPipeline::start(&client, big).name("big-order").await;
    assert!(
        matches!(reused, Err(Error::ExecutionAlreadyExists { .. })),
        "{reused:?}"
    );
}

/// Runs the workflow binary with `args` against the service at `address`, off the runtime's threads.
async fn binary(address: SocketAddr, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_order-pipeline"));
    command
        .args(args)
        .arg("--endpoint-url")
        .arg(format!("http://{address}"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL");
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_starts_watches_and_lists_executions() {
    let (address, _data) = serve(true).await;
    let order_file = concat!("@", env!("CARGO_MANIFEST_DIR"), "/order.json");
    let happy = format!("{MACHINES}:OrderPipeline#HappyPath");

    // start --watch: the ARN, the trace as it happens, the graph with what each state did, how it ended; exit 0.
    let output = binary(
        address,
        &[
            "start",
            order_file,
            "--watch",
            "--name",
            "watched",
            "--state-machine-arn",
            &happy,
        ],
    )
    .await;
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    let arn = String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(arn.ends_with(":execution:OrderPipeline:watched"), "{out}");
    for expected in [
        "ExecutionStarted",
        "  at 20",
        "TaskStateEntered             ValidateOrder  input=",
        "LambdaFunctionScheduled      ValidateOrder",
        "TaskStateExited              ValidateOrder  took=",
        "MapIterationStarted          PackLines [0]",
        "ParallelStateSucceeded       Fulfil",
        "ExecutionSucceeded            output={\"orderId\":\"o-1\"",
        "✓ ValidateOrder   Task      ran  → CheckAmount  catch → Rejected",
        "· HoldForReview   Wait      not run  → Fulfil",
        "branch 2:",
        "✓ ChargeCard  Task      ran  → end",
        "· Rejected        Fail      not run",
        "SUCCEEDED in ",
    ] {
        assert!(out.contains(expected), "{expected:?} in:\n{out}");
    }

    // A declined card: ChargeCard fails, the Parallel catches it, the Fail state fails the execution; exit 1.
    let declined = r#"{"id": "o-2", "customer": "declined", "total": 5, "lines": [{"sku": "a", "quantity": 1}]}"#;
    let output = binary(
        address,
        &["start", declined, "--watch", "--state-machine-arn", &happy],
    )
    .await;
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    for expected in [
        "LambdaFunctionFailed         ChargeCard  error=CardDeclined  cause=",
        "ParallelStateFailed          Fulfil",
        "✗ ChargeCard  Task      failed  → end",
        "↪ Fulfil          Parallel  caught  → PackLines  catch → OutOfStock, Rejected",
        "✗ Rejected        Fail      failed",
        "FAILED in ",
        "error=OrderRejected",
    ] {
        assert!(out.contains(expected), "{expected:?} in:\n{out}");
    }

    // A retried step: its new attempt says so, and the graph counts it.
    let slow = format!("{MACHINES}:OrderPipeline#GatewaySlowOnce");
    let output = binary(
        address,
        &["start", order_file, "--watch", "--state-machine-arn", &slow],
    )
    .await;
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains("LambdaFunctionScheduled      ChargeCard  retry=1"),
        "{out}"
    );
    assert!(
        out.contains("✓ ChargeCard  Task      ran, 1 retry  → end"),
        "{out}"
    );

    // watch ARN: an execution that has ended prints its whole trace and the same graph; --mermaid draws it for
    // pasting, each state coloured by what it did.
    let output = binary(address, &["watch", &arn]).await;
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(out.contains("ExecutionSucceeded"), "{out}");
    assert!(out.contains("✓ Summarise"), "{out}");
    let output = binary(address, &["watch", &arn, "--mermaid"]).await;
    let out = text(&output);
    assert!(out.contains("flowchart TD"), "{out}");
    assert!(out.contains("classDef ran fill:"), "{out}");
    assert!(out.contains("class s0,s1,"), "{out}");

    // Without --watch, start prints the ARN and exits 0 at once.
    let output = binary(
        address,
        &["start", order_file, "--state-machine-arn", &happy],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stdout)
        .trim()
        .starts_with("arn:aws:states:"));

    // executions: newest first, with status and duration.
    let output = binary(address, &["executions"]).await;
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{out}");
    assert!(
        lines[0].contains("STATUS") && lines[0].contains("DURATION"),
        "{out}"
    );
    assert_eq!(lines.len(), 5, "a header and four executions: {out}");
    assert!(
        lines[4].starts_with("watched ") && lines[4].contains("SUCCEEDED"),
        "{out}"
    );
    assert!(lines[3].contains("FAILED"), "{out}");
    let output = binary(address, &["executions", "--status", "failed"]).await;
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).lines().count(),
        2,
        "{}",
        text(&output)
    );

    // Usage and lookup errors exit 2 with a message; an unknown execution too.
    let output = binary(address, &["start", "{not json"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output).contains("the input is not JSON"),
        "{}",
        text(&output)
    );
    let output = binary(
        address,
        &[
            "watch",
            "arn:aws:states:us-east-1:123456789012:execution:OrderPipeline:none",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("does not exist"),
        "{}",
        text(&output)
    );
}
