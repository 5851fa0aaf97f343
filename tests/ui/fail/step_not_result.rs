// Rule: a step returns `Result<Output, Error>`.
#[stepfn::step]
async fn validate_order(order: u32) -> u32 { order }

fn main() {}
