// Rule: the workflow header takes only the top-level ASL fields.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

#[stepfn::step]
async fn charge_card(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders { Comment: "Orders", StartsAt: "x" }
    validate_order -> end;
}

fn main() {}
