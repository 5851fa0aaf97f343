//! One invalid document per rule: the validator reports it, at the right pointer, with the right rule. Each case
//! starts from a valid machine and breaks one thing.

use serde_json::{json, Value};
use stepfn_asl::{validate_document, Rule};

/// A valid two-state machine with `state` as its first state `S` (continuing to `Done`).
fn with_state(state: Value) -> Value {
    json!({ "StartAt": "S", "States": { "S": state, "Done": { "Type": "Succeed" } } })
}

fn task(extra: Value) -> Value {
    let mut state =
        json!({ "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Done" });
    state
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    state
}

#[track_caller]
fn assert_problem(document: Value, rule: Rule, pointer: &str) {
    let problems = validate_document(&document);
    assert!(
        problems
            .iter()
            .any(|p| p.rule == rule && p.pointer == pointer),
        "expected {rule:?} at {pointer}, got {problems:#?}"
    );
}

#[track_caller]
fn assert_valid(document: Value) {
    let problems = validate_document(&document);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn valid_documents_pass() {
    assert_valid(with_state(task(json!({}))));
    assert_valid(with_state(task(json!({
        "Parameters": { "FunctionName": "f", "Payload.$": "$", "Id.$": "States.UUID()", "Ctx.$": "$$.Execution.Id" },
        "ResultSelector": { "body.$": "$.Payload" },
        "ResultPath": "$.result",
        "TimeoutSeconds": 30,
        "HeartbeatSeconds": 10,
        "Retry": [{ "ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2.0, "MaxDelaySeconds": 10, "JitterStrategy": "FULL" },
                  { "ErrorEquals": ["States.ALL"] }],
        "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": "Done", "ResultPath": "$.error" }]
    }))));
    assert_valid(json!({
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": { "Type": "Choice", "Choices": [{ "Condition": "{% $states.input.n > 1 %}", "Next": "W" }], "Default": "W" },
            "W": { "Type": "Wait", "Seconds": "{% $states.input.wait %}", "Output": "{% $states.input %}", "End": true }
        }
    }));
}

#[test]
fn top_level_rules() {
    assert_problem(
        json!({ "StartAt": "S", "States": {} }),
        Rule::NoStates,
        "/States",
    );
    assert_problem(
        json!({ "States": { "S": { "Type": "Succeed" } } }),
        Rule::MissingField,
        "",
    );
    assert_problem(
        json!({ "StartAt": "X", "States": { "S": { "Type": "Succeed" } } }),
        Rule::UnknownState,
        "/StartAt",
    );
    assert_problem(
        json!({ "StartAt": "S", "Foo": 1, "States": { "S": { "Type": "Succeed" } } }),
        Rule::UnknownField,
        "/Foo",
    );
    assert_problem(
        json!({ "StartAt": "S", "Version": "2.0", "States": { "S": { "Type": "Succeed" } } }),
        Rule::FieldValue,
        "/Version",
    );
    assert_problem(
        json!({ "StartAt": "S", "TimeoutSeconds": 0, "States": { "S": { "Type": "Succeed" } } }),
        Rule::FieldValue,
        "/TimeoutSeconds",
    );
    assert_problem(
        json!({ "StartAt": "S", "QueryLanguage": "SQL", "States": { "S": { "Type": "Succeed" } } }),
        Rule::FieldValue,
        "/QueryLanguage",
    );
}

#[test]
fn state_rules() {
    assert_problem(
        with_state(json!({ "Type": "Tusk", "Next": "Done" })),
        Rule::FieldValue,
        "/States/S/Type",
    );
    assert_problem(
        with_state(task(json!({ "Foo": 1 }))),
        Rule::UnknownField,
        "/States/S/Foo",
    );
    assert_problem(
        with_state(json!({ "Type": "Task", "Next": "Done" })),
        Rule::MissingField,
        "/States/S",
    );
    assert_problem(
        with_state(task(json!({ "End": true }))),
        Rule::NextAndEnd,
        "/States/S/End",
    );
    assert_problem(
        with_state(json!({ "Type": "Pass" })),
        Rule::NoTransition,
        "/States/S",
    );
    assert_problem(
        with_state(task(json!({ "Next": "Dne" }))),
        Rule::UnknownState,
        "/States/S/Next",
    );
    assert_problem(
        with_state(task(json!({ "Resource": "lambda" }))),
        Rule::FieldValue,
        "/States/S/Resource",
    );
    assert_problem(
        with_state(task(
            json!({ "TimeoutSeconds": 10, "TimeoutSecondsPath": "$.t" }),
        )),
        Rule::ExclusiveFields,
        "/States/S/TimeoutSecondsPath",
    );
    assert_problem(
        with_state(task(
            json!({ "TimeoutSeconds": 10, "HeartbeatSeconds": 10 }),
        )),
        Rule::HeartbeatNotBelowTimeout,
        "/States/S/HeartbeatSeconds",
    );
    assert_problem(
        with_state(task(json!({ "TimeoutSeconds": "10" }))),
        Rule::FieldType,
        "/States/S/TimeoutSeconds",
    );
    assert_problem(
        with_state(json!({ "Type": "Succeed", "Next": "Done" })),
        Rule::UnknownField,
        "/States/S/Next",
    );
    let long = "x".repeat(81);
    assert_problem(
        json!({ "StartAt": long, "States": { long.clone(): { "Type": "Succeed" } } }),
        Rule::StateName,
        &format!("/States/{long}"),
    );
}

