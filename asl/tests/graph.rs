//! `stepfn_asl::graph::mermaid`: exact renderings of small machines, nested scopes, awkward state names, odd
//! input, and every definition AWS ran (from `../shared/conformance/aws-recorded.jsonl`, skipped with a notice
//! when the shared folder is not beside the repository).

#[path = "../../tests/src/shared_data.rs"]
mod shared_data;

use serde_json::{json, Value};
use stepfn_asl::graph::mermaid;

#[test]
fn choice_task_catch_succeed_and_fail() {
    let definition = json!({
        "StartAt": "Prepare",
        "States": {
            "Prepare": { "Type": "Pass", "Next": "Route" },
            "Route": {
                "Type": "Choice",
                "Choices": [
                    { "Variable": "$.total", "NumericGreaterThan": 100000, "Next": "Charge" },
                    { "Variable": "$.type", "StringEquals": "Private", "Next": "Approved" },
                    { "Not": { "Variable": "$.customer", "IsPresent": true }, "Next": "Rejected" }
                ],
                "Default": "Charge"
            },
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
                "Retry": [{ "ErrorEquals": ["States.Timeout"], "MaxAttempts": 2 }],
                "Catch": [{ "ErrorEquals": ["CardDeclined", "States.Timeout"], "Next": "Rejected" }],
                "Next": "Approved"
            },
            "Approved": { "Type": "Succeed" },
            "Rejected": { "Type": "Fail", "Error": "OrderRejected", "Cause": "declined" }
        }
    });
    let expected = r##"flowchart TD
    begin(("start"))
    s0["Prepare<br/>Pass"]
    s1{"Route<br/>Choice"}
    s2["Charge<br/>Task<br/>retry: States.Timeout ×2"]
    s3(["Approved<br/>Succeed"])
    s4(["Rejected<br/>Fail"])
    finish(("end"))
    begin --> s0
    s0 --> s1
    s1 -->|"$.total > 100000"| s2
    s1 -->|"$.type == #quot;Private#quot;"| s3
    s1 -->|"not (IsPresent $.customer)"| s4
    s1 -->|"default"| s2
    s2 --> s3
    s2 -.->|"CardDeclined, States.Timeout"| s4
    s3 --> finish
    s4 -.->|"OrderRejected"| finish
"##;
    assert_eq!(mermaid(&definition), expected);
}

#[test]
fn parallel_branches_and_maps_are_subgraphs() {
    let definition = json!({
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    { "StartAt": "Left", "States": { "Left": { "Type": "Pass", "End": true } } },
                    {
                        "StartAt": "Each",
                        "States": {
                            "Each": {
                                "Type": "Map",
                                "ItemProcessor": {
                                    "ProcessorConfig": { "Mode": "INLINE" },
                                    "StartAt": "Check",
                                    "States": {
                                        "Check": {
                                            "Type": "Choice",
                                            "Choices": [
                                                { "Variable": "$.ok", "BooleanEquals": true, "Next": "Fine" }
                                            ],
                                            "Default": "Broken"
                                        },
                                        "Fine": { "Type": "Succeed" },
                                        "Broken": { "Type": "Fail", "Error": "ItemBroken" }
                                    }
                                },
                                "End": true
                            }
                        }
                    }
                ],
                "Catch": [{ "ErrorEquals": ["ItemBroken"], "Next": "Recover" }],
                "Next": "Legacy"
            },
            "Recover": { "Type": "Pass", "Next": "Legacy" },
            "Legacy": {
                "Type": "Map",
                "Iterator": {
                    "StartAt": "Inner",
                    "States": { "Inner": { "Type": "Wait", "Seconds": 1, "End": true } }
                },
                "End": true
            }
        }
    });
    let expected = r##"flowchart TD
    begin(("start"))
    subgraph s0["Both<br/>Parallel"]
        s0_in(("start"))
        subgraph s0_b0["branch 1"]
            s1["Left<br/>Pass"]
        end
        subgraph s0_b1["branch 2"]
            subgraph s2["Each<br/>Map"]
                s2_in(("start"))
                s3{"Check<br/>Choice"}
                s4(["Fine<br/>Succeed"])
                s5(["Broken<br/>Fail"])
                s2_out(("end"))
            end
        end
        s0_out(("end"))
    end
    s6["Recover<br/>Pass"]
    subgraph s7["Legacy<br/>Map"]
        s7_in(("start"))
        s8["Inner<br/>Wait"]
        s7_out(("end"))
    end
    finish(("end"))
    begin --> s0
    s0 --> s7
    s0 -.->|"ItemBroken"| s6
    s0_in --> s1
    s1 --> s0_out
    s0_in --> s2
    s2 --> s0_out
    s2_in --> s3
    s3 -->|"$.ok == true"| s4
    s3 -->|"default"| s5
    s4 --> s2_out
    s5 -.->|"ItemBroken"| s2_out
    s6 --> s7
    s7 --> finish
    s7_in --> s8
    s8 --> s7_out
