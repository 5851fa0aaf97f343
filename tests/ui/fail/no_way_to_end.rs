// Rule: every state has a path to an end (a loop needs a way out).
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

#[stepfn::step]
async fn charge_card(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> charge_card -> validate_order;
}

fn main() {}
