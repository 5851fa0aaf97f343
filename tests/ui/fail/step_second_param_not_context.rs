// Rule: the second parameter of a step can only be `stepfn::Context`.
#[stepfn::step]
async fn validate_order(order: u32, retries: u8) -> Result<u32, std::convert::Infallible> { Ok(order) }

fn main() {}
