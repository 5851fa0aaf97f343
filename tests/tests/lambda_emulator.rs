//! End to end under cargo-lambda's Runtime API emulator: the real `lambda_runtime` client in a stepfn binary polls
//! `cargo lambda watch --only-lambda-apis`, and the test invokes the function over the emulator's invoke API.
//!
//! In `--only-lambda-apis` mode the emulator serves only the Runtime API and the invoke API and starts no function:
//! the test starts the binary itself, with `AWS_LAMBDA_RUNTIME_API=http://127.0.0.1:PORT/.rt/FUNCTION` (the
//! emulator routes `/.rt/FUNCTION/2018-06-01/runtime/...` to the function named `FUNCTION`, which must be a binary
//! of the Cargo workspace, or `_` for the bare `/.rt`) and invokes it with
//! `POST http://127.0.0.1:PORT/2015-03-31/functions/FUNCTION/invocations`.
//!
//! cargo-lambda is looked up at `STEPFN_CARGO_LAMBDA` when that is set, otherwise at `.tools/venv/bin/cargo-lambda`
//! (as `scripts/test` installs it) and on `PATH`. Without it the tests print a notice and pass, unless
//! `STEPFN_REQUIRE_TOOLS=1`, when they fail.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stepfn_tests::{find_tool, repo_root};

/// How long the emulator may take to listen (it runs `cargo metadata` first).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one invocation may take, queueing until the function polls included.
const INVOKE_TIMEOUT: Duration = Duration::from_secs(30);

/// The cargo-lambda binary (`STEPFN_CARGO_LAMBDA`, `.tools/venv`, then `PATH`), or `None` after a notice when it is
/// missing and tools are not required.
fn cargo_lambda() -> Option<PathBuf> {
    let file_name = format!("cargo-lambda{}", std::env::consts::EXE_SUFFIX);
    let candidates: Vec<PathBuf> =
        match std::env::var_os("STEPFN_CARGO_LAMBDA").filter(|p| !p.is_empty()) {
            Some(path) => vec![PathBuf::from(path)],
            None => {
                let mut candidates = vec![repo_root().join(".tools/venv/bin").join(&file_name)];
                if let Some(path) = std::env::var_os("PATH") {
                    candidates.extend(std::env::split_paths(&path).map(|dir| dir.join(&file_name)));
                }
                candidates
            }
        };
    find_tool("cargo-lambda", &candidates)
}

/// The directory Cargo put this package's binaries in, e.g. `target/debug`.
fn profile_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_fixture_lambda"))
        .parent()
        .expect("a binary lives in a directory")
        .to_path_buf()
}

/// The message-pipeline binary, built for the profile (and target) this test was built for. `cargo test` builds
/// only the example's library (a dev-dependency), never its binary, so build it here: never run a stale one.
fn message_pipeline_binary() -> PathBuf {
    let dir = profile_dir();
    let binary = dir.join(format!("message-pipeline{}", std::env::consts::EXE_SUFFIX));
    let target_dir = dir
        .ancestors()
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf);
    if let Some(target_dir) = target_dir {
        let profile = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a profile directory name");
        let profile = if profile == "debug" { "dev" } else { profile };
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build.args([
            "build",
            "-p",
            "message-pipeline",
            "--bin",
            "message-pipeline",
            "--profile",
            profile,
        ]);
        build
            .arg("--target-dir")
            .arg(&target_dir)
            .current_dir(repo_root());
        // `target/<triple>/<profile>` when the tests were built with `--target`.
        let parent = dir.parent().expect("a profile directory has a parent");
        if parent != target_dir {
            build
                .arg("--target")
                .arg(parent.file_name().expect("a target triple directory"));
        }
        let status = build.status().expect("cargo runs");
        assert!(status.success(), "`{build:?}` failed: {status}");
    }
    assert!(
        binary.is_file(),
        "{} does not exist: run `cargo build -p message-pipeline`",
        binary.display()
    );
    binary
}

/// A free port on 127.0.0.1 (free when asked; the emulator start retries if it is taken meanwhile).
fn free_port() -> u16 {
    let listener =
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind an ephemeral port on 127.0.0.1");
    listener
        .local_addr()
        .expect("a bound listener has an address")
        .port()
}

/// A child process and what it printed.
struct Process {
    name: String,
    child: Child,
    log: Arc<Mutex<String>>,
}

/// The processes a test started. Dropping it kills and reaps all of them, on every exit path; when the test is
/// failing it also prints their output.
#[derive(Default)]
struct Processes(Vec<Process>);

