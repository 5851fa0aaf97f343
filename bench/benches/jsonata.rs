//! JSONata evaluation speed: stepfn's evaluator (`stepfn-jsonata`) against the `jsonata-rs` crate, on the same
//! expressions and documents, text in and text out for both (jsonata-rs takes its input as text and keeps its result
//! in its arena), so both pay for parsing the input and writing the result. The expressions are compiled once,
//! outside the timed part, by both.
//!
//! `cargo bench -p stepfn-bench --bench jsonata`

use bumpalo::Bump;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::time::Duration;
use stepfn_jsonata::{Bindings, Expression};

/// An order with 20 line items, as a state's input.
fn document() -> String {
    let items: Vec<String> = (0..20)
        .map(|i| {
            format!(
                r#"{{"name": "item-{i}", "price": {}, "qty": {}}}"#,
                (i * 7) % 23,
                i % 4 + 1
            )
        })
        .collect();
    format!(
        r#"{{"id": "o-1", "customer": "ada", "items": [{}]}}"#,
        items.join(", ")
    )
}

const EXPRESSIONS: &[(&str, &str)] = &[
    ("filter", "items[price > 10].name"),
    ("sum", "$sum(items.(price * qty))"),
    (
        "object",
        "{ 'order': id, 'count': $count(items), 'names': $join(items[qty > 2].name, ',') }",
    ),
];

fn bench(c: &mut Criterion) {
    let text = document();
    let mut group = c.benchmark_group("jsonata");
    group
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for (name, source) in EXPRESSIONS {
        let ours = Expression::parse(source).expect("stepfn-jsonata parses it");
        let bindings = Bindings::new();
        let expected = {
            let input: serde_json::Value = serde_json::from_str(&text).unwrap();
            ours.evaluate(Some(&input), &bindings).unwrap()
        };
        group.bench_function(format!("{name}/stepfn-jsonata"), |b| {
            b.iter(|| {
                let input: serde_json::Value = serde_json::from_str(black_box(&text)).unwrap();
                let result = ours.evaluate(Some(&input), &bindings).unwrap();
                black_box(serde_json::to_string(&result).unwrap())
            })
        });
        let arena = Bump::new();
        let theirs = jsonata_rs::JsonAta::new(source, &arena).expect("jsonata-rs parses it");
        // Same answer from both, so the comparison is of equal work.
        let their_result: serde_json::Value =
            serde_json::from_str(&theirs.evaluate(Some(&text), None).unwrap().serialize(false))
                .unwrap();
        assert_eq!(
            Some(their_result),
            expected,
            "{name}: the two evaluators disagree"
        );
        group.bench_function(format!("{name}/jsonata-rs"), |b| {
            b.iter(|| {
                black_box(
                    theirs
                        .evaluate(Some(black_box(&text)), None)
                        .unwrap()
                        .serialize(false),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
