// Rule: the step's `Result` names its error type (a one-argument alias hides it).
type Result<T> = std::result::Result<T, std::convert::Infallible>;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32> { Ok(order) }

fn main() {}
