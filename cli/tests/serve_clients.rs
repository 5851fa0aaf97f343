//! `stepfn serve` driven by real clients: boto3 and the AWS CLI (the scripts in `tests/serve/`), and raw HTTP for
//! faults and bad input.
//!
//! Each test starts `stepfn serve --port 0 --data-dir <fresh temp dir>`, reads the port from the first stdout line
//! (`stepfn serve: listening on http://127.0.0.1:PORT`) and stops the server when it ends, passing or not.
//!
//! The client tests run `.tools/venv/bin/python` (or `$STEPFN_VENV/bin/python`), with boto3 and awscli installed
//! by `scripts/test`. Without them they print `SKIPPED: ...` and pass, unless `STEPFN_REQUIRE_TOOLS=1`, when they
//! fail. The fault test needs nothing but the server.
//!
//! By hand: `stepfn serve --port 8083 --data-dir /tmp/d`, then
//! `.tools/venv/bin/python cli/tests/serve/boto3_client.py http://127.0.0.1:8083 [--only NAME] [--keep-going]` and
//! `.tools/venv/bin/python cli/tests/serve/aws_cli_client.py http://127.0.0.1:8083`.

#[path = "../../tests/src/shared_data.rs"]
mod shared_data;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long the server may take to print its address.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a client script may run in all (the scripts poll with deadlines of their own, well inside this).
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);
/// How long one raw HTTP request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ lives in the repository")
        .to_path_buf()
}

/// A running `stepfn serve`; dropping it kills the server and removes its data directory.
struct Server {
    child: Child,
    url: String,
    port: u16,
    data_dir: PathBuf,
    stderr_file: PathBuf,
}

impl Server {
    fn start(test: &str, extra: &[&str]) -> Server {
        let base = std::env::temp_dir().join(format!("stepfn-serve-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let data_dir = base.join("data");
        std::fs::create_dir_all(&data_dir).unwrap();
        let stderr_file = base.join("stderr.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_stepfn"))
            .args(["serve", "--port", "0", "--data-dir"])
            .arg(&data_dir)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_file).unwrap())
            .spawn()
            .expect("stepfn starts");
        // The first stdout line names the address; a thread reads it (so a silent server cannot hang the test)
        // and then keeps draining stdout so the server never blocks on a full pipe.
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            for _ in lines {}
        });
        let mut server = Server {
            child,
            url: String::new(),
            port: 0,
            data_dir,
            stderr_file,
        };
        let first = match rx.recv_timeout(STARTUP_TIMEOUT) {
            Ok(Some(Ok(line))) => line,
            Ok(_) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                // Stdout closed: the server exited (e.g. no `serve` subcommand).
                let status = server.child.wait().ok();
                panic!(
                    "stepfn serve printed no first line (exit {status:?}); stderr:\n{}",
                    server.stderr()
                );
            }
            Err(mpsc::RecvTimeoutError::Timeout) => panic!(
                "stepfn serve printed nothing within {STARTUP_TIMEOUT:?}; stderr:\n{}",
                server.stderr()
            ),
        };
        let prefix = "stepfn serve: listening on http://127.0.0.1:";
        let port = first
            .strip_prefix(prefix)
            .and_then(|port| port.trim_end().parse::<u16>().ok())
            .unwrap_or_else(|| {
                panic!(
                    "first stdout line is not `{prefix}PORT`: {first:?}; stderr:\n{}",
                    server.stderr()
                )
            });
        assert_ne!(port, 0, "the server must print the port it bound, not 0");
        server.port = port;
        server.url = format!("http://127.0.0.1:{port}");
        server
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_file).unwrap_or_default()
    }

    /// Panics (with the server's stderr) when the server has exited.
    #[track_caller]
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("stepfn serve exited ({status}); stderr:\n{}", self.stderr());
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(base) = self.data_dir.parent() {
            let _ = std::fs::remove_dir_all(base);
        }
    }
}