"##;
    assert_eq!(mermaid(&definition), expected);
}

#[test]
fn awkward_state_names_are_escaped() {
    let definition = json!({
        "StartAt": "Say \"hi\" to #1; [a] (b) {c}",
        "States": {
            "Say \"hi\" to #1; [a] (b) {c}": { "Type": "Pass", "Next": "a|b <i>x</i> & `y`" },
            "a|b <i>x</i> & `y`": {
                "Type": "Choice",
                "Choices": [
                    { "Variable": "$.who", "StringEquals": "say \"end\" | <b>", "Next": "end" },
                    { "Variable": "$.style", "StringEquals": "color:#f00;", "Next": "end" }
                ],
                "Default": "Grüße ✓ 名前"
            },
            "end": { "Type": "Succeed" },
            "Grüße ✓ 名前": { "Type": "Fail", "Error": "Bad \"thing\"" }
        }
    });
    let chart = mermaid(&definition);
    assert_well_formed(&chart);
    for line in [
        r#"s0["Say #quot;hi#quot; to #35;1; [a] (b) {c}<br/>Pass"]"#,
        r#"s1{"a#124;b #lt;i>x#lt;/i> #amp; #96;y#96;<br/>Choice"}"#,
        r#"s2(["end<br/>Succeed"])"#,
        r#"s3(["Grüße ✓ 名前<br/>Fail"])"#,
        r#"s1 -->|"$.who == #quot;say \#quot;end\#quot; #124; #lt;b>#quot;"| s2"#,
        r#"s3 -.->|"Bad #quot;thing#quot;"| finish"#,
        r#"s1 -->|"$.style == #quot;color#58;#35;f00;#quot;"| s2"#,
    ] {
        assert!(
            chart.lines().any(|l| l.trim() == line),
            "no line {line} in\n{chart}"
        );
    }
}

#[test]
fn conditions_read_briefly() {
    let choice = |rule: Value| {
        let definition = json!({
            "StartAt": "C",
            "States": {
                "C": { "Type": "Choice", "Choices": [rule], "Default": "D" },
                "D": { "Type": "Succeed" }
            }
        });
        let chart = mermaid(&definition);
        let line = chart
            .lines()
            .find(|l| l.trim_start().starts_with("s0 -->|"))
            .unwrap();
        line.trim()
            .strip_prefix("s0 -->|\"")
            .unwrap()
            .strip_suffix("\"| s1")
            .unwrap()
            .to_owned()
    };
    let rule = json!({
        "Or": [
            { "And": [
                { "Variable": "$.a", "IsNull": false },
                { "Variable": "$.a", "NumericLessThanEqualsPath": "$.m" }
            ] },
            { "Variable": "$.f", "StringMatches": "*.csv" }
        ],
        "Next": "D"
    });
    assert_eq!(
        choice(rule),
        "(not IsNull $.a and $.a #lt;= $.m) or $.f matches #quot;*.csv#quot;"
    );
    let jsonata = json!({ "Condition": "{% $states.input.n > 3 %}", "Next": "D" });
    assert_eq!(choice(jsonata), "{% $states.input.n > 3 %}");
    let long = json!({ "Condition": format!("{{% {} %}}", "é".repeat(100)), "Next": "D" });
    let label = choice(long);
    assert_eq!(label.chars().count(), 60);
    assert!(label.ends_with('…'));
    let unknown = json!({ "Variable": "$.x", "Next": "D" });
    assert_eq!(choice(unknown), "rule 1");
}

