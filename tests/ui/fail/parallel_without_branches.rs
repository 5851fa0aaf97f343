// Rule: a Parallel has Branches.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> Both;
    Both: Parallel -> end;
}

fn main() {}