/// The venv `scripts/test` installs boto3 and awscli into (`STEPFN_VENV` overrides it), or `None` after the
/// skip notice when it or a package is missing.
fn client_venv(module: &str, executable: Option<&str>) -> Option<PathBuf> {
    let venv = std::env::var_os("STEPFN_VENV")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".tools/venv"));
    let python = venv.join("bin/python");
    if !python.is_file() {
        shared_data::skip_or_fail(&format!(
            "{} not found; run `scripts/test` to install boto3 and awscli into .tools/venv",
            python.display()
        ));
        return None;
    }
    let imports = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    let has_executable = executable.is_none_or(|name| venv.join("bin").join(name).is_file());
    if !imports || !has_executable {
        shared_data::skip_or_fail(&format!(
            "{module} is not installed in {}; run `scripts/test` to install it",
            venv.display()
        ));
        return None;
    }
    Some(venv)
}

/// Runs `command`, killing it after `timeout`; returns (success, stdout and stderr together).
fn run_with_timeout(mut command: Command, timeout: Duration) -> (bool, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the client starts");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(50));
    };
    let text = out.join().unwrap() + &err.join().unwrap();
    match status {
        Some(status) => (status.success(), text),
        None => (false, format!("{text}\n(killed after {timeout:?})")),
    }
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/serve")
        .join(name)
}

#[test]
fn boto3_scenarios_pass() {
    let Some(venv) = client_venv("boto3", None) else {
        return;
    };
    let mut server = Server::start("boto3", &[]);
    let mut command = Command::new(venv.join("bin/python"));
    command.arg(script("boto3_client.py")).arg(&server.url);
    let (ok, output) = run_with_timeout(command, SCRIPT_TIMEOUT);
    server.assert_running();
    assert!(
        ok,
        "the boto3 scenarios failed:\n{output}\n--- stepfn serve stderr ---\n{}",
        server.stderr()
    );
    println!("{output}");
}

#[test]
fn aws_cli_scenario_passes() {
    let Some(venv) = client_venv("awscli", Some("aws")) else {
        return;
    };
    let mut server = Server::start("aws-cli", &[]);
    let mut command = Command::new(venv.join("bin/python"));
    command
        .arg(script("aws_cli_client.py"))
        .arg(&server.url)
        .arg("--aws")
        .arg(venv.join("bin/aws"));
    let (ok, output) = run_with_timeout(command, SCRIPT_TIMEOUT);
    server.assert_running();
    assert!(
        ok,
        "the AWS CLI scenario failed:\n{output}\n--- stepfn serve stderr ---\n{}",
        server.stderr()
    );
    println!("{output}");
}

// Faults and bad input over raw HTTP (std's TcpStream, one connection per request).

struct Reply {
    status: u16,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The error's name: `__type` without the `namespace#` that AWS sometimes puts before it.
    fn error_type(&self) -> Option<String> {
        let value = self.json()?;
        let name = value.get("__type")?.as_str()?;
        Some(name.rsplit('#').next().unwrap_or(name).to_string())
    }

    fn text(&self) -> String {
        let text = String::from_utf8_lossy(&self.body);
        if text.len() > 300 {
            format!("{}... ({} bytes)", &text[..300], text.len())
        } else {
            text.into_owned()
        }
    }
}

/// POSTs `body` to `/` with `X-Amz-Target: target` (none when `None`).
fn post(port: u16, target: Option<&str>, body: &[u8]) -> Reply {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).expect("the server accepts a connection");
    stream.set_read_timeout(Some(REQUEST_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(REQUEST_TIMEOUT)).unwrap();
    let mut head = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-amz-json-1.0\r\n\
         Content-Length: {}\r\nConnection: close\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/states/aws4_request, \
         SignedHeaders=host;x-amz-date;x-amz-target, Signature=0000\r\nX-Amz-Date: 20260101T000000Z\r\n",
        body.len()
    );
    if let Some(target) = target {
        head.push_str(&format!("X-Amz-Target: {target}\r\n"));
    }
    head.push_str("\r\n");
    // A server may answer an oversized body before reading all of it and close: a failed write is fine as long
    // as the answer can be read.
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body));
    let mut raw = Vec::new();
    if let Err(error) = stream.read_to_end(&mut raw) {
        assert!(
            !raw.is_empty(),
            "no answer to {target:?} with a {}-byte body: {error}",
            body.len()
        );
    }
    parse_response(&raw)
        .unwrap_or_else(|| panic!("not an HTTP response: {:?}", String::from_utf8_lossy(&raw)))
}

