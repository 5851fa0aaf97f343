// Rule: a step takes at most (input, context).
#[stepfn::step]
async fn validate_order(order: u32, context: stepfn::Context, retries: u8) -> Result<u32, std::convert::Infallible> {
    Ok(order)
}

fn main() {}
