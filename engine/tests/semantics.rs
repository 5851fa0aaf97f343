//! The executor's semantics, area by area, written from AWS's Step Functions documentation (input and output
//! processing, error handling, Parallel, Map, Wait, the context object, history) rather than from recorded runs.

use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use stepfn_engine::{
    Machine, Mock, Options, Outcome, Resources, Response, Status, TaskCall, TaskFuture,
};

async fn run_with(definition: Value, input: Value, mut options: Options) -> Outcome {
    options.virtual_time = true;
    options.history = true;
    let machine = Machine::from_json(&definition.to_string()).expect("valid definition");
    machine.run(input, &options).await
}

async fn run(definition: Value, input: Value) -> Outcome {
    run_with(definition, input, Options::default()).await
}

fn output(outcome: &Outcome) -> &Value {
    assert_eq!(
        outcome.status,
        Status::Succeeded,
        "{}\n{}",
        outcome.summary(),
        outcome.trace()
    );
    outcome.output.as_ref().unwrap()
}

fn failed(outcome: &Outcome, error: &str) {
    assert_eq!(outcome.status, Status::Failed, "{}", outcome.summary());
    assert_eq!(
        outcome.error.as_deref(),
        Some(error),
        "{}\n{}",
        outcome.summary(),
        outcome.trace()
    );
}

fn echo_task(resources: &mut Resources, resource: &str, result: Value) {
    resources.resource(resource, move |_call: TaskCall| -> TaskFuture {
        let result = result.clone();
        Box::pin(async move { Ok(result) })
    });
}

/// The example of "Input and Output Processing": InputPath, Parameters, ResultSelector, ResultPath, OutputPath.
#[tokio::test]
async fn input_and_output_processing_in_aws_order() {
    let definition = json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "InputPath": "$.library",
        "Parameters": {"staticValue": 1, "book.$": "$.books[0]", "ctx.$": "$$.State.Name"},
        "ResultSelector": {"kept.$": "$.payload.value"},
        "ResultPath": "$.library.taskResult",
        "OutputPath": "$.library",
        "End": true}}});
    let seen = Arc::new(std::sync::Mutex::new(Value::Null));
    let mut resources = Resources::default();
    let record = seen.clone();
    resources.resource(
        "arn:aws:lambda:us-east-1:123456789012:function:f",
        move |call: TaskCall| -> TaskFuture {
            *record.lock().unwrap() = call.input.clone();
            Box::pin(async { Ok(json!({"payload": {"value": 42, "noise": true}})) })
        },
    );
    let input = json!({"library": {"books": ["a", "b"]}, "other": 1});
    let outcome = run_with(
        definition,
        input,
        Options {
            resources,
            ..Options::default()
        },
    )
    .await;
    assert_eq!(
        *seen.lock().unwrap(),
        json!({"staticValue": 1, "book": "a", "ctx": "T"})
    );
    assert_eq!(
        output(&outcome),
        &json!({"books": ["a", "b"], "taskResult": {"kept": 42}})
    );
}

#[tokio::test]
async fn null_paths_discard_as_documented() {
    // InputPath null: the effective input is {}; ResultPath null: the input passes through; OutputPath null: {}.
    let definition = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "InputPath": null, "ResultPath": "$.seen", "Next": "B"},
        "B": {"Type": "Pass", "Result": "dropped", "ResultPath": null, "Next": "C"},
        "C": {"Type": "Pass", "OutputPath": null, "End": true}}});
    let outcome = run(definition.clone(), json!({"x": 1})).await;
    assert_eq!(output(&outcome), &json!({}));
    let state_b = outcome
        .history
        .iter()
        .find(|e| e.kind == "PassStateExited" && e.details.as_ref().unwrap()["name"] == "B");
    assert_eq!(
        state_b.unwrap().details.as_ref().unwrap()["output"],
        json!(r#"{"x":1,"seen":{}}"#)
    );
}

#[tokio::test]
async fn result_path_creates_missing_objects_and_fails_on_a_scalar() {
    let definition = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": 1, "ResultPath": "$.a.b.c", "End": true}}});
    assert_eq!(
        output(&run(definition.clone(), json!({"keep": true})).await),
        &json!({"keep": true, "a": {"b": {"c": 1}}})
    );
    failed(
        &run(definition, json!({"a": "text"})).await,
        "States.ResultPathMatchFailure",
    );
}

#[tokio::test]
async fn a_missing_input_path_or_parameter_path_is_a_runtime_error() {
    let input_path = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "$.missing", "End": true}}});
    failed(&run(input_path, json!({})).await, "States.Runtime");
    let parameter = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"v.$": "$.missing"}, "End": true}}});
    let outcome = run(parameter, json!({})).await;
    failed(&outcome, "States.Runtime");
    assert!(outcome.cause.unwrap().contains("'$.missing'"));
}

