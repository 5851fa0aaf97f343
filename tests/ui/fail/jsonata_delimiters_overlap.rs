// Rule: `{%}` is not an expression: the `{%` and `%}` delimiters cannot share the `%` (it crashed the macro once).
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders { QueryLanguage: "JSONata" }
    validate_order { Output: "{%}" } -> end;
}

fn main() {}
