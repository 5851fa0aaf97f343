// Rule: `Assign` only on the state types AWS lists (Pass, Task, Choice, Wait, Parallel, Map), not on Succeed or Fail.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> Done;
    Done: Succeed { Assign: { "finished": true } };
}

fn main() {}
