//! `lint_document`: variables read before every path assigns them, and inner scopes assigning outer variables.

#[path = "../../tests/src/shared_data.rs"]
mod shared_data;

use serde_json::{json, Value};
use stepfn_asl::{lint_document, Rule};

fn lints(document: Value) -> Vec<(Rule, String)> {
    lint_document(&document)
        .into_iter()
        .map(|p| (p.rule, p.pointer))
        .collect()
}

#[test]
fn a_read_needs_an_assignment_on_every_path() {
    let definition = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Set"}], "Default": "Use"},
        "Set": {"Type": "Pass", "Assign": {"total": 1}, "Next": "Use"},
        "Use": {"Type": "Pass", "Parameters": {"t.$": "$total"}, "End": true}}});
    assert_eq!(
        lints(definition),
        [(
            Rule::UnassignedVariable,
            "/States/Use/Parameters/t.$".to_string()
        )]
    );

    let assigned_everywhere = json!({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Assign": {"total": 0},
              "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Set"}], "Default": "Use"},
        "Set": {"Type": "Pass", "Assign": {"total": 1}, "Next": "Use"},
        "Use": {"Type": "Pass", "Parameters": {"t.$": "States.Format('{}', $total)"}, "End": true}}});
    assert_eq!(lints(assigned_everywhere), []);
}

#[test]
fn a_state_does_not_see_its_own_assign() {
    let definition = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"n": 1}, "Parameters": {"n.$": "$n"}, "End": true}}});
    assert_eq!(
        lints(definition),
        [(
            Rule::UnassignedVariable,
            "/States/A/Parameters/n.$".to_string()
        )]
    );
}

#[test]
fn catcher_assign_counts_only_on_its_edge() {
    let definition = json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Assign": {"sent": true},
              "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"failed": true}, "Next": "After"}], "Next": "After"},
        "After": {"Type": "Pass", "Parameters": {"sent.$": "$sent", "failed.$": "$failed"}, "End": true}}});
    let found = lints(definition);
    assert_eq!(found.len(), 2, "{found:?}");
}

#[test]
fn jsonata_reads_skip_bound_names_functions_and_states() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Output": "{% $map($states.input.xs, function($v) { $v * 2 }) ~> $sum() %}",
              "Assign": {"y": "{% ($x := 2; $x + $missing) %}"}, "End": true}}});
    assert_eq!(
        lints(definition),
        [(Rule::UnassignedVariable, "/States/A/Assign/y".to_string())]
    );
}

#[test]
fn jsonpath_states_keep_jsonata_text_literal() {
    let definition = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"text": "{% $nothing %}", "path": "$notAPath"}, "End": true}}});
    assert_eq!(lints(definition), []);
}

#[test]
fn inner_scopes_read_outer_variables_but_do_not_assign_them() {
    let definition = json!({"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"bias": 1}, "Next": "M"},
        "M": {"Type": "Map", "End": true, "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "In",
            "States": {"In": {"Type": "Pass", "Parameters": {"b.$": "$bias"}, "Assign": {"bias": 2, "mine": 3},
                              "End": true}}}}}});
    assert_eq!(
        lints(definition),
        [(
            Rule::OuterVariableAssigned,
            "/States/M/ItemProcessor/States/In/Assign/bias".to_string()
        )]
    );
}

/// Every AWS-recorded definition the lint flags is one whose execution AWS failed.
#[test]
fn aws_recorded_definitions_flagged_only_when_they_fail() {
    let Some(text) = shared_data::aws_recorded() else {
        return;
    };
    let mut flagged = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let problems = lint_document(&case["definition"]);
        if !problems.is_empty() {
            flagged += 1;
            assert_eq!(
                case["expected"]["status"], "FAILED",
                "{}: {problems:?}",
                case["id"]
            );
        }
    }
    assert!(
        flagged >= 3,
        "the undefined-reference cases are flagged ({flagged})"
    );
}

/// Every JSONata field is parsed, not only Output/Arguments/Assign.
#[test]
fn jsonata_syntax_is_checked_in_every_field() {
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $a = = 1 %}", "Next": "W"}], "Default": "W"},
        "W": {"Type": "Wait", "Seconds": "{% ) %}", "Next": "M"},
        "M": {"Type": "Map", "Items": "{% [1, %}", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"},
              "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "Next": "F"},
        "F": {"Type": "Fail", "Error": "{% 'a' & %}", "Cause": "{% ( %}"}}});
    let pointers: Vec<String> = stepfn_asl::validate_document(&definition)
        .into_iter()
        .filter(|p| p.rule == Rule::Jsonata)
        .map(|p| p.pointer)
        .collect();
    assert_eq!(
        pointers,
        [
            "/States/C/Choices/0/Condition",
            "/States/W/Seconds",
            "/States/M/Items",
            "/States/F/Error",
            "/States/F/Cause"
        ]
    );
}

#[test]
fn jsonata_reads_come_from_the_parsed_expression() {
    // Bound names, lambda parameters, called functions and `$` inside string literals are not reads; a variable
    // used inside a lambda's body is.
    let definition = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Output": "{% ($n := 2; $map([1, 2], function($v) { $v * $n * $rate }) & '$price') %}",
              "End": true}}});
    assert_eq!(
        lints(definition),
        [(Rule::UnassignedVariable, "/States/A/Output".to_string())]
    );
}
