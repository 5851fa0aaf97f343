//! Property tests of `stepfn_asl::validate_document` and of the executor against random state machines.
//!
//! The generator builds random *valid* Amazon States Language documents: every state type (Task with Retry/Catch,
//! timeouts and payload templates, Pass, Wait, Choice with nested `And`/`Or`/`Not`, Succeed, Fail, Parallel and an
//! inline Map), unique state names across all scopes, nesting at most two levels deep. Each scope is a chain in
//! which every state moves to a later one (`Next`, choice rules, `Default`, catchers) and the last one ends, so
//! every state is reachable from `StartAt` and can reach an end. Its wild dialect goes further: numbers at the
//! edges (`Seconds`, `TimeoutSeconds`, `IntervalSeconds` up to `u64::MAX`, `BackoffRate` 1e300, `MaxAttempts`
//! 99999999 and more), odd paths and filters (`$.a[1::9223372036854775807]`, `[?(@.x > 1)]`), and Parallel and
//! Map nested four deep.
//!
//! 1. `validate_document` finds no problem in any generated document.
//! 2. `asl-validator` (npm) accepts a fixed-seed batch of them (skipped when the tool is not installed).
//! 3. Breaking a generated document in one known way makes `validate_document` report that problem.
//! 4. What the generator builds compiles and runs (`Machine::from_json`, then an execution under virtual time on a
//!    random input, every Task state mocked with some failures and then a result) without a panic, to a
//!    well-formed outcome: succeeded with an output, failed (with an error name unless a `Fail` state left it out)
//!    or timed out with `States.Timeout`. Valid documents must compile; wild ones may be rejected with a named
//!    error; any panic fails the property.
//!
//! For longer exploratory runs: `STEPFN_PROPERTY_CASES` (default 256) sets the cases of properties 1 and 3,
//! `STEPFN_PROPERTY_RUN_CASES` (default 64) those of each half of property 4, and `STEPFN_PROPERTY_DOCS` (default
//! 40) and `STEPFN_PROPERTY_SEED` (default 7) the asl-validator batch.

use proptest::prelude::*;
use proptest::sample::{select, subsequence, Index};
use proptest::strategy::{Union, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stepfn::local::{Machine, Mock, Options, Outcome, Response, Status};
use stepfn_asl::{to_pretty_json, validate_document, Problem, Rule};
use stepfn_engine::resume::{Checkpoint, CheckpointSink, Resume};

// ---------------------------------------------------------------------------------------------------------------
// What the generator produces before names and transitions are wired.

/// The states of one scope (the top level, a Parallel branch or a Map's item processor), in chain order.
#[derive(Debug, Clone)]
struct ScopeSpec {
    states: Vec<StateSpec>,
}

#[derive(Debug, Clone)]
struct StateSpec {
    kind: &'static str,
    /// Picks the naming style.
    style: usize,
    /// Fields that name no other state, ready to insert.
    fields: Vec<(String, Value)>,
    shape: Shape,
    /// Retriers, and catchers (without `Next`) with the pick of their forward target.
    retry: Vec<Value>,
    catch: Vec<(Value, Index)>,
}

#[derive(Debug, Clone)]
enum Shape {
    /// `Next` to the following state, or `End: true` when last.
    Flow,
    /// Succeed and Fail: no transition.
    Terminal,
    /// Rules (with the pick of their forward target), an optional `Default` (its pick), and which of the targets
    /// (rules, then `Default`) goes to the following state so that it is reachable.
    Choice {
        rules: Vec<(Value, Index)>,
        default: Option<Index>,
        link: Index,
    },
    Parallel(Vec<ScopeSpec>),
    Map {
        processor: ScopeSpec,
        inline_config: bool,
    },
}

impl StateSpec {
    fn new(kind: &'static str, style: usize, fields: Vec<(String, Value)>, shape: Shape) -> Self {
        StateSpec {
            kind,
            style,
            fields,
            shape,
            retry: Vec::new(),
            catch: Vec::new(),
        }
    }
}

/// A whole machine: the top scope and the optional top-level fields.
#[derive(Debug, Clone)]
struct MachineSpec {
    scope: ScopeSpec,
    top: Vec<(String, Value)>,
}

// ---------------------------------------------------------------------------------------------------------------
// Building the JSON document: unique names, forward transitions.

const NAME_STYLES: &[&str] = &[
    "{Kind}{n}",
    "{Kind} {n}",
    "step-{n}-{kind}",
    "Do_{kind}_{n}",
    "Étape {n} ({kind})",
    "{n}. {Kind} the order",
];

struct Builder {
    count: usize,
}

impl Builder {
    fn name(&mut self, spec: &StateSpec) -> String {
        self.count += 1;
        let style = NAME_STYLES[spec.style % NAME_STYLES.len()];
        style
            .replace("{Kind}", spec.kind)
            .replace("{kind}", &spec.kind.to_lowercase())
            .replace("{n}", &self.count.to_string())
    }

    fn scope(&mut self, scope: &ScopeSpec) -> Map<String, Value> {
        let names: Vec<String> = scope.states.iter().map(|s| self.name(s)).collect();
        let n = names.len();
        let mut states = Map::new();
        for (i, spec) in scope.states.iter().enumerate() {
            let later = n - i - 1;
            let forward = |pick: &Index| -> Option<Value> {
                (later > 0).then(|| json!(names[i + 1 + pick.index(later)]))
            };
            let mut state = Map::new();
            state.insert("Type".into(), json!(spec.kind));
            for (key, value) in &spec.fields {
                state.insert(key.clone(), value.clone());
            }
            let flows = !matches!(spec.shape, Shape::Terminal | Shape::Choice { .. });
            if flows && later > 0 {
                state.insert("Next".into(), json!(names[i + 1]));
            } else if flows {
                state.insert("End".into(), json!(true));
            }
            match &spec.shape {
                Shape::Flow => {}
                Shape::Terminal => {}
                Shape::Choice {
                    rules,
                    default,
                    link,
                } => {
                    assert!(later > 0, "the generator puts no Choice last");
                    let targets = rules.len() + usize::from(default.is_some());
                    let linked = link.index(targets);
                    let rules: Vec<Value> = rules
                        .iter()
                        .enumerate()
                        .map(|(r, (rule, pick))| {
                            let mut rule = rule.as_object().unwrap().clone();
                            let next = if r == linked {
                                json!(names[i + 1])
                            } else {
                                forward(pick).unwrap()
                            };
                            rule.insert("Next".into(), next);
                            Value::Object(rule)
                        })
                        .collect();
                    state.insert("Choices".into(), Value::Array(rules));
                    if let Some(pick) = default {
                        let next = if linked == targets - 1 {
                            json!(names[i + 1])
                        } else {
                            forward(pick).unwrap()
                        };
                        state.insert("Default".into(), next);
                    }
                }
                Shape::Parallel(branches) => {
                    let branches: Vec<Value> = branches
                        .iter()
                        .map(|b| Value::Object(self.scope(b)))
                        .collect();
                    state.insert("Branches".into(), Value::Array(branches));
                }
                Shape::Map {
                    processor,
                    inline_config,
                } => {
                    let mut built = Map::new();
                    if *inline_config {
                        built.insert("ProcessorConfig".into(), json!({ "Mode": "INLINE" }));
                    }
                    built.extend(self.scope(processor));
                    state.insert("ItemProcessor".into(), Value::Object(built));
                }
            }
            if matches!(spec.kind, "Task" | "Parallel" | "Map") {
                if !spec.retry.is_empty() {
                    state.insert("Retry".into(), Value::Array(spec.retry.clone()));
                }
                let catchers: Vec<Value> = spec
                    .catch
                    .iter()
                    .filter_map(|(catcher, pick)| {
                        let mut catcher = catcher.as_object().unwrap().clone();
                        catcher.insert("Next".into(), forward(pick)?);
                        Some(Value::Object(catcher))
                    })
                    .collect();
                if !catchers.is_empty() {
                    state.insert("Catch".into(), Value::Array(catchers));
                }
            }
            states.insert(names[i].clone(), Value::Object(state));
        }
        let mut object = Map::new();
        object.insert("StartAt".into(), json!(names[0]));
        object.insert("States".into(), Value::Object(states));
        object
    }
}

fn build(spec: &MachineSpec) -> Value {
    let mut document = Map::new();
    for (key, value) in &spec.top {
        document.insert(key.clone(), value.clone());
    }
    document.extend(Builder { count: 0 }.scope(&spec.scope));
    Value::Object(document)
}

// ---------------------------------------------------------------------------------------------------------------
// Strategies for the parts.

/// Which validator the documents are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// Anything AWS documents as valid.
    Aws,
    /// The same, minus what asl-validator 4.0.0 rejects although AWS accepts it (or its documentation does not
    /// settle it): `null` and `""` items in arrays of payload templates, and decimal literals (`3.5`) as
    /// intrinsic function arguments.
    AslValidator,
    /// Beyond what AWS accepts, to run rather than to validate: numbers at the edges (`Seconds`,
    /// `TimeoutSeconds`, `IntervalSeconds` near `i64::MAX` and `u64::MAX`, `BackoffRate` 1e300, huge
    /// `MaxAttempts`), odd paths and filters (slices with huge steps, `[?(...)]`), Parallel and Map nested four
    /// deep. Many of these documents are invalid; the executor must reject them with a named error or run them.
    Wild,
}