#[test]
fn odd_input_renders_what_it_can() {
    for definition in [
        json!(null),
        json!("machine"),
        json!([]),
        json!({}),
        json!({ "StartAt": 3, "States": [] }),
        json!({ "StartAt": "Nowhere", "States": { "A": 1, "B": { "Type": 7, "Next": ["A"] } } }),
        json!({ "StartAt": "A", "States": {
            "A": { "Type": "Choice", "Choices": { "Next": "A" }, "Default": 1 },
            "B": { "Type": "Choice", "Choices": [1, { "Next": "Z" }, { "Not": 2, "Next": "A" }, { "And": 3, "Next": "A" }] },
            "C": { "Type": "Parallel", "Branches": [1, { "States": [] }, { "StartAt": "X", "States": { "X": {} } }] },
            "D": { "Type": "Map", "Iterator": "x", "Retry": [{ "ErrorEquals": "x" }, 2], "Catch": [{}, { "Next": "A" }] },
            "E": { "Type": "Fail", "Error": { "not": "a string" } },
            "F": { "Type": "Task", "Retry": [], "End": "yes" }
        } }),
    ] {
        let chart = mermaid(&definition);
        assert!(
            chart.starts_with("flowchart TD\n    begin((\"start\"))\n"),
            "{chart}"
        );
        assert_well_formed(&chart);
    }
}

#[test]
fn every_definition_aws_ran_renders_every_state() {
    let Some(text) = shared_data::aws_recorded() else {
        return;
    };
    let mut rendered = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let chart = mermaid(&case["definition"]);
        assert_well_formed(&chart);
        let mut names = Vec::new();
        state_names(&case["definition"], &mut names);
        for name in names {
            let label = format!("\"{}<br/>", escape(&name));
            assert!(
                chart.contains(&label),
                "{}: no node for {name:?} in\n{chart}",
                case["id"]
            );
        }
        rendered += 1;
    }
    assert!(rendered > 0);
}

/// Every state name in `definition`, nested scopes included.
fn state_names(definition: &Value, names: &mut Vec<String>) {
    let Some(states) = definition.get("States").and_then(Value::as_object) else {
        return;
    };
    for (name, state) in states {
        names.push(name.clone());
        for branch in state
            .get("Branches")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            state_names(branch, names);
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(processor) = state.get(key) {
                state_names(processor, names);
            }
        }
    }
}

/// The escaping the chart should use for label text (kept separate from the module's, to check it).
fn escape(text: &str) -> String {
    text.replace('#', "#35;")
        .replace('"', "#quot;")
        .replace('&', "#amp;")
        .replace('<', "#lt;")
        .replace('|', "#124;")
        .replace('`', "#96;")
}

/// Checks what would break Mermaid's parser or the HTML of a label: every line holds no quoted label or exactly
/// one, `#` only starts an entity code, `<` only in `<br/>`, no backticks, and no id is declared twice.
fn assert_well_formed(chart: &str) {
    let mut declared = std::collections::HashSet::new();
    for line in chart.lines() {
        let quotes = line.matches('"').count();
        assert!(quotes == 0 || quotes == 2, "unbalanced quotes in {line:?}");
        for (at, _) in line.match_indices('#') {
            let rest = &line[at + 1..];
            let code = rest.split(';').next().unwrap_or("");
            assert!(
                !code.is_empty()
                    && code.chars().all(|c| c.is_ascii_alphanumeric())
                    && rest.len() > code.len(),
                "bare # in {line:?}"
            );
        }
        assert!(
            !line.replace("<br/>", "").contains('<'),
            "bare < in {line:?}"
        );
        assert!(!line.contains('`'), "backtick in {line:?}");
        let node = line.trim().strip_prefix("subgraph ").unwrap_or(line.trim());
        if !node.contains(" -") && node != "end" {
            let id: String = node
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            assert!(
                declared.insert(id.clone()),
                "{id} declared twice in\n{chart}"
            );
        }
    }
}