#[test]
fn graph_rules() {
    let island = json!({ "StartAt": "A", "States": {
        "A": { "Type": "Succeed" },
        "B": { "Type": "Pass", "Next": "C" },
        "C": { "Type": "Pass", "Next": "B" } } });
    assert_problem(island.clone(), Rule::Unreachable, "/States/B");
    assert_problem(island, Rule::NeverFinishes, "/States/C");
    let loop_without_exit = json!({ "StartAt": "A", "States": {
        "A": { "Type": "Pass", "Next": "B" },
        "B": { "Type": "Pass", "Next": "A" } } });
    assert_problem(loop_without_exit, Rule::NeverFinishes, "/States/A");
    let duplicate_in_branch = json!({ "StartAt": "P", "States": {
        "P": { "Type": "Parallel", "End": true, "Branches": [{ "StartAt": "P", "States": { "P": { "Type": "Succeed" } } }] } } });
    assert_problem(
        duplicate_in_branch,
        Rule::DuplicateState,
        "/States/P/Branches/0/States/P",
    );
    let next_out_of_branch = json!({ "StartAt": "P", "States": {
        "P": { "Type": "Parallel", "Next": "Done", "Branches": [{ "StartAt": "A", "States": { "A": { "Type": "Pass", "Next": "Done" } } }] },
        "Done": { "Type": "Succeed" } } });
    assert_problem(
        next_out_of_branch,
        Rule::UnknownState,
        "/States/P/Branches/0/States/A/Next",
    );
}

#[test]
fn retry_and_catch_rules() {
    assert_problem(
        with_state(task(
            json!({ "Retry": [{ "ErrorEquals": ["States.ALL", "Custom"] }] }),
        )),
        Rule::StatesAll,
        "/States/S/Retry/0/ErrorEquals",
    );
    assert_problem(
        with_state(task(
            json!({ "Retry": [{ "ErrorEquals": ["States.ALL"] }, { "ErrorEquals": ["X"] }] }),
        )),
        Rule::StatesAll,
        "/States/S/Retry/0/ErrorEquals",
    );
    assert_problem(
        with_state(task(json!({ "Retry": [{ "ErrorEquals": [] }] }))),
        Rule::FieldValue,
        "/States/S/Retry/0/ErrorEquals",
    );
    assert_problem(
        with_state(task(
            json!({ "Retry": [{ "ErrorEquals": ["States.Timeot"] }] }),
        )),
        Rule::FieldValue,
        "/States/S/Retry/0/ErrorEquals/0",
    );
    assert_problem(
        with_state(task(
            json!({ "Retry": [{ "ErrorEquals": ["X"], "BackoffRate": 0.5 }] }),
        )),
        Rule::FieldValue,
        "/States/S/Retry/0/BackoffRate",
    );
    assert_problem(
        with_state(task(
            json!({ "Retry": [{ "ErrorEquals": ["X"], "IntervalSeconds": 0 }] }),
        )),
        Rule::FieldValue,
        "/States/S/Retry/0/IntervalSeconds",
    );
    assert_problem(
        with_state(task(
            json!({ "Retry": [{ "ErrorEquals": ["X"], "MaxAttempts": -1 }] }),
        )),
        Rule::FieldValue,
        "/States/S/Retry/0/MaxAttempts",
    );
    assert_problem(
        with_state(task(
            json!({ "Retry": [{ "ErrorEquals": ["X"], "JitterStrategy": "HALF" }] }),
        )),
        Rule::FieldValue,
        "/States/S/Retry/0/JitterStrategy",
    );
    assert_problem(
        with_state(task(json!({ "Catch": [{ "ErrorEquals": ["X"] }] }))),
        Rule::MissingField,
        "/States/S/Catch/0",
    );
    assert_problem(
        with_state(task(
            json!({ "Catch": [{ "ErrorEquals": ["X"], "Next": "Nowhere" }] }),
        )),
        Rule::UnknownState,
        "/States/S/Catch/0/Next",
    );
    assert_problem(
        with_state(task(
            json!({ "Catch": [{ "ErrorEquals": ["X"], "Next": "Done", "ResultPath": "$.a[*]" }] }),
        )),
        Rule::Path,
        "/States/S/Catch/0/ResultPath",
    );
}

