// Rule: a distributed Map Label is at most 40 characters.
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
    validate_order -> Each;
    Each: Map {
        ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, charge_card -> end; },
        Label: "a-label-that-is-much-longer-than-forty-chars",
    } -> end;
}

fn main() {}
