//! The size baseline: the message pipeline's Lambda function written by hand on `lambda_runtime`, the equivalent of
//! the `message-pipeline` binary's Lambda side (same event, same response, same error names).

use lambda_runtime::{service_fn, Error};
use stepfn_bench::handwritten::typed_handler;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(typed_handler)).await
}