/// JSON numbers at the edges, as `Seconds`, `TimeoutSeconds`, retrier fields and input values.
const EXTREME_NUMBERS: &[&str] = &[
    "0",
    "-0.0",
    "1",
    "-1",
    "0.5",
    "10.0",
    "1e300",
    "-1e300",
    "1e-300",
    "1.7976931348623157e308",
    "99999999",
    "100000000",
    "31536000",
    "2147483647",
    "4294967295",
    "9223372036854775806",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551615",
];

fn extreme_number() -> BoxedStrategy<Value> {
    select(EXTREME_NUMBERS.to_vec())
        .prop_map(|n| serde_json::from_str(n).expect("a JSON number"))
        .boxed()
}

/// Seconds at AWS's limits (`TimeoutSeconds`, `IntervalSeconds`, `MaxDelaySeconds`, ...); `extreme_number` goes
/// past them.
const EDGE_SECONDS: &[&str] = &["99999999", "31536000", "31622401", "1"];
/// A Wait's `Seconds` at the limits and far past them (the virtual clock adds them up).
const EDGE_WAIT_SECONDS: &[&str] = &[
    "99999999",
    "2147483647",
    "4294967295",
    "9223372036854775807",
    "18446744073709551615",
];
/// `MaxAttempts` and `MaxConcurrency` at the limits.
const EDGE_COUNTS: &[&str] = &["0", "1", "99999999"];
/// `BackoffRate` at the edges.
const EDGE_RATES: &[&str] = &["1.0", "1e300", "1.7976931348623157e308", "99999999"];

/// A number field: `usual`, or in the wild dialect also a number at the field's edges (`edges`) or any extreme one.
fn number_or_extreme(
    d: Dialect,
    usual: BoxedStrategy<Value>,
    edges: &'static [&'static str],
) -> BoxedStrategy<Value> {
    match d {
        Dialect::Wild => prop_oneof![
            8 => usual,
            4 => select(edges.to_vec()).prop_map(|n| serde_json::from_str(n).expect("a JSON number")),
            1 => extreme_number(),
        ]
        .boxed(),
        _ => usual,
    }
}

/// Paths that select oddly: slices with huge or zero steps, filters, deep scans, unions, huge indexes.
const ODD_PATHS: &[&str] = &[
    "$.a[1::9223372036854775807]",
    "$.a[-9223372036854775808:]",
    "$.a[::-1]",
    "$.a[0:2:0]",
    "$.items[?(@.qty > 1)]",
    "$.items[?(@.x > 1)]",
    "$.items[?(!@.done || @.price < 1e300)]",
    "$.items[?(@.sku == 'a' && @.qty >= -0.0)]",
    "$..price",
    "$..*",
    "$['a','items']",
    "$.a[0,-1,9223372036854775807]",
    "$.a[9223372036854775807]",
    "$.a[-9223372036854775808]",
    "$.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p",
];

/// Reference paths that point oddly: huge and negative indexes, deep fields.
const ODD_REFERENCE_PATHS: &[&str] = &[
    "$.a[9223372036854775807]",
    "$.a[-1]",
    "$.a[-9223372036854775808]",
    "$.items[0].qty",
    "$['a'][0]['b']",
    "$.x.y.z.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w",
];

