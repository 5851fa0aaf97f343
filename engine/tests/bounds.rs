//! The inputs that crashed stepfn (issue 9), each now a named error or a bounded, well-formed outcome. The limits
//! come from AWS's documentation, cited in `stepfn_asl::limits`; durations computed at run time saturate there.

use serde_json::{json, Value};
use stepfn_engine::{CompileError, Machine, Mock, Options, Outcome, Resources, Response, Status};

fn compile(definition: Value) -> Result<Machine, CompileError> {
    Machine::from_json(&definition.to_string())
}

async fn run(definition: Value, input: Value, resources: Resources) -> Outcome {
    let machine = compile(definition).expect("valid definition");
    let options = Options {
        virtual_time: true,
        history: true,
        resources,
        ..Options::default()
    };
    machine.run(input, &options).await
}

/// Resources where the Task state `state` fails with `Busy` on every attempt.
fn always_busy(state: &str) -> Resources {
    let mut resources = Resources::default();
    Mock::sequence([Response::Throw {
        error: "Busy".into(),
        cause: "always".into(),
    }])
    .install(&mut resources, state);
    resources
}

fn invalid(definition: Value, pointer_and_words: (&str, &str)) {
    match compile(definition) {
        Err(CompileError::Invalid(problems)) => {
            let (pointer, words) = pointer_and_words;
            assert!(
                problems
                    .iter()
                    .any(|p| p.starts_with(pointer) && p.contains(words)),
                "expected `{pointer}: ...{words}...` in {problems:?}"
            );
        }
        other => panic!("expected the definition to be invalid, got {other:?}"),
    }
}

#[test]
fn an_unclosed_jsonata_delimiter_is_a_named_problem() {
    // `{%}` opens an expression that never closes: the delimiters cannot share the `%`.
    invalid(
        json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Output": "{%}", "End": true}}}),
        (
            "/States/A/Output",
            "opens a JSONata expression with `{%` but does not close it",
        ),
    );
}

#[test]
fn numbers_past_aws_limits_are_rejected_where_they_are_written() {
    let retry = |field: &str, value: Value| {
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
            "Retry": [{"ErrorEquals": ["States.ALL"], field: value}], "End": true}}})
    };
    invalid(
        retry("BackoffRate", json!(1e300)),
        ("/States/T/Retry/0/BackoffRate", "at most"),
    );
    invalid(
        retry("IntervalSeconds", json!(9_223_372_036_854_775_807_i64)),
        ("/States/T/Retry/0/IntervalSeconds", "at most 99999999"),
    );
    invalid(
        retry("MaxDelaySeconds", json!(31_622_401)),
        ("/States/T/Retry/0/MaxDelaySeconds", "at most 31622400"),
    );
    invalid(
        json!({"TimeoutSeconds": 100_000_000, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": true}}}),
        ("/TimeoutSeconds", "at most 99999999"),
    );
    invalid(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 18_446_744_073_709_551_615_u64, "End": true}}}),
        ("/States/W/Seconds", "at most 99999999"),
    );
}

#[tokio::test]
async fn seventy_doublings_of_back_off_saturate_instead_of_panicking() {
    // BackoffRate 2 with 70 attempts and no MaxDelaySeconds: 2^69 seconds, past any Duration.
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 99_999_999, "BackoffRate": 2, "MaxAttempts": 70}],
        "End": true}}});
    let resources = always_busy("T");
    let outcome = run(definition, json!({}), resources).await;
    // The waits add up past a year, AWS's longest execution: it times out, at a bounded virtual time.
    assert_eq!(outcome.status, Status::TimedOut, "{}", outcome.summary());
    assert_eq!(outcome.error.as_deref(), Some("States.Timeout"));
}

#[tokio::test]
async fn a_slice_step_near_i64_max_selects_the_first_item() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Pass",
        "InputPath": "$.a[1::9223372036854775807]", "End": true}}});
    let outcome = run(definition, json!({"a": [1, 2, 3]}), Resources::default()).await;
    assert_eq!(outcome.output, Some(json!([2])), "{}", outcome.summary());
}

#[test]
fn a_deeply_negated_filter_is_a_named_problem_not_a_stack_overflow() {
    let path = format!("$.a[?({}@.b)]", "!".repeat(200_000));
    invalid(
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": path, "End": true}}}),
        ("/States/P/InputPath", "nests deeper than"),
    );
}

#[test]
fn a_malformed_filter_is_rejected_before_running() {
    invalid(
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": "$.a[?(garbage)]", "End": true}}}),
        ("/States/P/InputPath", "filter"),
    );
}

#[tokio::test]
async fn the_clock_saturates_after_the_longest_waits() {
    // Two maximal waits, then a SecondsPath at u64::MAX from the input: the clock stays bounded and the run ends.
    let definition = json!({"StartAt": "A", "States": {
        "A": {"Type": "Wait", "Seconds": 99_999_999, "Next": "B"},
        "B": {"Type": "Wait", "SecondsPath": "$.s", "Next": "C"},
        "C": {"Type": "Wait", "Seconds": 99_999_999, "End": true}}});
    let outcome = run(
        definition,
        json!({"s": 18_446_744_073_709_551_615_u64}),
        Resources::default(),
    )
    .await;
    assert!(
        matches!(outcome.status, Status::Failed | Status::TimedOut),
        "{}",
        outcome.summary()
    );
}

