// Rule: every target of a Choice receives the Choice's input: a step there must take what reaches the Choice.
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Deserialize, Serialize)]
struct Order { id: String }
#[derive(Deserialize, Serialize)]
struct Receipt { total: u64 }

#[stepfn::step]
async fn place_order(order: Order) -> Result<Order, Infallible> { Ok(order) }
#[stepfn::step]
async fn ship(order: Order) -> Result<Order, Infallible> { Ok(order) }
#[stepfn::step]
async fn send_receipt(receipt: Receipt) -> Result<Receipt, Infallible> { Ok(receipt) }

stepfn::workflow! {
    Orders;
    place_order -> Route;
    Route: Choice {
        Choices: [{ Variable: "$.id", StringEquals: "gift", Next: Ship }],
        Default: SendReceipt,
    };
    ship -> end;
    send_receipt -> end;
}

fn main() {}
