// Rule: a step that does not exist is an error at its name, with a suggestion.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_ordr -> end;
}

fn main() {}
