// Rule: paths follow Jayway JsonPath, which has no script expressions such as `[(@.length-1)]`.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order { InputPath: "$.orders[(@.length-1)]" } -> end;
}

fn main() {}