#[test]
fn path_template_and_intrinsic_rules() {
    assert_problem(
        with_state(task(json!({ "InputPath": "$.a[" }))),
        Rule::Path,
        "/States/S/InputPath",
    );
    assert_problem(
        with_state(task(json!({ "ResultPath": "$..a" }))),
        Rule::Path,
        "/States/S/ResultPath",
    );
    assert_problem(
        with_state(task(json!({ "Parameters": { "a.$": "not a path" } }))),
        Rule::Path,
        "/States/S/Parameters/a.$",
    );
    assert_problem(
        with_state(task(json!({ "Parameters": { "a.$": 3 } }))),
        Rule::FieldType,
        "/States/S/Parameters/a.$",
    );
    assert_problem(
        with_state(task(json!({ "Parameters": { "a": 1, "a.$": "$.a" } }))),
        Rule::DuplicateKey,
        "/States/S/Parameters/a.$",
    );
    assert_problem(
        with_state(task(
            json!({ "Parameters": { "n": { "a.$": "States.Format('{}')" } } }),
        )),
        Rule::Intrinsic,
        "/States/S/Parameters/n/a.$",
    );
    assert_problem(
        with_state(task(json!({ "Arguments": {} }))),
        Rule::UnknownField,
        "/States/S/Arguments",
    );
    assert_problem(
        with_state(task(json!({ "Assign": { "1x": 1 } }))),
        Rule::VariableName,
        "/States/S/Assign/1x",
    );
}

#[test]
fn choice_rules() {
    let choice =
        |rule: Value| with_state(json!({ "Type": "Choice", "Choices": [rule], "Default": "Done" }));
    assert_valid(choice(
        json!({ "Variable": "$.n", "NumericGreaterThan": 1, "Next": "Done" }),
    ));
    assert_valid(choice(
        json!({ "And": [{ "Variable": "$.a", "IsPresent": true }, { "Not": { "Variable": "$.b", "StringMatches": "x*" } }], "Next": "Done" }),
    ));
    assert_problem(
        choice(json!({ "Variable": "$.n", "Next": "Done" })),
        Rule::ChoiceRule,
        "/States/S/Choices/0",
    );
    assert_problem(
        choice(
            json!({ "Variable": "$.n", "NumericEquals": 1, "StringEquals": "1", "Next": "Done" }),
        ),
        Rule::ChoiceRule,
        "/States/S/Choices/0",
    );
    assert_problem(
        choice(json!({ "Variable": "$.n", "NumericEquals": "1", "Next": "Done" })),
        Rule::FieldValue,
        "/States/S/Choices/0/NumericEquals",
    );
    assert_problem(
        choice(json!({ "Variable": "$.t", "TimestampEquals": "yesterday", "Next": "Done" })),
        Rule::FieldValue,
        "/States/S/Choices/0/TimestampEquals",
    );
    assert_problem(
        choice(json!({ "NumericEquals": 1, "Next": "Done" })),
        Rule::MissingField,
        "/States/S/Choices/0",
    );
    assert_problem(
        choice(json!({ "Variable": "$.n", "NumericEquals": 1 })),
        Rule::MissingField,
        "/States/S/Choices/0",
    );
    assert_problem(
        choice(
            json!({ "And": [{ "Variable": "$.n", "IsNull": true, "Next": "Done" }], "Next": "Done" }),
        ),
        Rule::UnknownField,
        "/States/S/Choices/0/And/0/Next",
    );
    assert_problem(
        choice(json!({ "Variable": "$.n", "NumericEqual": 1, "Next": "Done" })),
        Rule::UnknownField,
        "/States/S/Choices/0/NumericEqual",
    );
    assert_problem(
        with_state(json!({ "Type": "Choice", "Choices": [] })),
        Rule::FieldValue,
        "/States/S/Choices",
    );
}

