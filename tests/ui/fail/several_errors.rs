// Rule: several mistakes in one workflow give several errors, each at its token.
use std::convert::Infallible;

#[stepfn::step]
async fn validate_order(order: u32) -> Result<u32, Infallible> { Ok(order) }

stepfn::workflow! {
    Orders { Coment: "typo" }
    validate_order -> Don;
    Done: Succeed;
    Orphan: Fail { Error: "Never" };
}

fn main() {}
