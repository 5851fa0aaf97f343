// Rule: a Map has an ItemProcessor (or Iterator).
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> Each;
    Each: Map { ItemsPath: "$.items" } -> end;
}

fn main() {}
