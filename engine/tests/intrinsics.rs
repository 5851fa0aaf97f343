//! Intrinsic functions: unit tests per function (from the AWS documentation) and the AWS-recorded cases that are a
//! single Pass state computing one intrinsic call.

#[path = "../../tests/src/shared_data.rs"]
mod shared_data;

use serde_json::{json, Value};
use stepfn_asl::intrinsic::{looks_like_call, parse};
use stepfn_asl::path::{Path, Root, Segment};
use stepfn_engine::failure::names;
use stepfn_engine::intrinsics::{evaluate, Entropy};
use stepfn_engine::Failure;

/// The node a `$` / `$$` path of fields and indexes selects (`$$` is a context holding `Execution.Input`).
fn select(input: &Value, path: &Path) -> Result<Value, Failure> {
    let context = json!({"Execution": {"Input": input}});
    let mut at = match &path.root {
        Root::Input => input,
        Root::Context => &context,
        Root::Variable(name) => return Err(Failure::runtime(format!("no variable ${name}"))),
    };
    let missing = || Failure::runtime(format!("{path:?} selects nothing"));
    for segment in &path.segments {
        at = match segment {
            Segment::Field(name) => at.get(name.as_str()).ok_or_else(missing)?,
            Segment::Index(i) => {
                let items = at.as_array().ok_or_else(missing)?;
                let i = if *i < 0 { items.len() as i64 + i } else { *i };
                usize::try_from(i)
                    .ok()
                    .and_then(|i| items.get(i))
                    .ok_or_else(missing)?
            }
            _ => {
                return Err(Failure::runtime(
                    "the test resolver reads fields and indexes only",
                ))
            }
        };
    }
    Ok(at.clone())
}

fn eval_on(text: &str, input: &Value) -> Result<Value, Failure> {
    let expr = parse(text).unwrap_or_else(|e| panic!("{text} does not parse: {e}"));
    evaluate(
        &expr,
        &mut |path| select(input, path),
        &mut Entropy::seeded(7),
    )
}

/// Evaluates `text` on `input`, expecting success.
fn ok(text: &str, input: Value) -> Value {
    eval_on(text, &input).unwrap_or_else(|e| panic!("{text} on {input} failed: {e}"))
}

/// Evaluates `text` on `input`, expecting a States.IntrinsicFailure whose cause contains `why`.
fn err(text: &str, input: Value, why: &str) {
    let failure = eval_on(text, &input).expect_err(text);
    assert_eq!(
        failure.error_name(),
        names::INTRINSIC_FAILURE,
        "{text}: {failure}"
    );
    let cause = failure.cause.unwrap_or_default();
    assert!(cause.contains(why), "{text}: `{cause}` lacks `{why}`");
}

#[test]
fn format() {
    assert_eq!(
        ok(
            "States.Format('Hello, my name is {}.', $.name)",
            json!({"name": "Arnav"})
        ),
        json!("Hello, my name is Arnav.")
    );
    assert_eq!(
        ok(
            "States.Format($.template, $.name)",
            json!({"name": "Arnav", "template": "Hello, my name is {}."})
        ),
        json!("Hello, my name is Arnav.")
    );
    assert_eq!(
        ok(
            "States.Format('{} {} {} {} {}', $.s, 2020, 1.5, true, null)",
            json!({"s": "x"})
        ),
        json!("x 2020 1.5 true null")
    );
    assert_eq!(
        ok(
            "States.Format('a={} b={}', $.o, $.a)",
            json!({"o": {"Arg1": 1, "Arg2": [], "s": "t"}, "a": [1, "x", null, {"k": []}]})
        ),
        json!("a={Arg1=1, Arg2=[], s=t} b=[1, x, null, {k=[]}]")
    );
    assert_eq!(
        ok("States.Format('\\{literal\\} and {}', 'v')", json!({})),
        json!("{literal} and v")
    );
    assert_eq!(
        ok(
            "States.Format('it\\'s {}', States.ArrayLength($.a))",
            json!({"a": [1, 2]})
        ),
        json!("it's 2")
    );
    assert_eq!(ok("States.Format('none')", json!({})), json!("none"));
    err(
        "States.Format($.t, 1)",
        json!({"t": "{} and {}"}),
        "2 `{}` placeholder(s) but 1",
    );
    err(
        "States.Format($.t)",
        json!({"t": 3}),
        "argument 1 must be a string",
    );
}

