//! TestState's semantics, each test pinned to the AWS page that states the rule:
//! - [guide]: "Testing state machines with TestState API",
//!   https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
//! - [api]: the API reference's TestState, https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html

use serde_json::{json, Map, Value};
use stepfn_engine::test_state::{test_state, ErrorDetails, Outcome, Request, RequestError, Status};
use stepfn_engine::{Failure, Resources, TaskCall, TaskFuture};

fn request(definition: Value, input: Value) -> Request {
    Request {
        definition: definition.to_string(),
        input,
        ..Request::default()
    }
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().cloned().expect("an object")
}

async fn run(request: Request) -> Outcome {
    test_state(&request).await.expect("the request is accepted")
}

async fn refused(request: Request) -> RequestError {
    match test_state(&request).await {
        Ok(outcome) => panic!("accepted: {outcome:?}"),
        Err(error) => error,
    }
}

/// [guide] Example 2 (DEBUG on a Pass state): each stage's value, the output after OutputPath, and `nextState`.
#[tokio::test]
async fn debug_shows_each_jsonpath_stage_of_the_guides_pass_example() {
    let outcome = run(request(
        json!({"Type": "Pass", "InputPath": "$.payload", "Parameters": {"data": 1}, "ResultPath": "$.result",
               "OutputPath": "$.result.data", "Next": "Another State"}),
        json!({"payload": {"foo": "bar"}}),
    ))
    .await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(json!(1)));
    assert_eq!(outcome.next_state.as_deref(), Some("Another State"));
    let i = &outcome.inspection;
    assert_eq!(i.input, Some(json!({"payload": {"foo": "bar"}})));
    assert_eq!(i.after_input_path, Some(json!({"foo": "bar"})));
    assert_eq!(i.after_parameters, Some(json!({"data": 1})));
    assert_eq!(i.after_result_selector, Some(json!({"data": 1})));
    assert_eq!(
        i.after_result_path,
        Some(json!({"payload": {"foo": "bar"}, "result": {"data": 1}}))
    );
    assert_eq!(i.after_arguments, None, "afterArguments is JSONata's");
}

/// [guide] Example 1 (a Choice state): the output is the input and `nextState` the matching rule's `Next`.
#[tokio::test]
async fn a_choice_goes_to_the_matching_rule() {
    let outcome = run(request(
        json!({"Type": "Choice", "Choices": [
            {"Variable": "$.number", "NumericEquals": 1, "Next": "Equals 1"},
            {"Variable": "$.number", "NumericEquals": 2, "Next": "Equals 2"}], "Default": "No Match"}),
        json!({"number": 2}),
    ))
    .await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(json!({"number": 2})));
    assert_eq!(outcome.next_state.as_deref(), Some("Equals 2"));
}

fn retrying_task() -> Value {
    json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
           "Parameters": {"FunctionName": "f", "Payload.$": "$"},
           "Retry": [{"ErrorEquals": ["Other"], "MaxAttempts": 1},
                     {"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2.0}],
           "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}],
           "Next": "Done"})
}

/// [guide] "Simulating retry attempts": retrierRetryCount 1 under a retrier of IntervalSeconds 2, BackoffRate 2.0
/// and MaxAttempts 3 gives RETRIABLE, that retrier's index and a back-off of 4 seconds (2 × 2.0^1).
#[tokio::test]
async fn a_mocked_error_with_retries_left_is_retriable_with_the_backoff() {
    let outcome = run(Request {
        mock: Some(Err(Failure::new(
            "Lambda.ServiceException",
            "Service error",
        ))),
        retrier_retry_count: 1,
        ..request(retrying_task(), json!({"data": "value"}))
    })
    .await;
    assert_eq!(outcome.status, Status::Retriable);
    assert_eq!(outcome.error.as_deref(), Some("Lambda.ServiceException"));
    assert_eq!(outcome.next_state, None);
    assert_eq!(outcome.output, None);
    assert_eq!(
        outcome.inspection.error_details,
        Some(ErrorDetails {
            retry_index: Some(1),
            retry_backoff_interval_seconds: Some(4),
            catch_index: None
        })
    );
}

