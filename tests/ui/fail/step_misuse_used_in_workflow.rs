// Rule: a #[step] mistake is reported once, at the step, even when a workflow names the step.
#[stepfn::step]
fn validate_order(order: u32) -> Result<u32, std::convert::Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    validate_order -> end;
}

fn main() {}