fn strings(items: &[&'static str]) -> BoxedStrategy<String> {
    select(items.to_vec()).prop_map(String::from).boxed()
}

/// An optional field, as zero or one `(key, value)` entries.
fn optional(key: &'static str, value: BoxedStrategy<Value>) -> BoxedStrategy<Vec<(String, Value)>> {
    proptest::option::of(value)
        .prop_map(move |v| v.map(|v| (key.to_owned(), v)).into_iter().collect())
        .boxed()
}

/// Reference paths (`ResultPath`, `...Path` fields): names and indexes only, as in AWS's documentation.
const REFERENCE_PATHS: &[&str] = &[
    "$",
    "$.result",
    "$.task.output",
    "$.items[0]",
    "$.ledgers[0][22].foo",
    "$.ledgers.branch[0].pending.count",
    "$['store']['book']",
    "$['store'][0]['book']",
    // Escapes from the ASL specification's reference path examples.
    "$.store\\.book",
    "$.\\stor\\e.boo\\k",
    "$.foo.\\.bar",
    "$.&Ж中.\u{10346}",
    "$.foo\\@bar.baz\\[\\[.\\?pretty",
];

/// Any path (`InputPath`, `OutputPath`).
const PATHS: &[&str] = &[
    "$",
    "$.detail",
    "$.payload.body",
    "$.items[0]",
    "$.items[*]",
    "$['store']['book']",
];

/// Values of `"key.$"` payload template fields that are paths.
const PAYLOAD_PATHS: &[&str] = &[
    "$",
    "$.id",
    "$.order.id",
    "$.items[0]",
    "$.items[*].sku",
    "$..price",
    "$.items[?(@.qty > 1)]",
    "$.items[1:3]",
    "$$.Execution.Id",
    "$$.Execution.Input.customer",
    "$$.Execution.StartTime",
    "$$.State.Name",
    "$$.State.EnteredTime",
    "$$.StateMachine.Name",
];

/// Extra payload paths inside a Map's `ItemSelector`.
const MAP_PAYLOAD_PATHS: &[&str] = &[
    "$$.Map.Item.Value",
    "$$.Map.Item.Index",
    "$$.Map.Item.Value.id",
];

fn reference_path(d: Dialect) -> BoxedStrategy<Value> {
    let usual = strings(REFERENCE_PATHS);
    match d {
        Dialect::Wild => prop_oneof![3 => usual, 1 => strings(ODD_REFERENCE_PATHS)].boxed(),
        _ => usual,
    }
    .prop_map(Value::String)
    .boxed()
}

/// `ResultPath`: a reference path, or `null` to discard the result.
fn result_path(d: Dialect) -> BoxedStrategy<Value> {
    prop_oneof![5 => reference_path(d), 1 => Just(Value::Null)].boxed()
}

/// Any path, odd ones too in the wild dialect.
fn any_path(d: Dialect, usual: &[&'static str]) -> BoxedStrategy<String> {
    match d {
        Dialect::Wild => prop_oneof![3 => strings(usual), 1 => strings(ODD_PATHS)].boxed(),
        _ => strings(usual),
    }
}

fn any_path_or_null(d: Dialect) -> BoxedStrategy<Value> {
    prop_oneof![5 => any_path(d, PATHS).prop_map(Value::String), 1 => Just(Value::Null)].boxed()
}

fn input_output(d: Dialect) -> BoxedStrategy<Vec<(String, Value)>> {
    (
        optional("InputPath", any_path_or_null(d)),
        optional("OutputPath", any_path_or_null(d)),
    )
        .prop_map(|(a, b)| a.into_iter().chain(b).collect())
        .boxed()
}

fn comment() -> BoxedStrategy<Vec<(String, Value)>> {
    optional(
        "Comment",
        strings(&[
            "",
            "does the work",
            "Ünïcödé comment",
            "with \"quotes\" and {braces}",
        ])
        .prop_map(Value::String)
        .boxed(),
    )
}

/// An RFC 3339 timestamp AWS accepts: uppercase `T`, `Z` or a `±hh:mm` offset, optional fraction.
fn timestamp() -> BoxedStrategy<String> {
    (
        1970i32..=2099,
        1u32..=12,
        1u32..=31,
        0u32..24,
        0u32..60,
        0u32..60,
        proptest::option::of((1usize..=9, 0u32..1_000_000_000)),
        prop_oneof![
            Just(None),
            (0u32..=14, select(vec![0u32, 30, 45]), any::<bool>()).prop_map(Some)
        ],
    )
        .prop_map(
            |(year, month, day, hour, minute, second, fraction, offset)| {
                let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
                let days = match month {
                    2 if leap => 29,
                    2 => 28,
                    4 | 6 | 9 | 11 => 30,
                    _ => 31,
                };
                let day = day.min(days);
                let mut text =
                    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
                if let Some((digits, value)) = fraction {
                    text.push('.');
                    text.push_str(&format!("{value:09}")[..digits]);
                }
                match offset {
                    None => text.push('Z'),
                    Some((h, m, east)) => {
                        text.push_str(&format!("{}{h:02}:{m:02}", if east { '+' } else { '-' }))
                    }
                }
                text
            },
        )
        .boxed()
}

/// A literal JSON value (a `Pass` state's `Result`, a template's constant).
fn literal(d: Dialect) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-1000i64..1000).prop_map(|n| json!(n)),
        select(vec![0.5f64, -2.25, 2.71, 1e-3, 12345.678]).prop_map(|f| json!(f)),
        "[a-zA-Z0-9 ,._-]{0,12}".prop_map(Value::String),
        Just(json!("Grüße, 世界")),
    ];
    let leaf = match d {
        Dialect::Wild => prop_oneof![3 => leaf, 1 => extreme_number()].boxed(),
        _ => leaf.boxed(),
    };
    leaf.prop_recursive(2, 12, 4, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(move |items| {
                let items = items.into_iter();
                match d {
                    Dialect::Aws | Dialect::Wild => items.collect(),
                    // asl-validator rejects `null` and `""` items of arrays in payload templates.
                    Dialect::AslValidator => items.filter(|v| !v.is_null() && *v != "").collect(),
                }
            }),
            proptest::collection::btree_map("[a-z][a-zA-Z0-9]{0,7}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// An argument of an intrinsic function of any type (`depth` > 0 allows a nested call).
fn any_argument(d: Dialect, depth: u32) -> BoxedStrategy<String> {
    let simple = prop_oneof![
        strings(&[
            "$.x",
            "$.name",
            "$.order.id",
            "$.items[0]",
            "$$.Execution.Id"
        ]),
        strings(&["'text'", "'it\\'s'", "'a, b'", "''"]),
        match d {
            Dialect::Aws => strings(&["1", "-2", "42", "3.5", "true", "false", "null"]),
            Dialect::Wild => strings(&[
                "1",
                "-2",
                "3.5",
                "null",
                "9223372036854775807",
                "-9223372036854775808",
                "18446744073709551615",
                "1e300",
                "-0.0",
            ]),
            // asl-validator's intrinsic grammar has integer literals only.
            Dialect::AslValidator => strings(&["1", "-2", "42", "true", "false", "null"]),
        },
    ];
    if depth == 0 {
        simple.boxed()
    } else {
        prop_oneof![3 => simple, 1 => intrinsic(d, depth - 1)].boxed()
    }
}

/// An intrinsic function call with arguments of the types it takes.
fn intrinsic(d: Dialect, depth: u32) -> BoxedStrategy<String> {
    let format = (
        strings(&["", "Order ", "Hello, ", "Total: \\{", "it\\'s "]),
        proptest::collection::vec(any_argument(d, depth), 0..=3),
    )
        .prop_map(|(prefix, args)| {
            let template: String = std::iter::once(prefix)
                .chain(args.iter().map(|_| "{} ".to_owned()))
                .collect();
            let mut call = format!("States.Format('{template}'");
            for arg in &args {
                call.push_str(", ");
                call.push_str(arg);
            }
            call + ")"
        });
    let array = proptest::collection::vec(any_argument(d, depth), 0..=3)
        .prop_map(|args| format!("States.Array({})", args.join(", ")));
    let fixed = strings(&[
        "States.StringToJson($.raw)",
        "States.JsonToString($.detail)",
        "States.ArrayPartition($.items, 2)",
        "States.ArrayContains($.items, $.wanted)",
        "States.ArrayRange(1, 9, 2)",
        "States.ArrayGetItem($.items, 0)",
        "States.ArrayLength($.items)",
        "States.ArrayUnique($.items)",
        "States.Base64Encode($.text)",
        "States.Base64Decode('aGVsbG8=')",
        "States.Hash($.data, 'SHA-256')",
        "States.Hash('text', 'MD5')",
        "States.JsonMerge($.a, $.b, false)",
        "States.MathRandom(1, 100)",
        "States.MathRandom(1, 100, 42)",
        "States.MathAdd($.count, 1)",
        "States.MathAdd(-3, 2)",
        "States.StringSplit($.csv, ',')",
        "States.UUID()",
    ]);
    prop_oneof![2 => format, 1 => array, 3 => fixed].boxed()
}

/// A payload template: an object whose `.$` fields hold paths or intrinsic calls, maybe nested one level.
fn template(d: Dialect, map_item: bool) -> BoxedStrategy<Value> {
    template_at(d, map_item, 1)
}

fn template_at(d: Dialect, map_item: bool, depth: u32) -> BoxedStrategy<Value> {
    let mut paths: Vec<&'static str> = PAYLOAD_PATHS.to_vec();
    if map_item {
        paths.extend_from_slice(MAP_PAYLOAD_PATHS);
    }
    if d == Dialect::Wild {
        paths.extend_from_slice(ODD_PATHS);
    }
    let dynamic = prop_oneof![
        2 => select(paths).prop_map(|p| (true, json!(p))),
        1 => intrinsic(d, 1).prop_map(|c| (true, json!(c))),
    ];
    let constant = literal(d).prop_map(|v| (false, v));
    let entry = if depth == 0 {
        prop_oneof![2 => dynamic, 1 => constant].boxed()
    } else {
        prop_oneof![
            4 => dynamic,
            2 => constant,
            1 => template_at(d, map_item, depth - 1).prop_map(|t| (false, t)),
        ]
        .boxed()
    };
    let keys = &[
        "id",
        "orderId",
        "message",
        "items",
        "count",
        "when",
        "detail",
        "meta",
        "Key With Space",
    ];
    proptest::collection::btree_map(strings(keys), entry, 0..=4)
        .prop_map(|entries| {
            let object: Map<String, Value> = entries
                .into_iter()
                .map(|(key, (dynamic, value))| {
                    (if dynamic { format!("{key}.$") } else { key }, value)
                })
                .collect();
            Value::Object(object)
        })
        .boxed()
}

const ERROR_NAMES: &[&str] = &[
    "States.Timeout",
    "States.TaskFailed",
    "States.HeartbeatTimeout",
    "States.Permissions",
    "States.ResultPathMatchFailure",
    "States.BranchFailed",
    "Lambda.ServiceException",
    "Lambda.TooManyRequestsException",
    "OrderNotFound",
    "Payment.Declined",
];

fn error_equals() -> BoxedStrategy<Value> {
    subsequence(ERROR_NAMES.to_vec(), 1..=3)
        .prop_map(|names| json!(names))
        .boxed()
}

fn retrier(d: Dialect) -> BoxedStrategy<Value> {
    let number = |range: std::ops::RangeInclusive<u32>, edges| {
        number_or_extreme(d, range.prop_map(|n| json!(n)).boxed(), edges)
    };
    (
        error_equals(),
        proptest::option::of(number(1..=30, EDGE_SECONDS)),
        proptest::option::of(number(0..=5, EDGE_COUNTS)),
        proptest::option::of(number_or_extreme(
            d,
            select(vec![json!(1.0), json!(1.5), json!(2), json!(2.0), json!(3)]).boxed(),
            EDGE_RATES,
        )),
        proptest::option::of(number(1..=600, EDGE_SECONDS)),
        proptest::option::of(select(vec!["FULL", "NONE"])),
    )
        .prop_map(|(errors, interval, attempts, backoff, max_delay, jitter)| {
            let mut retrier = Map::new();
            retrier.insert("ErrorEquals".into(), errors);
            if let Some(v) = interval {
                retrier.insert("IntervalSeconds".into(), v);
            }
            if let Some(v) = attempts {
                retrier.insert("MaxAttempts".into(), v);
            }
            if let Some(v) = backoff {
                retrier.insert("BackoffRate".into(), v);
            }
            if let Some(v) = max_delay {
                retrier.insert("MaxDelaySeconds".into(), v);
            }
            if let Some(v) = jitter {
                retrier.insert("JitterStrategy".into(), json!(v));
            }
            Value::Object(retrier)
        })
        .boxed()
}

/// Retriers, and catchers with the pick of their forward target.
type Handlers = (Vec<Value>, Vec<(Value, Index)>);

/// Retriers and catchers: a few specific ones, then maybe a final `States.ALL` one.
fn error_handling(d: Dialect) -> BoxedStrategy<Handlers> {
    let catcher = |errors: BoxedStrategy<Value>| {
        (errors, proptest::option::of(result_path(d)), any::<Index>()).prop_map(
            |(errors, path, pick)| {
                let mut catcher = Map::new();
                catcher.insert("ErrorEquals".into(), errors);
                if let Some(path) = path {
                    catcher.insert("ResultPath".into(), path);
                }
                (Value::Object(catcher), pick)
            },
        )
    };
    (
        proptest::collection::vec(retrier(d), 0..=2),
        proptest::option::of(retrier(d)),
        proptest::collection::vec(catcher(error_equals()), 0..=2),
        proptest::option::of(catcher(Just(json!(["States.ALL"])).boxed())),
    )
        .prop_map(|(mut retry, retry_all, mut catch, catch_all)| {
            if let Some(mut all) = retry_all {
                all["ErrorEquals"] = json!(["States.ALL"]);
                retry.push(all);
            }
            catch.extend(catch_all);
            (retry, catch)
        })
        .boxed()
}

fn style() -> BoxedStrategy<usize> {
    (0..NAME_STYLES.len()).boxed()
}

// ---------------------------------------------------------------------------------------------------------------
// Strategies for the states.

const LAMBDA_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:ProcessOrder";

/// `Resource` and the `Parameters` it needs: a service integration's own fields, or any template for a Lambda
/// function or activity called directly.
fn resource_and_parameters(d: Dialect) -> BoxedStrategy<Vec<(String, Value)>> {
    let function = strings(&[
        LAMBDA_ARN,
        "${ProcessOrderFunctionArn}",
        "${NotifyFunctionArn}",
    ]);
    let direct = (
        strings(&[
            LAMBDA_ARN,
            "arn:aws:lambda:eu-west-1:123456789012:function:Notify:live",
            "${ProcessOrderFunctionArn}",
            "${ChargeCardFunctionArn}",
            "arn:aws:states:us-east-1:123456789012:activity:Review",
        ]),
        proptest::option::of(template(d, false)),
    )
        .prop_map(|(resource, parameters)| {
            let mut fields = vec![("Resource".to_owned(), json!(resource))];
            fields.extend(parameters.map(|p| ("Parameters".to_owned(), p)));
            fields
        });
    let payload = prop_oneof![
        Just(None),
        strings(PAYLOAD_PATHS).prop_map(|p| Some(("Payload.$", json!(p)))),
        template(d, false).prop_map(|t| Some(("Payload", t))),
    ];
    let invoke = (function.clone(), payload).prop_map(|(function, payload)| {
        let mut parameters = Map::new();
        parameters.insert("FunctionName".into(), json!(function));
        if let Some((key, value)) = payload {
            parameters.insert(key.into(), value);
        }
        vec![
            (
                "Resource".to_owned(),
                json!("arn:aws:states:::lambda:invoke"),
            ),
            ("Parameters".to_owned(), Value::Object(parameters)),
        ]
    });
    let callback = (function, template(d, false)).prop_map(|(function, mut payload)| {
        payload
            .as_object_mut()
            .unwrap()
            .insert("token.$".into(), json!("$$.Task.Token"));
        vec![
            (
                "Resource".to_owned(),
                json!("arn:aws:states:::lambda:invoke.waitForTaskToken"),
            ),
            (
                "Parameters".to_owned(),
                json!({ "FunctionName": function, "Payload": payload }),
            ),
        ]
    });
    let sqs = strings(PAYLOAD_PATHS).prop_map(|body| {
        vec![
            ("Resource".to_owned(), json!("arn:aws:states:::sqs:sendMessage")),
            (
                "Parameters".to_owned(),
                json!({ "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/orders", "MessageBody.$": body }),
            ),
        ]
    });
    let sns = intrinsic(d, 1).prop_map(|message| {
        vec![
            ("Resource".to_owned(), json!("arn:aws:states:::sns:publish")),
            (
                "Parameters".to_owned(),
                json!({ "TopicArn": "arn:aws:sns:us-east-1:123456789012:alerts", "Message.$": message }),
            ),
        ]
    });
    prop_oneof![4 => direct, 3 => invoke, 1 => callback, 1 => sqs, 1 => sns].boxed()
}

/// `TimeoutSeconds`/`HeartbeatSeconds` (heartbeat below timeout) or their path forms; extreme numbers too in the
/// wild dialect.
fn timeouts(d: Dialect) -> BoxedStrategy<Vec<(String, Value)>> {
    let usual = prop_oneof![
        3 => Just(vec![]),
        2 => (2u32..=3600)
            .prop_flat_map(|t| (Just(t), 1..t))
            .prop_map(|(t, h)| vec![
                ("TimeoutSeconds".to_owned(), json!(t)),
                ("HeartbeatSeconds".to_owned(), json!(h)),
            ]),
        1 => (1u32..=99_999_999).prop_map(|t| vec![("TimeoutSeconds".to_owned(), json!(t))]),
        1 => (1u32..=3600).prop_map(|h| vec![("HeartbeatSeconds".to_owned(), json!(h))]),
        1 => Just(vec![
            ("TimeoutSecondsPath".to_owned(), json!("$.timeout")),
            ("HeartbeatSecondsPath".to_owned(), json!("$.heartbeat")),
        ]),
    ];
    match d {
        Dialect::Wild => prop_oneof![
            2 => usual,
            1 => (
                select(EDGE_SECONDS.to_vec()).prop_map(|n| serde_json::from_str(n).expect("a number")),
                proptest::option::of(prop_oneof![
                    3 => select(EDGE_SECONDS.to_vec())
                        .prop_map(|n| serde_json::from_str(n).expect("a number")),
                    1 => extreme_number(),
                ]),
            )
                .prop_map(|(t, h)| {
                let mut fields = vec![("TimeoutSeconds".to_owned(), t)];
                fields.extend(h.map(|h| ("HeartbeatSeconds".to_owned(), h)));
                fields
            }),
        ]
        .boxed(),
        _ => usual.boxed(),
    }
}

fn task(d: Dialect) -> BoxedStrategy<StateSpec> {
    (
        style(),
        comment(),
        resource_and_parameters(d),
        timeouts(d),
        optional("ResultSelector", template(d, false)),
        optional("ResultPath", result_path(d)),
        input_output(d),
        error_handling(d),
    )
        .prop_map(
            |(style, comment, resource, timeouts, selector, path, io, (retry, catch))| {
                let fields = [comment, resource, timeouts, selector, path, io].concat();
                StateSpec {
                    retry,
                    catch,
                    ..StateSpec::new("Task", style, fields, Shape::Flow)
                }
            },
        )
        .boxed()
}

fn pass(d: Dialect) -> BoxedStrategy<StateSpec> {
    let body = prop_oneof![
        Just(vec![]),
        literal(d).prop_map(|r| vec![("Result".to_owned(), r)]),
        template(d, false).prop_map(|p| vec![("Parameters".to_owned(), p)]),
    ];
    (
        style(),
        comment(),
        body,
        optional("ResultPath", result_path(d)),
        input_output(d),
    )
        .prop_map(|(style, comment, body, path, io)| {
            StateSpec::new(
                "Pass",
                style,
                [comment, body, path, io].concat(),
                Shape::Flow,
            )
        })
        .boxed()
}

fn wait(d: Dialect) -> BoxedStrategy<StateSpec> {
    let how = prop_oneof![
        number_or_extreme(
            d,
            (0u32..=86_400).prop_map(|s| json!(s)).boxed(),
            EDGE_WAIT_SECONDS
        )
        .prop_map(|s| ("Seconds", s)),
        timestamp().prop_map(|t| ("Timestamp", json!(t))),
        match d {
            // The input's numbers, extreme ones among them.
            Dialect::Wild => prop_oneof![
                reference_path(d),
                strings(&["$.seconds", "$.x", "$.n"]).prop_map(Value::String)
            ]
            .boxed(),
            _ => reference_path(d),
        }
        .prop_map(|p| ("SecondsPath", p)),
        reference_path(d).prop_map(|p| ("TimestampPath", p)),
    ];
    (style(), comment(), how, input_output(d))
        .prop_map(|(style, comment, (key, value), io)| {
            let fields = [comment, vec![(key.to_owned(), value)], io].concat();
            StateSpec::new("Wait", style, fields, Shape::Flow)
        })
        .boxed()
}

fn succeed(d: Dialect) -> BoxedStrategy<StateSpec> {
    (style(), comment(), input_output(d))
        .prop_map(|(style, comment, io)| {
            StateSpec::new("Succeed", style, [comment, io].concat(), Shape::Terminal)
        })
        .boxed()
}

fn fail() -> BoxedStrategy<StateSpec> {
    (
        style(),
        comment(),
        optional(
            "Error",
            strings(&["OrderFailed", "States.TaskFailed", "Custom.Error"])
                .prop_map(Value::String)
                .boxed(),
        ),
        optional(
            "Cause",
            strings(&["the order could not be processed", "", "Ünïcödé"])
                .prop_map(Value::String)
                .boxed(),
        ),
    )
        .prop_map(|(style, comment, error, cause)| {
            StateSpec::new(
                "Fail",
                style,
                [comment, error, cause].concat(),
                Shape::Terminal,
            )
        })
        .boxed()
}

const CHOICE_VARIABLES: &[&str] = &[
    "$.status",
    "$.count",
    "$.order.total",
    "$.items[0].price",
    "$.flag",
    "$.createdAt",
    "$['customer']['tier']",
];

/// A comparison: `Variable` and one operator with a value of its type.
fn comparison() -> BoxedStrategy<Value> {
    let string_ops = select(vec![
        "StringEquals",
        "StringLessThan",
        "StringGreaterThan",
        "StringLessThanEquals",
        "StringGreaterThanEquals",
    ]);
    let numeric_ops = select(vec![
        "NumericEquals",
        "NumericLessThan",
        "NumericGreaterThan",
        "NumericLessThanEquals",
        "NumericGreaterThanEquals",
    ]);
    let timestamp_ops = select(vec![
        "TimestampEquals",
        "TimestampLessThan",
        "TimestampGreaterThan",
        "TimestampLessThanEquals",
        "TimestampGreaterThanEquals",
    ]);
    let path_ops = select(vec![
        "StringEqualsPath",
        "StringLessThanPath",
        "StringGreaterThanPath",
        "StringLessThanEqualsPath",
        "StringGreaterThanEqualsPath",
        "NumericEqualsPath",
        "NumericLessThanPath",
        "NumericGreaterThanPath",
        "NumericLessThanEqualsPath",
        "NumericGreaterThanEqualsPath",
        "TimestampEqualsPath",
        "TimestampLessThanPath",
        "TimestampGreaterThanPath",
        "TimestampLessThanEqualsPath",
        "TimestampGreaterThanEqualsPath",
        "BooleanEqualsPath",
    ]);
    let test_ops = select(vec![
        "IsNull",
        "IsPresent",
        "IsNumeric",
        "IsString",
        "IsBoolean",
        "IsTimestamp",
    ]);
    let operator = prop_oneof![
        (string_ops, "[a-zA-Z0-9 _-]{0,10}").prop_map(|(op, s)| (op, json!(s))),
        strings(&["*.log", "order-*", "exact", "a\\*b*", "*"])
            .prop_map(|p| ("StringMatches", json!(p))),
        (numeric_ops.clone(), -1_000_000i64..1_000_000).prop_map(|(op, n)| (op, json!(n))),
        (numeric_ops, select(vec![0.5f64, -2.75, 99.99, 1e-3])).prop_map(|(op, f)| (op, json!(f))),
        (timestamp_ops, timestamp()).prop_map(|(op, t)| (op, json!(t))),
        any::<bool>().prop_map(|b| ("BooleanEquals", json!(b))),
        (
            path_ops,
            strings(&["$.other", "$.limits.max", "$.items[1].price"])
        )
            .prop_map(|(op, p)| (op, json!(p))),
        (test_ops, any::<bool>()).prop_map(|(op, b)| (op, json!(b))),
    ];
    (strings(CHOICE_VARIABLES), operator)
        .prop_map(|(variable, (op, value))| json!({ "Variable": variable, op: value }))
        .boxed()
}

/// A choice rule without `Next`: a comparison, or `And`/`Or`/`Not` nesting at most two levels.
fn choice_rule() -> BoxedStrategy<Value> {
    comparison()
        .prop_recursive(2, 8, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 1..=3).prop_map(|r| json!({ "And": r })),
                proptest::collection::vec(inner.clone(), 1..=3).prop_map(|r| json!({ "Or": r })),
                inner.prop_map(|r| json!({ "Not": r })),
            ]
        })
        .boxed()
}

