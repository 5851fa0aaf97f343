// Rule: States.ALL is the only name in its ErrorEquals.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order { Catch: [{ ErrorEquals: ["States.ALL", "States.Timeout"], Next: Failed }] } -> end;
    Failed: Fail;
}

fn main() {}