#[tokio::test]
async fn indefinite_paths_give_arrays() {
    let definition = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {
        "names.$": "$.items[*].name",
        "cheap.$": "$.items[?(@.price < 10)].name",
        "deep.$": "$..price",
        "last.$": "$.items[-1:]"}, "End": true}}});
    let input = json!({"items": [{"name": "a", "price": 5}, {"name": "b", "price": 50}]});
    assert_eq!(
        output(&run(definition, input).await),
        &json!({"names": ["a", "b"], "cheap": ["a"], "deep": [5, 50], "last": [{"name": "b", "price": 50}]})
    );
}

/// "Error handling": retriers count attempts each, back off by BackoffRate capped by MaxDelaySeconds.
#[tokio::test]
async fn retry_backs_off_and_counts_attempts_per_retrier() {
    let definition = json!({"StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3, "MaxDelaySeconds": 10}],
        "End": true}}});
    let calls = Arc::new(AtomicU32::new(0));
    let counter = calls.clone();
    let mut resources = Resources::default();
    resources.resource(
        "arn:aws:lambda:us-east-1:123456789012:function:f",
        move |call: TaskCall| -> TaskFuture {
            counter.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                if call.attempt < 3 {
                    Err(stepfn_engine::Failure::new("Busy", "later"))
                } else {
                    Ok(json!({"attempt": call.attempt}))
                }
            })
        },
    );
    let outcome = run_with(
        definition,
        json!({}),
        Options {
            resources,
            ..Options::default()
        },
    )
    .await;
    assert_eq!(output(&outcome), &json!({"attempt": 3}));
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    // Waits of 2, 6 and 10 (18 capped at 10) seconds: 18 s of virtual time between the first and the last event.
    let first = &outcome.history.first().unwrap().timestamp;
    let last = &outcome.history.last().unwrap().timestamp;
    let seconds = |t: &str| stepfn_asl::timestamp::parse(t).unwrap().0;
    assert_eq!(seconds(last) - seconds(first), 18);
}

#[tokio::test]
async fn catch_puts_the_error_output_at_its_result_path() {
    let definition = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Handled"}], "End": true},
        "Handled": {"Type": "Pass", "End": true}}});
    let mut resources = Resources::default();
    Mock::sequence([Response::Throw {
        error: "Boom".into(),
        cause: "it broke".into(),
    }])
    .install(&mut resources, "T");
    let outcome = run_with(
        definition,
        json!({"order": 1}),
        Options {
            resources,
            ..Options::default()
        },
    )
    .await;
    assert_eq!(
        output(&outcome),
        &json!({"order": 1, "error": {"Error": "Boom", "Cause": "it broke"}})
    );
}

#[tokio::test]
async fn states_all_does_not_catch_runtime_errors() {
    let definition = json!({"StartAt": "A", "States": {
        "A": {"Type": "Parallel", "Branches": [{"StartAt": "B", "States": {
            "B": {"Type": "Pass", "InputPath": "$.missing", "End": true}}}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}], "End": true},
        "Handled": {"Type": "Succeed"}}});
    failed(&run(definition, json!({})).await, "States.Runtime");
}

#[tokio::test]
async fn task_failed_matches_everything_but_timeouts() {
    let definition = |error: &str| {
        json!({"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                  "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}], "End": true},
            "Caught": {"Type": "Pass", "Result": {"caught": error}, "End": true}}})
    };
    for (error, caught) in [("Boom", true), ("States.Timeout", false)] {
        let mut resources = Resources::default();
        Mock::sequence([Response::Throw {
            error: error.into(),
            cause: String::new(),
        }])
        .install(&mut resources, "T");
        let outcome = run_with(
            definition(error),
            json!({}),
            Options {
                resources,
                ..Options::default()
            },
        )
        .await;
        assert_eq!(
            outcome.status == Status::Succeeded,
            caught,
            "{error}: {}",
            outcome.summary()
        );
    }
}

#[tokio::test]
async fn parallel_gives_an_array_and_fails_with_a_branch_error() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 5, "Next": "A2"}, "A2": {"Type": "Pass", "Result": "a", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 3, "Next": "B2"}, "B2": {"Type": "Pass", "Result": "b", "End": true}}}]}}});
    let outcome = run(definition, json!({})).await;
    assert_eq!(output(&outcome), &json!(["a", "b"]));
    // Branches run side by side: the execution took the longer wait, 5 s, not 8 s.
    let seconds = |t: &str| stepfn_asl::timestamp::parse(t).unwrap().0;
    let span = seconds(&outcome.history.last().unwrap().timestamp)
        - seconds(&outcome.history[0].timestamp);
    assert_eq!(span, 5);
    let failing = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "BranchBroke", "Cause": "why"}}}]}}});
    failed(&run(failing, json!({})).await, "BranchBroke");
}