#[test]
fn wait_fail_map_rules() {
    assert_problem(
        with_state(json!({ "Type": "Wait", "Next": "Done" })),
        Rule::MissingField,
        "/States/S",
    );
    assert_problem(
        with_state(
            json!({ "Type": "Wait", "Seconds": 1, "Timestamp": "2026-01-01T00:00:00Z", "Next": "Done" }),
        ),
        Rule::ExclusiveFields,
        "/States/S/Timestamp",
    );
    assert_problem(
        with_state(json!({ "Type": "Wait", "Timestamp": "2026-01-01", "Next": "Done" })),
        Rule::FieldValue,
        "/States/S/Timestamp",
    );
    assert_problem(
        with_state(json!({ "Type": "Fail", "Error": "E", "ErrorPath": "$.e" })),
        Rule::ExclusiveFields,
        "/States/S/ErrorPath",
    );
    let map = |extra: Value| {
        let mut state = json!({ "Type": "Map", "Next": "Done", "ItemProcessor": { "StartAt": "I", "States": { "I": { "Type": "Pass", "End": true } } } });
        state
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        with_state(state)
    };
    assert_valid(map(json!({ "ItemsPath": "$.items", "MaxConcurrency": 5 })));
    assert_problem(
        map(json!({ "MaxConcurrency": -1 })),
        Rule::FieldValue,
        "/States/S/MaxConcurrency",
    );
    assert_problem(
        map(json!({ "ItemSelector": {}, "Parameters": {} })),
        Rule::ExclusiveFields,
        "/States/S/Parameters",
    );
    assert_problem(
        map(json!({ "ItemBatcher": { "MaxItemsPerBatch": 5 } })),
        Rule::FieldValue,
        "/States/S/ItemBatcher",
    );
    assert_problem(
        map(json!({ "ItemsPath": "$.items[*]" })),
        Rule::Path,
        "/States/S/ItemsPath",
    );
    let distributed = |extra: Value| {
        let mut state = json!({ "Type": "Map", "Next": "Done", "ItemProcessor": {
            "ProcessorConfig": { "Mode": "DISTRIBUTED", "ExecutionType": "STANDARD" },
            "StartAt": "I", "States": { "I": { "Type": "Pass", "End": true } } } });
        state
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        with_state(state)
    };
    assert_valid(distributed(
        json!({ "Label": "orders", "ToleratedFailurePercentage": 5, "ItemBatcher": { "MaxItemsPerBatch": 10 } }),
    ));
    assert_problem(
        distributed(json!({ "ItemBatcher": {} })),
        Rule::MissingField,
        "/States/S/ItemBatcher",
    );
    assert_problem(
        distributed(json!({ "Label": "x".repeat(41) })),
        Rule::FieldValue,
        "/States/S/Label",
    );
    assert_problem(
        distributed(json!({ "ToleratedFailurePercentage": 101 })),
        Rule::FieldValue,
        "/States/S/ToleratedFailurePercentage",
    );
    assert_problem(
        with_state(json!({ "Type": "Map", "Next": "Done" })),
        Rule::MissingField,
        "/States/S",
    );
}

#[test]
fn query_language_rules() {
    let jsonata = |state: Value| json!({ "QueryLanguage": "JSONata", "StartAt": "S", "States": { "S": state, "Done": { "Type": "Succeed" } } });
    assert_problem(
        jsonata(task(json!({ "Parameters": {} }))),
        Rule::UnknownField,
        "/States/S/Parameters",
    );
    assert_problem(
        jsonata(task(json!({ "QueryLanguage": "JSONPath" }))),
        Rule::FieldValue,
        "/States/S/QueryLanguage",
    );
    assert_problem(
        jsonata(task(
            json!({ "Output": { "total": "{% $sum($states.input.prices %}" } }),
        )),
        Rule::Jsonata,
        "/States/S/Output/total",
    );
    assert_problem(
        jsonata(task(json!({ "Output": "{% $states.input" }))),
        Rule::Jsonata,
        "/States/S/Output",
    );
    assert_valid(jsonata(task(
        json!({ "Arguments": { "x": "{% $states.input.x %}" }, "Assign": { "total": "{% 1 + 2 %}" } }),
    )));
}
