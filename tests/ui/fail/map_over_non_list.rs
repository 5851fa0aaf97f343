// Rule: a Map without `ItemsPath` iterates its whole input, which must be a list.
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Deserialize, Serialize)]
struct Order { id: String }

#[stepfn::step]
async fn place_order(order: Order) -> Result<Order, Infallible> { Ok(order) }
#[stepfn::step]
async fn ship(order: Order) -> Result<Order, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    place_order -> Each;
    Each: Map { ItemProcessor: { ship -> end; } } -> end;
}

fn main() {}