#[tokio::test]
async fn map_selects_items_with_the_context_index_and_value() {
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
        "MaxConcurrency": 2,
        "ItemSelector": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value", "tag.$": "$.tag"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
        "ResultPath": "$.results", "End": true}}});
    let outcome = run(definition, json!({"items": ["x", "y"], "tag": "t"})).await;
    assert_eq!(
        output(&outcome)["results"],
        json!([{"index": 0, "value": "x", "tag": "t"}, {"index": 1, "value": "y", "tag": "t"}])
    );
    let iterations = outcome
        .history
        .iter()
        .filter(|e| e.kind == "MapIterationStarted")
        .count();
    assert_eq!(iterations, 2);
}

/// States Language, Map State: "If any iteration fails, because of an unhandled error or by transitioning to a
/// Fail state, the entire Map state fails and all its iterations are terminated". Here the first item waits an hour
/// and the second fails at once: the Map fails at once (not after the hour), the waiting iteration is aborted
/// (`MapIterationAborted`, a HistoryEvent type of the Step Functions API) and never leaves its Wait.
#[tokio::test]
async fn a_failed_map_iteration_ends_the_map_at_once_and_aborts_the_running_ones() {
    let processor = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "F"}], "Default": "Hold"},
        "Hold": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Pass", "End": true},
        "F": {"Type": "Fail", "Error": "Zero", "Cause": "item zero"}}});
    let seconds = |t: &str| stepfn_asl::timestamp::parse(t).unwrap().0;
    let span = |outcome: &Outcome| {
        seconds(&outcome.history.last().unwrap().timestamp) - seconds(&outcome.history[0].timestamp)
    };
    let inline = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "C", "States": processor["States"]}}}});
    let outcome = run(inline, json!([1, 0])).await;
    failed(&outcome, "Zero");
    assert_eq!(
        span(&outcome),
        0,
        "failed without waiting\n{}",
        outcome.trace()
    );
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    assert!(!kinds.contains(&"WaitStateExited"), "{kinds:?}");
    let aborted: Vec<&Value> = outcome
        .history
        .iter()
        .filter(|e| e.kind == "MapIterationAborted")
        .map(|e| e.details.as_ref().unwrap())
        .collect();
    assert_eq!(aborted, [&json!({"name": "M", "index": 0})], "{kinds:?}");
    // Aborted after the failed iteration, before the Map fails.
    let at = |kind: &str| kinds.iter().position(|k| *k == kind).unwrap();
    assert!(at("MapIterationFailed") < at("MapIterationAborted"));
    assert!(
        at("MapIterationAborted") < at("MapStateFailed"),
        "{kinds:?}"
    );

    // Distributed, past its tolerance of none: the Map Run fails at once too (its iterations are child executions,
    // out of this history).
    let distributed = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, "ToleratedFailureCount": 0,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "C", "States": processor["States"]}}}});
    let outcome = run(distributed, json!([1, 0])).await;
    failed(&outcome, "States.ExceedToleratedFailureThreshold");
    assert_eq!(
        span(&outcome),
        0,
        "failed without waiting\n{}",
        outcome.trace()
    );
    assert!(!outcome
        .history
        .iter()
        .any(|e| e.kind.starts_with("MapIteration")));
}

#[tokio::test]
async fn map_tolerates_failures_up_to_the_threshold() {
    let definition = |count: u32| {
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ToleratedFailureCount": count,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "C", "States": {
                "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "F"}], "Default": "S"},
                "F": {"Type": "Fail", "Error": "Zero"}, "S": {"Type": "Succeed"}}},
            "End": true}}})
    };
    let input = json!([0, 1, 0, 2]);
    assert_eq!(
        output(&run(definition(2), input.clone()).await)
            .as_array()
            .unwrap()
            .len(),
        4
    );
    failed(
        &run(definition(1), input).await,
        "States.ExceedToleratedFailureThreshold",
    );
}

