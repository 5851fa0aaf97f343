//! Runs N invocations of one service, stepfn's entry point or the hand-written handler, for counting instructions,
//! which a busy machine does not disturb as it does timings:
//!
//! ```sh
//! cargo build --release -p stepfn-bench --example invocations
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/invocations stepfn seed 20000
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/invocations handwritten seed 20000
//! ```
//!
//! The difference of the two "Collected" counts over N is the entry point's cost per invocation over the hand-written
//! handler (each count also holds building the N requests, the same for both).

use lambda_runtime::service_fn;
use std::hint::black_box;
use std::process::ExitCode;
use stepfn_bench::handwritten;
use stepfn_bench::harness::{call, context, events};

const USAGE: &str = "usage: invocations stepfn|handwritten seed|4KiB COUNT";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [service, event, count] = args.as_slice() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let (Some((_, body)), Ok(count)) = (
        events().into_iter().find(|(name, _)| name == event),
        count.parse::<usize>(),
    ) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        match service.as_str() {
            "stepfn" => {
                let mut service =
                    service_fn(stepfn::lambda::invocation::<message_pipeline::uppercase_message>);
                for _ in 0..count {
                    black_box(call(&mut service, (body.clone(), context())).await);
                }
            }
            _ => {
                let mut service = service_fn(handwritten::typed_handler);
                for _ in 0..count {
                    black_box(call(&mut service, (body.clone(), context())).await);
                }
            }
        }
    });
    ExitCode::SUCCESS
}
