// Valid: a step may follow another whose output type differs when its input type declares `Accepts`.
use serde::{Deserialize, Serialize};
use std::convert::Infallible;

#[derive(Deserialize, Serialize)]
struct Order { id: String, total: u64 }
#[derive(Deserialize, Serialize)]
struct OrderId { id: String }
impl stepfn::Accepts<Order> for OrderId {}

#[stepfn::step]
async fn place_order(order: Order) -> Result<Order, Infallible> { Ok(order) }

#[stepfn::step]
async fn track(order: OrderId) -> Result<OrderId, Infallible> { Ok(order) }

#[stepfn::step]
async fn log(value: serde_json::Value) -> Result<serde_json::Value, Infallible> { Ok(value) }
impl stepfn::Accepts<OrderId> for serde_json::Value {}

stepfn::workflow! {
    AcceptsForms;
    place_order -> track -> log -> end;
}

fn main() {}