fn parse_response(raw: &[u8]) -> Option<Reply> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut chunked = false;
    let mut length = None;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "content-length" => length = value.parse::<usize>().ok(),
            _ => {}
        }
    }
    if chunked {
        let mut decoded = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
            let size_text = std::str::from_utf8(&rest[..line_end]).ok()?;
            let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            decoded.extend_from_slice(rest.get(..size)?);
            rest = rest.get(size + 2..)?;
        }
        body = decoded;
    } else if let Some(length) = length {
        body.truncate(length);
    }
    Some(Reply { status, body })
}

/// Asserts a 4xx answer whose JSON body names an error in `__type`; returns the name.
#[track_caller]
fn assert_client_error(reply: &Reply, what: &str) -> String {
    assert!(
        (400..500).contains(&reply.status),
        "{what}: expected HTTP 4xx, got {}: {}",
        reply.status,
        reply.text()
    );
    let name = reply.error_type().unwrap_or_else(|| {
        panic!(
            "{what}: HTTP {} without a JSON `__type`: {}",
            reply.status,
            reply.text()
        )
    });
    assert!(!name.is_empty(), "{what}: empty __type");
    name
}

const TARGET: &str = "AWSStepFunctions.";

fn target(operation: &str) -> String {
    format!("{TARGET}{operation}")
}

/// A small deterministic generator (xorshift64*), so a failing garbage body can be reproduced from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Operations whose every call needs a parameter: garbage for them can never be a valid request.
const NEEDS_PARAMETERS: &[&str] = &[
    "CreateStateMachine",
    "DescribeStateMachine",
    "UpdateStateMachine",
    "DeleteStateMachine",
    "ValidateStateMachineDefinition",
    "StartExecution",
    "StartSyncExecution",
    "DescribeExecution",
    "StopExecution",
    "GetExecutionHistory",
    "DescribeStateMachineForExecution",
    "RedriveExecution",
    "TestState",
];

/// One garbage request: a target (mostly a real operation that needs parameters) and a body that is never a valid
/// request for it.
fn garbage(rng: &mut Rng) -> (String, Vec<u8>) {
    let operation = if rng.below(10) == 0 {
        let letters: String = (0..1 + rng.below(30))
            .map(|_| (b'A' + rng.below(26) as u8) as char)
            .collect();
        format!("{TARGET}Garbage{letters}")
    } else {
        target(NEEDS_PARAMETERS[rng.below(NEEDS_PARAMETERS.len())])
    };
    let wrong_values = [
        json!(12345),
        json!(-1.5e300),
        json!(true),
        json!(null),
        json!([1, "two", {"three": 3}]),
        json!({"nested": {"deeper": []}}),
    ];
    let body = match rng.below(7) {
        // Random bytes.
        0 => {
            let len = rng.below(512);
            rng.bytes(len)
        }
        // Random printable text, often JSON-looking punctuation.
        1 => (0..rng.below(256))
            .map(|_| b"{}[]\":,0123456789abcdefnulltrue \\"[rng.below(33)])
            .collect(),
        // A valid request cut short.
        2 => {
            let full = json!({
                "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x",
                "executionArn": "arn:aws:states:us-east-1:123456789012:execution:x:y",
                "name": "x", "definition": "{}", "roleArn": "arn:aws:iam::123456789012:role/r",
                "input": "{}"
            })
            .to_string()
            .into_bytes();
            let cut = 1 + rng.below(full.len() - 1);
            full[..cut].to_vec()
        }
        // JSON that is not an object.
        3 => wrong_values[rng.below(wrong_values.len())]
            .to_string()
            .into_bytes(),
        // Every parameter the operations need, with the wrong type.
        4 => {
            let mut object = serde_json::Map::new();
            for key in [
                "stateMachineArn",
                "executionArn",
                "definition",
                "name",
                "roleArn",
                // TestState's and RedriveExecution's own.
                "input",
                "mock",
                "variables",
                "context",
                "stateName",
                "stateConfiguration",
                "inspectionLevel",
                "clientToken",
            ] {
                object.insert(
                    key.to_string(),
                    wrong_values[rng.below(wrong_values.len())].clone(),
                );
            }
            Value::Object(object).to_string().into_bytes()
        }
        // Nesting far deeper than any limit.
        5 => {
            let depth = 1_000 + rng.below(100_000);
            let mut body = b"{\"stateMachineArn\":".to_vec();
            body.extend(std::iter::repeat_n(b'[', depth));
            body.extend(std::iter::repeat_n(b']', depth));
            body.push(b'}');
            body
        }
        // Invalid UTF-8 inside strings.
        _ => {
            let mut body = b"{\"stateMachineArn\": \"arn:aws:states:".to_vec();
            body.extend([0xff, 0xfe, 0xc3, 0x28]);
            body.extend(rng.bytes(8));
            body.extend(b"\", \"executionArn\": \"\xed\xa0\x80\", \"definition\": \"\xc0\xaf\"}");
            body
        }
    };
    (operation, body)
}

