//! `stepfn run` and `stepfn graph` as users run them: one result line per execution, exit 0/1/2 as design.md says,
//! `--inputs` JSON Lines, `--history` events, `--mock` files, virtual time.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Command;

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stepfn-cli-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn stepfn(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_stepfn"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const GREET: &str = r#"{"StartAt": "Wait", "States": {
  "Wait": {"Type": "Wait", "Seconds": 3600, "Next": "Greet"},
  "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello, {}!', $.name)"}, "Next": "Check"},
  "Check": {"Type": "Choice", "Choices": [{"Variable": "$.greeting", "StringEquals": "Hello, nobody!", "Next": "Refuse"}],
            "Default": "Done"},
  "Refuse": {"Type": "Fail", "Error": "NoOne", "Cause": "nobody to greet"},
  "Done": {"Type": "Succeed"}}}"#;

#[test]
fn run_prints_one_result_line_and_exits_by_status() {
    let definition = temp_file("greet.asl.json", GREET);
    let definition = definition.to_str().unwrap();
    let (code, stdout, stderr) = stepfn(&[
        "run",
        definition,
        "--input",
        r#"{"name": "Ada"}"#,
        "--virtual-time",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "{\"status\":\"SUCCEEDED\",\"output\":{\"greeting\":\"Hello, Ada!\"}}\n"
    );

    let (code, stdout, _) = stepfn(&[
        "run",
        definition,
        "--input",
        r#"{"name": "nobody"}"#,
        "--virtual-time",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "{\"status\":\"FAILED\",\"error\":\"NoOne\",\"cause\":\"nobody to greet\"}\n"
    );
}

#[test]
fn input_may_be_positional_and_the_trace_goes_to_stderr() {
    let definition = temp_file("greet-positional.asl.json", GREET);
    let (code, stdout, stderr) = stepfn(&[
        "run",
        definition.to_str().unwrap(),
        r#"{"name": "Ada"}"#,
        "--virtual-time",
        "--trace",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Hello, Ada!"), "{stdout}");
    assert!(
        stderr.contains("WaitStateEntered") && stderr.contains("Greet"),
        "{stderr}"
    );
    let (code, _, stderr) = stepfn(&["run", definition.to_str().unwrap(), "{}", "--input", "{}"]);
    assert_eq!(code, 2, "one input, given once: {stderr}");
}

#[test]
fn input_can_come_from_a_file() {
    let definition = temp_file("greet-file.asl.json", GREET);
    let input = temp_file("input.json", r#"{"name": "Grace"}"#);
    let at = format!("@{}", input.display());
    let (code, stdout, _) = stepfn(&[
        "run",
        definition.to_str().unwrap(),
        "--input",
        &at,
        "--virtual-time",
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("Hello, Grace!"));
}

#[test]
fn bad_definitions_and_inputs_exit_2_with_a_message() {
    let invalid = temp_file(
        "invalid.asl.json",
        r#"{"StartAt": "Nope", "States": {"A": {"Type": "Succeed"}}}"#,
    );
    let (code, stdout, stderr) = stepfn(&["run", invalid.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("/StartAt"), "{stderr}");

    let definition = temp_file("greet-bad-input.asl.json", GREET);
    let (code, _, stderr) = stepfn(&["run", definition.to_str().unwrap(), "--input", "{not json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("the input is not JSON"), "{stderr}");

    let (code, _, stderr) = stepfn(&["run", "/nonexistent/definition.json"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read"), "{stderr}");
}

#[test]
fn inputs_runs_once_per_line() {
    let definition = temp_file("greet-lines.asl.json", GREET);
    let inputs = temp_file(
        "inputs.jsonl",
        "{\"name\": \"A\"}\n{\"name\": \"nobody\"}\n\n{\"name\": \"B\"}\n",
    );
    let (code, stdout, _) = stepfn(&[
        "run",
        definition.to_str().unwrap(),
        "--inputs",
        inputs.to_str().unwrap(),
        "--virtual-time",
    ]);
    assert_eq!(
        code, 1,
        "one execution failed, as the single-input form exits"
    );
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["output"]["greeting"], "Hello, A!");
    assert_eq!(lines[1]["error"], "NoOne");
    assert_eq!(lines[2]["output"]["greeting"], "Hello, B!");

    let all_good = temp_file("good.jsonl", "{\"name\": \"A\"}\n{\"name\": \"B\"}\n");
    let (code, stdout, stderr) = stepfn(&[
        "run",
        definition.to_str().unwrap(),
        "--inputs",
        all_good.to_str().unwrap(),
        "--virtual-time",
    ]);
    assert_eq!(code, 0, "every execution succeeded: {stderr}");
    assert_eq!(stdout.lines().count(), 2);

    let broken = temp_file("broken.jsonl", "{\"name\": \"A\"}\n{oops\n");
    let (code, stdout, stderr) = stepfn(&[
        "run",
        definition.to_str().unwrap(),
        "--inputs",
        broken.to_str().unwrap(),
        "--virtual-time",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        stdout.lines().count(),
        2,
        "the bad line gets a result line too"
    );
    assert!(stderr.contains("line 2"), "{stderr}");
}

#[test]
fn history_prints_get_execution_history_events() {
    let definition = temp_file("greet-history.asl.json", GREET);
    let (code, stdout, _) = stepfn(&[
        "run",
        definition.to_str().unwrap(),
        "--input",
        r#"{"name": "Ada"}"#,
        "--virtual-time",
        "--history",
    ]);
    assert_eq!(code, 0);
    let mut lines = stdout.lines();
    let history: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    let types: Vec<&str> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types.first(), Some(&"ExecutionStarted"));
    assert!(types.contains(&"WaitStateEntered") && types.contains(&"ChoiceStateExited"));
    assert_eq!(types.last(), Some(&"ExecutionSucceeded"));
    // Virtual time: the one-hour wait shows in the timestamps, not in the run time.
    let events = history["events"].as_array().unwrap();
    let at = |e: &Value| {
        stepfn_asl::timestamp::parse(e["timestamp"].as_str().unwrap())
            .unwrap()
            .0
    };
    assert_eq!(at(events.last().unwrap()) - at(&events[0]), 3600);
    let summary: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(summary["status"], "SUCCEEDED");
}

#[test]
fn mock_files_in_step_functions_local_format_replace_tasks() {
    let definition = temp_file(
        "queue.asl.json",
        r#"{"StartAt": "Send", "States": {"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody.$": "$"},
            "Retry": [{"ErrorEquals": ["SQS.Throttled"], "MaxAttempts": 1}], "End": true}}}"#,
    );
    let mocks = temp_file(
        "mocks.json",
        &json!({
            "StateMachines": {"queue": {"TestCases": {"ThrottledOnce": {"Send": "Throttled"}}}},
            "MockedResponses": {"Throttled": {
                "0": {"Throw": {"Error": "SQS.Throttled", "Cause": "slow down"}},
                "1": {"Return": {"MessageId": "m-1"}}}}
        })
        .to_string(),
    );
    let (code, stdout, stderr) = stepfn(&[
        "run",
        definition.to_str().unwrap(),
        "--virtual-time",
        "--mock",
        mocks.to_str().unwrap(),
        "--test-case",
        "ThrottledOnce",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout.trim(),
        r#"{"status":"SUCCEEDED","output":{"MessageId":"m-1"}}"#
    );

    let (code, _, stderr) = stepfn(&[
        "run",
        definition.to_str().unwrap(),
        "--mock",
        mocks.to_str().unwrap(),
        "--test-case",
        "Throttled0nce",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `ThrottledOnce`"), "{stderr}");

    // The state machine named like the definition file is the default; a test case must be named among several.
    let two_cases = temp_file(
        "two-cases.json",
        &json!({
            "StateMachines": {
                "queue": {"TestCases": {"A": {"Send": "Ok"}, "B": {"Send": "Ok"}}},
                "other": {"TestCases": {"A": {"Send": "Ok"}}}},
            "MockedResponses": {"Ok": {"0": {"Return": {"MessageId": "m-2"}}}}
        })
        .to_string(),
    );
    let (code, _, stderr) = stepfn(&[
        "run",
        definition.to_str().unwrap(),
        "--mock",
        two_cases.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("test case of `queue`") && stderr.contains("--test-case"),
        "{stderr}"
    );

    let (code, stdout, _) = stepfn(&["run", definition.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("arn:aws:states:::sqs:sendMessage") && stdout.contains("mock"),
        "{stdout}"
    );
}

#[test]
fn graph_prints_a_mermaid_flowchart() {
    let definition = temp_file("greet-graph.asl.json", GREET);
    let (code, stdout, _) = stepfn(&["graph", definition.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("flowchart TD"), "{stdout}");
    for state in ["Wait", "Greet", "Check", "Refuse", "Done"] {
        assert!(stdout.contains(state), "{state} missing from\n{stdout}");
    }
}

#[test]
fn graph_refuses_an_invalid_definition() {
    let invalid = temp_file(
        "graph-invalid.asl.json",
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#,
    );
    let (code, stdout, stderr) = stepfn(&["graph", invalid.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("/States/A/Next"), "{stderr}");
}

#[test]
fn graph_html_writes_the_execution_page_of_a_run_history_as_one_file() {
    let definition = temp_file("greet-html.asl.json", GREET);
    // `run --history` prints the history line first; that output is what `graph --history` reads back.
    let (_, run_output, _) = stepfn(&[
        "run",
        definition.to_str().unwrap(),
        "--virtual-time",
        "--history",
        "--input",
        r#"{"name": "Ada"}"#,
    ]);
    let history = temp_file("greet-html-history.jsonl", &run_output);
    let page = std::env::temp_dir().join(format!("greet-{}.html", std::process::id()));
    let (code, stdout, stderr) = stepfn(&[
        "graph",
        definition.to_str().unwrap(),
        "--html",
        "--history",
        history.to_str().unwrap(),
        "--output",
        page.to_str().unwrap(),
    ]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    let html = std::fs::read_to_string(&page).unwrap();
    let _ = std::fs::remove_file(&page);
    assert!(html.starts_with("<!doctype html>"));
    // Self-contained: ELK and the script inline, nothing fetched.
    assert!(html.contains("id=\"stepfn-data\"") && html.contains("new ELK()"));
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"));
    let start = html.find("id=\"stepfn-data\">").unwrap() + "id=\"stepfn-data\">".len();
    let data: serde_json::Value =
        serde_json::from_str(&html[start..start + html[start..].find("</script>").unwrap()])
            .unwrap();
    assert_eq!(data["execution"]["status"], "SUCCEEDED");
    assert!(data["visits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["state"] == "Greet" && v["status"] == "succeeded"));

    // A file that is not a history is refused by name.
    let (code, _, stderr) = stepfn(&[
        "graph",
        definition.to_str().unwrap(),
        "--html",
        "--history",
        definition.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a history"), "{stderr}");
}
