// Rule: a Catch (with the default `ResultPath: "$"`) passes on the error output `{"Error", "Cause"}`, which a step
// takes as `stepfn::Caught`.
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Deserialize, Serialize)]
struct Order { id: String }

#[stepfn::step]
async fn charge(order: Order) -> Result<Order, Infallible> { Ok(order) }
#[stepfn::step]
async fn refund(order: Order) -> Result<Order, Infallible> { Ok(order) }

stepfn::workflow! {
    Payments;
    charge { Catch: [{ ErrorEquals: ["States.ALL"], Next: Refund }] } -> end;
    refund -> end;
}

fn main() {}
