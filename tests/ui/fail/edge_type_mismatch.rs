// Rule: the next step's input type must accept the previous step's output type.
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Deserialize, Serialize)]
struct Order { id: String }
#[derive(Deserialize, Serialize)]
struct Receipt { total: u64 }

#[stepfn::step]
async fn place_order(order: Order) -> Result<Order, Infallible> { Ok(order) }

#[stepfn::step]
async fn send_receipt(receipt: Receipt) -> Result<Receipt, Infallible> { Ok(receipt) }

stepfn::workflow! {
    Orders;
    place_order -> send_receipt -> end;
}

fn main() {}
