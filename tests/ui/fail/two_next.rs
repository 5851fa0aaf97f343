// Rule: a state has one way on; branching needs a Choice state.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

#[stepfn::step]
async fn charge_card(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> charge_card -> end;
    validate_order -> Done;
    Done: Succeed;
}

fn main() {}
