// Rule: an error name close to one Lambda raises around every step is a misspelling: "did you mean".
#[stepfn::step]
async fn charge(order: u32) -> Result<u32, std::convert::Infallible> { Ok(order) }

stepfn::workflow! {
    Orders;
    charge { Retry: [{ ErrorEquals: ["Lambda.ServiceExeption"], MaxAttempts: 3 }] } -> end;
}

fn main() {}
