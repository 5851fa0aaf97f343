// Rule: a test starts a workflow with its first step's input type (or JSON), checked like an edge between steps.
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Deserialize, Serialize)]
pub struct Order { pub id: String }

#[derive(Deserialize, Serialize)]
pub struct Receipt { pub total: u32 }

#[stepfn::step]
async fn place_order(order: Order) -> Result<Order, Infallible> { Ok(order) }

stepfn::workflow! {
    pub Orders;
    place_order -> end;
}

fn main() {
    let _run = stepfn::testing::TestRun::<Orders>::new().run(Receipt { total: 3 });
}

// The usual form, awaited: still one error, at the argument.
async fn _awaited() {
    let _run = stepfn::testing::TestRun::<Orders>::new().run(Receipt { total: 3 }).await;
    let _outcome = <Orders as stepfn::Workflow>::run_virtual_time(Receipt { total: 3 }).await;
}
