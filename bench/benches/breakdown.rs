//! Where the stepfn entry point's extra time per invocation goes: the hand-written handler, then stepfn's
//! invocation (`runtime/src/invoke.rs`, `runtime/src/lambda.rs`) rebuilt one piece at a time, then the real thing.
//! Every variant is a `service_fn` over `LambdaEvent<Value>` called through `tower::Service::call` on the seed event
//! and on the 4 KiB one, like `benches/entry_point.rs`. The variants are in `common/variants.rs`:
//!
//! 1. `handwritten`: `stepfn_bench::handwritten::handler`.
//! 2. `plain`: `from_value::<ApiEvent>`, the step's own function, `to_value`; errors as `ErrorPayload`.
//! 3. `+context`: and `lambda_runtime::Context` into `stepfn::Context`, the step called through `Step::call`.
//! 4. `+path_to_error`: and `serde_path_to_error::deserialize` instead of `from_value`.
//! 5. `+catch_unwind`: and the step's future under `catch_unwind` (= `stepfn::invoke`, written out).
//! 6. `+box`: and the future boxed (= `invoke_boxed`).
//! 7. `stepfn::invoke`: the real `stepfn::invoke::<uppercase_message>`, unboxed.
//! 8. `stepfn`: the real service of `serve_handler` (`Handler::invoke`: a fn pointer to `invoke_boxed`).

#[path = "../common/variants.rs"]
mod variants;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use lambda_runtime::{service_fn, LambdaEvent, Service};
use std::hint::black_box;
use std::time::Duration;
use stepfn_bench::handwritten;
use variants::*;

macro_rules! variant {
    ($group:expr, $rt:expr, $event:expr, $label:expr, $service:expr) => {{
        let mut service = service_fn($service);
        let event = $event;
        $group.bench_function($label, |b| {
            b.to_async(&$rt).iter_batched(
                || LambdaEvent::new(event.clone(), lambda_context()),
                |event| service.call(black_box(event)),
                BatchSize::SmallInput,
            )
        });
    }};
}

fn breakdown(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (name, event) in &events() {
        let mut group = c.benchmark_group(format!("breakdown/{name}"));
        variant!(group, rt, event, "1 handwritten", handwritten::handler);
        variant!(group, rt, event, "2 plain", plain);
        variant!(group, rt, event, "3 +context", with_context);
        variant!(group, rt, event, "4 +path_to_error", with_path_to_error);
        variant!(group, rt, event, "5 +catch_unwind", with_catch_unwind);
        variant!(group, rt, event, "6 +box", with_box);
        variant!(group, rt, event, "7 stepfn::invoke", stepfn_invoke);
        variant!(group, rt, event, "8 stepfn", stepfn_fn());
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(40);
    targets = breakdown
}
criterion_main!(benches);