#[tokio::test]
async fn waits_use_the_virtual_clock() {
    let definition = json!({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "Seconds": 86400, "Next": "T"},
        "T": {"Type": "Pass", "Parameters": {"entered.$": "$$.State.EnteredTime"}, "End": true}}});
    let started = std::time::Instant::now();
    let outcome = run(definition, json!({})).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let entered = output(&outcome)["entered"].as_str().unwrap().to_string();
    let start = &outcome.history[0].timestamp;
    let seconds = |t: &str| stepfn_asl::timestamp::parse(t).unwrap().0;
    assert_eq!(seconds(&entered) - seconds(start), 86400);
}

#[tokio::test]
async fn top_level_timeout_ends_the_execution() {
    let definition = json!({"TimeoutSeconds": 60, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 120, "End": true}}});
    let outcome = run(definition, json!({})).await;
    assert_eq!(outcome.status, Status::TimedOut);
    assert_eq!(outcome.error.as_deref(), Some("States.Timeout"));
}

#[tokio::test]
async fn task_timeout_raises_states_timeout() {
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:slow", "TimeoutSeconds": 1, "End": true}}});
    let mut resources = Resources::default();
    resources.resource(
        "arn:aws:lambda:us-east-1:123456789012:function:slow",
        |_call: TaskCall| -> TaskFuture {
            Box::pin(async {
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
                Ok(json!({}))
            })
        },
    );
    let outcome = run_with(
        definition,
        json!({}),
        Options {
            resources,
            ..Options::default()
        },
    )
    .await;
    failed(&outcome, "States.Timeout");
}

#[tokio::test]
async fn an_unknown_resource_fails_naming_it() {
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"QueueUrl": "q", "MessageBody": "m"}, "End": true}}});
    let outcome = run(definition, json!({})).await;
    failed(&outcome, "States.Runtime");
    assert!(outcome
        .cause
        .unwrap()
        .contains("arn:aws:states:::sqs:sendMessage"));
}

#[tokio::test]
async fn lambda_invoke_integration_wraps_the_payload() {
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "${FFunctionArn}", "Payload.$": "$"},
        "OutputPath": "$.Payload", "End": true}}});
    let mut resources = Resources::default();
    echo_task(&mut resources, "${FFunctionArn}", json!({"done": true}));
    let outcome = run_with(
        definition,
        json!({}),
        Options {
            resources,
            ..Options::default()
        },
    )
    .await;
    assert_eq!(output(&outcome), &json!({"done": true}));
}

#[tokio::test]
async fn a_loop_without_end_stops_at_the_history_limit() {
    let definition = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "Done"}], "Default": "A"},
        "Done": {"Type": "Succeed"}}});
    let outcome = run(definition, json!({})).await;
    failed(&outcome, "States.Runtime");
    assert!(
        outcome.cause.as_deref().unwrap().contains("25000"),
        "{:?}",
        outcome.cause
    );
    assert!(outcome.history.len() <= 25_001);
}

#[tokio::test]
async fn payloads_over_256_kib_fail_with_data_limit_exceeded() {
    let definition = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
    let big = "x".repeat(300_000);
    failed(
        &run(definition, json!({"big": big})).await,
        "States.DataLimitExceeded",
    );
}

#[tokio::test]
async fn history_has_aws_event_types_and_details() {
    let definition = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.go", "BooleanEquals": true, "Next": "Done"}]},
        "Done": {"Type": "Succeed"}}});
    let outcome = run(definition, json!({"go": true})).await;
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "SucceedStateEntered",
            "SucceedStateExited",
            "ExecutionSucceeded"
        ]
    );
    let json = outcome.history_json();
    assert_eq!(json["events"][1]["stateEnteredEventDetails"]["name"], "A");
    assert_eq!(
        json["events"][1]["stateEnteredEventDetails"]["input"],
        r#"{"go":true}"#
    );
    // As on AWS, the first state's entered event follows no event.
    assert_eq!(json["events"][1]["previousEventId"], 0);
    assert_eq!(json["events"][2]["previousEventId"], 2);
    assert_eq!(
        json["events"][7]["executionSucceededEventDetails"]["output"],
        r#"{"go":true}"#
    );
}

#[tokio::test]
async fn mocks_answer_per_attempt_from_a_step_functions_local_file() {
    let config = stepfn_engine::MockConfig::parse(
        r#"{"StateMachines": {"M": {"TestCases": {"Retry": {"T": "Flaky"}}}},
            "MockedResponses": {"Flaky": {"0-1": {"Throw": {"Error": "Busy", "Cause": ""}}, "2": {"Return": {"ok": 1}}}}}"#,
    )
    .unwrap();
    let mut resources = Resources::default();
    for (state, mock) in config.test_case(None, Some("Retry")).unwrap() {
        mock.install(&mut resources, state);
    }
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": "q", "MessageBody": "m"},
        "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 2}], "End": true}}});
    let outcome = run_with(
        definition,
        json!({}),
        Options {
            resources,
            ..Options::default()
        },
    )
    .await;
    assert_eq!(output(&outcome), &json!({"ok": 1}));
}

