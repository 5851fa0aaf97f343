// Rule: an error name close to one stepfn raises around every step is a misspelling: "did you mean".
#[derive(Debug, stepfn::StepError)]
#[step_error(name = "CardDeclined")]
struct Declined;
impl std::fmt::Display for Declined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("declined") }
}

#[stepfn::step]
async fn charge(order: u32) -> Result<u32, Declined> { if order == 0 { Err(Declined) } else { Ok(order) } }

stepfn::workflow! {
    Orders;
    charge { Catch: [{ ErrorEquals: ["Stepfn.Panick"], Next: Failed }] } -> end;
    Failed: Fail { Error: "ChargeFailed" };
}

fn main() {}
