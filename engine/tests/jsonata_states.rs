//! JSONata states and variables, from AWS's "Transforming data with JSONata" and "Passing data between states with
//! variables" pages: `$states`, `Arguments`/`Output`/`Assign`, what each scope sees, and the added functions.

use serde_json::{json, Value};
use stepfn_engine::{Machine, Options, Outcome, Status};

async fn run(definition: Value, input: Value) -> Outcome {
    let machine = Machine::from_json(&definition.to_string()).expect("valid definition");
    let options = Options {
        virtual_time: true,
        history: true,
        seed: Some(1),
        ..Options::default()
    };
    machine.run(input, &options).await
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

#[tokio::test]
async fn assign_reads_the_values_of_state_entry_and_takes_effect_at_the_next_state() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "One", "States": {
        "One": {"Type": "Pass", "Assign": {"a": 1}, "Next": "Two"},
        "Two": {"Type": "Pass", "Assign": {"a": "{% $a + 1 %}", "b": "{% $a %}"},
                "Output": {"during": "{% $a %}"}, "Next": "Three"},
        "Three": {"Type": "Pass", "Output": {"a": "{% $a %}", "b": "{% $b %}", "before": "{% $states.input.during %}"},
                  "End": true}}});
    assert_eq!(
        output(&run(definition, json!({})).await),
        &json!({"a": 2, "b": 1, "before": 1})
    );
}

#[tokio::test]
async fn states_holds_input_result_context_and_error_output() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
        "M": {"Type": "Map", "Items": "{% $states.input.xs %}",
              "ItemSelector": {"i": "{% $states.context.Map.Item.Index %}", "v": "{% $states.context.Map.Item.Value %}"},
              "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P",
                  "States": {"P": {"Type": "Pass", "Output": "{% $states.input.v * 10 + $states.input.i %}", "End": true}}},
              "Output": {"in": "{% $states.input.name %}", "sum": "{% $sum($states.result) %}",
                         "state": "{% $states.context.State.Name %}"},
              "Next": "F"},
        "F": {"Type": "Parallel", "Branches": [{"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Boom", "Cause": "why"}}}],
              "Catch": [{"ErrorEquals": ["Boom"], "Output": {"error": "{% $states.errorOutput.Error %}", "kept": "{% $states.input.sum %}"},
                         "Next": "Done"}],
              "End": true},
        "Done": {"Type": "Succeed"}}});
    assert_eq!(
        output(&run(definition, json!({"xs": [1, 2], "name": "n"})).await),
        &json!({"error": "Boom", "kept": 31})
    );
}

#[tokio::test]
async fn iterations_get_a_copy_and_data_leaves_through_output() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"factor": 3}, "Next": "M"},
        "M": {"Type": "Map", "Items": [1, 2],
              "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Inner", "States": {
                  "Inner": {"Type": "Pass", "Assign": {"local": "{% $states.input * $factor %}"}, "Next": "Out"},
                  "Out": {"Type": "Pass", "Output": "{% $local %}", "End": true}}},
              "Next": "After"},
        "After": {"Type": "Pass", "Output": {"results": "{% $states.input %}", "factor": "{% $factor %}"}, "End": true}}});
    assert_eq!(
        output(&run(definition, json!({})).await),
        &json!({"results": [3, 6], "factor": 3})
    );
}

#[tokio::test]
async fn an_undefined_result_is_a_query_evaluation_error_that_catchers_see() {
    let failing = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Output": {"x": "{% $states.input.missing %}"}, "End": true}}});
    let outcome = run(failing, json!({})).await;
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.QueryEvaluationError")
    );
    let kinds: Vec<&str> = outcome.history.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "EvaluationFailed",
            "ExecutionFailed"
        ]
    );
    let events = outcome.history_json();
    assert_eq!(
        events["events"][2]["evaluationFailedEventDetails"]["state"],
        "A"
    );
    assert!(outcome
        .cause
        .unwrap()
        .contains("'Output/x' returned nothing (undefined)"));
}

#[tokio::test]
async fn step_functions_adds_its_functions() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "End": true,
        "Output": {
            "partition": "{% $partition([1, 2, 3], 2) %}",
            "range": "{% $range(0, 10, 5) %}",
            "hash": "{% $hash('input data', 'SHA-1') %}",
            "parse": "{% $parse('{\"a\": [1]}') %}",
            "seeded": "{% $random(7) = $random(7) %}",
            "uuid": "{% $length($uuid()) %}"}}}});
    assert_eq!(
        output(&run(definition, json!({})).await),
        &json!({"partition": [[1, 2], [3]], "range": [0, 5, 10],
                "hash": "aaff4a450a104cd177d28d18d74485e8cae074b7",
                "parse": {"a": [1]}, "seeded": true, "uuid": 36})
    );
}

/// `$states.input` is the state's input in every field, `TimeoutSeconds` included, also when `Arguments` reshape
/// what the task receives.
#[tokio::test]
async fn task_timeouts_read_the_state_input_not_the_arguments() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {"Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage", "Arguments": {"QueueUrl": "q", "MessageBody": "m"},
        "TimeoutSeconds": "{% $states.input.timeout %}", "End": true}}});
    let machine = Machine::from_json(&definition.to_string()).unwrap();
    let mut options = Options {
        virtual_time: true,
        ..Options::default()
    };
    stepfn_engine::Mock::returning(json!({"sent": true})).install(&mut options.resources, "T");
    let outcome = machine.run(json!({"timeout": 5}), &options).await;
    assert_eq!(output(&outcome), &json!({"sent": true}));
    let outcome = machine.run(json!({"timeout": 0}), &options).await;
    assert_eq!(
        outcome.error.as_deref(),
        Some("States.QueryEvaluationError"),
        "a timeout of 0 is refused"
    );
}

/// Each evaluation draws fresh randomness from the execution's generator: two `$random()` calls in two states differ
/// (and a seeded execution repeats them).
#[tokio::test]
async fn unseeded_random_moves_on_between_states() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"first": "{% $random() %}"}, "Next": "B"},
        "B": {"Type": "Pass", "Output": {"first": "{% $first %}", "second": "{% $random() %}"}, "End": true}}});
    let first = output(&run(definition.clone(), json!({})).await).clone();
    assert_ne!(first["first"], first["second"]);
    assert_eq!(
        output(&run(definition, json!({})).await),
        &first,
        "the same seed repeats the run"
    );
}

#[tokio::test]
async fn a_jsonata_item_batcher_evaluates_its_batch_input() {
    // AWS's ItemBatcher in JSONata: `BatchInput` is a JSONata value over the state's input (it was dropped before).
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map",
        "Items": "{% $states.input.items %}",
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"run": "{% $states.input.run %}"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}, "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": true}}},
        "End": true}}});
    let outcome = run(definition, json!({"items": [1, 2, 3], "run": "r1"})).await;
    assert_eq!(
        outcome.output,
        Some(
            json!([{"BatchInput": {"run": "r1"}, "Items": [1, 2]}, {"BatchInput": {"run": "r1"}, "Items": [3]}])
        ),
        "{}",
        outcome.summary()
    );
}
