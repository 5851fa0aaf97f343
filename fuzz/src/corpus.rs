//! The seeds: the AWS-recorded executions in `shared/conformance` (definitions, inputs and every string inside
//! them), the JSONata reference suite in `shared/jsonata-test-suite` (expressions, data and bindings), and a few
//! definitions of this crate's own (`seeds/`) with the Task, Retry, Catch, Map and Parallel states the recorded cases
//! lack.

use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A JSONata expression with the data and variables it runs with.
#[derive(Debug, Clone)]
pub struct JsonataSeed {
    pub expr: String,
    /// JSON text of the input, or empty for no input.
    pub data: String,
    /// JSON text of an object of variables.
    pub bindings: String,
}

/// Everything the mutators start from.
#[derive(Debug, Default)]
pub struct Corpus {
    /// Definitions as JSON text, with the recorded input each ran on; this crate's own seeds (with Task states)
    /// come last.
    pub machines: Vec<(String, String)>,
    /// How many of `machines` are this crate's own seeds.
    pub own_machines: usize,
    /// Definitions and inputs as values, for splicing subtrees.
    pub values: Vec<Value>,
    /// Inputs and JSONata data as JSON text.
    pub inputs: Vec<String>,
    /// Every string found inside the definitions and inputs (values and keys).
    pub strings: Vec<String>,
    /// Object keys of definitions (field names, state names).
    pub keys: Vec<String>,
    /// Strings that look like JSONPath (`$...`).
    pub paths: Vec<String>,
    /// Strings that look like intrinsic calls (`States.X(...)`).
    pub intrinsics: Vec<String>,
    /// Strings that look like timestamps.
    pub timestamps: Vec<String>,
    /// JSONata expressions: the reference suite's and the insides of `{% ... %}` in definitions.
    pub jsonata: Vec<JsonataSeed>,
    /// Error names (`ErrorEquals`, `Error`) seen in definitions.
    pub errors: Vec<String>,
    /// How many recorded executions and JSONata cases were read.
    pub recorded: usize,
    pub jsonata_cases: usize,
}

/// `shared/`: `STEPFN_SHARED`, else `../shared` beside the repository.
pub fn default_shared_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STEPFN_SHARED") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// Paths (and filters) worth starting from besides the recorded ones, including the issue's repros.
const EXTRA_PATHS: &[&str] = &[
    "$",
    "$$",
    "$.a[1::9223372036854775807]",
    "$.a[-9223372036854775808:]",
    "$.a[::-1]",
    "$.a[0:2:0]",
    "$.items[?(@.qty > 1)]",
    "$.items[?(@.price < 10 && @.tags)]",
    "$.items[?(!@.done || @.x == 'y')]",
    "$..price",
    "$..*",
    "$['store']['book']",
    "$['a','b']",
    "$.a[0,1,-1]",
    "$.a[*].b",
    "$.a[-1]",
    "$$.Execution.Input.customer",
    "$$.Map.Item.Value",
    "$.store\\.book",
    "$.foo\\@bar.baz\\[\\[.\\?pretty",
    "$.a[?(@.x > 1)]",
    "$[?(@ == $.b)]",
    "$.a[?(@.s == 'it\\'s')]",
    "$.a[?(@.n >= -0.0)]",
    "$.a[?(@.n < 1e300)]",
    "$myVar.field",
    "$states.input",
];

const EXTRA_INTRINSICS: &[&str] = &[
    "States.Format('Hello, {}', $.name)",
    "States.Format('\\{{}\\}', $.a, $.b)",
    "States.StringToJson($.raw)",
    "States.JsonToString($.detail)",
    "States.Array(1, 'a', $.x, States.Array())",
    "States.ArrayPartition($.items, 2)",
    "States.ArrayContains($.items, $.wanted)",
    "States.ArrayRange(1, 9, 2)",
    "States.ArrayRange(-9223372036854775808, 9223372036854775807, 1)",
    "States.ArrayGetItem($.items, 9223372036854775807)",
    "States.ArrayLength($.items)",
    "States.ArrayUnique($.items)",
    "States.Base64Encode($.text)",
    "States.Base64Decode('aGVsbG8=')",
    "States.Hash($.data, 'SHA-256')",
    "States.JsonMerge($.a, $.b, false)",
    "States.MathRandom(1, 100, 42)",
    "States.MathRandom(-9223372036854775808, 9223372036854775807)",
    "States.MathAdd(9223372036854775807, 1)",
    "States.MathAdd($.count, -1e300)",
    "States.StringSplit($.csv, ',')",
    "States.UUID()",
];

