//! `stepfn watch` and `stepfn executions`, and the untyped start/describe/history/stop/wait of `stepfn-aws`, against
//! two Step Functions endpoints on 127.0.0.1: `stepfn serve` and moto's server (PyPI `moto[server]`, installed by
//! `scripts/test` into `.tools/moto`; `STEPFN_MOTO_SERVER` names another `moto_server`). Without moto the moto test
//! prints `SKIPPED: ...` and passes, unless `STEPFN_REQUIRE_TOOLS=1`. Every server a test starts is stopped when the
//! test ends, passing or not.
//!
//! moto runs executions only with its state machine interpreter switched on (`POST /moto-api/config` with
//! `{"stepfunctions": {"execute_state_machine": true}}`); it runs Pass, Wait, Choice, Succeed and Fail states (a
//! Lambda task needs Docker). What it does not do as AWS does, and stepfn copes with: it ignores
//! GetExecutionHistory's `reverseOrder` (watch then reads the pages oldest first), and an execution started without
//! a name is named `None`.

#[path = "../../tests/src/shared_data.rs"]
mod shared_data;

use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use stepfn_aws::sdk::config::{Credentials, Region};
use stepfn_aws::{Error, Execution, Status};
use stepfn_serve::client::Served;

const ROLE: &str = "arn:aws:iam::123456789012:role/stepfn";

/// Pass, Choice, Wait and Succeed; or, for `"fail": true` in the input, a Fail state.
fn definition() -> Value {
    json!({
        "StartAt": "Greet",
        "States": {
            "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)", "fail.$": "$.fail"}, "Next": "Route"},
            "Route": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "BooleanEquals": true, "Next": "Refuse"}], "Default": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
            "Done": {"Type": "Succeed"},
            "Refuse": {"Type": "Fail", "Error": "Refused", "Cause": "asked to fail"}
        }
    })
}

