// Rule: a variable name starts with a letter (Unicode ID_Start, which `_` and digits are not).
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order { Assign: { "2nd": 1 } } -> end;
}

fn main() {}
