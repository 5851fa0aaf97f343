// Rule: a workflow (state machine) name is at most 80 characters.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    OrdersThatAreProcessedEveryNightByTheBatchJobAndThenReconciledWithTheLedgerOfTheBank;
    validate_order -> end;
}

fn main() {}