impl Processes {
    /// Starts `command` with its output captured.
    fn spawn(&mut self, name: &str, mut command: Command) -> u32 {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} (`{command:?}`): {e}"));
        let log = Arc::new(Mutex::new(String::new()));
        let stdout = child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        let stderr = child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>);
        for stream in [stdout, stderr].into_iter().flatten() {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        let pid = child.id();
        self.0.push(Process {
            name: name.to_owned(),
            child,
            log,
        });
        pid
    }

    fn get(&mut self, name: &str) -> &mut Process {
        self.0
            .iter_mut()
            .rev()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no process {name}"))
    }

    /// Whether the process is still running.
    fn running(&mut self, name: &str) -> bool {
        matches!(self.get(name).child.try_wait(), Ok(None))
    }

    fn assert_running(&mut self, name: &str) {
        let process = self.get(name);
        if let Ok(Some(status)) = process.child.try_wait() {
            let log = process
                .log
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            panic!("{name} exited ({status}); its output:\n{log}");
        }
    }

    /// Starts cargo-lambda's emulator in `--only-lambda-apis` mode on a free port of 127.0.0.1, waits until it
    /// accepts connections, and returns the port.
    fn start_emulator(&mut self, cargo_lambda: &Path) -> u16 {
        for attempt in 1..=3 {
            let port = free_port();
            let name = format!("cargo-lambda (attempt {attempt})");
            let mut command = Command::new(cargo_lambda);
            command.args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "--ignore-changes",
                "-A",
                "127.0.0.1",
                "-P",
            ]);
            // In the workspace: the emulator reads `cargo metadata` for the function names it accepts.
            command.arg(port.to_string()).current_dir(repo_root());
            self.spawn(&name, command);
            let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            let deadline = Instant::now() + STARTUP_TIMEOUT;
            while Instant::now() < deadline && self.running(&name) {
                if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                    return port;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let process = self.get(&name);
            if matches!(process.child.try_wait(), Ok(None)) {
                panic!("cargo-lambda did not listen on {address} within {STARTUP_TIMEOUT:?}");
            }
            let log = process
                .log
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            eprintln!("cargo-lambda exited before listening on {address}; output:\n{log}");
        }
        panic!("cargo-lambda failed to start three times; see its output above");
    }

    /// Starts a Lambda binary as the emulator's function `function`, serving the step `handler` names; returns its
    /// process id.
    fn start_function(&mut self, port: u16, function: &str, binary: &Path, handler: &str) -> u32 {
        let mut command = Command::new(binary);
        command
            .env(
                "AWS_LAMBDA_RUNTIME_API",
                format!("http://127.0.0.1:{port}/.rt/{function}"),
            )
            .env("AWS_LAMBDA_FUNCTION_NAME", function)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("_HANDLER", handler);
        self.spawn(function, command)
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        for process in self.0.iter_mut().rev() {
            let _ = process.child.kill();
            let _ = process.child.wait();
        }
        if std::thread::panicking() {
            for process in &self.0 {
                let log = process.log.lock().unwrap_or_else(|e| e.into_inner());
                eprintln!("----- output of {} -----\n{log}", process.name);
            }
        }
    }
}

/// HTTP response headers, names lower-cased.
type Headers = Vec<(String, String)>;

/// An answer of the emulator's invoke API.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Headers,
    body: Value,
}

impl Answer {
    /// A function error: cargo-lambda answers it with status 500; AWS's Invoke API with 200 and
    /// `X-Amz-Function-Error`.
    fn is_function_error(&self) -> bool {
        !(200..300).contains(&self.status)
            || self
                .headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("x-amz-function-error"))
    }

    /// The response of a successful invocation.
    fn ok(&self) -> &Value {
        assert!(!self.is_function_error(), "the invocation failed: {self:?}");
        &self.body
    }

    /// `(errorType, errorMessage)` of a failed invocation.
    fn error(&self) -> (&str, &str) {
        assert!(
            self.is_function_error(),
            "the invocation succeeded: {self:?}"
        );
        let field = |key: &str| {
            self.body[key]
                .as_str()
                .unwrap_or_else(|| panic!("no string `{key}` in the error payload: {self:?}"))
        };
        (field("errorType"), field("errorMessage"))
    }
}

