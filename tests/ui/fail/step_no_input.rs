// Rule: a step takes its input as its first parameter.
#[stepfn::step]
async fn validate_order() -> Result<u32, std::convert::Infallible> { Ok(1) }

fn main() {}
