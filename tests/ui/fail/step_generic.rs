// Rule: a step cannot be generic.
#[stepfn::step]
async fn validate_order<T>(order: T) -> Result<T, std::convert::Infallible> { Ok(order) }

fn main() {}