/// A machine that waits long enough to be seen running.
fn slow_definition() -> Value {
    json!({"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 3600, "End": true}}})
}

/// CreateStateMachine through the SDK (moto's server tells services apart by the request's signature).
async fn create(address: SocketAddr, name: &str, definition: &Value) -> String {
    client(address)
        .create_state_machine()
        .name(name)
        .definition(definition.to_string())
        .role_arn(ROLE)
        .send()
        .await
        .expect("CreateStateMachine")
        .state_machine_arn()
        .to_owned()
}

fn client(address: SocketAddr) -> stepfn_aws::sdk::Client {
    let config = stepfn_aws::sdk::Config::builder()
        .behavior_version_latest()
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(format!("http://{address}"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    stepfn_aws::sdk::Client::from_conf(config)
}

/// Runs `stepfn ARGS --endpoint-url http://ADDRESS` with dummy credentials, off the runtime's threads.
async fn stepfn(address: SocketAddr, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stepfn"));
    command
        .args(args)
        .arg("--endpoint-url")
        .arg(format!("http://{address}"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL");
    tokio::task::spawn_blocking(move || command.output().expect("stepfn runs"))
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

/// What both services must do: start, wait, describe, history, idempotent names, stop; `stepfn watch` and
/// `stepfn executions`.
async fn scenario(address: SocketAddr, machine: &str, slow: &str) {
    let client = client(address);

    // Start and wait: the output, the description, the history as the engine's events.
    let execution = stepfn_aws::start(
        &client,
        machine,
        &json!({"who": "ada", "fail": false}),
        Some("greet-ada"),
    )
    .await
    .unwrap();
    assert!(
        execution.arn().ends_with(":greet-ada"),
        "{}",
        execution.arn()
    );
    let output = execution.wait_json().await.unwrap();
    assert_eq!(output, json!({"greeting": "hello ada", "fail": false}));
    let described = execution.describe().await.unwrap();
    assert_eq!(described.status, Status::Succeeded);
    assert_eq!(described.name, "greet-ada");
    assert!(described.stop_date.is_some());
    let history = execution.history().await.unwrap();
    let kinds: Vec<&str> = history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"ExecutionStarted"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"ExecutionSucceeded"), "{kinds:?}");
    assert!(kinds.contains(&"WaitStateEntered"), "{kinds:?}");

    // A failing execution: its error and cause.
    let failing = stepfn_aws::start(
        &client,
        machine,
        &json!({"who": "bob", "fail": true}),
        Some("greet-bob"),
    )
    .await
    .unwrap();
    match failing.wait_json().await {
        Err(Error::Failed(failed)) => {
            assert_eq!(failed.status, "FAILED");
            assert_eq!(failed.error.as_deref(), Some("Refused"));
            assert_eq!(failed.cause.as_deref(), Some("asked to fail"));
        }
        other => panic!("expected a failed execution, got {other:?}"),
    }

    // Idempotent start while running; another input is ExecutionAlreadyExists; stop aborts.
    let input = json!({"order": 1});
    let held = stepfn_aws::start(&client, slow, &input, Some("held"))
        .await
        .unwrap();
    let again = stepfn_aws::start(&client, slow, &input, Some("held"))
        .await
        .unwrap();
    assert_eq!(held.arn(), again.arn());
    let other = stepfn_aws::start(&client, slow, &json!({"order": 2}), Some("held")).await;
    assert!(
        matches!(other, Err(Error::ExecutionAlreadyExists { .. })),
        "{other:?}"
    );
    assert_eq!(held.describe().await.unwrap().status, Status::Running);
    held.stop(Some("Cancelled"), Some("by the test"))
        .await
        .unwrap();
    let aborted = held.wait_closed().await.unwrap();
    assert_eq!(aborted.status, Status::Aborted);

    // stepfn watch: the trace, the graph, the ending; exit 0 for the success, 1 for the failure.
    let output = stepfn(address, &["watch", execution.arn()]).await;
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    for expected in [
        "ExecutionStarted",
        "PassStateEntered             Greet  input=",
        "PassStateExited              Greet  took=",
        "WaitStateEntered             Pause",
        "ExecutionSucceeded",
        "✓ Greet   Pass      ran  → Route",
        "✓ Route   Choice    ran  → Refuse, Pause",
        "✓ Pause   Wait      ran  → Done",
        "· Refuse  Fail      not run",
        "SUCCEEDED in ",
    ] {
        assert!(out.contains(expected), "{expected:?} in:\n{out}");
    }
    let output = stepfn(address, &["watch", failing.arn()]).await;
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    for expected in [
        "ExecutionFailed",
        "error=Refused  cause=asked to fail",
        "✗ Refuse  Fail      failed",
        "· Pause   Wait      not run",
        "FAILED in ",
    ] {
        assert!(out.contains(expected), "{expected:?} in:\n{out}");
    }

    // stepfn executions: newest first, with status and duration.
    let output = stepfn(address, &["executions", machine]).await;
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[1].starts_with("greet-bob ") && lines[1].contains("FAILED"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("greet-ada ") && lines[2].contains("SUCCEEDED"),
        "{out}"
    );
    let output = stepfn(address, &["executions", slow, "--status", "ABORTED"]).await;
    let out = text(&output);
    assert!(
        out.contains("held ") && out.contains("ABORTED") && out.contains("s  arn:"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_and_executions_against_stepfn_serve() {
    let data_dir = std::env::temp_dir().join(format!("stepfn-aws-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let mut command = Command::new(env!("CARGO_BIN_EXE_stepfn"));
    command
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(&data_dir);
    let served = Served::start(command).expect("stepfn serve starts");
    let machine = create(served.address, "Greeter", &definition()).await;
    let slow = create(served.address, "Holder", &slow_definition()).await;
    scenario(served.address, &machine, &slow).await;
    drop(served);
    let _ = std::fs::remove_dir_all(&data_dir);
}

/// moto's server on a free port of 127.0.0.1, killed when dropped.
struct Moto {
    child: Child,
    address: SocketAddr,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_server() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("STEPFN_MOTO_SERVER").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/moto/bin/moto_server")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_file());
    if found.is_none() {
        shared_data::skip_or_fail(
            "moto_server is missing: scripts/test installs moto[server] into .tools/moto (or set STEPFN_MOTO_SERVER)",
        );
    }
    found
}

fn start_moto(program: &Path) -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(program)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let address: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let moto = Moto { child, address };
    let deadline = Instant::now() + Duration::from_secs(60);
    // Switch its interpreter on: without it, moto's executions never leave RUNNING.
    loop {
        if configure_moto(address).is_ok_and(|status| status == 201) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "moto_server answers on {address}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

/// `POST /moto-api/config` turning moto's state machine interpreter on; the HTTP status.
fn configure_moto(address: SocketAddr) -> std::io::Result<u16> {
    use std::io::{Read, Write};
    let body = r#"{"stepfunctions": {"execute_state_machine": true}}"#;
    let mut stream = std::net::TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "POST /moto-api/config HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_and_executions_against_motos_server() {
    let Some(program) = moto_server() else {
        return;
    };
    let moto = start_moto(&program);
    let machine = create(moto.address, "Greeter", &definition()).await;
    let slow = create(moto.address, "Holder", &slow_definition()).await;
    scenario(moto.address, &machine, &slow).await;

    // moto's gap: an execution started without a name is named `None` (AWS makes up a UUID).
    let client = client(moto.address);
    let unnamed = stepfn_aws::start(&client, &machine, &json!({"who": "x", "fail": false}), None)
        .await
        .unwrap();
    assert!(unnamed.arn().ends_with(":None"), "{}", unnamed.arn());
    let _ = Execution::new(client, unnamed.arn()).wait_closed().await;
}