/// [guide] "What you can test and assert": "Whether retries are exhausted and the error gets caught"; "Testing catch
/// handlers": CAUGHT_ERROR, the catcher's `Next`, its ResultPath placing the error output into the input, and
/// `catchIndex`.
#[tokio::test]
async fn exhausted_retries_fall_to_the_catcher() {
    let outcome = run(Request {
        mock: Some(Err(Failure::new(
            "Lambda.ServiceException",
            "Rate exceeded",
        ))),
        retrier_retry_count: 3,
        ..request(retrying_task(), json!({"data": "value"}))
    })
    .await;
    assert_eq!(outcome.status, Status::CaughtError);
    assert_eq!(outcome.next_state.as_deref(), Some("Recover"));
    assert_eq!(outcome.error.as_deref(), Some("Lambda.ServiceException"));
    assert_eq!(outcome.cause.as_deref(), Some("Rate exceeded"));
    assert_eq!(
        outcome.output,
        Some(
            json!({"data": "value", "error": {"Error": "Lambda.ServiceException", "Cause": "Rate exceeded"}})
        )
    );
    assert_eq!(
        outcome.inspection.error_details,
        Some(ErrorDetails {
            catch_index: Some(0),
            ..ErrorDetails::default()
        })
    );
}

/// [api] `status` FAILED and `nextState`: "if the execution of a state fails, this field doesn't contain a value";
/// [guide] DEBUG: "the intermediate data processing results up to the point of failure".
#[tokio::test]
async fn an_unhandled_mocked_error_fails_with_the_stages_up_to_the_failure() {
    let outcome = run(Request {
        mock: Some(Err(Failure::new("Custom.Boom", "it broke"))),
        ..request(
            json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "InputPath": "$.in",
                   "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "ResultSelector": {"x.$": "$"},
                   "Catch": [{"ErrorEquals": ["Other"], "Next": "Recover"}], "End": true}),
            json!({"in": {"a": 1}}),
        )
    })
    .await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(
        (outcome.error.as_deref(), outcome.cause.as_deref()),
        (Some("Custom.Boom"), Some("it broke"))
    );
    assert_eq!(outcome.next_state, None);
    assert_eq!(outcome.output, None);
    let i = &outcome.inspection;
    assert_eq!(i.after_input_path, Some(json!({"a": 1})));
    assert_eq!(
        i.after_parameters,
        Some(json!({"FunctionName": "f", "Payload": {"a": 1}}))
    );
    assert_eq!((&i.result, &i.after_result_selector), (&None, &None));
}

/// [guide] "Basic mocking syntax": the mocked `result` is the Task's result; ResultSelector and ResultPath apply to it.
#[tokio::test]
async fn a_mocked_result_goes_through_result_selector_and_result_path() {
    let outcome = run(Request {
        mock: Some(Ok(json!({"Payload": {"statusCode": 200, "body": "Success"}}))),
        ..request(
            json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {"FunctionName": "MyFunction", "Payload.$": "$"},
                   "ResultSelector": {"body.$": "$.Payload.body"}, "ResultPath": "$.out", "End": true}),
            json!({"key": "value"}),
        )
    })
    .await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.next_state, None);
    let i = &outcome.inspection;
    assert_eq!(
        i.result,
        Some(json!({"Payload": {"statusCode": 200, "body": "Success"}}))
    );
    assert_eq!(i.after_result_selector, Some(json!({"body": "Success"})));
    assert_eq!(
        outcome.output,
        Some(json!({"key": "value", "out": {"body": "Success"}}))
    );
}

/// "Handling errors": States.Runtime is never retried, whatever the retriers say; TestState reports it FAILED.
#[tokio::test]
async fn a_runtime_error_is_not_retriable() {
    let outcome = run(request(
        json!({"Type": "Pass", "InputPath": "$.missing", "Next": "N"}),
        json!({}),
    ))
    .await;
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.error.as_deref(), Some("States.Runtime"));
}

