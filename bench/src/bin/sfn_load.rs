//! A load generator for Step Functions endpoints (`stepfn serve`, moto's server, anything that speaks awsJson1.0),
//! driven by `bench/serve_vs_moto.py`: `--clients` keep-alive connections, each sending its next request as soon as
//! the last one is answered, so the same client drives every server and costs little CPU itself (HTTP/1.1 by hand
//! over tokio's TCP, one small task per connection).
//!
//! ```text
//! sfn_load --endpoint 127.0.0.1:8083 --mode start-wait|sync [--executions 10000] [--clients 64] [--threads 1]
//!          [--warmup 0] [--machine-name chain] [--states 10]
//! ```
//!
//! It creates the machine (a chain of `--states` Pass states; STANDARD for start-wait, EXPRESS for sync), then runs
//! `--warmup` executions on the same connections (not measured), then `--executions` executions and prints one JSON line: `executions`, `errors`, `seconds`, `per_second`, `p50_ms`,
//! `p99_ms`, `max_ms`, `requests` and the first error, if any.
//! - start-wait: StartExecution, then DescribeExecution until the status is not RUNNING: at once, then every
//!   millisecond. The latency runs from the start request to the answer that shows the end.
//! - sync: StartSyncExecution; the latency is that call's.
//!
//! Every request carries an `Authorization` header of SigV4's shape (never checked by either server; moto reads the
//! service, `states`, from its credential scope).

use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Args {
    endpoint: String,
    mode: Mode,
    executions: usize,
    warmup: usize,
    clients: usize,
    threads: usize,
    machine_name: String,
    states: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    StartWait,
    Sync,
}

fn args() -> Result<Args, String> {
    let mut args = Args {
        endpoint: String::new(),
        mode: Mode::StartWait,
        executions: 10_000,
        warmup: 0,
        clients: 64,
        threads: 1,
        machine_name: format!("chain-{}", std::process::id()),
        states: 10,
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let value = given
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("`{flag}` takes a number, not `{value}`"))
        };
        match flag.as_str() {
            "--endpoint" => args.endpoint = value.trim_start_matches("http://").to_owned(),
            "--mode" => {
                args.mode = match value.as_str() {
                    "start-wait" => Mode::StartWait,
                    "sync" => Mode::Sync,
                    _ => return Err(format!("--mode is start-wait or sync, not `{value}`")),
                }
            }
            "--executions" => args.executions = number()?,
            "--warmup" => args.warmup = number()?,
            "--clients" => args.clients = number()?.max(1),
            "--threads" => args.threads = number()?.max(1),
            "--machine-name" => args.machine_name = value,
            "--states" => args.states = number()?.max(1),
            _ => return Err(format!("unknown flag `{flag}`")),
        }
    }
    if args.endpoint.is_empty() {
        return Err("give --endpoint HOST:PORT".into());
    }
    Ok(args)
}

/// One keep-alive connection, reopened when the server closes it.
struct Connection {
    endpoint: String,
    stream: Option<BufReader<TcpStream>>,
    request: Vec<u8>,
    body: Vec<u8>,
}

impl Connection {
    fn new(endpoint: &str) -> Connection {
        Connection {
            endpoint: endpoint.to_owned(),
            stream: None,
            request: Vec::with_capacity(1024),
            body: Vec::with_capacity(4096),
        }
    }

    /// Calls `operation`; the answer's status and JSON body.
    async fn call(&mut self, operation: &str, request: &Value) -> Result<(u16, Value), String> {
        let body = request.to_string();
        self.request.clear();
        // A fixed SigV4-shaped header: neither server checks signatures.
        self.request.extend_from_slice(
            format!(
                "POST / HTTP/1.1\r\nHost: {}\r\nX-Amz-Target: AWSStepFunctions.{operation}\r\n\
                 Content-Type: application/x-amz-json-1.0\r\nX-Amz-Date: 20250101T000000Z\r\n\
                 Authorization: AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/states/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                self.endpoint,
                body.len()
            )
            .as_bytes(),
        );
        // A connection the server closed while idle fails on first use: one retry on a fresh one.
        for attempt in 0..2 {
            let reused = self.stream.is_some();
            match self.exchange().await {
                Ok(answer) => return Ok(answer),
                Err(error) if attempt == 0 && reused => {
                    self.stream = None;
                    let _ = error;
                }
                Err(error) => {
                    self.stream = None;
                    return Err(error);
                }
            }
        }
        unreachable!()
    }