/// Invokes `function` on the emulator at `port` with `event`.
fn invoke(port: u16, function: &str, event: &Value) -> Answer {
    let path = format!("/2015-03-31/functions/{function}/invocations");
    let (status, headers, body) = post(port, &path, event.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("POST {path} with {event} failed: {e}"));
    let body = serde_json::from_slice(&body).unwrap_or_else(|e| {
        panic!(
            "the answer to {event} is not JSON ({e}): status {status}, {:?}",
            String::from_utf8_lossy(&body)
        )
    });
    Answer {
        status,
        headers,
        body,
    }
}

/// A minimal HTTP/1.1 POST: one request per connection, the response read to the end.
fn post(port: u16, path: &str, body: &[u8]) -> std::io::Result<(u16, Headers, Vec<u8>)> {
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let mut stream = TcpStream::connect_timeout(
        &SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        INVOKE_TIMEOUT,
    )?;
    stream.set_read_timeout(Some(INVOKE_TIMEOUT))?;
    stream.set_write_timeout(Some(INVOKE_TIMEOUT))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| invalid("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut rest = raw[split + 4..].to_vec();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid("no status line"))?;
    let headers: Headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        rest = dechunk(&rest).ok_or_else(|| invalid("bad chunked body"))?;
    } else if let Some(length) = header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        rest.truncate(length);
    }
    Ok((status, headers, rest))
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let end = data.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&data[..end])
            .ok()?
            .split(';')
            .next()?
            .trim();
        let size = usize::from_str_radix(size, 16).ok()?;
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(data.get(end + 2..end + 2 + size)?);
        data = data.get(end + 4 + size..)?;
    }
}

fn assert_seed_answer(answer: &Answer) {
    let response = answer.ok();
    assert_eq!(
        response,
        &json!({"statusCode": 200, "body": "{\"processed_message\": \"HELLO\"}"})
    );
    let body: Value = serde_json::from_str(response["body"].as_str().expect("a string body"))
        .expect("a JSON body");
    assert_eq!(body, json!({"processed_message": "HELLO"}));
}

#[test]
fn message_pipeline_serves_its_step_under_the_emulator() {
    let Some(cargo_lambda) = cargo_lambda() else {
        return;
    };
    let binary = message_pipeline_binary();
    let mut processes = Processes::default();
    let port = processes.start_emulator(&cargo_lambda);
    let function = "message-pipeline";
    processes.start_function(port, function, &binary, "uppercase_message");

    let seed = json!({"body": "{\"message\": \"hello\"}"});
    assert_seed_answer(&invoke(port, function, &seed));

    let malformed = invoke(port, function, &json!({"body": "not json"}));
    let (error_type, message) = malformed.error();
    assert_eq!(error_type, "InvalidBody", "{malformed:?}");
    assert!(
        message.contains("the body must be a JSON object with a string `message`"),
        "{message}"
    );
    assert!(
        message.contains("expected ident at line 1 column 2"),
        "the serde_json reason: {message}"
    );

    let missing = invoke(port, function, &json!({}));
    let (error_type, message) = missing.error();
    assert_eq!(error_type, "Stepfn.InvalidInput", "{missing:?}");
    assert!(
        message.contains("missing field `body`"),
        "the message names the field: {message}"
    );
    assert!(
        message.contains("UppercaseMessage"),
        "the message names the step: {message}"
    );

    processes.assert_running(function);
    assert_seed_answer(&invoke(port, function, &seed));
    processes.assert_running(function);
}

