//! The message pipeline's binary: inside AWS Lambda it serves `uppercase_message`; elsewhere it is a small command
//! line over the workflow (`cargo run -p message-pipeline -- run '{"body": ...}'`, `-- definition`, `-- graph`).

use message_pipeline::MessagePipeline;
use std::process::ExitCode;

fn main() -> ExitCode {
    stepfn::main::<MessagePipeline>()
}
