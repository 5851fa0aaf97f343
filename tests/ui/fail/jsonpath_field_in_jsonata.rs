// Rule: JSONPath fields (Parameters, InputPath, ...) are not allowed in a JSONata state.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders { QueryLanguage: "JSONata" }
    validate_order { Parameters: { "id.$": "$.id" } } -> end;
}

fn main() {}