const EXTRA_TIMESTAMPS: &[&str] = &[
    "2016-03-14T01:59:00Z",
    "2026-01-31T09:00:00.123456789+05:30",
    "9999-12-31T23:59:59.999999999-23:59",
    "0000-01-01T00:00:00Z",
    "2024-02-29T24:00:00Z",
    "2023-02-29T12:00:00Z",
    "1970-01-01T00:00:00.Z",
    "+99999-01-01T00:00:00Z",
];

/// JSONata expressions aimed at the limits, besides the suite's.
const EXTRA_JSONATA: &[&str] = &[
    "$replace('abc', /(b)/, '$999999999999999999999')",
    "$replace('abc', /(b)/, '$1$0$$')",
    "[1..10000001]",
    "$pad('x', 9223372036854775807)",
    "$substring('hello', -9223372036854775808, 9223372036854775807)",
    "$formatNumber(1e300, '#,##0.00')",
    "$formatBase(18446744073709551615, 36)",
    "$fromMillis(9223372036854775807)",
    "$toMillis('9999-12-31T23:59:59.999Z')",
    "$power(10, 400)",
    "$round(1e300, 9223372036854775807)",
    "$sum([1e308, 1e308])",
    "$states.input.items[price > 10].name",
    "$partition([1,2,3], 0)",
    "$range(0, 9223372036854775807, 1)",
    "$hash('x', 'SHA-256')",
    "$random(18446744073709551615)",
    "$parse('{\"a\":1}')",
    "$split('a,b', ',', -1)",
    "$formatInteger(9223372036854775807, 'w')",
    "$formatInteger(123, 'I')",
    "$parseInteger('MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM', 'I')",
];

/// Definitions with what the recorded cases lack (Task, Retry, Catch, Map, Parallel, mocks), and the issue's repros.
const SEED_DEFINITIONS: &[(&str, &str)] = &[
    (
        include_str!("../seeds/task-retry-catch.json"),
        r#"{"order":{"id":7,"items":[{"sku":"a","qty":2},{"sku":"b","qty":1}]}}"#,
    ),
    (
        include_str!("../seeds/map-parallel.json"),
        r#"{"items":[1,2,3],"a":{"b":[{"x":2},{"x":0}]}}"#,
    ),
    (
        include_str!("../seeds/jsonata-task.json"),
        r#"{"items":[{"price":5},{"price":20}],"n":3}"#,
    ),
    (
        include_str!("../seeds/waits.json"),
        r#"{"seconds":18446744073709551615,"when":"2026-01-31T09:00:00Z","timeout":5}"#,
    ),
    (
        r#"{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Output":"{%}","End":true}}}"#,
        "{}",
    ),
    (
        r#"{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.a[1::9223372036854775807]","End":true}}}"#,
        r#"{"a":[1,2,3]}"#,
    ),
    (
        r#"{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:F","Retry":[{"ErrorEquals":["States.ALL"],"BackoffRate":1e300,"MaxAttempts":3}],"End":true}}}"#,
        "{}",
    ),
    (
        r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"Next":"X"},"X":{"Type":"Wait","SecondsPath":"$.s","End":true}}}"#,
        r#"{"s":18446744073709551615}"#,
    ),
];

/// Mock configuration files to start from, besides the ones made for each definition.
pub const SEED_MOCKS: &[&str] = &[
    r#"{"StateMachines":{"M":{"TestCases":{"Happy":{"T":"Ok","Charge":"Flaky"}}}},"MockedResponses":{"Ok":{"0":{"Return":{"ok":true}}},"Flaky":{"0-1":{"Throw":{"Error":"States.TaskFailed","Cause":"boom"}},"2":{"Return":1}}}}"#,
    r#"{"StateMachines":{"M":{"TestCases":{"A":{"T":"R"},"B":{"T":"R"}}},"N":{"TestCases":{}}},"MockedResponses":{"R":{"0":{"Return":null},"1-18446744073709551615":{"Throw":{"Error":"X"}}}}}"#,
];