#[test]
fn string_to_json() {
    let parse = |s: &str| ok("States.StringToJson($.s)", json!({ "s": s }));
    assert_eq!(parse("{\"foo\": \"bar\"}"), json!({"foo": "bar"}));
    assert_eq!(parse("{\"number\": 20}"), json!({"number": 20}));
    assert_eq!(parse("[1, 2, \"HelloWorld\"]"), json!([1, 2, "HelloWorld"]));
    assert_eq!(parse("1.1"), json!(1.1));
    assert_eq!(parse("-0"), json!(0));
    assert_eq!(parse("\"HelloWorld\""), json!("HelloWorld"));
    assert_eq!(parse(""), Value::Null);
    assert_eq!(parse("  "), Value::Null);
    assert_eq!(parse("null"), Value::Null);
    assert_eq!(
        ok("States.StringToJson('{\"a\": 1}')", json!({})),
        json!({"a": 1})
    );
    err(
        "States.StringToJson($.s)",
        json!({"s": "{oops"}),
        "not valid JSON",
    );
    err(
        "States.StringToJson($.s)",
        json!({"s": 1}),
        "must be a string, not a number",
    );
}

#[test]
fn json_to_string() {
    assert_eq!(
        ok(
            "States.JsonToString($.j)",
            json!({"j": {"name": "Foo", "year": 2020}})
        ),
        json!("{\"name\":\"Foo\",\"year\":2020}")
    );
    // Key order is kept as written.
    assert_eq!(
        ok(
            "States.JsonToString($.j)",
            json!({"j": {"z": 1, "a": [true, null]}})
        ),
        json!("{\"z\":1,\"a\":[true,null]}")
    );
    assert_eq!(
        ok("States.JsonToString($.j)", json!({"j": "Hi"})),
        json!("\"Hi\"")
    );
    assert_eq!(
        ok("States.JsonToString($.j)", json!({"j": 1.1})),
        json!("1.1")
    );
}

#[test]
fn array() {
    assert_eq!(
        ok(
            "States.Array('Foo', 2020, $.someJson, null)",
            json!({"someJson": {"random": "abcdefg"}})
        ),
        json!(["Foo", 2020, {"random": "abcdefg"}, null])
    );
    assert_eq!(ok("States.Array()", json!({})), json!([]));
    assert_eq!(
        ok("States.Array($.Id)", json!({"Id": 123456})),
        json!([123456])
    );
}

#[test]
fn array_partition() {
    let input = json!({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]});
    assert_eq!(
        ok("States.ArrayPartition($.a, 4)", input.clone()),
        json!([[1, 2, 3, 4], [5, 6, 7, 8], [9]])
    );
    assert_eq!(
        ok("States.ArrayPartition($.a, 9)", input.clone()),
        json!([[1, 2, 3, 4, 5, 6, 7, 8, 9]])
    );
    assert_eq!(
        ok("States.ArrayPartition($.e, 2)", json!({"e": []})),
        json!([])
    );
    err(
        "States.ArrayPartition($.a, $.n)",
        json!({"a": [1], "n": 0}),
        "greater than 0",
    );
    err(
        "States.ArrayPartition($.a, $.n)",
        json!({"a": [1], "n": -2}),
        "greater than 0",
    );
    err(
        "States.ArrayPartition($.a, 2)",
        json!({"a": "x"}),
        "argument 1 must be an array, not a string",
    );
    err(
        "States.ArrayPartition($.a, $.n)",
        json!({"a": [1], "n": "2"}),
        "argument 2 must be an integer",
    );
}

