//! Choice rules: unit tests per operator (from the AWS documentation) and the AWS-recorded `choice_case`s.

#[path = "../../tests/src/shared_data.rs"]
mod shared_data;

use serde_json::{json, Value};
use stepfn_asl::path::{Path, Root, Segment};
use stepfn_engine::choice::compile;
use stepfn_engine::Failure;

/// What a reference path selects in `input` (`$` roots only; fields and indexes).
fn select(input: &Value, path: &Path) -> Option<Value> {
    if path.root != Root::Input {
        return None;
    }
    let mut at = input;
    for segment in &path.segments {
        at = match segment {
            Segment::Field(name) => at.as_object()?.get(name)?,
            Segment::Index(i) => {
                let items = at.as_array()?;
                let i = if *i < 0 { items.len() as i64 + i } else { *i };
                items.get(usize::try_from(i).ok()?)?
            }
            _ => return None,
        };
    }
    Some(at.clone())
}

fn run(rule: Value, input: Value) -> Result<bool, Failure> {
    let rule = compile(&rule).unwrap_or_else(|e| panic!("{rule} does not compile: {e}"));
    rule.evaluate(&mut |path| select(&input, path))
}

/// Whether `{"Variable": "$.v", operator: operand}` matches `{"v": value}`.
fn test(operator: &str, operand: Value, value: Value) -> bool {
    run(
        json!({"Variable": "$.v", operator: operand}),
        json!({"v": value}),
    )
    .unwrap()
}

#[test]
fn string_comparisons() {
    assert!(test("StringEquals", json!("abc"), json!("abc")));
    assert!(!test("StringEquals", json!("abc"), json!("abd")));
    assert!(!test("StringEquals", json!("1"), json!(1)));
    assert!(test("StringLessThan", json!("b"), json!("a")));
    assert!(!test("StringLessThan", json!("a"), json!("a")));
    assert!(test("StringLessThanEquals", json!("a"), json!("a")));
    assert!(test("StringGreaterThan", json!("A"), json!("AB")));
    assert!(test("StringGreaterThanEquals", json!("AB"), json!("AB")));
    assert!(!test("StringGreaterThan", json!(""), json!(null)));
    // UTF-16 order (as Java compares): U+FF61 sorts after U+1F600's high surrogate U+D83D.
    assert!(test(
        "StringGreaterThan",
        json!("\u{1F600}"),
        json!("\u{FF61}")
    ));
}

#[test]
fn string_matches() {
    assert!(test(
        "StringMatches",
        json!("log-*.txt"),
        json!("log-2024.txt")
    ));
    assert!(test("StringMatches", json!("log-*.txt"), json!("log-.txt")));
    assert!(!test(
        "StringMatches",
        json!("log-*.txt"),
        json!("log-1.txt.gz")
    ));
    assert!(test("StringMatches", json!("*"), json!("")));
    assert!(test("StringMatches", json!("a*b*c"), json!("abbbc")));
    assert!(!test("StringMatches", json!("a*b*c"), json!("acb")));
    assert!(test("StringMatches", json!("*ab*ab"), json!("abab")));
    assert!(!test("StringMatches", json!("aba*aba"), json!("ababa")));
    assert!(test("StringMatches", json!("exact"), json!("exact")));
    assert!(!test("StringMatches", json!("exact"), json!("exactly")));
    // `\*` is a literal star, `\\` a literal backslash.
    assert!(test("StringMatches", json!(r"a\*b"), json!("a*b")));
    assert!(!test("StringMatches", json!(r"a\*b"), json!("axb")));
    assert!(test("StringMatches", json!(r"a\\*"), json!(r"a\xyz")));
    assert!(!test("StringMatches", json!("*"), json!(1)));
}

#[test]
fn numeric_comparisons() {
    assert!(test("NumericEquals", json!(1), json!(1.0)));
    assert!(!test("NumericEquals", json!(1), json!("1")));
    assert!(!test("NumericEquals", json!(0), json!(false)));
    assert!(test("NumericLessThan", json!(1), json!(0.5)));
    assert!(test("NumericGreaterThan", json!(-1.5), json!(-1)));
    assert!(test("NumericLessThanEquals", json!(2), json!(2)));
    assert!(test("NumericGreaterThanEquals", json!(2.5), json!(3)));
    // Exact: no rounding through f64.
    assert!(!test(
        "NumericEquals",
        json!(9_007_199_254_740_993_i64),
        json!(9_007_199_254_740_992_i64)
    ));
    assert!(test(
        "NumericGreaterThan",
        json!(9_007_199_254_740_992_f64),
        json!(9_007_199_254_740_993_i64)
    ));
    assert!(test("NumericGreaterThan", json!(i64::MAX), json!(u64::MAX)));
    assert!(test("NumericLessThan", json!(1e30), json!(u64::MAX)));
    assert!(test("NumericGreaterThan", json!(-1e30), json!(i64::MIN)));
}

