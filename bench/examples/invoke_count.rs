//! Invokes one variant N times on prebuilt events, for counting instructions per invocation under
//! `valgrind --tool=callgrind` (or `cachegrind`), which the machine's load does not disturb as it does timings:
//!
//! ```text
//! cargo build --release -p stepfn-bench --example invoke_count
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/invoke_count VARIANT EVENT N
//! ```
//!
//! VARIANT is `none` (builds and drops the events only: the baseline to subtract), `handwritten`, `plain`,
//! `context`, `path_to_error`, `path_to_error_only`, `catch_unwind`, `box`, `invoke` or `stepfn`; EVENT is `seed`
//! or `4KiB`. Per invocation: (count(VARIANT, N) - count(none, N)) / N. `bench/count.sh` does all of it.

#[path = "../common/variants.rs"]
mod variants;

use lambda_runtime::{service_fn, LambdaEvent, Service};
use serde_json::Value;
use std::future::Future;
use std::hint::black_box;
use stepfn_bench::handwritten;
use variants::*;

fn run<F, Fut, E>(events: Vec<LambdaEvent<Value>>, f: F)
where
    F: FnMut(LambdaEvent<Value>) -> Fut,
    Fut: Future<Output = Result<Value, E>>,
    E: std::fmt::Debug,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut service = service_fn(f);
    rt.block_on(async {
        for event in events {
            black_box(service.call(black_box(event)).await.unwrap());
        }
    });
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [variant, event, n] = &args[..] else {
        eprintln!("usage: invoke_count VARIANT EVENT N");
        std::process::exit(2);
    };
    let n: usize = n.parse().expect("N is a number");
    let event = events()
        .into_iter()
        .find(|(name, _)| name == event)
        .expect("EVENT is seed or 4KiB")
        .1;
    let events: Vec<_> = (0..n)
        .map(|_| LambdaEvent::new(event.clone(), lambda_context()))
        .collect();
    match variant.as_str() {
        "none" => run(events, |_event| async { Ok::<_, ()>(Value::Null) }),
        "handwritten" => run(events, handwritten::handler),
        "plain" => run(events, plain),
        "context" => run(events, with_context),
        "path_to_error" => run(events, with_path_to_error),
        "path_to_error_only" => run(events, path_to_error_only),
        "catch_unwind" => run(events, with_catch_unwind),
        "box" => run(events, with_box),
        "invoke" => run(events, stepfn_invoke),
        "stepfn" => run(events, stepfn_fn()),
        other => panic!("unknown variant {other}"),
    }
}