#[test]
fn faults_and_bad_input_get_aws_errors_and_the_server_keeps_serving() {
    let mut server = Server::start("faults", &["--virtual-time"]);
    let port = server.port;
    let ok = |reply: &Reply, what: &str| {
        assert_eq!(reply.status, 200, "{what}: {}", reply.text());
        reply
            .json()
            .unwrap_or_else(|| panic!("{what}: not JSON: {}", reply.text()))
    };

    let listed = ok(
        &post(port, Some(&target("ListStateMachines")), b"{}"),
        "ListStateMachines",
    );
    assert!(listed["stateMachines"].is_array(), "{listed}");

    let name = assert_client_error(
        &post(
            port,
            Some(&target("CreateStateMachine")),
            b"{\"name\": \"x\", ",
        ),
        "malformed JSON",
    );
    println!("malformed JSON -> {name}");

    let name = assert_client_error(&post(port, None, b"{}"), "no X-Amz-Target");
    println!("no X-Amz-Target -> {name}");

    let name = assert_client_error(
        &post(port, Some(&target("NoSuchOperation")), b"{}"),
        "unknown target",
    );
    assert_eq!(name, "UnknownOperationException", "unknown operation");
    let name = assert_client_error(
        &post(port, Some("SomeOtherService.ListStateMachines"), b"{}"),
        "another service's target",
    );
    println!("unknown operation -> UnknownOperationException; another service's prefix -> {name}");

    let name = assert_client_error(
        &post(port, Some(&target("DescribeStateMachine")), b"{}"),
        "missing stateMachineArn",
    );
    assert_eq!(name, "ValidationException", "a missing required parameter");
    let name = assert_client_error(
        &post(
            port,
            Some(&target("StartExecution")),
            b"{\"input\": \"{}\"}",
        ),
        "StartExecution without stateMachineArn",
    );
    assert_eq!(name, "ValidationException", "a missing required parameter");
    let name = assert_client_error(
        &post(
            port,
            Some(&target("DescribeStateMachine")),
            b"{\"stateMachineArn\": 42}",
        ),
        "mistyped stateMachineArn",
    );
    println!("missing parameter -> ValidationException; mistyped parameter -> {name}");

    // A valid machine, for the oversized input.
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}});
    let create = |name: &str, definition: &str| {
        json!({
            "name": name,
            "definition": definition,
            "roleArn": "arn:aws:iam::123456789012:role/stepfn-serve-test"
        })
        .to_string()
    };
    let created = ok(
        &post(
            port,
            Some(&target("CreateStateMachine")),
            create("faults", &definition.to_string()).as_bytes(),
        ),
        "CreateStateMachine",
    );
    let machine = created["stateMachineArn"].as_str().unwrap().to_string();

    // A definition over AWS's 1 MiB limit (valid JSON, a long Comment).
    let huge = json!({"Comment": "x".repeat(2 << 20), "StartAt": "P",
                      "States": {"P": {"Type": "Pass", "End": true}}});
    let name = assert_client_error(
        &post(
            port,
            Some(&target("CreateStateMachine")),
            create("huge", &huge.to_string()).as_bytes(),
        ),
        "a 2 MiB definition",
    );
    println!("2 MiB definition -> {name}");

    // An input over AWS's 256 KiB limit.
    let input = json!({"blob": "y".repeat(300 << 10)}).to_string();
    let name = assert_client_error(
        &post(
            port,
            Some(&target("StartExecution")),
            json!({"stateMachineArn": machine, "input": input})
                .to_string()
                .as_bytes(),
        ),
        "a 300 KiB input",
    );
    println!("300 KiB input -> {name}");

    let seed = 0x5EED_0011_u64;
    let mut rng = Rng(seed);
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for i in 0..2_000 {
        let (operation, body) = garbage(&mut rng);
        let reply = post(port, Some(&operation), &body);
        let name = assert_client_error(
            &reply,
            &format!(
                "garbage request {i} (seed {seed:#x}) to {operation}: {:?}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            ),
        );
        *seen.entry(name).or_default() += 1;
    }
    println!("2,000 garbage requests -> {seen:?}");

    server.assert_running();
    let listed = ok(
        &post(port, Some(&target("ListStateMachines")), b"{}"),
        "ListStateMachines after the faults",
    );
    let arns: Vec<&str> = listed["stateMachines"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["stateMachineArn"].as_str())
        .collect();
    assert_eq!(arns, [machine.as_str()], "the machines after the faults");
    println!("ListStateMachines still answers, with the one valid machine");
}

