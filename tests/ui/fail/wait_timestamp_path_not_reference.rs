// Rule: TimestampPath is a reference path.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> Pause;
    Pause: Wait { TimestampPath: "$.times[*]" } -> end;
}

fn main() {}