impl Corpus {
    /// Reads the shared folder; an error names what is missing.
    pub fn load(shared: &Path) -> Result<Corpus, String> {
        let mut corpus = Corpus::default();
        let recorded = shared.join("conformance/aws-recorded.jsonl");
        let text = std::fs::read_to_string(&recorded)
            .map_err(|e| format!("{}: {e}", recorded.display()))?;
        let mut strings = BTreeSet::new();
        let mut keys = BTreeSet::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let case: Value =
                serde_json::from_str(line).map_err(|e| format!("{}: {e}", recorded.display()))?;
            let definition = case.get("definition").cloned().unwrap_or(Value::Null);
            let input = case.get("input").cloned().unwrap_or(json!({}));
            collect_strings(&definition, &mut strings, &mut keys);
            collect_strings(&input, &mut strings, &mut Default::default());
            for expr in embedded_jsonata(&definition) {
                corpus.jsonata.push(JsonataSeed {
                    expr,
                    data: input.to_string(),
                    bindings: json!({ "states": { "input": input } }).to_string(),
                });
            }
            corpus
                .machines
                .push((definition.to_string(), input.to_string()));
            corpus.inputs.push(input.to_string());
            corpus.values.push(definition);
            corpus.values.push(input);
            corpus.recorded += 1;
        }
        corpus.load_jsonata_suite(&shared.join("jsonata-test-suite"))?;
        corpus.own_machines = SEED_DEFINITIONS.len();
        for (definition, input) in SEED_DEFINITIONS {
            let value: Value = serde_json::from_str(definition)
                .unwrap_or_else(|e| panic!("seed definition {definition}: {e}"));
            collect_strings(&value, &mut strings, &mut keys);
            corpus.values.push(value);
            corpus
                .machines
                .push(((*definition).to_owned(), (*input).to_owned()));
            corpus.inputs.push((*input).to_owned());
        }
        for (key, value) in [
            ("a", json!([1, 2, 3])),
            ("items", json!([{"qty": 2}, {"qty": 0, "x": null}])),
        ] {
            corpus.inputs.push(json!({ key: value }).to_string());
        }
        corpus.strings = strings.into_iter().collect();
        corpus.keys = keys.into_iter().collect();
        let mut paths: BTreeSet<String> = corpus
            .strings
            .iter()
            .filter(|s| s.starts_with('$') && s.len() < 400)
            .cloned()
            .collect();
        paths.extend(EXTRA_PATHS.iter().map(|s| s.to_string()));
        corpus.paths = paths.into_iter().collect();
        let mut intrinsics: BTreeSet<String> = corpus
            .strings
            .iter()
            .filter(|s| s.starts_with("States.") && s.contains('('))
            .cloned()
            .collect();
        intrinsics.extend(EXTRA_INTRINSICS.iter().map(|s| s.to_string()));
        corpus.intrinsics = intrinsics.into_iter().collect();
        let mut timestamps: BTreeSet<String> = corpus
            .strings
            .iter()
            .filter(|s| {
                let b = s.as_bytes();
                b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
            })
            .cloned()
            .collect();
        timestamps.extend(EXTRA_TIMESTAMPS.iter().map(|s| s.to_string()));
        corpus.timestamps = timestamps.into_iter().collect();
        for expr in EXTRA_JSONATA {
            corpus.jsonata.push(JsonataSeed {
                expr: (*expr).to_owned(),
                data: r#"{"items":[{"price":5,"name":"a"},{"price":20,"name":"b"}]}"#.to_owned(),
                bindings: r#"{"states":{"input":{"items":[{"price":12,"name":"c"}]}}}"#.to_owned(),
            });
        }
        let mut errors: BTreeSet<String> = [
            "States.ALL",
            "States.TaskFailed",
            "States.Timeout",
            "States.Runtime",
            "States.HeartbeatTimeout",
            "Lambda.ServiceException",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        for value in &corpus.values {
            collect_errors(value, &mut errors);
        }
        corpus.errors = errors.into_iter().collect();
        Ok(corpus)
    }

