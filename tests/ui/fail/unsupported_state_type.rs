// Rule: state types this version cannot emit yet are rejected with a clear message, never emitted wrong.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

#[stepfn::step]
async fn charge_card(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> Pause;
    Pause: Wait { Seconds: 10 };
}

fn main() {}