#[test]
fn array_contains() {
    let input = json!({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "x": 5, "y": 10});
    assert_eq!(
        ok("States.ArrayContains($.a, $.x)", input.clone()),
        json!(true)
    );
    assert_eq!(ok("States.ArrayContains($.a, $.y)", input), json!(false));
    let nested = json!({"a": [[1, 2, 3], {"k": {"b": 1, "a": 2}}, null], "v": [1, 2, 3], "o": {"k": {"a": 2, "b": 1}}});
    assert_eq!(
        ok("States.ArrayContains($.a, $.v)", nested.clone()),
        json!(true)
    );
    assert_eq!(
        ok("States.ArrayContains($.a, $.o)", nested.clone()),
        json!(true)
    );
    assert_eq!(ok("States.ArrayContains($.a, null)", nested), json!(true));
    assert_eq!(
        ok("States.ArrayContains($.a, '1')", json!({"a": [1]})),
        json!(false)
    );
    err(
        "States.ArrayContains($.a, 1)",
        json!({"a": {}}),
        "must be an array, not an object",
    );
}

#[test]
fn array_range() {
    assert_eq!(
        ok("States.ArrayRange(1, 9, 2)", json!({})),
        json!([1, 3, 5, 7, 9])
    );
    assert_eq!(
        ok("States.ArrayRange(0, 10, 3)", json!({})),
        json!([0, 3, 6, 9])
    );
    assert_eq!(
        ok("States.ArrayRange(5, 1, -2)", json!({})),
        json!([5, 3, 1])
    );
    assert_eq!(ok("States.ArrayRange(3, 3, 1)", json!({})), json!([3]));
    assert_eq!(ok("States.ArrayRange(5, 1, 1)", json!({})), json!([]));
    assert_eq!(
        ok("States.ArrayRange(1, 1000, 1)", json!({}))
            .as_array()
            .unwrap()
            .len(),
        1000
    );
    err(
        "States.ArrayRange(1, 1001, 1)",
        json!({}),
        "1001 items; the limit is 1000",
    );
    err(
        "States.ArrayRange(1, 5, $.s)",
        json!({"s": 0}),
        "the step cannot be 0",
    );
    err(
        "States.ArrayRange(-9223372036854775808, 9223372036854775807, 1)",
        json!({}),
        "the limit is 1000",
    );
}

#[test]
fn array_get_item() {
    let input = json!({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9], "i": 5});
    assert_eq!(ok("States.ArrayGetItem($.a, $.i)", input.clone()), json!(6));
    assert_eq!(ok("States.ArrayGetItem($.a, 0)", input.clone()), json!(1));
    err(
        "States.ArrayGetItem($.a, 9)",
        input.clone(),
        "index 9 is out of range for an array of 9 items",
    );
    err(
        "States.ArrayGetItem($.a, -1)",
        input,
        "index -1 is out of range",
    );
}

#[test]
fn array_length() {
    assert_eq!(
        ok(
            "States.ArrayLength($.a)",
            json!({"a": [1, 2, 3, 4, 5, 6, 7, 8, 9]})
        ),
        json!(9)
    );
    assert_eq!(ok("States.ArrayLength($.a)", json!({"a": []})), json!(0));
    err(
        "States.ArrayLength($.a)",
        json!({"a": null}),
        "must be an array, not null",
    );
}