#[test]
fn boolean_equals() {
    assert!(test("BooleanEquals", json!(true), json!(true)));
    assert!(test("BooleanEquals", json!(false), json!(false)));
    assert!(!test("BooleanEquals", json!(true), json!(false)));
    assert!(!test("BooleanEquals", json!(true), json!("true")));
    assert!(!test("BooleanEquals", json!(false), json!(0)));
}

#[test]
fn timestamp_comparisons() {
    let t = "2001-01-01T12:00:00Z";
    assert!(test("TimestampEquals", json!(t), json!(t)));
    assert!(test(
        "TimestampEquals",
        json!(t),
        json!("2001-01-01T13:00:00+01:00")
    ));
    assert!(test(
        "TimestampLessThan",
        json!(t),
        json!("2001-01-01T11:59:59.999Z")
    ));
    assert!(test(
        "TimestampGreaterThan",
        json!(t),
        json!("2001-01-01T12:00:00.001Z")
    ));
    assert!(test("TimestampLessThanEquals", json!(t), json!(t)));
    assert!(test(
        "TimestampGreaterThanEquals",
        json!(t),
        json!("2002-01-01T00:00:00Z")
    ));
    assert!(!test("TimestampEquals", json!(t), json!("2001-01-01")));
    assert!(!test("TimestampLessThan", json!(t), json!("not a time")));
    assert!(!test("TimestampLessThan", json!(t), json!(0)));
}

#[test]
fn type_tests() {
    for (operator, matching, other) in [
        ("IsNull", json!(null), json!(0)),
        ("IsNumeric", json!(1.5), json!("1")),
        ("IsString", json!(""), json!(null)),
        ("IsBoolean", json!(false), json!(0)),
        (
            "IsTimestamp",
            json!("2016-03-14T01:59:00Z"),
            json!("2016-03-14"),
        ),
    ] {
        assert!(test(operator, json!(true), matching.clone()), "{operator}");
        assert!(!test(operator, json!(false), matching), "{operator}");
        assert!(!test(operator, json!(true), other.clone()), "{operator}");
        assert!(test(operator, json!(false), other), "{operator}");
    }
}

#[test]
fn is_present() {
    let rule = |expected: bool| json!({"Variable": "$.v", "IsPresent": expected});
    assert!(run(rule(true), json!({"v": null})).unwrap());
    assert!(!run(rule(true), json!({})).unwrap());
    assert!(run(rule(false), json!({"w": 1})).unwrap());
    assert!(!run(rule(false), json!({"v": []})).unwrap());
}

#[test]
fn path_operands() {
    let input = json!({"a": 5, "b": 5.0, "s": "x", "t": "2020-01-01T00:00:00Z", "yes": true});
    let check = |operator: &str, variable: &str, path: &str| {
        run(json!({"Variable": variable, operator: path}), input.clone()).unwrap()
    };
    assert!(check("NumericEqualsPath", "$.a", "$.b"));
    assert!(check("NumericLessThanEqualsPath", "$.a", "$.b"));
    assert!(!check("NumericLessThanPath", "$.a", "$.b"));
    assert!(check("StringEqualsPath", "$.s", "$.s"));
    assert!(check("TimestampEqualsPath", "$.t", "$.t"));
    assert!(check("BooleanEqualsPath", "$.yes", "$.yes"));
    // An operand of the wrong type is a mismatch, not an error.
    assert!(!check("StringEqualsPath", "$.s", "$.a"));
    assert!(!check("NumericEqualsPath", "$.a", "$.s"));
    assert!(!check("TimestampEqualsPath", "$.t", "$.s"));
}