fn choice(d: Dialect) -> BoxedStrategy<StateSpec> {
    (
        style(),
        comment(),
        proptest::collection::vec((choice_rule(), any::<Index>()), 1..=3),
        proptest::option::of(any::<Index>()),
        any::<Index>(),
        input_output(d),
    )
        .prop_map(|(style, comment, rules, default, link, io)| {
            let shape = Shape::Choice {
                rules,
                default,
                link,
            };
            StateSpec::new("Choice", style, [comment, io].concat(), shape)
        })
        .boxed()
}

fn parallel(d: Dialect, depth: u32) -> BoxedStrategy<StateSpec> {
    let branches = match depth {
        0 => 1..=3,
        1 => 1..=2,
        _ => 1..=1,
    };
    (
        style(),
        comment(),
        proptest::collection::vec(scope(d, depth + 1), branches),
        optional("Parameters", template(d, false)),
        optional("ResultSelector", template(d, false)),
        optional("ResultPath", result_path(d)),
        input_output(d),
        error_handling(d),
    )
        .prop_map(
            |(style, comment, branches, parameters, selector, path, io, (retry, catch))| {
                StateSpec {
                    retry,
                    catch,
                    ..StateSpec::new(
                        "Parallel",
                        style,
                        [comment, parameters, selector, path, io].concat(),
                        Shape::Parallel(branches),
                    )
                }
            },
        )
        .boxed()
}

