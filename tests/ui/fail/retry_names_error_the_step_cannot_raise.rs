// Rule: a Retry or Catch on a step names only errors its error type raises, `States.*`, or those Lambda and stepfn raise around every step.
use std::convert::Infallible;

#[derive(Debug, stepfn::StepError)]
enum OrderError { Invalid }
impl std::fmt::Display for OrderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("invalid") }
}

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, OrderError> { Ok(order) }

#[stepfn::step]
async fn charge_card(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order { Retry: [{ ErrorEquals: ["Timeout"] }] } -> end;
}

fn main() {}
