// Rule: the type check follows the data through Pass and Wait states that leave it as it is.
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
    place_order -> Pause;
    Pause: Wait { Seconds: 5 } -> Note;
    Note: Pass { Comment: "nothing changes here" } -> send_receipt -> end;
}

fn main() {}