#[test]
fn array_unique() {
    assert_eq!(
        ok(
            "States.ArrayUnique($.a)",
            json!({"a": [1, 2, 3, 3, 3, 3, 3, 3, 4]})
        ),
        json!([1, 2, 3, 4])
    );
    assert_eq!(
        ok(
            "States.ArrayUnique($.a)",
            json!({"a": [3, 1, 3, null, null, true, "1", 1, [], [], {"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1, "b": 1}]})
        ),
        json!([3, 1, null, true, "1", [], {"a": 1, "b": 2}, {"a": 1, "b": 1}])
    );
}

#[test]
fn base64() {
    assert_eq!(
        ok("States.Base64Encode($.s)", json!({"s": "Data to encode"})),
        json!("RGF0YSB0byBlbmNvZGU=")
    );
    assert_eq!(ok("States.Base64Encode('')", json!({})), json!(""));
    assert_eq!(
        ok(
            "States.Base64Decode($.s)",
            json!({"s": "RGF0YSB0byBlbmNvZGU="})
        ),
        json!("Data to encode")
    );
    assert_eq!(
        ok(
            "States.Base64Decode($.s)",
            json!({"s": "RGF0YSB0byBlbmNvZGU"})
        ),
        json!("Data to encode")
    );
    assert_eq!(ok("States.Base64Decode('')", json!({})), json!(""));
    assert_eq!(
        ok(
            "States.Base64Decode(States.Base64Encode($.s))",
            json!({"s": "héllo ✓"})
        ),
        json!("héllo ✓")
    );
    err(
        "States.Base64Decode($.s)",
        json!({"s": "not*base64"}),
        "not valid base64",
    );
    let long = "a".repeat(10_001);
    err(
        "States.Base64Encode($.s)",
        json!({ "s": long }),
        "10001 characters; the limit is 10000",
    );
    assert!(eval_on(
        "States.Base64Encode($.s)",
        &json!({"s": "a".repeat(10_000)})
    )
    .is_ok());
    err(
        "States.Base64Encode($.s)",
        json!({"s": 5}),
        "must be a string",
    );
}

#[test]
fn hash() {
    // "input data", as hashed on AWS (MD5, SHA-512) and by the reference implementations (the others).
    let cases = [
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
        (
            "SHA-384",
            "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562",
        ),
        (
            "SHA-512",
            "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4",
        ),
    ];
    for (algorithm, expected) in cases {
        let input = json!({"Data": "input data", "Algorithm": algorithm});
        assert_eq!(
            ok("States.Hash($.Data, $.Algorithm)", input),
            json!(expected),
            "{algorithm}"
        );
    }
    // Non-string data is hashed as its JSON text.
    assert_eq!(
        ok("States.Hash($.d, 'MD5')", json!({"d": {"a": 1}})),
        ok("States.Hash('{\"a\":1}', 'MD5')", json!({}))
    );
    err(
        "States.Hash($.d, $.a)",
        json!({"d": "x", "a": "SHA-999"}),
        "`SHA-999` is not an algorithm",
    );
    err(
        "States.Hash($.d, 'MD5')",
        json!({"d": "x".repeat(10_001)}),
        "the limit is 10000",
    );
}

#[test]
fn json_merge() {
    let input = json!({
        "json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
        "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}
    });
    let merged = ok("States.JsonMerge($.json1, $.json2, false)", input);
    assert_eq!(merged, json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3}));
    let keys: Vec<_> = merged.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["a", "b", "c"]);
    assert_eq!(
        ok("States.JsonMerge(States.StringToJson('{\"k\": \"false\"}'), $$.Execution.Input.f, false)", json!({"f": {"x": 1}})),
        json!({"k": "false", "x": 1})
    );
    err(
        "States.JsonMerge($.a, $.b, false)",
        json!({"a": {}, "b": []}),
        "argument 2 must be a JSON object, not an array",
    );
    err(
        "States.JsonMerge($.a, $.a, $.t)",
        json!({"a": {}, "t": true}),
        "deep merging is not supported",
    );
}

#[test]
fn math_random() {
    for _ in 0..200 {
        let n = ok("States.MathRandom(1, 999)", json!({})).as_i64().unwrap();
        assert!((1..999).contains(&n), "{n}");
    }
    let mut entropy = Entropy::from_time();
    let expr = parse("States.MathRandom(0, 3)").unwrap();
    let mut seen = [false; 3];
    for _ in 0..300 {
        let n = evaluate(&expr, &mut |_| unreachable!(), &mut entropy).unwrap();
        seen[n.as_u64().unwrap() as usize] = true;
    }
    assert_eq!(seen, [true; 3]);
    // A seed gives the same number every time.
    let seeded = ok("States.MathRandom(1, 999, 42)", json!({}));
    for seed in [7, 8, 9] {
        let with = |s: u64| {
            let expr = parse("States.MathRandom(1, 999, 42)").unwrap();
            evaluate(&expr, &mut |_| unreachable!(), &mut Entropy::seeded(s)).unwrap()
        };
        assert_eq!(with(seed), seeded);
    }
    // Drawn as java.util.Random does: new Random(42).nextInt(998) is 254, new Random(0).nextInt(100) is 60.
    assert_eq!(seeded, json!(1 + 254));
    assert_eq!(ok("States.MathRandom(0, 100, 0)", json!({})), json!(60));
    assert_eq!(ok("States.MathRandom(-5, 5, 42)", json!({})), json!(-5));
    // Fractional bounds are rounded.
    let n = ok(
        "States.MathRandom($.s, $.e)",
        json!({"s": 12.5, "e": 44.51}),
    )
    .as_i64()
    .unwrap();
    assert!((13..45).contains(&n));
    err(
        "States.MathRandom(5, 5)",
        json!({}),
        "must be less than the end",
    );
    err(
        "States.MathRandom($.s, 5)",
        json!({"s": "1"}),
        "argument 1 must be an integer",
    );
}

#[test]
fn math_add() {
    assert_eq!(
        ok(
            "States.MathAdd($.value1, $.step)",
            json!({"value1": 111, "step": -1})
        ),
        json!(110)
    );
    assert_eq!(ok("States.MathAdd(-9, 3)", json!({})), json!(-6));
    // Fractions are rounded half up first (Java's Math.round), as recorded on AWS.
    for (a, b, sum) in [
        (1.49, 1.5, 3),
        (-1.49, -1.5, -2),
        (-0.5, 0.5, 1),
        (-3.5, 0.0, -3),
        (2.5, 0.0, 3),
        (-1.51, 0.0, -2),
    ] {
        assert_eq!(
            ok("States.MathAdd($.a, $.b)", json!({"a": a, "b": b})),
            json!(sum),
            "{a} + {b}"
        );
    }
    err(
        "States.MathAdd($.a, 1)",
        json!({"a": "1"}),
        "argument 1 must be an integer, not a string",
    );
    err(
        "States.MathAdd($.a, 1)",
        json!({"a": i64::MAX}),
        "too large",
    );
}

#[test]
fn string_split() {
    assert_eq!(
        ok(
            "States.StringSplit($.inputString, $.splitter)",
            json!({"inputString": "1,2,3,4,5", "splitter": ","})
        ),
        json!(["1", "2", "3", "4", "5"])
    );
    assert_eq!(
        ok(
            "States.StringSplit($.s, '.+,=')",
            json!({"s": "This.is+a,test=string"})
        ),
        json!(["This", "is", "a", "test", "string"])
    );
    assert_eq!(
        ok("States.StringSplit(',a,,b,', ',')", json!({})),
        json!(["a", "b"])
    );
    assert_eq!(ok("States.StringSplit('', ',')", json!({})), json!([]));
    assert_eq!(
        ok("States.StringSplit('abc', '')", json!({})),
        json!(["abc"])
    );
    err(
        "States.StringSplit($.s, ',')",
        json!({"s": [1]}),
        "must be a string, not an array",
    );
}

#[test]
fn uuid() {
    let mut entropy = Entropy::from_time();
    let expr = parse("States.UUID()").unwrap();
    let a = evaluate(&expr, &mut |_| unreachable!(), &mut entropy).unwrap();
    let b = evaluate(&expr, &mut |_| unreachable!(), &mut entropy).unwrap();
    assert_ne!(a, b);
    for id in [a, b] {
        assert!(is_uuid_v4(id.as_str().unwrap()), "{id}");
    }
}

fn is_uuid_v4(id: &str) -> bool {
    let groups: Vec<_> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && id
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

#[test]
fn nested_calls_and_failures_propagate() {
    assert_eq!(
        ok(
            "States.ArrayGetItem(States.StringSplit($.n, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($.n, '-')), -1))",
            json!({"n": "my-state-machine"})
        ),
        json!("machine")
    );
    // The resolver's failure is passed on unchanged.
    let failure = eval_on("States.Array($.missing)", &json!({})).unwrap_err();
    assert_eq!(failure.error_name(), names::RUNTIME);
    // A literal with a real newline splits on it.
    assert_eq!(
        ok("States.StringSplit('Hello\nWorld', '\n')", json!({})),
        json!(["Hello", "World"])
    );
}

/// The one intrinsic call of a single-Pass-state definition: (key without `.$`, call text, the state).
fn single_intrinsic(definition: &Value) -> Option<(String, String, &Value)> {
    let states = definition.get("States")?.as_object()?;
    let [(_, state)] = states.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    if state.get("Type")? != "Pass" || state.get("QueryLanguage").is_some_and(|q| q != "JSONPath") {
        return None;
    }
    let parameters = state.get("Parameters")?.as_object()?;
    let [(key, text)] = parameters.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let text = text.as_str()?;
    let name = key.strip_suffix(".$")?;
    looks_like_call(text).then(|| (name.to_owned(), text.to_owned(), state))
}

/// Applies the Pass state's ResultPath and OutputPath (`$`-rooted fields only) to the Parameters result.
fn pass_output(state: &Value, input: &Value, result: Value) -> Value {
    let fields = |key: &str| -> Option<Vec<String>> {
        let path = Path::parse(state.get(key)?.as_str()?).unwrap();
        let fields = path.segments.iter().map(|s| match s {
            Segment::Field(name) => name.clone(),
            other => panic!("the test reads field paths only, not {other:?}"),
        });
        Some(fields.collect())
    };
    let mut output = match fields("ResultPath") {
        None => result,
        Some(fields) => {
            let mut output = input.clone();
            let mut at = &mut output;
            for field in fields {
                at = at
                    .as_object_mut()
                    .unwrap()
                    .entry(field)
                    .or_insert(json!({}));
            }
            *at = result;
            output
        }
    };
    for field in fields("OutputPath").unwrap_or_default() {
        output = output[field.as_str()].take();
    }
    output
}

#[test]
fn aws_recorded_cases() {
    let Some(text) = shared_data::aws_recorded() else {
        return;
    };
    let (mut total, mut problems) = (0, Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let Some((key, call, state)) = single_intrinsic(&case["definition"]) else {
            continue;
        };
        total += 1;
        let id = case["id"].as_str().unwrap_or("?");
        let input = &case["input"];
        let expected = &case["expected"];
        let expr = match parse(&call) {
            Ok(expr) => expr,
            Err(e) => {
                problems.push(format!("{id}: {call} does not parse: {e}"));
                continue;
            }
        };
        let got = evaluate(
            &expr,
            &mut |path| select(input, path),
            &mut Entropy::from_time(),
        );
        let problem = match (expected["status"].as_str(), got) {
            (Some("SUCCEEDED"), Ok(result)) => {
                let output = pass_output(state, input, json!({ key.as_str(): result }));
                let want = &expected["output"];
                // AWS's recordings mask random results with a placeholder, so only their shape is checked.
                let got = &output[key.as_str()];
                let matches = if call.starts_with("States.MathRandom") {
                    got.is_i64()
                } else if call.starts_with("States.UUID") {
                    got.as_str().is_some_and(is_uuid_v4)
                } else {
                    &output == want
                };
                (!matches).then(|| format!("{id}: {call} gave {output}, AWS gave {want}"))
            }
            (Some("SUCCEEDED"), Err(failure)) => {
                Some(format!("{id}: {call} failed ({failure}), AWS succeeded"))
            }
            (_, Ok(result)) => Some(format!(
                "{id}: {call} gave {result}, AWS failed with {}",
                expected["error"]
            )),
            (_, Err(_)) => None,
        };
        problems.extend(problem);
    }
    println!(
        "{} of {total} AWS-recorded intrinsic cases pass",
        total - problems.len()
    );
    assert!(
        problems.is_empty(),
        "{} failing:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn entropy_fraction_is_in_unit_interval_and_repeats_from_a_seed() {
    let (mut a, mut b) = (Entropy::seeded(1), Entropy::seeded(1));
    let draws: Vec<f64> = (0..1000).map(|_| a.fraction()).collect();
    assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
    assert!(draws.iter().any(|x| *x < 0.1) && draws.iter().any(|x| *x > 0.9));
    assert!(draws.iter().all(|x| *x == b.fraction()));
}
