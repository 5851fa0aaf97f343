// Rule: Next belongs on top-level choice rules, not inside And/Or/Not.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> Route;
    Route: Choice {
        Choices: [{ Not: { Variable: "$.x", IsNull: true, Next: Done }, Next: Done }],
        Default: Done,
    };
    Done: Succeed;
}

fn main() {}
