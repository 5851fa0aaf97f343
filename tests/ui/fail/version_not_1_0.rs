// Rule: Version is "1.0".
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders { Version: "2.0" }
    validate_order -> end;
}

fn main() {}
