//! The console in a real browser: headless Chromium (Debian's `chromium`, driven by playwright-core from
//! `.tools/node`, both installed by `scripts/test`) opens the console of the served order pipeline after three
//! executions, one that retried and went through a Map (A), one whose error was caught (B) and one still running
//! (C), and checks what a person would look at: every state with its status in words, a selected state's output,
//! a Map's iterations, the events, a running execution stopped from its page without a reload, and the same view
//! as one self-contained file (`graph --html`), all with every request to anything but the service refused.
//!
//! `tests/console/check.mjs` does the browsing. Every run saves its screenshots in
//! `$CARGO_TARGET_TMPDIR/console-screenshots/`; `STEPFN_UPDATE_SCREENSHOTS=1` also copies A's page (down to its graph and panel) to
//! `docs/console-execution.png` (the README's picture).

use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use stepfn_serve::client::{call, Served};

#[path = "../../../tests/src/shared_data.rs"]
mod shared_data;

const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:OrderPipeline";
/// How long the browser script may take before it is killed.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the example lives two folders below the repository")
        .to_path_buf()
}

/// The first of `candidates` that is a file; otherwise skip or fail (`STEPFN_REQUIRE_TOOLS=1`) and `None`.
fn find(name: &str, candidates: Vec<PathBuf>) -> Option<PathBuf> {
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Some(found.clone());
    }
    shared_data::skip_or_fail(&format!(
        "{name} not found (looked at {}); run `scripts/test` to install it",
        candidates
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    None
}

/// `name` from the environment variable `variable` if set, else from each folder of `PATH`.
fn on_path(variable: &str, name: &str) -> Vec<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os(variable)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .into_iter()
        .collect();
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|dir| dir.join(name)));
    }
    candidates
}

fn start(address: SocketAddr, test_case: &str, input: &Value) -> String {
    let request = json!({
        "stateMachineArn": format!("{MACHINE}{test_case}"),
        "input": input.to_string(),
    });
    let (status, started) = call(address, "StartExecution", &request).unwrap();
    assert_eq!(status, 200, "StartExecution: {started}");
    started["executionArn"].as_str().unwrap().to_string()
}

fn describe(address: SocketAddr, execution: &str) -> Value {
    let (status, answer) = call(
        address,
        "DescribeExecution",
        &json!({"executionArn": execution}),
    )
    .unwrap();
    assert_eq!(status, 200, "DescribeExecution: {answer}");
    answer
}

