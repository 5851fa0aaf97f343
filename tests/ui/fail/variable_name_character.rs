// Rule: after its first letter a variable name holds letters, digits and `_` only (Unicode ID_Continue).
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> Remember;
    Remember: Pass { Assign: { "order-id.$": "$" } } -> end;
}

fn main() {}
