// Rule: a `{% ... %}` string is a valid JSONata expression.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders { QueryLanguage: "JSONata" }
    validate_order { Output: { total: "{% $sum($states.input.prices %}" } } -> end;
}

fn main() {}
