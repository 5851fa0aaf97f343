// Rule: states that only reach each other, never from the start, are an island.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> end;
    Ping: Pass -> Pong;
    Pong: Pass -> Ping;
}

fn main() {}
