//! The order pipeline's binary: inside AWS Lambda it serves the step its handler setting names; elsewhere it is a
//! small command line over the workflow (`cargo run -p order-pipeline -- definition`).

use order_pipeline::OrderPipeline;
use std::process::ExitCode;

fn main() -> ExitCode {
    stepfn::main::<OrderPipeline>()
}