    async fn exchange(&mut self) -> Result<(u16, Value), String> {
        if self.stream.is_none() {
            let tcp = TcpStream::connect(&self.endpoint)
                .await
                .map_err(|e| format!("connect {}: {e}", self.endpoint))?;
            tcp.set_nodelay(true).map_err(|e| e.to_string())?;
            self.stream = Some(BufReader::with_capacity(16 * 1024, tcp));
        }
        let stream = self.stream.as_mut().unwrap();
        stream
            .get_mut()
            .write_all(&self.request)
            .await
            .map_err(|e| format!("write: {e}"))?;
        let mut line = String::new();
        read_line(stream, &mut line).await?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("not an HTTP status line: {line:?}"))?;
        let (mut length, mut chunked, mut close) = (None, false, line.starts_with("HTTP/1.0"));
        loop {
            read_line(stream, &mut line).await?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.eq_ignore_ascii_case("close");
            }
        }
        self.body.clear();
        if chunked {
            loop {
                read_line(stream, &mut line).await?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| format!("bad chunk size {line:?}"))?;
                let start = self.body.len();
                self.body.resize(start + size, 0);
                read_exact(stream, &mut self.body[start..]).await?;
                read_line(stream, &mut line).await?;
                if size == 0 {
                    break;
                }
            }
        } else if let Some(length) = length {
            self.body.resize(length, 0);
            read_exact(stream, &mut self.body).await?;
        } else {
            stream
                .read_to_end(&mut self.body)
                .await
                .map_err(|e| format!("read: {e}"))?;
            close = true;
        }
        if close {
            self.stream = None;
        }
        let value = serde_json::from_slice(&self.body).unwrap_or(Value::Null);
        Ok((status, value))
    }
}

async fn read_line(stream: &mut BufReader<TcpStream>, line: &mut String) -> Result<(), String> {
    line.clear();
    match stream.read_line(line).await {
        Ok(0) => Err("the server closed the connection".into()),
        Ok(_) => Ok(()),
        Err(e) => Err(format!("read: {e}")),
    }
}

async fn read_exact(stream: &mut BufReader<TcpStream>, into: &mut [u8]) -> Result<(), String> {
    stream
        .read_exact(into)
        .await
        .map(drop)
        .map_err(|e| format!("read: {e}"))
}

fn chain(states: usize) -> Value {
    let mut all = serde_json::Map::new();
    for i in 0..states {
        let state = if i + 1 == states {
            json!({"Type": "Pass", "End": true})
        } else {
            json!({"Type": "Pass", "Next": format!("S{}", i + 1)})
        };
        all.insert(format!("S{i}"), state);
    }
    json!({"StartAt": "S0", "States": all})
}

/// What the clients share: the next execution's number, the latencies, the errors.
struct Shared {
    warmup: AtomicUsize,
    /// Every client waits here after the warm-up; the measured part starts when they all have.
    ready: tokio::sync::Barrier,
    began: std::sync::OnceLock<Instant>,
    next: AtomicUsize,
    requests: AtomicUsize,
    latencies: Mutex<Vec<Duration>>,
    errors: AtomicUsize,
    first_error: Mutex<Option<String>>,
}

async fn client(args: Arc<Args>, machine: Arc<str>, shared: Arc<Shared>) {
    let mut connection = Connection::new(&args.endpoint);
    let mut latencies = Vec::with_capacity(args.executions / args.clients + 1);
    let mut requests = 0;
    loop {
        let n = shared.warmup.fetch_add(1, Ordering::Relaxed);
        if n >= args.warmup {
            break;
        }
        let _ = one(&args, &machine, n, "w", &mut connection, &mut requests).await;
    }
    requests = 0;
    if shared.ready.wait().await.is_leader() {
        let _ = shared.began.set(Instant::now());
    }
    loop {
        let n = shared.next.fetch_add(1, Ordering::Relaxed);
        if n >= args.executions {
            break;
        }
        let began = Instant::now();
        let result = one(&args, &machine, n, "e", &mut connection, &mut requests).await;
        match result {
            Ok(()) => latencies.push(began.elapsed()),
            Err(error) => {
                shared.errors.fetch_add(1, Ordering::Relaxed);
                shared.first_error.lock().unwrap().get_or_insert(error);
            }
        }
    }
    shared.requests.fetch_add(requests, Ordering::Relaxed);
    shared.latencies.lock().unwrap().extend(latencies);
}

