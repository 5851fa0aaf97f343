//! The stepfn Lambda entry point against hand-written `lambda_runtime::service_fn` handlers doing the same serde
//! work, per invocation, on the example's seed event and on one with a 4 KiB message.
//!
//! Each case runs what `lambda_runtime` does for one buffered invocation: the request body bytes into the handler's
//! event type (with `serde_path_to_error`, as `lambda_runtime` does), the service call, the response to bytes.
//! - `stepfn`: `service_fn(stepfn::lambda::invocation::<uppercase_message>)`, the very function the deployed binary
//!   runs per event;
//! - `handwritten_typed`: the idiomatic hand-written handler on `LambdaEvent<ApiEvent>` (the baseline);
//! - `handwritten_value`: a hand-written handler on `LambdaEvent<serde_json::Value>`.
//!
//! After the criterion groups, the ratio stepfn / handwritten_typed is measured again with the two interleaved
//! round by round (a b b a ...), which a shared machine disturbs far less than timings taken apart, and printed as
//! `overhead ratio <event>: 1.xxx (target <= 1.05)`.

use criterion::{criterion_group, BatchSize, Criterion};
use lambda_runtime::service_fn;
use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};
use stepfn_bench::handwritten;
use stepfn_bench::harness::{call, context, events, Request};
use tokio::runtime::Runtime;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

macro_rules! case {
    ($handler:expr) => {{
        let mut service = service_fn($handler);
        move |request: Request| call(&mut service, request)
    }};
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    for (name, body) in events() {
        let mut group = c.benchmark_group(format!("invocation/{name}"));
        group
            .measurement_time(Duration::from_secs(4))
            .warm_up_time(Duration::from_secs(1));
        let setup = || (body.clone(), context());
        let mut stepfn = case!(stepfn::lambda::invocation::<message_pipeline::uppercase_message>);
        group.bench_function("stepfn", |b| {
            b.to_async(&rt)
                .iter_batched(setup, &mut stepfn, BatchSize::SmallInput)
        });
        let mut typed = case!(handwritten::typed_handler);
        group.bench_function("handwritten_typed", |b| {
            b.to_async(&rt)
                .iter_batched(setup, &mut typed, BatchSize::SmallInput)
        });
        let mut value = case!(handwritten::handler);
        group.bench_function("handwritten_value", |b| {
            b.to_async(&rt)
                .iter_batched(setup, &mut value, BatchSize::SmallInput)
        });
        group.finish();
    }
}

/// Times `n` invocations; inputs are built before and outputs dropped after the timed section.
fn round<F: Future<Output = Vec<u8>>>(
    rt: &Runtime,
    n: usize,
    body: &[u8],
    call: &mut impl FnMut(Request) -> F,
) -> f64 {
    let inputs: Vec<Request> = (0..n).map(|_| (body.to_vec(), context())).collect();
    let mut outputs = Vec::with_capacity(n);
    let start = Instant::now();
    rt.block_on(async {
        for input in inputs {
            outputs.push(call(black_box(input)).await);
        }
    });
    let elapsed = start.elapsed();
    drop(black_box(outputs));
    elapsed.as_nanos() as f64 / n as f64
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The stepfn / hand-written ratio, interleaved round by round.
fn interleaved_ratios() {
    let rt = runtime();
    for (name, body) in events() {
        let mut ours = case!(stepfn::lambda::invocation::<message_pipeline::uppercase_message>);
        let mut theirs = case!(handwritten::typed_handler);
        let (mut times_ours, mut times_theirs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for k in 0..110 {
            let (a, b) = if k % 2 == 0 {
                let a = round(&rt, 2000, &body, &mut ours);
                (a, round(&rt, 2000, &body, &mut theirs))
            } else {
                let b = round(&rt, 2000, &body, &mut theirs);
                (round(&rt, 2000, &body, &mut ours), b)
            };
            if k >= 10 {
                times_ours.push(a);
                times_theirs.push(b);
                ratios.push(a / b);
            }
        }
        println!(
            "overhead ratio {name}: {:.3} (target <= 1.05); stepfn {:.0} ns, handwritten {:.0} ns per invocation",
            median(ratios),
            median(times_ours),
            median(times_theirs)
        );
    }
}

/// Both answer the same bytes before anything is timed.
fn check_same_answers() {
    let rt = runtime();
    for (name, body) in events() {
        let ours = rt.block_on(case!(
            stepfn::lambda::invocation::<message_pipeline::uppercase_message>
        )((body.clone(), context())));
        let theirs = rt.block_on(case!(handwritten::typed_handler)((body, context())));
        assert_eq!(ours, theirs, "the two answer the {name} event differently");
    }
}

criterion_group!(benches, bench);

fn main() {
    check_same_answers();
    benches();
    Criterion::default().configure_from_args().final_summary();
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    if filter.is_none_or(|f| "ratio".contains(&f) || f.contains("ratio")) {
        interleaved_ratios();
    }
}
