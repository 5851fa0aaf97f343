//! Where stepfn's validator had to decide what AWS accepts (issue 10): each case is a definition, our verdict, the
//! AWS page (or AWS-recorded behaviour) the verdict follows, and what asl-validator 4.0.0 says of it. One test pins
//! our verdicts; the other runs asl-validator on every case and pins its verdict, so each disagreement is written
//! down here with the source of our decision (skipped with a notice when asl-validator is not installed; a failure
//! under `STEPFN_REQUIRE_TOOLS=1`).
//!
//! Where AWS documents nothing, the verdict is the one that cannot make a definition AWS accepts fail to build.

#[path = "../../tests/src/shared_data.rs"]
mod shared_data;

use serde_json::{json, Value};
use stepfn_asl::{validate_document, Rule};

/// What our validator says.
#[derive(Debug)]
enum Ours {
    Valid,
    /// The rule broken and the pointer of the value to change.
    Invalid(Rule, &'static str),
}

/// Whether asl-validator 4.0.0 accepts the definition.
#[derive(Debug, PartialEq)]
enum Theirs {
    Accepts,
    Rejects,
}

struct Case {
    name: &'static str,
    definition: Value,
    ours: Ours,
    asl_validator: Theirs,
    /// The page (and section) our verdict follows.
    source: &'static str,
}

const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:";
const PROCESSOR: &str = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;

/// A machine whose first state `S` continues to a Succeed state `Done`.
fn machine(state: Value) -> Value {
    json!({ "StartAt": "S", "States": { "S": state, "Done": { "Type": "Succeed" } } })
}

fn jsonata(state: Value) -> Value {
    let mut document = machine(state);
    document["QueryLanguage"] = json!("JSONata");
    document
}

/// An inline Map (no `ProcessorConfig`) with `extra` fields.
fn inline_map(extra: Value) -> Value {
    let mut state = json!({ "Type": "Map", "Next": "Done",
        "ItemProcessor": serde_json::from_str::<Value>(PROCESSOR).unwrap() });
    state
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    machine(state)
}

fn cases() -> Vec<Case> {
    use Ours::{Invalid, Valid};
    use Theirs::{Accepts, Rejects};
    // Templates take any JSON: users had AWS accept `"Parameters": ["abc"]` and arrays of templates, and
    // asl-validator changed to accept them in 3.0.1 (its issue #67 and pull request #68). A string at the top is a
    // literal; an array is filled element by element (engine/tests/any_json_templates.rs runs them).
    const TEMPLATES: &str = "https://github.com/ChristopheBougere/asl-validator/issues/67";
    // JSONata: a string is an expression when it is "{% <JSONata expression> %}"; AWS documents no spacing inside
    // the delimiters, and whitespace (newlines included) is insignificant in JSONata, so `{%10%}` and `{% \n10 %}`
    // are expressions. A string that only ends in `%}` does not open one: a literal.
    const JSONATA: &str =
        "https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html";
    // The Lambda Invoke API: FunctionName `[a-zA-Z0-9-_]+`, Qualifier `$LATEST`, a version or an alias
    // `[a-zA-Z0-9-_]+`; a Task's Lambda function ARN is that name and qualifier.
    const LAMBDA_API: &str = "https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html";
    // "Variable name syntax": Unicode ID_Start first, ID_Continue after, at most 80 characters.
    const VARIABLES: &str =
        "https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html#variable-name-syntax";
    // The distributed Map's own fields: ItemReader, ItemBatcher, ResultWriter, Label, ToleratedFailure*; the inline
    // Map's page lists none of them.
    const DISTRIBUTED: &str =
        "https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html";
    // "You cannot revert a top-level JSONata-based state machine to a mix of JSONata and JSONPath states"; under a
    // JSONPath top level, "individual states can override the query language".
    const STRUCTURE: &str =
        "https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html";
    // `Credentials` holds `RoleArn` (`RoleArn.$` in JSONPath), nothing else.
    const CREDENTIALS: &str =
        "https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html#task-state-fields";
    // "Paths follow JsonPath syntax" (Jayway's): its operators have no script expressions `[(...)]`.
    const PATHS: &str =
        "https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html";
    // "The following state types support Assign ...: Pass, Task, Map, Parallel, Choice, Wait."
    const ASSIGN: &str =
        "https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html";
    vec![
        Case {
            name: "Parameters is an array of strings",
            definition: machine(json!({ "Type": "Pass", "Parameters": ["abc"], "Next": "Done" })),
            ours: Valid,
            asl_validator: Accepts,
            source: TEMPLATES,
        },
        Case {
            name: "Parameters is an array of templates",
            definition: machine(json!({ "Type": "Task", "Resource": format!("{LAMBDA}f"),
                "Parameters": [{ "a.$": "$.x" }, { "b": 1 }], "Next": "Done" })),
            ours: Valid,
            asl_validator: Accepts,
            source: TEMPLATES,
        },
        Case {
            name: "Parameters is a string (a literal)",
            definition: machine(json!({ "Type": "Pass", "Parameters": "$.x", "Next": "Done" })),
            ours: Valid,
            asl_validator: Accepts,
            source: TEMPLATES,
        },
        Case {
            // AWS says nothing of `null`; refusing it could refuse a definition AWS takes.
            name: "Parameters is null",
            definition: machine(json!({ "Type": "Pass", "Parameters": null, "Next": "Done" })),
            ours: Valid,
            asl_validator: Rejects,
            source: TEMPLATES,
        },
        Case {
            name: "ResultSelector is an array of templates",
            definition: machine(json!({ "Type": "Task", "Resource": format!("{LAMBDA}f"),
                "ResultSelector": [{ "a.$": "$.x" }], "Next": "Done" })),
            ours: Valid,
            asl_validator: Accepts,
            source: TEMPLATES,
        },
        Case {
            name: "ItemSelector is an array of templates",
            definition: inline_map(json!({ "ItemSelector": [{ "v.$": "$$.Map.Item.Value" }] })),
            ours: Valid,
            asl_validator: Accepts,
            source: TEMPLATES,
        },
        Case {
            // asl-validator reads `{%10%}` inside an object as a literal string; we read it as the expression 10.
            name: "{%10%} inside Output",
            definition: jsonata(
                json!({ "Type": "Pass", "Output": { "n": "{%10%}" }, "Next": "Done" }),
            ),
            ours: Valid,
            asl_validator: Accepts,
            source: JSONATA,
        },
        Case {
            name: "{%10%} as the whole Output",
            definition: jsonata(json!({ "Type": "Pass", "Output": "{%10%}", "Next": "Done" })),
            ours: Valid,
            asl_validator: Rejects,
            source: JSONATA,
        },
        Case {
            name: "a newline inside {% %}",
            definition: jsonata(
                json!({ "Type": "Pass", "Output": { "n": "{% \n10 %}" }, "Next": "Done" }),
            ),
            ours: Valid,
            asl_validator: Rejects,
            source: JSONATA,
        },
        Case {
            name: "a string that only ends in %}",
            definition: jsonata(
                json!({ "Type": "Pass", "Output": { "n": "abc %}" }, "Next": "Done" }),
            ),
            ours: Valid,
            asl_validator: Accepts,
            source: JSONATA,
        },
        Case {
            name: "Lambda ARN ending in `:` (no qualifier)",
            definition: machine(
                json!({ "Type": "Task", "Resource": format!("{LAMBDA}f:"), "Next": "Done" }),
            ),
            ours: Invalid(Rule::FieldValue, "/States/S/Resource"),
            asl_validator: Rejects,
            source: LAMBDA_API,
        },
        Case {
            name: "Lambda ARN with the qualifier `$*#$7485`",
            definition: machine(
                json!({ "Type": "Task", "Resource": format!("{LAMBDA}f:$*#$7485"), "Next": "Done" }),
            ),
            ours: Invalid(Rule::FieldValue, "/States/S/Resource"),
            asl_validator: Accepts,
            source: LAMBDA_API,
        },
        Case {
            name: "Lambda ARN with the qualifier `$LATEST`",
            definition: machine(
                json!({ "Type": "Task", "Resource": format!("{LAMBDA}f:$LATEST"), "Next": "Done" }),
            ),
            ours: Valid,
            asl_validator: Accepts,
            source: LAMBDA_API,
        },
        Case {
            // `_` is not an ID_Start character.
            name: "variable name starting with `_`",
            definition: machine(
                json!({ "Type": "Pass", "Assign": { "_total": 1 }, "Next": "Done" }),
            ),
            ours: Invalid(Rule::VariableName, "/States/S/Assign/_total"),
            asl_validator: Accepts,
            source: VARIABLES,
        },
        Case {
            name: "variable name with `-`",
            definition: machine(
                json!({ "Type": "Pass", "Assign": { "order-id": 1 }, "Next": "Done" }),
            ),
            ours: Invalid(Rule::VariableName, "/States/S/Assign/order-id"),
            asl_validator: Accepts,
            source: VARIABLES,
        },
        Case {
            name: "variable name of non-ASCII letters",
            definition: machine(
                json!({ "Type": "Pass", "Assign": { "größe": 1 }, "Next": "Done" }),
            ),
            ours: Valid,
            asl_validator: Accepts,
            source: VARIABLES,
        },
        Case {
            name: "ItemReader on an inline Map",
            definition: inline_map(
                json!({ "ItemReader": { "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": { "InputType": "JSON" }, "Parameters": { "Bucket": "b", "Key": "k" } } }),
            ),
            ours: Invalid(Rule::FieldValue, "/States/S/ItemReader"),
            asl_validator: Accepts,
            source: DISTRIBUTED,
        },
        Case {
            name: "ResultWriter on an inline Map",
            definition: inline_map(
                json!({ "ResultWriter": { "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": { "Bucket": "b", "Prefix": "p" } } }),
            ),
            ours: Invalid(Rule::FieldValue, "/States/S/ResultWriter"),
            asl_validator: Accepts,
            source: DISTRIBUTED,
        },
        Case {
            name: "Label on an inline Map",
            definition: inline_map(json!({ "Label": "batch" })),
            ours: Invalid(Rule::FieldValue, "/States/S/Label"),
            asl_validator: Accepts,
            source: DISTRIBUTED,
        },
        Case {
            name: "ToleratedFailureCount on an inline Map",
            definition: inline_map(json!({ "ToleratedFailureCount": 1 })),
            ours: Invalid(Rule::FieldValue, "/States/S/ToleratedFailureCount"),
            asl_validator: Accepts,
            source: DISTRIBUTED,
        },
        Case {
            name: "a JSONPath state in a JSONata machine",
            definition: jsonata(
                json!({ "Type": "Pass", "QueryLanguage": "JSONPath", "Next": "Done" }),
            ),
            ours: Invalid(Rule::FieldValue, "/States/S/QueryLanguage"),
            asl_validator: Accepts,
            source: STRUCTURE,
        },
        Case {
            name: "a JSONPath state in a JSONata Parallel of a JSONPath machine",
            definition: machine(
                json!({ "Type": "Parallel", "QueryLanguage": "JSONata", "Next": "Done",
                "Branches": [{ "StartAt": "B", "States": { "B": { "Type": "Pass", "QueryLanguage": "JSONPath", "End": true } } }] }),
            ),
            ours: Valid,
            asl_validator: Accepts,
            source: STRUCTURE,
        },
        Case {
            name: "Credentials with a field besides RoleArn",
            definition: machine(
                json!({ "Type": "Task", "Resource": format!("{LAMBDA}f"), "Next": "Done",
                "Credentials": { "RoleArn": "arn:aws:iam::123456789012:role/R", "ExternalId": "x" } }),
            ),
            ours: Invalid(Rule::UnknownField, "/States/S/Credentials/ExternalId"),
            asl_validator: Accepts,
            source: CREDENTIALS,
        },
        Case {
            name: "Credentials with RoleArn.$ in a JSONata state",
            definition: jsonata(
                json!({ "Type": "Task", "Resource": format!("{LAMBDA}f"), "Next": "Done",
                "Credentials": { "RoleArn.$": "$.role" } }),
            ),
            ours: Invalid(Rule::UnknownField, "/States/S/Credentials/RoleArn.$"),
            asl_validator: Accepts,
            source: CREDENTIALS,
        },
        Case {
            name: "a script expression in a path",
            definition: machine(
                json!({ "Type": "Pass", "InputPath": "$.items[(@.length-1)]", "Next": "Done" }),
            ),
            ours: Invalid(Rule::Path, "/States/S/InputPath"),
            asl_validator: Accepts,
            source: PATHS,
        },
        Case {
            name: "Assign on a Succeed state",
            definition: json!({ "StartAt": "S", "States": { "S": { "Type": "Succeed", "Assign": { "x": 1 } } } }),
            ours: Invalid(Rule::UnknownField, "/States/S/Assign"),
            asl_validator: Rejects,
            source: ASSIGN,
        },
        Case {
            name: "Assign on a Fail state",
            definition: json!({ "StartAt": "S", "States": { "S": { "Type": "Fail", "Assign": { "x": 1 } } } }),
            ours: Invalid(Rule::UnknownField, "/States/S/Assign"),
            asl_validator: Rejects,
            source: ASSIGN,
        },
    ]
}

#[test]
fn our_verdicts_follow_aws() {
    let mut wrong = Vec::new();
    for case in cases() {
        let problems = validate_document(&case.definition);
        let right = match case.ours {
            Ours::Valid => problems.is_empty(),
            Ours::Invalid(rule, pointer) => {
                !problems.is_empty()
                    && problems
                        .iter()
                        .all(|p| p.rule == rule && p.pointer == pointer)
            }
        };
        if !right {
            wrong.push(format!(
                "{} (expected {:?}, per {}): {problems:#?}",
                case.name, case.ours, case.source
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// asl-validator from `STEPFN_ASL_VALIDATOR` or as `scripts/test` installs it into `.tools/`.
fn asl_validator() -> Option<std::path::PathBuf> {
    let installed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../.tools/node/node_modules/.bin/asl-validator");
    let found = std::env::var_os("STEPFN_ASL_VALIDATOR")
        .map(std::path::PathBuf::from)
        .into_iter()
        .chain([installed])
        .find(|p| p.is_file());
    if found.is_none() {
        shared_data::skip_or_fail(
            "asl-validator not found; run `scripts/test` to install it into .tools/",
        );
    }
    found
}

#[test]
fn asl_validator_verdicts_are_pinned() {
    let Some(validator) = asl_validator() else {
        return;
    };
    let mut changed = Vec::new();
    for case in cases() {
        let output = std::process::Command::new(&validator)
            .arg("--json-definition")
            .arg(case.definition.to_string())
            .output()
            .expect("asl-validator runs");
        let theirs = if output.status.success() {
            Theirs::Accepts
        } else {
            Theirs::Rejects
        };
        if theirs != case.asl_validator {
            changed.push(format!(
                "{}: asl-validator {theirs:?}, pinned {:?}\n{}",
                case.name,
                case.asl_validator,
                String::from_utf8_lossy(&output.stdout)
            ));
        }
    }
    assert!(changed.is_empty(), "{}", changed.join("\n"));
}
