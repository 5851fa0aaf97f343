// Rule: numbers stay within AWS's limits (a BackoffRate of 1e300 crashed the executor's back-off once).
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders {}
    validate_order { Retry: [{ ErrorEquals: ["States.ALL"], BackoffRate: 1e300 }] } -> end;
}

fn main() {}
