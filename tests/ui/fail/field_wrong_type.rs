// Rule: a field's value has the type ASL gives it (TimeoutSeconds: a positive whole number).
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

#[stepfn::step]
async fn charge_card(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order { TimeoutSeconds: "30" } -> end;
}

fn main() {}
