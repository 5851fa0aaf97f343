//! `deploy` and `destroy` end to end against moto's server (S3, STS, CloudFormation, IAM, Lambda and Step Functions
//! on 127.0.0.1): the binary builds its Lambda package with cargo-lambda, uploads it, creates the stack from its
//! template and prints the outputs; the state machine and the function are there as the template says; a second
//! deploy with a parameter updates the stack; `destroy` removes it. moto's CloudFormation does not apply
//! `DefinitionSubstitutions` (the README names the gap): the definition it stores is the workflow's, placeholders
//! kept.
//!
//! Needs `.tools/moto` (moto[server]) and cargo-lambda in `.tools/venv`, which `scripts/test` installs; without them
//! the test says SKIPPED, or fails under `STEPFN_REQUIRE_TOOLS=1`.

#[path = "../../../tests/src/shared_data.rs"]
mod shared_data;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running moto_server, killed when dropped.
struct Moto {
    child: Child,
    endpoint: String,
    python: PathBuf,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_moto() -> Option<Moto> {
    let venv = root().join(".tools/moto");
    let (server, python) = (venv.join("bin/moto_server"), venv.join("bin/python"));
    if !server.is_file() {
        shared_data::skip_or_fail(
            "moto_server is missing: scripts/test installs moto[server] into .tools/moto",
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(&server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
        python,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto_server listens");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(moto)
}

fn binary(moto: &Moto, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_message-pipeline"))
        .args(args)
        .args(["--region", "us-east-1", "--endpoint-url", &moto.endpoint])
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env(
            "STEPFN_CARGO_LAMBDA",
            root().join(".tools/venv/bin/cargo-lambda"),
        )
        .current_dir(root())
        .output()
        .expect("the binary runs")
}

/// What boto3 (moto's own) reads back: a JSON value printed by `script`, which gets `sfn`, `lam`, `cfn` clients.
fn inspect(moto: &Moto, script: &str) -> serde_json::Value {
    let program = format!(
        "import boto3, json\n\
         kw = dict(endpoint_url='{}', region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')\n\
         sfn, lam, cfn = (boto3.client(s, **kw) for s in ('stepfunctions', 'lambda', 'cloudformation'))\n{script}",
        moto.endpoint
    );
    let output = Command::new(&moto.python)
        .args(["-c", &program])
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

fn text(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn deploy_update_and_destroy_against_motos_server() {
    if !root().join(".tools/venv/bin/cargo-lambda").is_file() {
        shared_data::skip_or_fail(
            "cargo-lambda is missing: scripts/test installs it into .tools/venv",
        );
        return;
    }
    let Some(moto) = start_moto() else {
        return;
    };
    // A debug build linked by cargo (no zig here), as the emulator tests build the same package.
    let build = ["--debug", "--compiler", "cargo"];
    let deployed = binary(
        &moto,
        &[&["deploy", "--stack-name", "messages"][..], &build].concat(),
    );
    assert!(deployed.status.success(), "{}", text(&deployed));
    let stdout = String::from_utf8_lossy(&deployed.stdout);
    let stderr = String::from_utf8_lossy(&deployed.stderr);
    assert!(
        stderr.contains("creating stack messages"),
        "{}",
        text(&deployed)
    );
    assert!(
        stderr.contains("CREATE_COMPLETE"),
        "the stack's events are printed: {}",
        text(&deployed)
    );
    let output = |key: &str| -> String {
        stdout
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("no output {key}: {}", text(&deployed)))
            .to_owned()
    };
    let machine = output("StateMachineArn");
    let function = output("UppercaseMessageFunctionName");
    assert!(
        machine.starts_with("arn:aws:states:us-east-1:"),
        "{machine}"
    );

    let seen = inspect(
        &moto,
        &format!(
            "m = sfn.describe_state_machine(stateMachineArn='{machine}')\n\
             f = lam.get_function_configuration(FunctionName='{function}')\n\
             print(json.dumps({{'definition': m['definition'], 'handler': f['Handler'], 'runtime': f['Runtime'],\n\
                               'memory': f['MemorySize'], 'size': f['CodeSize']}}))"
        ),
    );
    assert_eq!(
        seen["definition"].as_str().unwrap(),
        message_pipeline::MessagePipeline::definition(),
        "the stack's state machine runs the workflow's definition"
    );
    assert_eq!(seen["handler"], "uppercase_message");
    assert_eq!(seen["runtime"], "provided.al2023");
    assert_eq!(seen["memory"], 128);
    assert!(
        seen["size"].as_u64().unwrap() > 1000,
        "the package is uploaded: {seen}"
    );

    assert!(
        machine.ends_with(":stateMachine:MessagePipeline"),
        "named like the workflow, for `start` and `watch`: {machine}"
    );
    let built = stderr
        .lines()
        .find_map(|line| line.strip_prefix("uploading ")?.split(" (").next())
        .expect("the package's path is printed");
    assert!(
        !Path::new(built).exists(),
        "the build's folder is removed once uploaded"
    );

    // An update: a package given (not built again), another memory size.
    let zip_path =
        std::env::temp_dir().join(format!("stepfn-deploy-test-{}.zip", std::process::id()));
    // An empty zip archive (its end-of-central-directory record alone).
    let mut empty_zip = b"PK\x05\x06".to_vec();
    empty_zip.extend([0u8; 18]);
    std::fs::write(&zip_path, empty_zip).unwrap();
    let zip = zip_path.to_string_lossy().into_owned();
    let updated = binary(
        &moto,
        &[
            "deploy",
            "--stack-name",
            "messages",
            "--zip",
            &zip,
            "--parameter",
            "FunctionMemorySize=256",
        ],
    );
    assert!(updated.status.success(), "{}", text(&updated));
    assert!(String::from_utf8_lossy(&updated.stderr).contains("updating stack messages"));
    let seen = inspect(
        &moto,
        &format!("print(json.dumps(lam.get_function_configuration(FunctionName='{function}')['MemorySize']))"),
    );
    assert_eq!(seen, 256, "the update reached the function");

    // A parameter deploy sets itself is refused before anything is sent.
    let refused = binary(
        &moto,
        &[
            "deploy",
            "--stack-name",
            "messages",
            "--zip",
            &zip,
            "--parameter",
            "CodeS3Key=x",
        ],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("use --bucket"));

    let destroyed = binary(&moto, &["destroy", "--stack-name", "messages"]);
    assert!(destroyed.status.success(), "{}", text(&destroyed));
    let seen = inspect(
        &moto,
        "print(json.dumps({'machines': len(sfn.list_state_machines()['stateMachines']),\n\
         'stacks': [s['StackStatus'] for s in cfn.list_stacks()['StackSummaries'] if s['StackName'] == 'messages']}))",
    );
    assert_eq!(
        seen["machines"], 0,
        "destroy removed the state machine: {seen}"
    );
    assert!(
        seen["stacks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s == "DELETE_COMPLETE"),
        "{seen}"
    );
    let again = binary(&moto, &["destroy", "--stack-name", "messages"]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    let _ = std::fs::remove_file(&zip_path);
}
