// Rule: a step must be an `async fn`.
#[stepfn::step]
fn validate_order(order: u32) -> Result<u32, std::convert::Infallible> { Ok(order) }

fn main() {}
