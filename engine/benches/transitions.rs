//! Per-execution time of the executor on small machines, under virtual time, on a current-thread runtime (what
//! `stepfn run` uses):
//! - `pass_chain_10`: ten Pass states, each setting a field (`Result` into `ResultPath`, or `Parameters` with `.$`
//!   paths into `ResultPath`);
//! - `choice`: a Choice routing on a numeric and a string rule into one of two Pass states (both routes measured);
//! - `intrinsics`: one Pass state whose `Parameters` call States.Format, States.ArrayLength, States.MathAdd and
//!   States.JsonToString;
//! - `map_10000`: a distributed Map over 10,000 items whose ItemProcessor is one Pass state reshaping the item
//!   (see [`map`]).
//!
//! Each case first checks that the execution succeeds with the expected output, so a regression that turns it into
//! a failure does not show up as a speed-up. The input is cloned outside the timed part.
//!
//! `cargo bench -p stepfn-engine --bench transitions` (about a minute on two cores).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::Duration;
use stepfn_engine::{Machine, Options, Status};
use tokio::runtime::Runtime;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

fn options() -> Options {
    Options {
        virtual_time: true,
        ..Default::default()
    }
}

/// Ten Pass states: odd ones put a literal `Result` at `$.sN`, even ones copy fields with `Parameters` to `$.sN`.
fn pass_chain() -> (Machine, Value, Value) {
    let mut states = serde_json::Map::new();
    for n in 1..=10 {
        let mut state = if n % 2 == 1 {
            json!({"Type": "Pass", "Result": {"step": n, "ok": true}})
        } else {
            json!({"Type": "Pass", "Parameters": {"id.$": "$.id", "name.$": "$.user.name", "step": n}})
        };
        state["ResultPath"] = json!(format!("$.s{n}"));
        if n < 10 {
            state["Next"] = json!(format!("S{}", n + 1));
        } else {
            state["End"] = json!(true);
        }
        states.insert(format!("S{n}"), state);
    }
    let definition = json!({"StartAt": "S1", "States": states});
    let input = json!({"id": 42, "user": {"name": "ada", "email": "ada@example.com"}, "tags": ["a", "b", "c"]});
    let mut expected = input.clone();
    for n in 1..=10 {
        expected[format!("s{n}")] = if n % 2 == 1 {
            json!({"step": n, "ok": true})
        } else {
            json!({"id": 42, "name": "ada", "step": n})
        };
    }
    (compile(&definition), input, expected)
}

/// A Choice with a numeric and a string rule, each leading to its own Pass state.
fn choice() -> Value {
    json!({
        "StartAt": "Route",
        "States": {
            "Route": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.amount", "NumericGreaterThan": 100, "Next": "Large"},
                    {"Variable": "$.kind", "StringEquals": "gift", "Next": "Large"}
                ],
                "Default": "Small"
            },
            "Large": {"Type": "Pass", "Result": "large", "ResultPath": "$.route", "End": true},
            "Small": {"Type": "Pass", "Result": "small", "ResultPath": "$.route", "End": true}
        }
    })
}

/// One Pass state with intrinsic calls in its Parameters.
fn intrinsics() -> (Machine, Value, Value) {
    let machine = compile(&json!({
        "StartAt": "Compute",
        "States": {
            "Compute": {
                "Type": "Pass",
                "Parameters": {
                    "greeting.$": "States.Format('Hello {}, you have {} items', $.name, $.count)",
                    "length.$": "States.ArrayLength($.items)",
                    "next.$": "States.MathAdd($.count, 1)",
                    "json.$": "States.JsonToString($.items)"
                },
                "End": true
            }
        }
    }));
    let input = json!({"name": "ada", "count": 3, "items": [1, 2, 3]});
    let expected = json!({
        "greeting": "Hello ada, you have 3 items",
        "length": 3,
        "next": 4,
        "json": "[1,2,3]"
    });
    (machine, input, expected)
}

/// A Map over `ITEMS` items, its ItemProcessor one Pass state reshaping each item.
///
/// Distributed, as AWS requires for this many items: an inline Map iteration records four events in the
/// execution's history, and 10,000 of them pass the 25,000-event limit (`States.Runtime`, on AWS and here), while
/// each distributed iteration is a child execution with its own history. The items are small so that the input and
/// the output stay under the 256 KiB payload limit.
fn map() -> (Machine, Value, Value) {
    let machine = compile(&json!({
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                    "StartAt": "Reshape",
                    "States": {
                        "Reshape": {
                            "Type": "Pass",
                            "Parameters": {"sku.$": "$.id", "n.$": "$.q"},
                            "End": true
                        }
                    }
                },
                "End": true
            }
        }
    }));
    let items: Vec<Value> = (0..ITEMS).map(|i| json!({"id": i, "q": i % 7})).collect();
    let expected: Vec<Value> = (0..ITEMS).map(|i| json!({"sku": i, "n": i % 7})).collect();
    (machine, json!({"items": items}), Value::Array(expected))
}

fn compile(definition: &Value) -> Machine {
    Machine::from_json(&definition.to_string()).expect("the bench definition compiles")
}

/// Runs once and checks the output.
fn check(rt: &Runtime, machine: &Machine, input: &Value, expected: &Value) {
    let outcome = rt.block_on(machine.run(input.clone(), &options()));
    assert_eq!(outcome.status, Status::Succeeded, "{}", outcome.summary());
    assert_eq!(outcome.output.as_ref(), Some(expected));
}

const ITEMS: usize = 10_000;

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let options = options();
    let mut group = c.benchmark_group("execution");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));

    let mut cases = vec![
        ("pass_chain_10", pass_chain()),
        ("intrinsics", intrinsics()),
    ];
    // The first rule matches, or neither does and the Default is taken.
    for (name, route, input) in [
        (
            "choice_large",
            "large",
            json!({"amount": 250, "kind": "order"}),
        ),
        (
            "choice_small",
            "small",
            json!({"amount": 5, "kind": "order"}),
        ),
    ] {
        let mut expected = input.clone();
        expected["route"] = json!(route);
        cases.push((name, (compile(&choice()), input, expected)));
    }
    for (name, (machine, input, expected)) in &cases {
        check(&rt, machine, input, expected);
        group.bench_function(*name, |b| {
            b.iter_batched(
                || input.clone(),
                |input| black_box(rt.block_on(machine.run(input, &options))),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();

    let (machine, input, expected) = map();
    check(&rt, &machine, &input, &expected);
    let mut group = c.benchmark_group("map");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(ITEMS as u64));
    group.bench_function(format!("map_{ITEMS}"), |b| {
        b.iter_batched(
            || input.clone(),
            |input| black_box(rt.block_on(machine.run(input, &options))),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