/// Whether a result is AWS's recorded one: the same output for a success, the same error name for a failure (the
/// rule of engine/tests/conformance.rs).
fn as_aws_recorded(
    case: &Value,
    status: &str,
    output: Option<&Value>,
    error: Option<&str>,
) -> bool {
    let expected = &case["expected"];
    match (expected["status"].as_str(), status) {
        (Some("SUCCEEDED"), "SUCCEEDED") => output == Some(&expected["output"]),
        (Some("FAILED"), "FAILED") => error == expected["error"].as_str(),
        _ => false,
    }
}

/// The AWS-recorded cases pass through the service, with boto3, exactly as they pass in process.
#[test]
fn aws_recorded_cases_pass_through_the_service_as_in_process() {
    let Some(text) = shared_data::aws_recorded() else {
        return;
    };
    let Some(venv) = client_venv("boto3", None) else {
        return;
    };
    let cases: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let cases_file =
        std::env::temp_dir().join(format!("stepfn-conformance-{}.jsonl", std::process::id()));
    std::fs::write(&cases_file, &text).unwrap();
    let mut server = Server::start("conformance", &["--virtual-time"]);
    let mut command = Command::new(venv.join("bin/python"));
    command
        .arg(script("conformance.py"))
        .arg(&server.url)
        .arg(&cases_file);
    let (ok, output) = run_with_timeout(command, SCRIPT_TIMEOUT);
    let _ = std::fs::remove_file(&cases_file);
    server.assert_running();
    assert!(
        ok,
        "the conformance script failed:\n{output}\n--- stepfn serve stderr ---\n{}",
        server.stderr()
    );
    let served: Vec<Value> = output
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(served.len(), cases.len(), "one result per case:\n{output}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut differences = Vec::new();
    let mut passed = 0;
    for (case, result) in cases.iter().zip(&served) {
        let through_service = as_aws_recorded(
            case,
            result["status"].as_str().unwrap_or_default(),
            result.get("output").filter(|o| !o.is_null()),
            result["error"].as_str(),
        );
        let machine = stepfn_engine::Machine::from_json(&case["definition"].to_string()).unwrap();
        let options = stepfn_engine::Options {
            virtual_time: true,
            ..Default::default()
        };
        let outcome = runtime.block_on(machine.run(case["input"].clone(), &options));
        let in_process = as_aws_recorded(
            case,
            outcome.status.as_str(),
            outcome.output.as_ref(),
            outcome.error.as_deref(),
        );
        passed += usize::from(through_service);
        if through_service != in_process {
            differences.push(format!(
                "{}: through the service {through_service}, in process {in_process}",
                case["id"]
            ));
        }
    }
    println!(
        "{passed} of {} AWS-recorded cases pass through the service",
        cases.len()
    );
    assert!(
        differences.is_empty(),
        "cases that pass one way and not the other:\n{}",
        differences.join("\n")
    );
    assert!(
        passed * 100 >= cases.len() * 98,
        "only {passed} of {} pass",
        cases.len()
    );
}
