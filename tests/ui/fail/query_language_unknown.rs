// Rule: QueryLanguage is "JSONPath" or "JSONata".
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders { QueryLanguage: "SQL" }
    validate_order -> end;
}

fn main() {}