    fn load_jsonata_suite(&mut self, root: &Path) -> Result<(), String> {
        let groups = root.join("groups");
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&groups)
            .map_err(|e| format!("{}: {e}", groups.display()))?
            .flatten()
            .map(|e| e.path())
            .collect();
        dirs.sort();
        for dir in dirs {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| format!("{}: {e}", dir.display()))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            files.sort();
            for file in files {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
                let Ok(value) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                let cases = match value {
                    Value::Array(cases) => cases,
                    case => vec![case],
                };
                for case in cases {
                    let expr = match (case.get("expr"), case.get("expr-file")) {
                        (Some(Value::String(e)), _) => e.clone(),
                        (_, Some(Value::String(f))) => {
                            std::fs::read_to_string(dir.join(f)).unwrap_or_default()
                        }
                        _ => continue,
                    };
                    let data = match case.get("dataset").and_then(Value::as_str) {
                        Some(name) => {
                            let path = root.join("datasets").join(format!("{name}.json"));
                            std::fs::read_to_string(&path)
                                .map_err(|e| format!("{}: {e}", path.display()))?
                        }
                        None => case.get("data").map(Value::to_string).unwrap_or_default(),
                    };
                    if let Ok(value) = serde_json::from_str::<Value>(&data) {
                        self.inputs.push(value.to_string());
                        self.values.push(value);
                    }
                    let bindings = case
                        .get("bindings")
                        .filter(|b| b.is_object())
                        .cloned()
                        .unwrap_or_else(|| json!({}));
                    self.jsonata.push(JsonataSeed {
                        expr,
                        data,
                        bindings: bindings.to_string(),
                    });
                    self.jsonata_cases += 1;
                }
            }
        }
        Ok(())
    }

    /// Any string worth inserting: recorded strings, paths, intrinsics, timestamps, JSONata expressions.
    pub fn any_string<'a>(&'a self, rng: &mut crate::rng::Rng) -> &'a str {
        match rng.below(6) {
            0 => rng.pick(&self.paths).as_str(),
            1 => rng.pick(&self.intrinsics).as_str(),
            2 => rng.pick(&self.timestamps).as_str(),
            3 => rng.pick(&self.jsonata).expr.as_str(),
            4 => rng.pick(&self.keys).as_str(),
            _ => rng.pick(&self.strings).as_str(),
        }
    }
}

fn collect_strings(value: &Value, strings: &mut BTreeSet<String>, keys: &mut BTreeSet<String>) {
    match value {
        Value::String(s) => {
            strings.insert(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, strings, keys)),
        Value::Object(map) => {
            for (key, v) in map {
                strings.insert(key.clone());
                keys.insert(key.clone());
                collect_strings(v, strings, keys);
            }
        }
        _ => {}
    }
}

/// The insides of `{% ... %}` strings.
fn embedded_jsonata(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    fn walk(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::String(s) => {
                if let Some(inner) = s
                    .trim()
                    .strip_prefix("{%")
                    .and_then(|s| s.strip_suffix("%}"))
                {
                    found.push(inner.to_owned());
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            Value::Object(map) => map.values().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    walk(value, &mut found);
    found
}

fn collect_errors(value: &Value, errors: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("ErrorEquals", Value::Array(names)) => {
                        errors.extend(names.iter().filter_map(Value::as_str).map(String::from))
                    }
                    ("Error", Value::String(name)) => {
                        errors.insert(name.clone());
                    }
                    _ => collect_errors(v, errors),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_errors(v, errors)),
        _ => {}
    }
}

pub use stepfn_engine::task_states;

/// A mock configuration file for `definition`: one state machine `M`, one test case `T`, a response set for each
/// Task state (returns and throws, over attempt ranges).
pub fn mock_config_for(definition: &Value, corpus: &Corpus, rng: &mut crate::rng::Rng) -> Value {
    let mut case = Map::new();
    let mut responses = Map::new();
    for (i, state) in task_states(definition).into_iter().enumerate() {
        let name = format!("R{i}");
        let mut ranges = Map::new();
        let mut first = 0u64;
        for _ in 0..1 + rng.below(3) {
            let last = match rng.below(6) {
                0 => u64::MAX,
                1 => u32::MAX as u64,
                _ => first + rng.below(3) as u64,
            };
            let key = if first == last {
                first.to_string()
            } else {
                format!("{first}-{last}")
            };
            let response = if rng.chance(1, 2) {
                let value = match rng.below(3) {
                    0 => crate::mutate::random_subtree(rng, corpus),
                    1 => serde_json::from_str(rng.pick(&corpus.inputs).as_str())
                        .unwrap_or(Value::Null),
                    _ => json!({ "ok": true, "n": rng.below(10) }),
                };
                json!({ "Return": value })
            } else {
                json!({ "Throw": { "Error": rng.pick(&corpus.errors), "Cause": "mocked" } })
            };
            ranges.insert(key, response);
            if last >= u32::MAX as u64 {
                break;
            }
            first = last + 1;
        }
        responses.insert(name.clone(), Value::Object(ranges));
        case.insert(state, Value::String(name));
    }
    json!({
        "StateMachines": { "M": { "TestCases": { "T": case } } },
        "MockedResponses": responses,
    })
}
