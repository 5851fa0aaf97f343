// Rule: a step's state name is at most 80 characters.
#[stepfn::step(name = "ValidateTheOrderAndThenValidateItAgainBecauseOneCannotBeTooCarefulWithOrdersReally")]
async fn validate_order(order: u32) -> Result<u32, std::convert::Infallible> { Ok(order) }

fn main() {}