fn map(d: Dialect, depth: u32) -> BoxedStrategy<StateSpec> {
    let concurrency = prop_oneof![
        number_or_extreme(d, (0u32..=40).prop_map(|n| json!(n)).boxed(), EDGE_COUNTS)
            .prop_map(|n| ("MaxConcurrency", n)),
        reference_path(d).prop_map(|p| ("MaxConcurrencyPath", p)),
    ];
    (
        style(),
        comment(),
        scope(d, depth + 1),
        any::<bool>(),
        optional(
            "ItemsPath",
            any_path(d, &["$", "$.items", "$.order.lines", "$['batch'][0]"])
                .prop_map(Value::String)
                .boxed(),
        ),
        proptest::option::of(concurrency),
        optional("ItemSelector", template(d, true)),
        optional("ResultSelector", template(d, false)),
        optional("ResultPath", result_path(d)),
        input_output(d),
        error_handling(d),
    )
        .prop_map(
            |(
                style,
                comment,
                processor,
                inline_config,
                items,
                concurrency,
                selector,
                result_selector,
                path,
                io,
                (retry, catch),
            )| {
                let concurrency = concurrency
                    .map(|(k, v)| (k.to_owned(), v))
                    .into_iter()
                    .collect();
                let fields = [
                    comment,
                    items,
                    concurrency,
                    selector,
                    result_selector,
                    path,
                    io,
                ]
                .concat();
                StateSpec {
                    retry,
                    catch,
                    ..StateSpec::new(
                        "Map",
                        style,
                        fields,
                        Shape::Map {
                            processor,
                            inline_config,
                        },
                    )
                }
            },
        )
        .boxed()
}

