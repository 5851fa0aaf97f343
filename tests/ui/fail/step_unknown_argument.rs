// Rule: `#[step]` takes only `name = "..."`.
#[stepfn::step(state = "Validate")]
async fn validate_order(order: u32) -> Result<u32, std::convert::Infallible> { Ok(order) }

fn main() {}
