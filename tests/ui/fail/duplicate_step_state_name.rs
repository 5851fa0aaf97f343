// Rule: a declared state cannot take the name of a step's state.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

#[stepfn::step]
async fn charge_card(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> ValidateOrder: Pass -> end;
}

fn main() {}
