//! The stepfn Lambda entry point against a hand-written `lambda_runtime::service_fn` handler doing the same serde
//! work, per invocation, on the same events.
//!
//! Group `invoke` calls each Lambda service through `tower::Service::call`, as `lambda_runtime` does once it has
//! the event, on a `LambdaEvent<Value>` built outside the timed section (`iter_batched`):
//! - `stepfn`: the service `stepfn::lambda::serve_handler` builds for `Handler::of::<uppercase_message>()`
//!   (`lambda_runtime::Context` into `stepfn::Context`, `serde_path_to_error` into `ApiEvent`, the step under
//!   `catch_unwind` in a boxed future, the output to a `Value`);
//! - `handwritten`: `service_fn(stepfn_bench::handwritten::handler)` (`from_value::<ApiEvent>`, the same body work,
//!   `to_value`).
//!
//! Group `request` adds what `lambda_runtime` does around the service for a buffered response: the request body
//! bytes into the handler's event type and the response to bytes. There `handwritten_typed` is the idiomatic
//! hand-written handler on `LambdaEvent<ApiEvent>`, with no `Value` in between.

#[path = "../common/variants.rs"]
mod variants;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use lambda_runtime::{service_fn, LambdaEvent, Service};
use serde_json::Value;
use std::hint::black_box;
use std::time::Duration;
use stepfn_bench::handwritten;
use variants::{events, lambda_context, stepfn_fn};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Checks, before timing, that both services answer the same.
fn check_same_answers(events: &[(&str, Value)]) {
    let rt = runtime();
    let mut stepfn_service = service_fn(stepfn_fn());
    let mut handwritten_service = service_fn(handwritten::handler);
    for (name, event) in events {
        let ours = rt
            .block_on(stepfn_service.call(LambdaEvent::new(event.clone(), lambda_context())))
            .unwrap();
        let theirs = rt
            .block_on(handwritten_service.call(LambdaEvent::new(event.clone(), lambda_context())))
            .unwrap();
        assert_eq!(ours, theirs, "the services answer {name} differently");
    }
}

fn invoke(c: &mut Criterion) {
    let events = events();
    check_same_answers(&events);
    let rt = runtime();
    let mut group = c.benchmark_group("invoke");
    for (name, event) in &events {
        let setup = || LambdaEvent::new(event.clone(), lambda_context());

        // Exactly the service `stepfn::lambda::serve_handler` hands to `lambda_runtime::run`.
        let mut service = service_fn(stepfn_fn());
        group.bench_function(format!("stepfn/{name}"), |b| {
            b.to_async(&rt).iter_batched(
                setup,
                |event| service.call(black_box(event)),
                BatchSize::SmallInput,
            )
        });

        let mut service = service_fn(handwritten::handler);
        group.bench_function(format!("handwritten/{name}"), |b| {
            b.to_async(&rt).iter_batched(
                setup,
                |event| service.call(black_box(event)),
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn request(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("request");
    for (name, event) in &events() {
        let bytes = serde_json::to_vec(event).unwrap();
        let setup = || (bytes.clone(), lambda_context());

        let mut service = service_fn(stepfn_fn());
        group.bench_function(format!("stepfn/{name}"), |b| {
            b.to_async(&rt).iter_batched(
                setup,
                |(body, context)| {
                    let payload: Value = serde_json::from_slice(black_box(&body)).unwrap();
                    let response = service.call(LambdaEvent::new(payload, context));
                    async move { serde_json::to_vec(&response.await.unwrap()).unwrap() }
                },
                BatchSize::SmallInput,
            )
        });

        let mut service = service_fn(handwritten::handler);
        group.bench_function(format!("handwritten/{name}"), |b| {
            b.to_async(&rt).iter_batched(
                setup,
                |(body, context)| {
                    let payload: Value = serde_json::from_slice(black_box(&body)).unwrap();
                    let response = service.call(LambdaEvent::new(payload, context));
                    async move { serde_json::to_vec(&response.await.unwrap()).unwrap() }
                },
                BatchSize::SmallInput,
            )
        });

        let mut service = service_fn(handwritten::typed_handler);
        group.bench_function(format!("handwritten_typed/{name}"), |b| {
            b.to_async(&rt).iter_batched(
                setup,
                |(body, context)| {
                    let payload: handwritten::ApiEvent =
                        serde_json::from_slice(black_box(&body)).unwrap();
                    let response = service.call(LambdaEvent::new(payload, context));
                    async move { serde_json::to_vec(&response.await.unwrap()).unwrap() }
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(60);
    targets = invoke, request
}
criterion_main!(benches);