#[test]
fn missing_paths_fail_with_runtime() {
    let failure = run(json!({"Variable": "$.x", "StringEquals": "a"}), json!({})).unwrap_err();
    assert_eq!(failure.error_name(), "States.Runtime");
    assert_eq!(
        failure.cause.as_deref(),
        Some("Invalid path '$.x': The choice state's condition path references an invalid value.")
    );
    let failure = run(
        json!({"Variable": "$.a", "NumericEqualsPath": "$.y"}),
        json!({"a": 1}),
    )
    .unwrap_err();
    assert!(failure.cause.unwrap().contains("'$.y'"));
    for operator in [
        "IsNull",
        "IsString",
        "IsNumeric",
        "IsBoolean",
        "IsTimestamp",
    ] {
        let result = run(json!({"Variable": "$.x", operator: false}), json!({}));
        assert_eq!(
            result.unwrap_err().error_name(),
            "States.Runtime",
            "{operator}"
        );
    }
}

#[test]
fn boolean_rules() {
    let input = json!({"n": 3, "s": "a"});
    let eval = |rule: Value| run(rule, input.clone()).unwrap();
    let three = json!({"Variable": "$.n", "NumericEquals": 3});
    let four = json!({"Variable": "$.n", "NumericEquals": 4});
    assert!(eval(
        json!({"And": [three, {"Variable": "$.s", "StringEquals": "a"}]})
    ));
    assert!(!eval(json!({"And": [three, four]})));
    assert!(eval(json!({"Or": [four, three]})));
    assert!(!eval(json!({"Or": [four, four]})));
    assert!(eval(json!({"Not": four})));
    assert!(eval(
        json!({"Not": {"Not": three}, "Next": "X", "Comment": "c"})
    ));
    // And/Or stop early: a guard keeps a missing path from failing the rule.
    let guarded = json!({"And": [
        {"Variable": "$.missing", "IsPresent": true},
        {"Variable": "$.missing", "StringEquals": "foo"}
    ]});
    assert!(!eval(guarded));
    assert!(eval(
        json!({"Or": [three, {"Variable": "$.missing", "StringEquals": "foo"}]})
    ));
    assert!(run(
        json!({"And": [three, {"Variable": "$.missing", "IsNull": true}]}),
        input.clone()
    )
    .is_err());
}

#[test]
fn malformed_rules_do_not_compile() {
    for rule in [
        json!(1),
        json!({}),
        json!({"Next": "X"}),
        json!({"Variable": "$.a"}),
        json!({"StringEquals": "a"}),
        json!({"Variable": "a", "StringEquals": "a"}),
        json!({"Variable": "$.a", "StringEquals": 1}),
        json!({"Variable": "$.a", "NumericEquals": "1"}),
        json!({"Variable": "$.a", "BooleanEquals": 1}),
        json!({"Variable": "$.a", "TimestampEquals": "yesterday"}),
        json!({"Variable": "$.a", "IsNull": "yes"}),
        json!({"Variable": "$.a", "IsPresent": 1}),
        json!({"Variable": "$.a", "StringEqualsPath": 3}),
        json!({"Variable": "$.a", "StringMatchesPath": "$.b"}),
        json!({"Variable": "$.a", "BooleanLessThan": true}),
        json!({"Variable": "$.a", "IsWhatever": true}),
        json!({"Variable": "$.a", "StringEquals": "a", "StringLessThan": "b"}),
        json!({"And": []}),
        json!({"Or": {}}),
        json!({"Not": [1]}),
    ] {
        assert!(compile(&rule).is_err(), "{rule}");
    }
}

#[test]
fn aws_recorded_choice_cases() {
    let Some(text) = shared_data::aws_recorded() else {
        return;
    };
    let (mut passed, mut failed) = (0, Vec::new());
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("a JSON line");
        if case["kind"] != "choice_case" {
            continue;
        }
        let rule = &case["definition"]["States"]["CheckValues"]["Choices"][0];
        let expected = &case["expected"];
        let want = match expected["status"].as_str() {
            Some("SUCCEEDED") => match expected["output"]["TestResult.$"].as_str() {
                Some("ConditionTrue") => Ok(true),
                Some("ConditionFalse") => Ok(false),
                other => panic!("{}: unexpected output {other:?}", case["id"]),
            },
            _ => Err(expected["error"].as_str().unwrap_or("").to_owned()),
        };
        let got = compile(rule)
            .map_err(|e| format!("compile error: {e}"))
            .and_then(|rule| {
                rule.evaluate(&mut |path| select(&case["input"], path))
                    .map_err(|failure| failure.error_name().to_owned())
            });
        if got == want {
            passed += 1;
        } else {
            failed.push(format!(
                "{}: {rule} on {} gave {got:?}, AWS {want:?}",
                case["id"], case["input"]
            ));
        }
    }
    println!("choice cases: {passed} passed, {} failed", failed.len());
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(passed > 0, "no choice_case in the recorded cases");
}
