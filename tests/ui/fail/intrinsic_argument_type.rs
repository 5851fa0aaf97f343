// Rule: intrinsic arguments given as literals have the type the function takes.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order { Parameters: { "n.$": "States.ArrayLength('not an array')" } } -> end;
}

fn main() {}
