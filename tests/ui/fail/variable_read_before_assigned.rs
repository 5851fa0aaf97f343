// Rule: a variable is read only where every path from StartAt has assigned it.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order { Assign: { discount: 5 } } -> Route;
    Route: Choice {
        Choices: [{ Variable: "$", NumericGreaterThan: 100, Next: Discounted }],
        Default: Summary,
    };
    Discounted: Pass { Assign: { total: 95 } } -> Summary;
    Summary: Pass { Parameters: { "discount.$": "$discount", "total.$": "$total" } } -> end;
}

fn main() {}