/// A scope at nesting `depth` (0: the top level): some states, then one that can end (never a Choice).
fn scope(d: Dialect, depth: u32) -> BoxedStrategy<ScopeSpec> {
    // Parallel and Map nest two deep, four in the wild dialect.
    let containers = depth < if d == Dialect::Wild { 4 } else { 2 };
    let mut middle: Vec<(u32, BoxedStrategy<StateSpec>)> =
        vec![(4, task(d)), (2, pass(d)), (1, wait(d)), (2, choice(d))];
    let mut last: Vec<(u32, BoxedStrategy<StateSpec>)> = vec![
        (4, task(d)),
        (2, pass(d)),
        (1, wait(d)),
        (1, succeed(d)),
        (1, fail()),
    ];
    if containers {
        let weight = if depth == 0 { 2 } else { 1 };
        middle.push((weight, parallel(d, depth)));
        middle.push((weight, map(d, depth)));
        last.push((1, parallel(d, depth)));
        last.push((1, map(d, depth)));
    }
    let most = match depth {
        0 => 5,
        1 => 2,
        _ => 1,
    };
    (
        proptest::collection::vec(Union::new_weighted(middle), 0..=most),
        Union::new_weighted(last),
    )
        .prop_map(|(mut states, end)| {
            states.push(end);
            ScopeSpec { states }
        })
        .boxed()
}

fn machine(d: Dialect) -> BoxedStrategy<Value> {
    let timeout = match d {
        // Always a short execution timeout: a retrier with a huge `MaxAttempts` over a failure that repeats would
        // otherwise run for minutes (AWS ends such an execution at 25,000 history events; the executor does not
        // count retries against that limit, see fuzz/FINDINGS.md), while the virtual clock reaches the timeout
        // within a few thousand attempts.
        Dialect::Wild => (1u32..=600)
            .prop_map(|t| vec![("TimeoutSeconds".to_owned(), json!(t))])
            .boxed(),
        _ => optional(
            "TimeoutSeconds",
            (1u32..=31_536_000).prop_map(|t| json!(t)).boxed(),
        ),
    };
    let top = (
        comment(),
        optional("Version", Just(json!("1.0")).boxed()),
        timeout,
        optional("QueryLanguage", Just(json!("JSONPath")).boxed()),
    )
        .prop_map(|(a, b, c, d)| [a, b, c, d].concat());
    (scope(d, 0), top)
        .prop_map(|(scope, top)| build(&MachineSpec { scope, top }))
        .boxed()
}

