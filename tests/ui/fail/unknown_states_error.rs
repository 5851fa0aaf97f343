// Rule: a States.* error name is one Step Functions raises.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order { Retry: [{ ErrorEquals: ["States.Timout"] }] } -> end;
}

fn main() {}