#[test]
fn a_panicking_step_is_an_error_and_the_process_serves_on() {
    let Some(cargo_lambda) = cargo_lambda() else {
        return;
    };
    let mut processes = Processes::default();
    let port = processes.start_emulator(&cargo_lambda);
    let function = "fixture_lambda";
    // A single-step workflow also answers to the default handler setting, `bootstrap`.
    let pid = processes.start_function(
        port,
        function,
        Path::new(env!("CARGO_BIN_EXE_fixture_lambda")),
        "bootstrap",
    );

    let before = invoke(port, function, &json!({"text": "before"}));
    let before = before.ok();
    assert_eq!(before["echo"], "before");
    assert_eq!(
        before["pid"], pid,
        "answered by the process the test started"
    );
    assert!(
        before["request_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "a request id: {before}"
    );

    let panicked = invoke(port, function, &json!({"text": "boom", "panic": true}));
    let (error_type, message) = panicked.error();
    assert_eq!(error_type, "Stepfn.Panic", "{panicked:?}");
    assert!(
        message.contains("step Echo panicked"),
        "the message names the step: {message}"
    );
    assert!(
        message.contains("the fixture was asked to panic: boom"),
        "the panic message: {message}"
    );

    processes.assert_running(function);
    let after = invoke(port, function, &json!({"text": "after"}));
    let after = after.ok();
    assert_eq!(after["echo"], "after");
    assert_eq!(
        after["pid"], pid,
        "the same process answers after the panic"
    );
    assert_ne!(
        after["request_id"], before["request_id"],
        "each invocation has its own request id"
    );
    processes.assert_running(function);
}

/// The fixture built with `panic = "abort"`, as `cargo lambda build --release` builds by default, in a target
/// directory of its own.
fn fixture_built_to_abort() -> PathBuf {
    let target_dir = stepfn_tests::target_dir().join("stepfn-panic-abort");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args([
            "build",
            "-p",
            "stepfn-tests",
            "--bin",
            "fixture_lambda",
            "--config",
            "profile.dev.panic=\"abort\"",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(repo_root());
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "`{build:?}` failed: {status}");
    target_dir
        .join("debug")
        .join(format!("fixture_lambda{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn a_panic_under_panic_abort_is_still_reported_and_a_new_process_serves_on() {
    let Some(cargo_lambda) = cargo_lambda() else {
        return;
    };
    let binary = fixture_built_to_abort();
    let mut processes = Processes::default();
    let port = processes.start_emulator(&cargo_lambda);
    let function = "fixture_lambda";
    processes.start_function(port, function, &binary, "bootstrap");

    let panicked = invoke(port, function, &json!({"text": "boom", "panic": true}));
    let (error_type, message) = panicked.error();
    assert_eq!(error_type, "Stepfn.Panic", "{panicked:?}");
    assert!(
        message.contains("step Echo panicked: the fixture was asked to panic: boom"),
        "{message}"
    );

    // The process aborted, as Lambda's would; Lambda starts a fresh one, which serves the next invocation.
    let deadline = Instant::now() + Duration::from_secs(10);
    while processes.running(function) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !processes.running(function),
        "a panic under panic = \"abort\" ends the process"
    );
    let pid = processes.start_function(port, function, &binary, "bootstrap");
    let after = invoke(port, function, &json!({"text": "after"}));
    let after = after.ok();
    assert_eq!(after["echo"], "after");
    assert_eq!(after["pid"], pid);
}

/// The README's main job: the example binary runs its workflow locally with the real step and prints the trace (on
/// stderr, with `--trace`) and the result line (on stdout).
#[test]
fn the_example_binary_runs_its_workflow_locally() {
    let output = Command::new(message_pipeline_binary())
        .args([
            "run",
            r#"{"body": "{\"message\": \"hello world\"}"}"#,
            "--trace",
        ])
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .expect("the example binary runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("TaskStateEntered") && stderr.contains("UppercaseMessage"),
        "{stderr}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some(
            r#"{"status":"SUCCEEDED","output":{"statusCode":200,"body":"{\"processed_message\": \"HELLO WORLD\"}"}}"#
        )
    );
    let bad = Command::new(message_pipeline_binary())
        .args(["run", r#"{"body": "not json"}"#])
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .expect("the example binary runs");
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stdout).contains(r#""error":"InvalidBody""#));
}

/// The example as `cargo lambda build` builds it: cargo-lambda reads the crate's `[package.metadata.lambda.build]`
/// (`no_default_features = true`), so stepfn's `local` feature is off. A debug build (cargo-lambda's release
/// settings only add optimizations), linked by cargo rather than zig, into a folder of its own.
fn message_pipeline_as_cargo_lambda_builds_it(cargo_lambda: &Path) -> PathBuf {
    let lambda_dir = stepfn_tests::target_dir().join("stepfn-lambda-build");
    let mut build = Command::new(cargo_lambda);
    build
        .args([
            "lambda",
            "build",
            "--compiler",
            "cargo",
            "-p",
            "message-pipeline",
            "--lambda-dir",
        ])
        .arg(&lambda_dir)
        .current_dir(repo_root());
    let status = build.status().expect("cargo-lambda runs");
    assert!(status.success(), "`{build:?}` failed: {status}");
    lambda_dir.join("message-pipeline").join("bootstrap")
}

#[test]
fn the_binary_cargo_lambda_builds_serves_its_step_and_has_no_command_line() {
    let Some(cargo_lambda) = cargo_lambda() else {
        return;
    };
    let binary = message_pipeline_as_cargo_lambda_builds_it(&cargo_lambda);
    let outside = Command::new(&binary)
        .args(["run", "{}"])
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .expect("the Lambda binary runs");
    let stderr = String::from_utf8_lossy(&outside.stderr);
    assert_eq!(outside.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("built without stepfn's `local` feature"),
        "the binary was built without the local executor: {stderr}"
    );

    let mut processes = Processes::default();
    let port = processes.start_emulator(&cargo_lambda);
    let function = "message-pipeline";
    processes.start_function(port, function, &binary, "uppercase_message");
    assert_seed_answer(&invoke(
        port,
        function,
        &json!({"body": "{\"message\": \"hello\"}"}),
    ));
    let missing = invoke(port, function, &json!({"text": "no body"}));
    let (error_type, message) = missing.error();
    assert_eq!(error_type, "Stepfn.InvalidInput", "{missing:?}");
    assert!(
        message.contains("step UppercaseMessage cannot read its input: missing field `body`"),
        "{message}"
    );
    processes.assert_running(function);
}

/// `stepfn serve --lambda-endpoint`: a Task whose function is not a served step is invoked at the emulator's Lambda
/// Invoke API; the function's answer is the task's result (wrapped in `Payload` for `lambda:invoke`), and its error
/// fails the state with the function's `errorType`, which a `Catch` takes.
#[test]
fn stepfn_serve_invokes_functions_at_the_lambda_endpoint() {
    let Some(cargo_lambda) = cargo_lambda() else {
        return;
    };
    let binary = message_pipeline_binary();
    let mut processes = Processes::default();
    let port = processes.start_emulator(&cargo_lambda);
    let function = "message-pipeline";
    processes.start_function(port, function, &binary, "uppercase_message");

    let data_dir =
        std::env::temp_dir().join(format!("stepfn-lambda-endpoint-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let endpoint =
        stepfn_serve::lambda_endpoint::LambdaEndpoint::parse(&format!("http://127.0.0.1:{port}"))
            .expect("an endpoint");
    let bound = runtime
        .block_on(stepfn_serve::bind(stepfn_serve::Config {
            port: 0,
            data_dir: data_dir.clone(),
            lambda_endpoint: Some(endpoint),
            ..stepfn_serve::Config::default()
        }))
        .expect("stepfn serve binds");
    let address = bound.address;
    runtime.spawn(bound.serve());
    let call = |operation: &str, request: Value| -> Value {
        let (status, answer) =
            stepfn_serve::client::call(address, operation, &request).expect("the service answers");
        assert_eq!(status, 200, "{operation}: {answer}");
        answer
    };
    let arn = format!("arn:aws:lambda:us-east-1:123456789012:function:{function}");
    let definition = json!({"StartAt": "Upper", "States": {
        "Upper": {"Type": "Task", "Resource": arn, "Next": "Invoke",
                  "Catch": [{"ErrorEquals": ["InvalidBody"], "ResultPath": "$.error", "Next": "Rejected"}]},
        "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {"FunctionName": function, "Payload": {"body": "{\"message\": \"again\"}"}},
                   "End": true},
        "Rejected": {"Type": "Pass", "End": true}}});
    let machine = call(
        "CreateStateMachine",
        json!({"name": "Remote", "definition": definition.to_string(), "type": "EXPRESS",
               "roleArn": "arn:aws:iam::123456789012:role/r"}),
    )["stateMachineArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let run = |input: Value| -> Value {
        call(
            "StartSyncExecution",
            json!({"stateMachineArn": machine, "input": input.to_string()}),
        )
    };

    let done = run(json!({"body": "{\"message\": \"hello\"}"}));
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    let output: Value = serde_json::from_str(done["output"].as_str().unwrap()).unwrap();
    assert_eq!(output["StatusCode"], 200, "{output}");
    assert_eq!(
        output["Payload"],
        json!({"statusCode": 200, "body": "{\"processed_message\": \"AGAIN\"}"})
    );

    let rejected = run(json!({"body": "not json"}));
    assert_eq!(rejected["status"], "SUCCEEDED", "{rejected}");
    let output: Value = serde_json::from_str(rejected["output"].as_str().unwrap()).unwrap();
    assert_eq!(output["error"]["Error"], "InvalidBody", "{output}");
    let cause: Value = serde_json::from_str(output["error"]["Cause"].as_str().unwrap()).unwrap();
    assert!(
        cause["errorMessage"]
            .as_str()
            .unwrap()
            .contains("the body must be a JSON object with a string `message`"),
        "{cause}"
    );
    drop(runtime);
    let _ = std::fs::remove_dir_all(&data_dir);
}