fn show(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {:?} {p}", p.rule))
        .collect::<Vec<_>>()
        .join("\n")
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Regressions are reported with the document; no files are written next to the sources.
        failure_persistence: None,
        max_global_rejects: 100_000,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Property 1: every generated document is valid.

proptest! {
    #![proptest_config(config(env_number("STEPFN_PROPERTY_CASES", 256) as u32))]

    #[test]
    fn generated_machines_are_valid(document in machine(Dialect::Aws)) {
        let problems = validate_document(&document);
        prop_assert!(
            problems.is_empty(),
            "validate_document rejected a valid document:\n{}\nproblems:\n{}",
            to_pretty_json(&document),
            show(&problems)
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Property 2: asl-validator agrees.

fn env_number(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `count` documents from a fixed seed: the same ones on every run.
fn batch(count: usize, seed: u64) -> Vec<Value> {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner =
        TestRunner::new_with_rng(config(1), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let strategy = machine(Dialect::AslValidator);
    (0..count)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .expect("the generator rejects nothing")
                .current()
        })
        .collect()
}

#[test]
fn asl_validator_accepts_generated_machines() {
    let Some(validator) = stepfn_tests::asl_validator() else {
        return;
    };
    let count = env_number("STEPFN_PROPERTY_DOCS", 40) as usize;
    let seed = env_number("STEPFN_PROPERTY_SEED", 7);
    let documents = batch(count, seed);
    let dir = stepfn_tests::target_dir().join("stepfn-property");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (i, document) in documents.iter().enumerate() {
        let file = dir.join(format!("machine-{i:03}.asl.json"));
        std::fs::write(&file, to_pretty_json(document)).unwrap();
        let problems = validate_document(document);
        assert!(
            problems.is_empty(),
            "validate_document rejected {}:\n{}",
            file.display(),
            show(&problems)
        );
        files.push(file);
    }
    let mut command = Command::new(&validator);
    for file in &files {
        command.arg("--json-path").arg(file);
    }
    let output = command.arg("--no-arn-check").output().unwrap();
    let report = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "asl-validator rejected some of the {count} documents in {} (seed {seed}):\n{report}",
        dir.display()
    );
}

// ---------------------------------------------------------------------------------------------------------------
// Property 3: breaking a valid document in a known way is reported.

#[derive(Debug, Clone, Copy)]
enum Mutation {
    /// Remove `StartAt` from a scope (the top level or a nested one).
    RemoveStartAt,
    /// Remove a Task's `Resource`.
    RemoveResource,
    /// Point a transition (`Next`, a rule's `Next`, `Default`, a catcher's `Next`) at a missing state.
    NextToMissing,
    /// Add a field no state has.
    UnknownField,
    /// `BackoffRate: 0.5` on a retrier (added when the state has none).
    BackoffBelowOne,
    /// A `States.ALL` retrier first of two or more.
    StatesAllFirst,
    /// `ResultPath: "$.a[*]"`: not a reference path.
    WildcardResultPath,
    /// Rename a Parallel branch's state to a top-level state's name.
    DuplicateAcrossParallel,
}

impl Mutation {
    fn expected(self) -> Rule {
        match self {
            Mutation::RemoveStartAt | Mutation::RemoveResource => Rule::MissingField,
            Mutation::NextToMissing => Rule::UnknownState,
            Mutation::UnknownField => Rule::UnknownField,
            Mutation::BackoffBelowOne => Rule::FieldValue,
            Mutation::StatesAllFirst => Rule::StatesAll,
            Mutation::WildcardResultPath => Rule::Path,
            Mutation::DuplicateAcrossParallel => Rule::DuplicateState,
        }
    }
}

fn pointer_segment(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointers of every scope (`""` for the top level) and of every state, in document order.
fn walk(document: &Value) -> (Vec<String>, Vec<String>) {
    fn scope(document: &Value, at: &str, scopes: &mut Vec<String>, states: &mut Vec<String>) {
        scopes.push(at.to_owned());
        let Some(children) = document
            .pointer(at)
            .and_then(|object| object.get("States"))
            .and_then(Value::as_object)
        else {
            return;
        };
        for (name, state) in children {
            let state_at = format!("{at}/States/{}", pointer_segment(name));
            states.push(state_at.clone());
            if let Some(branches) = state.get("Branches").and_then(Value::as_array) {
                for i in 0..branches.len() {
                    scope(
                        document,
                        &format!("{state_at}/Branches/{i}"),
                        scopes,
                        states,
                    );
                }
            }
            if state.get("ItemProcessor").is_some() {
                scope(
                    document,
                    &format!("{state_at}/ItemProcessor"),
                    scopes,
                    states,
                );
            }
        }
    }
    let (mut scopes, mut states) = (Vec::new(), Vec::new());
    scope(document, "", &mut scopes, &mut states);
    (scopes, states)
}

fn of_type<'a>(document: &Value, states: &'a [String], types: &[&str]) -> Vec<&'a String> {
    states
        .iter()
        .filter(|at| {
            document
                .pointer(at)
                .and_then(|state| state.get("Type"))
                .and_then(Value::as_str)
                .is_some_and(|kind| types.contains(&kind))
        })
        .collect()
}

/// Renames the state `from` of the scope at `at` to `to`, with every transition of that scope that names it.
fn rename(document: &mut Value, at: &str, from: &str, to: &str) {
    let scope = document.pointer_mut(at).unwrap();
    if scope["StartAt"] == from {
        scope["StartAt"] = json!(to);
    }
    let states = scope["States"].as_object_mut().unwrap();
    let renamed: Map<String, Value> = std::mem::take(states)
        .into_iter()
        .map(|(name, mut state)| {
            let retarget = |value: Option<&mut Value>| {
                if let Some(value) = value.filter(|v| *v == from) {
                    *value = json!(to);
                }
            };
            retarget(state.get_mut("Next"));
            retarget(state.get_mut("Default"));
            for list in ["Choices", "Catch"] {
                if let Some(items) = state.get_mut(list).and_then(Value::as_array_mut) {
                    for item in items {
                        retarget(item.get_mut("Next"));
                    }
                }
            }
            (if name == from { to.to_owned() } else { name }, state)
        })
        .collect();
    *states = renamed;
}

/// Applies `mutation` at the candidate `pick` chooses; `None` when the document has no candidate.
fn mutate(mut document: Value, mutation: Mutation, pick: Index, extra: Index) -> Option<Value> {
    let (scopes, states) = walk(&document);
    let choose = |candidates: Vec<String>| -> Option<String> {
        (!candidates.is_empty()).then(|| candidates[pick.index(candidates.len())].clone())
    };
    let errors_states = of_type(&document, &states, &["Task", "Parallel", "Map"]);
    match mutation {
        Mutation::RemoveStartAt => {
            let at = choose(scopes)?;
            document
                .pointer_mut(&at)?
                .as_object_mut()?
                .remove("StartAt");
        }
        Mutation::RemoveResource => {
            let at = choose(
                of_type(&document, &states, &["Task"])
                    .into_iter()
                    .cloned()
                    .collect(),
            )?;
            document
                .pointer_mut(&at)?
                .as_object_mut()?
                .remove("Resource");
        }
        Mutation::NextToMissing => {
            let mut transitions = Vec::new();
            for at in &states {
                let state = document.pointer(at)?;
                for key in ["Next", "Default"] {
                    if state.get(key).is_some() {
                        transitions.push(format!("{at}/{key}"));
                    }
                }
                for list in ["Choices", "Catch"] {
                    for i in 0..state
                        .get(list)
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len)
                    {
                        transitions.push(format!("{at}/{list}/{i}/Next"));
                    }
                }
            }
            let at = choose(transitions)?;
            *document.pointer_mut(&at)? = json!("NoSuchState");
        }
        Mutation::UnknownField => {
            let fields = [
                "Nxt",
                "ResultsPath",
                "Retries",
                "Colour",
                "TimeoutSecs",
                "Parameter",
            ];
            let field = fields[extra.index(fields.len())];
            let mut targets = states.clone();
            targets.push(String::new());
            let at = choose(targets)?;
            document
                .pointer_mut(&at)?
                .as_object_mut()?
                .insert(field.into(), json!("blue"));
        }
        Mutation::BackoffBelowOne => {
            let at = choose(errors_states.into_iter().cloned().collect())?;
            let state = document.pointer_mut(&at)?.as_object_mut()?;
            let retry = state
                .entry("Retry")
                .or_insert_with(|| json!([{ "ErrorEquals": ["OrderNotFound"] }]))
                .as_array_mut()?;
            let i = extra.index(retry.len());
            retry[i]["BackoffRate"] = json!(0.5);
        }
        Mutation::StatesAllFirst => {
            let at = choose(errors_states.into_iter().cloned().collect())?;
            let state = document.pointer_mut(&at)?.as_object_mut()?;
            let retry = state
                .entry("Retry")
                .or_insert_with(|| json!([]))
                .as_array_mut()?;
            retry.insert(0, json!({ "ErrorEquals": ["States.ALL"] }));
            if retry.len() < 2 {
                retry.push(json!({ "ErrorEquals": ["States.Timeout"], "MaxAttempts": 2 }));
            }
        }
        Mutation::WildcardResultPath => {
            let with_result = of_type(&document, &states, &["Task", "Pass", "Parallel", "Map"]);
            let at = choose(with_result.into_iter().cloned().collect())?;
            document
                .pointer_mut(&at)?
                .as_object_mut()?
                .insert("ResultPath".into(), json!("$.a[*]"));
        }
        Mutation::DuplicateAcrossParallel => {
            let top: Vec<String> = document["States"].as_object()?.keys().cloned().collect();
            let mut branch_states = Vec::new();
            for parallel in of_type(&document, &states, &["Parallel"]) {
                for (i, branch) in document.pointer(parallel)?["Branches"]
                    .as_array()?
                    .iter()
                    .enumerate()
                {
                    for name in branch["States"].as_object()?.keys() {
                        branch_states.push((format!("{parallel}/Branches/{i}"), name.clone()));
                    }
                }
            }
            if branch_states.is_empty() {
                return None;
            }
            let (branch, from) = branch_states[pick.index(branch_states.len())].clone();
            let to = top[extra.index(top.len())].clone();
            rename(&mut document, &branch, &from, &to);
        }
    }
    Some(document)
}

fn mutation() -> impl Strategy<Value = Mutation> {
    select(vec![
        Mutation::RemoveStartAt,
        Mutation::RemoveResource,
        Mutation::NextToMissing,
        Mutation::UnknownField,
        Mutation::BackoffBelowOne,
        Mutation::StatesAllFirst,
        Mutation::WildcardResultPath,
        Mutation::DuplicateAcrossParallel,
    ])
}

proptest! {
    #![proptest_config(config(env_number("STEPFN_PROPERTY_CASES", 256) as u32))]

    #[test]
    fn broken_machines_are_reported(
        (kind, document) in (mutation(), machine(Dialect::Aws), any::<Index>(), any::<Index>())
            .prop_filter_map("the document has nothing to break this way", |(kind, document, pick, extra)| {
                mutate(document, kind, pick, extra).map(|d| (kind, d))
            })
    ) {
        let problems = validate_document(&document);
        prop_assert!(
            problems.iter().any(|p| p.rule == kind.expected()),
            "{kind:?} should be reported as {:?}:\n{}\nproblems:\n{}",
            kind.expected(),
            to_pretty_json(&document),
            show(&problems)
        );
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Property 4: what the generator builds compiles and runs: under virtual time, on random inputs, with every Task
// state mocked (a few failures, then a result), without a panic and to a well-formed outcome.

/// An input with the fields the generated paths read, their values random and at the edges.
fn input() -> BoxedStrategy<Value> {
    let item = (
        proptest::option::of(-5i64..5),
        proptest::option::of(prop_oneof![Just(json!(1.5)), extreme_number()]),
        proptest::option::of("[a-c]"),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(qty, price, sku, done)| {
            let mut item = Map::new();
            item.extend(qty.map(|q| ("qty".to_owned(), json!(q))));
            item.extend(price.map(|p| ("price".to_owned(), p)));
            item.extend(sku.map(|s| ("sku".to_owned(), json!(s))));
            item.extend(done.map(|d| ("done".to_owned(), json!(d))));
            Value::Object(item)
        });
    let fields = (
        proptest::collection::vec(item, 0..4),
        prop_oneof![Just(json!([1, 2, 3])), literal(Dialect::Wild)],
        literal(Dialect::Wild),
        extreme_number(),
        prop_oneof![timestamp().prop_map(Value::String), literal(Dialect::Wild)],
        "[a-z]{0,6}",
        proptest::option::of(extreme_number()),
    );
    fields
        .prop_map(|(items, a, detail, number, when, status, timeout)| {
            let mut input = json!({
                "items": items,
                "a": a,
                "detail": detail,
                "x": number,
                "n": number,
                "count": number,
                "seconds": number,
                "when": when,
                "status": status,
                "order": { "id": 7, "total": number, "lines": [1, 2] },
                "result": {},
            });
            if let Some(timeout) = timeout {
                input["timeout"] = timeout.clone();
                input["heartbeat"] = timeout;
            }
            input
        })
        .boxed()
}

/// How a mocked Task answers, attempt by attempt: some failures (the errors retriers and catchers name), then a
/// result, which later attempts repeat.
fn mock_plan() -> BoxedStrategy<Vec<Response>> {
    (
        proptest::collection::vec(select(ERROR_NAMES.to_vec()), 0..=3),
        literal(Dialect::Wild),
    )
        .prop_map(|(errors, result)| {
            errors
                .into_iter()
                .map(|error| Response::Throw {
                    error: error.to_owned(),
                    cause: "mocked".to_owned(),
                })
                .chain([Response::Return(result)])
                .collect()
        })
        .boxed()
}

/// The names of the Task states, in every branch and item processor.
fn task_states(scope: &Value, found: &mut Vec<String>) {
    for (name, state) in scope
        .get("States")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if state["Type"] == "Task" {
            found.push(name.clone());
        }
        for branch in state["Branches"].as_array().into_iter().flatten() {
            task_states(branch, found);
        }
        task_states(&state["ItemProcessor"], found);
    }
}

thread_local! {
    /// The panics of this thread while a case runs (`None`: not running one; the panic goes to the usual hook).
    static PANICS: RefCell<Option<Vec<(String, String)>>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that records the panics of a thread running a case (message and location) and
/// leaves every other panic to the hook it replaces.
fn install_panic_recorder() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let recorded = PANICS.with(|p| match p.borrow_mut().as_mut() {
                Some(list) => {
                    list.push((location.clone(), message.clone()));
                    true
                }
                None => false,
            });
            if !recorded {
                previous(info);
            }
        }));
    });
}

