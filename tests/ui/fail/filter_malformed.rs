// Rule: a JSONPath filter must parse (`[?(garbage)]` used to pass the compile-time checks).
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders {}
    validate_order { InputPath: "$.lines[?(garbage)]" } -> end;
}

fn main() {}