async fn one(
    args: &Args,
    machine: &str,
    n: usize,
    prefix: &str,
    connection: &mut Connection,
    requests: &mut usize,
) -> Result<(), String> {
    let name = format!("{prefix}-{n}");
    let request =
        json!({"stateMachineArn": machine, "name": name, "input": format!("{{\"n\": {n}}}")});
    let status = match args.mode {
        Mode::Sync => {
            *requests += 1;
            let answer = expect_ok(connection.call("StartSyncExecution", &request).await?)?;
            answer["status"].as_str().unwrap_or_default().to_owned()
        }
        Mode::StartWait => {
            *requests += 1;
            let started = expect_ok(connection.call("StartExecution", &request).await?)?;
            let arn = started["executionArn"]
                .as_str()
                .ok_or_else(|| format!("no executionArn in {started}"))?
                .to_owned();
            let describe = json!({"executionArn": arn});
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                *requests += 1;
                let answer = expect_ok(connection.call("DescribeExecution", &describe).await?)?;
                let status = answer["status"].as_str().unwrap_or_default();
                if status != "RUNNING" {
                    break status.to_owned();
                }
                if Instant::now() > deadline {
                    return Err(format!("{arn} still RUNNING after 60 s"));
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    };
    if status == "SUCCEEDED" {
        Ok(())
    } else {
        Err(format!("execution {name} ended {status:?}"))
    }
}

fn expect_ok((status, answer): (u16, Value)) -> Result<Value, String> {
    if status == 200 {
        Ok(answer)
    } else {
        Err(format!("HTTP {status}: {answer}"))
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

fn main() -> std::process::ExitCode {
    let args = match args() {
        Ok(args) => Arc::new(args),
        Err(message) => {
            eprintln!("sfn_load: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async move {
        let kind = match args.mode {
            Mode::StartWait => "STANDARD",
            Mode::Sync => "EXPRESS",
        };
        let create = json!({
            "name": args.machine_name, "definition": chain(args.states).to_string(),
            "roleArn": "arn:aws:iam::123456789012:role/bench", "type": kind,
        });
        let mut setup = Connection::new(&args.endpoint);
        let machine: Arc<str> = match setup
            .call("CreateStateMachine", &create)
            .await
            .and_then(expect_ok)
        {
            Ok(answer) => answer["stateMachineArn"]
                .as_str()
                .unwrap_or_default()
                .into(),
            Err(error) => {
                eprintln!("sfn_load: CreateStateMachine failed: {error}");
                return std::process::ExitCode::from(1);
            }
        };
        let shared = Arc::new(Shared {
            warmup: AtomicUsize::new(0),
            ready: tokio::sync::Barrier::new(args.clients),
            began: std::sync::OnceLock::new(),
            next: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            latencies: Mutex::new(Vec::with_capacity(args.executions)),
            errors: AtomicUsize::new(0),
            first_error: Mutex::new(None),
        });
        let clients: Vec<_> = (0..args.clients)
            .map(|_| tokio::spawn(client(args.clone(), machine.clone(), shared.clone())))
            .collect();
        for client in clients {
            let _ = client.await;
        }
        let seconds = shared
            .began
            .get()
            .map_or(0.0, |began| began.elapsed().as_secs_f64());
        let mut latencies = std::mem::take(&mut *shared.latencies.lock().unwrap());
        latencies.sort_unstable();
        let report = json!({
            "executions": latencies.len(),
            "errors": shared.errors.load(Ordering::Relaxed),
            "first_error": *shared.first_error.lock().unwrap(),
            "seconds": seconds,
            "per_second": latencies.len() as f64 / seconds,
            "p50_ms": percentile(&latencies, 0.50),
            "p99_ms": percentile(&latencies, 0.99),
            "max_ms": latencies.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0),
            "requests": shared.requests.load(Ordering::Relaxed),
        });
        println!("{report}");
        std::process::ExitCode::SUCCESS
    })
}
