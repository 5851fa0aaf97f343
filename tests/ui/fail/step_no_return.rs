// Rule: a step returns a value: `-> Result<Output, Error>`.
#[stepfn::step]
async fn validate_order(order: u32) {}

fn main() {}