/// [api] `variables` ("JSON object literal that sets variables used in the state under test") and
/// `inspectionData.variables` ("variables assigned in the state and variables set up as test state input").
#[tokio::test]
async fn variables_are_read_and_assigned() {
    let outcome = run(Request {
        variables: object(json!({"greeting": "hello"})),
        ..request(
            json!({"Type": "Pass", "Parameters": {"said.$": "$greeting"}, "Assign": {"copy.$": "$.said"}, "End": true}),
            json!({"name": "ann"}),
        )
    })
    .await;
    assert_eq!(outcome.output, Some(json!({"said": "hello"})));
    assert_eq!(
        outcome.inspection.variables,
        Some(object(json!({"copy": "hello", "greeting": "hello"})))
    );
}

/// [api] `afterArguments` ("only present when QueryLanguage ... is set to JSONata") and the JSONata state's `Output`
/// and `Assign` over `$states.result`; afterInputPath and afterParameters are "Not populated when QueryLanguage is
/// JSONata".
#[tokio::test]
async fn jsonata_arguments_output_and_assign() {
    let outcome = run(Request {
        mock: Some(Ok(json!({"Payload": {"total": 42}}))),
        ..request(
            json!({"Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::lambda:invoke",
                   "Arguments": {"FunctionName": "f", "Payload": {"n": "{% $states.input.n * 2 %}"}},
                   "Output": {"total": "{% $states.result.Payload.total %}"},
                   "Assign": {"seen": "{% $states.result.Payload.total + 1 %}"}, "Next": "After"}),
            json!({"n": 3}),
        )
    })
    .await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(outcome.output, Some(json!({"total": 42})));
    assert_eq!(outcome.next_state.as_deref(), Some("After"));
    let i = &outcome.inspection;
    assert_eq!(
        i.after_arguments,
        Some(json!({"FunctionName": "f", "Payload": {"n": 6}}))
    );
    assert_eq!((&i.after_input_path, &i.after_parameters), (&None, &None));
    assert_eq!(i.variables, Some(object(json!({"seen": 43}))));
}

/// [guide] "Using context field in the TestState API": the given context object's values are what `$$` reads;
/// [api] `retrierRetryCount` is the retries that have happened, which `$$.State.RetryCount` counts.
#[tokio::test]
async fn the_given_context_is_what_dollar_dollar_reads() {
    let outcome = run(Request {
        mock: Some(Ok(json!({"status": "success"}))),
        context: Some(object(json!({
            "Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:MyStateMachine:test-exec-123",
                          "Name": "test-exec-123"},
            "State": {"Name": "ProcessData", "EnteredTime": "2024-01-01T10:00:05.000Z"}}))),
        retrier_retry_count: 2,
        ..request(
            json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                   "Parameters": {"FunctionName": "f", "Payload": {
                       "executionId.$": "$$.Execution.Id", "stateName.$": "$$.State.Name",
                       "enteredTime.$": "$$.State.EnteredTime", "retries.$": "$$.State.RetryCount"}},
                   "End": true}),
            json!({"data": "value"}),
        )
    })
    .await;
    assert_eq!(
        outcome.inspection.after_parameters.unwrap()["Payload"],
        json!({"executionId": "arn:aws:states:us-east-1:123456789012:execution:MyStateMachine:test-exec-123",
               "stateName": "ProcessData", "enteredTime": "2024-01-01T10:00:05.000Z", "retries": 2})
    );
}

fn map_state() -> Value {
    json!({"Type": "Map", "ItemsPath": "$.items",
           "ItemSelector": {"value.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index"},
           "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "ProcessItem",
               "States": {"ProcessItem": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}},
           "MaxConcurrency": 2, "ToleratedFailureCount": 1, "ResultPath": "$.results", "End": true})
}

