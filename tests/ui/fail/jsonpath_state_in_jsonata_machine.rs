// Rule: a state machine whose top-level QueryLanguage is JSONata cannot hold a JSONPath state.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders { QueryLanguage: "JSONata" }
    validate_order -> Legacy;
    Legacy: Pass { QueryLanguage: "JSONPath", InputPath: "$.order" } -> end;
}

fn main() {}
