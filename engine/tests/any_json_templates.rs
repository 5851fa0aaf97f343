//! Payload templates that are not objects (issue 10): AWS takes any JSON in `Parameters`, `ResultSelector` and
//! `ItemSelector`. An array is filled element by element (each `.$` key of each object reads its path), a string
//! at the top is a literal (only `.$` keys read paths), and a scalar is itself.

use serde_json::{json, Value};
use stepfn_engine::{Machine, Options, Resources, Status, TaskCall, TaskFuture};

async fn run(definition: Value, input: Value, options: Options) -> Value {
    let machine = Machine::from_json(&definition.to_string()).expect("valid definition");
    let outcome = machine.run(input, &options).await;
    assert_eq!(outcome.status, Status::Succeeded, "{}", outcome.summary());
    outcome.output.expect("an output")
}

#[tokio::test]
async fn arrays_of_templates_are_filled_element_by_element() {
    let definition = json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": [{"a.$": "$.x"}, {"b": "$.x", "c.$": "States.Format('{}!', $.x)"}, "$.x", 3],
              "ResultPath": "$.made", "Next": "S"},
        "S": {"Type": "Pass", "Parameters": "$.x", "ResultPath": "$.literal", "Next": "N"},
        "N": {"Type": "Pass", "Parameters": null, "ResultPath": "$.null", "End": true}}});
    let output = run(definition, json!({"x": "hi"}), Options::default()).await;
    assert_eq!(
        output,
        json!({"x": "hi",
               "made": [{"a": "hi"}, {"b": "$.x", "c": "hi!"}, "$.x", 3],
               "literal": "$.x",
               "null": null})
    );
}

#[tokio::test]
async fn a_task_receives_an_array_and_its_result_selector_may_be_one() {
    let resource = "arn:aws:lambda:us-east-1:123456789012:function:f";
    let definition = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource,
        "Parameters": [{"id.$": "$.id"}], "ResultSelector": [{"got.$": "$[0].id"}, "done"], "End": true}}});
    let mut resources = Resources::default();
    resources.resource(resource, |call: TaskCall| -> TaskFuture {
        // The task's input is the filled array; it answers with it.
        Box::pin(async move { Ok(call.input) })
    });
    let options = Options {
        resources,
        ..Options::default()
    };
    let output = run(definition, json!({"id": 7}), options).await;
    assert_eq!(output, json!([{"got": 7}, "done"]));
}

#[tokio::test]
async fn a_map_selects_each_item_into_an_array() {
    let definition = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
        "ItemSelector": [{"v.$": "$$.Map.Item.Value"}, {"i.$": "$$.Map.Item.Index"}],
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}});
    let output = run(definition, json!({"items": ["a", "b"]}), Options::default()).await;
    assert_eq!(
        output,
        json!([[{"v": "a"}, {"i": 0}], [{"v": "b"}, {"i": 1}]])
    );
}