/// [guide] "Testing a Map state" and "Understanding Map state inspection data": the items, each after ItemSelector,
/// the tolerance and MaxConcurrency; the mocked result is the Map's result, through ResultPath.
#[tokio::test]
async fn a_map_with_a_mocked_result_shows_its_item_processing() {
    let outcome = run(Request {
        mock: Some(Ok(json!([10, 20, 30]))),
        ..request(map_state(), json!({"items": [1, 2, 3]}))
    })
    .await;
    assert_eq!(outcome.status, Status::Succeeded);
    assert_eq!(
        outcome.output,
        Some(json!({"items": [1, 2, 3], "results": [10, 20, 30]}))
    );
    let i = &outcome.inspection;
    assert_eq!(i.after_items_path, Some(json!([1, 2, 3])));
    assert_eq!(
        i.after_item_selector,
        Some(vec![
            json!({"value": 1, "index": 0}),
            json!({"value": 2, "index": 1}),
            json!({"value": 3, "index": 2})
        ])
    );
    assert_eq!(
        (i.tolerated_failure_count, i.max_concurrency),
        (Some(1), Some(2))
    );
}

/// [guide] "Map state failure thresholds": a number of failed iterations past the tolerance fails the Map with
/// States.ExceedToleratedFailureThreshold; within it, the Map succeeds; past the number of items, it is refused.
#[tokio::test]
async fn map_iteration_failures_meet_the_tolerance() {
    let with_failures = |n| Request {
        mock: Some(Ok(json!([10, 20, 30]))),
        map_iteration_failure_count: Some(n),
        ..request(map_state(), json!({"items": [1, 2, 3]}))
    };
    assert_eq!(run(with_failures(1)).await.status, Status::Succeeded);
    let over = run(with_failures(2)).await;
    assert_eq!(over.status, Status::Failed);
    assert_eq!(
        over.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    assert!(matches!(
        refused(with_failures(4)).await,
        RequestError::Validation(_)
    ));
}

/// [guide] "Specifying error source with errorCausedByState": a mocked error of a Map or Parallel names the inner
/// state that raised it, and the parent's Catch handles it as in an execution.
#[tokio::test]
async fn a_maps_mocked_error_names_its_source_and_is_caught_by_the_map() {
    let mut map = map_state();
    map["Catch"] = json!([{"ErrorEquals": ["States.TaskFailed"], "Next": "Fallback"}]);
    let mocked = |cause: Option<&str>| Request {
        mock: Some(Err(Failure::new(
            "States.TaskFailed",
            "Task execution failed",
        ))),
        error_caused_by_state: cause.map(str::to_string),
        ..request(map.clone(), json!({"items": [1]}))
    };
    let caught = run(mocked(Some("ProcessItem"))).await;
    assert_eq!(caught.status, Status::CaughtError);
    assert_eq!(caught.next_state.as_deref(), Some("Fallback"));
    assert!(
        matches!(refused(mocked(None)).await, RequestError::Validation(m) if m.contains("errorCausedByState"))
    );
    assert!(
        matches!(refused(mocked(Some("Nowhere"))).await, RequestError::Validation(m) if m.contains("Nowhere"))
    );
}

/// [guide] "Testing Parallel states": "the mocked result must be a JSON array with one element for each branch".
#[tokio::test]
async fn a_parallels_mock_has_one_result_per_branch() {
    let parallel = json!({"Type": "Parallel", "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}],
        "ResultSelector": {"first.$": "$[0]"}, "End": true});
    let with = |mock: Value| Request {
        mock: Some(Ok(mock)),
        ..request(parallel.clone(), json!({}))
    };
    let outcome = run(with(json!(["a", "b"]))).await;
    assert_eq!(outcome.output, Some(json!({"first": "a"})));
    assert!(matches!(
        refused(with(json!(["a"]))).await,
        RequestError::Validation(_)
    ));
}

/// [api]: a mock "can only be specified for Task, Map, or Parallel states"; Map and Parallel are tested "only ...
/// when a mock is specified", and so are .waitForTaskToken tasks ([guide] "Testing Activity, .sync, and
/// .waitForTaskToken states": "Without a mock, ... a validation exception").
#[tokio::test]
async fn what_needs_a_mock_and_what_takes_none() {
    let pass = Request {
        mock: Some(Ok(json!(1))),
        ..request(json!({"Type": "Pass", "End": true}), json!({}))
    };
    assert!(matches!(refused(pass).await, RequestError::Validation(m) if m.contains("Pass")));
    let map = request(map_state(), json!({"items": []}));
    assert!(matches!(refused(map).await, RequestError::Validation(m) if m.contains("mock")));
    let callback = request(
        json!({"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
               "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}}, "End": true}),
        json!({}),
    );
    assert!(
        matches!(refused(callback).await, RequestError::Validation(m) if m.contains(".waitForTaskToken"))
    );
}

/// A Task without a mock calls what runs it here (a workflow binary's step); one that nothing runs is refused,
/// not failed, since AWS would call the real service.
#[tokio::test]
async fn a_task_without_a_mock_calls_its_step_or_is_refused() {
    let task = json!({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
                      "End": true});
    let mut resources = Resources::default();
    resources.resource(
        "arn:aws:lambda:us-east-1:123456789012:function:double",
        |call: TaskCall| -> TaskFuture {
            Box::pin(async move { Ok(json!(call.input["n"].as_i64().unwrap_or(0) * 2)) })
        },
    );
    let outcome = run(Request {
        resources,
        ..request(task.clone(), json!({"n": 21}))
    })
    .await;
    assert_eq!(outcome.output, Some(json!(42)));
    assert!(
        matches!(refused(request(task, json!({}))).await, RequestError::Validation(m) if m.contains("mock"))
    );
}

/// [api] `stateName`: "If this field is specified, the definition must contain a fully-formed state machine
/// definition"; [guide] "Automatic Context population": a state inside a Map tested without a context sees
/// `$$.Map.Item.Index` 0 and `$$.Map.Item.Value` the input.
#[tokio::test]
async fn state_name_picks_a_state_of_a_whole_machine_even_inside_a_map() {
    let machine = json!({"StartAt": "Each", "States": {"Each": {"Type": "Map", "ItemsPath": "$.items",
        "ItemProcessor": {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass",
            "Parameters": {"index.$": "$$.Map.Item.Index", "value.$": "$$.Map.Item.Value"}, "Next": "Last"},
            "Last": {"Type": "Succeed"}}}, "End": true}}});
    let outcome = run(Request {
        state_name: Some("Inner".into()),
        ..request(machine.clone(), json!({"k": 1}))
    })
    .await;
    assert_eq!(outcome.output, Some(json!({"index": 0, "value": {"k": 1}})));
    assert_eq!(outcome.next_state.as_deref(), Some("Last"));
    let unknown = Request {
        state_name: Some("Nope".into()),
        ..request(machine, json!({}))
    };
    assert!(matches!(refused(unknown).await, RequestError::Validation(m) if m.contains("Nope")));
    let lone_with_name = Request {
        state_name: Some("Inner".into()),
        ..request(json!({"Type": "Pass", "End": true}), json!({}))
    };
    assert!(matches!(
        refused(lone_with_name).await,
        RequestError::InvalidDefinition(_)
    ));
}

/// [api] InvalidDefinition: "The provided Amazon States Language definition is not valid."
#[tokio::test]
async fn an_invalid_state_is_an_invalid_definition() {
    for definition in [
        json!({"Type": "Pass", "End": true, "Next": "X"}),
        json!({"Type": "Teleport", "End": true}),
        json!([1]),
        json!({"End": true}),
    ] {
        assert!(
            matches!(
                refused(request(definition.clone(), json!({}))).await,
                RequestError::InvalidDefinition(_)
            ),
            "{definition}"
        );
    }
}

/// The Wait state is tested without waiting; a Fail state fails with its Error and Cause ([api] `status`).
#[tokio::test]
async fn wait_does_not_wait_and_fail_fails() {
    let started = std::time::Instant::now();
    let waited = run(request(
        json!({"Type": "Wait", "Seconds": 86400, "Next": "After"}),
        json!({"a": 1}),
    ))
    .await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(waited.output, Some(json!({"a": 1})));
    assert_eq!(waited.next_state.as_deref(), Some("After"));
    let failed = run(request(
        json!({"Type": "Fail", "Error": "Oops", "CausePath": "$.why"}),
        json!({"why": "because"}),
    ))
    .await;
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(
        (failed.error.as_deref(), failed.cause.as_deref()),
        (Some("Oops"), Some("because"))
    );
}