#[tokio::test]
async fn item_batcher_groups_items_with_the_batch_input() {
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"run.$": "$.run"}}, "ItemsPath": "$.items",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true}}});
    let outcome = run(definition, json!({"items": [1, 2, 3], "run": "r1"})).await;
    assert_eq!(
        output(&outcome),
        &json!([{"BatchInput": {"run": "r1"}, "Items": [1, 2]}, {"BatchInput": {"run": "r1"}, "Items": [3]}])
    );
}

#[tokio::test]
async fn variables_are_visible_from_the_next_state_and_copied_into_map_iterations() {
    // `Read` sees the value from before its own Assign; the iterations see the changed one.
    let definition = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"greeting": "hi"}, "Next": "Read"},
        "Read": {"Type": "Pass", "Assign": {"greeting": "changed"}, "Parameters": {"seen.$": "$greeting", "xs": [1, 2]}, "Next": "Each"},
        "Each": {"Type": "Map", "ItemsPath": "$.xs",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Use", "States": {
                "Use": {"Type": "Pass", "Parameters": {"x.$": "$", "greeting.$": "$greeting"}, "End": true}}},
            "ResultPath": "$.each", "End": true}}});
    let outcome = run(definition, json!({})).await;
    assert_eq!(
        output(&outcome),
        &json!({"seen": "hi", "xs": [1, 2], "each": [{"x": 1, "greeting": "changed"}, {"x": 2, "greeting": "changed"}]})
    );
}

#[tokio::test]
async fn distributed_map_iterations_are_child_executions_with_their_own_history() {
    let items: Vec<Value> = (0..10_000).map(|i| json!(i)).collect();
    let definition = |mode: &str| {
        json!({"StartAt": "M", "States": {"M": {"Type": "Map",
            "ItemProcessor": {"ProcessorConfig": {"Mode": mode, "ExecutionType": "EXPRESS"}, "StartAt": "P",
                "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}})
    };
    let outcome = run(definition("DISTRIBUTED"), json!(items)).await;
    assert_eq!(output(&outcome).as_array().unwrap().len(), 10_000);
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    assert!(
        kinds.contains(&"MapRunStarted") && kinds.contains(&"MapRunSucceeded"),
        "{kinds:?}"
    );
    assert!(!kinds.contains(&"MapIterationStarted"));
    // Inline, every iteration is in the parent's history: 10,000 of them pass the 25,000-event limit, as on AWS.
    let inline = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true}}});
    failed(&run(inline, json!(items)).await, "States.Runtime");
}

/// Under virtual time, branches still run side by side: a branch failing after its back-off does not keep a sibling
/// from running its task first, and the failure stops the sibling at that moment (as AWS aborts it).
#[tokio::test]
async fn virtual_time_interleaves_branches_by_their_times() {
    let definition = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:a",
            "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 5, "MaxAttempts": 1}], "End": true}}},
        {"StartAt": "Wait", "States": {
            "Wait": {"Type": "Wait", "Seconds": 2, "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:b", "Next": "Later"},
            "Later": {"Type": "Wait", "Seconds": 60, "Next": "C"},
            "C": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:c", "End": true}}}]}}});
    let called = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut resources = Resources::default();
    for name in ["a", "b", "c"] {
        let called = called.clone();
        resources.resource(
            format!("arn:aws:lambda:us-east-1:123456789012:function:{name}"),
            move |_call: TaskCall| -> TaskFuture {
                called.lock().unwrap().push(name);
                Box::pin(async move {
                    if name == "a" {
                        Err(stepfn_engine::Failure::new("E", "always"))
                    } else {
                        Ok(json!({}))
                    }
                })
            },
        );
    }
    let outcome = run_with(
        definition,
        json!({}),
        Options {
            resources,
            ..Options::default()
        },
    )
    .await;
    failed(&outcome, "E");
    // a at 0 s, b at 2 s, a's retry at 5 s fails the Parallel: c (due at 62 s) never runs.
    assert_eq!(*called.lock().unwrap(), ["a", "b", "a"]);
    let seconds = |t: &str| stepfn_asl::timestamp::parse(t).unwrap().0;
    let times: Vec<i64> = outcome
        .history
        .iter()
        .map(|e| seconds(&e.timestamp))
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "events in time order: {times:?}"
    );
    assert_eq!(times.last().unwrap() - times[0], 5);
}
