// Rule: a step's error type implements `stepfn::StepError`, which names the error for Retry and Catch.
#[derive(Debug)]
struct Invalid;
impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("invalid") }
}

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Invalid> { Ok(order) }

fn main() {}
