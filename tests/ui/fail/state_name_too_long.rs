// Rule: a state name is at most 80 characters.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

#[stepfn::step]
async fn charge_card(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> "Done, and we really mean it: this order went through every single check we have!!";
    "Done, and we really mean it: this order went through every single check we have!!": Succeed;
}

fn main() {}
