// Rule: a JSONata expression is written `{% ... %}`.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders { QueryLanguage: "JSONata" }
    validate_order { Output: "{% $states.result" } -> end;
}

fn main() {}
