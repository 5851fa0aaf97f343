// Rule: a misspelt comparison operator is one error, with the operator it resembles.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> Route;
    Route: Choice {
        Choices: [{ Variable: "$.total", NumericGreaterThen: 100, Next: Big }],
        Default: Sucess,
    };
    Big: Succeed;
    Success: Succeed;
}

fn main() {}