/// Polls DescribeExecution until the execution is no longer RUNNING (at most 20 s) and returns its status.
fn wait_for_end(address: SocketAddr, execution: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answer = describe(address, execution);
        if answer["status"] != "RUNNING" {
            return answer;
        }
        assert!(
            Instant::now() < deadline,
            "{execution} still runs after 20 s: {answer}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every event of the execution's history, all pages.
fn history(address: SocketAddr, execution: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut request = json!({"executionArn": execution, "maxResults": 1000});
        if let Some(token) = &token {
            request["nextToken"] = json!(token);
        }
        let (status, page) = call(address, "GetExecutionHistory", &request).unwrap();
        assert_eq!(status, 200, "GetExecutionHistory: {page}");
        events.extend(page["events"].as_array().unwrap().iter().cloned());
        match page["nextToken"].as_str() {
            Some(next) => token = Some(next.to_string()),
            None => return events,
        }
    }
}

#[test]
fn the_console_shows_executions_in_a_real_browser() {
    let root = repo_root();
    let Some(node) = find("node (Node.js)", on_path("STEPFN_NODE", "node")) else {
        return;
    };
    let Some(chromium) = find(
        "chromium (Debian's package; `scripts/test` installs it as root)",
        std::env::var_os("STEPFN_CHROMIUM")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .into_iter()
            .chain([PathBuf::from("/usr/bin/chromium")])
            .collect(),
    ) else {
        return;
    };
    let Some(playwright) = find(
        "playwright-core",
        vec![root.join(".tools/node/node_modules/playwright-core/package.json")],
    ) else {
        return;
    };
    let playwright = playwright.parent().unwrap().to_path_buf();

    let screenshots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("console-screenshots");
    let _ = std::fs::remove_dir_all(&screenshots);
    std::fs::create_dir_all(&screenshots).unwrap();
    let work = std::env::temp_dir().join(format!("order-pipeline-console-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();

    // Real time, not virtual: C must stay in its hour-long Wait while the browser looks at it (A's one retry waits
    // its 1 s back-off).
    let mut command = Command::new(env!("CARGO_BIN_EXE_order-pipeline"));
    command
        .args(["serve", "--port", "0", "--mock"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/mocks.json"))
        .arg("--data-dir")
        .arg(work.join("db"));
    let served = Served::start(command).expect("the binary serves");
    let address = served.address;

    let order: Value = serde_json::from_str(include_str!("../order.json")).unwrap();
    // A: ChargeCard times out once (the mock file's GatewaySlowOnce) and is retried; PackLines maps the lines:
    // order.json's one line and two more, each packed into another number of parcels, so that the page shows
    // which iteration is which.
    let mut three_lines = order.clone();
    three_lines["lines"].as_array_mut().unwrap().extend([
        json!({"sku": "b", "quantity": 25}),
        json!({"sku": "c", "quantity": 3}),
    ]);
    let a = start(address, "#GatewaySlowOnce", &three_lines);
    // B: no lines, so validate_order throws InvalidOrder, which its Catch sends to Rejected (a Fail state).
    let mut rejected = order.clone();
    rejected["id"] = json!("o-empty");
    rejected["lines"] = json!([]);
    let b = start(address, "#HappyPath", &rejected);
    // C: over 100000, so it waits an hour in HoldForReview; the browser stops it.
    let mut large = order.clone();
    large["id"] = json!("o-large");
    large["total"] = json!(250_000);
    let c = start(address, "#HappyPath", &large);

    let ended = wait_for_end(address, &a);
    assert_eq!(ended["status"], "SUCCEEDED", "A: {ended}");
    let ended = wait_for_end(address, &b);
    assert_eq!(ended["status"], "FAILED", "B: {ended}");
    // C is in its Wait once the history has entered HoldForReview.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !history(address, &c).iter().any(|e| {
        e["type"] == "WaitStateEntered" && e["stateEnteredEventDetails"]["name"] == "HoldForReview"
    }) {
        assert!(Instant::now() < deadline, "C never entered HoldForReview");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(describe(address, &c)["status"], "RUNNING");

    // A's history, as GetExecutionHistory returns it, made into one self-contained page by `graph --html`.
    let a_events = history(address, &a);
    let history_file = work.join("a-history.json");
    std::fs::write(&history_file, json!({"events": a_events}).to_string()).unwrap();
    let html = work.join("a.html");
    let output = Command::new(env!("CARGO_BIN_EXE_order-pipeline"))
        .args(["graph", "--html", "--history"])
        .arg(&history_file)
        .arg("--output")
        .arg(&html)
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success() && html.is_file(),
        "graph --html --history failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    let config = json!({
        "playwright": playwright,
        "chromium": chromium,
        "base": format!("http://{address}"),
        "machine": "OrderPipeline",
        "machineArn": MACHINE,
        "succeeded": a,
        "failed": b,
        "running": c,
        "events": a_events.len(),
        "lines": three_lines["lines"],
        "html": html,
        "screenshots": screenshots,
    });
    let stdout_file = work.join("check.stdout");
    let stderr_file = work.join("check.stderr");
    let started = Instant::now();
    let mut child = Command::new(&node)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/console/check.mjs"
        ))
        .arg(config.to_string())
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_file).unwrap())
        .stderr(std::fs::File::create(&stderr_file).unwrap())
        .spawn()
        .expect("node runs");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > SCRIPT_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // The script logs its steps on stdout and says what failed on stderr.
    let steps = std::fs::read_to_string(&stdout_file).unwrap_or_default();
    let failure = std::fs::read_to_string(&stderr_file).unwrap_or_default();
    println!("{steps}{failure}");
    let mut pictures: Vec<PathBuf> = std::fs::read_dir(&screenshots)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    pictures.sort();
    for picture in &pictures {
        println!("screenshot: {}", picture.display());
    }
    match status {
        None => panic!(
            "the browser script ran over {} s and was killed (its steps are above):\n{failure}",
            SCRIPT_TIMEOUT.as_secs()
        ),
        Some(status) => assert!(
            status.success(),
            "the browser script failed ({status}) after {:.1} s (its steps and screenshots are above):\n{failure}",
            started.elapsed().as_secs_f64()
        ),
    }

    // The buttons reached the service: stopped, redriven once, stopped again.
    let c = describe(address, &c);
    assert_eq!(
        (&c["status"], &c["redriveCount"]),
        (&json!("ABORTED"), &json!(1)),
        "{c}"
    );

    if std::env::var("STEPFN_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        let target = root.join("docs/console-execution.png");
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(screenshots.join("execution-page.png"), &target).unwrap();
        println!("updated {}", target.display());
    }
    drop(served);
    let _ = std::fs::remove_dir_all(&work);
}
