// Rule: a .waitForTaskToken task passes $$.Task.Token on.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> Approve;
    Approve: Task("arn:aws:states:::sqs:sendMessage.waitForTaskToken") { Parameters: { QueueUrl: "https://sqs/approvals" } } -> end;
}

fn main() {}