#[tokio::test]
async fn a_whole_number_written_with_a_fraction_means_the_same_everywhere() {
    // `"MaxAttempts": 5.0` is 5 for the validator and the executor alike (it was 3, the default, in the executor).
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 5.0, "IntervalSeconds": 1.0}], "End": true}}});
    let resources = always_busy("T");
    let outcome = run(definition, json!({}), resources).await;
    let attempts = outcome
        .history
        .iter()
        .filter(|e| e.kind == "TaskScheduled")
        .count();
    assert_eq!(attempts, 6, "{}", outcome.trace());
}

#[test]
fn choice_rules_nest_to_a_limit_named_by_the_validator_and_the_model_alike() {
    let mut rule = json!({"Variable": "$.x", "IsPresent": true});
    for _ in 0..70 {
        rule = json!({ "Not": rule });
    }
    rule["Next"] = json!("Done");
    invalid(
        json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [rule], "Default": "Done"},
            "Done": {"Type": "Succeed"}}}),
        ("/States/C/Choices/0", "nest deeper than 64"),
    );
}

#[tokio::test]
async fn a_path_past_the_nesting_limit_is_refused_and_deep_data_is_a_named_failure() {
    // A ResultPath of 300,000 fields built data too deep to walk or drop; paths are now bounded.
    let long = format!("${}", ".a".repeat(129));
    invalid(
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1, "ResultPath": long, "End": true}}}),
        ("/States/P/ResultPath", "at most 128 segments"),
    );
    // Data nesting past the limit, built 100 levels per state by a loop, fails by name.
    let deep = format!("${}", ".a".repeat(100));
    let definition = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "ResultPath": deep, "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.done", "IsPresent": true, "Next": "Done"}], "Default": "P"},
        "Done": {"Type": "Succeed"}}});
    let outcome = run(definition, json!({}), Resources::default()).await;
    assert_eq!(outcome.status, Status::Failed, "{}", outcome.summary());
    assert_eq!(outcome.error.as_deref(), Some("States.DataLimitExceeded"));
    assert!(outcome
        .cause
        .as_deref()
        .unwrap_or_default()
        .contains("deeper than 128 levels"));
}

#[tokio::test]
async fn endless_retries_stop_at_the_event_limit() {
    // 99,999,999 attempts allowed; AWS ends the execution at 25,000 history events.
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 99_999_999, "MaxDelaySeconds": 1}], "End": true}}});
    let resources = always_busy("T");
    let outcome = run(definition, json!({}), resources).await;
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.Runtime"),
        "{}",
        outcome.summary()
    );
    assert!(outcome.history.len() <= 25_000);
}

#[tokio::test]
async fn a_jsonata_expression_that_never_ends_is_stopped() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass",
        "Output": "{% ($f := function($x){ $f($x) }; $f(1)) %}", "End": true}}});
    let outcome = run(definition, json!({}), Resources::default()).await;
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.QueryEvaluationError"),
        "{}",
        outcome.summary()
    );
}

#[tokio::test]
async fn an_execution_ends_after_a_year_without_a_timeout_of_its_own() {
    // "Step Functions service quotas": an execution past one year fails with States.Timeout.
    let definition = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 99_999_999, "End": true}}});
    let outcome = run(definition, json!({}), Resources::default()).await;
    assert_eq!(outcome.status, Status::TimedOut, "{}", outcome.summary());
    assert_eq!(outcome.error.as_deref(), Some("States.Timeout"));
}

#[tokio::test]
async fn a_runtime_error_is_not_retried_even_when_a_retrier_names_it() {
    // AWS: "A States.Runtime error is not retriable, and will always cause the execution to fail".
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"x.$": "$.missing"},
        "Retry": [{"ErrorEquals": ["States.Runtime"], "MaxAttempts": 99_999_999, "BackoffRate": 1}], "End": true}}});
    let outcome = run(definition, json!({}), always_busy("T")).await;
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.Runtime"),
        "{}",
        outcome.summary()
    );
}

/// A `TimeoutSecondsPath`/`HeartbeatSecondsPath` reading an integer near `i64::MAX` once overflowed the clock
/// (found by tests/tests/property.rs): a limit past what the clock can count never comes, and the task finishes.
#[tokio::test]
async fn timeouts_read_from_the_input_past_the_clock_never_come() {
    let mut resources = Resources::default();
    Mock::sequence([Response::Return(json!({"done": true}))]).install(&mut resources, "Work");
    let definition = json!({"StartAt": "Work", "States": {"Work": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
        "TimeoutSecondsPath": "$.timeout", "HeartbeatSecondsPath": "$.heartbeat", "End": true}}});
    let input =
        json!({"timeout": 9_223_372_036_854_775_806u64, "heartbeat": 9_223_372_036_854_775_806u64});
    let outcome = run(definition, input, resources).await;
    assert_eq!(outcome.status, Status::Succeeded, "{:?}", outcome.error);
}