/// What running a generated document came to.
enum Ran {
    /// `Machine::from_json` refused it, with this error.
    Rejected(String),
    /// Its outcome, and when it did not succeed, the outcome of a redrive from where it stopped.
    Finished(Vec<Outcome>),
    /// A panic: its location and message.
    Panicked(String, String),
}

/// Compiles and runs `document` on a thread of its own (a main thread's stack size), under virtual time, with the
/// Task states mocked by `plans` in turn; `None` when it does not finish within `limit`.
fn compile_and_run(
    document: &Value,
    input: Value,
    plans: Vec<Vec<Response>>,
    seed: u64,
    history: bool,
    limit: Duration,
) -> Option<Ran> {
    install_panic_recorder();
    let text = document.to_string();
    let mut tasks = Vec::new();
    task_states(document, &mut tasks);
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            PANICS.with(|p| *p.borrow_mut() = Some(Vec::new()));
            let ran = std::panic::catch_unwind(|| {
                let machine = match Machine::from_json(&text) {
                    Ok(machine) => machine,
                    Err(error) => return Ran::Rejected(error.to_string()),
                };
                let mut options = Options {
                    virtual_time: true,
                    history,
                    seed: Some(seed),
                    ..Options::default()
                };
                for (task, plan) in tasks.iter().zip(plans.iter().cycle()) {
                    Mock::sequence(plan.clone()).install(&mut options.resources, task.clone());
                }
                // Where it stands at each top-level state (with a Map's or Parallel's succeeded parts), to redrive.
                let told: Arc<Mutex<Option<Checkpoint>>> = Arc::default();
                let sink = told.clone();
                options.on_checkpoint = Some(CheckpointSink(Arc::new(move |c: &Checkpoint| {
                    *sink.lock().unwrap() = Some(c.clone())
                })));
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a runtime");
                let first = runtime.block_on(machine.run(input.clone(), &options));
                let stopped_at = told.lock().unwrap().take();
                let mut outcomes = vec![first];
                if let (false, Some(from)) = (outcomes[0].status == Status::Succeeded, stopped_at) {
                    options.resume = Some(Resume {
                        from,
                        events_so_far: outcomes[0].history.len() as u64,
                        redrive_count: 1,
                        started: (1_700_000_000, 0),
                    });
                    outcomes.push(runtime.block_on(machine.run(input, &options)));
                }
                Ran::Finished(outcomes)
            });
            let panics = PANICS.with(|p| p.borrow_mut().take()).unwrap_or_default();
            let ran = match (ran, panics.into_iter().next()) {
                (_, Some((location, message))) => Ran::Panicked(location, message),
                (Ok(ran), None) => ran,
                (Err(_), None) => Ran::Panicked(String::new(), "a panic".into()),
            };
            let _ = send.send(ran);
        })
        .expect("a thread for the case");
    receive.recv_timeout(limit).ok()
}

/// Why an outcome is not well formed, if it is not.
fn malformed(outcome: &Outcome) -> Option<&'static str> {
    match outcome.status {
        Status::Succeeded if outcome.output.is_none() => Some("succeeded without an output"),
        Status::Succeeded if outcome.error.is_some() => Some("succeeded with an error"),
        Status::Failed | Status::TimedOut if outcome.output.is_some() => {
            Some("failed with an output")
        }
        Status::TimedOut if outcome.error.as_deref() != Some("States.Timeout") => {
            Some("timed out without States.Timeout")
        }
        // A `Fail` state may leave out `Error`; anything else names its error.
        Status::Failed if outcome.error.as_deref() == Some("") => {
            Some("failed with an empty error name")
        }
        _ if outcome
            .cause
            .as_deref()
            .is_some_and(|c| c.contains("panicked")) =>
        {
            Some("a panic turned into an error")
        }
        _ => None,
    }
}

/// Runs a generated case and checks the property; `Err` describes the failure.
fn check_run(
    document: &Value,
    input: Value,
    plans: Vec<Vec<Response>>,
    seed: u64,
    history: bool,
    must_compile: bool,
) -> Result<(), String> {
    let shown = || format!("document:\n{}\ninput: {input}", to_pretty_json(document));
    let input_copy = input.clone();
    let Some(ran) = compile_and_run(
        document,
        input_copy,
        plans,
        seed,
        history,
        Duration::from_secs(60),
    ) else {
        return Err(format!(
            "the execution did not end within 60 s\n{}",
            shown()
        ));
    };
    match ran {
        Ran::Rejected(error) if must_compile => Err(format!(
            "Machine::from_json rejected a valid document: {error}\n{}",
            shown()
        )),
        Ran::Rejected(_) => Ok(()),
        Ran::Finished(outcomes) => {
            for (run, outcome) in outcomes.iter().enumerate() {
                if let Some(why) = malformed(outcome) {
                    let which = ["", " (the redrive)"][run.min(1)];
                    return Err(format!("{why}{which}: {}\n{}", outcome.summary(), shown()));
                }
            }
            Ok(())
        }
        Ran::Panicked(location, message) => {
            Err(format!("panicked at {location}: {message}\n{}", shown()))
        }
    }
}

fn plans() -> impl Strategy<Value = Vec<Vec<Response>>> {
    proptest::collection::vec(mock_plan(), 1..=4)
}

proptest! {
    #![proptest_config(config(env_number("STEPFN_PROPERTY_RUN_CASES", 64) as u32))]

    /// Valid documents compile and run to a well-formed outcome.
    #[test]
    fn generated_machines_run(
        document in machine(Dialect::Aws),
        input in input(),
        plans in plans(),
        seed in any::<u64>(),
        history in any::<bool>(),
    ) {
        let result = check_run(&document, input, plans, seed, history, true);
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }

    /// Documents with numbers at the edges, odd paths and filters, and deep nesting are rejected with a named error
    /// or run to a well-formed outcome.
    #[test]
    fn extreme_machines_are_rejected_or_run(
        document in machine(Dialect::Wild),
        input in input(),
        plans in plans(),
        seed in any::<u64>(),
        history in any::<bool>(),
    ) {
        let result = check_run(&document, input, plans, seed, history, false);
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }
}
